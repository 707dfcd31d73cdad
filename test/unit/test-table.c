/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "table.h"

/* Render into a string. */
static char *render(Table *t, TableJsonMode mode) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        assert_non_null(f);
        assert_int_equal(table_print_mode(t, mode, f), 0);
        fclose(f);
        return buf;
}

static Table *new_table(const char *const *headers) {
        Table *t = NULL;

        assert_int_equal(table_new(headers, &t), 0);
        return t;
}

static void test_text(void **state) {
        _cleanup_(table_freep) Table *t = new_table((const char *const[]) { "PID", "UNIT", "CMDS", NULL });
        _cleanup_(freep) char *s = NULL, *s2 = NULL;

        assert_int_equal(table_add_uint64(t, 1234), 0);
        assert_int_equal(table_add_string(t, "foo.service"), 0);
        assert_int_equal(table_add_string(t, "map_create,prog_load"), 0);
        assert_int_equal(table_add_uint64(t, 7), 0);
        assert_int_equal(table_add_string(t, NULL), 0);
        assert_int_equal(table_add_string(t, ""), 0);
        assert_int_equal(table_get_rows(t), 2);
        assert_int_equal(table_get_columns(t), 3);

        s = render(t, TABLE_JSON_OFF);
        assert_string_equal(s,
                            " PID UNIT        CMDS\n"
                            "1234 foo.service map_create,prog_load\n"
                            "   7 -           -\n"
                            "\n"
                            "2 entries listed.\n");

        table_set_legend(t, false);
        s2 = render(t, TABLE_JSON_OFF);
        assert_string_equal(s2,
                            " PID UNIT        CMDS\n"
                            "1234 foo.service map_create,prog_load\n"
                            "   7 -           -\n");
}

static void test_empty_and_single(void **state) {
        _cleanup_(table_freep) Table *t = new_table((const char *const[]) { "NAME", NULL });
        _cleanup_(freep) char *a = NULL, *b = NULL, *c = NULL, *d = NULL;

        a = render(t, TABLE_JSON_OFF);
        assert_string_equal(a, "0 entries listed.\n");
        b = render(t, TABLE_JSON_SHORT);
        assert_string_equal(b, "[]\n");

        table_set_legend(t, false);
        c = render(t, TABLE_JSON_OFF);
        assert_string_equal(c, "");

        table_set_legend(t, true);
        assert_int_equal(table_add_string(t, "x"), 0);
        d = render(t, TABLE_JSON_OFF);
        assert_string_equal(d, "NAME\nx\n\n1 entry listed.\n");
}

static void test_json(void **state) {
        _cleanup_(table_freep) Table *t =
                new_table((const char *const[]) { "PID", "MOUNT POINT", "ANY-CMDS", "MASK", "NAMES", "EMPTY", "I", NULL });
        _cleanup_(freep) char *s = NULL, *p = NULL;
        char *const names[] = { (char *) "a", (char *) "b/c", NULL };

        assert_int_equal(table_add_uint64(t, UINT64_MAX), 0);
        assert_int_equal(table_add_string(t, "/sys/fs/bpf"), 0);
        assert_int_equal(table_add_boolean(t, true), 0);
        assert_int_equal(table_add_hex(t, 0x21), 0);
        assert_int_equal(table_add_strv(t, names, ":"), 0);
        assert_int_equal(table_add_empty(t), 0);
        assert_int_equal(table_add_int64(t, -5), 0);

        s = render(t, TABLE_JSON_SHORT);
        assert_string_equal(s,
                            "[{\"pid\":18446744073709551615,\"mount_point\":\"/sys/fs/bpf\",\"any_cmds\":true,"
                            "\"mask\":\"0x21\",\"names\":[\"a\",\"b/c\"],\"empty\":null,\"i\":-5}]\n");

        assert_int_equal(table_set_json_key(t, 0, "process"), 0);
        p = render(t, TABLE_JSON_PRETTY);
        assert_non_null(strstr(p, "\"process\": 18446744073709551615"));
        assert_non_null(strchr(p, '\n'));

        /* text of the same */
        {
                _cleanup_(freep) char *x = render(t, TABLE_JSON_OFF);
                assert_non_null(strstr(x, "a:b/c"));
                assert_non_null(strstr(x, "0x21"));
                assert_non_null(strstr(x, " yes "));
        }
}

