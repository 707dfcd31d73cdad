/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the generator decides for one unit, from its text: prerequisites added or refused, and the
 * policy it records, which must parse with the publisher's own parser. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "generator-unit.h"
#include "macro.h"
#include "../unit/test-util.h"
#include "policy.h"

#define EXEC "/usr/bin/bpftoken-exec"
#define SOCKET "/run/bpftoken/publish.sock"

static char dir[] = "/tmp/test-generator-plan.XXXXXX";

static int setup(void **state) {
        if (names_builtin_setup(state) < 0 || !mkdtemp(dir))
                return -1;
        return 0;
}

static int teardown(void **state) {
        names_teardown(state);
        (void) rmdir(dir);
        return 0;
}

/* Plans the unit file at path, with its drop-ins. */
static int plan_file(unsigned version, const char *path, GeneratorPlan *ret) {
        _cleanup_(unit_config_freep) UnitConfig *c = NULL;
        GeneratorContext ctx = {
                .names = names_builtin,
                .systemd_version = version,
                .exec_path = EXEC,
                .socket_unit = "bpftoken-publish.socket",
                .socket_path = SOCKET,
        };

        assert_int_equal(unit_config_load_file(path, NULL, &c), 0);
        return generator_plan_unit(&ctx, c, ret);
}

/* Plans a unit given as text, written to DIR/name. */
static int plan_text(unsigned version, const char *name, const char *text, GeneratorPlan *ret) {
        _cleanup_(freep) char *p = NULL;
        int r;

        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        write_text(p, text);
        r = plan_file(version, p, ret);
        unlink(p);
        return r;
}

#define UNIT_HEAD "[Service]\nExecStart=/usr/bin/app --x\nPrivateBPF=yes\nBPFDelegateCommands=BPFProgLoad\n"

static const char *strempty_(const char *s) {
        return s ?: "";
}

static void expect_write(unsigned version, const char *text, GeneratorPlan *p) {
        assert_int_equal(plan_text(version, "t.service", text, p), 0);
        if (p->result != PLAN_WRITE)
                fail_msg("expected a drop-in, got %d: %s", p->result, strempty_(p->message));
}

static void expect_skip(unsigned version, const char *text, const char *message_part) {
        GeneratorPlan p = {};

        assert_int_equal(plan_text(version, "t.service", text, &p), 0);
        if (p.result != PLAN_SKIP)
                fail_msg("expected a refusal mentioning '%s', got %d", message_part, p.result);
        assert_non_null(p.message);
        if (!strstr(p.message, message_part))
                fail_msg("'%s' lacks '%s'", p.message, message_part);
        assert_null(p.dropin);
        assert_null(p.policy);
        generator_plan_done(&p);
}

static bool has_line(const char *text, const char *line) {
        size_t n = strlen(line);

        for (const char *s = text; s && *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL)
                if (strncmp(s, line, n) == 0 && (s[n] == '\n' || s[n] == '\0'))
                        return true;
        return false;
}

static void expect_line(unsigned version, const char *text, const char *line, bool present) {
        GeneratorPlan p = {};

        expect_write(version, text, &p);
        assert_non_null(p.dropin);
        if (has_line(p.dropin, line) != present)
                fail_msg("line '%s' %s in:\n%s", line, present ? "missing" : "unexpected", p.dropin);
        generator_plan_done(&p);
}

