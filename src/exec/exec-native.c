/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sys/stat.h>

#include "bpffs.h"
#include "exec-native.h"
#include "log.h"
#include "macro.h"

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

int native_instance_present(void) {
        int r;

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
