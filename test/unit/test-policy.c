/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "test-util.h"
#include "policy.h"

static void test_parse_valid(void **state) {
        static const struct {
                const char *text;
                PolicyMatchKind match;
                uint64_t masks[4];
        } cases[] = {
                { "[Match]\nUnit=a.service\n[Delegation]\nCommands=BPFMapCreate,BPFProgLoad\nMaps=array\n"
                  "Programs=socket_filter\nAttachments=any\n",
                  POLICY_MATCH_UNIT, { 0x21, 0x4, 0x2, UINT64_MAX } },
                { "# comment\n; another\n\n[Match]\n  User = 0  \n[Delegation]\nCommands=0x40021\n",
                  POLICY_MATCH_USER, { 0x40021, 0, 0, 0 } },
                { "[Match]\nGroup=0\n[Delegation]\nPreset=libbpf\n",
                  POLICY_MATCH_GROUP, { 0x40021, 0x4, 0x2, 0x1 } },
                { "[Match]\nUnit=t@.service\n[Delegation]\nMaps=array\nMaps=\n",
                  POLICY_MATCH_UNIT, { 0, 0, 0, 0 } },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Policy *p = NULL;
                char error[512] = "";
                int r = policy_parse(names_builtin, "t.conf", cases[i].text, &p, error, sizeof error);

                if (r < 0)
                        fail_msg("case %zu: %s", i, error);
                assert_int_equal(p->match, cases[i].match);
                for (int k = 0; k < 4; k++)
                        assert_true(p->delegation.masks[k] == cases[i].masks[k]);
                policy_free(p);
        }
}

