/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "bpf-token-uapi.h"
#include "cgroup-util.h"
#include "macro.h"
#include "namespace-util.h"
#include "peer.h"
#include "parse-util.h"
#include "syscalls.h"

void peer_done(Peer *p) {
        p->pidfd = safe_close(p->pidfd);
        p->userns_fd = safe_close(p->userns_fd);
        p->mntns_fd = safe_close(p->mntns_fd);
        free(p->unit);
        p->unit = NULL;
}

/* The pid a pidfd refers to now, from its fdinfo ("Pid:\t-1" once the process is gone). */
static int pidfd_get_pid(int pidfd, pid_t *ret) {
        _cleanup_(fclosep) FILE *f = NULL;
        char path[64], line[256];

        snprintf(path, sizeof path, "/proc/self/fdinfo/%d", pidfd);
        f = fopen(path, "re");
        if (!f)
                return -errno;
        while (fgets(line, sizeof line, f)) {
                int pid;

                if (sscanf(line, "Pid: %d", &pid) == 1) {
                        if (pid <= 0)
                                return -ESRCH;
                        *ret = pid;
                        return 0;
                }
        }
        return -ENOTTY;
}

int peer_identify(int sock, Peer *ret) {
        _cleanup_(peer_done) Peer p = {
                .pidfd = -EBADF,
                .userns_fd = -EBADF,
                .mntns_fd = -EBADF,
        };
        struct ucred cred = {};
        socklen_t l = sizeof cred;
        socklen_t gl = sizeof p.groups;
        pid_t pid = 0;
        int r;

        if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &l) < 0)
                return -errno;
        if (l != sizeof cred || cred.pid <= 0)
                return -ESRCH;

        /* Pin the process: SO_PEERPIDFD (Linux >= 6.5) refers to the very process that connected. */
        l = sizeof p.pidfd;
        if (getsockopt(sock, SOL_SOCKET, SO_PEERPIDFD, &p.pidfd, &l) < 0) {
                if (errno != ENOPROTOOPT)
                        return -errno;
                /* Older kernel: open a pidfd by PID; the liveness checks below catch recycling
                 * between connect() and here only partially, which the man page documents. */
                p.pidfd = sys_pidfd_open(cred.pid, 0);
                if (p.pidfd < 0)
                        return p.pidfd;
        }
        (void) fcntl(p.pidfd, F_SETFD, FD_CLOEXEC);

        r = pidfd_get_pid(p.pidfd, &pid);
        if (r < 0)
                return r;
        if (pid != cred.pid)
                return -ESRCH;

        p.pid = cred.pid;
        p.uid = cred.uid;
        p.gid = cred.gid;
        if (getsockopt(sock, SOL_SOCKET, SO_PEERGROUPS, p.groups, &gl) >= 0)
                p.n_groups = gl / sizeof(gid_t);

        r = cgroup_pid_get_unit(p.pid, &p.unit);
        if (r < 0 && r != -ENXIO)
                return r;

        r = pidfd_get_namespace(p.pidfd, p.pid, CLONE_NEWUSER, &p.userns_fd);
        if (r < 0)
                return r;
        r = pidfd_get_namespace(p.pidfd, p.pid, CLONE_NEWNS, &p.mntns_fd);
        if (r < 0)
                return r;
        r = mntns_get_id(p.mntns_fd, &p.mntns_id);
        if (r < 0)
                return r;

        /* Everything above was read while the process lived: prove it still does, so the cgroup
         * path cannot belong to a recycled PID. */
        r = sys_pidfd_send_signal(p.pidfd, 0);
        if (r < 0)
                return r;

        *ret = p;
        p = (Peer) { .pidfd = -EBADF, .userns_fd = -EBADF, .mntns_fd = -EBADF };
        return 0;
}

static int pid_mntns_id(pid_t pid, uint64_t *ret) {
        _cleanup_(closep) int ns = -EBADF;
        int r;

        r = pid_get_namespaces(pid, NULL, &ns);
        if (r < 0)
                return r;
        return mntns_get_id(ns, ret);
}

