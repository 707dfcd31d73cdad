/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf-names.h"
#include "delegation.h"
#include "macro.h"
#include "test-util.h"
#include "mountinfo.h"

static int parse(const char *line, MountInfo *ret) {
        return mountinfo_parse_line(line, strlen(line), ret);
}

/* Every line of a recorded file parses; returns how many were bpffs. */
static unsigned parse_file(const char *name, MountInfo *ret_last_bpffs) {
        _cleanup_(freep) char *text = read_data(name, NULL);
        unsigned n_bpffs = 0, n = 0;
        char *p = text;

        while (*p) {
                char *eol = strchrnul(p, '\n');
                MountInfo m;

                assert_int_equal(mountinfo_parse_line(p, (size_t) (eol - p), &m), 0);
                n++;
                if (mountinfo_is_bpffs(&m)) {
                        n_bpffs++;
                        if (ret_last_bpffs) {
                                mountinfo_done(ret_last_bpffs);
                                *ret_last_bpffs = m;
                                m = (MountInfo) {};
                        }
                }
                mountinfo_done(&m);
                p = *eol ? eol + 1 : eol;
        }
        assert_true(n > 0);
        return n_bpffs;
}

static void test_recorded_delegated(void **state) {
        MountInfo m = {};
        MountDelegation d;

        assert_int_equal(parse_file("mountinfo-delegated.txt", &m), 1);
        assert_int_equal(m.mount_id, 83);
        assert_int_equal(m.parent_id, 66);
        assert_int_equal(m.major, 0);
        assert_int_equal(m.minor, 38);
        assert_string_equal(m.root, "/");
        assert_string_equal(m.mount_point, "/sys/fs/bpf");
        assert_string_equal(m.mount_options, "rw,relatime");
        assert_string_equal(m.optional, "");
        assert_string_equal(m.fstype, "bpf");
        assert_string_equal(m.source, "none");

        assert_int_equal(mountinfo_parse_delegation(names_builtin, m.super_options, &d), 1);
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                assert_true(d.present[k]);
                assert_false(d.any[k]);
        }
        assert_int_equal(d.masks[BPF_KIND_COMMAND], 0x40021);
        assert_int_equal(d.masks[BPF_KIND_MAP], 0x6);
        assert_int_equal(d.masks[BPF_KIND_PROGRAM], 0x42);
        assert_int_equal(d.masks[BPF_KIND_ATTACHMENT], UINT64_C(0x2000000001));
        assert_int_equal(d.n_unknown, 0);
        mountinfo_done(&m);
}

static void test_recorded_host(void **state) {
        MountInfo m = {};
        MountDelegation d;
        _cleanup_(freep) char *text = read_data("mountinfo-host.txt", NULL);
        char *line;

        assert_int_equal(parse_file("mountinfo-host.txt", &m), 1);
        assert_string_equal(m.mount_point, "/sys/fs/bpf");
        assert_string_equal(m.optional, "shared:11");
        assert_string_equal(m.source, "bpf");
        assert_string_equal(m.super_options, "rw,mode=700");
        /* systemd's host bpffs: no delegation */
        assert_int_equal(mountinfo_parse_delegation(names_builtin, m.super_options, &d), 0);
        mountinfo_done(&m);

        /* octal escapes in mount point and source */
        line = strstr(text, "61 28 0:44");
        assert_non_null(line);
        assert_int_equal(mountinfo_parse_line(line, (size_t) (strchr(line, '\n') - line), &m), 0);
        assert_string_equal(m.mount_point, "/media/My Disk");
        assert_string_equal(m.fstype, "fuse.sshfs");
        assert_string_equal(m.source, "me@host:/srv/with\\backslash");
        mountinfo_done(&m);

        line = strstr(text, "62 28 0:45");
        assert_non_null(line);
        assert_int_equal(mountinfo_parse_line(line, (size_t) (strchr(line, '\n') - line), &m), 0);
        assert_string_equal(m.mount_point, "/tmp/tab\tand\nnewline");
        mountinfo_done(&m);
}

