// SPDX-License-Identifier: (LGPL-2.1-or-later OR BSD-2-Clause)
/*
 * The BPF object the end-to-end scenarios load with unmodified clients
 * (bpftool prog load, and the e2e-loader built against the distribution's
 * libbpf).  A socket filter that counts packets in a one-element map.
 *
 * Built on the host with `clang -O2 -g -target bpf`, once per map type:
 *   -DE2E_MAP_HASH unset  -> BPF_MAP_TYPE_ARRAY (e2e-array.bpf.o)
 *   -DE2E_MAP_HASH        -> BPF_MAP_TYPE_HASH  (e2e-hash.bpf.o)
 * so that a delegation limited to one map type can be shown to refuse the
 * other.
 *
 * Deliberately self-contained: the build host's linux/bpf.h may be older
 * than the kernel, and `-target bpf` does not search the multiarch include
 * directory for asm/types.h, so the few UAPI values needed are declared here
 * (they are ABI and never change).  Only libbpf's bpf_helpers.h is used.
 *
 * No global variables and no string constants: those make libbpf create an
 * extra array map for .data/.rodata/.bss, which would muddle the hash-only
 * scenario.
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
enum rc_proto { E2E_RC_PROTO_UNUSED };

#include <bpf/bpf_helpers.h>

/* UAPI enum bpf_map_type values (include/uapi/linux/bpf.h). */
#define E2E_BPF_MAP_TYPE_HASH 1
#define E2E_BPF_MAP_TYPE_ARRAY 2

#ifdef E2E_MAP_HASH
#define E2E_MAP_TYPE E2E_BPF_MAP_TYPE_HASH
#else
#define E2E_MAP_TYPE E2E_BPF_MAP_TYPE_ARRAY
#endif

struct {
        __uint(type, E2E_MAP_TYPE);
        __uint(max_entries, 1);
        __type(key, __u32);
        __type(value, __u64);
} e2e_counts SEC(".maps");

SEC("socket")
int e2e_count_packets(void *skb)
{
        __u32 key = 0;
        __u64 *count;

        count = bpf_map_lookup_elem(&e2e_counts, &key);
        if (count)
                __sync_fetch_and_add(count, 1);
        return 0; /* drop nothing into user space; the count is the point */
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
