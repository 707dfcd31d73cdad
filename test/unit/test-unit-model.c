/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The unit model: every setting it evaluates, with resets, multiple assignments, drop-in precedence
 * and templates, checked against what systemd.exec(5) says the result is. Fixture trees live under
 * a temporary root. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ini-parse.h"
#include "macro.h"
#include "strv.h"
#include "test-util.h"
#include "unit-file.h"
#include "unit-model.h"

#define ETC "/etc/systemd/system"
#define USR "/usr/lib/systemd/system"
#define BIT(c) UNIT_CAP_BIT(c)

typedef struct Fixture {
        char *root;
        UnitConfig *config;
        UnitModel model;
} Fixture;

static void fixture_done(Fixture *f) {
        unit_model_done(&f->model);
        unit_config_free(f->config);
        if (f->root)
                rm_rf(f->root);
        free(f->root);
}

static void fx_write(const char *root, const char *rel, const char *content) {
        _cleanup_(freep) char *p = NULL;

        assert_true(asprintf(&p, "%s%s", root, rel) >= 0);
        write_text(p, content);
}

static void fx_new(Fixture *f) {
        char t[] = "/tmp/test-unit-model.XXXXXX";

        *f = (Fixture) {};
        assert_non_null(mkdtemp(t));
        f->root = strdup(t);
        assert_non_null(f->root);
}

static void fx_load(Fixture *f, const char *name) {
        _cleanup_(strv_freep) char **sp = NULL;

        assert_int_equal(unit_search_path(f->root, NULL, &sp), 0);
        assert_int_equal(unit_config_load(sp, name, NULL, &f->config), 0);
        assert_int_equal(unit_model_build(f->config, NULL, 0, &f->model), 0);
}

/* A model of one fragment with the given [Service] body. */
static void model_of(Fixture *f, const char *service_body) {
        _cleanup_(freep) char *text = NULL;

        fx_new(f);
        assert_true(asprintf(&text, "[Service]\nExecStart=/bin/true\n%s", service_body) >= 0);
        fx_write(f->root, USR "/t.service", text);
        fx_load(f, "t.service");
}

static uint64_t bounding_of(const char *body) {
        Fixture f;
        uint64_t r;

        model_of(&f, body);
        r = f.model.bounding_set;
        fixture_done(&f);
        return r;
}

static uint64_t ambient_of(const char *body) {
        Fixture f;
        uint64_t r;

        model_of(&f, body);
        r = f.model.ambient_set;
        fixture_done(&f);
        return r;
}

static void test_capabilities(void **state) {
        assert_true(bounding_of("") == UINT64_MAX);
        assert_true(bounding_of("CapabilityBoundingSet=CAP_BPF\n") == BIT(CAP_BPF));
        /* an empty assignment resets to the empty set (systemd.exec(5)) */
        assert_true(bounding_of("CapabilityBoundingSet=CAP_BPF\nCapabilityBoundingSet=\n") == 0);
        /* multiple lines combine */
        assert_true(bounding_of("CapabilityBoundingSet=CAP_BPF\nCapabilityBoundingSet=CAP_PERFMON\n") ==
                    (BIT(CAP_BPF) | BIT(CAP_PERFMON)));
        /* ~ inverts, and a later ~ removes */
        assert_true(bounding_of("CapabilityBoundingSet=~CAP_SYS_ADMIN\n") == ~BIT(CAP_SYS_ADMIN));
        assert_true(bounding_of("CapabilityBoundingSet=CAP_BPF CAP_PERFMON\nCapabilityBoundingSet=~CAP_BPF\n") ==
                    BIT(CAP_PERFMON));
        /* a set still at its initial value is replaced, not merged: "~" alone is "all" */
        assert_true(bounding_of("CapabilityBoundingSet=~\nCapabilityBoundingSet=CAP_BPF\n") == BIT(CAP_BPF));
        /* unknown names are ignored, case does not matter */
        assert_true(bounding_of("CapabilityBoundingSet=cap_bpf CAP_NOSUCH\n") == BIT(CAP_BPF));
        /* a reset in a later drop-in wins too: see test_dropin_precedence */

        assert_true(ambient_of("") == 0);
        assert_true(ambient_of("AmbientCapabilities=CAP_BPF\nAmbientCapabilities=CAP_NET_ADMIN\n") ==
                    (BIT(CAP_BPF) | BIT(CAP_NET_ADMIN)));
        assert_true(ambient_of("AmbientCapabilities=CAP_BPF\nAmbientCapabilities=\n") == 0);
        assert_true(ambient_of("AmbientCapabilities=CAP_BPF CAP_PERFMON\nAmbientCapabilities=~CAP_BPF\n") ==
                    BIT(CAP_PERFMON));
}

