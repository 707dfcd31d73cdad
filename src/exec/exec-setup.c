/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "exec-setup.h"
#include "helper.h"
#include "instance.h"
#include "log.h"
#include "macro.h"
#include "namespace-util.h"
#include "process-util.h"
#include "protocol.h"
#include "socket-util.h"
#include "token-errors.h"

#define PUBLISHER_TIMEOUT_SEC 30

/* Make every mount in our fresh mount namespace a slave, so that nothing we mount propagates back. */
static int make_mounts_slave(void) {
        if (mount(NULL, "/", NULL, MS_REC|MS_SLAVE, NULL) < 0)
                return -errno;
        return 0;
}

/* --- standalone ---------------------------------------------------------------------------------- */

enum {
        STAGE_USERNS_READY = 1,
        STAGE_MAPS_WRITTEN,
        STAGE_MNTNS_READY,
};

/* The helper that stays in the initial user namespace, as root: writes the id maps of the parent's
 * new user namespace, then publishes the instance into it. */
static _noreturn_ void standalone_helper(int sock, pid_t target, const Delegation *d, uid_t uid, gid_t gid) {
        _cleanup_(closep) int userns = -EBADF, mntns = -EBADF, unused = -EBADF;
        BpffsStep step = BPFFS_STEP_HELPER;
        int stage, r;

        r = recv_status_fd(sock, &stage, &unused);
        if (r < 0 || stage != STAGE_USERNS_READY)
                _exit(EXIT_FAILURE);

        /* uid/gid 0 are mapped as themselves (so root-owned files keep their owner), and so is the
         * target user. The namespace's owner is root: only root can join it. */
        r = userns_write_id_maps(target, uid, gid, ID_MAP_ROOT, NULL);
        if (r < 0) {
                (void) send_status_fd(sock, (int) ((unsigned) BPFFS_STEP_USERNS << 16 | (unsigned) -r), -EBADF);
                _exit(EXIT_FAILURE);
        }
        (void) send_status_fd(sock, STAGE_MAPS_WRITTEN, -EBADF);

        r = recv_status_fd(sock, &stage, &unused);
        if (r < 0 || stage != STAGE_MNTNS_READY)
                _exit(EXIT_FAILURE);

        r = pid_get_namespaces(target, &userns, &mntns);
        if (r >= 0)
                r = instance_publish(userns, mntns, 0, 0, d, &step);
        if (r < 0)
                (void) send_status_fd(sock, (int) ((unsigned) step << 16 | (unsigned) -r), -EBADF);
        else
                (void) send_status_fd(sock, 0, -EBADF);
        helper_reap_released();
        _exit(r < 0 ? EXIT_FAILURE : EXIT_SUCCESS);
}

static int standalone_error(int status) {
        BpffsStep step = (BpffsStep) ((unsigned) status >> 16);
        int error = (int) ((unsigned) status & 0xffffu);

        return log_error_errno(-error, "%s (step %s: %m)", bpffs_error_sentence(step, -error),
                               bpffs_step_to_string(step) ?: "?");
}