static void test_any_and_unknown(void **state) {
        MountInfo m;
        MountDelegation d;

        assert_int_equal(parse("83 66 0:38 / /sys/fs/bpf rw,relatime - bpf none "
                               "rw,delegate_cmds=any,delegate_maps=any,delegate_progs=any,delegate_attachs=any", &m), 0);
        assert_int_equal(mountinfo_parse_delegation(names_builtin, m.super_options, &d), 1);
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                assert_true(d.any[k]);
                assert_true(d.masks[k] == DELEGATION_ANY);
        }
        mountinfo_done(&m);

        /* unknown names (a newer kernel), leftover bits, unknown options, empty elements */
        assert_int_equal(parse("90 66 0:40 / /sys/fs/bpf rw - bpf none "
                               "rw,uid=0,frobnicate,delegate_cmds=map_create:frobnicate::0x1000000000000,"
                               "delegate_maps=,delegate_foo=bar,delegate_progs=socket_filter:wibble", &m), 0);
        assert_int_equal(mountinfo_parse_delegation(names_builtin, m.super_options, &d), 1);
        assert_true(d.masks[BPF_KIND_COMMAND] == (UINT64_C(1) | UINT64_C(0x1000000000000)));
        assert_true(d.present[BPF_KIND_MAP]);
        assert_int_equal(d.masks[BPF_KIND_MAP], 0);
        assert_int_equal(d.masks[BPF_KIND_PROGRAM], 0x2);
        assert_false(d.present[BPF_KIND_ATTACHMENT]);
        assert_int_equal(d.n_unknown, 2);
        assert_string_equal(d.first_unknown, "frobnicate");
        mountinfo_done(&m);

        /* a malformed number is an error, not silently 0 */
        assert_int_equal(parse("90 66 0:40 / /x rw - bpf none rw,delegate_cmds=0xzz", &m), 0);
        assert_int_equal(mountinfo_parse_delegation(names_builtin, m.super_options, &d), -EBADMSG);
        mountinfo_done(&m);
        assert_int_equal(parse("90 66 0:40 / /x rw - bpf none rw,delegate_cmds=0x10000000000000000", &m), 0);
        assert_int_equal(mountinfo_parse_delegation(names_builtin, m.super_options, &d), -EBADMSG);
        mountinfo_done(&m);
}

