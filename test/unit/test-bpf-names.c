/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * BPF name tables: kernel BTF and the built-in table. Every test that does not depend on the source
 * runs twice, "[btf]" (the running kernel's /sys/kernel/btf/vmlinux, which falls back to the
 * built-in table where there is none) and "[builtin]". Only stable UAPI values are hard-coded.
 */

#include <ctype.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/btf.h>

#include "bpf-names-table.h"
#include "bpf-names.h"
#include "macro.h"
#include "test-util.h"

/* --- kinds -------------------------------------------------------------------------------- */

static void test_kind_strings(void **state) {
        static const struct {
                BpfKind kind;
                const char *string, *mount, *directive, *noun;
                const char *accepted[6];
        } table[] = {
                { BPF_KIND_COMMAND, "commands", "delegate_cmds", "BPFDelegateCommands", "BPF command",
                  { "commands", "cmds", "command", "cmd", "COMMANDS", "delegate_cmds" } },
                { BPF_KIND_MAP, "maps", "delegate_maps", "BPFDelegateMaps", "BPF map type",
                  { "maps", "map", "Maps", "delegate_maps", "BPFDelegateMaps", "MAP" } },
                { BPF_KIND_PROGRAM, "programs", "delegate_progs", "BPFDelegatePrograms", "BPF program type",
                  { "programs", "progs", "program", "prog", "delegate_progs", "BPFDelegatePrograms" } },
                { BPF_KIND_ATTACHMENT, "attachments", "delegate_attachs", "BPFDelegateAttachments", "BPF attach type",
                  { "attachments", "attachs", "attachment", "attach", "delegate_attachs", "Attachs" } },
        };
        static const char *const invalid[] = { "", "command s", "cmdss", "x", "delegate_", "any" };

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                assert_string_equal(bpf_kind_to_string(table[i].kind), table[i].string);
                assert_string_equal(bpf_kind_mount_option(table[i].kind), table[i].mount);
                assert_string_equal(bpf_kind_directive(table[i].kind), table[i].directive);
                assert_string_equal(bpf_kind_noun(table[i].kind), table[i].noun);
                for (size_t j = 0; j < ELEMENTSOF(table[i].accepted); j++)
                        assert_int_equal(bpf_kind_from_string(table[i].accepted[j]), table[i].kind);
        }

        for (size_t i = 0; i < ELEMENTSOF(invalid); i++)
                assert_int_equal(bpf_kind_from_string(invalid[i]), _BPF_KIND_INVALID);
        assert_int_equal(bpf_kind_from_string(NULL), _BPF_KIND_INVALID);
        assert_null(bpf_kind_to_string(_BPF_KIND_MAX));
        assert_null(bpf_kind_to_string(_BPF_KIND_INVALID));
        assert_null(bpf_kind_directive(_BPF_KIND_MAX));
        assert_null(bpf_kind_noun(-1));
        assert_null(bpf_kind_mount_option(_BPF_KIND_MAX));
}

/* --- lookups, both sources ------------------------------------------------------------------ */

static void test_stable_values(void **state) {
        static const struct {
                BpfKind kind;
                const char *kernel, *systemd;
                unsigned bit;
        } table[] = {
                { BPF_KIND_COMMAND,    "map_create",          "BPFMapCreate",            0 },
                { BPF_KIND_COMMAND,    "prog_load",           "BPFProgLoad",             5 },
                { BPF_KIND_MAP,        "array",               "BPFMapTypeArray",         2 },
                { BPF_KIND_PROGRAM,    "socket_filter",       "BPFProgTypeSocketFilter", 1 },
                { BPF_KIND_PROGRAM,    "xdp",                 "BPFProgTypeXdp",          6 },
                { BPF_KIND_ATTACHMENT, "cgroup_inet_ingress", "BPFCgroupInetIngress",    0 },
        };
        BpfNames *n = state_names(state);

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                unsigned bit = 999;

                assert_string_equal(bpf_names_kernel(n, table[i].kind, table[i].bit), table[i].kernel);
                assert_string_equal(bpf_names_systemd(n, table[i].kind, table[i].bit), table[i].systemd);
                assert_true(bpf_names_known_to_kernel(n, table[i].kind, table[i].bit));

                assert_int_equal(bpf_names_lookup(n, table[i].kind, table[i].kernel, &bit), 0);
                assert_int_equal(bit, table[i].bit);
                bit = 999;
                assert_int_equal(bpf_names_lookup(n, table[i].kind, table[i].systemd, &bit), 0);
                assert_int_equal(bit, table[i].bit);
                assert_true(bpf_names_in_systemd_table(table[i].kind, table[i].kernel));
        }
}

