/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sched.h>
#include <sys/socket.h>

#include "bpf-token-uapi.h"
#include "instance.h"
#include "macro.h"
#include "process-util.h"
#include "socket-util.h"
#include "syscalls.h"

/* Helpers report (step << 16 | errno) in one status word. */
#define STATUS(step, error) ((int) ((unsigned) (step) << 16 | (unsigned) (error)))
#define STATUS_STEP(s) ((BpffsStep) ((unsigned) (s) >> 16))
#define STATUS_ERRNO(s) ((int) ((unsigned) (s) & 0xffffu))

static _noreturn_ void helper_exit(int sock, int status, int fd) {
        (void) send_status_fd(sock, status, fd);
        _exit(status == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}

/* Helper 1: in the target user namespace, return an fs context for a new bpffs. */
static _noreturn_ void helper_open_context(int sock, int userns_fd) {
        int fs_fd;

        if (setns(userns_fd, CLONE_NEWUSER) < 0)
                helper_exit(sock, STATUS(BPFFS_STEP_USERNS, errno), -EBADF);
        /* fsopen() needs CAP_SYS_ADMIN over the current mount namespace: take one owned by the
         * user namespace we just joined. It dies with this helper. */
        if (unshare(CLONE_NEWNS) < 0)
                helper_exit(sock, STATUS(BPFFS_STEP_USERNS, errno), -EBADF);
        fs_fd = sys_fsopen("bpf", BPFTOKEN_FSOPEN_CLOEXEC);
        if (fs_fd < 0)
                helper_exit(sock, STATUS(BPFFS_STEP_FSOPEN, -fs_fd), -EBADF);
        helper_exit(sock, 0, fs_fd);
}

/* Helper 2: in the target mount namespace, attach the instance. */
static _noreturn_ void helper_attach(int sock, int mntns_fd, int mnt_fd, const BpffsAttachOptions *o) {
        BpffsStep step;
        int r;

        if (setns(mntns_fd, CLONE_NEWNS) < 0)
                helper_exit(sock, STATUS(BPFFS_STEP_MNTNS, errno), -EBADF);
        r = bpffs_attach(mnt_fd, o, &step);
        if (r == -EEXIST)
                helper_exit(sock, STATUS(BPFFS_STEP_NONE, EEXIST), -EBADF);
        if (r < 0)
                helper_exit(sock, STATUS(step, -r), -EBADF);
        helper_exit(sock, 0, -EBADF);
}

/* Run one helper to completion, with a socket of its own whose other end the parent closes, so that a
 * helper that dies without a word is seen as EOF. keep[0] is replaced by the helper's socket.
 * Returns 0 with the helper's status word and an fd it sent, or -errno. */
static int run_helper(int *keep, size_t n_keep, void (*body)(int sock, const int *keep, const void *userdata),
                      const void *userdata,
                      int *ret_status, int *ret_fd, BpffsStep *ret_step) {
        _cleanup_(closep) int fd = -EBADF, parent_sock = -EBADF, child_sock = -EBADF;
        int pair[2], status = 0, r, q;
        pid_t pid;

        /* Sequenced packets: one status word with at most one fd per message. */
        if (socketpair(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC, 0, pair) < 0) {
                *ret_step = BPFFS_STEP_HELPER;
                return -errno;
        }
        parent_sock = pair[0];
        child_sock = pair[1];
        keep[0] = child_sock;

        r = fork_helper(keep, n_keep, &pid);
        if (r < 0) {
                *ret_step = BPFFS_STEP_HELPER;
                return r;
        }
        if (r == 0) {
                body(child_sock, keep, userdata);
                _exit(EXIT_FAILURE);
        }
        child_sock = safe_close(child_sock);

        r = recv_status_fd(parent_sock, &status, &fd);
        q = wait_for_helper(pid);
        if (r < 0) {
                /* The helper died without a word (killed, or crashed). */
                *ret_step = BPFFS_STEP_HELPER;
                return r == -ECONNRESET ? -EPROTO : r;
        }
        if (status == 0 && q < 0) {
                *ret_step = BPFFS_STEP_HELPER;
                return q;
        }
        *ret_status = status;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static void body_open_context(int sock, const int *keep, const void *userdata) {
        helper_open_context(sock, keep[1]);
}

static void body_attach(int sock, const int *keep, const void *userdata) {
        helper_attach(sock, keep[1], keep[2], userdata);
}

int instance_publish(int userns_fd, int mntns_fd, uid_t owner_uid, gid_t owner_gid, const Delegation *d,
                     BpffsStep *ret_step) {
        BpffsAttachOptions o = {
                .owner_uid = owner_uid,
                .owner_gid = owner_gid,
        };

        return instance_publish_full(userns_fd, mntns_fd, &o, d, ret_step);
}

int instance_publish_full(int userns_fd, int mntns_fd, const BpffsAttachOptions *o, const Delegation *d,
                          BpffsStep *ret_step) {
        _cleanup_(closep) int fs_fd = -EBADF, mnt_fd = -EBADF, unused_fd = -EBADF;
        int status = 0, r;

        *ret_step = BPFFS_STEP_NONE;

        {
                int keep[] = { -EBADF, userns_fd };

                r = run_helper(keep, ELEMENTSOF(keep), body_open_context, NULL, &status, &fs_fd, ret_step);
        }
        if (r < 0)
                return r;
        if (status != 0) {
                *ret_step = STATUS_STEP(status);
                return -STATUS_ERRNO(status);
        }
        if (fs_fd < 0) {
                *ret_step = BPFFS_STEP_HELPER;
                return -EBADMSG;
        }

        r = bpffs_configure(fs_fd, d, ret_step);
        if (r < 0)
                return r;

        mnt_fd = sys_fsmount(fs_fd, BPFTOKEN_FSMOUNT_CLOEXEC, 0);
        if (mnt_fd < 0) {
                *ret_step = BPFFS_STEP_FSMOUNT;
                return mnt_fd;
        }
        fs_fd = safe_close(fs_fd);

        {
                int keep[] = { -EBADF, mntns_fd, mnt_fd };

                r = run_helper(keep, ELEMENTSOF(keep), body_attach, o, &status, &unused_fd, ret_step);
        }
        if (r < 0)
                return r;
        if (status == STATUS(BPFFS_STEP_NONE, EEXIST))
                return 1;
        if (status != 0) {
                *ret_step = STATUS_STEP(status);
                return -STATUS_ERRNO(status);
        }
        return 0;
}
