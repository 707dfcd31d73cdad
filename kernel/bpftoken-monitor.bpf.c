// SPDX-License-Identifier: (LGPL-2.1-or-later OR BSD-2-Clause)
/*
 * The bpf() recorder: raw tracepoints on sys_enter/sys_exit that, for processes in the watched
 * cgroups (a hash map user space fills with cgroup IDs: the delegated units' or their slices'),
 * record each bpf() call — command, the types and token fd from its attr, the result — into a ring
 * buffer. It never blocks or alters a call: a full ring buffer is counted (stats), not waited on.
 * Only raw tracepoints (sys_enter as raw_tracepoint, sys_exit as its BTF-enabled form tp_btf): trampolines
 * (fentry, lsm) and kprobes are not needed.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "bpftoken-monitor.h"

/* CO-RE: the few kernel fields read, relocated against the running kernel's BTF at load time. */
struct pt_regs {
        unsigned long di;
        unsigned long si;
        unsigned long dx;
        unsigned long orig_ax;
} __attribute__((preserve_access_index));

struct kernfs_node {
        const char *name;
} __attribute__((preserve_access_index));

struct cgroup {
        struct kernfs_node *kn;
} __attribute__((preserve_access_index));

struct css_set {
        struct cgroup *dfl_cgrp;
} __attribute__((preserve_access_index));

struct file_operations {
        void (*show_fdinfo)(void *m, struct file *f);
} __attribute__((preserve_access_index));

struct file {
        const struct file_operations *f_op;
        void *private_data;
} __attribute__((preserve_access_index));

struct fdtable {
        unsigned int max_fds;
        struct file **fd;
} __attribute__((preserve_access_index));

struct files_struct {
        struct fdtable *fdt;
} __attribute__((preserve_access_index));

struct bpf_token {
        __u64 allowed_cmds;
        __u64 allowed_maps;
        __u64 allowed_progs;
        __u64 allowed_attachs;
} __attribute__((preserve_access_index));

struct task_struct {
        struct css_set *cgroups;
        struct files_struct *files;
} __attribute__((preserve_access_index));

/* A token file is one whose fdinfo the token code prints (kernel/bpf/token.c). */
extern const void bpf_token_show_fdinfo __ksym; /* typeless: its address, from kallsyms */

#define TOKEN_FD_FLAG (1U << 16) /* BPF_F_TOKEN_FD, Linux >= 6.9 */

/* Command numbers (enum bpf_cmd); Debian 12's <linux/bpf.h> lacks BPF_TOKEN_CREATE. */
#define CMD_MAP_CREATE    0
#define CMD_PROG_LOAD     5
#define CMD_PROG_ATTACH   8
#define CMD_PROG_DETACH   9
#define CMD_BTF_LOAD     18
#define CMD_LINK_CREATE  28
#define CMD_TOKEN_CREATE 36

struct {
        __uint(type, BPF_MAP_TYPE_HASH);
        __uint(max_entries, BPFTOKEN_MONITOR_CGROUP_MAX);
        __type(key, __u64);
        __type(value, __u8);
} watched_cgroups SEC(".maps");

/* Calls between entry and exit, by thread. LRU: a thread killed inside bpf() cannot leak a slot. */
struct {
        __uint(type, BPF_MAP_TYPE_LRU_HASH);
        __uint(max_entries, 8192);
        __type(key, __u64);
        __type(value, struct bpftoken_monitor_event);
} inflight SEC(".maps");

struct {
        __uint(type, BPF_MAP_TYPE_RINGBUF);
        __uint(max_entries, 256 * 1024); /* user space may change it before loading */
} events SEC(".maps");

struct {
        __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
        __uint(max_entries, _BPFTOKEN_MONITOR_STAT_MAX);
        __type(key, __u32);
        __type(value, __u64);
} stats SEC(".maps");

struct {
        __uint(type, BPF_MAP_TYPE_ARRAY);
        __uint(max_entries, 1);
        __type(key, __u32);
        __type(value, struct bpftoken_monitor_config);
} config SEC(".maps");

/* An entry too large for the stack is built here. */
struct {
        __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
        __uint(max_entries, 1);
        __type(key, __u32);
        __type(value, struct bpftoken_monitor_event);
} scratch SEC(".maps");

static __always_inline void stat_inc(__u32 i) {
        __u64 *v = bpf_map_lookup_elem(&stats, &i);

        if (v)
                *v += 1;
}

/* The watched cgroup the caller is in: its own or the closest watched ancestor; 0 if none. The
 * ancestors are looked at from the root down, up to the caller's depth (the helper returns 0 beyond). */
