/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plan for systemd < 258, which has no PrivateBPF=: every command runs through bpftoken-exec. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "generator-attach.h"
#include "generator-exec.h"
#include "generator-plan.h"
#include "generator-unit.h"
#include "macro.h"
#include "strv.h"
#include "unit-model.h"

static const char *const exec_keys[] = { "ExecStartPre", "ExecStart", "ExecStartPost" };

int write_wrapped_exec(const GeneratorContext *ctx, const UnitConfig *c, FILE *f, char ***keys,
                       unsigned *n_wrapped, GeneratorPlan *p) {
        int r;

        for (size_t i = 0; i < ELEMENTSOF(exec_keys); i++) {
                _cleanup_(freep) const UnitSetting **l = NULL;
                _cleanup_(strv_freep) char **lines = NULL;
                unsigned wrapped = 0, privileged = 0, already = 0;
                int n;

                n = unit_config_get_all(c, SERVICE, exec_keys[i], &l);
                if (n < 0)
                        return n;
                for (int j = 0; j < n; j++) {
                        ExecCommand *cmds = NULL;
                        size_t n_cmds = 0;
                        char error[256];

                        r = exec_value_parse(l[j]->value, &cmds, &n_cmds, error, sizeof error);
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0)
                                return plan_skip(p, "%s=%s: %s", exec_keys[i], l[j]->value, error);
                        for (size_t k = 0; k < n_cmds; k++) {
                                _cleanup_(freep) char *line = NULL;

                                if (cmds[k].flags & EXEC_PRIVILEGED) {
                                        r = exec_command_format(&cmds[k], &line);
                                        privileged++;
                                } else if (exec_command_is_wrapped(&cmds[k])) {
                                        r = exec_command_format(&cmds[k], &line);
                                        already++;
                                } else {
                                        r = exec_command_wrap(&cmds[k], ctx->exec_path, &line);
                                        wrapped++;
                                }
                                if (r >= 0)
                                        r = strv_extendf(&lines, "%s=%s", exec_keys[i], line);
                                if (r < 0) {
                                        exec_commands_free(cmds, n_cmds);
                                        return r;
                                }
                        }
                        exec_commands_free(cmds, n_cmds);
                }
                if (wrapped == 0)
                        continue;

                fprintf(f, "# Every %s= command runs through bpftoken-exec.\n", exec_keys[i]);
                if (privileged > 0)
                        fputs("# Commands with '+' run outside the sandbox with full privileges, where no token is\n"
                              "# needed and none can be created: they stay as they were.\n", f);
                if (already > 0)
                        fputs("# Commands that already run bpftoken-exec stay as they were.\n", f);
                fprintf(f, "%s=\n", exec_keys[i]);
                for (char **line = lines; *line; line++)
                        fprintf(f, "%s\n", *line);
                r = strv_extend_unique(keys, exec_keys[i]);
                if (r < 0)
                        return r;
                *n_wrapped += wrapped;
        }

        return 0;
}

/* What makes a unit impossible to wrap, before anything is written; the needs check_common() finds. */
static int plan_wrap_check(const GeneratorContext *ctx, const UnitConfig *c, const Request *q, Needs *needs,
                           GeneratorPlan *p) {
        const UnitAddressFamilies *af = &q->model.address_families;
        const char *hidden_key;
        int r;

        if (q->model.root_directory_key)
                return plan_skip(p, "%s= is set: bpftoken-exec and its libraries are not inside the unit's root, "
                                 "and systemd %u cannot mount a bpffs for it", q->model.root_directory_key,
                                 ctx->systemd_version);

        r = check_common(ctx, c, q, needs, p);
        if (r < 0 || p->result == PLAN_SKIP)
                return r;

        if (af->restricted && !af->allow_list && af->has_unix)
                return plan_skip(p, "RestrictAddressFamilies= denies AF_UNIX, which bpftoken-exec needs to reach "
                                 "the publisher");

        if (unit_model_path_hidden(&q->model, ctx->socket_path, &hidden_key))
                return plan_skip(p, "%s= hides the publisher socket %s; add BindReadOnlyPaths=%s", hidden_key,
                                 ctx->socket_path, ctx->socket_path);

        if (delegation_is_empty(&q->delegation))
                return strv_extend(&p->notes, "PrivateBPF=yes without any delegation: the unit gets an empty "
                                   "private bpffs, no token can be created");
        return 0;
}

