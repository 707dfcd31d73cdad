/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "analyze-unit.h"
#include "analyze.h"
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
        if (r == -ENOENT)
                return log_error_errno(r, "Unit %s not found on the unit search path%s%s; to check a unit file "
                                       "elsewhere, give its path.", arg, arg_root ? " below " : "", arg_root ?: "");
        return log_error_errno(r, "Failed to load %s: %m", arg);
}

static void print_finding(const Finding *x) {
        if (x->file && x->line > 0)
                printf("%s:%u: ", x->file, x->line);
        else if (x->file)
                printf("%s: ", x->file);
        printf("%s: %s [%s]\n", severity_to_string(x->severity), x->message, x->code);
}

int verb_verify(int argc, char *argv[]) {
        _cleanup_(json_object_putp) json_object *all = NULL;
        const BpfNames *names;
        CheckContext ctx;
        size_t errors = 0;
        bool failed = false;
        int r;

        if (argc < 2)
                return log_error_errno(-EINVAL, "The 'verify' verb needs at least one unit file or unit name.");

        r = analyze_names(&names);
        if (r < 0)
                return r;
        (void) analyze_check_context(&ctx);

        if (arg_json != TABLE_JSON_OFF) {
                all = json_object_new_array();
                if (!all)
                        return log_oom();
        }

        for (int i = 1; i < argc; i++) {
                _cleanup_(unit_bpf_freep) UnitBpf *u = NULL;
                Findings f = {};

                r = analyze_load_unit(names, argv[i], true, &u);
                if (r < 0) {
                        failed = true;
                        continue;
                }
                r = unit_bpf_check(u, names, &ctx, &f);
                if (r < 0) {
                        findings_done(&f);
                        return log_oom();
                }
                errors += findings_count(&f, SEVERITY_ERROR);

                if (all) {
                        json_object *a = findings_to_json(&f, u->config->name);

                        if (!a) {
                                findings_done(&f);
                                return log_oom();
                        }
                        for (size_t j = 0; j < json_object_array_length(a); j++)
                                json_object_array_add(all, json_object_get(json_object_array_get_idx(a, j)));
                        json_object_put(a);
                } else
                        for (size_t j = 0; j < f.n; j++)
                                print_finding(&f.list[j]);
                findings_done(&f);
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
