/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "delegation.h"
#include "macro.h"
#include "mountinfo.h"
#include "parse-util.h"

static bool is_octal(char c) {
        return c >= '0' && c <= '7';
}

int mountinfo_unescape(const char *s, size_t len, char **ret) {
        char *buf, *t;

        buf = malloc(len + 1);
        if (!buf)
                return -ENOMEM;

        t = buf;
        for (size_t i = 0; i < len; i++) {
                if (s[i] == '\\' && len - i >= 4 &&
                    is_octal(s[i + 1]) && is_octal(s[i + 2]) && is_octal(s[i + 3])) {
                        unsigned v = (unsigned) (s[i + 1] - '0') * 64 + (unsigned) (s[i + 2] - '0') * 8 +
                                     (unsigned) (s[i + 3] - '0');

                        if (v != 0 && v <= 0xff) {
                                *t++ = (char) v;
                                i += 3;
                                continue;
                        }
                }
                *t++ = s[i];
        }
        *t = '\0';

        *ret = buf;
        return 0;
}

/* Splits off the next space-separated field of [*p, end). Fields are separated by exactly one
 * space; an empty field (two spaces, or a leading/trailing space) is malformed. */
static int next_field(const char **p, const char *end, const char **ret_start, size_t *ret_len) {
        const char *s = *p, *e;

        if (s >= end)
                return -EBADMSG;
        e = memchr(s, ' ', (size_t) (end - s));
        if (!e)
                e = end;
        if (e == s)
                return -EBADMSG;

        *ret_start = s;
        *ret_len = (size_t) (e - s);
        *p = e < end ? e + 1 : end;
        return 0;
}

static int parse_int_field(const char *s, size_t len, int *ret) {
        uint64_t v;

        if (len > 10 || parse_u64_exact(s, len, 10, &v) < 0 || v > INT_MAX)
                return -EBADMSG;
        *ret = (int) v;
        return 0;
}

static int parse_devnum(const char *s, size_t len, unsigned *ret_major, unsigned *ret_minor) {
        const char *colon;
        int major, minor;

        colon = memchr(s, ':', len);
        if (!colon)
                return -EBADMSG;
        if (parse_int_field(s, (size_t) (colon - s), &major) < 0 ||
            parse_int_field(colon + 1, len - (size_t) (colon - s) - 1, &minor) < 0)
                return -EBADMSG;
        *ret_major = (unsigned) major;
        *ret_minor = (unsigned) minor;
        return 0;
}

static int strndup_checked(const char *s, size_t len, char **ret) {
        char *c;

        /* A NUL byte in the middle would silently shorten the field. */
        if (memchr(s, '\0', len))
                return -EBADMSG;
        c = strndup(s, len);
        if (!c)
                return -ENOMEM;
        *ret = c;
        return 0;
}

void mountinfo_done(MountInfo *m) {
        if (!m)
                return;
        free(m->root);
        free(m->mount_point);
        free(m->mount_options);
        free(m->optional);
        free(m->fstype);
        free(m->source);
        free(m->super_options);
        *m = (MountInfo) {};
}

int mountinfo_parse_line(const char *line, size_t len, MountInfo *ret) {
        _cleanup_(mountinfo_done) MountInfo m = {};
        const char *p, *end, *f, *opt_start = NULL, *opt_end = NULL;
        size_t l;
        int r;

        if (len > MOUNTINFO_LINE_MAX)
                return -E2BIG;
        /* Tolerate the line's own newline, nothing else. */
        if (len > 0 && line[len - 1] == '\n')
                len--;
        if (memchr(line, '\n', len) || memchr(line, '\0', len))
                return -EBADMSG;

        p = line;
        end = line + len;

        if (next_field(&p, end, &f, &l) < 0 || parse_int_field(f, l, &m.mount_id) < 0)
                return -EBADMSG;
        if (next_field(&p, end, &f, &l) < 0 || parse_int_field(f, l, &m.parent_id) < 0)
                return -EBADMSG;
        if (next_field(&p, end, &f, &l) < 0 || parse_devnum(f, l, &m.major, &m.minor) < 0)
                return -EBADMSG;

        if (next_field(&p, end, &f, &l) < 0)
                return -EBADMSG;
        r = mountinfo_unescape(f, l, &m.root);
        if (r < 0)
                return r;

        if (next_field(&p, end, &f, &l) < 0)
                return -EBADMSG;
        r = mountinfo_unescape(f, l, &m.mount_point);
        if (r < 0)
                return r;

        if (next_field(&p, end, &f, &l) < 0)
                return -EBADMSG;
        r = strndup_checked(f, l, &m.mount_options);
        if (r < 0)
                return r;

        /* Zero or more optional fields, terminated by a lone "-". */
        for (;;) {
                if (next_field(&p, end, &f, &l) < 0)
                        return -EBADMSG;
                if (l == 1 && f[0] == '-')
                        break;
                if (!opt_start)
                        opt_start = f;
                opt_end = f + l;
        }
        r = strndup_checked(opt_start ?: "", opt_start ? (size_t) (opt_end - opt_start) : 0, &m.optional);
        if (r < 0)
                return r;

        if (next_field(&p, end, &f, &l) < 0)
                return -EBADMSG;
        r = strndup_checked(f, l, &m.fstype);
        if (r < 0)
                return r;

        if (next_field(&p, end, &f, &l) < 0)
                return -EBADMSG;
        r = mountinfo_unescape(f, l, &m.source);
        if (r < 0)
                return r;

        /* The super options are the rest of the line (they contain no spaces; the kernel escapes
         * them), and must be there: a line cut short before them is truncated. */
        if (next_field(&p, end, &f, &l) < 0)
                return -EBADMSG;
        if (p != end)
                return -EBADMSG;
        r = strndup_checked(f, l, &m.super_options);
        if (r < 0)
                return r;

        *ret = m;
        m = (MountInfo) {};
        return 0;
}