static void test_spellings(void **state) {
        static const struct {
                BpfKind kind;
                const char *name;
                int r;
                unsigned bit;
                BpfNameMatch match;
        } table[] = {
                { BPF_KIND_COMMAND, "prog_load",     0, 5, BPF_NAME_MATCH_KERNEL },
                { BPF_KIND_COMMAND, "PROG_LOAD",     0, 5, BPF_NAME_MATCH_KERNEL | BPF_NAME_MATCH_CASE_DIFFERS },
                { BPF_KIND_COMMAND, "Prog_Load",     0, 5, BPF_NAME_MATCH_KERNEL | BPF_NAME_MATCH_CASE_DIFFERS },
                { BPF_KIND_COMMAND, "BPFProgLoad",   0, 5, BPF_NAME_MATCH_SYSTEMD },
                { BPF_KIND_COMMAND, "bpfprogload",   0, 5, BPF_NAME_MATCH_SYSTEMD | BPF_NAME_MATCH_CASE_DIFFERS },
                { BPF_KIND_COMMAND, "BPFPROGLOAD",   0, 5, BPF_NAME_MATCH_SYSTEMD | BPF_NAME_MATCH_CASE_DIFFERS },
                { BPF_KIND_COMMAND, "bPfPrOgLoAd",   0, 5, BPF_NAME_MATCH_SYSTEMD | BPF_NAME_MATCH_CASE_DIFFERS },
                { BPF_KIND_COMMAND, "prog_test_run", 0, 10, BPF_NAME_MATCH_KERNEL },
                { BPF_KIND_COMMAND, "BPFProgTestRun", 0, 10, BPF_NAME_MATCH_SYSTEMD },
                { BPF_KIND_COMMAND, "prog_run",      0, 10, BPF_NAME_MATCH_KERNEL | BPF_NAME_MATCH_ALIAS },
                { BPF_KIND_COMMAND, "BPFProgRun",    0, 10, BPF_NAME_MATCH_SYSTEMD | BPF_NAME_MATCH_ALIAS },
                { BPF_KIND_COMMAND, "PROG_RUN",      0, 10, BPF_NAME_MATCH_KERNEL | BPF_NAME_MATCH_ALIAS | BPF_NAME_MATCH_CASE_DIFFERS },
                { BPF_KIND_MAP, "array",             0, 2, BPF_NAME_MATCH_KERNEL },
                { BPF_KIND_MAP, "BPFMapTypeArray",   0, 2, BPF_NAME_MATCH_SYSTEMD },
                { BPF_KIND_MAP, "cgroup_storage_deprecated", 0, 19, BPF_NAME_MATCH_KERNEL },
                { BPF_KIND_MAP, "cgroup_storage",    0, 19, BPF_NAME_MATCH_KERNEL | BPF_NAME_MATCH_ALIAS },
                { BPF_KIND_MAP, "BPFMapTypeCgroupStorage", 0, 19, BPF_NAME_MATCH_SYSTEMD | BPF_NAME_MATCH_ALIAS },
                { BPF_KIND_MAP, "BPFMapTypeCgroupStorageDeprecated", 0, 19, BPF_NAME_MATCH_SYSTEMD },
                { BPF_KIND_MAP, "percpu_cgroup_storage", 0, 21, BPF_NAME_MATCH_KERNEL | BPF_NAME_MATCH_ALIAS },
                { BPF_KIND_PROGRAM, "XDP",           0, 6, BPF_NAME_MATCH_KERNEL | BPF_NAME_MATCH_CASE_DIFFERS },
                { BPF_KIND_PROGRAM, "BPFProgTypeXdp", 0, 6, BPF_NAME_MATCH_SYSTEMD },
                { BPF_KIND_PROGRAM, "BPFProgTypeXDP", 0, 6, BPF_NAME_MATCH_SYSTEMD | BPF_NAME_MATCH_CASE_DIFFERS },
                { BPF_KIND_ATTACHMENT, "cgroup_inet_ingress", 0, 0, BPF_NAME_MATCH_KERNEL },
                { BPF_KIND_ATTACHMENT, "BPFCgroupInetIngress", 0, 0, BPF_NAME_MATCH_SYSTEMD },
                /* not names */
                { BPF_KIND_COMMAND, "",              -ENOENT },
                { BPF_KIND_COMMAND, "prog",          -ENOENT },
                { BPF_KIND_COMMAND, "prog_load ",    -ENOENT },
                { BPF_KIND_COMMAND, "BPF_PROG_LOAD", -ENOENT },
                { BPF_KIND_COMMAND, "ProgLoad",      -ENOENT },
                { BPF_KIND_COMMAND, "BPFProg_Load",  -ENOENT },
                { BPF_KIND_COMMAND, "array",         -ENOENT },  /* another kind's name */
                { BPF_KIND_MAP, "prog_load",         -ENOENT },
                { BPF_KIND_MAP, "BPFArray",          -ENOENT },
                { BPF_KIND_MAP, "ringbufx",          -ENOENT },
                { BPF_KIND_PROGRAM, "BPFXdp",        -ENOENT },  /* the attach type's spelling */
                { BPF_KIND_PROGRAM, "any",           -ENOENT },
                { BPF_KIND_ATTACHMENT, "BPFProgTypeXdp", -ENOENT },
        };
        BpfNames *n = state_names(state);

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                BpfNameMatch match = 0;
                unsigned bit = 999;
                int r;

                r = bpf_names_lookup_full(n, table[i].kind, table[i].name, &bit, &match);
                if (r != table[i].r)
                        fail_msg("lookup of '%s': %d, expected %d", table[i].name, r, table[i].r);
                if (r < 0) {
                        assert_int_equal(bit, 999);
                        continue;
                }
                if (bit != table[i].bit || match != table[i].match)
                        fail_msg("lookup of '%s': bit %u match %#x, expected bit %u match %#x",
                                 table[i].name, bit, (unsigned) match, table[i].bit, (unsigned) table[i].match);

                bit = 999;
                assert_int_equal(bpf_names_lookup(n, table[i].kind, table[i].name, &bit), 0);
                assert_int_equal(bit, table[i].bit);
        }

        /* NULL arguments */
        assert_int_equal(bpf_names_lookup(n, BPF_KIND_COMMAND, NULL, NULL), -ENOENT);
        assert_int_equal(bpf_names_lookup(n, BPF_KIND_COMMAND, "prog_load", NULL), 0);
        assert_int_equal(bpf_names_lookup(NULL, BPF_KIND_COMMAND, "prog_load", NULL), -ENOENT);
        assert_int_equal(bpf_names_lookup(n, _BPF_KIND_MAX, "prog_load", NULL), -ENOENT);

        /* the canonical name of an aliased value is the first declared */
        assert_string_equal(bpf_names_kernel(n, BPF_KIND_COMMAND, 10), "prog_test_run");
        assert_string_equal(bpf_names_systemd(n, BPF_KIND_COMMAND, 10), "BPFProgTestRun");
        assert_string_equal(bpf_names_kernel(n, BPF_KIND_MAP, 19), "cgroup_storage_deprecated");
        assert_string_equal(bpf_names_systemd(n, BPF_KIND_MAP, 21), "BPFMapTypePercpuCgroupStorageDeprecated");
}

