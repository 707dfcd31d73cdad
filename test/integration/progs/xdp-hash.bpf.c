/* SPDX-License-Identifier: (LGPL-2.1-or-later OR BSD-2-Clause) */
/* An XDP program counting packets per protocol in a hash map: a second object for 'learn', whose
 * minimal delegation (hash, xdp, attach type xdp) differs from socket-filter.bpf.o's. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
        __uint(type, BPF_MAP_TYPE_HASH);
        __uint(max_entries, 16);
        __type(key, __u32);
        __type(value, __u64);
} per_proto SEC(".maps");

SEC("xdp")
int count_xdp(struct xdp_md *ctx) {
        __u32 key = ctx->ingress_ifindex;
        __u64 one = 1, *value = bpf_map_lookup_elem(&per_proto, &key);

        if (value)
                __sync_fetch_and_add(value, 1);
        else
                bpf_map_update_elem(&per_proto, &key, &one, BPF_ANY);
        return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
