/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "macro.h"
#include "parse-util.h"

int parse_u64_exact(const char *s, size_t len, unsigned base, uint64_t *ret) {
        uint64_t v = 0;
        size_t i = 0;

        if (base == 16) {
                if (len < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
                        return -EBADMSG;
                i = 2;
        }
        if (i >= len)
                return -EBADMSG;
        for (; i < len; i++) {
                unsigned d;
                char c = s[i];

                if (c >= '0' && c <= '9')
                        d = (unsigned) (c - '0');
                else if (c >= 'a' && c <= 'f')
                        d = (unsigned) (c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        d = (unsigned) (c - 'A' + 10);
                else
                        return -EBADMSG;
                if (d >= base)
                        return -EBADMSG;
                if (v > (UINT64_MAX - d) / base)
                        return -EBADMSG;
                v = v * base + d;
        }
        *ret = v;
        return 0;
}

int parse_boolean(const char *v) {
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
        static const char *const no[] = { "0", "no", "n", "false", "f", "off" };

        if (!v)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (strcaseeq(v, yes[i]))
                        return 1;
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (strcaseeq(v, no[i]))
                        return 0;
        return -EINVAL;
}