/* systemd's rule, written independently: the full enum name split on '_', first word kept,
 * every other word capitalized. */
static void expected_systemd(BpfKind kind, const char *kernel, char *buf, size_t size) {
        static const char *const prefix[] = {
                [BPF_KIND_COMMAND] = "BPF_", [BPF_KIND_MAP] = "BPF_MAP_TYPE_",
                [BPF_KIND_PROGRAM] = "BPF_PROG_TYPE_", [BPF_KIND_ATTACHMENT] = "BPF_",
        };
        char full[256];
        size_t j = 0;
        bool word_start = false;

        snprintf(full, sizeof(full), "%s%s", prefix[kind], kernel);
        for (size_t i = 0; full[i] && j + 1 < size; i++) {
                if (full[i] == '_') {
                        word_start = true;
                        continue;
                }
                if (i < 3)
                        buf[j++] = full[i];
                else if (word_start)
                        buf[j++] = (char) toupper((unsigned char) full[i]);
                else
                        buf[j++] = (char) tolower((unsigned char) full[i]);
                word_start = false;
        }
        buf[j] = '\0';
}

static void test_systemd_spelling(void **state) {
        static const struct {
                BpfKind kind;
                const char *kernel, *systemd;
        } table[] = {
                { BPF_KIND_COMMAND, "prog_load", "BPFProgLoad" },
                { BPF_KIND_COMMAND, "obj_get_info_by_fd", "BPFObjGetInfoByFd" },
                { BPF_KIND_MAP, "lru_percpu_hash", "BPFMapTypeLruPercpuHash" },
                { BPF_KIND_MAP, "ringbuf", "BPFMapTypeRingbuf" },
                { BPF_KIND_PROGRAM, "lwt_seg6local", "BPFProgTypeLwtSeg6local" },
                { BPF_KIND_PROGRAM, "raw_tracepoint_writable", "BPFProgTypeRawTracepointWritable" },
                { BPF_KIND_ATTACHMENT, "cgroup_inet4_bind", "BPFCgroupInet4Bind" },
                { BPF_KIND_ATTACHMENT, "xdp", "BPFXdp" },
                { BPF_KIND_ATTACHMENT, "sk_reuseport_select_or_migrate", "BPFSkReuseportSelectOrMigrate" },
        };
        BpfNames *n = state_names(state);

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                unsigned bit;

                assert_int_equal(bpf_names_lookup(n, table[i].kind, table[i].kernel, &bit), 0);
                assert_string_equal(bpf_names_systemd(n, table[i].kind, bit), table[i].systemd);
                assert_string_equal(bpf_names_kernel(n, table[i].kind, bit), table[i].kernel);
        }

        /* every name, by the independent rule; kernel spellings are lower case, prefix stripped */
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                for (unsigned b = 0; b < 64; b++) {
                        const char *kn = bpf_names_kernel(n, k, b);
                        char expected[256];
                        unsigned bit;

                        if (!kn) {
                                assert_null(bpf_names_systemd(n, k, b));
                                continue;
                        }
                        for (const char *c = kn; *c; c++)
                                assert_false(isupper((unsigned char) *c));
                        assert_null(startswith(kn, "bpf_"));
                        assert_null(startswith(kn, "__"));

                        expected_systemd(k, kn, expected, sizeof(expected));
                        assert_string_equal(bpf_names_systemd(n, k, b), expected);

                        assert_int_equal(bpf_names_lookup(n, k, kn, &bit), 0);
                        assert_int_equal(bit, b);
                        assert_int_equal(bpf_names_lookup(n, k, expected, &bit), 0);
                        assert_int_equal(bit, b);
                }
}

