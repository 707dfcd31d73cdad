/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "analyze-policy.h"
#include "analyze-unit.h"
#include "analyze.h"
#include "config.h"
#include "log.h"
#include "macro.h"
#include "policy.h"

const char *unit_implementation(const UnitBpf *u, int version, const char **ret_reason) {
        char path[4096];
        const char *reason;

        if (version >= SYSTEMD_NATIVE_PRIVATE_BPF) {
                reason = "systemd >= 258 implements PrivateBPF= itself";
                if (ret_reason)
                        *ret_reason = reason;
                return "native";
        }

        for (char **d = u->config->dropin_paths; d && *d; d++)
                if (strstr(*d, "bpftoken")) {
                        if (ret_reason)
                                *ret_reason = "wrapped by bpftoken-generator";
                        return "bpftoken";
                }
        snprintf(path, sizeof path, "%s%s/%s.conf", arg_root ?: "", BPFTOKEN_GENERATOR_POLICY_DIR, u->config->name);
        if (access(path, F_OK) >= 0) {
                if (ret_reason)
                        *ret_reason = "bpftoken-generator wrote its policy";
                return "bpftoken";
        }
        if (ret_reason)
                *ret_reason = version > 0 ? "systemd < 258 ignores PrivateBPF= and bpftoken-generator has not wrapped "
                                            "this unit (not installed, or no daemon-reload since)" :
                                            "the systemd version could not be told";
        return "none";
}

/* One row of 'units', if the unit has BPF delegation (its own, or an administrator policy's). */
static int add_unit_row(Table *t, const BpfNames *names, const PolicyFiles *policies, int version, const char *n) {
        _cleanup_(unit_bpf_freep) UnitBpf *u = NULL;
        _cleanup_(freep) char *state = NULL;
        const char *impl, *reason = NULL;
        const Policy *policy = NULL;
        const PolicyFileState *pf, *broken = NULL;
        bool from_policy = false;
        const Delegation *shown;
        Findings f = {};
        CheckContext ctx = { .systemd_version = version, .token_support = 1 };
        int r;

        if (unit_bpf_load(names, arg_root, n, 0, NULL, &u) < 0)
                return 0;
        /* Administrator policies (Unit=) serve a unit even without settings in its unit file; one
         * that does not parse still names its unit, which must not vanish from the list. */
        for (size_t iter = 0; (pf = policy_files_for_unit(policies, n, &iter)); ) {
                if (pf->generated)
                        continue;
                from_policy = true;
                if (pf->policy && !policy)
                        policy = pf->policy;
                else if (!pf->policy && !broken)
                        broken = pf;
        }
        if (!unit_bpf_wanted(u) && !from_policy)
                return 0;

        impl = unit_implementation(u, version, &reason);
        if (from_policy && !unit_bpf_wanted(u)) {
                impl = "bpftoken";
                reason = "an administrator policy (Unit=) delegates to it";
        }
        (void) unit_active_state(n, &state);
        if (unit_bpf_wanted(u))
                r = unit_bpf_check(u, names, &ctx, &f);
        else
                r = 0;
        if (r >= 0 && broken)
                r = policy_file_check(broken, &f);
        if (r < 0) {
                findings_done(&f);
                return r;
        }
        if (broken) {
                reason = "its policy file does not parse and the publisher ignores it: run 'bpftoken-analyze "
                         "verify --policy'";
                if (!policy && !unit_bpf_wanted(u))
                        impl = "invalid-policy";
        }
        /* A policy-only unit shows what the policy grants. */
        static const Delegation nothing = {};
        shown = !unit_bpf_wanted(u) ? (policy ? &policy->delegation : &nothing) : &u->requested;

        r = table_add_string(t, n);
        if (r >= 0)
                r = table_add_string(t, impl);
        if (r >= 0)
                r = table_add_string(t, state);
        for (BpfKind k = 0; r >= 0 && k < _BPF_KIND_MAX; k++)
                r = table_add_mask(t, names, k, shown->masks[k], shown->masks[k] == DELEGATION_ANY,
                                   shown->masks[k] != 0);
        if (r >= 0)
                r = table_add_string(t, u->config->fragment_path);
        if (r >= 0)
                r = table_add_boolean(t, u->private_bpf == 1);
        if (r >= 0)
                r = table_add_string(t, from_policy ? (unit_bpf_wanted(u) ? "unit+policy" : "policy") : "unit");
        if (r >= 0)
                r = table_add_string(t, reason);
        if (r >= 0)
                r = table_add_uint64(t, findings_count(&f, SEVERITY_ERROR));
        if (r >= 0)
                r = table_add_uint64(t, findings_count(&f, SEVERITY_WARNING));
        findings_done(&f);
        return r;
}

int verb_units(int argc, char *argv[]) {
        _cleanup_(table_freep) Table *t = NULL;
        _cleanup_(strv_freep) char **path = NULL, **names_list = NULL;
        _cleanup_(policy_files_done) PolicyFiles policies = {};
        const BpfNames *names;
        int version = -1, r;

        if (argc > 1)
                return log_usage_error("The 'units' verb takes no arguments.");
        r = analyze_names(&names);
        if (r < 0)
                return r;
        (void) systemd_version(&version, NULL);

        r = unit_search_path(arg_root, NULL, &path);
        if (r < 0)
                return log_error_errno(r, "Failed to determine the unit search path: %m");
        r = unit_enumerate(path, &names_list);
        if (r < 0)
                return log_error_errno(r, "Failed to enumerate units: %m");
        r = policy_files_scan(names, arg_root, &policies);
        if (r < 0)
                return log_oom();

        r = table_new((const char *const[]) {
                        "UNIT", "IMPLEMENTATION", "STATE", "COMMANDS", "MAPS", "PROGRAMS", "ATTACHMENTS",
                        /* JSON only */
                        "FRAGMENT PATH", "PRIVATE BPF", "SOURCE", "REASON", "ERRORS", "WARNINGS", NULL }, &t);
        if (r < 0)
                return log_oom();
        for (size_t c = 7; c <= 12; c++)
                (void) table_set_hidden(t, c, true);

        for (char **n = names_list; n && *n; n++) {
                r = add_unit_row(t, names, &policies, version, *n);
                if (r < 0)
                        return log_oom();
        }

        return analyze_print_table(t);
}