static void test_caps_format(void **state) {
        _cleanup_(freep) char *s = NULL;

        assert_int_equal(unit_caps_format(BIT(CAP_BPF) | BIT(CAP_NET_ADMIN), &s), 0);
        assert_string_equal(s, "cap_net_admin cap_bpf");
}

static void test_address_families(void **state) {
        static const struct {
                const char *body;
                bool restricted, allow_list, has_unix;
        } t[] = {
                { "",                                                              false, false, false },
                { "RestrictAddressFamilies=AF_INET\n",                             true,  true,  false },
                { "RestrictAddressFamilies=AF_INET\nRestrictAddressFamilies=AF_UNIX\n", true, true, true },
                { "RestrictAddressFamilies=AF_UNIX AF_INET\nRestrictAddressFamilies=~AF_UNIX\n", true, true, false },
                { "RestrictAddressFamilies=~AF_UNIX\n",                            true,  false, true },
                { "RestrictAddressFamilies=~AF_UNIX\nRestrictAddressFamilies=AF_UNIX\n", true, false, false },
                { "RestrictAddressFamilies=AF_INET\nRestrictAddressFamilies=\n",  false, false, false },
                { "RestrictAddressFamilies=none\n",                                true,  true,  false },
                { "RestrictAddressFamilies=none\nRestrictAddressFamilies=AF_LOCAL\n", true, true, true },
        };

        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                Fixture f;

                model_of(&f, t[i].body);
                if (f.model.address_families.restricted != t[i].restricted ||
                    f.model.address_families.allow_list != t[i].allow_list ||
                    f.model.address_families.has_unix != t[i].has_unix)
                        fail_msg("case %zu: %d %d %d", i, f.model.address_families.restricted,
                                 f.model.address_families.allow_list, f.model.address_families.has_unix);
                fixture_done(&f);
        }
}

static void test_namespaces(void **state) {
        static const struct {
                const char *body;
                bool set;
                uint64_t flags;
                int mnt;
        } dn[] = {
                { "",                                                       false, 0, 0 },
                { "DelegateNamespaces=mnt\n",                                true, CLONE_NEWNS, 1 },
                { "DelegateNamespaces=net\n",                                true, CLONE_NEWNET, 0 },
                { "DelegateNamespaces=net\nDelegateNamespaces=mnt\n",        true, CLONE_NEWNET | CLONE_NEWNS, 1 },
                { "DelegateNamespaces=mnt net\nDelegateNamespaces=~mnt\n",   true, CLONE_NEWNET, -1 },
                { "DelegateNamespaces=no\n",                                 true, 0, -1 },
                { "DelegateNamespaces=yes\n",                                true, UNIT_NAMESPACES_ALL & ~(uint64_t) CLONE_NEWUSER, 1 },
                { "DelegateNamespaces=mnt\nDelegateNamespaces=\n",           false, 0, 0 },
                { "DelegateNamespaces=~net\n",                               true, UNIT_NAMESPACES_ALL & ~(uint64_t) (CLONE_NEWUSER | CLONE_NEWNET), 1 },
        };

        for (size_t i = 0; i < ELEMENTSOF(dn); i++) {
                Fixture f;

                model_of(&f, dn[i].body);
                if (f.model.delegate_namespaces.set != dn[i].set || f.model.delegate_namespaces.flags != dn[i].flags ||
                    f.model.delegate_namespaces.mnt != dn[i].mnt)
                        fail_msg("DelegateNamespaces case %zu: %d %#llx %d", i, f.model.delegate_namespaces.set,
                                 (unsigned long long) f.model.delegate_namespaces.flags, f.model.delegate_namespaces.mnt);
                fixture_done(&f);
        }

        Fixture f;
        model_of(&f, "RestrictNamespaces=yes\n");
        assert_true(f.model.restrict_namespaces.set);
        assert_true(f.model.restrict_namespaces.flags == 0);
        fixture_done(&f);
        model_of(&f, "RestrictNamespaces=~user\nRestrictNamespaces=user\n");
        assert_true(f.model.restrict_namespaces.flags == UNIT_NAMESPACES_ALL);
        fixture_done(&f);
        model_of(&f, "RestrictNamespaces=mnt\nRestrictNamespaces=\n");
        assert_false(f.model.restrict_namespaces.set);
        fixture_done(&f);
}

