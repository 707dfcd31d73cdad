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

#include "fdinfo.h"
#include "macro.h"
#include "test-util.h"

static int parse(const char *text, TokenFdinfo *ret) {
        return fdinfo_parse_token(text, strlen(text), ret);
}

static void test_recorded(void **state) {
        _cleanup_(freep) char *a = NULL, *b = NULL, *c = NULL;
        TokenFdinfo t;
        size_t n;

        a = read_data("fdinfo-token.txt", &n);
        assert_int_equal(fdinfo_parse_token(a, n, &t), 0);
        assert_true(t.has_mnt_id);
        assert_int_equal(t.mnt_id, 83);
        assert_true(t.has_flags);
        assert_int_equal(t.flags, 02000002);
        assert_int_equal(t.allowed[BPF_KIND_COMMAND], 0x40021);
        assert_int_equal(t.allowed[BPF_KIND_MAP], 0x6);
        assert_int_equal(t.allowed[BPF_KIND_PROGRAM], 0x42);
        assert_int_equal(t.allowed[BPF_KIND_ATTACHMENT], UINT64_C(0x2000000001));
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                assert_false(t.any[k]);

        b = read_data("fdinfo-token-any.txt", &n);
        assert_int_equal(fdinfo_parse_token(b, n, &t), 0);
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                assert_true(t.any[k]);
                assert_true(t.allowed[k] == UINT64_MAX);
        }

        /* an ordinary fd: not a token, but the generic fields are there */
        c = read_data("fdinfo-devnull.txt", &n);
        assert_int_equal(fdinfo_parse_token(c, n, &t), -ENOMSG);
        assert_true(t.has_mnt_id);
}

static void test_hostile(void **state) {
        static const struct {
                const char *text;
                int ret;
        } cases[] = {
                { "",                                                                         -ENOMSG },
                { "\n\n\n",                                                                   -ENOMSG },
                { "garbage without colon\n",                                                  -ENOMSG },
                { "allowed_cmds:\t0x1\n",                                                     -EBADMSG },  /* only one of four */
                { "allowed_cmds:\t0x1\nallowed_maps:\t0x0\nallowed_progs:\t0x0\nallowed_attachs:\t0x0\n", 0 },
                /* truncated last line, no newline */
                { "allowed_cmds:\t0x1\nallowed_maps:\t0x0\nallowed_progs:\t0x0\nallowed_attachs:\t0x0", 0 },
                { "allowed_cmds:\t0x1\nallowed_maps:\t0x0\nallowed_progs:\t0x0\nallowed_attachs:\t0x",  -EBADMSG },
                { "allowed_cmds:\t0x1\nallowed_maps:\t0x0\nallowed_progs:\t0x0\nallowed_attachs:\t",    -EBADMSG },
                { "allowed_cmds:\t0x1\nallowed_maps:\t0x0\nallowed_progs:\t0x0\nallowed_attach",        -EBADMSG },
                /* decimal, signs, junk, overflow */
                { "allowed_cmds:\t33\nallowed_maps:\t0x0\nallowed_progs:\t0x0\nallowed_attachs:\t0x0\n", -EBADMSG },
                { "allowed_cmds:\t-0x1\nallowed_maps:\t0x0\nallowed_progs:\t0x0\nallowed_attachs:\t0x0\n", -EBADMSG },
                { "allowed_cmds:\t0x1g\nallowed_maps:\t0x0\nallowed_progs:\t0x0\nallowed_attachs:\t0x0\n", -EBADMSG },
                { "allowed_cmds:\t0x10000000000000000\nallowed_maps:\t0x0\nallowed_progs:\t0x0\nallowed_attachs:\t0x0\n", -EBADMSG },
                { "allowed_cmds:\t0xffffffffffffffff\nallowed_maps:\t0x0\nallowed_progs:\t0x0\nallowed_attachs:\t0x0\n", 0 },
                { "allowed_cmds:\tanything\nallowed_maps:\t0x0\nallowed_progs:\t0x0\nallowed_attachs:\t0x0\n", -EBADMSG },
                /* duplicates */
                { "allowed_cmds:\t0x1\nallowed_cmds:\t0x2\nallowed_maps:\t0x0\nallowed_progs:\t0x0\nallowed_attachs:\t0x0\n", -EBADMSG },
                { "mnt_id:\t1\nmnt_id:\t2\n",                                                  -EBADMSG },
                /* unknown keys and odd spacing are fine */
                { "future_key:\tx\n  \nallowed_cmds:  0x1  \nallowed_maps:0x0\nallowed_progs:\t0x0\r\nallowed_attachs:\tany\n", 0 },
                /* prefix of a key is not the key */
                { "allowed_cmdsx:\t0x1\nallowed_maps:\t0x0\nallowed_progs:\t0x0\nallowed_attachs:\t0x0\n", -EBADMSG },
                { "mnt_id:\t99999999999\n",                                                    -EBADMSG },
                { "flags:\t0100009\n",                                                         -EBADMSG },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                TokenFdinfo t;
                int r = parse(cases[i].text, &t);

                if (r != cases[i].ret)
                        fail_msg("case %zu: %d, expected %d", i, r, cases[i].ret);
        }

        /* embedded NUL */
        {
                TokenFdinfo t;
                assert_int_equal(fdinfo_parse_token("mnt_id:\t1\0\n", 10, &t), -EBADMSG);
        }
        /* over the limit */
        {
                char *big = malloc(FDINFO_TEXT_MAX + 1);
                TokenFdinfo t;

                assert_non_null(big);
                memset(big, '\n', FDINFO_TEXT_MAX + 1);
                assert_int_equal(fdinfo_parse_token(big, FDINFO_TEXT_MAX + 1, &t), -E2BIG);
                /* just at the limit: fine, not a token */
                assert_int_equal(fdinfo_parse_token(big, FDINFO_TEXT_MAX, &t), -ENOMSG);
                free(big);
        }
}

/* Every prefix of a recorded token fdinfo fails cleanly or parses. */
static void test_truncated(void **state) {
        _cleanup_(freep) char *a = NULL;
        size_t n;

        a = read_data("fdinfo-token.txt", &n);
        for (size_t l = 0; l <= n; l++) {
                TokenFdinfo t;
                int r = fdinfo_parse_token(a, l, &t);

                assert_true(r == 0 || r == -ENOMSG || r == -EBADMSG);
                if (l == n)
                        assert_int_equal(r, 0);
        }
}

static void test_link(void **state) {
        assert_true(fdinfo_link_is_token("anon_inode:bpf-token"));
        assert_true(fdinfo_link_is_token("/bpf-token (deleted)"));
        assert_true(fdinfo_link_is_token("/sys/fs/bpf/bpf-token"));
        assert_false(fdinfo_link_is_token("/tmp/mybpf-token"));
        assert_false(fdinfo_link_is_token("bpf-token"));
        assert_false(fdinfo_link_is_token("anon_inode:bpf-map"));
        assert_false(fdinfo_link_is_token("/dev/null"));
        assert_false(fdinfo_link_is_token(""));
        assert_false(fdinfo_link_is_token(NULL));
        assert_string_equal(fdinfo_allowed_key(BPF_KIND_ATTACHMENT), "allowed_attachs");
        assert_null(fdinfo_allowed_key(_BPF_KIND_MAX));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_recorded),
                cmocka_unit_test(test_hostile),
                cmocka_unit_test(test_truncated),
                cmocka_unit_test(test_link),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