static void test_counts(void **state) {
        /* lower bounds: the kernel values the project relies on (token_create = 36, ...) */
        static const unsigned at_least[_BPF_KIND_MAX] = { 37, 28, 31, 46 };
        BpfNames *n = state_names(state);

        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                unsigned count = bpf_names_count(n, k);

                assert_true(count >= at_least[k]);
                assert_true(count <= 64);
                for (unsigned b = 0; b < 64; b++) {
                        bool named = bpf_names_kernel(n, k, b);

                        if (b >= count) {
                                assert_false(named);
                                assert_false(bpf_names_known_to_kernel(n, k, b));
                        } else
                                assert_int_equal(bpf_names_known_to_kernel(n, k, b), named);
                }
                assert_null(bpf_names_kernel(n, k, 64));
                assert_null(bpf_names_kernel(n, k, UINT32_MAX));
                assert_false(bpf_names_known_to_kernel(n, k, 64));
        }

        assert_int_equal(bpf_names_count(n, _BPF_KIND_MAX), 0);
        assert_int_equal(bpf_names_count(NULL, BPF_KIND_COMMAND), 0);
        assert_null(bpf_names_kernel(NULL, BPF_KIND_COMMAND, 5));
        assert_null(bpf_names_systemd(n, _BPF_KIND_MAX, 5));
}

