/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/capability.h>

#include "generator-attach.h"
#include "macro.h"
#include "parse-util.h"
#include "strv.h"

#define SERVICE "Service"

static bool word_listed(const char *value, const char *word) {
        size_t n = strlen(word);

        for (const char *p = value; p && (p = strstr(p, word)); p += n)
                if ((p == value || strchr(" \t~", p[-1])) && (p[n] == '\0' || strchr(" \t", p[n])))
                        return true;
        return false;
}

/* DelegateNamespaces= as systemd >= 258 merges it: positive lists OR, "~" lists AND NOT, a boolean
 * or an empty value resets. */
static bool namespace_delegated(const UnitConfig *c, const char *ns) {
        bool state = false;

        for (size_t i = 0; i < c->n_settings; i++) {
                const UnitSetting *s = &c->settings[i];
                int b;

                if (!streq(s->section, SERVICE) || !streq(s->key, "DelegateNamespaces"))
                        continue;
                b = parse_boolean(s->value);
                if (isempty(s->value))
                        state = false;
                else if (b >= 0)
                        state = b > 0;
                else if (s->value[0] == '~')
                        state = !word_listed(s->value, ns);
                else if (word_listed(s->value, ns))
                        state = true;
        }
        return state;
}

static void plan_cgroups(const GeneratorContext *ctx, const UnitConfig *c, bool may_admin, AttachNeeds *n) {
        const char *pcg = unit_config_get(c, SERVICE, "ProtectControlGroups");
        bool native = ctx->systemd_version >= SYSTEMD_NATIVE_BPF_VERSION;

        /* Below 258 the publisher confines the unit by itself (a bind mount of the unit's cgroup on
         * /sys/fs/cgroup); on 257 systemd's own private cgroup namespace is the better view, so ask for
         * it where the unit leaves the setting open. */
        if (ctx->systemd_version < SYSTEMD_PROTECT_CONTROL_GROUPS_PRIVATE_VERSION)
                return;
        if (!pcg)
                n->protect_control_groups = "private";
        else if (parse_boolean(pcg) > 0)
                n->protect_control_groups = "strict"; /* read-only as asked, and private */
        else if (!streq(pcg, "private") && !streq(pcg, "strict")) {
                if (native)
                        n->unconfined = "ProtectControlGroups= is set to a value without a private cgroup "
                                        "namespace";
                return;
        }
        if (!native)
                return;
        n->delegate_cgroupns = !namespace_delegated(c, "cgroup");
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

/* Whether RestrictNamespaces= lets the unit setns() into a network namespace: systemd's filter refuses
 * setns() for every type it does not allow (and entirely when it allows none). */
static bool restrict_namespaces_allows_net(const UnitConfig *c) {
        const char *v = unit_config_get(c, SERVICE, "RestrictNamespaces");
        int b;

        if (!v)
                return true;
        b = parse_boolean(v);
        if (b >= 0)
                return b == 0;
        if (v[0] == '~')
                return !word_listed(v, "net");
        return word_listed(v, "net");
}

/* Whether SystemCallFilter= lets setns() through: an allow-list must name it, @process or
 * @system-service (which includes @process); a deny list must not. */
static bool syscall_filter_allows_setns(const UnitConfig *c) {
        _cleanup_(freep) const UnitSetting **l = NULL;
        bool allow_list = false, allowed = true;
        int n;

        n = unit_config_get_all(c, SERVICE, "SystemCallFilter", &l);
        for (int i = 0; i < n; i++) {
                const char *v = l[i]->value;
                bool invert = v[0] == '~';
                bool named = word_listed(v + invert, "setns") || word_listed(v + invert, "@process") ||
                             word_listed(v + invert, "@system-service");

                if (i == 0 && !invert) {
                        allow_list = true;
                        allowed = false;
                }
                if (invert && named)
                        allowed = false;
                else if (!invert && named && allow_list)
                        allowed = true;
        }
        return n < 0 ? false : allowed;
}

static void plan_netns(const GeneratorContext *ctx, const UnitConfig *c, bool runs_as_root, uint64_t bounding,
                       AttachNeeds *n) {
        uint64_t admin = UINT64_C(1) << CAP_SYS_ADMIN;

        if (!(bounding & admin))
                n->netns_blocked = "CapabilityBoundingSet= lacks CAP_SYS_ADMIN, which joining the network namespace "
                                   "needs inside the unit's user namespace";
        else if (!restrict_namespaces_allows_net(c))
                n->netns_blocked = "RestrictNamespaces= does not allow net, so the unit cannot join a network "
                                   "namespace";
        else if (!syscall_filter_allows_setns(c))
                n->netns_blocked = "SystemCallFilter= does not allow setns()";
        if (n->netns_blocked)
                return;
        n->own_netns_arg = runs_as_root ? "--own-netns" : "--own-netns=drop-cap-sys-admin";
        n->ambient_sys_admin = !runs_as_root;
}

void generator_attach_plan(const GeneratorContext *ctx, const UnitConfig *c, const Delegation *d,
                           bool runs_as_root, uint64_t bounding, uint64_t ambient, AttachNeeds *ret) {
        bool native = ctx->systemd_version >= SYSTEMD_NATIVE_BPF_VERSION;
        const char *pn = unit_config_get(c, SERVICE, "PrivateNetwork");
        uint64_t admin = UINT64_C(1) << CAP_SYS_ADMIN;

        *ret = (AttachNeeds) {};
        ret->cgroup_programs = delegation_cgroup_program_mask(ctx->names, d) != 0;
        if (ret->cgroup_programs)
                plan_cgroups(ctx, c, (bounding & admin) && (runs_as_root || (ambient & admin)), ret);

        if (!native && pn && parse_boolean(pn) > 0 && netlink_program_types(ctx->names, d))
                plan_netns(ctx, c, runs_as_root, bounding, ret);
        if (native) {
                ret->delegate_netns = pn && parse_boolean(pn) > 0 && !namespace_delegated(c, "net");
                /* bpftoken-exec must be inside the unit's root to run there. */
                ret->token_path = !delegation_is_empty(d) && !unit_config_get(c, SERVICE, "RootDirectory") &&
                                  !unit_config_get(c, SERVICE, "RootImage");
        }
}

int generator_attach_write(FILE *f, const AttachNeeds *n, char ***keys) {
        int r = 0;

        if (n->protect_control_groups) {
                fprintf(f, "# Cgroup programs attach to any cgroup the unit can open: a cgroup namespace and a\n"
                        "# private cgroupfs keep it to its own subtree.\n"
                        "ProtectControlGroups=%s\n", n->protect_control_groups);
                r = strv_extend_unique(keys, "ProtectControlGroups");
        }
        if (r >= 0 && n->delegate_cgroupns) {
                fputs("# systemd mounts the private cgroupfs in a delegated mount namespace only if the cgroup\n"
                      "# namespace is delegated too.\n"
                      "DelegateNamespaces=cgroup\n", f);
                r = strv_extend_unique(keys, "DelegateNamespaces");
        }
        if (r >= 0 && n->deny_mount_calls) {
                fputs("# The unit owns its mount namespace and may hold CAP_SYS_ADMIN there: without the mount\n"
                      "# calls it cannot unmount the private cgroupfs to reach the host's cgroups.\n"
                      "SystemCallFilter=~@mount\n", f);
                r = strv_extend_unique(keys, "SystemCallFilter");
        }
        if (r >= 0 && n->delegate_netns) {
                fputs("# A network namespace owned by the unit's user namespace: rtnetlink (ip link ... xdp, tc,\n"
                      "# xdp-loader, bpf_xdp_attach()) accepts CAP_NET_ADMIN from inside only then.\n"
                      "DelegateNamespaces=net\n", f);
                r = strv_extend_unique(keys, "DelegateNamespaces");
        }
        if (r >= 0 && n->ambient_sys_admin) {
                fputs("# bpftoken-exec joins a network namespace owned by the unit's user namespace (netlink XDP and\n"
                      "# tc attach); setns() needs CAP_SYS_ADMIN there. It is dropped again before the program runs.\n"
                      "AmbientCapabilities=CAP_SYS_ADMIN\n", f);
                r = strv_extend_unique(keys, "AmbientCapabilities");
        }
        /* n->token_path: generator-unit.c wraps the commands, with generator_attach_token_path_comment. */
        return r;
}

const char *const generator_attach_token_path_comment =
        "# The well-known token path bpftoken gives on every systemd version: bpftoken-exec links\n"
        "# /sys/fs/bpf/token to systemd's own instance and names it in LIBBPF_BPF_TOKEN_PATH, so\n"
        "# that a missing token is an error rather than a silent fallback. It needs no privilege and\n"
        "# no publisher. (Not BindReadOnlyPaths=: systemd resolves its sources on the host, so a bind\n"
        "# of /sys/fs/bpf would show the host's bpffs.)\n";