static void test_basic_252(void **state) {
        GeneratorPlan p = {};
        Policy *pol = NULL;
        char error[512] = "";

        expect_write(252, UNIT_HEAD "User=app\nBPFDelegateMaps=array\nBPFDelegatePrograms=BPFProgTypeKprobe\n", &p);
        assert_non_null(p.dropin);
        assert_true(strncmp(p.dropin, GENERATOR_HEADER, strlen(GENERATOR_HEADER)) == 0);
        assert_true(has_line(p.dropin, "[Unit]"));
        assert_true(has_line(p.dropin, "Wants=bpftoken-publish.socket"));
        assert_true(has_line(p.dropin, "After=bpftoken-publish.socket"));
        assert_true(has_line(p.dropin, "PrivateUsers=yes"));
        assert_true(has_line(p.dropin, "PrivateMounts=yes"));
        assert_true(has_line(p.dropin, "AmbientCapabilities=CAP_BPF CAP_PERFMON"));
        assert_true(has_line(p.dropin, "ExecStart="));
        assert_true(has_line(p.dropin, "ExecStart=" EXEC " -- /usr/bin/app --x"));
        assert_false(has_line(p.dropin, "DelegateNamespaces=mnt"));

        /* The policy parses with the publisher's parser, to the same delegation. */
        assert_non_null(p.policy);
        assert_int_equal(policy_parse(names_builtin, "t.service.conf", p.policy, &pol, error, sizeof error), 0);
        assert_int_equal(pol->match, POLICY_MATCH_UNIT);
        assert_string_equal(pol->unit, "t.service");
        assert_memory_equal(&pol->delegation, &p.delegation, sizeof(Delegation));
        assert_int_equal(p.delegation.masks[BPF_KIND_COMMAND], UINT64_C(1) << 5);
        assert_int_equal(p.delegation.masks[BPF_KIND_MAP], UINT64_C(1) << 2);
        policy_free(pol);
        generator_plan_done(&p);
}

static void test_native_262(void **state) {
        GeneratorPlan p = {};

        expect_write(262, UNIT_HEAD "DynamicUser=yes\nBPFDelegateMaps=array hash\n", &p);
        assert_null(p.policy);
        assert_non_null(p.dropin);
        assert_true(has_line(p.dropin, "PrivateUsers=yes"));
        assert_true(has_line(p.dropin, "PrivateMounts=yes"));
        assert_true(has_line(p.dropin, "DelegateNamespaces=mnt"));
        assert_true(has_line(p.dropin, "AmbientCapabilities=CAP_BPF"));
        assert_true(has_line(p.dropin, "BPFDelegateMaps="));
        assert_true(has_line(p.dropin, "BPFDelegateMaps=BPFMapTypeHash,BPFMapTypeArray"));
        assert_false(has_line(p.dropin, "BPFDelegateCommands="));  /* already native */
        /* the token path: the commands run through bpftoken-exec, which needs no publisher */
        assert_true(has_line(p.dropin, "ExecStart="));
        assert_non_null(strstr(p.dropin, "bpftoken-exec -- /usr/bin/app --x"));
        assert_null(strstr(p.dropin, "[Unit]"));
        generator_plan_done(&p);

        /* no prerequisite missing: only the token path */
        expect_write(262, UNIT_HEAD "PrivateUsers=self\nPrivateMounts=yes\nDelegateNamespaces=mnt\n", &p);
        assert_non_null(p.dropin);
        assert_false(has_line(p.dropin, "PrivateUsers=yes"));
        assert_false(has_line(p.dropin, "DelegateNamespaces=mnt"));
        assert_non_null(strstr(p.dropin, "bpftoken-exec -- /usr/bin/app --x"));
        assert_null(p.policy);
        generator_plan_done(&p);

        /* nothing delegated: no token, no token path, nothing to write */
        expect_write(262, "[Service]\nExecStart=/usr/bin/app\nPrivateBPF=yes\nPrivateUsers=self\n"
                     "PrivateMounts=yes\nDelegateNamespaces=mnt\n", &p);
        assert_null(p.dropin);
        generator_plan_done(&p);

        /* DelegateNamespaces= */
        expect_line(262, UNIT_HEAD "DelegateNamespaces=net\n", "DelegateNamespaces=mnt", true);
        expect_line(262, UNIT_HEAD "DelegateNamespaces=~net\n", "DelegateNamespaces=mnt", false);
        expect_line(262, UNIT_HEAD "DelegateNamespaces=yes\n", "DelegateNamespaces=mnt", false);
        expect_line(262, UNIT_HEAD "DelegateNamespaces=no\nDelegateNamespaces=\n", "DelegateNamespaces=mnt", true);
        expect_skip(262, UNIT_HEAD "DelegateNamespaces=~mnt net\n", "DelegateNamespaces=");
        expect_skip(262, UNIT_HEAD "DelegateNamespaces=no\n", "DelegateNamespaces=");

        /* what only systemd < 258 cares about is fine natively; bpftoken-exec is not inside the root */
        expect_write(262, UNIT_HEAD "RestrictAddressFamilies=~AF_UNIX\nRootDirectory=/srv\n", &p);
        assert_null(strstr(p.dropin, "ExecStart"));
        generator_plan_done(&p);
}