static void test_hostile_text(void **state) {
        _cleanup_(table_freep) Table *t = new_table((const char *const[]) { "COMMAND", "X", NULL });
        _cleanup_(freep) char *s = NULL, *j = NULL;

        /* a process name with a terminal escape, a newline, invalid UTF-8, a backslash */
        assert_int_equal(table_add_string(t, "evil\x1b]0;pwned\x07\nname"), 0);
        assert_int_equal(table_add_string(t, "bad\xff\xfe" "utf8\\"), 0);
        assert_int_equal(table_add_string(t, "gr\xc3\xbc\xc3\x9f"), 0);      /* "grüß": valid */
        assert_int_equal(table_add_string(t, "\xc2\x9b" "31m"), 0);          /* C1 CSI */

        s = render(t, TABLE_JSON_OFF);
        assert_null(strchr(s, '\x1b'));
        assert_null(strchr(s, '\x07'));
        assert_non_null(strstr(s, "evil\\x1b]0;pwned\\x07\\x0aname"));
        assert_non_null(strstr(s, "bad\\xff\\xfeutf8\\"));
        assert_non_null(strstr(s, "gr\xc3\xbc\xc3\x9f"));
        assert_non_null(strstr(s, "\\xc2\\x9b31m"));
        /* widths count code points: "grüß" is 4 wide, padded like "COMMAND" is 7 */
        assert_non_null(strstr(s, "gr\xc3\xbc\xc3\x9f" "                "));

        j = render(t, TABLE_JSON_SHORT);
        /* JSON escapes control characters itself and stays valid UTF-8 */
        assert_non_null(strstr(j, "\\u001b"));
        assert_non_null(strstr(j, "\\n"));
        assert_non_null(strstr(j, "bad\\\\xff\\\\xfeutf8\\\\\\\\"));
        assert_non_null(strstr(j, "gr\xc3\xbc\xc3\x9f"));
}

static void test_sort(void **state) {
        _cleanup_(table_freep) Table *t = new_table((const char *const[]) { "N", "NAME", NULL });
        _cleanup_(freep) char *s = NULL;

        assert_int_equal(table_add_uint64(t, 10), 0);
        assert_int_equal(table_add_string(t, "b"), 0);
        assert_int_equal(table_add_uint64(t, 9), 0);
        assert_int_equal(table_add_string(t, "c"), 0);
        assert_int_equal(table_add_uint64(t, 10), 0);
        assert_int_equal(table_add_string(t, "a"), 0);
        assert_int_equal(table_sort(t, 0), 0);
        table_set_legend(t, false);
        s = render(t, TABLE_JSON_OFF);
        assert_string_equal(s, " N NAME\n 9 c\n10 a\n10 b\n");

        assert_int_equal(table_sort(t, 5), -EINVAL);
}

static void test_errors(void **state) {
        _cleanup_(table_freep) Table *t = new_table((const char *const[]) { "A", "B", NULL });
        Table *u = NULL;

        assert_int_equal(table_new((const char *const[]) { NULL }, &u), -EINVAL);
        assert_null(u);
        /* an incomplete row cannot be printed */
        assert_int_equal(table_add_string(t, "x"), 0);
        assert_int_equal(table_print(t, stdout), -EBUSY);
        assert_int_equal(table_set_json_key(t, 2, "x"), -EINVAL);

        assert_int_equal(table_json_mode_from_string("pretty"), TABLE_JSON_PRETTY);
        assert_int_equal(table_json_mode_from_string("short"), TABLE_JSON_SHORT);
        assert_int_equal(table_json_mode_from_string("off"), TABLE_JSON_OFF);
        assert_int_equal(table_json_mode_from_string("yes"), _TABLE_JSON_MODE_INVALID);
        assert_int_equal(table_json_mode_from_string(NULL), _TABLE_JSON_MODE_INVALID);
}

static void test_many_rows(void **state) {
        _cleanup_(table_freep) Table *t = new_table((const char *const[]) { "I", "S", NULL });
        _cleanup_(freep) char *s = NULL;

        for (unsigned i = 0; i < 5000; i++) {
                assert_int_equal(table_add_uint64(t, i), 0);
                assert_int_equal(table_add_stringf(t, "row-%u", i), 0);
        }
        assert_int_equal(table_get_rows(t), 5000);
        s = render(t, TABLE_JSON_OFF);
        assert_non_null(strstr(s, "5000 entries listed."));
        assert_non_null(strstr(s, "4999 row-4999\n"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_text),
                cmocka_unit_test(test_empty_and_single),
                cmocka_unit_test(test_json),
                cmocka_unit_test(test_hostile_text),
                cmocka_unit_test(test_sort),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_many_rows),
        };

        /* libsmartcols renders the text; like bpftoken-analyze, run in a UTF-8 locale. */
        (void) setlocale(LC_ALL, "C.UTF-8");
        return cmocka_run_group_tests(tests, NULL, NULL);
}