int setup_standalone(const Delegation *d, uid_t uid, gid_t gid) {
        _cleanup_(closep) int parent_sock = -EBADF, child_sock = -EBADF, unused = -EBADF;
        int pair[2], status = 0, r;
        pid_t self = getpid(), helper;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC, 0, pair) < 0)
                return log_error_errno(-errno, "Failed to create a socket pair: %m");
        parent_sock = pair[0];
        child_sock = pair[1];

        r = fork_helper(&child_sock, 1, &helper);
        if (r < 0)
                return log_error_errno(r, "Failed to fork a helper: %m");
        if (r == 0)
                standalone_helper(child_sock, self, d, uid, gid);
        child_sock = safe_close(child_sock);

        if (unshare(CLONE_NEWUSER) < 0) {
                r = -errno;
                (void) wait_for_helper(helper);
                return log_error_errno(r, "Failed to create a user namespace: %m. %s",
                                       r == -EPERM || r == -ENOSPC || r == -EUSERS
                                       ? "User namespaces are disabled or exhausted here (see "
                                         "/proc/sys/user/max_user_namespaces and "
                                         "kernel.apparmor_restrict_unprivileged_userns)."
                                       : "");
        }

        r = send_status_fd(parent_sock, STAGE_USERNS_READY, -EBADF);
        if (r >= 0)
                r = recv_status_fd(parent_sock, &status, &unused);
        if (r < 0 || status != STAGE_MAPS_WRITTEN) {
                (void) wait_for_helper(helper);
                return r < 0 ? log_error_errno(r, "The helper that writes the user namespace's id maps failed: %m")
                             : standalone_error(status);
        }

        if (unshare(CLONE_NEWNS) < 0) {
                r = log_error_errno(-errno, "Failed to create a mount namespace: %m");
                (void) wait_for_helper(helper);
                return r;
        }
        r = make_mounts_slave();
        if (r < 0) {
                (void) wait_for_helper(helper);
                return log_error_errno(r, "Failed to make the new mount namespace a slave of the host's: %m");
        }

        r = send_status_fd(parent_sock, STAGE_MNTNS_READY, -EBADF);
        if (r >= 0)
                r = recv_status_fd(parent_sock, &status, &unused);
        (void) wait_for_helper(helper);
        if (r < 0)
                return log_error_errno(r, "The publishing helper died: %m");
        if (status != 0)
                return standalone_error(status);
        return 0;
}

/* --- through the publisher ------------------------------------------------------------------------ */

int setup_from_publisher(const char *socket_path, Delegation *ret_granted) {
        return setup_from_publisher_full(socket_path, 0, ret_granted, NULL);
}

int setup_from_publisher_full(const char *socket_path, unsigned request_flags, Delegation *ret_granted,
                              int *ret_netns_fd) {
        _cleanup_(closep) int fd = -EBADF, netns_fd = -EBADF;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct timeval tv = { .tv_sec = PUBLISHER_TIMEOUT_SEC };
        PublishReply reply;
        int r;

        if (strlen(socket_path) >= sizeof sa.sun_path)
                return log_error_errno(-ENAMETOOLONG, "Socket path too long: %s", socket_path);
        strcpy(sa.sun_path, socket_path);

        fd = socket(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC, 0);
        if (fd < 0)
                return log_error_errno(-errno, "%s (socket: %m)", publisher_connect_error_sentence(errno));
        (void) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        (void) setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                return log_error_errno(-errno, "%s (%s: %m)", publisher_connect_error_sentence(errno), socket_path);

        r = publish_request_send_flags(fd, request_flags);
        if (r < 0)
                return log_error_errno(r, "Failed to send the request to the bpftoken publisher: %m");
        r = publish_reply_recv_fd(fd, &reply, ret_netns_fd ? &netns_fd : NULL);
        if (r == -EAGAIN)
                return log_error_errno(r, "The bpftoken publisher did not answer within %d s.", PUBLISHER_TIMEOUT_SEC);
        if (r < 0)
                return log_error_errno(r, "The bpftoken publisher's answer could not be read: %m");
        if (reply.error != 0)
                return log_error_errno(-reply.error, "The bpftoken publisher refused: %s", reply.message);

        log_debug("Publisher: %s", reply.message);
        memcpy(ret_granted->masks, reply.masks, sizeof ret_granted->masks);
        if (ret_netns_fd)
                *ret_netns_fd = TAKE_FD(netns_fd);
        return 0;
}

int setup_own_namespace_then_publisher(const char *socket_path, Delegation *ret_granted) {
        uid_t uid = getuid();
        gid_t gid = getgid();
        int r;

        if (unshare(CLONE_NEWUSER|CLONE_NEWNS) < 0)
                return log_error_errno(-errno, "Failed to create a user and mount namespace: %m. User namespaces "
                                       "may be disabled for unprivileged users here.");

        r = userns_write_id_maps(0, uid, gid, ID_MAP_DENY_SETGROUPS, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to write the id maps of the new user namespace: %m");

        r = make_mounts_slave();
        if (r < 0)
                return log_error_errno(r, "Failed to make the new mount namespace a slave of the host's: %m");

        log_notice("Created a user namespace owned by uid %u: every process of this uid can join it and use "
                   "its BPF delegation.", (unsigned) uid);
        return setup_from_publisher(socket_path, ret_granted);
}
