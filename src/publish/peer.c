/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/socket.h>

#include "bpf-token-uapi.h"
#include "cgroup-util.h"
#include "macro.h"
#include "namespace-util.h"
#include "peer.h"
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

        *ret_reason = NULL;
        return 0;
}
