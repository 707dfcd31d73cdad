// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * e2e-bpfprobe: raw bpf(2) probes, independent of libbpf and of the build
 * host's kernel headers (the attribute layouts below are UAPI and stable).
 *
 *   e2e-bpfprobe map
 *       BPF_MAP_CREATE of a one-element array *without* a token.  Inside a
 *       sandbox that must fail with EPERM, or a delegation test proves
 *       nothing.
 *   e2e-bpfprobe token BPFFS_PATH
 *       open BPFFS_PATH, BPF_TOKEN_CREATE from it, then BPF_MAP_CREATE of an
 *       array with that token.  Used by the attacker scenario against another
 *       unit's instance (through /proc/PID/root/sys/fs/bpf).
 *
 * Prints one line "e2e-bpfprobe: STEP: ok fd N" or "... STEP: failed: ERRNO
 * (text)" per step, and exits with 0 if every step succeeded, otherwise with
 * the errno of the first failure (EPERM = 1, EACCES = 13, ...), so a caller
 * can tell the failure it expects from any other.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define E2E_BPF_MAP_CREATE 0
#define E2E_BPF_TOKEN_CREATE 36
#define E2E_BPF_MAP_TYPE_ARRAY 2
#define E2E_BPF_F_TOKEN_FD (1U << 16)

/* The leading fields of union bpf_attr for BPF_MAP_CREATE (up to map_token_fd, 6.9). */
struct map_create_attr {
        uint32_t map_type, key_size, value_size, max_entries, map_flags, inner_map_fd, numa_node;
        char map_name[16];
        uint32_t map_ifindex, btf_fd, btf_key_type_id, btf_value_type_id, btf_vmlinux_value_type_id;
        uint64_t map_extra;
        int32_t value_type_btf_obj_fd, map_token_fd;
};

/* union bpf_attr for BPF_TOKEN_CREATE. */
struct token_create_attr {
        uint32_t flags, bpffs_fd;
};

/* The kernel wants the unused tail of the attribute zeroed: pass a full-size buffer. */
union attr_buf {
        struct map_create_attr map;
        struct token_create_attr token;
        char pad[160];
};

static int report(const char *step, long r)
{
        int e = errno;

        if (r >= 0) {
                printf("e2e-bpfprobe: %s: ok fd %ld\n", step, r);
                return 0;
        }
        printf("e2e-bpfprobe: %s: failed: %s (%s)\n", step, strerrorname_np(e) ?: "?", strerror(e));
        return e;
}

static int map_create(int token_fd)
{
        union attr_buf a;

        memset(&a, 0, sizeof(a));
        a.map.map_type = E2E_BPF_MAP_TYPE_ARRAY;
        a.map.key_size = 4;
        a.map.value_size = 8;
        a.map.max_entries = 1;
        if (token_fd >= 0) {
                a.map.map_flags = E2E_BPF_F_TOKEN_FD;
                a.map.map_token_fd = token_fd;
        }
        return report(token_fd >= 0 ? "map create with token" : "map create without token",
                      syscall(SYS_bpf, E2E_BPF_MAP_CREATE, &a, sizeof(a)));
}

int main(int argc, char **argv)
{
        if (argc == 2 && strcmp(argv[1], "map") == 0)
                return map_create(-1);

        if (argc == 3 && strcmp(argv[1], "token") == 0) {
                union attr_buf a;
                int fd, r, token;

                fd = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                r = report("open bpffs", fd);
                if (r)
                        return r;
                memset(&a, 0, sizeof(a));
                a.token.bpffs_fd = fd;
                token = syscall(SYS_bpf, E2E_BPF_TOKEN_CREATE, &a, sizeof(a));
                r = report("token create", token);
                if (r)
                        return r;
                return map_create(token);
        }

        fprintf(stderr, "usage: %s map | token BPFFS_PATH\n", argv[0]);
        return 2;
}