bool mountinfo_is_bpffs(const MountInfo *m) {
        return m && streq_ptr(m->fstype, "bpf");
}

const char *mountinfo_option(const char *opts, const char *key, size_t *ret_len) {
        size_t klen;
        const char *p;

        if (!opts || !key)
                return NULL;
        klen = strlen(key);

        p = opts;
        for (;;) {
                const char *e = strchrnul(p, ',');
                size_t l = (size_t) (e - p);

                if (l >= klen && strncmp(p, key, klen) == 0) {
                        if (l == klen) {
                                if (ret_len)
                                        *ret_len = 0;
                                return p + l;
                        }
                        if (p[klen] == '=') {
                                if (ret_len)
                                        *ret_len = l - klen - 1;
                                return p + klen + 1;
                        }
                }
                if (*e == '\0')
                        return NULL;
                p = e + 1;
        }
}

int mountinfo_parse_delegate_value(const BpfNames *names, BpfKind kind, const char *value, size_t len,
                                   uint64_t *ret_mask, bool *ret_any, MountDelegation *d) {
        uint64_t mask = 0;
        bool any = false;
        const char *p = value, *end = value + len;

        if (kind < 0 || kind >= _BPF_KIND_MAX)
                return -EINVAL;

        while (p <= end) {
                const char *e = memchr(p, ':', (size_t) (end - p));
                char item[DELEGATION_ITEM_MAX + 1];
                size_t l;

                if (!e)
                        e = end;
                l = (size_t) (e - p);

                if (l == 0)
                        ;       /* empty element, as newer kernels skip them too */
                else if (l == 3 && strncasecmp(p, "any", 3) == 0) {
                        mask = DELEGATION_ANY;
                        any = true;
                } else if (p[0] >= '0' && p[0] <= '9') {
                        bool hex = l >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
                        uint64_t v;

                        if (parse_u64_exact(p, l, hex ? 16 : 10, &v) < 0)
                                return -EBADMSG;
                        mask |= v;
                } else {
                        unsigned bit;
                        bool ok = false;

                        if (l < sizeof item && !memchr(p, '\0', l)) {
                                memcpy(item, p, l);
                                item[l] = '\0';
                                ok = names && bpf_names_lookup(names, kind, item, &bit) >= 0 && bit < 64;
                        }
                        if (ok)
                                mask |= UINT64_C(1) << bit;
                        else if (d) {
                                if (d->n_unknown == 0) {
                                        size_t c = l < sizeof d->first_unknown ? l : sizeof d->first_unknown - 1;

                                        memcpy(d->first_unknown, p, c);
                                        d->first_unknown[c] = '\0';
                                }
                                d->n_unknown++;
                        }
                }

                if (e == end)
                        break;
                p = e + 1;
        }

        if (ret_mask)
                *ret_mask = mask;
        if (ret_any)
                *ret_any = any;
        return 0;
}

int mountinfo_parse_delegation(const BpfNames *names, const char *super_options, MountDelegation *ret) {
        MountDelegation d = {};
        bool found = false;

        if (!ret)
                return -EINVAL;

        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                const char *key = bpf_kind_mount_option(k), *v;
                size_t l;
                int r;

                if (!key)
                        return -EINVAL;
                v = mountinfo_option(super_options, key, &l);
                if (!v)
                        continue;
                r = mountinfo_parse_delegate_value(names, k, v, l, &d.masks[k], &d.any[k], &d);
                if (r < 0)
                        return r;
                d.present[k] = true;
                found = true;
        }

        *ret = d;
        return found;
}
