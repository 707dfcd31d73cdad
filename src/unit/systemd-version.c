/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "systemd-version.h"
#include "macro.h"

#define SHARED_PREFIX "libsystemd-shared-"
#define VERSION_DIGITS_MAX 5
#define MAPS_SIZE_MAX (4u * 1024u * 1024u)

int systemd_version_parse(const char *s, unsigned *ret) {
        unsigned v = 0;
        size_t n;

        if (!s || !ret)
                return -EINVAL;
        n = strlen(s);
        if (n == 0 || n > VERSION_DIGITS_MAX || strspn(s, "0123456789") != n)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                v = v * 10 + (unsigned) (s[i] - '0');
        if (v == 0)
                return -EINVAL;
        *ret = v;
        return 0;
}

/* The digits right after "libsystemd-shared-" at p; the rest ("252.so", "256.11-1.fc41.so") is
 * ignored. */
static int version_after_prefix(const char *p, unsigned *ret) {
        char digits[VERSION_DIGITS_MAX + 1];
        size_t n = 0;

        while (isdigit((unsigned char) p[n]) && n < VERSION_DIGITS_MAX) {
                digits[n] = p[n];
                n++;
        }
        if (n == 0 || isdigit((unsigned char) p[n]))
                return -EINVAL;
        digits[n] = '\0';
        return systemd_version_parse(digits, ret);
}

int systemd_version_from_maps(const char *path, unsigned *ret) {
        _cleanup_(closep) int fd = -EBADF;
        _cleanup_(freep) char *buf = NULL;
        const char *p;
        ssize_t n;

        if (!path || !ret)
                return -EINVAL;

        fd = open(path, O_RDONLY|O_CLOEXEC|O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        buf = malloc(MAPS_SIZE_MAX + 1);
        if (!buf)
                return -ENOMEM;
        /* A larger file is searched in its first MAPS_SIZE_MAX bytes. */
        n = loop_read(fd, buf, MAPS_SIZE_MAX);
        if (n < 0)
                return (int) n;
        buf[n] = '\0';

        for (p = buf; (p = strstr(p, "/" SHARED_PREFIX)); p++)
                if (version_after_prefix(p + strlen("/" SHARED_PREFIX), ret) >= 0)
                        return 0;
        return -ENOENT;
}

static int scan_dir(const char *dir, unsigned *best) {
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;

        d = opendir(dir);
        if (!d)
                return errno == ENOMEM ? -ENOMEM : 0;
        while ((de = readdir(d))) {
                const char *s = startswith(de->d_name, SHARED_PREFIX);
                unsigned v;

                if (s && strstr(s, ".so") && version_after_prefix(s, &v) >= 0 && v > *best)
                        *best = v;
        }
        return 0;
}

int systemd_version_from_libdirs(const char *root, unsigned *ret) {
        static const char *const bases[] = { "/usr/lib", "/lib", "/usr/lib64", "/lib64" };
        unsigned best = 0;
        int r;

        if (!ret)
                return -EINVAL;
        if (root && (isempty(root) || streq(root, "/")))
                root = NULL;

        for (size_t i = 0; i < ELEMENTSOF(bases); i++) {
                _cleanup_(closedirp) DIR *d = NULL;
                _cleanup_(freep) char *base = NULL, *dir = NULL;
                struct dirent *de;

                if (asprintf(&base, "%s%s", root ?: "", bases[i]) < 0) {
                        base = NULL;
                        return -ENOMEM;
                }
                if (asprintf(&dir, "%s/systemd", base) < 0) {
                        dir = NULL;
                        return -ENOMEM;
                }
                r = scan_dir(dir, &best);
                if (r < 0)
                        return r;

                /* Debian and Ubuntu: /usr/lib/x86_64-linux-gnu/systemd/ */
                d = opendir(base);
                if (!d)
                        continue;
                while ((de = readdir(d))) {
                        _cleanup_(freep) char *sub = NULL;

                        if (de->d_name[0] == '.' || !strstr(de->d_name, "-linux-"))
                                continue;
                        if (asprintf(&sub, "%s/%s/systemd", base, de->d_name) < 0) {
                                sub = NULL;
                                return -ENOMEM;
                        }
                        r = scan_dir(sub, &best);
                        if (r < 0)
                                return r;
                }
        }

        if (best == 0)
                return -ENOENT;
        *ret = best;
        return 0;
}

int systemd_version_detect(const char *root, unsigned *ret, const char **ret_source) {
        int r;

        if (!ret)
                return -EINVAL;
        if (root && (isempty(root) || streq(root, "/")))
                root = NULL;

        if (!root) {
                r = systemd_version_from_maps("/proc/1/maps", ret);
                if (r >= 0) {
                        if (ret_source)
                                *ret_source = "/proc/1/maps";
                        return 0;
                }
                if (r == -ENOMEM)
                        return r;
        }
        r = systemd_version_from_libdirs(root, ret);
        if (r < 0)
                return r;
        if (ret_source)
                *ret_source = "libsystemd-shared";
        return 0;
}
