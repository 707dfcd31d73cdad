/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Telling the systemd version: numbers, PID 1's maps, installed libsystemd-shared. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "systemd-version.h"
#include "macro.h"
#include "../unit/test-util.h"

static void touch(const char *root, const char *rel) {
        char p[PATH_MAX];

        assert_true(snprintf(p, sizeof p, "%s%s", root, rel) < (int) sizeof p);
        write_text(p, "");
}

static void test_parse(void **state) {
        static const char *const bad[] = { "", "0", "-1", "+252", " 252", "252 ", "25x", "123456", "0x10" };
        unsigned v = 0;

        assert_int_equal(systemd_version_parse("252", &v), 0);
        assert_int_equal(v, 252);
        assert_int_equal(systemd_version_parse("1", &v), 0);
        assert_int_equal(v, 1);
        assert_int_equal(systemd_version_parse("99999", &v), 0);
        assert_int_equal(v, 99999);
        assert_int_equal(systemd_version_parse("0258", &v), 0);
        assert_int_equal(v, 258);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                v = 7;
                assert_int_equal(systemd_version_parse(bad[i], &v), -EINVAL);
                assert_int_equal(v, 7);
        }
        assert_int_equal(systemd_version_parse(NULL, &v), -EINVAL);
}

static void test_maps(void **state) {
        static const char maps[] =
                "55d000-55e000 r--p 00000000 08:01 123 /usr/lib/systemd/systemd\n"
                "7f00-7f10 r--p 00000000 08:01 124 /usr/lib/x86_64-linux-gnu/libsystemd-shared-foo.so\n"
                "7f10-7f20 r-xp 00001000 08:01 125 /usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-257.so\n"
                "7f20-7f30 r--p 00000000 08:01 126 /usr/lib/systemd/libsystemd-core-257.so\n";
        _cleanup_(freep) char *p = write_temp(maps, strlen(maps));
        unsigned v = 0;

        assert_int_equal(systemd_version_from_maps(p, &v), 0);
        assert_int_equal(v, 257);

        write_text(p, "55d000-55e000 r--p 00000000 08:01 123 /sbin/init\n");
        assert_int_equal(systemd_version_from_maps(p, &v), -ENOENT);

        /* Fedora-style tagged file names */
        write_text(p, "7f10-7f20 r-xp 00001000 08:01 125 /usr/lib64/systemd/libsystemd-shared-256.11-1.fc41.so\n");
        assert_int_equal(systemd_version_from_maps(p, &v), 0);
        assert_int_equal(v, 256);

        unlink(p);
        assert_int_equal(systemd_version_from_maps("/nonexistent/maps", &v), -ENOENT);
}

static void test_libdirs(void **state) {
        char root[] = "/tmp/test-generator-version.XXXXXX";
        unsigned v = 0;

        assert_non_null(mkdtemp(root));
        assert_int_equal(systemd_version_from_libdirs(root, &v), -ENOENT);

        touch(root, "/usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-252.so");
        touch(root, "/usr/lib/x86_64-linux-gnu/systemd/libsystemd-core-252.so");
        assert_int_equal(systemd_version_from_libdirs(root, &v), 0);
        assert_int_equal(v, 252);

        touch(root, "/usr/lib/systemd/libsystemd-shared-257.2-1.so");
        touch(root, "/usr/lib/systemd/libsystemd-shared-999.txt");
        assert_int_equal(systemd_version_from_libdirs(root, &v), 0);
        assert_int_equal(v, 257);

        touch(root, "/usr/lib64/systemd/libsystemd-shared-262.so");
        assert_int_equal(systemd_version_from_libdirs(root, &v), 0);
        assert_int_equal(v, 262);

        rm_rf(root);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_maps),
                cmocka_unit_test(test_libdirs),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
