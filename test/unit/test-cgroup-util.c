/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-util.h"
#include "macro.h"

static void test_units(void **state) {
        static const struct {
                const char *text;
                int ret;
                const char *unit;
        } cases[] = {
                { "0::/system.slice/foo.service\n", 0, "foo.service" },
                { "0::/system.slice/foo.service/sub/cgroup\n", 0, "foo.service" },
                { "0::/system.slice/system-tmpl.slice/tmpl@inst.service\n", 0, "tmpl@inst.service" },
                { "0::/user.slice/user-1000.slice/user@1000.service/app.slice/x.service\n", 0, "user@1000.service" },
                { "0::/init.scope\n", 0, "init.scope" },
                { "12:name=systemd:/system.slice/bar.service\n11:pids:/\n0::/\n", 0, "bar.service" },
                { "0::/system.slice/a.service\n12:name=systemd:/system.slice/b.service\n", 0, "a.service" },
                { "0::/\n", -ENXIO, NULL },
                { "0::/a.slice/b.slice\n", -ENXIO, NULL },
                { "0::/system.slice/no dot here\n", -EBADMSG, NULL },
                { "0::/system.slice/nodot\n", -EBADMSG, NULL },
                { "", -EBADMSG, NULL },
                { "garbage", -EBADMSG, NULL },
                { "0::", -ENXIO, NULL },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *unit = NULL;
                int r = cgroup_text_get_unit(cases[i].text, &unit);

                if (r != cases[i].ret)
                        fail_msg("case %zu: got %d, want %d", i, r, cases[i].ret);
                if (cases[i].unit)
                        assert_string_equal(unit, cases[i].unit);
                free(unit);
        }
}

/* The unit's own cgroup path, the subtree bpftoken confines cgroup programs to (issue 8). */
static void test_unit_path(void **state) {
        static const struct {
                const char *text;
                int ret;
                const char *path;
        } cases[] = {
                { "0::/system.slice/foo.service\n", 0, "/system.slice/foo.service" },
                { "0::/system.slice/foo.service/sub/cgroup\n", 0, "/system.slice/foo.service" },
                { "0::/system.slice/system-tmpl.slice/tmpl@inst.service\n", 0,
                  "/system.slice/system-tmpl.slice/tmpl@inst.service" },
                { "0::/user.slice/user-1000.slice/user@1000.service/app.slice/x.service\n", 0,
                  "/user.slice/user-1000.slice/user@1000.service" },
                /* cgroup v1 only: no unified path to confine in */
                { "12:name=systemd:/system.slice/bar.service\n11:pids:/\n", -ENOMEDIUM, NULL },
                { "0::/\n", -ENXIO, NULL },
                { "0::/system.slice/../x.service\n", -EBADMSG, NULL },
                { "0::relative/foo.service\n", -ENOMEDIUM, NULL },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *path = NULL;
                int r = cgroup_text_get_unit_path(cases[i].text, &path);

                if (r != cases[i].ret)
                        fail_msg("case %zu: got %d, want %d", i, r, cases[i].ret);
                if (cases[i].path)
                        assert_string_equal(path, cases[i].path);
                else
                        assert_null(path);
                free(path);
        }
}

static void test_self(void **state) {
        char *unit = NULL;
        int r = cgroup_pid_get_unit(getpid(), &unit);

        /* Whatever this test runs in, the answer is a unit or "no unit", never garbage. */
        assert_true(r == 0 || r == -ENXIO);
        if (r == 0)
                assert_non_null(strchr(unit, '.'));
        free(unit);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_units),
                cmocka_unit_test(test_unit_path),
                cmocka_unit_test(test_self),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
