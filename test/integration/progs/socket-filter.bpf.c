/* SPDX-License-Identifier: (LGPL-2.1-or-later OR BSD-2-Clause) */
/* A socket filter that counts packets in an array map: what the integration tests load through a
 * token with unmodified libbpf programs (bpftool prog load). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
        __uint(type, BPF_MAP_TYPE_ARRAY);
        __uint(max_entries, 1);
        __type(key, __u32);
        __type(value, __u64);
} packets SEC(".maps");

SEC("socket")
int count_packets(struct __sk_buff *skb) {
        __u32 key = 0;
        __u64 *value = bpf_map_lookup_elem(&packets, &key);

        if (value)
                __sync_fetch_and_add(value, 1);
        return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