#define CGROUP_HEAD UNIT_HEAD "BPFDelegatePrograms=BPFProgTypeCgroupSkb\n"

/* Issue 8: cgroup programs confined to the unit's subtree, the unit's own network namespace. */
static void test_attach(void **state) {
        GeneratorPlan p = {};

        /* 252: the publisher confines by itself; nothing in the drop-in */
        expect_line(252, CGROUP_HEAD, "ProtectControlGroups=private", false);
        /* 257: systemd's private cgroup namespace where the unit leaves it open */
        expect_line(257, CGROUP_HEAD, "ProtectControlGroups=private", true);
        expect_line(257, CGROUP_HEAD "ProtectControlGroups=yes\n", "ProtectControlGroups=strict", true);
        expect_line(257, CGROUP_HEAD "ProtectControlGroups=no\n", "ProtectControlGroups=private", false);
        expect_line(257, CGROUP_HEAD, "DelegateNamespaces=cgroup", false);
        /* no cgroup program type: nothing */
        expect_line(257, UNIT_HEAD "BPFDelegatePrograms=BPFProgTypeXdp\n", "ProtectControlGroups=private", false);

        /* >= 258 root: the private cgroupfs needs the cgroup namespace delegated, and the unit owns its
         * mount namespace, so no mount calls */
        expect_line(262, CGROUP_HEAD, "ProtectControlGroups=private", true);
        expect_line(262, CGROUP_HEAD, "DelegateNamespaces=cgroup", true);
        expect_line(262, CGROUP_HEAD, "SystemCallFilter=~@mount", true);
        expect_line(262, CGROUP_HEAD "DelegateNamespaces=mnt cgroup\n", "DelegateNamespaces=cgroup", false);
        expect_line(262, CGROUP_HEAD "CapabilityBoundingSet=~CAP_SYS_ADMIN\n", "SystemCallFilter=~@mount", false);
        expect_line(262, CGROUP_HEAD "User=app\n", "SystemCallFilter=~@mount", false);
        expect_line(262, CGROUP_HEAD "User=app\nAmbientCapabilities=CAP_SYS_ADMIN\n", "SystemCallFilter=~@mount",
                    true);
        expect_line(262, UNIT_HEAD, "ProtectControlGroups=private", false);

        /* >= 258, ProtectControlGroups=no: not silently weakened, not overridden, but said */
        expect_write(262, CGROUP_HEAD "ProtectControlGroups=no\n", &p);
        assert_false(has_line(p.dropin, "ProtectControlGroups=private"));
        assert_non_null(p.notes);
        assert_non_null(strstr(p.notes[0], "every cgroup of the host"));
        generator_plan_done(&p);

        /* the network namespace */
        expect_line(262, UNIT_HEAD "PrivateNetwork=yes\n", "DelegateNamespaces=net", true);
        expect_line(262, UNIT_HEAD "PrivateNetwork=yes\nDelegateNamespaces=mnt net\n", "DelegateNamespaces=net",
                    false);
        expect_line(262, UNIT_HEAD, "DelegateNamespaces=net", false);
        expect_line(252, UNIT_HEAD "PrivateNetwork=yes\n", "DelegateNamespaces=net", false);

        /* < 258: the publisher's network namespace, asked for by bpftoken-exec */
#define XDP_NET UNIT_HEAD "BPFDelegatePrograms=BPFProgTypeXdp\nPrivateNetwork=yes\n"
        expect_write(252, XDP_NET, &p);
        assert_non_null(strstr(p.dropin, "bpftoken-exec --own-netns -- /usr/bin/app --x"));
        assert_false(has_line(p.dropin, "AmbientCapabilities=CAP_SYS_ADMIN"));
        generator_plan_done(&p);
        expect_write(257, XDP_NET "User=app\n", &p);
        assert_non_null(strstr(p.dropin, "bpftoken-exec --own-netns=drop-cap-sys-admin -- /usr/bin/app --x"));
        assert_true(has_line(p.dropin, "AmbientCapabilities=CAP_SYS_ADMIN"));
        generator_plan_done(&p);
        expect_write(252, XDP_NET "SystemCallFilter=@system-service bpf\n", &p);
        assert_non_null(strstr(p.dropin, "--own-netns"));
        generator_plan_done(&p);
        /* settings that make it impossible: kept as written, and said */
        expect_write(252, XDP_NET "RestrictNamespaces=yes\n", &p);
        assert_null(strstr(p.dropin, "--own-netns"));
        assert_non_null(p.notes);
        assert_non_null(strstr(p.notes[0], "RestrictNamespaces="));
        generator_plan_done(&p);
        expect_write(252, XDP_NET "RestrictNamespaces=~user net\n", &p);
        assert_null(strstr(p.dropin, "--own-netns"));
        generator_plan_done(&p);
        expect_write(252, XDP_NET "RestrictNamespaces=net\n", &p);
        assert_non_null(strstr(p.dropin, "--own-netns"));
        generator_plan_done(&p);
        expect_write(252, XDP_NET "SystemCallFilter=read write bpf\n", &p);
        assert_null(strstr(p.dropin, "--own-netns"));
        assert_non_null(strstr(p.notes[0], "SystemCallFilter="));
        generator_plan_done(&p);
        expect_write(252, XDP_NET "SystemCallFilter=@system-service\nSystemCallFilter=~setns\n", &p);
        assert_null(strstr(p.dropin, "--own-netns"));
        generator_plan_done(&p);
        expect_write(252, XDP_NET "CapabilityBoundingSet=CAP_BPF CAP_NET_ADMIN\n", &p);
        assert_null(strstr(p.dropin, "--own-netns"));
        assert_non_null(strstr(p.notes[0], "CapabilityBoundingSet="));
        generator_plan_done(&p);
        /* no private network namespace, or no netlink-attachable type: nothing */
        expect_write(252, UNIT_HEAD "BPFDelegatePrograms=BPFProgTypeXdp\n", &p);
        assert_null(strstr(p.dropin, "--own-netns"));
        generator_plan_done(&p);
        expect_write(252, UNIT_HEAD "BPFDelegatePrograms=BPFProgTypeSocketFilter\nPrivateNetwork=yes\n", &p);
        assert_null(strstr(p.dropin, "--own-netns"));
        generator_plan_done(&p);
}

