/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Integration (root, real kernel): the publisher's attach-side kernel work (issue 8) on the host,
 * without containers.
 *   netns:  netns_create_owned() gives a network namespace owned by the target user namespace with lo
 *           up, and refuses a caller in the host's network namespace.
 *   cgroup: cgroup_confine_unit() puts the unit's own cgroup on /sys/fs/cgroup of a mount namespace
 *           the unit cannot change, once (a second call finds it confined); refuses a namespace with
 *           another cgroup2 mount showing the whole hierarchy, and one the caller owns with
 *           CAP_SYS_ADMIN (it could unmount the view).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpf-token-uapi.h"
#include "bpffs.h"
#include "cgroup-confine.h"
#include "macro.h"
#include "namespace-util.h"
#include "netns.h"
#include "socket-util.h"
#include "syscalls.h"
#include "userns-child.h"

/* A child that waits on a socket pair until released; setup runs in it first and reports. */
typedef int (*setup_func_t)(const char *arg);

typedef struct Child {
        pid_t pid;
        int sock;
} Child;

static void child_release(Child *c) {
        c->sock = safe_close(c->sock);
        if (c->pid > 0)
                (void) waitpid(c->pid, NULL, 0);
        c->pid = 0;
}

static void child_start(setup_func_t setup, const char *arg, Child *ret) {
        int pair[2], status = -1, unused = -EBADF;
        pid_t pid;

        assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC, 0, pair), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                int r;

                close(pair[0]);
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                r = setup(arg);
                (void) send_status_fd(pair[1], r < 0 ? -r : 0, -EBADF);
                (void) recv_status_fd(pair[1], &status, &unused);
                _exit(0);
        }
        close(pair[1]);
        assert_int_equal(recv_status_fd(pair[0], &status, &unused), 0);
        assert_int_equal(status, 0);
        *ret = (Child) { .pid = pid, .sock = pair[0] };
}

static int ns_fd(pid_t pid, const char *type) {
        char path[64];

        snprintf(path, sizeof path, "/proc/%d/ns/%s", (int) pid, type);
        return open(path, O_RDONLY|O_CLOEXEC);
}

/* --- netns --------------------------------------------------------------------------------------- */

static int lo_flags_in(int netns_fd) {
        int pipefd[2], flags = -1;
        pid_t pid;

        assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
        pid = fork();
        if (pid == 0) {
                struct ifreq ifr = {};
                int s;

                strcpy(ifr.ifr_name, "lo");
                if (setns(netns_fd, CLONE_NEWNET) < 0 || (s = socket(AF_UNIX, SOCK_DGRAM, 0)) < 0 ||
                    ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
                        _exit(1);
                flags = ifr.ifr_flags;
                (void) !write(pipefd[1], &flags, sizeof flags);
                _exit(0);
        }
        close(pipefd[1]);
        if (read(pipefd[0], &flags, sizeof flags) != sizeof flags)
                flags = -1;
        close(pipefd[0]);
        (void) waitpid(pid, NULL, 0);
        return flags;
}

static void test_netns(void **state) {
        _cleanup_(closep) int release = -EBADF, userns = -EBADF, mntns = -EBADF, host_net = -EBADF, own = -EBADF,
                              owner = -EBADF, child_net = -EBADF;
        NetnsStep step;
        pid_t pid;
        int r, status = -1, unused = -EBADF;

        r = userns_child_fork(USERNS_CHILD_MOUNTS_SLAVE, &pid, &release, NULL);
        assert_true(r >= 0);
        if (r == 0) {
                /* a private network namespace, as PrivateNetwork= gives */
                if (unshare(CLONE_NEWNET) < 0 || send_status_fd(release, 0, -EBADF) < 0)
                        _exit(1);
                (void) recv_status_fd(release, &status, &unused);
                _exit(0);
        }
        assert_int_equal(recv_status_fd(release, &status, &unused), 0);
        assert_int_equal(pid_get_namespaces(pid, &userns, &mntns), 0);
        host_net = open("/proc/self/ns/net", O_RDONLY|O_CLOEXEC);
        child_net = ns_fd(pid, "net");
        assert_true(host_net >= 0 && child_net >= 0);

        /* positive: owned by the target user namespace, lo up */
        assert_int_equal(netns_create_owned(userns, child_net, host_net, &own, &step), 0);
        assert_int_equal(step, NETNS_STEP_NONE);
        owner = ioctl(own, BPFTOKEN_NS_GET_USERNS);
        assert_true(owner >= 0);
        assert_int_equal(ns_fds_equal(owner, userns), 1);
        assert_int_equal(ns_fds_equal(own, child_net), 0); /* a new one, not the caller's */
        assert_true(lo_flags_in(own) & IFF_UP);

        /* a caller in the host's network namespace keeps it */
        own = safe_close(own);
        assert_int_equal(netns_create_owned(userns, host_net, host_net, &own, &step), -EXDEV);
        assert_int_equal(step, NETNS_STEP_NOT_PRIVATE);
        assert_int_equal(own, -EBADF);

        release = safe_close(release);
        (void) waitpid(pid, NULL, 0);
}

/* --- cgroup -------------------------------------------------------------------------------------- */

static char hierarchy[64], unit_dir[192], unit_path[96], expose_dir[64];

static int setup_private_mounts(const char *arg) {
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC|MS_SLAVE, NULL) < 0)
                return -errno;
        /* arg: expose the whole hierarchy at a path outside /sys/fs/cgroup */
        if (arg && mount(hierarchy, arg, NULL, MS_BIND, NULL) < 0)
                return -errno;
        return 0;
}

