/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze-attach.h"
#include "macro.h"

#define HEAD "[Service]\nExecStart=/bin/true\nPrivateBPF=yes\nBPFDelegateCommands=BPFProgLoad\n"
#define CGROUP HEAD "BPFDelegatePrograms=BPFProgTypeCgroupSkb\n"

static BpfNames *names;

static UnitBpf *load(const char *text) {
        char path[] = "/tmp/test-analyze-attach-XXXXXX.service";
        UnitBpf *u = NULL;
        FILE *f;
        int fd;

        fd = mkstemps(path, strlen(".service"));
        assert_true(fd >= 0);
        f = fdopen(fd, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
        assert_int_equal(unit_bpf_load(names, NULL, path, 0, NULL, &u), 0);
        unlink(path);
        return u;
}

static void expect(const char *text, int version, bool unconfined) {
        UnitBpf *u = load(text);
        const char *why = unit_cgroup_unconfined(names, u, version);

        if (!!why != unconfined)
                fail_msg("systemd %d, unit:\n%s\nexpected %s, got %s", version, text,
                         unconfined ? "unconfined" : "confined", why ?: "confined");
        unit_bpf_free(u);
}

static void test_cgroup(void **state) {
        /* < 258: the publisher confines, whatever the unit says */
        expect(CGROUP, 252, false);
        expect(CGROUP "ProtectControlGroups=no\n", 252, false);
        expect(CGROUP "ProtectControlGroups=no\n", 257, false);
        /* >= 258: the generator adds private, never over an explicit no */
        expect(CGROUP, 262, false);
        expect(CGROUP "ProtectControlGroups=yes\n", 262, false);
        expect(CGROUP "ProtectControlGroups=strict\n", 262, false);
        expect(CGROUP "ProtectControlGroups=no\n", 262, true);
        expect(CGROUP "ProtectControlGroups=no\n", -1, true);
        /* no cgroup program type, or nothing delegated at all */
        expect(HEAD "BPFDelegatePrograms=BPFProgTypeXdp\nProtectControlGroups=no\n", 262, false);
        expect("[Service]\nExecStart=/bin/true\nBPFDelegatePrograms=BPFProgTypeCgroupSkb\nProtectControlGroups=no\n",
               262, false);
}

static void test_findings(void **state) {
        CheckContext ctx = { .systemd_version = 262, .token_support = 1 };
        UnitBpf *u = load(CGROUP "ProtectControlGroups=no\nPrivateNetwork=yes\n");
        Findings f = {};

        assert_int_equal(unit_attach_check(u, names, &ctx, &f), 0);
        assert_int_equal(f.n, 1);
        assert_string_equal(f.list[0].code, "cgroup-unconfined");
        assert_int_equal(f.list[0].severity, SEVERITY_WARNING);
        findings_done(&f);
        unit_bpf_free(u);

        /* < 258: bpftoken gives the unit its own network namespace, unless a setting forbids it */
        ctx.systemd_version = 252;
        u = load(HEAD "BPFDelegatePrograms=BPFProgTypeXdp\nPrivateNetwork=yes\n");
        assert_int_equal(unit_attach_check(u, names, &ctx, &f), 0);
        assert_int_equal(f.n, 0);
        findings_done(&f);
        unit_bpf_free(u);
        u = load(HEAD "BPFDelegatePrograms=BPFProgTypeXdp\nPrivateNetwork=yes\nRestrictNamespaces=yes\n");
        assert_int_equal(unit_attach_check(u, names, &ctx, &f), 0);
        assert_int_equal(f.n, 1);
        assert_string_equal(f.list[0].code, "netlink-attach");
        assert_non_null(strstr(f.list[0].message, "RestrictNamespaces="));
        findings_done(&f);
        /* >= 258: DelegateNamespaces=net is set up before the unit's seccomp filters */
        ctx.systemd_version = 262;
        assert_int_equal(unit_attach_check(u, names, &ctx, &f), 0);
        assert_int_equal(f.n, 0);
        findings_done(&f);
        unit_bpf_free(u);
}

static int setup(void **state) {
        return bpf_names_load(NULL, &names) < 0 ? -1 : 0;
}

static int teardown(void **state) {
        bpf_names_free(names);
        return 0;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cgroup),
                cmocka_unit_test(test_findings),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
