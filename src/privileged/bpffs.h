/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Creating and attaching delegated bpffs instances. No logging: failures come back as -errno with
 * the step that failed in a BpffsStep, which token-errors.c turns into a sentence.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "delegation.h"

#define BPFFS_PATH "/sys/fs/bpf"
#define BPFFS_TOKEN_PATH "/sys/fs/bpf/token"

typedef enum BpffsStep {
        BPFFS_STEP_NONE,
        BPFFS_STEP_FSOPEN,           /* fsopen("bpf") in the target user namespace */
        BPFFS_STEP_PROBE,            /* the kernel accepted an invalid delegate_cmds: no token support */
        BPFFS_STEP_DELEGATE_CMDS,
        BPFFS_STEP_DELEGATE_MAPS,
        BPFFS_STEP_DELEGATE_PROGS,
        BPFFS_STEP_DELEGATE_ATTACHS,
        BPFFS_STEP_CREATE,           /* FSCONFIG_CMD_CREATE */
        BPFFS_STEP_FSMOUNT,
        BPFFS_STEP_TARGET,           /* opening /sys/fs/bpf in the target mount namespace */
        BPFFS_STEP_SHARED,           /* the target mount propagates to other namespaces */
        BPFFS_STEP_ATTACH,           /* move_mount */
        BPFFS_STEP_TOKEN_BIND,       /* the read-only bind at /sys/fs/bpf/token */
        BPFFS_STEP_USERNS,           /* joining the target user namespace */
        BPFFS_STEP_MNTNS,            /* joining the target mount namespace */
        BPFFS_STEP_HELPER,           /* a helper process failed */
        _BPFFS_STEP_MAX,
} BpffsStep;

const char *bpffs_step_to_string(BpffsStep s);

/* On an fs context from fsopen("bpf"): prove the kernel supports delegation (it must reject an
 * invalid delegate_cmds value; kernels before 6.9 silently ignore the key), set the four delegate_*
 * options as hex masks checking each return, and create the superblock. Needs CAP_SYS_ADMIN in the
 * initial user namespace. */
int bpffs_configure(int fs_fd, const Delegation *d, BpffsStep *ret_step);

/* Whether fd (a directory) is on a bpffs. 1/0/-errno. */
int fd_is_bpffs(int fd);

typedef struct BpffsAttachOptions {
        /* ids mapped in the instance's user namespace, for the token directory when root is not mapped
         * there (a namespace an unprivileged user made) */
        uid_t owner_uid;
        gid_t owner_gid;
        /* peer group IDs ("shared:N") of the host's mounts, if host_peer_groups_known */
        bool host_peer_groups_known;
        const uint64_t *host_peer_groups;
        size_t n_host_peer_groups;
} BpffsAttachOptions;

/* In the caller's mount namespace: attach the detached mount mnt_fd at /sys/fs/bpf (the path is
 * resolved without following symlinks), then a read-only bind of the same instance at
 * /sys/fs/bpf/token. If /sys/fs/bpf already holds a delegated bpffs, nothing is stacked and -EEXIST
 * is returned. Refuses (-EXDEV) if the mount at /sys/fs/bpf is in a peer group that propagates to the
 * host (its "shared:N" is one of the host's), or, when the host's groups are unknown, if it is shared
 * and not a slave: the new mount would then appear outside this mount namespace. */
int bpffs_attach(int mnt_fd, const BpffsAttachOptions *o, BpffsStep *ret_step);

/* The peer group IDs of the shared mounts in /proc/PID/mountinfo (PID 0: self), malloc'ed. */
int mountinfo_shared_peer_groups(pid_t pid, uint64_t **ret, size_t *ret_n);

/* Whether /sys/fs/bpf in the caller's mount namespace is a bpffs with delegate_* options.
 * 1 yes, 0 no, -errno. */
int bpffs_path_is_delegated(const char *path);