int peer_mntns_shared_outside_unit(const Peer *p, pid_t *ret_pid) {
        DIR *d = NULL;
        struct stat ns;
        struct dirent *de;
        char want[64];
        int r = 0;

        if (!p->unit)
                return -ENXIO;
        if (fstat(p->mntns_fd, &ns) < 0)
                return -errno;
        /* readlink() of /proc/PID/ns/mnt names the namespace by its nsfs inode without instantiating
         * it (a stat() would, and costs ~10x more). We hold the namespace open, so its inode number
         * cannot be reused meanwhile. */
        snprintf(want, sizeof want, "mnt:[%llu]", (unsigned long long) ns.st_ino);
        /* The publisher's own /proc, never the caller's. */
        d = opendir("/proc");
        if (!d)
                return -errno;
        while ((errno = 0, de = readdir(d))) {
                _cleanup_(freep) char *unit = NULL;
                char path[64], link[64];
                uint64_t v;
                ssize_t n;
                pid_t pid;

                if (parse_u64_exact(de->d_name, strlen(de->d_name), 10, &v) < 0 || v == 0 || v > INT32_MAX)
                        continue;
                pid = (pid_t) v;
                snprintf(path, sizeof path, "%d/ns/mnt", (int) pid);
                n = readlinkat(dirfd(d), path, link, sizeof link - 1);
                if (n < 0) {
                        /* Exited meanwhile, or one the kernel does not let even root inspect (an LSM, a
                         * supervisor outside our reach): a process we cannot inspect cannot be
                         * attributed; SECURITY.md names this limit. Anything else fails closed. */
                        if (errno == ENOENT || errno == ESRCH || errno == EACCES || errno == EPERM)
                                continue;
                        r = -errno;
                        break;
                }
                link[n] = '\0';
                if (!streq(link, want) || pid == p->pid)
                        continue;
                r = cgroup_pid_get_unit(pid, &unit);
                if (r == -ENOENT || r == -ESRCH) {
                        r = 0;
                        continue;
                }
                if (r < 0 && r != -ENXIO)
                        break;
                if (r == -ENXIO || !streq(unit, p->unit)) {
                        if (ret_pid)
                                *ret_pid = pid;
                        r = 1;
                        break;
                }
                r = 0;
        }
        if (!de && errno > 0)
                r = -errno;
        closedir(d);
        return r;
}

/* The user namespace that owns the caller's mount namespace: the caller's own (it made both), or, for
 * unit callers only, the initial one (systemd < 258 creates the mount namespace first). 0 if its own,
 * 1 if the initial one. */
static int check_mntns_owner(const Peer *p, PeerOwnership ownership, int own_userns, const char **ret_reason) {
        _cleanup_(closep) int owner = -EBADF;
        bool initial = false;
        int r;

        owner = ioctl(p->mntns_fd, BPFTOKEN_NS_GET_USERNS);
        if (owner < 0) {
                *ret_reason = "The owner of the caller's mount namespace cannot be read.";
                return -errno;
        }
        r = ns_fds_equal(owner, p->userns_fd);
        if (r == 0 && ownership == PEER_USERNS_OWNED_BY_ROOT) {
                r = ns_fds_equal(owner, own_userns);
                initial = r > 0;
        }
        if (r < 0) {
                *ret_reason = "The owner of the caller's mount namespace cannot be compared.";
                return r;
        }
        if (r == 0) {
                *ret_reason = ownership == PEER_USERNS_OWNED_BY_ROOT
                        ? "The caller's mount namespace belongs to neither its user namespace nor the initial one: "
                          "it was made by someone else and may be shared with processes outside the unit."
                        : "The caller's mount namespace is not owned by its user namespace: it was made by someone "
                          "else (a PrivateTmp= unit, a container) and is shared with processes that would see the "
                          "instance. Create both together (unshare --user --mount), or use a unit.";
                return -EPERM;
        }
        return initial;
}