static void test_private_settings(void **state) {
        Fixture f;

        model_of(&f, "");
        assert_int_equal(f.model.private_users, UNIT_PRIVATE_USERS_UNSET);
        assert_int_equal(f.model.private_mounts.value, -1);
        assert_int_equal(f.model.private_network.value, -1);
        assert_int_equal(f.model.cgroup_delegate.value, -1);
        assert_int_equal(f.model.protect_control_groups, UNIT_PROTECT_CGROUPS_UNSET);
        assert_true(f.model.runs_as_root);
        assert_null(f.model.root_directory_key);
        fixture_done(&f);

        model_of(&f, "PrivateUsers=yes\nPrivateUsers=identity\nPrivateMounts=no\nPrivateMounts=yes\n"
                 "PrivateNetwork=yes\nDelegate=cpu memory\nProtectControlGroups=private\nUser=nobody\n"
                 "RootImage=/x.raw\n");
        assert_int_equal(f.model.private_users, UNIT_PRIVATE_USERS_IDENTITY);
        assert_int_equal(f.model.private_mounts.value, 1);
        assert_int_equal(f.model.private_mounts.setting->line, 6);
        assert_int_equal(f.model.private_network.value, 1);
        assert_int_equal(f.model.cgroup_delegate.value, 1);
        assert_int_equal(f.model.protect_control_groups, UNIT_PROTECT_CGROUPS_PRIVATE);
        assert_false(f.model.runs_as_root);
        assert_string_equal(f.model.user, "nobody");
        assert_string_equal(f.model.root_directory_key, "RootImage");
        fixture_done(&f);

        model_of(&f, "PrivateUsers=yes\nPrivateUsers=\nUser=nobody\nUser=\nDynamicUser=yes\nPrivateMounts=maybe\n"
                 "ProtectControlGroups=strict\nProtectControlGroups=bogus\nPrivateUsers=sometimes\n");
        /* an empty PrivateUsers= is ignored, so is a value systemd cannot parse: yes stays */
        assert_int_equal(f.model.private_users, UNIT_PRIVATE_USERS_SELF);
        assert_string_equal(f.model.private_users_invalid->value, "sometimes");
        assert_int_equal(f.model.private_mounts.value, -1);
        assert_string_equal(f.model.private_mounts.invalid->value, "maybe");
        assert_true(unit_setting_ignored_last(f.model.private_mounts.invalid, f.model.private_mounts.setting));
        assert_int_equal(f.model.protect_control_groups, UNIT_PROTECT_CGROUPS_STRICT);
        assert_string_equal(f.model.protect_control_groups_invalid->value, "bogus");
        assert_null(f.model.user); /* an empty User= stays empty, even with DynamicUser=yes */
        assert_false(f.model.runs_as_root);
        assert_null(f.model.bad_setting);
        fixture_done(&f);

        model_of(&f, "DynamicUser=yes\n");
        assert_string_equal(f.model.user, "t"); /* DynamicUser=yes names the user after the unit */
        fixture_done(&f);
        model_of(&f, "DynamicUser=yes\nDynamicUser=\n");
        assert_non_null(f.model.bad_setting); /* systemd refuses to load the unit */
        assert_int_equal(f.model.bad_setting->line, 4);
        fixture_done(&f);
        model_of(&f, "Delegate=no\nDelegate=\n");
        assert_int_equal(f.model.cgroup_delegate.value, 1); /* an empty Delegate= is yes */
        fixture_done(&f);

        /* DelegateNamespaces= implies PrivateUsers=self from 258 on */
        model_of(&f, "DelegateNamespaces=mnt\n");
        assert_int_equal(unit_model_effective_private_users(&f.model, 258), UNIT_PRIVATE_USERS_SELF);
        assert_int_equal(unit_model_effective_private_users(&f.model, 257), UNIT_PRIVATE_USERS_UNSET);
        fixture_done(&f);
}

