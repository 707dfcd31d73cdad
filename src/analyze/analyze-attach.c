/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "analyze-attach.h"
#include "generator-attach.h"
#include "macro.h"

#define SYSTEMD_VERSION_STRICT 262u /* unknown version: judge by the newest, where the unit owns more */

/* What bpftoken-generator decides for this unit about attaching (one implementation: its own). */
static void plan(const BpfNames *names, const UnitBpf *u, unsigned version, AttachNeeds *ret) {
        GeneratorContext ctx = {
                .names = names,
                .systemd_version = version,
        };

        generator_attach_plan(&ctx, &u->model, &u->requested, ret);
}

const char *unit_cgroup_unconfined(const BpfNames *names, const UnitBpf *u, int systemd_version) {
        AttachNeeds n;

        if (u->private_bpf != 1)
                return NULL;
        plan(names, u, systemd_version >= 0 ? (unsigned) systemd_version : SYSTEMD_VERSION_STRICT, &n);
        return n.unconfined;
}

int unit_attach_check(const UnitBpf *u, const BpfNames *names, const CheckContext *ctx, Findings *f) {
        const UnitSetting *pcg = u->model.protect_control_groups_setting;
        const UnitSetting *pn = u->model.private_network.setting;
        const char *why;
        AttachNeeds n;
        int r;

        if (u->private_bpf != 1)
                return 0;
        why = unit_cgroup_unconfined(names, u, ctx->systemd_version);
        if (why) {
                r = findings_add(f, SEVERITY_WARNING, "cgroup-unconfined", pcg ? pcg->file : NULL, pcg ? pcg->line : 0,
                                 "%s: its cgroup programs can attach to every cgroup of the host, the root included. "
                                 "Remove ProtectControlGroups=%s (bpftoken-generator then adds "
                                 "ProtectControlGroups=private) or set it to private.", why, pcg ? pcg->value : "");
                if (r < 0)
                        return r;
        }

        if (ctx->systemd_version < 0)
                return 0;
        plan(names, u, (unsigned) ctx->systemd_version, &n);
        if (n.netns_blocked) {
                r = findings_add(f, SEVERITY_WARNING, "netlink-attach", pn ? pn->file : NULL, pn ? pn->line : 0,
                                 "%s: systemd %d creates the PrivateNetwork= namespace before the unit's user "
                                 "namespace and bpftoken cannot give the unit one of its own, so attaching XDP or "
                                 "tc programs through netlink (ip link ... xdp, tc filter, xdp-loader, "
                                 "bpf_xdp_attach()) fails with EPERM; BPF links (bpf_program__attach_xdp(), "
                                 "bpf_program__attach_tcx()) work.", n.netns_blocked, ctx->systemd_version);
                if (r < 0)
                        return r;
        }
        return 0;
}
