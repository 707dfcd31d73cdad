/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The bpf() recorder, user-space half: loads kernel/bpftoken-monitor.bpf.c (raw tracepoints only),
 * fills its cgroup filter, and hands the decoded calls to a callback. No logging: errors are
 * negative errnos; -EOPNOTSUPP means the project was built without the BPF framework.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpftoken-monitor.h"

typedef struct bpftoken_monitor_event MonitorEvent;
typedef struct Monitor Monitor;

typedef struct MonitorStats {
        uint64_t seen;          /* bpf() calls of watched processes */
        uint64_t lost;          /* not recorded: the ring buffer was full */
        uint64_t unpaired;      /* not recorded: no room to remember the call between entry and exit */
} MonitorStats;

/* Whether the BPF side is built into this binary. */
bool monitor_built(void);

/* Load and attach the recorder. ringbuf_size: bytes (a power of two, at least a page), 0 for the
 * default (256 KiB). Errors: -EOPNOTSUPP (not built), else what the kernel said (-EPERM: not
 * allowed to load tracing programs, -EINVAL/-ENOTSUP: this kernel refuses them). */
int monitor_new(size_t ringbuf_size, Monitor **ret);
Monitor *monitor_free(Monitor *m);
static inline void monitor_freep(Monitor **m) {
        if (*m)
                monitor_free(*m);
}

/* Record calls of processes in this cgroup (an ID, see cgroup_id_of_path()) or below it. */
int monitor_watch_cgroup(Monitor *m, uint64_t cgroup_id);
int monitor_unwatch_cgroup(Monitor *m, uint64_t cgroup_id);

/* An fd that becomes readable when events are waiting (for poll()). */
int monitor_fd(Monitor *m);

/* Called for each recorded call, in order; a negative return stops the poll and is returned. */
typedef int (*MonitorEventFunc)(const MonitorEvent *e, void *userdata);
/* Wait up to timeout_ms (-1: forever, 0: not at all) and hand over what is waiting. Returns the
 * number of events, -EINTR if a signal came. */
int monitor_poll(Monitor *m, int timeout_ms, MonitorEventFunc func, void *userdata);

int monitor_get_stats(Monitor *m, MonitorStats *ret);

/* The cgroup2 hierarchy: /sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid hosts. */
int cgroup2_root(const char **ret);
/* The ID of the cgroup at path (the cgroup2 directory's inode number, which is the kernel's ID). */
int cgroup_id_of_path(const char *path, uint64_t *ret);

/* A new cgroup below the cgroup2 root for the processes to watch ("bpftoken-learn-123"). -EEXIST if it
 * exists. */
int monitor_cgroup_new(const char *name, char **ret_path, uint64_t *ret_id);
/* Move the calling process into the cgroup at path. */
int monitor_cgroup_enter(const char *path);
/* Remove a cgroup made by monitor_cgroup_new() once its processes are gone (waits up to 1 s for
 * the kernel to let the last exiting process go). */
int monitor_cgroup_remove(const char *path);

/* CLOCK_MONOTONIC nanoseconds (the recorder's clock) as CLOCK_REALTIME microseconds. */
uint64_t monitor_ns_to_realtime_usec(uint64_t monotonic_ns);