static __always_inline __u64 watched_cgroup(__u64 *ret_own) {
        __u64 id = bpf_get_current_cgroup_id(), found = 0;

        *ret_own = id;
        if (bpf_map_lookup_elem(&watched_cgroups, &id))
                return id;
        for (int level = 0; level < BPFTOKEN_MONITOR_LEVEL_MAX; level++) {
                __u64 a = bpf_get_current_ancestor_cgroup_id(level);

                if (a == 0 || a == id)
                        break;
                if (bpf_map_lookup_elem(&watched_cgroups, &a))
                        found = a;
        }
        return found;
}

static __always_inline __u32 attr_u32(const __u8 *attr, __u32 size, __u32 off) {
        if (off + 4 > size || off + 4 > BPFTOKEN_MONITOR_ATTR_MAX)
                return 0;
        return *(const __u32 *) (attr + off);
}

/* What the attr says, for the commands that carry a type or a token. A field beyond the size the
 * caller passed is zero, as the kernel itself takes it. */
static __always_inline void decode_attr(struct bpftoken_monitor_event *e, const __u8 *attr, __u32 size) {
        __u32 token_flags_off = 0, token_fd_off = 0;

        switch (e->cmd) {
        case CMD_MAP_CREATE:
                e->type = attr_u32(attr, size, 0);
                token_flags_off = 16;
                token_fd_off = 76;
                e->btf_fd = attr_u32(attr, size, 48);
                if (size >= 44)
                        __builtin_memcpy(e->obj_name, attr + 28, 16);
                break;
        case CMD_PROG_LOAD:
                e->type = attr_u32(attr, size, 0);
                e->insn_cnt = attr_u32(attr, size, 4);
                e->expected_attach_type = attr_u32(attr, size, 68);
                token_flags_off = 44;
                token_fd_off = 144;
                e->btf_fd = attr_u32(attr, size, 72);
                if (size >= 64)
                        __builtin_memcpy(e->obj_name, attr + 48, 16);
                break;
        case CMD_BTF_LOAD:
                e->type = attr_u32(attr, size, 16); /* btf_size */
                token_flags_off = 32;
                token_fd_off = 36;
                break;
        case CMD_TOKEN_CREATE:
                e->cmd_flags = attr_u32(attr, size, 0);
                break;
        case CMD_PROG_ATTACH:
        case CMD_PROG_DETACH:
        case CMD_LINK_CREATE:
                e->attach_type = attr_u32(attr, size, 8);
                break;
        }
        e->obj_name[15] = 0;
        if (token_flags_off) {
                e->cmd_flags = attr_u32(attr, size, token_flags_off);
                if (e->cmd_flags & TOKEN_FD_FLAG) {
                        e->flags |= BPFTOKEN_MONITOR_EVENT_TOKEN;
                        e->token_fd = (__s32) attr_u32(attr, size, token_fd_off);
                }
        }
}

/* The masks of the token the caller passed, as the kernel will check them: the file at token_fd in
 * the caller's fd table, if it is a token. */
static __always_inline void read_token_masks(struct bpftoken_monitor_event *e, struct task_struct *task) {
        struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
        struct bpf_token *token;
        struct file **fds, *f = NULL;

        if (!fdt || e->token_fd < 0 || (__u32) e->token_fd >= BPF_CORE_READ(fdt, max_fds))
                return;
        fds = BPF_CORE_READ(fdt, fd);
        if (bpf_probe_read_kernel(&f, sizeof f, &fds[e->token_fd]) < 0 || !f)
                return;
        if ((void *) BPF_CORE_READ(f, f_op, show_fdinfo) != &bpf_token_show_fdinfo)
                return;
        token = BPF_CORE_READ(f, private_data);
        if (!token)
                return;
        e->token_allowed[0] = BPF_CORE_READ(token, allowed_cmds);
        e->token_allowed[1] = BPF_CORE_READ(token, allowed_maps);
        e->token_allowed[2] = BPF_CORE_READ(token, allowed_progs);
        e->token_allowed[3] = BPF_CORE_READ(token, allowed_attachs);
        e->flags |= BPFTOKEN_MONITOR_EVENT_TOKEN_MASKS;
}

