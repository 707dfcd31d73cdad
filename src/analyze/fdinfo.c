/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "fdinfo.h"
#include "macro.h"
#include "parse-util.h"

static const char *const allowed_keys[_BPF_KIND_MAX] = {
        [BPF_KIND_COMMAND]    = "allowed_cmds",
        [BPF_KIND_MAP]        = "allowed_maps",
        [BPF_KIND_PROGRAM]    = "allowed_progs",
        [BPF_KIND_ATTACHMENT] = "allowed_attachs",
};

const char *fdinfo_allowed_key(BpfKind kind) {
        if (kind < 0 || kind >= _BPF_KIND_MAX)
                return NULL;
        return allowed_keys[kind];
}

bool fdinfo_link_is_token(const char *target) {
        static const char *const suffixes[] = { "bpf-token", "bpf-token (deleted)" };
        size_t l;

        if (!target)
                return false;
        if (streq(target, "anon_inode:bpf-token") || streq(target, "anon_inode:[bpf-token]"))
                return true;

        l = strlen(target);
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                size_t s = strlen(suffixes[i]);

                /* "/bpf-token", "/sys/fs/bpf/bpf-token (deleted)", not "/x/mybpf-token" */
                if (l > s && target[l - s - 1] == '/' && streq(target + l - s, suffixes[i]))
                        return true;
        }
        return false;
}

int fdinfo_parse_token(const char *text, size_t size, TokenFdinfo *ret) {
        TokenFdinfo t = {};
        const char *p = text, *end = text + size;
        unsigned n_allowed = 0;

        if (!ret || (!text && size > 0))
                return -EINVAL;
        if (size > FDINFO_TEXT_MAX)
                return -E2BIG;
        if (size > 0 && memchr(text, '\0', size))
                return -EBADMSG;

        while (p < end) {
                const char *eol = memchr(p, '\n', (size_t) (end - p)), *colon, *v, *ve;
                size_t klen;

                if (!eol)
                        eol = end;      /* a truncated last line is parsed as it is */

                colon = memchr(p, ':', (size_t) (eol - p));
                if (!colon)
                        goto next;      /* not "key: value"; newer kernels may add other lines */
                klen = (size_t) (colon - p);

                /* Value: after the colon and any tabs/spaces, up to the end of the line, trailing
                 * whitespace removed. */
                v = colon + 1;
                while (v < eol && (*v == '\t' || *v == ' '))
                        v++;
                ve = eol;
                while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t' || ve[-1] == '\r'))
                        ve--;

#define KEY_IS(k) (klen == strlen(k) && strncmp(p, (k), klen) == 0)
                if (KEY_IS("mnt_id")) {
                        uint64_t x;

                        if (t.has_mnt_id || parse_u64_exact(v, (size_t) (ve - v), 10, &x) < 0 || x > INT_MAX)
                                return -EBADMSG;
                        t.mnt_id = (int) x;
                        t.has_mnt_id = true;
                } else if (KEY_IS("flags")) {
                        uint64_t x;

                        if (t.has_flags || parse_u64_exact(v, (size_t) (ve - v), 8, &x) < 0 || x > UINT_MAX)
                                return -EBADMSG;
                        t.flags = (unsigned) x;
                        t.has_flags = true;
                } else if (KEY_IS("pos")) {
                        if (parse_u64_exact(v, (size_t) (ve - v), 10, &t.pos) < 0)
                                return -EBADMSG;
                } else if (KEY_IS("ino")) {
                        if (t.has_ino || parse_u64_exact(v, (size_t) (ve - v), 10, &t.ino) < 0)
                                return -EBADMSG;
                        t.has_ino = true;
                } else
                        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                                if (!KEY_IS(allowed_keys[k]))
                                        continue;
                                if (t.has_allowed[k])
                                        return -EBADMSG;
                                if (ve - v == 3 && strncmp(v, "any", 3) == 0) {
                                        t.allowed[k] = UINT64_MAX;
                                        t.any[k] = true;
                                } else if (parse_u64_exact(v, (size_t) (ve - v), 16, &t.allowed[k]) < 0)
                                        return -EBADMSG;
                                t.has_allowed[k] = true;
                                n_allowed++;
                                break;
                        }
#undef KEY_IS
        next:
                p = eol < end ? eol + 1 : end;
        }

        *ret = t;
        if (n_allowed == 0)
                return -ENOMSG;
        if (n_allowed != _BPF_KIND_MAX)
                return -EBADMSG;
        return 0;
}
