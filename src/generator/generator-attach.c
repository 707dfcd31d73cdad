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

void generator_attach_plan(const GeneratorContext *ctx, const UnitConfig *c, const Delegation *d,
                           bool runs_as_root, uint64_t bounding, uint64_t ambient, AttachNeeds *ret) {
        bool native = ctx->systemd_version >= SYSTEMD_NATIVE_BPF_VERSION;
        const char *pn = unit_config_get(c, SERVICE, "PrivateNetwork");
        uint64_t admin = UINT64_C(1) << CAP_SYS_ADMIN;

        *ret = (AttachNeeds) {};
        ret->cgroup_programs = delegation_cgroup_program_mask(ctx->names, d) != 0;
        if (ret->cgroup_programs)
                plan_cgroups(ctx, c, (bounding & admin) && (runs_as_root || (ambient & admin)), ret);

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
        /* n->token_path: generator-unit.c wraps the commands, with generator_attach_token_path_comment. */
        return r;
}

const char *const generator_attach_token_path_comment =
        "# The well-known token path bpftoken gives on every systemd version: bpftoken-exec links\n"
        "# /sys/fs/bpf/token to systemd's own instance and names it in LIBBPF_BPF_TOKEN_PATH, so\n"
        "# that a missing token is an error rather than a silent fallback. It needs no privilege and\n"
        "# no publisher. (Not BindReadOnlyPaths=: systemd resolves its sources on the host, so a bind\n"
        "# of /sys/fs/bpf would show the host's bpffs.)\n";