static void test_suggest(void **state) {
        static const struct {
                BpfKind kind;
                const char *input;
                const char *first; /* NULL: no suggestion */
        } table[] = {
                { BPF_KIND_MAP, "ringbufx", "ringbuf" },
                { BPF_KIND_MAP, "RINGBUFX", "ringbuf" },
                { BPF_KIND_MAP, "BPFMapTypeRingbufx", "ringbuf" },
                { BPF_KIND_MAP, "BPFMapTypeRingbuff", "ringbuf" },
                { BPF_KIND_MAP, "arary", "array" },           /* transposition */
                { BPF_KIND_MAP, "BPF_MAP_TYPE_ARRAY", "array" },
                { BPF_KIND_COMMAND, "prog_laod", "prog_load" },
                { BPF_KIND_COMMAND, "BPFProgLaod", "prog_load" },
                { BPF_KIND_COMMAND, "BPF_PROG_LOAD", "prog_load" },
                { BPF_KIND_COMMAND, "map_creat", "map_create" },
                { BPF_KIND_COMMAND, "prog_runn", "prog_test_run" }, /* via the alias, canonical name */
                { BPF_KIND_PROGRAM, "xdq", "xdp" },
                { BPF_KIND_PROGRAM, "socket_filer", "socket_filter" },
                { BPF_KIND_ATTACHMENT, "cgroup_inet_ingres", "cgroup_inet_ingress" },
                { BPF_KIND_COMMAND, "zzzzzzzzzzzzzz", NULL },
                { BPF_KIND_PROGRAM, "foo", NULL },
                { BPF_KIND_PROGRAM, "", NULL },
        };
        BpfNames *n = state_names(state);
        const char *out[4];
        char long_name[300];

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                size_t found = bpf_names_suggest(n, table[i].kind, table[i].input, out, ELEMENTSOF(out));

                if (!table[i].first) {
                        if (found != 0)
                                fail_msg("'%s': unexpected suggestion '%s'", table[i].input, out[0]);
                        continue;
                }
                if (found == 0)
                        fail_msg("'%s': no suggestion, expected '%s'", table[i].input, table[i].first);
                assert_string_equal(out[0], table[i].first);
                /* all suggestions are kernel spellings of known names */
                for (size_t j = 0; j < found; j++)
                        assert_int_equal(bpf_names_lookup(n, table[i].kind, out[j], NULL), 0);
        }

        /* max is respected; several candidates */
        assert_int_equal(bpf_names_suggest(n, BPF_KIND_MAP, "ringbufx", out, 1), 1);
        assert_int_equal(bpf_names_suggest(n, BPF_KIND_MAP, "ringbufx", out, 0), 0);
        assert_true(bpf_names_suggest(n, BPF_KIND_ATTACHMENT, "cgroup_inet5_bind", out, 4) >= 2);

        memset(long_name, 'a', sizeof(long_name) - 1);
        long_name[sizeof(long_name) - 1] = '\0';
        assert_int_equal(bpf_names_suggest(n, BPF_KIND_MAP, long_name, out, 4), 0);
        assert_int_equal(bpf_names_suggest(n, BPF_KIND_MAP, NULL, out, 4), 0);
        assert_int_equal(bpf_names_suggest(NULL, BPF_KIND_MAP, "array", out, 4), 0);
}

/* --- the built-in table ---------------------------------------------------------------------- */

