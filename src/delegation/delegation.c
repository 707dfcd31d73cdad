/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


#include "bpf-names-table.h"
#include "delegation.h"
#include "macro.h"


#define BIT(b) (UINT64_C(1) << (b))

static bool kind_valid(BpfKind k) {
        return k >= 0 && k < _BPF_KIND_MAX;
}

_printf_(2, 3)
static void diag_error(DelegationDiag *diag, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        (void) vsnprintf(diag->error, sizeof(diag->error), fmt, ap);
        va_end(ap);
}

/* Appends to a NUL-terminated buffer, truncating. */
_printf_(3, 4)
static void buf_append(char *buf, size_t size, const char *fmt, ...) {
        size_t used;
        va_list ap;

        if (!buf || size == 0)
                return;
        used = strnlen(buf, size);
        if (used >= size - 1)
                return;

        va_start(ap, fmt);
        (void) vsnprintf(buf + used, size - used, fmt, ap);
        va_end(ap);
}

/* A piece of untrusted input, fit for a log message: printable ASCII as is, the rest as \xNN,
 * cut with "..." if long. */
static const char *escape(const char *s, size_t n, char *buf, size_t size) {
        size_t j = 0;

        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) s[i];
                size_t need = (c >= 0x20 && c < 0x7f && c != '\\') ? 1 : 4;

                if (j + need + 4 > size) {
                        memcpy(buf + j, "...", 3);
                        j += 3;
                        break;
                }
                if (need == 1)
                        buf[j++] = (char) c;
                else
                        j += (size_t) snprintf(buf + j, size - j, "\\x%02x", c);
        }
        buf[j] = '\0';
        return buf;
}

static bool is_space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static bool is_separator(char c) {
        return c == ',' || c == ':' || is_space(c);
}

static uint64_t known_mask(const BpfNames *names, BpfKind kind) {
        unsigned count = bpf_names_count(names, kind);

        return count >= 64 ? UINT64_MAX : BIT(count) - 1;
}

/* A bit's kernel name, from names or, without names, from the built-in table. */
static const char *bit_name(const BpfNames *names, BpfKind kind, unsigned bit) {
        const BpfBuiltinTable *t;

        if (names)
                return bpf_names_kernel(names, kind, bit);

        t = bpf_builtin_table(kind);
        return t && bit < t->n_names ? t->names[bit] : NULL;
}

static int parse_hex(const char *word, BpfKind kind, uint64_t *ret, DelegationDiag *diag) {
        const char *digits = word + 2; /* after "0x" */
        size_t n = strlen(digits);
        char esc[4 * DELEGATION_ITEM_MAX + 4];
        uint64_t v = 0;

        if (n == 0) {
                diag_error(diag, "'%s' in %s= is not a hex mask: no digits follow '0x'.",
                           escape(word, strlen(word), esc, sizeof(esc)), bpf_kind_directive(kind));
                return -EINVAL;
        }

        for (size_t i = 0; i < n; i++)
                if (!isxdigit((unsigned char) digits[i])) {
                        diag_error(diag, "'%s' in %s= is not a valid hex mask.",
                                   escape(word, strlen(word), esc, sizeof(esc)), bpf_kind_directive(kind));
                        return -EINVAL;
                }

        if (n > 16) {
                diag_error(diag, "The hex mask '%s' in %s= has %zu digits; a mask has 64 bits, at most 16 hex digits.",
                           escape(word, strlen(word), esc, sizeof(esc)), bpf_kind_directive(kind), n);
                return -ERANGE;
        }

        for (size_t i = 0; i < n; i++) {
                int c = tolower((unsigned char) digits[i]);
                v = (v << 4) | (uint64_t) (c <= '9' ? c - '0' : c - 'a' + 10);
        }

        *ret = v;
        return 0;
}