static void test_private_settings(void **state) {
        /* systemd 252 ignores PrivateUsers=self (from 257 on it is understood): the drop-in sets yes */
        expect_line(252, UNIT_HEAD "PrivateUsers=self\n", "PrivateUsers=yes", true);
        expect_line(257, UNIT_HEAD "PrivateUsers=self\n", "PrivateUsers=yes", false);
        expect_line(257, UNIT_HEAD "PrivateUsers=identity\n", "PrivateUsers=yes", false);
        expect_line(252, UNIT_HEAD "PrivateUsers=true\n", "PrivateUsers=yes", false);
        /* systemd ignores an empty PrivateUsers= (measured on 252, 257, 262): no stays */
        expect_skip(252, UNIT_HEAD "PrivateUsers=no\nPrivateUsers=\n", "PrivateUsers=no");
        expect_skip(252, UNIT_HEAD "PrivateUsers=no\n", "PrivateUsers=no");
        expect_skip(252, UNIT_HEAD "PrivateUsers=bogus\n", "PrivateUsers=bogus");
        expect_skip(262, UNIT_HEAD "PrivateUsers=off\n", "PrivateUsers=off");
        expect_line(252, UNIT_HEAD "PrivateMounts=on\n", "PrivateMounts=yes", false);
        expect_skip(252, UNIT_HEAD "PrivateMounts=no\n", "PrivateMounts=no");
        expect_skip(252, UNIT_HEAD "PrivateMounts=maybe\n", "PrivateMounts=maybe");
        expect_skip(252, UNIT_HEAD "RootImage=/srv/image.raw\n", "RootImage=");
        expect_skip(252, UNIT_HEAD "RootDirectory=/srv/root\n", "RootDirectory=");
}

