/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/*
 * Forking the short-lived helpers that join other processes' namespaces. A helper is made
 * non-dumpable before it does anything (so that a process inside the namespace it joins cannot
 * ptrace it), dies with its parent, and holds no fds but stdio and the ones in keep_fds.
 */

/* 0 in the helper, 1 in the parent (with the pid in *ret_pid), or -errno. */
int fork_helper(const int *keep_fds, size_t n_keep, pid_t *ret_pid);

/* Close every fd >= 3 except the ones listed. */
int close_all_fds_except(const int *keep_fds, size_t n_keep);

/* Wait for a helper. 0 if it exited 0; -EPROTO if it exited otherwise or was killed. */
int wait_for_helper(pid_t pid);

/* Make sure fds 0, 1, 2 are open (to /dev/null if they were closed), so that nothing we open later
 * lands on them. */
int ensure_stdio_open(void);
