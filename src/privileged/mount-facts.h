/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Mount facts from the kernel, by fd or by unique mount ID (statx(STATX_MNT_ID_UNIQUE), statmount(),
 * listmount(), the nsfs mount namespace iterator): never from a path or a file inside a namespace
 * someone else controls. Every read is bounded. No logging.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define MOUNT_POINT_MAX 256

typedef struct MountFacts {
        uint64_t id;            /* unique mount ID */
        uint64_t parent_id;
        uint64_t ns_id;         /* mount namespace ID */
        uint64_t attr;          /* MOUNT_ATTR_* */
        uint64_t propagation;   /* MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE */
        uint64_t peer_group;    /* 0 if not shared */
        uint64_t master;        /* 0 if not a slave */
        uint64_t propagate_from;
        uint64_t sb_magic;
        uint32_t sb_dev_major, sb_dev_minor;
        bool is_bpf;            /* fs type "bpf" */
        bool delegated;         /* a bpffs with a delegate_* option */
        bool point_known;
        char point[MOUNT_POINT_MAX]; /* relative to the calling process's root; "" if longer */
        bool root_known;
        char root[MOUNT_POINT_MAX];  /* the mount's root inside its filesystem ("/system.slice/x" for a
                                      * cgroup2 bind); "" if longer */
} MountFacts;

/* The unique mount ID of the mount fd is on, and whether fd is that mount's root. */
int fd_get_mount_id(int fd, uint64_t *ret_id, bool *ret_is_root);

/* statmount() of mount id in mount namespace ns_id (0: the caller's). */
int mount_facts_get(uint64_t id, uint64_t ns_id, MountFacts *ret);

/* The unique IDs of every mount below id (BPFTOKEN_LSMT_ROOT: every mount) in ns_id, at most max
 * of them (-E2BIG beyond), malloc'ed. */
int mount_list(uint64_t id, uint64_t ns_id, size_t max, uint64_t **ret, size_t *ret_n);

/* Whether a mount placed on mount target (in the mount namespace of mntns_fd, ID mntns_id) would
 * appear in any other mount namespace: target is shared, and its peer group, or the peer group of a
 * slave of it (transitively), has a member outside. Walks every mount namespace of the system
 * (bounded; -E2BIG past the bounds) through the nsfs iterator. Linux refuses that iterator outside
 * the initial PID namespace: then, if proc_fd >= 0 (a /proc the caller trusts, opened before it
 * joined any namespace), the namespaces of the processes listed there are walked instead, which
 * cannot see a namespace that has no process in that PID namespace. 1 yes (with the ID of one such
 * namespace in *ret_ns_id), 0 no, -errno. */
int mount_propagates_elsewhere(int mntns_fd, uint64_t mntns_id, int proc_fd, const MountFacts *target,
                               uint64_t *ret_ns_id);