static void test_capabilities(void **state) {
        /* root: nothing ambient */
        expect_line(252, UNIT_HEAD, "AmbientCapabilities=CAP_BPF", false);
        expect_line(252, UNIT_HEAD "User=root\n", "AmbientCapabilities=CAP_BPF", false);
        expect_line(252, UNIT_HEAD "User=0\n", "AmbientCapabilities=CAP_BPF", false);
        expect_line(252, UNIT_HEAD "User=app\nUser=\n", "AmbientCapabilities=CAP_BPF", false);
        expect_line(252, UNIT_HEAD "User=app\n", "AmbientCapabilities=CAP_BPF", true);
        expect_line(252, UNIT_HEAD "DynamicUser=yes\n", "AmbientCapabilities=CAP_BPF", true);
        expect_line(252, UNIT_HEAD "DynamicUser=yes\nUser=root\n", "AmbientCapabilities=CAP_BPF", true);
        /* what is there already is not added again */
        expect_line(252, UNIT_HEAD "User=app\nAmbientCapabilities=cap_bpf\n", "AmbientCapabilities=CAP_BPF", false);
        expect_line(252, UNIT_HEAD "User=app\nAmbientCapabilities=CAP_BPF\nAmbientCapabilities=\n",
                    "AmbientCapabilities=CAP_BPF", true);
        expect_line(252, UNIT_HEAD "User=app\nAmbientCapabilities=~CAP_SYS_ADMIN\n",
                    "AmbientCapabilities=CAP_BPF", false);
        expect_line(252, UNIT_HEAD "User=app\nBPFDelegatePrograms=xdp,kprobe\nAmbientCapabilities=CAP_PERFMON\n",
                    "AmbientCapabilities=CAP_BPF CAP_NET_ADMIN", true);

        /* the bounding set must allow them */
        expect_skip(252, UNIT_HEAD "CapabilityBoundingSet=CAP_NET_ADMIN\n", "CAP_BPF");
        expect_skip(252, UNIT_HEAD "CapabilityBoundingSet=~CAP_BPF\n", "CapabilityBoundingSet=");
        expect_skip(252, UNIT_HEAD "CapabilityBoundingSet=CAP_BPF\nCapabilityBoundingSet=\n", "CAP_BPF");
        expect_skip(262, UNIT_HEAD "BPFDelegatePrograms=kprobe\nCapabilityBoundingSet=CAP_BPF\n", "CAP_PERFMON");
        expect_line(252, UNIT_HEAD "CapabilityBoundingSet=CAP_SYS_ADMIN\nCapabilityBoundingSet=CAP_BPF\n",
                    "PrivateUsers=yes", true);
        expect_line(252, UNIT_HEAD "CapabilityBoundingSet=~CAP_SYS_ADMIN\n", "PrivateUsers=yes", true);
        expect_line(252, UNIT_HEAD "CapabilityBoundingSet=~CAP_BPF\nCapabilityBoundingSet=CAP_BPF\n",
                    "PrivateUsers=yes", true);
}

static void test_address_families(void **state) {
        expect_line(252, UNIT_HEAD "RestrictAddressFamilies=AF_INET AF_INET6\n", "RestrictAddressFamilies=AF_UNIX", true);
        expect_line(252, UNIT_HEAD "RestrictAddressFamilies=none\n", "RestrictAddressFamilies=AF_UNIX", true);
        expect_line(252, UNIT_HEAD "RestrictAddressFamilies=AF_INET AF_UNIX\n", "RestrictAddressFamilies=AF_UNIX", false);
        expect_line(252, UNIT_HEAD "RestrictAddressFamilies=AF_INET\nRestrictAddressFamilies=AF_LOCAL\n",
                    "RestrictAddressFamilies=AF_UNIX", false);
        expect_line(252, UNIT_HEAD "RestrictAddressFamilies=AF_UNIX\nRestrictAddressFamilies=~AF_UNIX\n",
                    "RestrictAddressFamilies=AF_UNIX", true);
        expect_line(252, UNIT_HEAD "RestrictAddressFamilies=AF_INET\nRestrictAddressFamilies=\n",
                    "RestrictAddressFamilies=AF_UNIX", false);
        expect_line(252, UNIT_HEAD "RestrictAddressFamilies=~AF_INET\n", "RestrictAddressFamilies=AF_UNIX", false);
        expect_line(252, UNIT_HEAD "RestrictAddressFamilies=~AF_UNIX\nRestrictAddressFamilies=AF_UNIX\n",
                    "RestrictAddressFamilies=AF_UNIX", false);
        expect_skip(252, UNIT_HEAD "RestrictAddressFamilies=~AF_NETLINK AF_UNIX\n", "AF_UNIX");
        expect_skip(252, UNIT_HEAD "RestrictAddressFamilies=~AF_INET\nRestrictAddressFamilies=~AF_UNIX\n", "AF_UNIX");
        /* natively nothing needs AF_UNIX */
        expect_line(262, UNIT_HEAD "RestrictAddressFamilies=AF_INET\n", "RestrictAddressFamilies=AF_UNIX", false);
}

