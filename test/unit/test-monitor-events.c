/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a recorded bpf() call means (src/monitor/monitor-events.c) and the audit rate limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "macro.h"
#include "monitor-audit.h"
#include "monitor-events.h"
#include "test-util.h"

static MonitorEvent event(unsigned cmd, unsigned type, unsigned eat, int64_t result, bool token) {
        return (MonitorEvent) {
                .cmd = cmd, .type = type, .expected_attach_type = eat, .result = result,
                .flags = token ? BPFTOKEN_MONITOR_EVENT_TOKEN : 0, .token_fd = token ? 4 : -1, .pid = 100,
        };
}

static void test_needs(void **state) {
        MonitorNeed n[MONITOR_NEEDS_MAX];
        MonitorEvent e;

        e = event(0, 27, 0, -EPERM, true); /* map_create ringbuf */
        assert_int_equal(monitor_event_needs(&e, n), 2);
        assert_int_equal(n[0].kind, BPF_KIND_COMMAND);
        assert_int_equal(n[0].bit, 0);
        assert_int_equal(n[1].kind, BPF_KIND_MAP);
        assert_int_equal(n[1].bit, 27);
        e = event(5, 6, 37, 3, true); /* prog_load xdp, expected attach type xdp */
        assert_int_equal(monitor_event_needs(&e, n), 3);
        assert_int_equal(n[1].kind, BPF_KIND_PROGRAM);
        assert_int_equal(n[2].kind, BPF_KIND_ATTACHMENT);
        assert_int_equal(n[2].bit, 37);
        e = event(18, 900, 0, 3, true); /* btf_load: the command only */
        assert_int_equal(monitor_event_needs(&e, n), 1);
        e = event(36, 0, 0, 3, false); /* token_create, link_create: nothing */
        assert_int_equal(monitor_event_needs(&e, n), 0);
        e = event(0, 70, 0, -EPERM, true); /* a type no mask can hold */
        assert_int_equal(monitor_event_needs(&e, n), 1);
}

static void test_missing_and_fix(void **state) {
        Delegation d = { .masks = { UINT64_C(0x40021), 0x6, 0x42, 0x1 } };
        _cleanup_(freep) char *line = NULL;
        MonitorEvent e = event(0, 27, 0, -EPERM, true);
        MonitorNeed need;

        assert_int_equal(monitor_event_missing(&e, &d, &need), 0);
        assert_int_equal(need.kind, BPF_KIND_MAP);
        assert_int_equal(need.bit, 27);
        assert_int_equal(monitor_need_fix_line(names_builtin, &d, &need, &line), 0);
        assert_string_equal(line, "BPFDelegateMaps=BPFMapTypeHash,BPFMapTypeArray,BPFMapTypeRingbuf");

        /* the command comes first */
        d.masks[BPF_KIND_COMMAND] = 0x21;
        e = event(18, 100, 0, -EPERM, true);
        assert_int_equal(monitor_event_missing(&e, &d, &need), 0);
        assert_int_equal(need.kind, BPF_KIND_COMMAND);
        assert_int_equal(need.bit, 18);

        /* the attach type of a program load */
        e = event(5, 6, 37, -EPERM, true);
        assert_int_equal(monitor_event_missing(&e, &d, &need), 0);
        assert_int_equal(need.kind, BPF_KIND_ATTACHMENT);
        assert_int_equal(need.bit, 37);

        /* everything there: another cause */
        e = event(5, 6, 0, -EPERM, true);
        assert_int_equal(monitor_event_missing(&e, &d, &need), -ENOENT);

        /* "any" stays any */
        d.masks[BPF_KIND_PROGRAM] = DELEGATION_ANY;
        need = (MonitorNeed) { BPF_KIND_PROGRAM, 2 };
        free(line);
        line = NULL;
        assert_int_equal(monitor_need_fix_line(names_builtin, &d, &need, &line), 0);
        assert_string_equal(line, "BPFDelegatePrograms=any");
}

static void test_probes(void **state) {
        MonitorProbeFilter f = {};
        MonitorEvent e;

        e = event(5, 1, 0, 3, true);
        strcpy(e.obj_name, "libbpf_nametest");
        assert_true(monitor_probe_filter_classify(&f, &e));
        e = event(5, 1, 0, 3, true); /* unnamed, no BTF */
        assert_true(monitor_probe_filter_classify(&f, &e));
        e = event(5, 1, 0, 3, true);
        strcpy(e.obj_name, "count_packets");
        assert_false(monitor_probe_filter_classify(&f, &e));

        /* a tiny BTF, then an unnamed program with it: a probe */
        e = event(18, 146, 0, 7, true);
        assert_true(monitor_probe_filter_classify(&f, &e));
        e = event(5, 2, 0, 8, true);
        e.btf_fd = 7;
        assert_true(monitor_probe_filter_classify(&f, &e));
        /* the object's BTF in the same fd number later: not a probe */
        e = event(18, 1825, 0, 7, true);
        assert_false(monitor_probe_filter_classify(&f, &e));
        e = event(5, 2, 0, 8, true);
        e.btf_fd = 7;
        assert_false(monitor_probe_filter_classify(&f, &e));
        /* another process's fd 7 is unknown: not a probe */
        e = event(0, 1, 0, 9, true);
        e.btf_fd = 7;
        e.pid = 101;
        assert_false(monitor_probe_filter_classify(&f, &e));
}

static void test_learn(void **state) {
        Delegation d = {};
        MonitorEvent e;

        e = event(0, 1, 0, 3, true);
        assert_true(monitor_learn_event(&d, &e, false));
        e = event(0, 27, 0, -EPERM, true); /* refused */
        assert_false(monitor_learn_event(&d, &e, false));
        e = event(0, 2, 0, 3, false); /* no token */
        assert_false(monitor_learn_event(&d, &e, false));
        e = event(5, 2, 0, 3, true); /* a kprobe probe */
        assert_false(monitor_learn_event(&d, &e, true));
        e = event(5, 1, 0, 3, true); /* libbpf's trivial socket filter: needed */
        assert_true(monitor_learn_event(&d, &e, true));
        assert_int_equal(d.masks[BPF_KIND_COMMAND], 0x21);
        assert_int_equal(d.masks[BPF_KIND_MAP], 0x2);
        assert_int_equal(d.masks[BPF_KIND_PROGRAM], 0x2);
        assert_int_equal(d.masks[BPF_KIND_ATTACHMENT], 0x1);
}

static void test_ratelimit(void **state) {
        AuditRatelimit rl = { .burst = 2, .interval_usec = 1000 };
        unsigned s;

        assert_true(audit_ratelimit_test(&rl, "a.service", 0, &s));
        assert_true(audit_ratelimit_test(&rl, "a.service", 10, &s));
        assert_false(audit_ratelimit_test(&rl, "a.service", 20, &s));
        assert_false(audit_ratelimit_test(&rl, "a.service", 30, &s));
        assert_true(audit_ratelimit_test(&rl, "b.service", 30, &s)); /* per unit */
        assert_int_equal(s, 0);
        assert_true(audit_ratelimit_test(&rl, "a.service", 1000, &s)); /* next interval */
        assert_int_equal(s, 2);
        assert_true(audit_ratelimit_test(&rl, "a.service", 1001, &s));
        assert_int_equal(s, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_needs),
                cmocka_unit_test(test_missing_and_fix),
                cmocka_unit_test(test_probes),
                cmocka_unit_test(test_learn),
                cmocka_unit_test(test_ratelimit),
        };

        return cmocka_run_group_tests(tests, names_builtin_setup, names_teardown);
}
