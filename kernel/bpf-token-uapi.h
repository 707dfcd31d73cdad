/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The BPF token UAPI bits that Debian 12's <linux/bpf.h> (kernel 6.1 headers) lacks.
 *
 * Everything here carries a BPFTOKEN_ prefix so that it never clashes with a newer system
 * header that does define BPF_TOKEN_CREATE and friends: the project builds the same against
 * both. The attribute layouts are the kernel's (include/uapi/linux/bpf.h, Linux >= 6.9) and
 * their offsets are checked at compile time below.
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>

/* enum bpf_cmd values used directly */
#define BPFTOKEN_CMD_MAP_CREATE          0
#define BPFTOKEN_CMD_PROG_LOAD           5
#define BPFTOKEN_CMD_OBJ_PIN             6
#define BPFTOKEN_CMD_OBJ_GET_INFO_BY_FD 15
#define BPFTOKEN_CMD_BTF_LOAD           18
#define BPFTOKEN_CMD_TOKEN_CREATE       36

/* "BPF token FD is passed in a corresponding command's token_fd field" */
#define BPFTOKEN_F_TOKEN_FD (1U << 16)

/* bpffs superblock magic (statfs f_type) */
#define BPFTOKEN_BPF_FS_MAGIC 0xcafe4a11

/* BPF_TOKEN_CREATE attribute */
struct bpftoken_attr_token_create {
        uint32_t flags;         /* must be 0 */
        uint32_t bpffs_fd;
};

/* BPF_MAP_CREATE attribute, up to map_token_fd */
struct bpftoken_attr_map_create {
        uint32_t map_type;
        uint32_t key_size;
        uint32_t value_size;
        uint32_t max_entries;
        uint32_t map_flags;
        uint32_t inner_map_fd;
        uint32_t numa_node;
        char map_name[16];
        uint32_t map_ifindex;
        uint32_t btf_fd;
        uint32_t btf_key_type_id;
        uint32_t btf_value_type_id;
        uint32_t btf_vmlinux_value_type_id;
        uint64_t map_extra;
        int32_t value_type_btf_obj_fd;
        int32_t map_token_fd;
};

/* BPF_PROG_LOAD attribute, up to prog_token_fd */
struct bpftoken_attr_prog_load {
        uint32_t prog_type;
        uint32_t insn_cnt;
        uint64_t insns;
        uint64_t license;
        uint32_t log_level;
        uint32_t log_size;
        uint64_t log_buf;
        uint32_t kern_version;
        uint32_t prog_flags;
        char prog_name[16];
        uint32_t prog_ifindex;
        uint32_t expected_attach_type;
        uint32_t prog_btf_fd;
        uint32_t func_info_rec_size;
        uint64_t func_info;
        uint32_t func_info_cnt;
        uint32_t line_info_rec_size;
        uint64_t line_info;
        uint32_t line_info_cnt;
        uint32_t attach_btf_id;
        uint32_t attach_prog_fd;
        uint32_t core_relo_cnt;
        uint64_t fd_array;
        uint64_t core_relos;
        uint32_t core_relo_rec_size;
        uint32_t log_true_size;
        int32_t prog_token_fd;
};

/* BPF_BTF_LOAD attribute, up to btf_token_fd */
struct bpftoken_attr_btf_load {
        uint64_t btf;
        uint64_t btf_log_buf;
        uint32_t btf_size;
        uint32_t btf_log_size;
        uint32_t btf_log_level;
        uint32_t btf_log_true_size;
        uint32_t btf_flags;
        int32_t btf_token_fd;
};

/* BPF_OBJ_GET_INFO_BY_FD on a token fd (Linux >= 6.17) */
struct bpftoken_token_info {
        uint64_t allowed_cmds;
        uint64_t allowed_maps;
        uint64_t allowed_progs;
        uint64_t allowed_attachs;
};

/* The kernel ABI: these offsets are fixed forever. */
_Static_assert(offsetof(struct bpftoken_attr_token_create, bpffs_fd) == 4, "token_create.bpffs_fd");
_Static_assert(offsetof(struct bpftoken_attr_map_create, map_flags) == 16, "map_flags");
_Static_assert(offsetof(struct bpftoken_attr_map_create, map_token_fd) == 76, "map_token_fd");
_Static_assert(offsetof(struct bpftoken_attr_prog_load, prog_flags) == 44, "prog_flags");
_Static_assert(offsetof(struct bpftoken_attr_prog_load, expected_attach_type) == 68, "expected_attach_type");
_Static_assert(offsetof(struct bpftoken_attr_prog_load, prog_token_fd) == 144, "prog_token_fd");
_Static_assert(offsetof(struct bpftoken_attr_btf_load, btf_flags) == 32, "btf_flags");
_Static_assert(offsetof(struct bpftoken_attr_btf_load, btf_token_fd) == 36, "btf_token_fd");
_Static_assert(sizeof(struct bpftoken_token_info) == 32, "bpf_token_info");

/* New mount API (Linux >= 5.2); constants from <linux/mount.h>, which old libcs do not wrap. */
#define BPFTOKEN_FSOPEN_CLOEXEC          0x00000001
#define BPFTOKEN_FSMOUNT_CLOEXEC         0x00000001
#define BPFTOKEN_FSCONFIG_SET_STRING     1
#define BPFTOKEN_FSCONFIG_CMD_CREATE     6
#define BPFTOKEN_MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#define BPFTOKEN_MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#define BPFTOKEN_OPEN_TREE_CLONE         1
#define BPFTOKEN_MOUNT_ATTR_RDONLY       0x00000001

struct bpftoken_mount_attr {
        uint64_t attr_set;
        uint64_t attr_clr;
        uint64_t propagation;
        uint64_t userns_fd;
};

/* nsfs ioctls (<linux/nsfs.h>) */
#define BPFTOKEN_NSIO 0xb7
#define BPFTOKEN_NS_GET_USERNS    _IO(BPFTOKEN_NSIO, 0x1)
#define BPFTOKEN_NS_GET_PARENT    _IO(BPFTOKEN_NSIO, 0x2)
#define BPFTOKEN_NS_GET_OWNER_UID _IO(BPFTOKEN_NSIO, 0x4)
#define BPFTOKEN_NS_GET_MNTNS_ID  _IOR(BPFTOKEN_NSIO, 0x5, uint64_t)

/* pidfd ioctls (<linux/pidfd.h>, Linux >= 6.11) */
#define BPFTOKEN_PIDFS_IOCTL_MAGIC 0xFF
#define BPFTOKEN_PIDFD_GET_MNT_NAMESPACE  _IO(BPFTOKEN_PIDFS_IOCTL_MAGIC, 3)
#define BPFTOKEN_PIDFD_GET_USER_NAMESPACE _IO(BPFTOKEN_PIDFS_IOCTL_MAGIC, 9)

#ifndef SO_PEERPIDFD
#  define SO_PEERPIDFD 77
#endif