/* What differs between systemd versions, as systemctl show reports it (test/e2e scenario model). */
static void test_versions(void **state) {
        UnitModel m252 = {}, m257 = {}, m262 = {};
        Fixture f;

        model_of(&f, "PrivateUsers=identity\nPrivateMounts=yes\nPrivateMounts=\nProtectControlGroups=private\n"
                 "PrivateNetwork=yes\nPrivateNetwork=\nPrivateNetwork=bogus\n");
        assert_int_equal(unit_model_build(f.config, NULL, 252, &m252), 0);
        assert_int_equal(unit_model_build(f.config, NULL, 257, &m257), 0);
        assert_int_equal(unit_model_build(f.config, NULL, 262, &m262), 0);
        /* PrivateUsers=identity: 252 cannot parse it */
        assert_int_equal(m252.private_users, UNIT_PRIVATE_USERS_UNSET);
        assert_non_null(m252.private_users_invalid);
        assert_int_equal(m257.private_users, UNIT_PRIVATE_USERS_IDENTITY);
        /* an empty PrivateMounts= resets from 257 on */
        assert_int_equal(m252.private_mounts.value, 1);
        assert_int_equal(m257.private_mounts.value, -1);
        /* ProtectControlGroups=private from 258 */
        assert_int_equal(m257.protect_control_groups, UNIT_PROTECT_CGROUPS_UNSET);
        assert_int_equal(m262.protect_control_groups, UNIT_PROTECT_CGROUPS_PRIVATE);
        /* an empty PrivateNetwork= and a bad one are ignored everywhere */
        assert_int_equal(m252.private_network.value, 1);
        assert_int_equal(m262.private_network.value, 1);
        unit_model_done(&m252);
        unit_model_done(&m257);
        unit_model_done(&m262);
        fixture_done(&f);
}

static void test_native_mask(void **state) {
        uint64_t m = 1;

        /* systemd >= 258 takes comma-separated CamelCase names only: a space-separated list is nothing */
        assert_int_equal(unit_bpf_list_native_mask(names_builtin, BPF_KIND_PROGRAM,
                                                   "BPFProgTypeSocketFilter BPFProgTypeKprobe", &m), 0);
        assert_true(m == 0);
        assert_int_equal(unit_bpf_list_native_mask(names_builtin, BPF_KIND_COMMAND, "BPFMapCreate,BPFProgLoad", &m), 0);
        assert_true(m == (UINT64_C(1) << 0 | UINT64_C(1) << 5));
        assert_int_equal(unit_bpf_list_native_mask(names_builtin, BPF_KIND_COMMAND, "map_create,BPFProgLoad", &m), 0);
        assert_true(m == UINT64_C(1) << 5);
        assert_int_equal(unit_bpf_list_native_mask(names_builtin, BPF_KIND_MAP, "any", &m), 0);
        assert_true(m == UINT64_MAX);
}

static void test_syscall_filter(void **state) {
        static const struct {
                const char *body;
                bool bpf, socket;
        } t[] = {
                { "",                                                       true,  true  },
                { "SystemCallFilter=@system-service\n",                     false, true  },
                { "SystemCallFilter=@system-service\nSystemCallFilter=bpf\n", true, true },
                { "SystemCallFilter=@system-service bpf\nSystemCallFilter=~bpf\n", false, true },
                { "SystemCallFilter=~@privileged\n",                        false, true  },
                { "SystemCallFilter=~bpf:EPERM\n",                          false, true  },
                { "SystemCallFilter=~bpf\nSystemCallFilter=bpf\n",          true,  true  },
                { "SystemCallFilter=~@network-io\n",                        true,  false },
                { "SystemCallFilter=@basic-io\nSystemCallFilter=\n",        true,  true  },
        };

        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                Fixture f;

                model_of(&f, t[i].body);
                if (f.model.syscall_bpf.allowed != t[i].bpf || f.model.syscall_socket.allowed != t[i].socket)
                        fail_msg("case %zu: bpf %d socket %d", i, f.model.syscall_bpf.allowed,
                                 f.model.syscall_socket.allowed);
                fixture_done(&f);
        }
}