static void test_socket_hidden(void **state) {
        expect_skip(252, UNIT_HEAD "InaccessiblePaths=/run\n", "InaccessiblePaths=");
        expect_skip(252, UNIT_HEAD "InaccessiblePaths=-/run/bpftoken/\n", "InaccessiblePaths=");
        expect_skip(252, UNIT_HEAD "TemporaryFileSystem=/run:ro\n", "TemporaryFileSystem=");
        expect_line(252, UNIT_HEAD "InaccessiblePaths=/run/other /runx\n", "PrivateUsers=yes", true);
        expect_line(252, UNIT_HEAD "TemporaryFileSystem=/run\nBindReadOnlyPaths=/run/bpftoken\n", "PrivateUsers=yes", true);
        expect_line(252, UNIT_HEAD "InaccessiblePaths=/run\nBindPaths=-/srv/x:" SOCKET ":rbind\n", "PrivateUsers=yes", true);
}

static void test_directives(void **state) {
        GeneratorPlan p = {};

        /* nothing asked for */
        assert_int_equal(plan_text(252, "t.service", "[Service]\nExecStart=/bin/a\n", &p), 0);
        assert_int_equal(p.result, PLAN_IGNORE);
        assert_int_equal(plan_text(252, "t.service", "[Service]\nExecStart=/bin/a\nPrivateBPF=no\n", &p), 0);
        assert_int_equal(p.result, PLAN_IGNORE);
        assert_int_equal(plan_text(252, "t.service", "[Service]\nExecStart=/bin/a\nPrivateBPF=no\n"
                                   "BPFDelegateCommands=BPFProgLoad\n", &p), 0);
        assert_int_equal(p.result, PLAN_IGNORE);
        /* systemd 262 ignores an empty PrivateBPF= (measured): yes stays, so does bpftoken's reading */
        assert_int_equal(plan_text(252, "t.service", "[Service]\nExecStart=/bin/a\nPrivateBPF=yes\nPrivateBPF=\n", &p), 0);
        assert_int_equal(p.result, PLAN_WRITE);
        generator_plan_done(&p);
        assert_int_equal(plan_text(252, "t.service", "[Service]\nExecStart=/bin/a\nPrivateBPF=yes\nPrivateBPF=no\n", &p), 0);
        assert_int_equal(p.result, PLAN_IGNORE);
        /* in the wrong section */
        assert_int_equal(plan_text(252, "t.service", "[Unit]\nPrivateBPF=yes\n[Service]\nExecStart=/bin/a\n", &p), 0);
        assert_int_equal(p.result, PLAN_IGNORE);

        expect_skip(252, "[Service]\nExecStart=/bin/a\nBPFDelegateCommands=BPFProgLoad\n", "without PrivateBPF=yes");
        expect_skip(252, "[Service]\nExecStart=/bin/a\nX-BPFTokenPreset=libbpf\n", "without PrivateBPF=yes");
        expect_skip(252, "[Service]\nExecStart=/bin/a\nPrivateBPF=maybe\n", "PrivateBPF=maybe");
        expect_skip(252, UNIT_HEAD "BPFDelegateMaps=nosuchmap\n", "BPFDelegateMaps=nosuchmap");
        expect_skip(252, UNIT_HEAD "X-BPFTokenPreset=nosuchpreset\n", "X-BPFTokenPreset=");
        assert_int_equal(plan_text(252, "t.socket", "[Socket]\nListenStream=/x\n[Service]\nPrivateBPF=yes\n", &p), 0);
        assert_int_equal(p.result, PLAN_SKIP);
        assert_non_null(strstr(p.message, "only service units"));
        generator_plan_done(&p);
}

