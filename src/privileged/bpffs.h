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
        BPFFS_STEP_SHARED,           /* the target mount propagates to other mount namespaces */
        BPFFS_STEP_ATTACH,           /* move_mount */
        BPFFS_STEP_TOKEN_BIND,       /* the token directory and its read-only bind, on the detached instance */
        BPFFS_STEP_USERNS,           /* joining the target user namespace */
        BPFFS_STEP_MNTNS,            /* joining the target mount namespace */
        BPFFS_STEP_HELPER,           /* a helper process failed */
        BPFFS_STEP_VERIFY,           /* what sits on /sys/fs/bpf after move_mount is not our mount */
        BPFFS_STEP_DEADLINE,         /* a helper did not finish in time and was killed */
        BPFFS_STEP_EXISTING,         /* this namespace's instance is attached with other masks */
        _BPFFS_STEP_MAX,
} BpffsStep;

const char *bpffs_step_to_string(BpffsStep s);

/* On an fs context from fsopen("bpf"): prove the kernel supports delegation (it must reject an
 * invalid delegate_cmds value; kernels before 6.9 silently ignore the key; once per process), set the four delegate_*
 * options as hex masks checking each return, and create the superblock. Needs CAP_SYS_ADMIN in the
 * initial user namespace. */
int bpffs_configure(int fs_fd, const Delegation *d, BpffsStep *ret_step);

/* The support probe alone, on a context of our own (needs CAP_SYS_ADMIN): 0 if this kernel supports
 * delegation (remembered for the process and its later forks, so that bpffs_configure() skips it),
 * -EOPNOTSUPP if not, -errno. */
int bpffs_probe_support(void);

/* Whether fd (a directory) is on a bpffs. 1/0/-errno. */
int fd_is_bpffs(int fd);

/* Open /sys/fs/bpf in the current mount namespace as an O_PATH directory, without following
 * symlinks (openat2(RESOLVE_NO_SYMLINKS), or one component at a time where seccomp filters that).
 * The only time the path is resolved: everything after works on this fd and on mount IDs. */
int bpffs_open_target(void);

/* On the instance mnt_fd (from fsmount()): create the token directory (as owner_uid/gid when root is
 * not mapped in the instance's user namespace). */
int bpffs_make_token_dir(int mnt_fd, uid_t owner_uid, gid_t owner_gid);

/* Mount a read-only bind of the instance mnt_fd on its token directory. On the detached instance
 * (Linux >= 6.15 mounts onto detached trees), so that one move_mount() attaches the whole tree; where
 * the kernel refuses that (-EINVAL), after the instance is attached, from inside its namespace. */
int bpffs_bind_token(int mnt_fd);

/* At most this many mounts below an instance are looked at. */
#define BPFFS_CHILDREN_MAX 64

/* Whether a read-only bind of the instance's superblock is mounted directly on the instance at
 * <mount point>/token (statmount facts; instance as seen in mount namespace ns_id by the calling
 * process). 1/0/-errno. */
typedef struct MountFacts MountFacts;
int bpffs_token_bind_present(const MountFacts *instance, uint64_t ns_id);

/* For bpftoken-exec only, in its own mount namespace, after the handoff: whether the topmost mount at
 * path is a bpffs with delegate_* options, from its own /proc/self/mountinfo (read whole, at most
 * BPFFS_MOUNTINFO_MAX bytes). Never for the privileged side: a caller controls its /proc. It avoids
 * statmount(), which a unit's system call filter may not allow. 1 yes, 0 no, -errno. */
#define BPFFS_MOUNTINFO_MAX (16U * 1024U * 1024U)
int bpffs_path_is_delegated(const char *path);
