/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "analyze-attach.h"
#include "analyze-policy.h"
#include "analyze-unit.h"
#include "analyze.h"
#include "config.h"
#include "log.h"
#include "macro.h"

int analyze_check_context(CheckContext *ret) {
        int v;

        *ret = (CheckContext) { .systemd_version = -1 };
        if (systemd_version(&v, NULL) >= 0)
                ret->systemd_version = v;
        ret->token_support = kernel_token_support();
        return 0;
}

int analyze_load_unit(const BpfNames *names, const char *arg, bool prefer_file, UnitBpf **ret) {
        UnitLoadError e = {};
        int r;

        r = unit_bpf_load(names, arg_root, arg, prefer_file ? UNIT_LOAD_PREFER_FILE : 0, &e, ret);
        if (r >= 0)
                return 0;
        if (r == -ENOMEM)
                return log_oom();
        if (e.error != 0 && e.line > 0)
                return log_error_errno(r, "%s:%u: %s; fix or remove that line.", e.file, e.line,
                                       e.reason ?: strerror(-r));
        if (e.error != 0 && e.reason)
                return log_error_errno(r, "%s: %s.", e.file, e.reason);
        if (r == -EINVAL)
                return log_error_errno(r, "'%s' is not a valid unit name: write NAME.service (or NAME, which means "
                                       "NAME.service), or a path to a unit file.", arg);
        if (r == -ENOENT && (strchr(arg, '/') || prefer_file))
                return log_error_errno(r, "Unit %s not found: there is no such file%s.", arg,
                                       strchr(arg, '/') ? "" : " here, and no such unit on the unit search path");
        if (r == -ENOENT) {
                _cleanup_(freep) char *name = NULL;

                (void) unit_name_from_argument(arg, &name);
                return log_error_errno(r, "Unit %s not found on the unit search path%s%s; to check a unit file "
                                       "elsewhere, give its path.", name ?: arg, arg_root ? " below " : "",
                                       arg_root ?: "");
        }
        return log_error_errno(r, "Failed to load %s: %m", arg);
}

/* Prints (or adds to all) the findings; returns how many errors there were, or -ENOMEM. */
static int emit_findings(Findings *f, const char *name, json_object *all) {
        int errors = (int) findings_count(f, SEVERITY_ERROR);

        if (all) {
                json_object *a = findings_to_json(f, name);

                if (!a)
                        return -ENOMEM;
                for (size_t j = 0; j < json_object_array_length(a); j++)
                        json_object_array_add(all, json_object_get(json_object_array_get_idx(a, j)));
                json_object_put(a);
        } else
                for (size_t j = 0; j < f->n; j++)
                        finding_print(&f->list[j], stdout);
        return errors;
}

static bool is_policy_argument(const char *arg) {
        size_t l = strlen(arg);

        return l > 5 && streq(arg + l - 5, ".conf");
}

static int verify_policy_file(const BpfNames *names, const PolicyFileState *s, json_object *all) {
        Findings f = {};
        int r;

        r = policy_file_check(s, &f);
        if (r >= 0)
                r = emit_findings(&f, NULL, all);
        findings_done(&f);
        return r;
}

/* verify --policy: every policy file the publisher reads. */
static int verify_all_policies(const BpfNames *names, json_object *all, size_t *errors) {
        _cleanup_(policy_files_done) PolicyFiles l = {};
        int r;

        r = policy_files_scan(names, arg_root, &l);
        if (r < 0)
                return log_oom();
        if (l.n == 0)
                log_notice("No policy files in %s%s or %s%s.", arg_root ?: "", BPFTOKEN_POLICY_DIR, arg_root ?: "",
                           BPFTOKEN_GENERATOR_POLICY_DIR);
        for (size_t i = 0; i < l.n; i++) {
                r = verify_policy_file(names, &l.files[i], all);
                if (r < 0)
                        return log_oom();
                *errors += (size_t) r;
        }
        return 0;
}

static int verify_unit(const BpfNames *names, const CheckContext *ctx, const char *arg, json_object *all,
                       size_t *errors) {
        _cleanup_(unit_bpf_freep) UnitBpf *u = NULL;
        Findings f = {};
        int r;

        r = analyze_load_unit(names, arg, true, &u);
        if (r < 0)
                return r;
        r = unit_bpf_check(u, names, ctx, &f);
        if (r >= 0)
                r = unit_attach_check(u, names, ctx, &f);
        if (r >= 0)
                r = emit_findings(&f, u->config->name, all);
        findings_done(&f);
        if (r < 0)
                return log_oom();
        *errors += (size_t) r;
        return 0;
}

int verb_verify(int argc, char *argv[]) {
        _cleanup_(json_object_putp) json_object *all = NULL;
        const BpfNames *names;
        CheckContext ctx;
        size_t errors = 0;
        bool failed = false;
        int r;

        if (argc < 2 && !arg_policy)
                return log_usage_error("The 'verify' verb needs at least one unit file, unit name or policy file "
                                       "(or --policy).");

        r = analyze_names(&names);
        if (r < 0)
                return r;
        (void) analyze_check_context(&ctx);

        if (arg_json != TABLE_JSON_OFF) {
                all = json_object_new_array();
                if (!all)
                        return log_oom();
        }

        if (arg_policy) {
                r = verify_all_policies(names, all, &errors);
                if (r < 0)
                        return r;
        }
        for (int i = 1; i < argc; i++) {
                if (is_policy_argument(argv[i])) {
                        _cleanup_(policy_file_state_done) PolicyFileState s = {};

                        r = policy_file_load(names, argv[i], &s);
                        if (r >= 0)
                                r = verify_policy_file(names, &s, all);
                        if (r < 0)
                                return log_oom();
                        errors += (size_t) r;
                        continue;
                }
                r = verify_unit(names, &ctx, argv[i], all, &errors);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        failed = true;
        }

        if (all) {
                r = json_print(TAKE_PTR(all));
                if (r < 0)
                        return r;
        }
        if (failed)
                return -ENOENT;
        return errors > 0 ? ANALYZE_EXIT_FINDINGS : 0;
}
