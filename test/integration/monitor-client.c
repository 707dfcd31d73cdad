/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Test client for the bpf() recorder: makes a known sequence of bpf() calls.
 *
 *   monitor-client calls      token create; map create array and hash (named, with the token);
 *                             prog load socket_filter and xdp (named, with the token); map create
 *                             ringbuf with the token (refused unless ringbuf is delegated); then
 *                             libbpf's own probe of the kprobe program type (libbpf 1.1: unnamed,
 *                             without a token, refused in a user namespace)
 *   monitor-client flood N    N bpf() calls with an invalid command (EINVAL), as fast as possible
 *   monitor-client later SEC  the calls of 'calls' without the refused one, then after SEC seconds
 *                             a map create of type lru_hash with the token
 * Prints one line per call ("map_create:array 3", "map_create:ringbuf -1").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "bpf-token-uapi.h"
#include "syscalls.h"

static int map_create(int token, unsigned type, const char *name) {
        struct bpftoken_attr_map_create attr = {
                .map_type = type,
                .key_size = type == 27 ? 0 : 4,
                .value_size = type == 27 ? 0 : 8,
                .max_entries = type == 27 ? 4096 : 4,
        };

        strncpy(attr.map_name, name, sizeof attr.map_name - 1);
        attr.map_flags = BPFTOKEN_F_TOKEN_FD;
        attr.map_token_fd = token;
        return sys_bpf(BPFTOKEN_CMD_MAP_CREATE, &attr, sizeof attr);
}

static int prog_load(int token, unsigned type, const char *name) {
        /* r0 = 0 (XDP_ABORTED / drop everything); exit */
        static const uint64_t insns[] = { 0x00000000000000b7ULL, 0x0000000000000095ULL };
        struct bpftoken_attr_prog_load attr = {
                .prog_type = type,
                .insn_cnt = 2,
                .insns = (uint64_t) (uintptr_t) insns,
                .license = (uint64_t) (uintptr_t) "GPL",
                .prog_flags = BPFTOKEN_F_TOKEN_FD,
                .prog_token_fd = token,
        };

        strncpy(attr.prog_name, name, sizeof attr.prog_name - 1);
        return sys_bpf(BPFTOKEN_CMD_PROG_LOAD, &attr, sizeof attr);
}

static void report(const char *what, int r) {
        printf("%s %d\n", what, r < 0 ? -1 : r);
        fflush(stdout);
}

static int token_create(void) {
        const char *path = getenv("LIBBPF_BPF_TOKEN_PATH");
        int fd, token;

        fd = open(path && *path ? path : "/sys/fs/bpf", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        token = bpf_token_create_fd(fd);
        (void) close(fd);
        return token;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap) {
        return 0;
}

static int calls(bool refused) {
        int token = token_create();

        report("token_create", token);
        if (token < 0)
                return 1;
        report("map_create:array", map_create(token, 2, "mon_array"));
        report("map_create:hash", map_create(token, 1, "mon_hash"));
        report("prog_load:socket_filter", prog_load(token, 1, "mon_sock"));
        report("prog_load:xdp", prog_load(token, 6, "mon_xdp"));
        if (refused)
                report("map_create:ringbuf", map_create(token, 27, "mon_ringbuf"));
        libbpf_set_print(quiet);
        report("probe:kprobe", libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_KPROBE, NULL) == 1 ? 0 : -1);
        return token;
}

int main(int argc, char *argv[]) {
        if (argc == 2 && strcmp(argv[1], "calls") == 0)
                return calls(true) < 0;
        if (argc == 3 && strcmp(argv[1], "flood") == 0) {
                long n = strtol(argv[2], NULL, 10);

                for (long i = 0; i < n; i++)
                        (void) sys_bpf(9999, NULL, 0);
                printf("flood %ld\n", n);
                return 0;
        }
        if (argc == 3 && strcmp(argv[1], "later") == 0) {
                int token = calls(false);

                if (token < 0)
                        return 1;
                sleep((unsigned) atoi(argv[2]));
                report("map_create:lru_hash", map_create(token, 9, "mon_lru"));
                return 0;
        }
        fprintf(stderr, "usage: monitor-client calls|flood N|later SEC\n");
        return 2;
}
