/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ExecStart= lines: prefixes, words, ";" separators, and how they are wrapped. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generator-exec.h"
#include "macro.h"

#define EXEC "/usr/bin/bpftoken-exec"

/* What each command of a value becomes, joined with '\n': '+' commands and commands that already
 * run bpftoken-exec as written, every other one wrapped. */
static char *wrap_all(const char *value, int *ret_r, char *error, size_t error_size) {
        ExecCommand *cmds = NULL;
        size_t n = 0, len = 0;
        char *out = NULL;
        int r;

        r = exec_value_parse(value, &cmds, &n, error, error_size);
        *ret_r = r;
        if (r < 0) {
                assert_null(cmds);
                return NULL;
        }
        assert_true(n > 0);

        out = calloc(1, 1);
        assert_non_null(out);
        for (size_t i = 0; i < n; i++) {
                _cleanup_(freep) char *line = NULL;

                if ((cmds[i].flags & EXEC_PRIVILEGED) || exec_command_is_wrapped(&cmds[i])) {
                        assert_int_equal(exec_command_format(&cmds[i], &line), 0);
                        if (cmds[i].flags & EXEC_PRIVILEGED)
                                assert_int_equal(exec_command_wrap(&cmds[i], EXEC, &line), -EINVAL);
                } else
                        assert_int_equal(exec_command_wrap(&cmds[i], EXEC, &line), 0);
                out = realloc(out, len + strlen(line) + 2);
                assert_non_null(out);
                len += (size_t) sprintf(out + len, "%s%s", i > 0 ? "\n" : "", line);
        }
        exec_commands_free(cmds, n);
        return out;
}

static const struct {
        const char *value;
        const char *expected;
} wrap_cases[] = {
        { "/usr/bin/app --flag",              EXEC " -- /usr/bin/app --flag" },
        { "  /usr/bin/app   a  b  ",          EXEC " -- /usr/bin/app   a  b" },
        { "/usr/bin/app",                     EXEC " -- /usr/bin/app" },
        { "-/usr/bin/app",                    "-" EXEC " -- /usr/bin/app" },
        { "@/usr/bin/app name a b",           EXEC " --argv0 name -- /usr/bin/app a b" },
        { ":/usr/bin/app $X ${Y}",            ":" EXEC " -- /usr/bin/app $X ${Y}" },
        { "+/usr/bin/app --x",                "+/usr/bin/app --x" },
        { "+@/usr/bin/app n --x",             "+@/usr/bin/app n --x" },
        { "!/usr/bin/app",                    "!" EXEC " -- /usr/bin/app" },
        { "!!/usr/bin/app",                   "!!" EXEC " -- /usr/bin/app" },
        { "@-:/usr/bin/app n x",              "-:" EXEC " --argv0 n -- /usr/bin/app x" },
        { "-@!/usr/bin/app \"n m\" x",        "-!" EXEC " --argv0 \"n m\" -- /usr/bin/app x" },
        /* $ in the executable: systemd does not expand it there, but would in an argument */
        { "/usr/bin/a$b $c",                  EXEC " -- /usr/bin/a$$b $c" },
        { ":/usr/bin/a$b $c",                 ":" EXEC " -- /usr/bin/a$b $c" },
        /* quoting, escapes and specifiers are kept as written */
        { "\"/usr/bin/my app\" 'x y' \"z\"",  EXEC " -- \"/usr/bin/my app\" 'x y' \"z\"" },
        { "/bin/a a\\ b \"c\\\"d\" e'f g'h",  EXEC " -- /bin/a a\\ b \"c\\\"d\" e'f g'h" },
        { "%h/bin/app %i %%",                 EXEC " -- %h/bin/app %i %%" },
        { "app --bare-name",                  EXEC " -- app --bare-name" },
        /* ";" separates commands, "\;" and ";" inside a word or quotes do not */
        { "/bin/a x ; /bin/b y",              EXEC " -- /bin/a x\n" EXEC " -- /bin/b y" },
        { "-/bin/a ; +/bin/b ; @/bin/c c",    "-" EXEC " -- /bin/a\n+/bin/b\n" EXEC " --argv0 c -- /bin/c" },
        { "/bin/a \\; b",                     EXEC " -- /bin/a \\; b" },
        { "/bin/a ';' b",                     EXEC " -- /bin/a ';' b" },
        { "/bin/a x; b",                      EXEC " -- /bin/a x; b" },
        { "/bin/a ;",                         EXEC " -- /bin/a" },
        { "/bin/a x\\  ",                     EXEC " -- /bin/a x\\ " },
        { "!; x",                             "!" EXEC " -- \\; x" },
        /* already wrapped */
        { "/usr/bin/bpftoken-exec -- /bin/a", "/usr/bin/bpftoken-exec -- /bin/a" },
        { "-bpftoken-exec -- /bin/a",         "-bpftoken-exec -- /bin/a" },
        { "/usr/bin/bpftoken-exec2 x",        EXEC " -- /usr/bin/bpftoken-exec2 x" },
};

