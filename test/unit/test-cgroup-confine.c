/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "cgroup-confine.h"
#include "macro.h"

/* Which cgroup2 mount roots show only the unit's subtree (issue 8). */
static void test_path_within(void **state) {
        static const struct {
                const char *root, *unit;
                bool within;
        } cases[] = {
                { "/system.slice/foo.service", "/system.slice/foo.service", true },
                { "/system.slice/foo.service/payload", "/system.slice/foo.service", true },
                { "/system.slice/foo.service", "/system.slice/foo.service/", true },
                { "/system.slice", "/system.slice/foo.service", false },            /* the parent slice */
                { "/", "/system.slice/foo.service", false },                        /* the root */
                { "/system.slice/foo.service2", "/system.slice/foo.service", false }, /* a sibling */
                { "/system.slice/foo.serv", "/system.slice/foo.service", false },
                { "/../..", "/system.slice/foo.service", false },  /* shown from another cgroup namespace */
                { "/system.slice/foo.service/../bar.service", "/system.slice/foo.service", false },
                { NULL, "/system.slice/foo.service", false },
                { "/x", "/", false },
                { "/x", "relative", false },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                if (cgroup_path_within(cases[i].root, cases[i].unit) != cases[i].within)
                        fail_msg("case %zu: '%s' within '%s' should be %s", i, cases[i].root ?: "(null)",
                                 cases[i].unit, cases[i].within ? "true" : "false");
}

static void test_sentences(void **state) {
        for (CgroupConfineStep s = 0; s < _CGROUP_CONFINE_STEP_MAX; s++) {
                assert_non_null(cgroup_confine_step_to_string(s));
                assert_non_null(cgroup_confine_error_sentence(s, -EPERM));
        }
        assert_null(cgroup_confine_step_to_string(_CGROUP_CONFINE_STEP_MAX));
        assert_non_null(strstr(cgroup_confine_error_sentence(CGROUP_CONFINE_STEP_UNDOABLE, -EPERM),
                               "CAP_SYS_ADMIN"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_path_within),
                cmocka_unit_test(test_sentences),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
