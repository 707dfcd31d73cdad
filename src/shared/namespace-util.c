/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "bpf-token-uapi.h"
#include "macro.h"
#include "namespace-util.h"
#include "syscalls.h"

int pidfd_get_namespace(int pidfd, pid_t pid, int type, int *ret_fd) {
        unsigned long request;
        const char *name;
        char path[64];
        int fd, r;

        switch (type) {
        case CLONE_NEWUSER:
                request = BPFTOKEN_PIDFD_GET_USER_NAMESPACE;
                name = "user";
                break;
        case CLONE_NEWNS:
                request = BPFTOKEN_PIDFD_GET_MNT_NAMESPACE;
                name = "mnt";
                break;
        default:
                return -EINVAL;
        }

        fd = ioctl(pidfd, request, 0);
        if (fd >= 0) {
                *ret_fd = fd;
                return 0;
        }
        if (errno != ENOTTY && errno != EINVAL && errno != EOPNOTSUPP)
                return -errno;

        /* Older kernel: go through /proc, then prove the PID was not recycled meanwhile. */
        snprintf(path, sizeof path, "/proc/%d/ns/%s", (int) pid, name);
        fd = open(path, O_RDONLY|O_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = sys_pidfd_send_signal(pidfd, 0);
        if (r < 0) {
                safe_close(fd);
                return r == -ESRCH ? -ESRCH : r;
        }
        *ret_fd = fd;
        return 0;
}

int mntns_get_id(int mntns_fd, uint64_t *ret) {
        uint64_t id = 0;

        if (ioctl(mntns_fd, BPFTOKEN_NS_GET_MNTNS_ID, &id) < 0)
                return -errno;
        *ret = id;
        return 0;
}

int userns_get_owner(int userns_fd, uid_t *ret) {
        uid_t uid;

        if (ioctl(userns_fd, BPFTOKEN_NS_GET_OWNER_UID, &uid) < 0)
                return -errno;
        *ret = uid;
        return 0;
}

int userns_get_parent(int userns_fd, int *ret_fd) {
        int fd;

        fd = ioctl(userns_fd, BPFTOKEN_NS_GET_PARENT);
        if (fd < 0)
                return -errno;
        /* nsfs returns the fd without O_CLOEXEC on some kernels: fix that. */
        (void) fcntl(fd, F_SETFD, FD_CLOEXEC);
        *ret_fd = fd;
        return 0;
}

int ns_fds_equal(int a, int b) {
        struct stat sa, sb;

        if (fstat(a, &sa) < 0 || fstat(b, &sb) < 0)
                return -errno;
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int running_in_initial_userns(void) {
        _cleanup_(fclosep) FILE *f = NULL;
        unsigned long a, b, c;
        int n;

        f = fopen("/proc/self/uid_map", "re");
        if (!f)
                return -errno;
        n = fscanf(f, "%lu %lu %lu", &a, &b, &c);
        if (n != 3)
                return -EBADMSG;
        return a == 0 && b == 0 && c == 4294967295UL;
}