static int refuse_number(const char *word, BpfKind kind, DelegationDiag *diag) {
        char esc[4 * DELEGATION_ITEM_MAX + 4];
        uint64_t v = 0;
        bool fits = true;

        escape(word, strlen(word), esc, sizeof(esc));

        for (const char *c = word; *c; c++) {
                if (!isdigit((unsigned char) *c)) {
                        diag_error(diag, "'%s' in %s= is neither a %s nor a hex mask; numbers must be written as one hex mask (0x...).",
                                   esc, bpf_kind_directive(kind), bpf_kind_noun(kind));
                        return -EINVAL;
                }
                if (v > (UINT64_MAX - 9) / 10)
                        fits = false;
                else
                        v = v * 10 + (uint64_t) (*c - '0');
        }

        if (!fits)
                diag_error(diag, "Decimal numbers are not accepted in %s= ('%s'); write one hex mask (0x...) instead.",
                           bpf_kind_directive(kind), esc);
        else if (v < 64)
                diag_error(diag, "Decimal numbers are not accepted in %s= ('%s'); write one hex mask instead: 0x%" PRIx64 " if %s is a mask, 0x%" PRIx64 " if it is a bit number.",
                           bpf_kind_directive(kind), esc, v, esc, BIT(v));
        else
                diag_error(diag, "Decimal numbers are not accepted in %s= ('%s'); write one hex mask instead: 0x%" PRIx64 ".",
                           bpf_kind_directive(kind), esc, v);
        return -EINVAL;
}

static int refuse_unknown(const BpfNames *names, BpfKind kind, const char *word, DelegationDiag *diag) {
        char esc[4 * DELEGATION_ITEM_MAX + 4];
        const char *suggestion = NULL;

        escape(word, strlen(word), esc, sizeof(esc));

        /* A name of another kind: say where it belongs. */
        for (BpfKind other = 0; other < _BPF_KIND_MAX; other++) {
                if (other == kind)
                        continue;
                if (bpf_names_lookup(names, other, word, NULL) >= 0) {
                        diag_error(diag, "Unknown %s '%s' in %s=; it is a %s, for %s=.",
                                   bpf_kind_noun(kind), esc, bpf_kind_directive(kind),
                                   bpf_kind_noun(other), bpf_kind_directive(other));
                        return -EINVAL;
                }
        }

        if (bpf_names_suggest(names, kind, word, &suggestion, 1) > 0) {
                unsigned bit;

                if (bpf_names_lookup(names, kind, suggestion, &bit) >= 0) {
                        diag_error(diag, "Unknown %s '%s' in %s=; did you mean '%s' (%s)?",
                                   bpf_kind_noun(kind), esc, bpf_kind_directive(kind),
                                   suggestion, bpf_names_systemd(names, kind, bit));
                        return -EINVAL;
                }
        }

        if (bpf_names_source(names) == BPF_NAMES_SOURCE_BTF)
                diag_error(diag, "Unknown %s '%s' in %s=: the running kernel has no such name ('bpftoken-analyze names' lists them).",
                           bpf_kind_noun(kind), esc, bpf_kind_directive(kind));
        else
                diag_error(diag, "Unknown %s '%s' in %s=: not in bpftoken's built-in table (the kernel offers no BTF to read names from; a hex mask always works).",
                           bpf_kind_noun(kind), esc, bpf_kind_directive(kind));
        return -EINVAL;
}

/* Whether native systemd would set this very bit for the name as written. */
static bool systemd_takes(const BpfNames *names, BpfKind kind, unsigned bit, BpfNameMatch match) {
        const char *kname;
        unsigned sbit;

        if (!(match & BPF_NAME_MATCH_SYSTEMD) || (match & (BPF_NAME_MATCH_ALIAS | BPF_NAME_MATCH_CASE_DIFFERS)))
                return false;

        kname = bpf_names_kernel(names, kind, bit);
        if (!kname || bpf_names_systemd_table_bit(kind, kname, &sbit) < 0)
                return false;

        return sbit == bit;
}

