/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

typedef struct PolicyUnit {
        char *unit;             /* Unit= value, may be a template "foo@.service" */
        Delegation delegation;
} PolicyUnit;

static void policy_units_free(PolicyUnit *l, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(l[i].unit);
        free(l);
}

/* Administrator policies that name a unit (Unit=): bpftoken serves those units even without
 * settings in the unit file. Files that do not load (bad owner, syntax) are skipped here; the
 * publisher reports them. */
static int load_policy_units(const BpfNames *names, PolicyUnit **ret, size_t *ret_n) {
        _cleanup_(closep) int dir_fd = -EBADF;
        PolicyUnit *l = NULL;
        size_t n = 0;
        char full[4096];
        struct dirent *de;
        DIR *d;

        *ret = NULL;
        *ret_n = 0;
        /* (config.h may carry the directory relative to /, as meson's sysconfdir is.) */
        snprintf(full, sizeof full, "%s%s%s", arg_root ?: "", BPFTOKEN_POLICY_DIR[0] == '/' ? "" : "/",
                 BPFTOKEN_POLICY_DIR);
        dir_fd = open(full, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (dir_fd < 0)
                return 0;
        d = opendir(full);
        if (!d)
                return 0;
        while ((de = readdir(d))) {
                Policy *p = NULL;
                char error[256];
                size_t len = strlen(de->d_name);
                PolicyUnit *x;

                if (de->d_name[0] == '.' || len < 6 || !streq(de->d_name + len - 5, ".conf"))
                        continue;
                if (policy_load_file(names, dir_fd, full, de->d_name, &p, error, sizeof error) < 0)
                        continue;
                if (p->match != POLICY_MATCH_UNIT || !p->unit) {
                        policy_free(p);
                        continue;
                }
                x = reallocarray(l, n + 1, sizeof *x);
                if (!x || !(x[n].unit = strdup(p->unit))) {
                        policy_free(p);
                        closedir(d);
                        policy_units_free(x ?: l, n);
                        return -ENOMEM;
                }
                x[n].delegation = p->delegation;
                l = x;
                n++;
                policy_free(p);
        }
        closedir(d);
        *ret = l;
        *ret_n = n;
        return 0;
}

int verb_units(int argc, char *argv[]) {
        _cleanup_(table_freep) Table *t = NULL;
        _cleanup_(strv_freep) char **path = NULL, **names_list = NULL;
        PolicyUnit *policies = NULL;
        size_t n_policies = 0;
        const BpfNames *names;
        int version = -1, r;

        if (argc > 1)
                return log_error_errno(-EINVAL, "The 'units' verb takes no arguments.");
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
        r = load_policy_units(names, &policies, &n_policies);
        if (r < 0)
                return log_oom();

        r = table_new((const char *const[]) {
                        "UNIT", "IMPLEMENTATION", "STATE", "COMMANDS", "MAPS", "PROGRAMS", "ATTACHMENTS",
                        /* JSON only */
                        "FRAGMENT PATH", "PRIVATE BPF", "SOURCE", "REASON", "ERRORS", "WARNINGS", NULL }, &t);
        if (r < 0) {
                policy_units_free(policies, n_policies);
                return log_oom();
        }
        for (size_t c = 7; c <= 12; c++)
                (void) table_set_hidden(t, c, true);

        for (char **n = names_list; n && *n; n++) {
                _cleanup_(unit_bpf_freep) UnitBpf *u = NULL;
                _cleanup_(freep) char *state = NULL;
                const char *impl, *reason = NULL;
                const PolicyUnit *policy = NULL;
                bool from_policy = false;
                const Delegation *shown;
                Findings f = {};
                CheckContext ctx = { .systemd_version = version, .token_support = 1 };

                if (unit_bpf_load(names, arg_root, *n, 0, NULL, &u) < 0)
                        continue;
                for (size_t i = 0; i < n_policies; i++)
                        if (policy_unit_matches(policies[i].unit, *n)) {
                                policy = &policies[i];
                                from_policy = true;
                                break;
                        }
                if (!unit_bpf_wanted(u) && !from_policy)
                        continue;

                impl = unit_implementation(u, version, &reason);
                if (from_policy && !unit_bpf_wanted(u)) {
                        impl = "bpftoken";
                        reason = "an administrator policy (Unit=) delegates to it";
                }
                (void) unit_active_state(*n, &state);
                if (unit_bpf_wanted(u) && unit_bpf_check(u, names, &ctx, &f) < 0) {
                        findings_done(&f);
                        policy_units_free(policies, n_policies);
                        return log_oom();
                }
                /* A policy-only unit shows what the policy grants. */
                shown = !unit_bpf_wanted(u) && policy ? &policy->delegation : &u->requested;

                r = table_add_string(t, *n);
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
                if (r < 0) {
                        policy_units_free(policies, n_policies);
                        return log_oom();
                }
        }
        policy_units_free(policies, n_policies);

        return analyze_print_table(t);
}
