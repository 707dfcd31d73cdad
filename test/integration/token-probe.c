/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * token-probe: what can this process do with BPF? Uses raw bpf() calls (no libbpf), so that each
 * step's errno is exactly the kernel's. Prints one line per step, "STEP ok" or "STEP ERRNONAME",
 * for the integration tests to compare:
 *   token        BPF_TOKEN_CREATE on $LIBBPF_BPF_TOKEN_PATH (or /sys/fs/bpf)
 *   map_create   an array map, with the token
 *   prog_load    a socket filter ("return 0"), with the token
 *   btf_load     a minimal BTF blob (one int type), with the token
 *   map_no_token an array map without a token (must fail in a sandbox)
 *   fdinfo       the token's allowed_* lines
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpf-token-uapi.h"
#include "syscalls.h"

static const char *errname(int r) {
        switch (-r) {
        case EPERM: return "EPERM";
        case ENOENT: return "ENOENT";
        case EINVAL: return "EINVAL";
        case EBADF: return "EBADF";
        case EOPNOTSUPP: return "EOPNOTSUPP";
        case EACCES: return "EACCES";
        case ENOSYS: return "ENOSYS";
        default: return "OTHER";
        }
}

static void report(const char *step, int r) {
        if (r >= 0)
                printf("%s ok\n", step);
        else
                printf("%s %s\n", step, errname(r));
}

static int map_create(int token) {
        struct bpftoken_attr_map_create attr = {
                .map_type = 2, /* array */
                .key_size = 4,
                .value_size = 8,
                .max_entries = 1,
        };

        if (token >= 0) {
                attr.map_flags |= BPFTOKEN_F_TOKEN_FD;
                attr.map_token_fd = token;
        }
        return sys_bpf(BPFTOKEN_CMD_MAP_CREATE, &attr, sizeof attr);
}

static int prog_load(int token) {
        /* r0 = 0; exit */
        static const uint64_t insns[] = { 0x00000000000000b7ULL, 0x0000000000000095ULL };
        struct bpftoken_attr_prog_load attr = {
                .prog_type = 1, /* socket_filter */
                .insn_cnt = 2,
                .insns = (uint64_t) (uintptr_t) insns,
                .license = (uint64_t) (uintptr_t) "GPL",
        };

        if (token >= 0) {
                attr.prog_flags |= BPFTOKEN_F_TOKEN_FD;
                attr.prog_token_fd = token;
        }
        return sys_bpf(BPFTOKEN_CMD_PROG_LOAD, &attr, sizeof attr);
}

static int btf_load(int token) {
        /* BTF header + one INT type "int" (32 bits, signed) + string section "\0int\0". */
        static const struct {
                uint16_t magic;
                uint8_t version, flags;
                uint32_t hdr_len, type_off, type_len, str_off, str_len;
                uint32_t name_off, info, size, int_data;
                char strings[5];
        } __attribute__((packed)) blob = {
                .magic = 0xeB9F, .version = 1, .hdr_len = 24,
                .type_off = 0, .type_len = 16, .str_off = 16, .str_len = 5,
                .name_off = 1, .info = 1u << 24, .size = 4, .int_data = (1u << 24) | 32,
                .strings = "\0int",
        };
        struct bpftoken_attr_btf_load attr = {
                .btf = (uint64_t) (uintptr_t) &blob,
                .btf_size = sizeof blob,
        };

        if (token >= 0) {
                attr.btf_flags |= BPFTOKEN_F_TOKEN_FD;
                attr.btf_token_fd = token;
        }
        return sys_bpf(BPFTOKEN_CMD_BTF_LOAD, &attr, sizeof attr);
}

int main(void) {
        const char *path = getenv("LIBBPF_BPF_TOKEN_PATH");
        int fd, token, r;
        char line[256], p[64];
        FILE *f;

        if (!path || !*path)
                path = "/sys/fs/bpf";

        fd = open(path, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        token = fd < 0 ? -errno : bpf_token_create_fd(fd);
        report("token", token);

        r = map_create(token);
        report("map_create", r);
        r = prog_load(token);
        report("prog_load", r);
        r = btf_load(token);
        report("btf_load", r);
        r = map_create(-1);
        report("map_no_token", r);

        if (token >= 0) {
                snprintf(p, sizeof p, "/proc/self/fdinfo/%d", token);
                f = fopen(p, "re");
                while (f && fgets(line, sizeof line, f))
                        if (strncmp(line, "allowed_", 8) == 0)
                                printf("fdinfo %s", line);
                if (f)
                        fclose(f);
        }
        return 0;
}
