/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <libmount.h>
#include <sys/stat.h>
#include <linux/stat.h>
#include <sys/fsuid.h>
#include <sys/statfs.h>

#include "bpf-token-uapi.h"
#include "bpffs.h"
#include "macro.h"
#include "syscalls.h"

static const char *const step_table[_BPFFS_STEP_MAX] = {
        [BPFFS_STEP_NONE] = "none",
        [BPFFS_STEP_FSOPEN] = "fsopen",
        [BPFFS_STEP_PROBE] = "probe",
        [BPFFS_STEP_DELEGATE_CMDS] = "delegate_cmds",
        [BPFFS_STEP_DELEGATE_MAPS] = "delegate_maps",
        [BPFFS_STEP_DELEGATE_PROGS] = "delegate_progs",
        [BPFFS_STEP_DELEGATE_ATTACHS] = "delegate_attachs",
        [BPFFS_STEP_CREATE] = "create",
        [BPFFS_STEP_FSMOUNT] = "fsmount",
        [BPFFS_STEP_TARGET] = "target",
        [BPFFS_STEP_SHARED] = "shared",
        [BPFFS_STEP_ATTACH] = "attach",
        [BPFFS_STEP_TOKEN_BIND] = "token-bind",
        [BPFFS_STEP_USERNS] = "userns",
        [BPFFS_STEP_MNTNS] = "mntns",
        [BPFFS_STEP_HELPER] = "helper",
};

const char *bpffs_step_to_string(BpffsStep s) {
        if (s < 0 || s >= _BPFFS_STEP_MAX)
                return NULL;
        return step_table[s];
}

int bpffs_configure(int fs_fd, const Delegation *d, BpffsStep *ret_step) {
        static const BpffsStep steps[_BPF_KIND_MAX] = {
                [BPF_KIND_COMMAND] = BPFFS_STEP_DELEGATE_CMDS,
                [BPF_KIND_MAP] = BPFFS_STEP_DELEGATE_MAPS,
                [BPF_KIND_PROGRAM] = BPFFS_STEP_DELEGATE_PROGS,
                [BPF_KIND_ATTACHMENT] = BPFFS_STEP_DELEGATE_ATTACHS,
        };
        int r;

        /* A kernel without delegation ignores unknown bpffs options, so success of the real
         * options would prove nothing. A supporting kernel rejects this value with EINVAL and leaves
         * the key unset. */
        r = sys_fsconfig(fs_fd, BPFTOKEN_FSCONFIG_SET_STRING, "delegate_cmds", "bpftoken-support-probe", 0);
        if (r >= 0) {
                *ret_step = BPFFS_STEP_PROBE;
                return -EOPNOTSUPP;
        }
        if (r != -EINVAL) {
                *ret_step = BPFFS_STEP_PROBE;
                return r;
        }

        /* Hex only: inside a name list the kernel lets a number overwrite the bits before it. */
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                char hex[2 + 16 + 1];

                snprintf(hex, sizeof hex, "0x%" PRIx64, d->masks[k]);
                r = sys_fsconfig(fs_fd, BPFTOKEN_FSCONFIG_SET_STRING, bpf_kind_mount_option(k), hex, 0);
                if (r < 0) {
                        *ret_step = steps[k];
                        return r;
                }
        }

        r = sys_fsconfig(fs_fd, BPFTOKEN_FSCONFIG_CMD_CREATE, NULL, NULL, 0);
        if (r < 0) {
                *ret_step = BPFFS_STEP_CREATE;
                return r;
        }

        *ret_step = BPFFS_STEP_NONE;
        return 0;
}

int fd_is_bpffs(int fd) {
        struct statfs sfs;

        if (fstatfs(fd, &sfs) < 0)
                return -errno;
        return (uint32_t) sfs.f_type == (uint32_t) BPFTOKEN_BPF_FS_MAGIC;
}

/* Find the topmost mount at path in the caller's mountinfo. */
static int find_mount(const char *path, struct libmnt_table **ret_table, struct libmnt_fs **ret_fs) {
        struct libmnt_table *t;
        struct libmnt_fs *fs;

        t = mnt_new_table_from_file("/proc/self/mountinfo");
        if (!t)
                return -errno ?: -ENOMEM;
        fs = mnt_table_find_target(t, path, MNT_ITER_BACKWARD);
        if (!fs) {
                mnt_unref_table(t);
                return -ENOENT;
        }
        *ret_table = t;
        *ret_fs = fs;
        return 0;
}

