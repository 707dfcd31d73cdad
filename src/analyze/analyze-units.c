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

/* Units that only an administrator policy (Unit=) delegates to. */
static int add_policy_units(const BpfNames *names, char ***units) {
        static const char *const dirs[] = { BPFTOKEN_POLICY_DIR, NULL };

        for (const char *const *dir = dirs; *dir; dir++) {
                _cleanup_(closep) int dir_fd = -EBADF;
                char full[4096];
                struct dirent *de;
                DIR *d;

                snprintf(full, sizeof full, "%s%s", arg_root ?: "", *dir);
                dir_fd = open(full, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
                if (dir_fd < 0)
                        continue;
                d = opendir(full);
                if (!d)
                        continue;
                while ((de = readdir(d))) {
                        Policy *p = NULL;
                        char error[256];
                        size_t n = 0;
                        char **l;

                        if (de->d_name[0] == '.' || !strstr(de->d_name, ".conf"))
                                continue;
                        if (policy_load_file(names, dir_fd, full, de->d_name, &p, error, sizeof error) < 0)
                                continue;
                        if (p->match != POLICY_MATCH_UNIT || !p->unit) {
                                policy_free(p);
                                continue;
                        }
                        for (char **i = *units; i && *i; i++, n++)
                                if (streq(*i, p->unit))
                                        goto next;
                        l = reallocarray(*units, n + 2, sizeof *l);
                        if (!l || !(l[n] = strdup(p->unit))) {
                                if (l)
                                        *units = l;
                                policy_free(p);
                                closedir(d);
                                return -ENOMEM;
                        }
                        l[n + 1] = NULL;
                        *units = l;
                next:
                        policy_free(p);
                }
                closedir(d);
        }
        return 0;
}

int verb_units(int argc, char *argv[]) {
        _cleanup_(table_freep) Table *t = NULL;
        _cleanup_(strv_freep) char **path = NULL, **names_list = NULL, **policy_units = NULL;
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
        r = add_policy_units(names, &policy_units);
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
                _cleanup_(unit_bpf_freep) UnitBpf *u = NULL;
                _cleanup_(freep) char *state = NULL;
                const char *impl, *reason = NULL;
                bool from_policy = false;
                Findings f = {};
                CheckContext ctx = { .systemd_version = version, .token_support = 1 };

                if (unit_bpf_load(names, arg_root, *n, &u, NULL) < 0)
                        continue;
                for (char **p = policy_units; p && *p; p++)
                        if (policy_unit_matches(*p, *n))
                                from_policy = true;
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
                        return log_oom();
                }

                r = table_add_string(t, *n);
                if (r >= 0)
                        r = table_add_string(t, impl);
                if (r >= 0)
                        r = table_add_string(t, state);
                for (BpfKind k = 0; r >= 0 && k < _BPF_KIND_MAX; k++)
                        r = table_add_mask(t, names, k, u->requested.masks[k], u->any[k], u->requested.masks[k] != 0);
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
                if (r < 0)
                        return log_oom();
        }

        table_set_legend(t, arg_legend);
        table_set_header(t, arg_legend);
        pager_open();
        r = table_print_mode(t, arg_json, stdout);
        if (r < 0)
                return log_error_errno(r, "Failed to print the table: %m");
        return 0;
}