static void test_presets(void **state) {
        GeneratorPlan p = {};

        expect_write(252, "[Service]\nExecStart=/bin/a\nPrivateBPF=yes\nX-BPFTokenPreset=libbpf\n"
                     "X-BPFTokenPreset=libbpf, tracing\n", &p);
        assert_int_equal(p.delegation.masks[BPF_KIND_COMMAND], (UINT64_C(1) << 0) | (UINT64_C(1) << 5) | (UINT64_C(1) << 18));
        assert_int_equal(p.delegation.masks[BPF_KIND_ATTACHMENT], UINT64_MAX);
        generator_plan_done(&p);

        /* reset */
        expect_write(252, "[Service]\nExecStart=/bin/a\nPrivateBPF=yes\nX-BPFTokenPreset=tracing\n"
                     "X-BPFTokenPreset=\nX-BPFTokenPreset=libbpf\n", &p);
        assert_int_equal(p.delegation.masks[BPF_KIND_ATTACHMENT], UINT64_C(1));
        generator_plan_done(&p);
}

static void test_exec_lines(void **state) {
        GeneratorPlan p = {};

        expect_write(252, "[Service]\nType=oneshot\nPrivateBPF=yes\nBPFDelegateCommands=BPFProgLoad\n"
                     "ExecStartPre=+/bin/prep\nExecStartPre=/bin/load\nExecStart=/bin/a\nExecStart=@/bin/b argv0 x\n"
                     "ExecStartPost=-/bin/post\nExecStop=/bin/stop\nExecReload=/bin/reload\n", &p);
        assert_true(has_line(p.dropin, "ExecStartPre="));
        assert_true(has_line(p.dropin, "ExecStartPre=+/bin/prep"));
        assert_true(has_line(p.dropin, "ExecStartPre=" EXEC " -- /bin/load"));
        assert_true(has_line(p.dropin, "ExecStart=" EXEC " -- /bin/a"));
        assert_true(has_line(p.dropin, "ExecStart=" EXEC " --argv0 argv0 -- /bin/b x"));
        assert_true(has_line(p.dropin, "ExecStartPost=-" EXEC " -- /bin/post"));
        assert_null(strstr(p.dropin, "ExecStop"));
        assert_null(strstr(p.dropin, "ExecReload"));
        generator_plan_done(&p);

        /* only '+' before: ExecStartPre= is left alone */
        expect_write(252, "[Service]\nPrivateBPF=yes\nExecStartPre=+/bin/prep\nExecStart=/bin/a\n", &p);
        assert_false(has_line(p.dropin, "ExecStartPre="));
        generator_plan_done(&p);

        expect_skip(252, "[Service]\nPrivateBPF=yes\nExecStart=+/bin/a\n", "'+'");
        expect_skip(252, "[Service]\nPrivateBPF=yes\nExecStart=/bin/a\nExecStart=\n", "there are none");
        expect_skip(252, "[Service]\nPrivateBPF=yes\nExecStart=/bin/a 'x\n", "unbalanced");
}

/* A unit with one drop-in in t.service.d/. */
static int plan_with_dropin(unsigned version, const char *text, const char *dropin, const char *dropin_text,
                            GeneratorPlan *ret) {
        _cleanup_(freep) char *p = NULL, *d = NULL, *dp = NULL;
        int r;

        assert_true(asprintf(&p, "%s/t.service", dir) > 0);
        assert_true(asprintf(&d, "%s/t.service.d", dir) > 0);
        assert_true(asprintf(&dp, "%s/%s", d, dropin) > 0);
        assert_int_equal(mkdir(d, 0755), 0);
        write_text(p, text);
        write_text(dp, dropin_text);
        r = plan_file(version, p, ret);
        unlink(dp);
        rmdir(d);
        unlink(p);
        return r;
}