static void test_wrap(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(wrap_cases); i++) {
                _cleanup_(freep) char *out = NULL;
                char error[256];
                int r;

                out = wrap_all(wrap_cases[i].value, &r, error, sizeof error);
                if (r < 0)
                        fail_msg("'%s': %d %s", wrap_cases[i].value, r, error);
                if (!streq(out, wrap_cases[i].expected))
                        fail_msg("'%s' -> '%s', expected '%s'", wrap_cases[i].value, out, wrap_cases[i].expected);
        }
}

static const struct {
        const char *value;
        const char *error;  /* a part of the sentence */
} error_cases[] = {
        { "",                       "empty" },
        { "   ",                    "empty" },
        { "-",                      "no executable" },
        { "-@ /bin/a",              "no executable" },
        { "@/bin/a",                "argv[0]" },
        { "@/bin/a   ",             "argv[0]" },
        { "/bin/a \"unbalanced",    "unbalanced" },
        { "/bin/a 'x",              "unbalanced" },
        { "/bin/a x\\",             "backslash" },
        { "+!/bin/a",               "cannot be combined" },
        { "!+/bin/a",               "cannot be combined" },
        { "\"-/bin/a\"",            "inside quotes" },
        { "'@/bin/a' n",            "inside quotes" },
        { "; /bin/a",               "empty command" },
        { "/bin/a ; ; /bin/b",      "empty command" },
};

static void test_errors(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(error_cases); i++) {
                char error[256] = "";
                int r;

                assert_null(wrap_all(error_cases[i].value, &r, error, sizeof error));
                if (r != -EINVAL)
                        fail_msg("'%s': %d, expected -EINVAL", error_cases[i].value, r);
                if (!strstr(error, error_cases[i].error))
                        fail_msg("'%s': error '%s' lacks '%s'", error_cases[i].value, error, error_cases[i].error);
        }
}

static void test_flags(void **state) {
        ExecCommand *c = NULL;
        size_t n = 0;

        assert_int_equal(exec_value_parse("-@:!/bin/a zero one", &c, &n, NULL, 0), 0);
        assert_int_equal(n, 1);
        assert_int_equal(c[0].flags, EXEC_IGNORE_FAILURE|EXEC_ARGV0|EXEC_NO_ENV_EXPAND|EXEC_NO_SETUID);
        assert_string_equal(c[0].prefix, "-@:!");
        assert_string_equal(c[0].path, "/bin/a");
        assert_string_equal(c[0].argv0, "zero");
        assert_string_equal(c[0].rest, " one");
        exec_commands_free(c, n);

        assert_int_equal(exec_value_parse("!!+/bin/a", &c, &n, NULL, 0), -EINVAL);
        assert_int_equal(exec_value_parse("!!/bin/a", &c, &n, NULL, 0), 0);
        assert_int_equal(c[0].flags, EXEC_AMBIENT_MAGIC);
        assert_null(c[0].argv0);
        assert_string_equal(c[0].rest, "");
        exec_commands_free(c, n);

        /* a third '!' is not a prefix */
        assert_int_equal(exec_value_parse("!!!/bin/a", &c, &n, NULL, 0), 0);
        assert_string_equal(c[0].path, "!/bin/a");
        exec_commands_free(c, n);

        assert_int_equal(exec_value_parse(NULL, &c, &n, NULL, 0), -EINVAL);
}

static void test_too_many(void **state) {
        _cleanup_(freep) char *v = NULL;
        ExecCommand *c = NULL;
        size_t n = 0, len = 0;
        char error[128];

        v = malloc((EXEC_COMMANDS_MAX + 1) * 10 + 1);
        assert_non_null(v);
        for (unsigned i = 0; i <= EXEC_COMMANDS_MAX; i++)
                len += (size_t) sprintf(v + len, "%s/bin/a", i > 0 ? " ; " : "");
        assert_int_equal(exec_value_parse(v, &c, &n, error, sizeof error), -E2BIG);
        assert_null(c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_wrap),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_flags),
                cmocka_unit_test(test_too_many),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
