/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/stat.h>

#include "bpffs.h"
#include "capability-util.h"
#include "exec-native.h"
#include "log.h"
#include "macro.h"
#include "syscalls.h"

/* bpftoken's own instance carries its read-only bind at /sys/fs/bpf/token: a mount of its own. */
static int token_path_is_bpftoken_bind(void) {
        struct statx root, token;

        if (statx(AT_FDCWD, BPFFS_PATH, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &root) < 0)
                return -errno;
        if (statx(AT_FDCWD, BPFFS_TOKEN_PATH, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &token) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!(root.stx_mask & token.stx_mask & STATX_MNT_ID))
                return -EOPNOTSUPP;
        return S_ISDIR(token.stx_mode) && root.stx_mnt_id != token.stx_mnt_id;
}

/* The kernel's answer first: BPF_TOKEN_CREATE on /sys/fs/bpf succeeds on a delegated instance of our
 * user namespace, and fails with EPERM on a bpffs of another one (the host's, on systemd < 258, before
 * the publisher attached ours), provided we hold CAP_BPF here; a /sys/fs/bpf that is no bpffs at all
 * is not delegated either. 1 delegated here, 0 not, -EAGAIN if only the mount table can tell (no
 * CAP_BPF, or an instance that delegates nothing). */
static int token_probe(void) {
        _cleanup_(closep) int fd = -EBADF, token = -EBADF;
        CapabilitySets caps;

        fd = open(BPFFS_PATH, O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT || errno == ENOTDIR || errno == ELOOP ? 0 : -EAGAIN;
        if (fd_is_bpffs(fd) == 0)
                return 0; /* no bpffs at all there (a host that mounts none) */
        token = bpf_token_create_fd(fd);
        if (token >= 0)
                return 1;
        if (token == -EPERM && capability_get(&caps) >= 0 && (caps.effective & (UINT64_C(1) << CAP_BPF)))
                return 0;
        return -EAGAIN;
}

int native_instance_present(void) {
        int r;

        r = token_probe();
        if (r == -EAGAIN)
                r = bpffs_path_is_delegated(BPFFS_PATH);
        if (r <= 0)
                return r;
        /* A repeated bpftoken-exec in a bpftoken unit still asks the publisher (which stacks nothing). */
        r = token_path_is_bpftoken_bind();
        if (r < 0)
                return r;
        return !r;
}

int native_token_path_setup(void) {
        _cleanup_(closep) int root = -EBADF;
        struct stat st;
        int r;

        root = open(BPFFS_PATH, O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
        if (root < 0)
                return log_error_errno(-errno, "Cannot open %s: %m", BPFFS_PATH);
        r = fd_is_bpffs(root);
        if (r <= 0)
                return log_error_errno(r < 0 ? r : -EMEDIUMTYPE, "%s is not a bpffs.", BPFFS_PATH);

        if (fstatat(root, "token", &st, AT_SYMLINK_NOFOLLOW) >= 0)
                return 0; /* a previous command of this namespace, or the program's own pin: leave it */
        if (errno != ENOENT)
                return log_error_errno(-errno, "Cannot check %s: %m", BPFFS_TOKEN_PATH);
        if (symlinkat(".", root, "token") < 0 && errno != EEXIST)
                return log_error_errno(-errno, "Cannot create %s in systemd's instance: %m", BPFFS_TOKEN_PATH);
        log_debug("%s links to the native instance at %s.", BPFFS_TOKEN_PATH, BPFFS_PATH);
        return 0;
}
