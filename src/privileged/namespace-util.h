/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Namespace facts from fds: which namespace a process is in (through its pidfd, race-free), who
 * owns a user namespace, its parent, mount namespace IDs. No logging.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* An fd for the user (CLONE_NEWUSER), mount (CLONE_NEWNS) or network (CLONE_NEWNET) namespace of the process behind
 * pidfd. Uses PIDFD_GET_*_NAMESPACE (Linux >= 6.11); on older kernels opens /proc/PID/ns/X and
 * then checks that pidfd still refers to a live process, so a recycled PID is detected. */
int pidfd_get_namespace(int pidfd, pid_t pid, int type, int *ret_fd);

/* The same for pid, through a pidfd of its own: fds for its user and its mount namespace (either
 * ret may be NULL, then that one is not opened). */
int pid_get_namespaces(pid_t pid, int *ret_userns_fd, int *ret_mntns_fd);

/* The ID of a mount namespace (NS_GET_MNTNS_ID, Linux >= 6.8), stable for its lifetime and never
 * reused, unlike inode numbers. */
int mntns_get_id(int mntns_fd, uint64_t *ret);

/* Owner uid of a user namespace (NS_GET_OWNER_UID), as seen from the caller's namespace. */
int userns_get_owner(int userns_fd, uid_t *ret);

/* Parent of a user namespace (NS_GET_PARENT): an fd, or -EPERM at the top of the caller's view. */
int userns_get_parent(int userns_fd, int *ret_fd);

/* Whether two namespace fds refer to the same namespace (same nsfs inode, both alive). */
int ns_fds_equal(int a, int b);

typedef enum IdMapFlags {
        ID_MAP_ROOT           = 1 << 0, /* map 0 to itself as well (root in the parent namespace may) */
        ID_MAP_DENY_SETGROUPS = 1 << 1, /* write "deny" to setgroups first (required without CAP_SETGID
                                         * in the parent namespace) */
} IdMapFlags;

/* Writes the id maps of the user namespace of pid (0: the caller's own, through /proc/self): setgroups
 * (with ID_MAP_DENY_SETGROUPS), then uid_map mapping uid to itself, then gid_map mapping gid to itself,
 * each with "0 0 1" first with ID_MAP_ROOT (and then alone for an id of 0). On failure, *ret_file (may
 * be NULL) is the name of the file that could not be written, "uid_map" say. */
int userns_write_id_maps(pid_t pid, uid_t uid, gid_t gid, IdMapFlags flags, const char **ret_file);

/* Whether the caller runs in the initial user namespace (its uid_map is the identity over the
 * whole range). 1 yes, 0 no, -errno. */
int running_in_initial_userns(void);