static int parse_list(const BpfNames *names, BpfKind kind, const char *value, uint64_t *ret_mask,
                      DelegationDiag *diag) {
        char esc[4 * DELEGATION_ITEM_MAX + 4];
        const char *p, *start;
        size_t n_items = 0, len, n_dups = 0;
        bool invert = false;
        uint64_t mask = 0;
        int r;

        if (!kind_valid(kind) || !ret_mask) {
                diag_error(diag, "Invalid arguments.");
                return -EINVAL;
        }
        if (!names) {
                diag_error(diag, "No BPF name table loaded.");
                return -EINVAL;
        }

        if (!value)
                value = "";

        len = strnlen(value, DELEGATION_VALUE_MAX + 1);
        if (len > DELEGATION_VALUE_MAX) {
                diag_error(diag, "The value of %s= is longer than the %u bytes allowed.",
                           bpf_kind_directive(kind), (unsigned) DELEGATION_VALUE_MAX);
                return -E2BIG;
        }
        if (len == 0) {
                *ret_mask = 0;
                return 0;
        }

        /* Leading separators, then maybe the '~' that inverts the whole list. */
        start = value;
        while (is_separator(*start))
                start++;
        if (*start == '~') {
                invert = true;
                start++;
        }

        /* First pass: count the items and note the separators between them. */
        p = start;
        for (;;) {
                bool space = false, colon = false;

                while (is_separator(*p)) {
                        space = space || is_space(*p);
                        colon = colon || *p == ':';
                        p++;
                }
                if (*p == '\0')
                        break;
                if (n_items > 0) {
                        diag->used_spaces = diag->used_spaces || space;
                        diag->used_colons = diag->used_colons || colon;
                }
                n_items++;
                while (*p && !is_separator(*p))
                        p++;
        }

        if (n_items == 0) {
                if (invert)
                        diag_error(diag, "'~' in %s= must be followed by the %ss to leave out.",
                                   bpf_kind_directive(kind), bpf_kind_noun(kind));
                else
                        diag_error(diag, "%s= holds separators but no names (an empty item); write nothing for none, or 'any'.",
                                   bpf_kind_directive(kind));
                return -EINVAL;
        }

        /* Second pass: the items. */
        p = start;
        for (;;) {
                char word[DELEGATION_ITEM_MAX + 1];
                BpfNameMatch match;
                unsigned bit;
                size_t n;

                while (is_separator(*p))
                        p++;
                if (*p == '\0')
                        break;
                n = strcspn(p, ", \t\n\v\f\r:");

                if (n > DELEGATION_ITEM_MAX) {
                        diag_error(diag, "A name in %s= ('%s') is longer than the %u bytes allowed.",
                                   bpf_kind_directive(kind), escape(p, n, esc, 40), (unsigned) DELEGATION_ITEM_MAX);
                        return -E2BIG;
                }
                memcpy(word, p, n);
                word[n] = '\0';
                p += n;

                escape(word, n, esc, sizeof(esc));

                if (memchr(word, '~', n)) {
                        diag_error(diag, "'%s' in %s=: '~' inverts the whole list and is only allowed at its very beginning.",
                                   esc, bpf_kind_directive(kind));
                        return -EINVAL;
                }

                if (strcaseeq(word, "any")) {
                        if (invert) {
                                diag_error(diag, "'~any' in %s= would delegate nothing; write nothing instead.",
                                           bpf_kind_directive(kind));
                                return -EINVAL;
                        }
                        if (n_items > 1) {
                                diag_error(diag, "'any' in %s= stands for everything and cannot be combined with other names.",
                                           bpf_kind_directive(kind));
                                return -EINVAL;
                        }
                        diag->used_any = true;
                        if (!streq(word, "any"))
                                diag->used_non_systemd_names = true;
                        *ret_mask = DELEGATION_ANY;
                        return 0;
                }

                if (word[0] == '0' && (word[1] == 'x' || word[1] == 'X')) {
                        uint64_t v;

                        if (invert) {
                                diag_error(diag, "A hex mask cannot be inverted with '~' in %s=; write the inverted mask itself.",
                                           bpf_kind_directive(kind));
                                return -EINVAL;
                        }
                        if (n_items > 1) {
                                diag_error(diag, "%s= mixes the hex mask '%s' with names; use either one hex mask or names only (the kernel lets a number overwrite the bits named before it).",
                                           bpf_kind_directive(kind), esc);
                                return -EINVAL;
                        }
                        r = parse_hex(word, kind, &v, diag);
                        if (r < 0)
                                return r;
                        diag->used_hex = true;
                        *ret_mask = v;
                        return 0;
                }

                if (isdigit((unsigned char) word[0]))
                        return refuse_number(word, kind, diag);

                if (bpf_names_lookup_full(names, kind, word, &bit, &match) < 0)
                        return refuse_unknown(names, kind, word, diag);

                if (match & BPF_NAME_MATCH_KERNEL)
                        diag->used_kernel_names = true;
                if (!systemd_takes(names, kind, bit, match))
                        diag->used_non_systemd_names = true;

                if (mask & BIT(bit)) {
                        if (n_dups == 0)
                                buf_append(diag->warning, sizeof(diag->warning), "%s= lists the same %s more than once: '%s'",
                                           bpf_kind_directive(kind), bpf_kind_noun(kind), esc);
                        else
                                buf_append(diag->warning, sizeof(diag->warning), ", '%s'", esc);
                        n_dups++;
                }
                mask |= BIT(bit);
        }

        if (n_dups > 0)
                buf_append(diag->warning, sizeof(diag->warning), ".");

        if (invert) {
                diag->used_invert = true;
                mask = known_mask(names, kind) & ~mask;
        }

        *ret_mask = mask;
        return 0;
}

