/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <linux/stat.h>
#include <sys/fsuid.h>
#include <sys/statfs.h>

#include "bpf-token-uapi.h"
#include "bpffs.h"
#include "fileio.h"
#include "macro.h"
#include "mount-facts.h"
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
        [BPFFS_STEP_VERIFY] = "verify",
        [BPFFS_STEP_DEADLINE] = "deadline",
        [BPFFS_STEP_EXISTING] = "existing",
};

const char *bpffs_step_to_string(BpffsStep s) {
        if (s < 0 || s >= _BPFFS_STEP_MAX)
                return NULL;
        return step_table[s];
}

/* The kernel's support for delegation cannot change while it runs: once seen, never probed again in
 * this process (or in the publisher's workers, forked after bpffs_probe_support()). Each probe costs a
 * scan of the kernel's BTF (about 0.15 ms, as each delegate_* option does). */
static bool support_seen = false;

static int probe_support(int fs_fd) {
        int r;

        if (support_seen)
                return 0;
        /* A kernel without delegation ignores unknown bpffs options, so success of the real
         * options would prove nothing. A supporting kernel rejects this value with EINVAL and leaves
         * the key unset. */
        r = sys_fsconfig(fs_fd, BPFTOKEN_FSCONFIG_SET_STRING, "delegate_cmds", "bpftoken-support-probe", 0);
        if (r >= 0)
                return -EOPNOTSUPP;
        if (r != -EINVAL)
                return r;
        support_seen = true;
        return 0;
}

int bpffs_probe_support(void) {
        _cleanup_(closep) int fs_fd = -EBADF;

        if (support_seen)
                return 0;
        fs_fd = sys_fsopen("bpf", BPFTOKEN_FSOPEN_CLOEXEC);
        if (fs_fd < 0)
                return fs_fd;
        return probe_support(fs_fd);
}

int bpffs_configure(int fs_fd, const Delegation *d, BpffsStep *ret_step) {
        static const BpffsStep steps[_BPF_KIND_MAX] = {
                [BPF_KIND_COMMAND] = BPFFS_STEP_DELEGATE_CMDS,
                [BPF_KIND_MAP] = BPFFS_STEP_DELEGATE_MAPS,
                [BPF_KIND_PROGRAM] = BPFFS_STEP_DELEGATE_PROGS,
                [BPF_KIND_ATTACHMENT] = BPFFS_STEP_DELEGATE_ATTACHS,
        };
        int r;

        r = probe_support(fs_fd);
        if (r < 0) {
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

/* The last (topmost) line of a mountinfo text whose mount point is path: is it a bpffs with a
 * delegate_* super option? Paths with characters mountinfo escapes never match, which is fine for
 * the fixed paths asked about here. */
static int mountinfo_text_is_delegated(char *text, const char *path) {
        int found = 0;

        for (char *line = text, *next; line && *line; line = next) {
                char *f[5], *sep, *type, *opts, *save = NULL;
                size_t i;

                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                sep = strstr(line, " - ");
                if (!sep)
                        continue;
                *sep = '\0';
                for (i = 0; i < ELEMENTSOF(f); i++)
                        if (!(f[i] = strtok_r(i == 0 ? line : NULL, " ", &save)))
                                break;
                if (i < ELEMENTSOF(f) || !streq(f[4], path))
                        continue;
                save = NULL;
                type = strtok_r(sep + 3, " ", &save);
                (void) strtok_r(NULL, " ", &save); /* source */
                opts = strtok_r(NULL, " ", &save);
                found = streq_ptr(type, "bpf") && opts && (strstr(opts, ",delegate_") || startswith(opts, "delegate_"));
        }
        return found;
}

int bpffs_path_is_delegated(const char *path) {
        _cleanup_(freep) char *text = NULL;
        int r;

        /* The caller's own table, read by the caller: this is bpftoken-exec checking its own namespace
         * (the privileged side never reads it, see mount-facts.h). statmount() would be simpler, but a
         * unit's SystemCallFilter= on systemd < 256 does not know it and kills the process for it. */
        r = read_full_file_at(AT_FDCWD, "/proc/self/mountinfo", BPFFS_MOUNTINFO_MAX, &text, NULL);
        if (r < 0)
                return r;
        return mountinfo_text_is_delegated(text, path);
}

int bpffs_open_target(void) {
        _cleanup_(closep) int dir = -EBADF;
        static const char *const components[] = { "sys", "fs", "bpf" };
        int fd;

        fd = sys_openat2(AT_FDCWD, BPFFS_PATH, (uint64_t) (O_PATH|O_DIRECTORY|O_CLOEXEC), 0,
                         BPFTOKEN_RESOLVE_NO_SYMLINKS|BPFTOKEN_RESOLVE_NO_MAGICLINKS);
        if (fd != -ENOSYS && fd != -EPERM)
                return fd;

        /* openat2() filtered (seccomp returns ENOSYS or EPERM for it): one component at a time. */
        dir = open("/", O_PATH|O_DIRECTORY|O_CLOEXEC);
        if (dir < 0)
                return -errno;
        for (size_t i = 0; i < ELEMENTSOF(components); i++) {
                fd = openat(dir, components[i], O_PATH|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
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

int bpffs_make_token_dir(int mnt_fd, uid_t owner_uid, gid_t owner_gid) {
        int r;

        /* mnt_fd is our own instance: nothing here resolves a path anyone else can change. */
        r = fd_is_bpffs(mnt_fd);
        if (r <= 0)
                return r < 0 ? r : -EMEDIUMTYPE;
        if (mkdirat(mnt_fd, "token", 0755) < 0 && errno != EEXIST) {
                if (errno != EOVERFLOW)
                        return -errno;
                /* Root is not mapped in the instance's user namespace: create it as its owner. */
                r = mkdirat_as(mnt_fd, "token", owner_uid, owner_gid);
                if (r < 0)
                        return r;
        }
        return 0;
}

int bpffs_bind_token(int mnt_fd) {
        _cleanup_(closep) int tree_fd = -EBADF;
        int r;

        /* The well-known token path: a read-only bind of the same instance, so that pins live in one
         * place and the token path cannot be used to pin anything. */
        tree_fd = sys_open_tree(mnt_fd, "", BPFTOKEN_OPEN_TREE_CLONE|O_CLOEXEC|AT_EMPTY_PATH);
        if (tree_fd < 0)
                return tree_fd;
        r = sys_mount_setattr(tree_fd, "", AT_EMPTY_PATH, BPFTOKEN_MOUNT_ATTR_RDONLY, 0);
        if (r < 0)
                return r;
        return sys_move_mount(tree_fd, "", mnt_fd, "token", BPFTOKEN_MOVE_MOUNT_F_EMPTY_PATH);
}

int bpffs_token_bind_present(const MountFacts *instance, uint64_t ns_id) {
        _cleanup_(freep) uint64_t *children = NULL;
        size_t n = 0;
        int r;

        if (!instance->point_known)
                return -ENAMETOOLONG;
        r = mount_list(instance->id, ns_id, BPFFS_CHILDREN_MAX, &children, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                MountFacts c;
                char want[MOUNT_POINT_MAX + sizeof "/token"];

                r = mount_facts_get(children[i], ns_id, &c);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return r;
                snprintf(want, sizeof want, "%s/token", instance->point);
                if (c.parent_id == instance->id && c.is_bpf && c.point_known && streq(c.point, want) &&
                    (c.attr & BPFTOKEN_MOUNT_ATTR_RDONLY) &&
                    c.sb_dev_major == instance->sb_dev_major && c.sb_dev_minor == instance->sb_dev_minor)
                        return 1;
        }
        return 0;
}
