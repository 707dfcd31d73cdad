// SPDX-License-Identifier: (LGPL-2.1-or-later OR BSD-2-Clause)
/*
 * The BPF object of the attach scenarios (issue 8): one program per attach
 * point, each counting the IPv4 UDP packets to E2E_PORT it sees and dropping
 * those to E2E_DROP_PORT, so that a client can tell from plain sockets that
 * the program runs on the unit's traffic (for the distributions' own
 * loaders, whose maps it cannot read), and from the "counts" map how often
 * (for e2e-attach, built against the distribution's libbpf).  Every seen
 * packet also goes to the "events" ring buffer.
 *
 *   xdp               XDP (link, netlink, ip link ... xdpgeneric, xdp-loader)
 *   tc                classic tc (tc filter ... bpf da)
 *   tcx/ingress       tcx links
 *   cgroup_skb/ingress
 *
 * Built four times: e2e-attach.bpf.o with all three, and e2e-cgskb.bpf.o
 * (-DE2E_ONLY_CGROUP), e2e-xdp.bpf.o (-DE2E_ONLY_XDP), e2e-tc.bpf.o
 * (-DE2E_ONLY_TC) with one program each, for the loaders that load every
 * program of an object (bpftool prog load, ip, tc, xdp-loader).
 * Self-contained like e2e-sockfilter.bpf.c (no system UAPI headers).
 */

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed int __s32;
typedef signed long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;

#include <bpf/bpf_helpers.h>

#define BPF_MAP_TYPE_ARRAY   2
#define BPF_MAP_TYPE_RINGBUF 27
#define XDP_DROP 1
#define XDP_PASS 2
#define TC_ACT_OK 0
#define TC_ACT_SHOT 2

#define E2E_PORT      47001
#define E2E_DROP_PORT 47002

struct xdp_md {
        __u32 data;
        __u32 data_end;
        __u32 data_meta;
        __u32 ingress_ifindex;
        __u32 rx_queue_index;
        __u32 egress_ifindex;
};

struct __sk_buff;

struct {
        __uint(type, BPF_MAP_TYPE_ARRAY);
        __uint(max_entries, 2);
        __type(key, __u32);
        __type(value, __u64);
} counts SEC(".maps");

struct {
        __uint(type, BPF_MAP_TYPE_RINGBUF);
        __uint(max_entries, 4096);
} events SEC(".maps");


/* 0: not ours, 1: count, 2: count and drop. ip points at an IPv4 header (20 bytes, no options
 * expected on loopback) followed by the UDP header. */
static __attribute__((always_inline)) int classify(const __u8 *ip) {
        __u16 dport;

        if ((ip[0] >> 4) != 4 || ip[9] != 17)
                return 0;
        dport = (__u16) (ip[20 + 2] << 8 | ip[20 + 3]);
        if (dport == E2E_PORT)
                return 1;
        if (dport == E2E_DROP_PORT)
                return 2;
        return 0;
}

static __attribute__((always_inline)) void record(int verdict) {
        __u32 k = verdict == 2 ? 1 : 0;
        __u64 *v = bpf_map_lookup_elem(&counts, &k);
        __u32 *e;

        if (v)
                __sync_fetch_and_add(v, 1);
        e = bpf_ringbuf_reserve(&events, sizeof *e, 0);
        if (e) {
                *e = (__u32) verdict;
                bpf_ringbuf_submit(e, 0);
        }
}

#if !defined(E2E_ONLY_CGROUP) && !defined(E2E_ONLY_TC)
SEC("xdp")
int e2e_xdp(struct xdp_md *ctx) {
        const __u8 *data = (const __u8 *) (long) ctx->data;
        const __u8 *end = (const __u8 *) (long) ctx->data_end;
        int v;

        /* 14 bytes of Ethernet header (zeros on lo), then IPv4 and UDP */
        if (data + 14 + 20 + 8 > end || data[12] != 0x08 || data[13] != 0x00)
                return XDP_PASS;
        v = classify(data + 14);
        if (v)
                record(v);
        return v == 2 ? XDP_DROP : XDP_PASS;
}

#endif

static __attribute__((always_inline, unused)) int skb_verdict(const struct __sk_buff *skb, __u32 ip_off) {
        __u8 hdr[28];
        int v;

        if (bpf_skb_load_bytes(skb, ip_off, hdr, sizeof hdr) < 0)
                return 0;
        v = classify(hdr);
        if (v)
                record(v);
        return v;
}

#if !defined(E2E_ONLY_CGROUP) && !defined(E2E_ONLY_XDP)
SEC("tc")
int e2e_tc(struct __sk_buff *skb) {
        return skb_verdict(skb, 14) == 2 ? TC_ACT_SHOT : TC_ACT_OK;
}
#endif

#if !defined(E2E_ONLY_CGROUP) && !defined(E2E_ONLY_XDP) && !defined(E2E_ONLY_TC)
/* tcx links want the expected attach type tcx_ingress, which libbpf takes from the section name. */
SEC("tcx/ingress")
int e2e_tcx(struct __sk_buff *skb) {
        return skb_verdict(skb, 14) == 2 ? TC_ACT_SHOT : TC_ACT_OK;
}
#endif

#if !defined(E2E_ONLY_XDP) && !defined(E2E_ONLY_TC)
SEC("cgroup_skb/ingress")
int e2e_cgroup_skb(struct __sk_buff *skb) {
        return skb_verdict(skb, 0) == 2 ? 0 : 1;
}
#endif

char LICENSE[] SEC("license") = "GPL";