static void test_builtin_table(void **state) {
        static const unsigned counts[_BPF_KIND_MAX] = { 39, 36, 33, 62 };
        static const struct {
                BpfKind kind;
                const char *name;
                unsigned bit;
        } last[] = {
                { BPF_KIND_COMMAND, "prog_assoc_struct_ops", 38 },
                { BPF_KIND_COMMAND, "token_create", 36 },
                { BPF_KIND_MAP, "rhash", 35 },
                { BPF_KIND_MAP, "arena", 33 },
                { BPF_KIND_PROGRAM, "syscall", 31 },
                { BPF_KIND_PROGRAM, "netfilter", 32 },
                { BPF_KIND_ATTACHMENT, "trace_fsession_multi", 61 },
                { BPF_KIND_ATTACHMENT, "trace_uprobe_session", 57 },
        };
        BpfNames *n = names_builtin;
        unsigned bit;

        assert_int_equal(bpf_names_source(n), BPF_NAMES_SOURCE_BUILTIN);
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                const BpfBuiltinTable *t = bpf_builtin_table(k);

                assert_int_equal(bpf_names_count(n, k), counts[k]);
                assert_int_equal(t->n_names, counts[k]);
                for (unsigned b = 0; b < counts[k]; b++)
                        assert_non_null(t->names[b]);
        }
        assert_null(bpf_builtin_table(_BPF_KIND_MAX));

        for (size_t i = 0; i < ELEMENTSOF(last); i++) {
                assert_int_equal(bpf_names_lookup(n, last[i].kind, last[i].name, &bit), 0);
                assert_int_equal(bit, last[i].bit);
        }

        /* systemd's table: positional, lacks syscall, so netfilter is at 31 there */
        assert_false(bpf_names_in_systemd_table(BPF_KIND_PROGRAM, "syscall"));
        assert_true(bpf_names_in_systemd_table(BPF_KIND_PROGRAM, "netfilter"));
        assert_int_equal(bpf_names_systemd_table_bit(BPF_KIND_PROGRAM, "netfilter", &bit), 0);
        assert_int_equal(bit, 31);
        assert_int_equal(bpf_names_systemd_table_bit(BPF_KIND_PROGRAM, "sk_lookup", &bit), 0);
        assert_int_equal(bit, 30);
        assert_int_equal(bpf_names_systemd_table_bit(BPF_KIND_PROGRAM, "syscall", &bit), -ENOENT);
        assert_int_equal(bpf_names_systemd_table_bit(BPF_KIND_COMMAND, "prog_load", &bit), 0);
        assert_int_equal(bit, 5);
        assert_int_equal(bpf_names_systemd_table_bit(BPF_KIND_ATTACHMENT, "trace_fsession_multi", &bit), 0);
        assert_int_equal(bit, 61);
        /* aliases are not in systemd's table, the deprecated spellings are */
        assert_false(bpf_names_in_systemd_table(BPF_KIND_COMMAND, "prog_run"));
        assert_true(bpf_names_in_systemd_table(BPF_KIND_COMMAND, "prog_test_run"));
        assert_false(bpf_names_in_systemd_table(BPF_KIND_MAP, "cgroup_storage"));
        assert_true(bpf_names_in_systemd_table(BPF_KIND_MAP, "cgroup_storage_deprecated"));
        assert_false(bpf_names_in_systemd_table(BPF_KIND_MAP, "ringbufx"));
        assert_false(bpf_names_in_systemd_table(BPF_KIND_MAP, NULL));
        assert_false(bpf_names_in_systemd_table(_BPF_KIND_MAX, "array"));
        /* systemd's list, v262, by count: 39, 36, 32 (no syscall), 62 */
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                unsigned in = 0;

                for (unsigned b = 0; b < counts[k]; b++)
                        in += bpf_names_in_systemd_table(k, bpf_names_kernel(n, k, b));
                assert_int_equal(in, k == BPF_KIND_PROGRAM ? 32 : counts[k]);
        }

        assert_true(bpf_names_known_to_kernel(n, BPF_KIND_ATTACHMENT, 61));
        assert_false(bpf_names_known_to_kernel(n, BPF_KIND_ATTACHMENT, 62));
}

/* The running kernel's BTF agrees with the built-in table wherever both have a name. */
static void test_btf_matches_builtin(void **state) {
        if (bpf_names_source(names_btf) != BPF_NAMES_SOURCE_BTF) {
                print_message("# no kernel BTF here, nothing to compare\n");
                return;
        }

        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                for (unsigned b = 0; b < 64; b++) {
                        const char *kb = bpf_names_kernel(names_btf, k, b),
                                *tb = bpf_names_kernel(names_builtin, k, b);

                        if (kb && tb && !streq(kb, tb))
                                fail_msg("%s bit %u: kernel '%s', built-in '%s'", bpf_kind_to_string(k), b, kb, tb);
                        /* the built-in table knows everything up to its own end */
                        if (kb && b < bpf_names_count(names_builtin, k))
                                assert_non_null(tb);
                        if (kb && tb)
                                assert_string_equal(bpf_names_systemd(names_btf, k, b),
                                                    bpf_names_systemd(names_builtin, k, b));
                }
}