/* In pid's mount namespace: the inode at path, or -errno. */
static long long ino_in(pid_t pid, const char *path) {
        int pipefd[2];
        long long ino = -1;
        pid_t c;

        assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
        c = fork();
        if (c == 0) {
                struct stat st;
                int fd = ns_fd(pid, "mnt");

                ino = fd >= 0 && setns(fd, CLONE_NEWNS) >= 0 && stat(path, &st) >= 0 ? (long long) st.st_ino
                                                                                      : -(long long) errno;
                (void) !write(pipefd[1], &ino, sizeof ino);
                _exit(0);
        }
        close(pipefd[1]);
        if (read(pipefd[0], &ino, sizeof ino) != sizeof ino)
                ino = -1;
        close(pipefd[0]);
        (void) waitpid(c, NULL, 0);
        return ino;
}

static int confine(pid_t pid, int userns_fd, CgroupConfineStep *step) {
        _cleanup_(closep) int mntns = ns_fd(pid, "mnt"), pidfd = sys_pidfd_open(pid, 0);
        CgroupConfineTarget t;

        assert_true(mntns >= 0 && pidfd >= 0);
        t = (CgroupConfineTarget) {
                .mntns_fd = mntns, .userns_fd = userns_fd, .pidfd = pidfd, .pid = pid, .unit_path = unit_path,
        };
        return cgroup_confine_unit(&t, step);
}

static void test_cgroup(void **state) {
        _cleanup_(closep) int own_userns = open("/proc/self/ns/user", O_RDONLY|O_CLOEXEC);
        CgroupConfineStep step;
        struct stat unit_st;
        Child a = {}, b = {};

        assert_int_equal(stat(unit_dir, &unit_st), 0);

        /* a mount namespace of the initial user namespace (what systemd < 258 gives a unit) */
        child_start(setup_private_mounts, NULL, &a);
        assert_true(ino_in(a.pid, "/sys/fs/cgroup") != (long long) unit_st.st_ino); /* control */
        assert_int_equal(confine(a.pid, own_userns, &step), 0);
        assert_int_equal(step, CGROUP_CONFINE_STEP_NONE);
        assert_int_equal(ino_in(a.pid, "/sys/fs/cgroup"), (long long) unit_st.st_ino);
        assert_int_equal(ino_in(a.pid, "/sys/fs/cgroup/unified"), -ENOENT);
        /* not on the host */
        assert_int_equal(access("/sys/fs/cgroup/unified", F_OK), 0);
        /* once */
        assert_int_equal(confine(a.pid, own_userns, &step), 1);
        child_release(&a);

        /* another cgroup2 mount showing the root: refused */
        child_start(setup_private_mounts, expose_dir, &b);
        assert_int_equal(confine(b.pid, own_userns, &step), -EPERM);
        assert_int_equal(step, CGROUP_CONFINE_STEP_EXPOSED);
        child_release(&b);
}

/* A mount namespace the caller owns with CAP_SYS_ADMIN (a uid-policy caller after unshare -Urm). */
static void test_cgroup_undoable(void **state) {
        _cleanup_(closep) int release = -EBADF, userns = -EBADF, mntns = -EBADF;
        CgroupConfineStep step;
        int r, status, unused;
        pid_t pid;

        r = userns_child_fork(USERNS_CHILD_MOUNTS_SLAVE, &pid, &release, NULL);
        assert_true(r >= 0);
        if (r == 0) {
                (void) recv_status_fd(release, &status, &unused);
                _exit(0);
        }
        assert_int_equal(pid_get_namespaces(pid, &userns, &mntns), 0);
        assert_int_equal(confine(pid, userns, &step), -EPERM);
        assert_int_equal(step, CGROUP_CONFINE_STEP_UNDOABLE);
        assert_true(ino_in(pid, "/sys/fs/cgroup") >= 0);
        release = safe_close(release);
        (void) waitpid(pid, NULL, 0);
}

static int setup(void **state) {
        struct statfs sfs;

        snprintf(hierarchy, sizeof hierarchy, "/sys/fs/cgroup");
        if (statfs(hierarchy, &sfs) < 0 || (uint32_t) sfs.f_type != 0x63677270u)
                snprintf(hierarchy, sizeof hierarchy, "/sys/fs/cgroup/unified");
        if (statfs(hierarchy, &sfs) < 0 || (uint32_t) sfs.f_type != 0x63677270u)
                return -1;
        snprintf(unit_path, sizeof unit_path, "/bpftoken-test-attach-%d.service", (int) getpid());
        snprintf(unit_dir, sizeof unit_dir, "%s%s", hierarchy, unit_path);
        snprintf(expose_dir, sizeof expose_dir, "/tmp/bpftoken-test-attach-%d", (int) getpid());
        if (mkdir(unit_dir, 0755) < 0 || mkdir(expose_dir, 0755) < 0)
                return -1;
        return 0;
}

static int teardown(void **state) {
        (void) rmdir(unit_dir);
        (void) rmdir(expose_dir);
        return 0;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_netns),
                cmocka_unit_test(test_cgroup),
                cmocka_unit_test(test_cgroup_undoable),
        };

        if (geteuid() != 0) {
                fprintf(stderr, "test-attach needs root\n");
                return 1;
        }
        return cmocka_run_group_tests(tests, setup, teardown);
}
