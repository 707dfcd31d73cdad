/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Built-in BPF name table, used when the running kernel has no usable BTF.
 *
 * The lists follow systemd 262's tables (generated there from the UAPI linux/bpf.h), checked
 * against the kernel enums: values are the kernel's enum values, so the array index is the bit.
 * One difference from systemd, on purpose: the kernel has BPF_PROG_TYPE_SYSCALL = 31 and
 * BPF_PROG_TYPE_NETFILTER = 32. systemd's generator only takes enum lines of the form "NAME," and
 * the BPF_PROG_TYPE_SYSCALL line carries a trailing comment, so systemd's (positional) table has
 * Netfilter at index 31. Here both sit at their kernel values, and "syscall" is marked as absent
 * from systemd's table.
 *
 * Aliases: the kernel declares BPF_PROG_RUN = BPF_PROG_TEST_RUN and
 * BPF_MAP_TYPE_{,PERCPU_}CGROUP_STORAGE = ..._DEPRECATED after the canonical names.
 */

#include "bpf-names-table.h"
#include "macro.h"

static const char *const cmd_names[] = {
        [0]  = "map_create",
        [1]  = "map_lookup_elem",
        [2]  = "map_update_elem",
        [3]  = "map_delete_elem",
        [4]  = "map_get_next_key",
        [5]  = "prog_load",
        [6]  = "obj_pin",
        [7]  = "obj_get",
        [8]  = "prog_attach",
        [9]  = "prog_detach",
        [10] = "prog_test_run",
        [11] = "prog_get_next_id",
        [12] = "map_get_next_id",
        [13] = "prog_get_fd_by_id",
        [14] = "map_get_fd_by_id",
        [15] = "obj_get_info_by_fd",
        [16] = "prog_query",
        [17] = "raw_tracepoint_open",
        [18] = "btf_load",
        [19] = "btf_get_fd_by_id",
        [20] = "task_fd_query",
        [21] = "map_lookup_and_delete_elem",
        [22] = "map_freeze",
        [23] = "btf_get_next_id",
        [24] = "map_lookup_batch",
        [25] = "map_lookup_and_delete_batch",
        [26] = "map_update_batch",
        [27] = "map_delete_batch",
        [28] = "link_create",
        [29] = "link_update",
        [30] = "link_get_fd_by_id",
        [31] = "link_get_next_id",
        [32] = "enable_stats",
        [33] = "iter_create",
        [34] = "link_detach",
        [35] = "prog_bind_map",
        [36] = "token_create",
        [37] = "prog_stream_read_by_fd",
        [38] = "prog_assoc_struct_ops",
};

static const BpfBuiltinAlias cmd_aliases[] = {
        { "prog_run", 10 },
};

static const char *const map_names[] = {
        [0]  = "unspec",
        [1]  = "hash",
        [2]  = "array",
        [3]  = "prog_array",
        [4]  = "perf_event_array",
        [5]  = "percpu_hash",
        [6]  = "percpu_array",
        [7]  = "stack_trace",
        [8]  = "cgroup_array",
        [9]  = "lru_hash",
        [10] = "lru_percpu_hash",
        [11] = "lpm_trie",
        [12] = "array_of_maps",
        [13] = "hash_of_maps",
        [14] = "devmap",
        [15] = "sockmap",
        [16] = "cpumap",
        [17] = "xskmap",
        [18] = "sockhash",
        [19] = "cgroup_storage_deprecated",
        [20] = "reuseport_sockarray",
        [21] = "percpu_cgroup_storage_deprecated",
        [22] = "queue",
        [23] = "stack",
        [24] = "sk_storage",
        [25] = "devmap_hash",
        [26] = "struct_ops",
        [27] = "ringbuf",
        [28] = "inode_storage",
        [29] = "task_storage",
        [30] = "bloom_filter",
        [31] = "user_ringbuf",
        [32] = "cgrp_storage",
        [33] = "arena",
        [34] = "insn_array",
        [35] = "rhash",
};

static const BpfBuiltinAlias map_aliases[] = {
        { "cgroup_storage",        19 },
        { "percpu_cgroup_storage", 21 },
};

static const char *const prog_names[] = {
        [0]  = "unspec",
        [1]  = "socket_filter",
        [2]  = "kprobe",
        [3]  = "sched_cls",
        [4]  = "sched_act",
        [5]  = "tracepoint",
        [6]  = "xdp",
        [7]  = "perf_event",
        [8]  = "cgroup_skb",
        [9]  = "cgroup_sock",
        [10] = "lwt_in",
        [11] = "lwt_out",
        [12] = "lwt_xmit",
        [13] = "sock_ops",
        [14] = "sk_skb",
        [15] = "cgroup_device",
        [16] = "sk_msg",
        [17] = "raw_tracepoint",
        [18] = "cgroup_sock_addr",
        [19] = "lwt_seg6local",
        [20] = "lirc_mode2",
        [21] = "sk_reuseport",
        [22] = "flow_dissector",
        [23] = "cgroup_sysctl",
        [24] = "raw_tracepoint_writable",
        [25] = "cgroup_sockopt",
        [26] = "tracing",
        [27] = "struct_ops",
        [28] = "ext",
        [29] = "lsm",
        [30] = "sk_lookup",
        [31] = "syscall",     /* not in systemd's table, see above */
        [32] = "netfilter",   /* index 31 in systemd's table */
};