/* --- loading ---------------------------------------------------------------------------------- */

static void load_expect_builtin(const char *path) {
        _cleanup_(bpf_names_freep) BpfNames *n = NULL;

        assert_int_equal(bpf_names_load(path, &n), 0);
        assert_non_null(n);
        assert_int_equal(bpf_names_source(n), BPF_NAMES_SOURCE_BUILTIN);
        assert_int_equal(bpf_names_count(n, BPF_KIND_COMMAND), 39);
        assert_string_equal(bpf_names_kernel(n, BPF_KIND_COMMAND, 5), "prog_load");
}

static void test_load_fallback(void **state) {
        static const char garbage[] = "this is not BTF\n\x9f\xeb\x01\x00 garbage \x7f" "ELF";
        static const uint8_t btf_magic_only[] = { 0x9f, 0xeb, 0x01, 0x00, 0x18, 0x00, 0x00, 0x00 };
        _cleanup_(freep) char *p1 = NULL, *p2 = NULL, *p3 = NULL;

        load_expect_builtin("/nonexistent/btf/vmlinux");
        load_expect_builtin("");

        p1 = write_temp(garbage, sizeof(garbage));
        load_expect_builtin(p1);
        unlink(p1);

        p2 = write_temp("", 0);
        load_expect_builtin(p2);
        unlink(p2);

        p3 = write_temp(btf_magic_only, sizeof(btf_magic_only));
        load_expect_builtin(p3);
        unlink(p3);

        /* a directory */
        load_expect_builtin("/tmp");

        assert_int_equal(bpf_names_load(NULL, NULL), -EINVAL);
        assert_int_equal(bpf_names_new_builtin(NULL), -EINVAL);
        assert_null(bpf_names_free(NULL));
}

typedef struct SynthEnum {
        const char *name;
        bool is64;
        const char *members[8];
        uint64_t values[8];
} SynthEnum;

static char *write_synthetic_btf(const SynthEnum *enums, size_t n_enums) {
        struct btf *btf = btf__new_empty();
        const void *raw;
        uint32_t size;
        char *path;

        assert_non_null(btf);
        assert_true(btf__add_int(btf, "int", 4, BTF_INT_SIGNED) > 0);
        for (size_t i = 0; i < n_enums; i++) {
                if (enums[i].is64)
                        assert_true(btf__add_enum64(btf, enums[i].name, 8, false) > 0);
                else
                        assert_true(btf__add_enum(btf, enums[i].name, 4) > 0);
                for (size_t j = 0; j < ELEMENTSOF(enums[i].members) && enums[i].members[j]; j++) {
                        if (enums[i].is64)
                                assert_int_equal(btf__add_enum64_value(btf, enums[i].members[j], enums[i].values[j]), 0);
                        else
                                assert_int_equal(btf__add_enum_value(btf, enums[i].members[j], (int64_t) enums[i].values[j]), 0);
                }
        }
        raw = btf__raw_data(btf, &size);
        assert_non_null(raw);
        path = write_temp(raw, size);
        btf__free(btf);
        return path;
}

