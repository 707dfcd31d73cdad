/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/capability.h>
#include <sched.h>

#include "generator-attach.h"
#include "macro.h"
#include "strv.h"

static bool namespace_delegated(const UnitModel *m, uint64_t clone_flag) {
        return m->delegate_namespaces.set && (m->delegate_namespaces.flags & clone_flag);
}

static void plan_cgroups(const GeneratorContext *ctx, const UnitModel *m, bool may_admin, AttachNeeds *n) {
        bool native = ctx->systemd_version >= SYSTEMD_NATIVE_BPF_VERSION;

        /* Below 258 the publisher confines the unit by itself (a bind mount of the unit's cgroup on
         * /sys/fs/cgroup); on 257 systemd's own private cgroup namespace is the better view, so ask for
         * it where the unit leaves the setting open. */
        if (ctx->systemd_version < SYSTEMD_PROTECT_CONTROL_GROUPS_PRIVATE_VERSION)
                return;
        switch (m->protect_control_groups) {
        case UNIT_PROTECT_CGROUPS_UNSET:
                n->protect_control_groups = "private";
                break;
        case UNIT_PROTECT_CGROUPS_YES:
                n->protect_control_groups = "strict"; /* read-only as asked, and private */
                break;
        case UNIT_PROTECT_CGROUPS_PRIVATE:
        case UNIT_PROTECT_CGROUPS_STRICT:
                break;
        default:
                if (native)
                        n->unconfined = "ProtectControlGroups= is set to a value without a private cgroup "
                                        "namespace";
                return;
        }
        if (!native)
                return;
        n->delegate_cgroupns = !namespace_delegated(m, CLONE_NEWCGROUP);
        /* With DelegateNamespaces=mnt the mount namespace belongs to the unit's user namespace: with
         * CAP_SYS_ADMIN there it could unmount the private cgroupfs and see the host's again. */
        n->deny_mount_calls = may_admin;
}

static bool netlink_program_types(const BpfNames *names, const Delegation *d) {
        static const char *const types[] = { "xdp", "sched_cls", "sched_act" };

        for (size_t i = 0; i < ELEMENTSOF(types); i++) {
                unsigned bit;

                if (bpf_names_lookup(names, BPF_KIND_PROGRAM, types[i], &bit) >= 0 &&
                    (d->masks[BPF_KIND_PROGRAM] & (UINT64_C(1) << bit)))
                        return true;
        }
        return false;
}

static void plan_netns(const UnitModel *m, AttachNeeds *n) {
        uint64_t admin = UINT64_C(1) << CAP_SYS_ADMIN;

        if (!(m->bounding_set & admin))
                n->netns_blocked = "CapabilityBoundingSet= lacks CAP_SYS_ADMIN, which joining the network namespace "
                                   "needs inside the unit's user namespace";
        /* systemd's RestrictNamespaces= filter refuses setns() for every type it does not allow. */
        else if (!(m->restrict_namespaces.flags & CLONE_NEWNET))
                n->netns_blocked = "RestrictNamespaces= does not allow net, so the unit cannot join a network "
                                   "namespace";
        else if (!m->syscall_setns.allowed)
                n->netns_blocked = "SystemCallFilter= does not allow setns()";
        if (n->netns_blocked)
                return;
        n->own_netns_arg = m->runs_as_root ? "--own-netns" : "--own-netns=drop-cap-sys-admin";
        n->ambient_sys_admin = !m->runs_as_root;
}

void generator_attach_plan(const GeneratorContext *ctx, const UnitModel *m, const Delegation *d, AttachNeeds *ret) {
        bool native = ctx->systemd_version >= SYSTEMD_NATIVE_BPF_VERSION;
        bool private_network = m->private_network.value > 0;
        uint64_t admin = UINT64_C(1) << CAP_SYS_ADMIN;

        *ret = (AttachNeeds) {};
        ret->cgroup_programs = delegation_cgroup_program_mask(ctx->names, d) != 0;
        if (ret->cgroup_programs)
                plan_cgroups(ctx, m, (m->bounding_set & admin) && (m->runs_as_root || (m->ambient_set & admin)),
                             ret);

        if (!native && private_network && netlink_program_types(ctx->names, d))
                plan_netns(m, ret);
        if (native) {
                ret->delegate_netns = private_network && !namespace_delegated(m, CLONE_NEWNET);
                /* bpftoken-exec must be inside the unit's root to run there. */
                ret->token_path = !delegation_is_empty(d) && !m->root_directory_key;
        }
}

/* One setting of the drop-in: why (a comment), the key and its value. */
static int write_setting(FILE *f, const char *comment, const char *key, const char *value, char ***keys) {
        fprintf(f, "%s%s=%s\n", comment, key, value);
        return strv_extend_unique(keys, key);
}

int generator_attach_write(FILE *f, const AttachNeeds *n, char ***keys) {
        int r = 0;

        if (n->protect_control_groups)
                r = write_setting(f, "# Cgroup programs attach to any cgroup the unit can open: a cgroup namespace and a\n"
                                  "# private cgroupfs keep it to its own subtree.\n",
                                  "ProtectControlGroups", n->protect_control_groups, keys);
        if (r >= 0 && n->delegate_cgroupns)
                r = write_setting(f, "# systemd mounts the private cgroupfs in a delegated mount namespace only if the cgroup\n"
                                  "# namespace is delegated too.\n",
                                  "DelegateNamespaces", "cgroup", keys);
        if (r >= 0 && n->deny_mount_calls)
                r = write_setting(f, "# The unit owns its mount namespace and may hold CAP_SYS_ADMIN there: without the mount\n"
                                  "# calls it cannot unmount the private cgroupfs to reach the host's cgroups.\n",
                                  "SystemCallFilter", "~@mount", keys);
        if (r >= 0 && n->delegate_netns)
                r = write_setting(f, "# A network namespace owned by the unit's user namespace: rtnetlink (ip link ... xdp, tc,\n"
                                  "# xdp-loader, bpf_xdp_attach()) accepts CAP_NET_ADMIN from inside only then.\n",
                                  "DelegateNamespaces", "net", keys);
        if (r >= 0 && n->ambient_sys_admin)
                r = write_setting(f, "# bpftoken-exec joins a network namespace owned by the unit's user namespace (netlink XDP and\n"
                                  "# tc attach); setns() needs CAP_SYS_ADMIN there. It is dropped again before the program runs.\n",
                                  "AmbientCapabilities", "CAP_SYS_ADMIN", keys);
        /* n->token_path: generator-unit.c wraps the commands, with generator_attach_token_path_comment. */
        return r;
}

const char *const generator_attach_token_path_comment =
        "# The well-known token path bpftoken gives on every systemd version: bpftoken-exec links\n"
        "# /sys/fs/bpf/token to systemd's own instance and names it in LIBBPF_BPF_TOKEN_PATH, so\n"
        "# that a missing token is an error rather than a silent fallback. It needs no privilege and\n"
        "# no publisher. (Not BindReadOnlyPaths=: systemd resolves its sources on the host, so a bind\n"
        "# of /sys/fs/bpf would show the host's bpffs.)\n";