int peer_check_namespaces(Peer *p, PeerOwnership ownership, pid_t host_pid, const char **ret_reason) {
        _cleanup_(closep) int own_userns = -EBADF, parent = -EBADF;
        uint64_t host_mntns, own_mntns;
        uid_t owner;
        int r;

        own_userns = open("/proc/self/ns/user", O_RDONLY|O_CLOEXEC);
        if (own_userns < 0) {
                *ret_reason = "The publisher cannot read its own user namespace.";
                return -errno;
        }

        r = ns_fds_equal(p->userns_fd, own_userns);
        if (r < 0) {
                *ret_reason = "The caller's user namespace cannot be read.";
                return r;
        }
        if (r > 0) {
                *ret_reason = "The caller runs in the initial user namespace, where a BPF token cannot work: "
                              "run it with PrivateUsers=yes (or through bpftoken-exec as root with --delegate-* options).";
                return -EOPNOTSUPP;
        }

        r = userns_get_parent(p->userns_fd, &parent);
        if (r >= 0)
                r = ns_fds_equal(parent, own_userns);
        if (r < 0) {
                *ret_reason = "The caller's user namespace is not a child of the initial one.";
                return r == -EPERM ? -EPERM : r;
        }
        if (r == 0) {
                *ret_reason = "The caller's user namespace is nested inside another one; only a user namespace "
                              "created directly by systemd (PrivateUsers=yes) may receive a delegation.";
                return -EPERM;
        }

        r = userns_get_owner(p->userns_fd, &owner);
        if (r < 0) {
                *ret_reason = "The owner of the caller's user namespace cannot be read.";
                return r;
        }
        if (owner != 0 && !(ownership == PEER_USERNS_OWNED_BY_ROOT_OR_UID && owner == p->uid)) {
                *ret_reason = ownership == PEER_USERNS_OWNED_BY_ROOT
                        ? "The caller's user namespace was not created by root: every process of its owner could "
                          "join it and use the token. Let systemd create it (PrivateUsers=yes)."
                        : "The caller's user namespace belongs to another user.";
                return -EPERM;
        }

        /* Fail closed: without the host's mount namespace ID we cannot tell a private one. */
        r = pid_mntns_id(host_pid, &host_mntns);
        if (r < 0) {
                *ret_reason = "The host's mount namespace (PID 1's) cannot be read (the publisher needs "
                              "CAP_SYS_PTRACE): refusing rather than guessing.";
                return r;
        }
        r = pid_mntns_id(getpid(), &own_mntns);
        if (r < 0) {
                *ret_reason = "The publisher's own mount namespace cannot be read.";
                return r;
        }
        if (p->mntns_id == host_mntns || p->mntns_id == own_mntns) {
                *ret_reason = "The caller shares the host's mount namespace; the instance would be visible to "
                              "everyone: give it a private one (PrivateMounts=yes).";
                return -EXDEV;
        }

        r = check_mntns_owner(p, ownership, own_userns, ret_reason);
        if (r < 0)
                return r;

        /* A mount namespace owned by the unit's own user namespace can only hold the unit's processes
         * and root of the initial namespace (joining needs CAP_SYS_ADMIN over that root-owned
         * namespace). One owned by the initial namespace may have been made by anyone privileged:
         * look. */
        if (ownership == PEER_USERNS_OWNED_BY_ROOT && r > 0) {
                pid_t other = 0;

                r = peer_mntns_shared_outside_unit(p, &other);
                if (r < 0) {
                        *ret_reason = "The processes sharing the caller's mount namespace cannot be listed (the "
                                      "publisher needs CAP_SYS_PTRACE and an unrestricted /proc): refusing.";
                        return r;
                }
                if (r > 0) {
                        *ret_reason = "The caller's mount namespace is shared with a process outside its unit, "
                                      "which would see the unit's instance: refusing.";
                        return -EPERM;
                }
        }

        *ret_reason = NULL;
        return 0;
}