static void test_bpf_directives(void **state) {
        Fixture f;

        /* the last assignment wins, an empty one resets */
        model_of(&f, "PrivateBPF=yes\nBPFDelegateCommands=BPFMapCreate\nBPFDelegateCommands=BPFProgLoad\n"
                 "BPFDelegateMaps=BPFMapTypeArray\nBPFDelegateMaps=\n");
        assert_int_equal(f.model.private_bpf.value, 1);
        assert_non_null(f.model.delegate[BPF_KIND_COMMAND]);
        assert_string_equal(f.model.delegate[BPF_KIND_COMMAND]->value, "BPFProgLoad");
        assert_null(f.model.delegate[BPF_KIND_MAP]);
        assert_true(f.model.has_directives);
        assert_true(unit_model_wants_bpf(&f.model));
        fixture_done(&f);

        /* an empty PrivateBPF= is ignored, as systemd 262 does */
        model_of(&f, "PrivateBPF=yes\nPrivateBPF=\nX-BPFTokenPreset=libbpf\nX-BPFTokenPreset=tracing, libbpf\n");
        assert_int_equal(f.model.private_bpf.value, 1);
        assert_int_equal(strv_length(f.model.presets), 2);
        assert_string_equal(f.model.presets[1], "tracing");
        fixture_done(&f);

        model_of(&f, "X-BPFTokenPreset=libbpf\nX-BPFTokenPreset=\n");
        assert_null(f.model.presets);
        assert_null(f.model.preset_setting);
        assert_true(f.model.has_directives); /* mentioned, even if reset */
        assert_false(unit_model_wants_bpf(&f.model));
        fixture_done(&f);

        model_of(&f, "PrivateBPF=maybe\n");
        assert_int_equal(f.model.private_bpf.value, -1);
        assert_string_equal(f.model.private_bpf.invalid->value, "maybe");
        fixture_done(&f);

        model_of(&f, "");
        assert_false(f.model.has_directives);
        fixture_done(&f);
}

static void test_requested(void **state) {
        Delegation d;
        bool unparsed[_BPF_KIND_MAX];
        Fixture f;

        model_of(&f, "PrivateBPF=yes\nBPFDelegateCommands=BPFMapCreate,BPFProgLoad\nBPFDelegateMaps=nosuchmap\n");
        assert_int_equal(unit_model_requested(&f.model, names_builtin, &d, unparsed), 0);
        assert_true(d.masks[BPF_KIND_COMMAND] == (UINT64_C(1) << 0 | UINT64_C(1) << 5));
        assert_true(unparsed[BPF_KIND_MAP]);
        assert_false(unparsed[BPF_KIND_COMMAND]);
        assert_true(d.masks[BPF_KIND_MAP] == 0);
        fixture_done(&f);
}

/* Drop-ins apply after the fragment, in file name order across directories; /etc masks /usr. */
static void test_dropin_precedence(void **state) {
        Fixture f;

        fx_new(&f);
        fx_write(f.root, USR "/d.service", "[Service]\nExecStart=/bin/true\nCapabilityBoundingSet=CAP_BPF\n"
                 "PrivateUsers=yes\n");
        fx_write(f.root, USR "/d.service.d/10-a.conf", "[Service]\nCapabilityBoundingSet=CAP_PERFMON\n");
        fx_write(f.root, ETC "/d.service.d/20-b.conf", "[Service]\nCapabilityBoundingSet=\n"
                 "CapabilityBoundingSet=CAP_NET_ADMIN\n");
        fx_write(f.root, USR "/d.service.d/30-c.conf", "[Service]\nPrivateUsers=no\n");
        /* same name in /etc masks the one in /usr */
        fx_write(f.root, ETC "/d.service.d/30-c.conf", "[Service]\nPrivateUsers=identity\n");
        fx_write(f.root, USR "/service.d/40-all.conf", "[Service]\nAmbientCapabilities=CAP_BPF\n");
        fx_load(&f, "d.service");
        assert_true(f.model.bounding_set == BIT(CAP_NET_ADMIN));
        assert_int_equal(f.model.private_users, UNIT_PRIVATE_USERS_IDENTITY);
        assert_non_null(strstr(f.model.private_users_setting->file, ETC "/d.service.d/30-c.conf"));
        assert_true(f.model.ambient_set == BIT(CAP_BPF));
        fixture_done(&f);
}