/* The [Service] settings of the drop-in: what check_common() and attaching need, AF_UNIX, and the
 * wrapped commands (counted in *n_wrapped). A command that cannot be parsed makes the plan a skip. */
static int write_wrap_service(const GeneratorContext *ctx, const UnitConfig *c, const Request *q,
                              const Needs *needs, FILE *f, char ***keys, unsigned *n_wrapped, GeneratorPlan *p) {
        _cleanup_(freep) char *exec_with_netns = NULL;
        const UnitAddressFamilies *af = &q->model.address_families;
        GeneratorContext wctx = *ctx;
        AttachNeeds attach;
        int r;

        r = write_prerequisites(f, needs, keys);
        if (r >= 0)
                r = write_ambient(f, needs, keys);
        if (r >= 0)
                r = plan_attach(ctx, c, q, p, &attach);
        if (r >= 0)
                r = generator_attach_write(f, &attach, keys);
        if (r < 0)
                return r;
        if (af->restricted && af->allow_list && !af->has_unix) {
                fputs("# bpftoken-exec talks to the publisher over an AF_UNIX socket.\n"
                      "RestrictAddressFamilies=AF_UNIX\n", f);
                r = strv_extend_unique(keys, "RestrictAddressFamilies");
                if (r < 0)
                        return r;
        }

        if (attach.own_netns_arg) {
                /* The commands ask for the unit's own network namespace (generator-attach.h). */
                if (asprintf(&exec_with_netns, "%s %s", ctx->exec_path, attach.own_netns_arg) < 0)
                        return -ENOMEM;
                wctx.exec_path = exec_with_netns;
        }
        return write_wrapped_exec(&wctx, c, f, keys, n_wrapped, p);
}

int plan_wrap(const GeneratorContext *ctx, const UnitConfig *c, const Request *q, GeneratorPlan *p) {
        _cleanup_(strv_freep) char **keys = NULL;
        Needs needs = {};
        unsigned n_wrapped = 0;
        Text t = {};
        int r;

        r = plan_wrap_check(ctx, c, q, &needs, p);
        if (r < 0 || p->result == PLAN_SKIP)
                return r;

        r = text_open_generated(&t, "#\n"
                "# %s asks for a BPF token (PrivateBPF=yes), which systemd %u does not\n"
                "# implement: the commands below run through bpftoken-exec, which has bpftoken-publish\n"
                "# mount the unit's bpffs instance at /sys/fs/bpf and then executes the command unchanged.\n"
                "# Delegation: %s\n", c->name, ctx->systemd_version, q->summary);
        if (r < 0)
                return r;
        print_sources(ctx, t.f, c);
        fprintf(t.f, "\n[Unit]\n"
                "# bpftoken-exec reaches the publisher through this socket.\n"
                "Wants=%s\n"
                "After=%s\n"
                "\n[Service]\n", ctx->socket_unit, ctx->socket_unit);

        r = write_wrap_service(ctx, c, q, &needs, t.f, &keys, &n_wrapped, p);
        if (r < 0 || p->result == PLAN_SKIP) {
                text_done(&t);
                return r;
        }

        if (n_wrapped == 0) {
                text_done(&t);
                return plan_skip(p, "no ExecStartPre=, ExecStart= or ExecStartPost= command can run through "
                                 "bpftoken-exec (there are none, or all have the '+' prefix)");
        }

        r = plan_finish_dropin(ctx, c, keys, &t, p);
        if (r < 0 || p->result != PLAN_WRITE)
                return r;
        return format_policy(ctx, c, q, &p->policy);
}
