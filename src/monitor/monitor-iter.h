/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Host scans by BPF iterator (kernel/bpftoken-iter.bpf.c): which processes hold a BPF token, found
 * in the kernel's file tables instead of by reading every /proc/PID/fd. No logging.
 */

#include <stddef.h>
#include <sys/types.h>

/* The PIDs of the processes holding at least one BPF token fd, ascending, no duplicates.
 * -EOPNOTSUPP if the BPF framework is not built in or the caller is not in the initial PID
 * namespace (the iterator reports those PIDs); else what the kernel said. */
int monitor_token_holders(pid_t **ret, size_t *ret_n);