static void test_later_dropins(void **state) {
        GeneratorPlan p = {};

        /* systemctl edit's override.conf sorts before zz-bpftoken.conf: its ExecStart= is wrapped */
        assert_int_equal(plan_with_dropin(252, UNIT_HEAD, "override.conf",
                                          "[Service]\nExecStart=\nExecStart=/bin/b\n", &p), 0);
        assert_int_equal(p.result, PLAN_WRITE);
        assert_true(has_line(p.dropin, "ExecStart=" EXEC " -- /bin/b"));
        assert_null(strstr(p.dropin, "/usr/bin/app"));
        generator_plan_done(&p);

        /* one that sorts after it and replaces a key it writes undoes it */
        assert_int_equal(plan_with_dropin(252, UNIT_HEAD, "zzz.conf", "[Service]\nExecStart=\nExecStart=/bin/b\n", &p), 0);
        assert_int_equal(p.result, PLAN_SKIP);
        assert_non_null(strstr(p.message, "zzz.conf"));
        generator_plan_done(&p);
        assert_int_equal(plan_with_dropin(252, UNIT_HEAD "User=u\n", "zzz.conf", "[Service]\nAmbientCapabilities=\n", &p), 0);
        assert_int_equal(p.result, PLAN_SKIP);
        generator_plan_done(&p);
        assert_int_equal(plan_with_dropin(262, UNIT_HEAD "BPFDelegateMaps=array\n", "zzz.conf",
                                          "[Service]\nBPFDelegateMaps=hash\n", &p), 0);
        assert_int_equal(p.result, PLAN_SKIP);
        generator_plan_done(&p);

        /* adding to a list is fine */
        assert_int_equal(plan_with_dropin(252, UNIT_HEAD "User=u\n", "zzz.conf",
                                          "[Service]\nAmbientCapabilities=CAP_NET_RAW\n", &p), 0);
        assert_int_equal(p.result, PLAN_WRITE);
        assert_true(has_line(p.dropin, "AmbientCapabilities=CAP_BPF"));
        generator_plan_done(&p);

        /* keys it does not write do not matter */
        assert_int_equal(plan_with_dropin(252, UNIT_HEAD, "zzz.conf", "[Service]\nNice=5\n", &p), 0);
        assert_int_equal(p.result, PLAN_WRITE);
        generator_plan_done(&p);
}

static void test_mask_instance(void **state) {
        GeneratorContext ctx = { .names = names_builtin, .systemd_version = 252, .exec_path = EXEC };
        GeneratorPlan p = {};
        Policy *pol = NULL;
        char error[512];

        assert_int_equal(generator_plan_mask_instance(&ctx, "a@b.service", "a@.service", &p), 0);
        assert_int_equal(p.result, PLAN_WRITE);
        assert_non_null(p.dropin);
        assert_null(strstr(p.dropin, "\n["));  /* comments only */
        assert_non_null(p.policy);
        assert_int_equal(policy_parse(names_builtin, "a@b.service.conf", p.policy, &pol, error, sizeof error), 0);
        assert_string_equal(pol->unit, "a@b.service");
        assert_true(delegation_is_empty(&pol->delegation));
        policy_free(pol);
        generator_plan_done(&p);

        ctx.systemd_version = 258;
        assert_int_equal(generator_plan_mask_instance(&ctx, "a@b.service", "a@.service", &p), 0);
        assert_non_null(p.dropin);
        assert_null(p.policy);
        generator_plan_done(&p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_basic_252),
                cmocka_unit_test(test_native_262),
                cmocka_unit_test(test_attach),
                cmocka_unit_test(test_private_settings),
                cmocka_unit_test(test_capabilities),
                cmocka_unit_test(test_address_families),
                cmocka_unit_test(test_socket_hidden),
                cmocka_unit_test(test_directives),
                cmocka_unit_test(test_presets),
                cmocka_unit_test(test_exec_lines),
                cmocka_unit_test(test_later_dropins),
                cmocka_unit_test(test_mask_instance),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