int delegation_parse_list(const BpfNames *names, BpfKind kind, const char *value, uint64_t *ret_mask,
                          DelegationDiag *diag) {
        DelegationDiag dummy;
        int r;

        if (!diag)
                diag = &dummy;
        *diag = (DelegationDiag) {};

        r = parse_list(names, kind, value, ret_mask, diag);
        if (r < 0)
                diag->warning[0] = '\0'; /* only the error counts */
        return r;
}

int delegation_format(const BpfNames *names, BpfKind kind, uint64_t mask, DelegationStyle style, char **ret) {
        const char *sep;
        size_t size = 1;
        char *s, *p;
        bool hex;

        if (!ret || !kind_valid(kind) || style < 0 || style >= _DELEGATION_STYLE_MAX)
                return -EINVAL;

        hex = style == DELEGATION_STYLE_HEX || !names;
        if (!hex) {
                if (mask == DELEGATION_ANY)
                        return (*ret = strdup("any")) ? 0 : -ENOMEM;

                for (unsigned b = 0; b < 64; b++)
                        if ((mask & BIT(b)) && !bpf_names_kernel(names, kind, b)) {
                                hex = true;
                                break;
                        }
        }
        if (hex) {
                if (asprintf(ret, "0x%" PRIx64, mask) < 0) {
                        *ret = NULL;
                        return -ENOMEM;
                }
                return 0;
        }

        sep = style == DELEGATION_STYLE_MOUNT ? ":" : ",";

        for (unsigned b = 0; b < 64; b++)
                if (mask & BIT(b))
                        size += strlen(style == DELEGATION_STYLE_SYSTEMD ? bpf_names_systemd(names, kind, b)
                                                                          : bpf_names_kernel(names, kind, b)) + 1;

        s = malloc(size);
        if (!s)
                return -ENOMEM;

        p = s;
        *p = '\0';
        for (unsigned b = 0; b < 64; b++) {
                const char *name;
                size_t l;

                if (!(mask & BIT(b)))
                        continue;

                name = style == DELEGATION_STYLE_SYSTEMD ? bpf_names_systemd(names, kind, b)
                                                         : bpf_names_kernel(names, kind, b);
                if (p != s)
                        *p++ = *sep;
                l = strlen(name);
                memcpy(p, name, l + 1);
                p += l;
        }

        *ret = s;
        return 0;
}

#define LIBBPF_CMDS "map_create,prog_load,btf_load"

