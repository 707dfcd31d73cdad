/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What bpftoken-generator adds so that a delegated unit can attach its programs, and only to what is
 * its own (issue 8): cgroup programs confined to the unit's cgroup subtree, a network namespace the
 * unit's user namespace owns (rtnetlink attach), and on systemd >= 258 the well-known token path.
 * Decided from the merged configuration alone; the caller writes the lines. No I/O, no logging.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "generator-unit.h"
#include "unit-model.h"

/* The first systemd version with ProtectControlGroups=private (a cgroup namespace and a private
 * cgroupfs). */
#define SYSTEMD_PROTECT_CONTROL_GROUPS_PRIVATE_VERSION 257u

typedef struct AttachNeeds {
        bool cgroup_programs;          /* the delegation has cgroup program types */
        const char *protect_control_groups; /* value to set ("private", "strict"), or NULL */
        bool delegate_cgroupns;        /* >= 258: DelegateNamespaces=cgroup (else systemd mounts no
                                        * private cgroupfs in a delegated mount namespace) */
        bool deny_mount_calls;         /* >= 258: the unit may hold CAP_SYS_ADMIN in a mount namespace
                                        * it owns and could unmount the confinement */
        const char *unconfined;        /* why cgroup programs stay host-wide, or NULL */
        bool delegate_netns;           /* >= 258, PrivateNetwork=yes: DelegateNamespaces=net */
        const char *own_netns_arg;     /* < 258, PrivateNetwork=yes with XDP/tc types: bpftoken-exec's
                                        * "--own-netns[=drop-cap-sys-admin]", or NULL */
        bool ambient_sys_admin;        /* < 258, User= unit: CAP_SYS_ADMIN for that setns() only */
        const char *netns_blocked;     /* why the unit cannot get its own network namespace, or NULL */
        bool token_path;               /* >= 258: the commands run through bpftoken-exec, which links
                                        * /sys/fs/bpf/token and sets LIBBPF_BPF_TOKEN_PATH */
} AttachNeeds;

/* From the unit's model (its capability sets, namespaces, system call filter, PrivateNetwork=,
 * ProtectControlGroups=) and the delegation it asks for. */
void generator_attach_plan(const GeneratorContext *ctx, const UnitModel *m, const Delegation *d, AttachNeeds *ret);

/* Writes the settings (with a comment each) and adds their keys to *keys. */
int generator_attach_write(FILE *f, const AttachNeeds *n, char ***keys);

/* The comment above the wrapped commands of a native unit (token_path). */
extern const char *const generator_attach_token_path_comment;
