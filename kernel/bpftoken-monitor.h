/* SPDX-License-Identifier: (LGPL-2.1-or-later OR BSD-2-Clause) */
#pragma once

/*
 * The record the bpf() recorder (bpftoken-monitor.bpf.c) writes into its ring buffer, shared by
 * the BPF side and user space (src/monitor/). Fixed layout: only __u32/__u64 and char arrays.
 */

#include <linux/types.h>

#define BPFTOKEN_MONITOR_SYSCALL_BPF 321       /* x86_64 */
#define BPFTOKEN_MONITOR_ATTR_MAX    152       /* bytes of the attr read (up to prog_token_fd) */
#define BPFTOKEN_MONITOR_CGROUP_MAX  4096      /* watched cgroups */
#define BPFTOKEN_MONITOR_LEVEL_MAX   16        /* cgroup ancestors looked at */
#define BPFTOKEN_MONITOR_NAME_MAX    64        /* bytes of the cgroup's name */

/* event.flags */
#define BPFTOKEN_MONITOR_EVENT_TOKEN    (1U << 0) /* the call passed a token fd (BPF_F_TOKEN_FD) */
#define BPFTOKEN_MONITOR_EVENT_ATTR     (1U << 1) /* the attr could be read */
#define BPFTOKEN_MONITOR_EVENT_TOKEN_MASKS (1U << 2) /* token_allowed is the passed token's */

#define BPFTOKEN_MONITOR_EVENT_PID_GLOBAL (1U << 3) /* pid/tid are the initial PID namespace's */

/* Set by user space before attaching (the one entry of the "config" array). */
struct bpftoken_monitor_config {
        __u32 ignore_tgid;      /* the reader itself (in its PID namespace): its calls are not recorded */
        __u32 unused;
        __u64 pidns_dev;        /* the reader's PID namespace (stat of /proc/self/ns/pid): pids are */
        __u64 pidns_ino;        /* reported as it sees them; 0: the initial namespace's */
};

/* Indexes of the per-CPU counters. */
enum {
        BPFTOKEN_MONITOR_STAT_SEEN,     /* bpf() calls of watched processes */
        BPFTOKEN_MONITOR_STAT_LOST,     /* of which not recorded: the ring buffer was full */
        BPFTOKEN_MONITOR_STAT_UNPAIRED, /* of which not recorded: no room to remember the entry */
        _BPFTOKEN_MONITOR_STAT_MAX,
};

struct bpftoken_monitor_event {
        __u64 start_ns;         /* bpf_ktime_get_ns() at entry (CLOCK_MONOTONIC) */
        __u64 end_ns;           /* at exit */
        __u64 cgroup_id;        /* the caller's cgroup (unified hierarchy) */
        __u64 watched_id;       /* the watched cgroup it is in (itself or an ancestor) */
        __s64 result;           /* what bpf() returned: >= 0, or -errno */
        __u32 pid;              /* thread group */
        __u32 tid;
        __u32 uid;              /* as the initial user namespace sees it */
        __u32 cmd;
        __u32 attr_size;
        __u32 type;             /* map_type (MAP_CREATE), prog_type (PROG_LOAD), btf_size (BTF_LOAD) */
        __u32 expected_attach_type; /* PROG_LOAD */
        __u32 attach_type;      /* LINK_CREATE, PROG_ATTACH, PROG_DETACH */
        __u32 cmd_flags;        /* map_flags, prog_flags, btf_flags, token flags */
        __s32 token_fd;         /* the token fd passed, -1 if none */
        __u32 insn_cnt;         /* PROG_LOAD */
        __u32 btf_fd;           /* map btf_fd (MAP_CREATE), prog_btf_fd (PROG_LOAD); 0 if none */
        __u32 flags;            /* BPFTOKEN_MONITOR_EVENT_* */
        __u64 token_allowed[4]; /* the passed token's allowed_cmds/maps/progs/attachs, read at entry */
        char comm[16];
        char obj_name[16];      /* map_name, prog_name */
        char cgroup_name[BPFTOKEN_MONITOR_NAME_MAX]; /* the caller's cgroup's own name ("foo.service") */
};
