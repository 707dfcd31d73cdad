/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "macro.h"
#include "namespace-util.h"
#include "helper.h"
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

/* In the unit's user namespace: a new network namespace, lo up; sends its fd. keep: sock, userns. */
static _noreturn_ void body_create(int sock, const int *keep, const void *userdata) {
        int self, r;

        if (setns(keep[1], CLONE_NEWUSER) < 0)
                helper_exit(sock, STATUS(NETNS_STEP_USERNS, errno), -EBADF);
        /* Now created inside the unit's user namespace: it owns the new namespace. */
        if (unshare(CLONE_NEWNET) < 0)
                helper_exit(sock, STATUS(NETNS_STEP_UNSHARE, errno), -EBADF);
        r = netns_loopback_up();
        if (r < 0)
                helper_exit(sock, STATUS(NETNS_STEP_LOOPBACK, -r), -EBADF);
        /* The publisher's /proc (only the user namespace was joined). */
        self = open("/proc/thread-self/ns/net", O_RDONLY|O_CLOEXEC);
        if (self < 0)
                helper_exit(sock, STATUS(NETNS_STEP_HELPER, errno), -EBADF);
        helper_exit(sock, 0, self);
}

int netns_create_owned(int userns_fd, int peer_netns_fd, int host_netns_fd, int *ret_fd, NetnsStep *ret_step) {
        _cleanup_(closep) int fd = -EBADF;
        int status = 0, r;

        *ret_step = NETNS_STEP_NOT_PRIVATE;
        r = ns_fds_equal(peer_netns_fd, host_netns_fd);
        if (r < 0)
                return r;
        if (r > 0)
                return -EXDEV;

        *ret_step = NETNS_STEP_HELPER;
        {
                int keep[] = { -EBADF, userns_fd };

                r = helper_run(keep, ELEMENTSOF(keep), body_create, NULL, &status, &fd);
        }
        if (r < 0)
                return r;
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