static void test_delegate_value(void **state) {
        static const struct {
                BpfKind kind;
                const char *value;
                int ret;
                uint64_t mask;
                bool any;
                unsigned unknown;
        } cases[] = {
                { BPF_KIND_COMMAND,    "",                           0, 0,                 false, 0 },
                { BPF_KIND_COMMAND,    ":::",                        0, 0,                 false, 0 },
                { BPF_KIND_COMMAND,    "any",                        0, UINT64_MAX,        true,  0 },
                { BPF_KIND_COMMAND,    "ANY",                        0, UINT64_MAX,        true,  0 },
                { BPF_KIND_COMMAND,    "map_create:0x20",            0, 0x21,              false, 0 },
                { BPF_KIND_COMMAND,    "0x20:map_create",            0, 0x21,              false, 0 },
                { BPF_KIND_COMMAND,    "PROG_LOAD",                  0, 0x20,              false, 0 },
                { BPF_KIND_COMMAND,    "BPFProgLoad",                0, 0x20,              false, 0 },
                { BPF_KIND_COMMAND,    "32",                         0, 32,                false, 0 },
                { BPF_KIND_COMMAND,    "0x",                         -EBADMSG, 0,          false, 0 },
                { BPF_KIND_COMMAND,    "1x",                         -EBADMSG, 0,          false, 0 },
                { BPF_KIND_COMMAND,    "0xffffffffffffffff",         0, UINT64_MAX,        false, 0 },
                { BPF_KIND_COMMAND,    "18446744073709551616",       -EBADMSG, 0,          false, 0 },
                { BPF_KIND_MAP,        "array:ringbuf",              0, (1u << 2) | (UINT64_C(1) << 27), false, 0 },
                { BPF_KIND_MAP,        "prog_load",                  0, 0,                 false, 1 },
                { BPF_KIND_ATTACHMENT, "cgroup_inet_ingress:xdp",    0, UINT64_C(0x2000000001), false, 0 },
                { BPF_KIND_PROGRAM,    "a-name-that-is-far-too-long-to-be-any-bpf-name-at-all-really-truly-yes", 0, 0, false, 1 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                MountDelegation d = {};
                uint64_t mask = 0xdead;
                bool any = true;
                int r;

                r = mountinfo_parse_delegate_value(names_builtin, cases[i].kind, cases[i].value, strlen(cases[i].value),
                                                   &mask, &any, &d);
                if (r != cases[i].ret)
                        fail_msg("case %zu '%s': ret %d, expected %d", i, cases[i].value, r, cases[i].ret);
                if (r < 0)
                        continue;
                if (mask != cases[i].mask || any != cases[i].any || d.n_unknown != cases[i].unknown)
                        fail_msg("case %zu '%s': mask 0x%llx any %d unknown %u", i, cases[i].value,
                                 (unsigned long long) mask, any, d.n_unknown);
        }

        /* Without names only numbers and "any" count. */
        {
                MountDelegation d = {};
                uint64_t mask;

                assert_int_equal(mountinfo_parse_delegate_value(NULL, BPF_KIND_COMMAND, "map_create:0x4", 14,
                                                                &mask, NULL, &d), 0);
                assert_int_equal(mask, 0x4);
                assert_int_equal(d.n_unknown, 1);
        }
        /* Not NUL-terminated: only len bytes are read. */
        {
                uint64_t mask;

                assert_int_equal(mountinfo_parse_delegate_value(names_builtin, BPF_KIND_COMMAND, "map_createXXXX", 10,
                                                                &mask, NULL, NULL), 0);
                assert_int_equal(mask, 1);
        }
}

static void test_option(void **state) {
        size_t l;
        const char *v;

        v = mountinfo_option("rw,delegate_cmdsx=1,delegate_cmds=any,mode=700", "delegate_cmds", &l);
        assert_non_null(v);
        assert_int_equal(l, 3);
        assert_memory_equal(v, "any", 3);

        v = mountinfo_option("rw,nsdelegate", "nsdelegate", &l);
        assert_non_null(v);
        assert_int_equal(l, 0);

        assert_null(mountinfo_option("rw,mode=700", "delegate_cmds", &l));
        assert_null(mountinfo_option("", "rw", &l));
        assert_null(mountinfo_option(NULL, "rw", &l));
        v = mountinfo_option("rw", "rw", NULL);
        assert_non_null(v);
}

static void test_malformed(void **state) {
        static const char *const bad[] = {
                "",
                "\n",
                "83",
                "83 66",
                "83 66 0:38",
                "83 66 0:38 /",
                "83 66 0:38 / /sys/fs/bpf",
                "83 66 0:38 / /sys/fs/bpf rw",
                "83 66 0:38 / /sys/fs/bpf rw -",
                "83 66 0:38 / /sys/fs/bpf rw - bpf",
                "83 66 0:38 / /sys/fs/bpf rw - bpf none",
                "83 66 0:38 / /sys/fs/bpf rw - bpf none ",
                "83 66 0:38 / /sys/fs/bpf rw shared:1 master:2",
                "83 66 0:38 / /sys/fs/bpf rw - bpf none rw extra",
                "83  66 0:38 / /sys/fs/bpf rw - bpf none rw",
                " 83 66 0:38 / /sys/fs/bpf rw - bpf none rw",
                "x3 66 0:38 / /sys/fs/bpf rw - bpf none rw",
                "-1 66 0:38 / /sys/fs/bpf rw - bpf none rw",
                "83 66 038 / /sys/fs/bpf rw - bpf none rw",
                "83 66 0: / /sys/fs/bpf rw - bpf none rw",
                "83 66 :38 / /sys/fs/bpf rw - bpf none rw",
                "83 66 0:38:1 / /sys/fs/bpf rw - bpf none rw",
                "99999999999 66 0:38 / /sys/fs/bpf rw - bpf none rw",
                "83 66 0:38 / /sys/fs/bpf rw - bpf none rw\nsecond line",
        };
        MountInfo m;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                int r = mountinfo_parse_line(bad[i], strlen(bad[i]), &m);
                if (r != -EBADMSG)
                        fail_msg("'%s' parsed: %d", bad[i], r);
        }

        /* an embedded NUL */
        assert_int_equal(mountinfo_parse_line("83 66 0:38 / /sys\0/fs rw - bpf none rw", 38, &m), -EBADMSG);

        /* the trailing newline is fine */
        assert_int_equal(parse("83 66 0:38 / /sys/fs/bpf rw - bpf none rw\n", &m), 0);
        assert_string_equal(m.super_options, "rw");
        mountinfo_done(&m);
        /* optional fields are kept together */
        assert_int_equal(parse("83 66 0:38 / /x rw shared:1 master:2 propagate_from:3 - bpf none rw", &m), 0);
        assert_string_equal(m.optional, "shared:1 master:2 propagate_from:3");
        mountinfo_done(&m);
        /* a mount point that is a lone "-" is not the separator (it comes before the options) */
        assert_int_equal(parse("83 66 0:38 / - rw - bpf none rw", &m), 0);
        assert_string_equal(m.mount_point, "-");
        mountinfo_done(&m);
}