/* An instance reads its template's fragment and the drop-ins of both, the instance's last. */
static void test_templates(void **state) {
        Fixture f;

        fx_new(&f);
        fx_write(f.root, USR "/tpl@.service", "[Service]\nExecStart=/bin/true\nPrivateBPF=yes\n"
                 "BPFDelegateCommands=BPFMapCreate\nCapabilityBoundingSet=CAP_BPF\n");
        fx_write(f.root, ETC "/tpl@.service.d/a.conf", "[Service]\nBPFDelegateCommands=BPFProgLoad\n");
        fx_write(f.root, ETC "/tpl@x.service.d/b.conf", "[Service]\nPrivateBPF=no\nCapabilityBoundingSet=~CAP_BPF\n");
        fx_load(&f, "tpl@x.service");
        assert_int_equal(f.model.private_bpf.value, 0);
        assert_string_equal(f.model.delegate[BPF_KIND_COMMAND]->value, "BPFProgLoad");
        assert_true(f.model.bounding_set == 0);
        fixture_done(&f);

        fx_new(&f);
        fx_write(f.root, USR "/tpl@.service", "[Service]\nExecStart=/bin/true\nPrivateBPF=yes\n");
        fx_load(&f, "tpl@y.service");
        assert_int_equal(f.model.private_bpf.value, 1);
        assert_string_equal(f.model.section, "Service");
        fixture_done(&f);
}

static void test_value_split(void **state) {
        _cleanup_(strv_freep) char **l = NULL;

        assert_int_equal(unit_value_split("  a \"b c\" 'd'e  f\t", &l), 0);
        assert_int_equal(strv_length(l), 4);
        assert_string_equal(l[0], "a");
        assert_string_equal(l[1], "b c");
        assert_string_equal(l[2], "de");
        assert_string_equal(l[3], "f");
}

typedef struct Collect {
        char log[512];
} Collect;

static int collect(const char *section, const char *key, const char *value, unsigned line, void *userdata) {
        Collect *c = userdata;
        size_t n = strlen(c->log);

        snprintf(c->log + n, sizeof c->log - n, "%u:%s:%s=%s;", line, section, key ?: "", value ?: "");
        return 0;
}

static void test_ini_lines(void **state) {
        static const char text[] = "\n# c\n[A]\n\nk = v \\\n  w\n; x\n\nj=1\r\n[B]\r\nno-equals\n";
        Collect c = {};
        IniLocation loc;

        assert_int_equal(ini_parse(text, strlen(text), 0, collect, &c, &loc), 0);
        assert_string_equal(c.log, "3:A:=;5:A:k=v    w;9:A:j=1;10:B:=;");

        /* strict: blank lines count, so the bad line is reported where it is */
        c = (Collect) {};
        assert_int_equal(ini_parse(text, strlen(text), INI_STRICT, collect, &c, &loc), -EBADMSG);
        assert_int_equal(loc.line, 11);
        assert_int_equal(loc.error, INI_ERROR_MISSING_EQUALS);

        c = (Collect) {};
        assert_int_equal(ini_parse("\n\nk=v\n", 5, INI_STRICT, collect, &c, &loc), -EBADMSG);
        assert_int_equal(loc.line, 3);
        assert_int_equal(loc.error, INI_ERROR_OUTSIDE_SECTION);

        assert_int_equal(ini_parse("[A\n", 3, 0, collect, &c, &loc), -EBADMSG);
        assert_int_equal(loc.error, INI_ERROR_SECTION_UNTERMINATED);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_capabilities),
                cmocka_unit_test(test_caps_format),
                cmocka_unit_test(test_address_families),
                cmocka_unit_test(test_namespaces),
                cmocka_unit_test(test_private_settings),
                cmocka_unit_test(test_versions),
                cmocka_unit_test(test_native_mask),
                cmocka_unit_test(test_syscall_filter),
                cmocka_unit_test(test_bpf_directives),
                cmocka_unit_test(test_requested),
                cmocka_unit_test(test_dropin_precedence),
                cmocka_unit_test(test_templates),
                cmocka_unit_test(test_value_split),
                cmocka_unit_test(test_ini_lines),
        };

        return cmocka_run_group_tests(tests, names_builtin_setup, names_teardown);
}