static bool fs_is_delegated_bpffs(struct libmnt_fs *fs) {
        const char *opts = mnt_fs_get_fs_options(fs);

        return streq_ptr(mnt_fs_get_fstype(fs), "bpf") && opts && strstr(opts, "delegate_");
}

int bpffs_path_is_delegated(const char *path) {
        struct libmnt_table *t = NULL;
        struct libmnt_fs *fs = NULL;
        int r;

        r = find_mount(path, &t, &fs);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        r = fs_is_delegated_bpffs(fs);
        mnt_unref_table(t);
        return r;
}

/* The peer group ID of a mountinfo optional field list ("shared:12 master:3"), 0 if not shared. */
static uint64_t optional_fields_shared_group(const char *opt, bool *ret_slave) {
        const char *s;

        if (ret_slave)
                *ret_slave = opt && strstr(opt, "master:");
        s = opt ? strstr(opt, "shared:") : NULL;
        return s ? strtoull(s + strlen("shared:"), NULL, 10) : 0;
}

int mountinfo_shared_peer_groups(pid_t pid, uint64_t **ret, size_t *ret_n) {
        struct libmnt_table *t;
        struct libmnt_iter *it;
        struct libmnt_fs *fs;
        uint64_t *groups = NULL;
        size_t n = 0;
        char path[64];
        int r = 0;

        if (pid > 0)
                snprintf(path, sizeof path, "/proc/%d/mountinfo", (int) pid);
        else
                snprintf(path, sizeof path, "/proc/self/mountinfo");
        t = mnt_new_table_from_file(path);
        if (!t)
                return -errno ?: -ENOMEM;
        it = mnt_new_iter(MNT_ITER_FORWARD);
        if (!it) {
                mnt_unref_table(t);
                return -ENOMEM;
        }
        while (mnt_table_next_fs(t, it, &fs) == 0) {
                uint64_t g = optional_fields_shared_group(mnt_fs_get_optional_fields(fs), NULL);
                uint64_t *ng;

                if (g == 0)
                        continue;
                ng = realloc(groups, (n + 1) * sizeof *groups);
                if (!ng) {
                        r = -ENOMEM;
                        break;
                }
                groups = ng;
                groups[n++] = g;
        }
        mnt_free_iter(it);
        mnt_unref_table(t);
        if (r < 0) {
                free(groups);
                return r;
        }
        *ret = groups;
        *ret_n = n;
        return 0;
}

/* Would a mount placed on the mount that fd lives on propagate to the host? */
static int fd_mount_propagates_to_host(int fd, const BpffsAttachOptions *o) {
        struct libmnt_table *t;
        struct libmnt_iter *it;
        struct libmnt_fs *fs;
        struct statx stx;
        int r;

        if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) < 0)
                return -errno;
        if (!(stx.stx_mask & STATX_MNT_ID))
                return -EOPNOTSUPP;

        t = mnt_new_table_from_file("/proc/self/mountinfo");
        if (!t)
                return -ENOMEM;
        r = -ENOENT;
        it = mnt_new_iter(MNT_ITER_FORWARD);
        if (!it) {
                mnt_unref_table(t);
                return -ENOMEM;
        }
        while (mnt_table_next_fs(t, it, &fs) == 0) {
                bool slave;
                uint64_t g;

                if ((uint64_t) mnt_fs_get_id(fs) != stx.stx_mnt_id)
                        continue;
                g = optional_fields_shared_group(mnt_fs_get_optional_fields(fs), &slave);
                if (g == 0)
                        r = 0;
                else if (o->host_peer_groups_known) {
                        r = 0;
                        for (size_t i = 0; i < o->n_host_peer_groups; i++)
                                if (o->host_peer_groups[i] == g)
                                        r = 1;
                } else
                        /* Without the host's groups: a slave got its own peer group when it was made
                         * shared again (what systemd does for PrivateMounts=); a shared mount that is
                         * no slave may well be in the host's group. */
                        r = !slave;
                break;
        }
        mnt_free_iter(it);
        mnt_unref_table(t);
        return r;
}

/* Open /sys/fs/bpf as an O_PATH directory without following symlinks: openat2(RESOLVE_NO_SYMLINKS),
 * or, where that is unavailable (seccomp filters return ENOSYS for it), one component at a time with
 * O_NOFOLLOW. */