/* Every prefix of a valid line either fails cleanly or parses into something consistent. */
static void test_truncated(void **state) {
        const char *line = "83 66 0:38 / /sys/fs/bpf rw,relatime shared:5 - bpf none "
                           "rw,delegate_cmds=map_create:prog_load:btf_load,delegate_maps=array";
        size_t full = strlen(line), sep = (size_t) (strstr(line, " - bpf none ") - line) + strlen(" - bpf none ");

        for (size_t l = 0; l <= full; l++) {
                MountInfo m;
                MountDelegation d;
                int r;

                r = mountinfo_parse_line(line, l, &m);
                if (l < sep + 1) {
                        if (r != -EBADMSG)
                                fail_msg("prefix of %zu bytes: %d", l, r);
                        continue;
                }
                assert_int_equal(r, 0);
                /* "delegate_cmds=map_cr" decodes with an unknown name, "0x" would fail cleanly */
                r = mountinfo_parse_delegation(names_builtin, m.super_options, &d);
                assert_true(r >= 0);
                mountinfo_done(&m);
        }
}

/* gcc 12 with -fsanitize=address wrongly sizes the malloc'ed buffer below as 0 bytes. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
static void test_long_lines(void **state) {
        static const char head[] = "83 66 0:38 / /", tail[] = " rw - bpf none rw,delegate_cmds=map_create";
        size_t n = 200000;
        char *line = malloc(sizeof head + n + sizeof tail);
        MountInfo m;

        assert_non_null(line);
        memcpy(line, head, sizeof head - 1);
        memset(line + sizeof head - 1, 'a', n);
        memcpy(line + sizeof head - 1 + n, tail, sizeof tail);
        assert_int_equal(mountinfo_parse_line(line, strlen(line), &m), 0);
        assert_int_equal(strlen(m.mount_point), n + 1);
        mountinfo_done(&m);
        free(line);

        /* over the limit: refused without being read */
        line = malloc(MOUNTINFO_LINE_MAX + 2);
        assert_non_null(line);
        memset(line, '7', MOUNTINFO_LINE_MAX + 1);
        line[MOUNTINFO_LINE_MAX + 1] = '\0';
        assert_int_equal(mountinfo_parse_line(line, MOUNTINFO_LINE_MAX + 1, &m), -E2BIG);
        free(line);

        /* many options, a long delegate list of repeated names */
        {
                size_t cap = 100000;
                char *s = malloc(cap + 100), *q;
                MountDelegation d;

                assert_non_null(s);
                q = stpcpy(s, "rw,delegate_progs=");
                while ((size_t) (q - s) < cap)
                        q = stpcpy(q, "xdp:");
                *q = '\0';
                assert_int_equal(mountinfo_parse_delegation(names_builtin, s, &d), 1);
                assert_int_equal(d.masks[BPF_KIND_PROGRAM], UINT64_C(1) << 6);
                free(s);
        }
}
#pragma GCC diagnostic pop

static void test_unescape(void **state) {
        static const struct {
                const char *in;
                const char *out;
        } cases[] = {
                { "",                 ""              },
                { "plain",            "plain"         },
                { "a\\040b",          "a b"           },
                { "\\011\\012\\134",  "\t\n\\"        },
                { "\\000",            "\\000"         },   /* NUL is not decoded */
                { "\\08",             "\\08"          },
                { "\\12",             "\\12"          },
                { "end\\",            "end\\"         },
                { "\\\\040",          "\\ "           },
                { "\\377",            "\377"          },
                { "\\400",            "\\400"         },   /* beyond a byte: kept */
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(freep) char *s = NULL;

                assert_int_equal(mountinfo_unescape(cases[i].in, strlen(cases[i].in), &s), 0);
                if (!streq(s, cases[i].out))
                        fail_msg("'%s' -> '%s', expected '%s'", cases[i].in, s, cases[i].out);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_recorded_delegated),
                cmocka_unit_test(test_recorded_host),
                cmocka_unit_test(test_any_and_unknown),
                cmocka_unit_test(test_delegate_value),
                cmocka_unit_test(test_option),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_truncated),
                cmocka_unit_test(test_long_lines),
                cmocka_unit_test(test_unescape),
        };

        return cmocka_run_group_tests(tests, names_builtin_setup, names_teardown);
}