static const char *const prog_not_in_systemd[] = {
        "syscall",
        NULL,
};

static const char *const attach_names[] = {
        [0]  = "cgroup_inet_ingress",
        [1]  = "cgroup_inet_egress",
        [2]  = "cgroup_inet_sock_create",
        [3]  = "cgroup_sock_ops",
        [4]  = "sk_skb_stream_parser",
        [5]  = "sk_skb_stream_verdict",
        [6]  = "cgroup_device",
        [7]  = "sk_msg_verdict",
        [8]  = "cgroup_inet4_bind",
        [9]  = "cgroup_inet6_bind",
        [10] = "cgroup_inet4_connect",
        [11] = "cgroup_inet6_connect",
        [12] = "cgroup_inet4_post_bind",
        [13] = "cgroup_inet6_post_bind",
        [14] = "cgroup_udp4_sendmsg",
        [15] = "cgroup_udp6_sendmsg",
        [16] = "lirc_mode2",
        [17] = "flow_dissector",
        [18] = "cgroup_sysctl",
        [19] = "cgroup_udp4_recvmsg",
        [20] = "cgroup_udp6_recvmsg",
        [21] = "cgroup_getsockopt",
        [22] = "cgroup_setsockopt",
        [23] = "trace_raw_tp",
        [24] = "trace_fentry",
        [25] = "trace_fexit",
        [26] = "modify_return",
        [27] = "lsm_mac",
        [28] = "trace_iter",
        [29] = "cgroup_inet4_getpeername",
        [30] = "cgroup_inet6_getpeername",
        [31] = "cgroup_inet4_getsockname",
        [32] = "cgroup_inet6_getsockname",
        [33] = "xdp_devmap",
        [34] = "cgroup_inet_sock_release",
        [35] = "xdp_cpumap",
        [36] = "sk_lookup",
        [37] = "xdp",
        [38] = "sk_skb_verdict",
        [39] = "sk_reuseport_select",
        [40] = "sk_reuseport_select_or_migrate",
        [41] = "perf_event",
        [42] = "trace_kprobe_multi",
        [43] = "lsm_cgroup",
        [44] = "struct_ops",
        [45] = "netfilter",
        [46] = "tcx_ingress",
        [47] = "tcx_egress",
        [48] = "trace_uprobe_multi",
        [49] = "cgroup_unix_connect",
        [50] = "cgroup_unix_sendmsg",
        [51] = "cgroup_unix_recvmsg",
        [52] = "cgroup_unix_getpeername",
        [53] = "cgroup_unix_getsockname",
        [54] = "netkit_primary",
        [55] = "netkit_peer",
        [56] = "trace_kprobe_session",
        [57] = "trace_uprobe_session",
        [58] = "trace_fsession",
        [59] = "trace_fentry_multi",
        [60] = "trace_fexit_multi",
        [61] = "trace_fsession_multi",
};

_Static_assert(ELEMENTSOF(cmd_names) == 39, "systemd 262 has 39 commands");
_Static_assert(ELEMENTSOF(map_names) == 36, "systemd 262 has 36 map types");
_Static_assert(ELEMENTSOF(prog_names) == 33, "the kernel has 33 program types (systemd lists 32)");
_Static_assert(ELEMENTSOF(attach_names) == 62, "systemd 262 has 62 attach types");

static const char *const none[] = { NULL };

static const BpfBuiltinTable tables[_BPF_KIND_MAX] = {
        [BPF_KIND_COMMAND] = {
                .names = cmd_names,
                .n_names = ELEMENTSOF(cmd_names),
                .aliases = cmd_aliases,
                .n_aliases = ELEMENTSOF(cmd_aliases),
                .not_in_systemd = none,
        },
        [BPF_KIND_MAP] = {
                .names = map_names,
                .n_names = ELEMENTSOF(map_names),
                .aliases = map_aliases,
                .n_aliases = ELEMENTSOF(map_aliases),
                .not_in_systemd = none,
        },
        [BPF_KIND_PROGRAM] = {
                .names = prog_names,
                .n_names = ELEMENTSOF(prog_names),
                .not_in_systemd = prog_not_in_systemd,
        },
        [BPF_KIND_ATTACHMENT] = {
                .names = attach_names,
                .n_names = ELEMENTSOF(attach_names),
                .not_in_systemd = none,
        },
};

const BpfBuiltinTable *bpf_builtin_table(BpfKind kind) {
        if (kind < 0 || kind >= _BPF_KIND_MAX)
                return NULL;
        return &tables[kind];
}