static int open_bpffs_path(int flags) {
        _cleanup_(closep) int dir = -EBADF;
        static const char *const components[] = { "sys", "fs", "bpf" };
        int fd;

        fd = sys_openat2(AT_FDCWD, BPFFS_PATH, (uint64_t) (flags|O_DIRECTORY|O_CLOEXEC), 0,
                         BPFTOKEN_RESOLVE_NO_SYMLINKS|BPFTOKEN_RESOLVE_NO_MAGICLINKS);
        if (fd != -ENOSYS && fd != -EPERM)
                return fd;

        dir = open("/", O_PATH|O_DIRECTORY|O_CLOEXEC);
        if (dir < 0)
                return -errno;
        for (size_t i = 0; i < ELEMENTSOF(components); i++) {
                bool last = i + 1 == ELEMENTSOF(components);

                fd = openat(dir, components[i], (last ? flags : O_PATH)|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
                if (fd < 0)
                        return errno == ENOTDIR ? -ELOOP : -errno;
                safe_close(dir);
                dir = fd;
        }
        return TAKE_FD(dir);
}

/* mkdir with the given fs ids, for a superblock whose user namespace does not map root. */
static int mkdirat_as(int dir_fd, const char *name, uid_t uid, gid_t gid) {
        uid_t old_uid;
        gid_t old_gid;
        int r = 0;

        old_gid = (gid_t) setfsgid(gid);
        old_uid = (uid_t) setfsuid(uid);
        if (mkdirat(dir_fd, name, 0755) < 0 && errno != EEXIST)
                r = -errno;
        (void) setfsuid(old_uid);
        (void) setfsgid(old_gid);
        return r;
}

int bpffs_attach(int mnt_fd, const BpffsAttachOptions *o, BpffsStep *ret_step) {
        _cleanup_(closep) int target_fd = -EBADF, root_fd = -EBADF, tree_fd = -EBADF, token_fd = -EBADF;
        int r;

        *ret_step = BPFFS_STEP_TARGET;
        r = bpffs_path_is_delegated(BPFFS_PATH);
        if (r < 0)
                return r;
        if (r > 0)
                return -EEXIST;

        target_fd = open_bpffs_path(O_PATH);
        if (target_fd < 0)
                return target_fd;

        r = fd_mount_propagates_to_host(target_fd, o);
        if (r < 0)
                return r;
        if (r > 0) {
                *ret_step = BPFFS_STEP_SHARED;
                return -EXDEV;
        }

        *ret_step = BPFFS_STEP_ATTACH;
        r = sys_move_mount(mnt_fd, "", target_fd, "",
                           BPFTOKEN_MOVE_MOUNT_F_EMPTY_PATH|BPFTOKEN_MOVE_MOUNT_T_EMPTY_PATH);
        if (r < 0)
                return r;

        /* The well-known token path: a read-only bind of the same instance, so that pins live in
         * one place and the token path cannot be used to pin anything. */
        *ret_step = BPFFS_STEP_TOKEN_BIND;
        root_fd = open_bpffs_path(O_RDONLY);
        if (root_fd < 0)
                return root_fd;
        r = fd_is_bpffs(root_fd);
        if (r <= 0)
                return r < 0 ? r : -EMEDIUMTYPE;
        if (mkdirat(root_fd, "token", 0755) < 0 && errno != EEXIST) {
                if (errno != EOVERFLOW)
                        return -errno;
                /* Root is not mapped in the instance's user namespace: create it as its owner. */
                r = mkdirat_as(root_fd, "token", o->owner_uid, o->owner_gid);
                if (r < 0)
                        return r;
        }
        token_fd = openat(root_fd, "token", O_PATH|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
        if (token_fd < 0)
                return -errno;
        tree_fd = sys_open_tree(root_fd, "", BPFTOKEN_OPEN_TREE_CLONE|O_CLOEXEC|AT_EMPTY_PATH);
        if (tree_fd < 0)
                return tree_fd;
        r = sys_mount_setattr(tree_fd, "", AT_EMPTY_PATH, BPFTOKEN_MOUNT_ATTR_RDONLY, 0);
        if (r < 0)
                return r;
        r = sys_move_mount(tree_fd, "", token_fd, "",
                           BPFTOKEN_MOVE_MOUNT_F_EMPTY_PATH|BPFTOKEN_MOVE_MOUNT_T_EMPTY_PATH);
        if (r < 0)
                return r;

        *ret_step = BPFFS_STEP_NONE;
        return 0;
}
