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
        case CLONE_NEWNET:
                request = _IO(BPFTOKEN_PIDFS_IOCTL_MAGIC, 4); /* PIDFD_GET_NET_NAMESPACE */
                name = "net";
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

int pid_get_namespaces(pid_t pid, int *ret_userns_fd, int *ret_mntns_fd) {
        _cleanup_(closep) int pidfd = -EBADF, userns_fd = -EBADF, mntns_fd = -EBADF;
        int r;

        pidfd = sys_pidfd_open(pid, 0);
        if (pidfd < 0)
                return pidfd;
        if (ret_userns_fd) {
                r = pidfd_get_namespace(pidfd, pid, CLONE_NEWUSER, &userns_fd);
                if (r < 0)
                        return r;
        }
        if (ret_mntns_fd) {
                r = pidfd_get_namespace(pidfd, pid, CLONE_NEWNS, &mntns_fd);
                if (r < 0)
                        return r;
                *ret_mntns_fd = TAKE_FD(mntns_fd);
        }
        if (ret_userns_fd)
                *ret_userns_fd = TAKE_FD(userns_fd);
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

/* Writes text to /proc/PID/FILE (pid 0: /proc/self/FILE) with one write(), as these files require. */
static int write_proc_file(pid_t pid, const char *file, const char *text) {
        _cleanup_(closep) int fd = -EBADF;
        size_t n = strlen(text);
        char path[64];

        if (pid == 0)
                snprintf(path, sizeof path, "/proc/self/%s", file);
        else
                snprintf(path, sizeof path, "/proc/%d/%s", (int) pid, file);
        fd = open(path, O_WRONLY|O_CLOEXEC|O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (write(fd, text, n) != (ssize_t) n)
                return negative_errno();
        return 0;
}

static int write_id_map(pid_t pid, const char *file, unsigned id, IdMapFlags flags) {
        char map[64];

        if (!(flags & ID_MAP_ROOT))
                snprintf(map, sizeof map, "%u %u 1\n", id, id);
        else if (id == 0)
                snprintf(map, sizeof map, "0 0 1\n");
        else
                snprintf(map, sizeof map, "0 0 1\n%u %u 1\n", id, id);
        return write_proc_file(pid, file, map);
}

int userns_write_id_maps(pid_t pid, uid_t uid, gid_t gid, IdMapFlags flags, const char **ret_file) {
        const char *file = NULL;
        int r = 0;

        if (flags & ID_MAP_DENY_SETGROUPS) {
                file = "setgroups";
                r = write_proc_file(pid, file, "deny");
        }
        if (r >= 0) {
                file = "uid_map";
                r = write_id_map(pid, file, (unsigned) uid, flags);
        }
        if (r >= 0) {
                file = "gid_map";
                r = write_id_map(pid, file, (unsigned) gid, flags);
        }
        if (r < 0 && ret_file)
                *ret_file = file;
        return r;
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
