/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Who is on the other end of the publisher's socket: pinned by a pidfd, with the credentials the
 * kernel recorded at connect() time, its unit (from its cgroup) and its namespaces. Nothing here
 * comes from what the peer says.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define PEER_GROUPS_MAX 64

typedef struct Peer {
        int pidfd;
        pid_t pid;
        uid_t uid;
        gid_t gid;
        gid_t groups[PEER_GROUPS_MAX];
        size_t n_groups;
        char *unit;        /* NULL if in no unit */
        int userns_fd;
        int mntns_fd;
        uint64_t mntns_id;
} Peer;

void peer_done(Peer *p);

/* Identify the peer of a connected socket. -ESRCH if it is already gone. */
int peer_identify(int sock, Peer *ret);

typedef enum PeerOwnership {
        PEER_USERNS_OWNED_BY_ROOT,      /* unit callers: systemd's PrivateUsers= made it */
        PEER_USERNS_OWNED_BY_ROOT_OR_UID, /* uid/gid policy: the caller may have made it */
} PeerOwnership;

/* Whether a process outside the peer's unit (by its cgroup, read from the publisher's own /proc) is
 * in the peer's mount namespace. Scans every process's /proc/PID/ns/mnt (thread-group leaders; see
 * SECURITY.md for the limits). 1 yes (*ret_pid one of them), 0 no, -errno (fail closed). */
int peer_mntns_shared_outside_unit(const Peer *p, pid_t *ret_pid);

/* The namespace checks (DESIGN "The handoff", step 2). On refusal returns -errno and a sentence:
 *   -EOPNOTSUPP the peer is in the initial user namespace;
 *   -EPERM      its user namespace is nested, or owned by someone else; its mount namespace is not
 *               owned by its user namespace (for unit callers: nor by the initial one), or (unit
 *               callers) is shared with a process outside the unit;
 *   -EXDEV      its mount namespace is the host's (PID 1's) or the publisher's;
 *   other       a namespace could not be read (we fail closed). */
/* host_pid: the process whose mount namespace counts as the host's (PID 1, unless the
 * administrator says otherwise). */
int peer_check_namespaces(Peer *p, PeerOwnership ownership, pid_t host_pid, const char **ret_reason);
