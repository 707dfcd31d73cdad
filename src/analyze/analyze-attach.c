/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "analyze-attach.h"
#include "macro.h"
#include "parse-util.h"

#define SYSTEMD_NATIVE_VERSION 258

static bool networking_attach_types(const BpfNames *names, const Delegation *d) {
        static const char *const netlink_types[] = { "xdp", "sched_cls", "sched_act" };
        uint64_t m = d->masks[BPF_KIND_PROGRAM];

        for (size_t i = 0; i < ELEMENTSOF(netlink_types); i++) {
                unsigned bit;

                if (bpf_names_lookup(names, BPF_KIND_PROGRAM, netlink_types[i], &bit) >= 0 && (m & (UINT64_C(1) << bit)))
                        return true;
        }
        return false;
}

const char *unit_cgroup_unconfined(const BpfNames *names, const UnitBpf *u, int systemd_version) {
        const UnitSetting *pcg;
        int b;

        if (u->private_bpf != 1 || delegation_cgroup_program_mask(names, &u->requested) == 0)
                return NULL;
        /* < 258: the publisher confines every unit (and refuses where it cannot). */
        if (systemd_version >= 0 && systemd_version < SYSTEMD_NATIVE_VERSION)
                return NULL;
        /* >= 258: the generator adds ProtectControlGroups=private (strict for yes) unless the unit says
         * no; it never overrides an explicit no. */
        pcg = unit_last_setting(u->config, u->section, "ProtectControlGroups");
        if (!pcg)
                return NULL;
        b = parse_boolean(pcg->value);
        if (b > 0 || streq(pcg->value, "private") || streq(pcg->value, "strict"))
                return NULL;
        return systemd_version < 0
                ? "ProtectControlGroups= has no private cgroup namespace: on systemd >= 258 the unit's cgroup "
                  "programs can attach to every cgroup of the host, the root included"
                : "ProtectControlGroups= has no private cgroup namespace: the unit's cgroup programs can attach to "
                  "every cgroup of the host, the root included";
}

int unit_attach_check(const UnitBpf *u, const BpfNames *names, const CheckContext *ctx, Findings *f) {
        const UnitSetting *pn;
        const char *why;
        int r;

        why = unit_cgroup_unconfined(names, u, ctx->systemd_version);
        if (why) {
                const UnitSetting *pcg = unit_last_setting(u->config, u->section, "ProtectControlGroups");

                r = findings_add(f, SEVERITY_WARNING, "cgroup-unconfined", pcg ? pcg->file : NULL,
                                 pcg ? pcg->line : 0, "%s. Remove ProtectControlGroups=%s (bpftoken-generator then "
                                 "adds ProtectControlGroups=private) or set it to private.", why, pcg->value);
                if (r < 0)
                        return r;
        }

        pn = unit_last_setting(u->config, u->section, "PrivateNetwork");
        if (u->private_bpf == 1 && pn && parse_boolean(pn->value) > 0 && networking_attach_types(names, &u->requested) &&
            ctx->systemd_version >= 0 && ctx->systemd_version < SYSTEMD_NATIVE_VERSION) {
                r = findings_add(f, SEVERITY_NOTICE, "netlink-attach", pn->file, pn->line,
                                 "systemd %d creates the PrivateNetwork= namespace before the unit's user namespace, "
                                 "so it belongs to the host's: attaching XDP or tc programs through netlink (ip link "
                                 "... xdp, tc filter, xdp-loader, bpf_xdp_attach()) fails with EPERM. BPF links "
                                 "(bpf_program__attach_xdp(), bpf_program__attach_tcx()) work; systemd >= 258 with "
                                 "DelegateNamespaces=net (added by bpftoken-generator) allows both.",
                                 ctx->systemd_version);
                if (r < 0)
                        return r;
        }
        return 0;
}