static const DelegationPreset presets[] = {
        {
                .name = "libbpf",
                .description = "Exactly what libbpf's own probes need before an application loads "
                               "anything: map_create, prog_load, btf_load; array maps; socket_filter "
                               "programs; attach type cgroup_inet_ingress (bit 0) only. Add the "
                               "application's own types; for attach types 'any' is usually simpler, "
                               "because many program types use expected attach type 0.",
                .lists = {
                        [BPF_KIND_COMMAND]    = LIBBPF_CMDS,
                        [BPF_KIND_MAP]        = "array",
                        [BPF_KIND_PROGRAM]    = "socket_filter",
                        [BPF_KIND_ATTACHMENT] = "cgroup_inet_ingress",
                },
        },
        {
                .name = "networking",
                .description = "The libbpf baseline plus the map and program types of XDP, tc, "
                               "cgroup socket, sockmap, flow dissector, sk_lookup and netfilter "
                               "programs; any attach type. Needs CAP_NET_ADMIN in the user namespace.",
                .lists = {
                        [BPF_KIND_COMMAND]    = LIBBPF_CMDS,
                        [BPF_KIND_MAP]        = "array,hash,percpu_array,percpu_hash,lru_hash,ringbuf,"
                                                "devmap,devmap_hash,xskmap,cpumap,sockmap,sockhash,"
                                                "prog_array,perf_event_array,lpm_trie",
                        [BPF_KIND_PROGRAM]    = "socket_filter,xdp,sched_cls,sched_act,cgroup_skb,"
                                                "cgroup_sock,cgroup_sock_addr,sk_skb,sk_msg,sock_ops,"
                                                "flow_dissector,sk_lookup,netfilter",
                        [BPF_KIND_ATTACHMENT] = "any",
                },
        },
        {
                .name = "xdp",
                .description = "The libbpf baseline plus XDP programs and the maps XDP programs use "
                               "(redirect maps, AF_XDP sockets, ring buffers); attach types xdp "
                               "(libbpf's expected attach type for SEC(\"xdp\")) and bit 0. Attach them "
                               "with a BPF link on any systemd, or through netlink (ip link, xdp-loader "
                               "in skb mode, bpf_xdp_attach()) with PrivateNetwork=yes, which bpftoken "
                               "turns into a network namespace of the unit's own. Needs CAP_NET_ADMIN in "
                               "the user namespace. xdp-loader's multi-program dispatcher needs "
                               "freplace (ext) programs, which this kernel refuses with a token: it "
                               "falls back to one program per interface.",
                .lists = {
                        [BPF_KIND_COMMAND]    = LIBBPF_CMDS,
                        [BPF_KIND_MAP]        = "array,hash,percpu_array,percpu_hash,lru_hash,ringbuf,"
                                                "devmap,devmap_hash,xskmap,cpumap,prog_array",
                        [BPF_KIND_PROGRAM]    = "socket_filter,xdp",
                        [BPF_KIND_ATTACHMENT] = "cgroup_inet_ingress,xdp",
                },
        },
        {
                .name = "tc",
                .description = "The libbpf baseline plus tc programs (classifiers and actions) and "
                               "their usual maps; attach types tcx_ingress, tcx_egress and bit 0 (what "
                               "SEC(\"tc\") and tc filter ... bpf load with). tcx links work on any "
                               "systemd; classic tc (tc qdisc/filter) needs PrivateNetwork=yes, which "
                               "bpftoken turns into a network namespace of the unit's own. Needs "
                               "CAP_NET_ADMIN in the user namespace.",
                .lists = {
                        [BPF_KIND_COMMAND]    = LIBBPF_CMDS,
                        [BPF_KIND_MAP]        = "array,hash,percpu_array,percpu_hash,lru_hash,ringbuf,"
                                                "prog_array,perf_event_array",
                        [BPF_KIND_PROGRAM]    = "socket_filter,sched_cls,sched_act",
                        [BPF_KIND_ATTACHMENT] = "cgroup_inet_ingress,tcx_ingress,tcx_egress",
                },
        },
        {
                .name = "cgroup-net",
                .description = "The libbpf baseline plus cgroup socket programs (packet filters, "
                               "socket creation, bind/connect/sendmsg hooks, sockopts, sock_ops) and "
                               "their maps, with their attach types. bpftoken confines them to the "
                               "unit's own cgroup: it cannot open its parent or the root cgroup. Needs "
                               "CAP_NET_ADMIN in the user namespace.",
                .lists = {
                        [BPF_KIND_COMMAND]    = LIBBPF_CMDS,
                        [BPF_KIND_MAP]        = "array,hash,percpu_array,percpu_hash,lru_hash,ringbuf,"
                                                "sk_storage,cgroup_storage,percpu_cgroup_storage",
                        [BPF_KIND_PROGRAM]    = "socket_filter,cgroup_skb,cgroup_sock,cgroup_sock_addr,"
                                                "sock_ops,cgroup_sockopt",
                        [BPF_KIND_ATTACHMENT] = "cgroup_inet_ingress,cgroup_inet_egress,"
                                                "cgroup_inet_sock_create,cgroup_inet_sock_release,"
                                                "cgroup_sock_ops,cgroup_inet4_bind,cgroup_inet6_bind,"
                                                "cgroup_inet4_connect,cgroup_inet6_connect,"
                                                "cgroup_inet4_post_bind,cgroup_inet6_post_bind,"
                                                "cgroup_udp4_sendmsg,cgroup_udp6_sendmsg,"
                                                "cgroup_udp4_recvmsg,cgroup_udp6_recvmsg,"
                                                "cgroup_inet4_getpeername,cgroup_inet6_getpeername,"
                                                "cgroup_inet4_getsockname,cgroup_inet6_getsockname,"
                                                "cgroup_getsockopt,cgroup_setsockopt",
                },
        },
        {
                .name = "tracing",
                .description = "The libbpf baseline plus the map and program types of kprobe, "
                               "tracepoint, raw tracepoint, perf event and fentry/fexit programs; "
                               "any attach type. Needs CAP_PERFMON in the user namespace; kprobes "
                               "and tracepoints attached through perf_event_open() still follow the "
                               "host's perf rules.",
                .lists = {
                        [BPF_KIND_COMMAND]    = LIBBPF_CMDS,
                        [BPF_KIND_MAP]        = "array,hash,percpu_array,percpu_hash,lru_hash,ringbuf,"
                                                "perf_event_array,stack_trace,task_storage",
                        [BPF_KIND_PROGRAM]    = "socket_filter,kprobe,tracepoint,raw_tracepoint,"
                                                "raw_tracepoint_writable,perf_event,tracing",
                        [BPF_KIND_ATTACHMENT] = "any",
                },
        },
};

