/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "macro.h"
#include "namespace-util.h"
#include "netns.h"
#include "process-util.h"
#include "socket-util.h"

#define STATUS(step, error) ((int) ((unsigned) (step) << 16 | (unsigned) (error)))
#define STATUS_STEP(s) ((NetnsStep) ((unsigned) (s) >> 16))
#define STATUS_ERRNO(s) ((int) ((unsigned) (s) & 0xffffu))

static const char *const step_table[_NETNS_STEP_MAX] = {
        [NETNS_STEP_NONE] = "none",
        [NETNS_STEP_NOT_PRIVATE] = "netns-not-private",
        [NETNS_STEP_USERNS] = "netns-userns",
        [NETNS_STEP_UNSHARE] = "netns-unshare",
        [NETNS_STEP_LOOPBACK] = "netns-loopback",
        [NETNS_STEP_HELPER] = "netns-helper",
};

const char *netns_step_to_string(NetnsStep s) {
        if (s < 0 || s >= _NETNS_STEP_MAX)
                return NULL;
        return step_table[s];
}

int netns_loopback_up(void) {
        _cleanup_(closep) int fd = -EBADF;
        struct ifreq ifr = {};

        /* Any socket reaches the device ioctls of its network namespace; AF_UNIX is the one every
         * sandbox allows. */
        fd = socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        strncpy(ifr.ifr_name, "lo", sizeof ifr.ifr_name - 1);
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                return -errno;
        if (ifr.ifr_flags & IFF_UP)
                return 0;
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
                return -errno;
        return 0;
}

static int helper_create(int userns_fd) {
        int r;

        if (setns(userns_fd, CLONE_NEWUSER) < 0)
                return STATUS(NETNS_STEP_USERNS, errno);
        /* Now created inside the unit's user namespace: it owns the new namespace. */
        if (unshare(CLONE_NEWNET) < 0)
                return STATUS(NETNS_STEP_UNSHARE, errno);
        r = netns_loopback_up();
        if (r < 0)
                return STATUS(NETNS_STEP_LOOPBACK, -r);
        return 0;
}

int netns_create_owned(int userns_fd, int peer_netns_fd, int host_netns_fd, int *ret_fd, NetnsStep *ret_step) {
        _cleanup_(closep) int parent_sock = -EBADF, child_sock = -EBADF, fd = -EBADF;
        int pair[2], status = 0, r, q;
        pid_t pid;

        *ret_step = NETNS_STEP_NOT_PRIVATE;
        r = ns_fds_equal(peer_netns_fd, host_netns_fd);
        if (r < 0)
                return r;
        if (r > 0)
                return -EXDEV;

        *ret_step = NETNS_STEP_HELPER;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC, 0, pair) < 0)
                return -errno;
        parent_sock = pair[0];
        child_sock = pair[1];
        {
                int keep[] = { child_sock, userns_fd };

                r = fork_helper(keep, ELEMENTSOF(keep), &pid);
        }
        if (r < 0)
                return r;
        if (r == 0) {
                int s = helper_create(userns_fd), self = -EBADF;

                if (s == 0) {
                        self = open("/proc/thread-self/ns/net", O_RDONLY|O_CLOEXEC);
                        if (self < 0)
                                s = STATUS(NETNS_STEP_HELPER, errno);
                }
                (void) send_status_fd(child_sock, s, self);
                _exit(EXIT_SUCCESS);
        }
        child_sock = safe_close(child_sock);

        r = recv_status_fd(parent_sock, &status, &fd);
        q = wait_for_helper(pid);
        if (r < 0)
                return r == -ECONNRESET ? -EPROTO : r;
        if (q < 0)
                return q;
        if (status != 0) {
                *ret_step = STATUS_STEP(status);
                return -STATUS_ERRNO(status);
        }
        if (fd < 0)
                return -EBADMSG;
        *ret_step = NETNS_STEP_NONE;
        *ret_fd = TAKE_FD(fd);
        return 0;
}
