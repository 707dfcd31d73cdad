/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A throwaway child process in a user namespace and a mount namespace of its own, for
 * 'bpftoken-analyze probe', the benchmarks and the test helpers: the caller (root in the initial
 * user namespace) owns the user namespace, which maps uid and gid 0 to themselves ("0 0 1"), and
 * every mount in the new mount namespace is made private (or a slave), so that nothing mounted
 * there propagates back. Parent and child keep a SOCK_SEQPACKET socket for their own protocol
 * (see socket-util.h). No logging.
 */

#include <sys/types.h>

typedef enum UsernsChildFlags {
        USERNS_CHILD_DIE_WITH_PARENT = 1 << 0, /* PR_SET_PDEATHSIG SIGKILL in the child */
        USERNS_CHILD_MOUNTS_SLAVE    = 1 << 1, /* MS_SLAVE (as bpftoken-exec does) rather than MS_PRIVATE */
} UsernsChildFlags;

typedef enum UsernsChildStep {
        USERNS_CHILD_STEP_NONE,
        USERNS_CHILD_STEP_FORK,      /* socketpair(), fork(), or the child died without a word */
        USERNS_CHILD_STEP_USERNS,    /* unshare(CLONE_NEWUSER) in the child */
        USERNS_CHILD_STEP_MAPS,      /* writing the child's uid_map and gid_map */
        USERNS_CHILD_STEP_MNTNS,     /* unshare(CLONE_NEWNS) and the propagation of "/" in the child */
} UsernsChildStep;

/* Fork the child. Returns 0 in the child once both namespaces are in place, with its end of the
 * socket in *ret_sock (a child that fails on the way there exits). Returns 1 in the parent once the
 * child got there, with the child's pid and the parent's end of the socket. On failure the parent
 * gets -errno with the step that failed in *ret_step (may be NULL), and the child has been reaped. */
int userns_child_fork(UsernsChildFlags flags, pid_t *ret_pid, int *ret_sock, UsernsChildStep *ret_step);

/* In the parent: fds for the child's user and mount namespaces (through a pidfd). */
int userns_child_get_namespaces(pid_t pid, int *ret_userns_fd, int *ret_mntns_fd);