const DelegationPreset *delegation_presets(size_t *ret_n) {
        if (ret_n)
                *ret_n = ELEMENTSOF(presets);
        return presets;
}

const DelegationPreset *delegation_preset_find(const char *name) {
        if (!name)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(presets); i++)
                if (strcaseeq(name, presets[i].name))
                        return &presets[i];
        return NULL;
}

/* ORs a preset list (kernel spellings or "any", comma-separated) in; names this kernel lacks are
 * skipped. */
static void apply_list(const BpfNames *names, BpfKind kind, const char *list, uint64_t *mask) {
        const char *p = list;

        while (p && *p) {
                char word[DELEGATION_ITEM_MAX + 1];
                size_t n = strcspn(p, ",");
                unsigned bit;

                if (n > 0 && n <= DELEGATION_ITEM_MAX) {
                        memcpy(word, p, n);
                        word[n] = '\0';
                        if (streq(word, "any"))
                                *mask = DELEGATION_ANY;
                        else if (bpf_names_lookup(names, kind, word, &bit) >= 0)
                                *mask |= BIT(bit);
                }
                p += n;
                if (*p == ',')
                        p++;
        }
}

int delegation_apply_preset(const BpfNames *names, const char *preset, Delegation *d, DelegationDiag *diag) {
        char esc[4 * DELEGATION_ITEM_MAX + 4];
        const DelegationPreset *dp;
        DelegationDiag dummy;

        if (!diag)
                diag = &dummy;
        *diag = (DelegationDiag) {};

        if (!names || !preset || !d) {
                diag_error(diag, "Invalid arguments.");
                return -EINVAL;
        }

        dp = delegation_preset_find(preset);
        if (!dp) {
                const char *best = NULL;
                unsigned best_d = UINT32_MAX;

                for (size_t i = 0; i < ELEMENTSOF(presets); i++) {
                        unsigned dist = bpf_edit_distance(preset, presets[i].name);

                        if (dist <= 3 && dist * 2 < strlen(presets[i].name) && dist < best_d) {
                                best = presets[i].name;
                                best_d = dist;
                        }
                }

                escape(preset, strnlen(preset, DELEGATION_ITEM_MAX), esc, sizeof(esc));
                if (best)
                        diag_error(diag, "Unknown delegation preset '%s'; did you mean '%s'?", esc, best);
                else {
                        diag_error(diag, "Unknown delegation preset '%s'; known presets:", esc);
                        for (size_t i = 0; i < ELEMENTSOF(presets); i++)
                                buf_append(diag->error, sizeof(diag->error), "%s %s",
                                           i == 0 ? "" : ",", presets[i].name);
                        buf_append(diag->error, sizeof(diag->error), ".");
                }
                return -ENOENT;
        }

        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                apply_list(names, k, dp->lists[k], &d->masks[k]);

        return 0;
}

const Delegation delegation_libbpf_baseline = {
        .masks = {
                [BPF_KIND_COMMAND]    = BIT(0) | BIT(5) | BIT(18), /* map_create, prog_load, btf_load */
                [BPF_KIND_MAP]        = BIT(2),                    /* array */
                [BPF_KIND_PROGRAM]    = BIT(1),                    /* socket_filter */
                [BPF_KIND_ATTACHMENT] = BIT(0),                    /* cgroup_inet_ingress */
        },
};