static void test_load_synthetic_btf(void **state) {
        static const SynthEnum full[] = {
                { "bpf_cmd", false,
                  { "BPF_MAP_CREATE", "BPF_PROG_LOAD", "BPF_PROG_TEST_RUN", "BPF_PROG_RUN", "BPF_NEW_THING", "__MAX_BPF_CMD" },
                  { 0, 5, 10, 10, 12, 13 } },
                /* ENUM64, and values the tool must ignore: >= 64, no prefix */
                { "bpf_map_type", true,
                  { "BPF_MAP_TYPE_UNSPEC", "BPF_MAP_TYPE_ARRAY", "BPF_MAP_TYPE_HUGE", "NOT_A_MAP", "BPF_MAP_TYPE_RINGBUF", "__MAX_BPF_MAP_TYPE" },
                  { 0, 2, 70, 3, 27, 28 } },
                /* no __MAX_: count from the highest value */
                { "bpf_prog_type", false,
                  { "BPF_PROG_TYPE_SOCKET_FILTER", "BPF_PROG_TYPE_XDP" },
                  { 1, 6 } },
                /* __MAX_ beyond 64 is cut to 64 */
                { "bpf_attach_type", true,
                  { "BPF_CGROUP_INET_INGRESS", "BPF_XDP", "BPF_LAST", "__MAX_BPF_ATTACH_TYPE" },
                  { 0, 37, 63, 100 } },
        };
        _cleanup_(bpf_names_freep) BpfNames *n = NULL;
        _cleanup_(freep) char *path = NULL, *path3 = NULL;
        unsigned bit;

        path = write_synthetic_btf(full, ELEMENTSOF(full));
        assert_int_equal(bpf_names_load(path, &n), 0);
        unlink(path);

        assert_int_equal(bpf_names_source(n), BPF_NAMES_SOURCE_BTF);
        assert_int_equal(bpf_names_count(n, BPF_KIND_COMMAND), 13);
        assert_int_equal(bpf_names_count(n, BPF_KIND_MAP), 28);
        assert_int_equal(bpf_names_count(n, BPF_KIND_PROGRAM), 7);
        assert_int_equal(bpf_names_count(n, BPF_KIND_ATTACHMENT), 64);

        assert_string_equal(bpf_names_kernel(n, BPF_KIND_COMMAND, 12), "new_thing");
        assert_string_equal(bpf_names_systemd(n, BPF_KIND_COMMAND, 12), "BPFNewThing");
        assert_string_equal(bpf_names_kernel(n, BPF_KIND_COMMAND, 10), "prog_test_run");
        assert_int_equal(bpf_names_lookup(n, BPF_KIND_COMMAND, "BPFProgRun", &bit), 0);
        assert_int_equal(bit, 10);
        assert_null(bpf_names_kernel(n, BPF_KIND_COMMAND, 1));
        assert_false(bpf_names_known_to_kernel(n, BPF_KIND_COMMAND, 1));
        assert_true(bpf_names_known_to_kernel(n, BPF_KIND_COMMAND, 12));
        /* a name this kernel lacks */
        assert_int_equal(bpf_names_lookup(n, BPF_KIND_COMMAND, "btf_load", NULL), -ENOENT);

        assert_string_equal(bpf_names_kernel(n, BPF_KIND_MAP, 27), "ringbuf");
        assert_null(bpf_names_kernel(n, BPF_KIND_MAP, 3));
        assert_int_equal(bpf_names_lookup(n, BPF_KIND_MAP, "huge", NULL), -ENOENT);
        assert_int_equal(bpf_names_lookup(n, BPF_KIND_MAP, "not_a_map", NULL), -ENOENT);
        assert_int_equal(bpf_names_lookup(n, BPF_KIND_MAP, "__max_bpf_map_type", NULL), -ENOENT);

        assert_string_equal(bpf_names_systemd(n, BPF_KIND_PROGRAM, 6), "BPFProgTypeXdp");
        assert_string_equal(bpf_names_kernel(n, BPF_KIND_ATTACHMENT, 63), "last");
        assert_string_equal(bpf_names_systemd(n, BPF_KIND_ATTACHMENT, 37), "BPFXdp");

        /* one enum missing: the whole file is unusable */
        path3 = write_synthetic_btf(full, 3);
        load_expect_builtin(path3);
        unlink(path3);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                ONCE(test_kind_strings),
                BOTH(test_stable_values),
                BOTH(test_spellings),
                BOTH(test_systemd_spelling),
                BOTH(test_counts),
                BOTH(test_suggest),
                ONCE(test_builtin_table),
                ONCE(test_btf_matches_builtin),
                ONCE(test_load_fallback),
                ONCE(test_load_synthetic_btf),
        };

        return cmocka_run_group_tests(tests, names_setup, names_teardown);
}