SEC("raw_tracepoint/sys_enter")
int bpftoken_sys_enter(struct bpf_raw_tracepoint_args *ctx) {
        struct pt_regs *regs = (struct pt_regs *) ctx->args[0];
        struct bpftoken_monitor_event *e;
        struct task_struct *task;
        __u8 attr[256] = {}; /* the verifier sees the size as 0..255 */
        struct bpftoken_monitor_config *cfg;
        struct bpf_pidns_info ns = {};
        const char *cgname;
        __u64 own, watched, pid_tgid;
        void *uattr;
        __u32 zero = 0, size;

        if (ctx->args[1] != BPFTOKEN_MONITOR_SYSCALL_BPF)
                return 0;
        watched = watched_cgroup(&own);
        if (!watched)
                return 0;
        e = bpf_map_lookup_elem(&scratch, &zero);
        cfg = bpf_map_lookup_elem(&config, &zero);
        if (!e || !cfg)
                return 0;
        __builtin_memset(e, 0, sizeof *e);
        pid_tgid = bpf_get_current_pid_tgid();
        if (cfg->pidns_ino &&
            bpf_get_ns_current_pid_tgid(cfg->pidns_dev, cfg->pidns_ino, &ns, sizeof ns) == 0) {
                e->pid = ns.tgid;
                e->tid = ns.pid;
        } else {
                e->pid = pid_tgid >> 32;
                e->tid = (__u32) pid_tgid;
                if (cfg->pidns_ino)
                        e->flags |= BPFTOKEN_MONITOR_EVENT_PID_GLOBAL;
        }
        /* The reader's own calls (reading the counters) would wake it up again and again. */
        if (cfg->ignore_tgid && e->pid == cfg->ignore_tgid && !(e->flags & BPFTOKEN_MONITOR_EVENT_PID_GLOBAL))
                return 0;
        stat_inc(BPFTOKEN_MONITOR_STAT_SEEN);
        e->start_ns = bpf_ktime_get_ns();
        e->cgroup_id = own;
        e->watched_id = watched;
        e->uid = (__u32) bpf_get_current_uid_gid();
        e->token_fd = -1;
        e->cmd = (__u32) BPF_CORE_READ(regs, di);
        uattr = (void *) BPF_CORE_READ(regs, si);
        size = (__u32) BPF_CORE_READ(regs, dx);
        e->attr_size = size;
        bpf_get_current_comm(e->comm, sizeof e->comm);

        task = (struct task_struct *) bpf_get_current_task();
        cgname = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, name);
        if (cgname)
                bpf_probe_read_kernel_str(e->cgroup_name, sizeof e->cgroup_name, cgname);

        if (size > BPFTOKEN_MONITOR_ATTR_MAX)
                size = BPFTOKEN_MONITOR_ATTR_MAX;
        barrier_var(size); /* keep the mask below: the verifier needs it, the compiler thinks not */
        size &= 0xff;
        /* Read the whole window first (the common case); if the attr ends right before an unmapped
         * page, read just what the caller passed. */
        if (uattr && size > 0) {
                if (bpf_probe_read_user(attr, BPFTOKEN_MONITOR_ATTR_MAX, uattr) == 0 ||
                    bpf_probe_read_user(attr, size, uattr) == 0) {
                        e->flags |= BPFTOKEN_MONITOR_EVENT_ATTR;
                        decode_attr(e, attr, size);
                        if (e->flags & BPFTOKEN_MONITOR_EVENT_TOKEN)
                                read_token_masks(e, task);
                }
        }

        if (bpf_map_update_elem(&inflight, &pid_tgid, e, BPF_ANY) < 0)
                stat_inc(BPFTOKEN_MONITOR_STAT_UNPAIRED);
        return 0;
}

/* A BTF-enabled tracepoint: regs is a kernel pointer the program may read directly, which on the
 * exit of every syscall of every process is cheaper than a probe-read helper call. */
SEC("tp_btf/sys_exit")
int BPF_PROG(bpftoken_sys_exit, struct pt_regs *regs, long ret) {
        struct bpftoken_monitor_event *e, *out;
        __u64 pid_tgid, avail;

        if (regs->orig_ax != BPFTOKEN_MONITOR_SYSCALL_BPF)
                return 0;
        pid_tgid = bpf_get_current_pid_tgid();
        e = bpf_map_lookup_elem(&inflight, &pid_tgid);
        if (!e)
                return 0;

        out = bpf_ringbuf_reserve(&events, sizeof *out, 0);
        if (!out) {
                stat_inc(BPFTOKEN_MONITOR_STAT_LOST);
                bpf_map_delete_elem(&inflight, &pid_tgid);
                return 0;
        }
        __builtin_memcpy(out, e, sizeof *out);
        out->end_ns = bpf_ktime_get_ns();
        out->result = ret;
        bpf_map_delete_elem(&inflight, &pid_tgid);
        /* Waking the reader for every call costs the caller more than the recording: wake it only
         * when a quarter of the buffer is used; it also reads on its own every few hundred ms. */
        avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
        bpf_ringbuf_submit(out, avail > bpf_ringbuf_query(&events, BPF_RB_RING_SIZE) / 4 ?
                           BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
        return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