bool delegation_covers_libbpf_baseline(const BpfNames *names, const Delegation *d, char *buf, size_t size) {
        bool covered = true;

        if (buf && size > 0)
                buf[0] = '\0';

        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                uint64_t missing = delegation_libbpf_baseline.masks[k] & ~(d ? d->masks[k] : 0);

                for (unsigned b = 0; b < 64; b++) {
                        const char *name;

                        if (!(missing & BIT(b)))
                                continue;

                        name = bit_name(names, k, b);
                        if (name)
                                buf_append(buf, size, "%s%s: %s", covered ? "" : ", ", bpf_kind_to_string(k), name);
                        else
                                buf_append(buf, size, "%s%s: bit %u", covered ? "" : ", ", bpf_kind_to_string(k), b);
                        covered = false;
                }
        }

        return covered;
}

static bool name_in(const char *name, const char *const *list) {
        for (const char *const *i = list; *i; i++) {
                size_t l = strlen(*i);

                /* "lwt_*": a prefix */
                if (l > 0 && (*i)[l - 1] == '*') {
                        if (strncmp(name, *i, l - 1) == 0)
                                return true;
                } else if (streq(name, *i))
                        return true;
        }
        return false;
}

static bool mask_needs(const BpfNames *names, BpfKind kind, uint64_t mask, const char *const *list) {
        if (mask == DELEGATION_ANY)
                return true;

        for (unsigned b = 0; b < 64; b++) {
                const char *name;

                if (!(mask & BIT(b)))
                        continue;
                name = bit_name(names, kind, b);
                if (name && name_in(name, list))
                        return true;
        }
        return false;
}

uint64_t delegation_needed_capabilities(const BpfNames *names, const Delegation *d) {
        /* The kernel's is_perfmon_prog_type() and is_net_admin_prog_type(), and the map types
         * map_create() checks CAP_NET_ADMIN for; a little wider where a program type's attachment
         * needs CAP_NET_ADMIN (sk_lookup, sk_reuseport, cpumap; cgroup_skb loads without it, but
         * bpf_prog_attach_check_attach_type() wants it through the token at attach time: measured,
         * a User= unit without it gets EPERM attaching to its own cgroup). */
        static const char *const perfmon_progs[] = {
                "kprobe", "tracepoint", "perf_event", "raw_tracepoint", "raw_tracepoint_writable",
                "tracing", "lsm", "struct_ops", "ext", NULL,
        };
        static const char *const net_admin_progs[] = {
                "sched_cls", "sched_act", "xdp", "lwt_*", "sk_skb", "sk_msg", "flow_dissector",
                "cgroup_skb", "sock_ops", "cgroup_sock", "cgroup_sock_addr", "cgroup_sockopt", "cgroup_sysctl",
                "cgroup_device", "sk_lookup", "netfilter", "sk_reuseport", "ext", NULL,
        };
        static const char *const net_admin_maps[] = {
                "sockmap", "sockhash", "devmap", "devmap_hash", "xskmap", "cpumap", NULL,
        };
        uint64_t caps;

        if (!d || delegation_is_empty(d))
                return 0;

        caps = BIT(CAP_BPF);
        if (mask_needs(names, BPF_KIND_PROGRAM, d->masks[BPF_KIND_PROGRAM], perfmon_progs))
                caps |= BIT(CAP_PERFMON);
        if (mask_needs(names, BPF_KIND_PROGRAM, d->masks[BPF_KIND_PROGRAM], net_admin_progs) ||
            mask_needs(names, BPF_KIND_MAP, d->masks[BPF_KIND_MAP], net_admin_maps))
                caps |= BIT(CAP_NET_ADMIN);

        return caps;
}

bool delegation_is_empty(const Delegation *d) {
        if (!d)
                return true;
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                if (d->masks[k] != 0)
                        return false;
        return true;
}

uint64_t delegation_cgroup_program_mask(const BpfNames *names, const Delegation *d) {
        static const char *const types[] = {
                "cgroup_skb", "cgroup_sock", "cgroup_sock_addr", "sock_ops", "cgroup_device",
                "cgroup_sysctl", "cgroup_sockopt",
        };
        uint64_t mask = 0;

        for (size_t i = 0; i < ELEMENTSOF(types); i++) {
                unsigned bit;

                if (bpf_names_lookup(names, BPF_KIND_PROGRAM, types[i], &bit) >= 0)
                        mask |= BIT(bit);
        }
        return d->masks[BPF_KIND_PROGRAM] & mask;
}