static void test_parse_invalid(void **state) {
        static const struct {
                const char *text;
                const char *needle;
        } cases[] = {
                { "[Delegation]\nCommands=prog_load\n", "no [Match]" },
                { "[Match]\nUnit=a.service\nUser=0\n", "only one of" },
                { "[Match]\nUnit=not a unit\n", "not a valid unit name" },
                { "[Match]\nUnit=a.service\n[Delegation]\nCommands=prog_lod\n", "prog_load" },
                { "[Match]\nUnit=a.service\n[Delegation]\nFrobs=1\n", "unknown key Frobs=" },
                { "[Matches]\n", "unknown section" },
                { "Commands=any\n", "outside of a section" },
                { "[Match]\nUser=no-such-user-bpftoken\n", "unknown user" },
                { "[Match]\nUnit=a.service\n[Delegation]\nPreset=libbfp\n", "libbpf" },
                { "[Match]\nUnit=a.service\nnot an assignment\n", "expected KEY=VALUE" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Policy *p = NULL;
                char error[512] = "";
                int r = policy_parse(names_builtin, "t.conf", cases[i].text, &p, error, sizeof error);

                assert_true(r < 0);
                if (!strstr(error, cases[i].needle))
                        fail_msg("case %zu: '%s' lacks '%s'", i, error, cases[i].needle);
                assert_non_null(strstr(error, "t.conf"));
        }
}

/* Blank lines and comments count: the error is reported at the line where it is. */
static void test_parse_line_numbers(void **state) {
        static const struct {
                const char *text;
                const char *needle;
        } cases[] = {
                { "# policy\n\n[Match]\n\nUnit=a.service\n\n\n[Delegation]\n\n\n\nFrobs=1\n", "t.conf:12: unknown key Frobs=" },
                { "\n\n[Match]\nUnit=a.service\n\n[Delegation]\nCommands=prog_lod\n", "t.conf:7: " },
                { "\n\n\nCommands=any\n", "t.conf:4: assignment outside of a section" },
                { "[Match]\r\nUnit=a.service\r\n\r\n[Delegatoin]\r\n", "t.conf:4: unknown section [Delegatoin]" },
                { "[Match]\nUnit=a.service\n\nnot an assignment\n", "t.conf:4: expected KEY=VALUE" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Policy *p = NULL;
                char error[512] = "";

                assert_true(policy_parse(names_builtin, "t.conf", cases[i].text, &p, error, sizeof error) < 0);
                if (!strstr(error, cases[i].needle))
                        fail_msg("case %zu: '%s' lacks '%s'", i, error, cases[i].needle);
        }
}

static void test_unit_matches(void **state) {
        assert_true(policy_unit_matches("a.service", "a.service"));
        assert_false(policy_unit_matches("a.service", "b.service"));
        assert_true(policy_unit_matches("t@.service", "t@x.service"));
        assert_false(policy_unit_matches("t@.service", "t@.service.x"));
        assert_false(policy_unit_matches("t@.service", "tt@x.service"));
        assert_false(policy_unit_matches("t@.service", "t@x.socket"));
        assert_false(policy_unit_matches(NULL, "a.service"));
}

static void write_policy(const char *dir, const char *name, const char *text, mode_t mode) {
        char path[4096];
        FILE *f;

        snprintf(path, sizeof path, "%s/%s", dir, name);
        f = fopen(path, "we");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
        assert_int_equal(chmod(path, mode), 0);
}

static int reports;
static void count_report(const char *path, int error, const char *message, void *userdata) {
        reports++;
}

static void test_find(void **state) {
        char etc[] = "/tmp/test-policy-etc.XXXXXX", run[] = "/tmp/test-policy-run.XXXXXX";
        const char *dirs[] = { etc, run, NULL };
        gid_t groups[] = { 77 };
        PolicyCaller c = { .unit = "a.service", .uid = 1000, .gid = 100, .groups = groups, .n_groups = 1 };
        Policy *p = NULL;

        if (geteuid() != 0)
                skip(); /* ownership checks need root-owned files */
        assert_non_null(mkdtemp(etc));
        assert_non_null(mkdtemp(run));
        assert_int_equal(chmod(etc, 0755), 0);
        assert_int_equal(chmod(run, 0755), 0);

        write_policy(run, "a.conf", "[Match]\nUnit=a.service\n[Delegation]\nCommands=prog_load\n", 0644);
        write_policy(etc, "u.conf", "[Match]\nUser=1000\n[Delegation]\nCommands=map_create\n", 0644);
        write_policy(etc, "g.conf", "[Match]\nGroup=77\n[Delegation]\nCommands=btf_load\n", 0644);
        write_policy(etc, "w.conf", "[Match]\nUnit=a.service\n[Delegation]\nCommands=any\n", 0666);

        /* the unit match wins, and the world-writable one is ignored and reported */
        reports = 0;
        assert_int_equal(policy_find(names_builtin, dirs, &c, &p, count_report, NULL), 0);
        assert_true(p->delegation.masks[0] == 0x20);
        assert_int_equal(reports, 1);
        policy_free(p);

        /* /etc masks /run by file name */
        write_policy(etc, "a.conf", "[Match]\nUnit=a.service\n[Delegation]\nCommands=obj_pin\n", 0644);
        assert_int_equal(policy_find(names_builtin, dirs, &c, &p, NULL, NULL), 0);
        assert_true(p->delegation.masks[0] == 0x40);
        policy_free(p);

        /* without a unit: the user, then the supplementary group */
        c.unit = NULL;
        assert_int_equal(policy_find(names_builtin, dirs, &c, &p, NULL, NULL), 0);
        assert_int_equal(p->match, POLICY_MATCH_USER);
        policy_free(p);
        c.uid = 2000;
        assert_int_equal(policy_find(names_builtin, dirs, &c, &p, NULL, NULL), 0);
        assert_int_equal(p->match, POLICY_MATCH_GROUP);
        policy_free(p);
        c.n_groups = 0;
        assert_int_equal(policy_find(names_builtin, dirs, &c, &p, NULL, NULL), -ENOENT);

        /* another unit gets nothing */
        c.unit = "b.service";
        assert_int_equal(policy_find(names_builtin, dirs, &c, &p, NULL, NULL), -ENOENT);

        /* an exact unit name beats a template pattern, whatever the file order; an all-zero policy
         * counts (a private bpffs without delegation) */
        write_policy(etc, "0-template.conf", "[Match]\nUnit=t@.service\n[Delegation]\nCommands=map_create\n", 0644);
        write_policy(etc, "z-instance.conf", "[Match]\nUnit=t@off.service\n[Delegation]\nCommands=0x0\n", 0644);
        c.unit = "t@off.service";
        assert_int_equal(policy_find(names_builtin, dirs, &c, &p, NULL, NULL), 0);
        assert_string_equal(p->unit, "t@off.service");
        assert_true(delegation_is_empty(&p->delegation));
        policy_free(p);
        c.unit = "t@on.service";
        assert_int_equal(policy_find(names_builtin, dirs, &c, &p, NULL, NULL), 0);
        assert_string_equal(p->unit, "t@.service");
        assert_true(p->delegation.masks[0] == 0x1);
        policy_free(p);

        /* a symlink is ignored */
        {
                char link[4096], target[4096];
                snprintf(link, sizeof link, "%s/s.conf", etc);
                snprintf(target, sizeof target, "%s/a.conf", run);
                assert_int_equal(symlink(target, link), 0);
                reports = 0;
                c.unit = "a.service";
                assert_int_equal(policy_find(names_builtin, dirs, &c, &p, count_report, NULL), 0);
                assert_int_equal(reports, 2); /* w.conf and s.conf */
                policy_free(p);
        }

        {
                char cmd[8192];
                snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", etc, run);
                assert_int_equal(system(cmd), 0);
        }
}

/* No policy file at all (the common case on a fresh machine): nothing matches, and nothing is
 * sorted (qsort() of an empty, NULL array was undefined behaviour; found by fuzz-policy-dir). */
static void test_find_empty(void **state) {
        char etc[] = "/tmp/test-policy-etc.XXXXXX";
        const char *dirs[] = { etc, "/nonexistent/bpftoken-policy.d", NULL };
        PolicyCaller c = { .unit = "a.service", .uid = 1000, .gid = 100 };
        Policy *p = NULL;

        assert_non_null(mkdtemp(etc));
        assert_int_equal(chmod(etc, 0755), 0);
        assert_int_equal(policy_find(names_builtin, dirs, &c, &p, NULL, NULL), -ENOENT);
        assert_null(p);
        /* a positive control: the same directory with a matching file */
        write_policy(etc, "a.conf", "[Match]\nUnit=a.service\n", 0644);
        if (geteuid() == 0) {
                assert_int_equal(policy_find(names_builtin, dirs, &c, &p, NULL, NULL), 0);
                assert_int_equal(p->match, POLICY_MATCH_UNIT);
                policy_free(p);
        }
        {
                char path[4096];

                snprintf(path, sizeof path, "%s/a.conf", etc);
                assert_int_equal(unlink(path), 0);
                assert_int_equal(rmdir(etc), 0);
        }
}

/* The resolver hook (policy_set_name_resolver): names go through it, numbers do not, and NULL
 * restores the machine's database. */
static int fake_user(const char *name, uid_t *ret, void *userdata) {
        if (!streq(name, "root"))
                return -ESRCH;
        *ret = 4242;
        return 0;
}

static int fake_group(const char *name, gid_t *ret, void *userdata) {
        if (!streq(name, userdata))
                return -ESRCH;
        *ret = 77;
        return 0;
}

static void test_name_resolver(void **state) {
        const PolicyNameResolver fake = { .user = fake_user, .group = fake_group, .userdata = (void *) "bpfusers" };
        char error[512] = "";
        Policy *p = NULL;

        policy_set_name_resolver(&fake);
        assert_int_equal(policy_parse(names_builtin, "t.conf", "[Match]\nUser=root\n", &p, error, sizeof error), 0);
        assert_int_equal(p->uid, 4242);
        p = policy_free(p);
        assert_int_equal(policy_parse(names_builtin, "t.conf", "[Match]\nUser=12\n", &p, error, sizeof error), 0);
        assert_int_equal(p->uid, 12);
        p = policy_free(p);
        assert_int_equal(policy_parse(names_builtin, "t.conf", "[Match]\nGroup=bpfusers\n", &p, error, sizeof error), 0);
        assert_int_equal(p->gid, 77);
        p = policy_free(p);
        assert_int_equal(policy_parse(names_builtin, "t.conf", "[Match]\nGroup=root\n", &p, error, sizeof error), -EINVAL);
        assert_non_null(strstr(error, "unknown group 'root'"));

        policy_set_name_resolver(NULL);
        assert_int_equal(policy_parse(names_builtin, "t.conf", "[Match]\nUser=root\n", &p, error, sizeof error), 0);
        assert_int_equal(p->uid, 0);
        policy_free(p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_valid),
                cmocka_unit_test(test_parse_invalid),
                cmocka_unit_test(test_parse_line_numbers),
                cmocka_unit_test(test_unit_matches),
                cmocka_unit_test(test_find),
                cmocka_unit_test(test_find_empty),
                cmocka_unit_test(test_name_resolver),
        };
        return cmocka_run_group_tests(tests, names_builtin_setup, names_teardown);
}
