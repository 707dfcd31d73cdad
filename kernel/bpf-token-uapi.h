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

/* statx(): the unique, never reused mount ID (Linux >= 6.8) and "this is the root of a mount". */
#define BPFTOKEN_STATX_MNT_ID_UNIQUE   0x00004000U
#define BPFTOKEN_STATX_ATTR_MOUNT_ROOT 0x00002000U

/* statmount() and listmount() (<linux/mount.h>, Linux >= 6.8; mnt_ns_id since 6.11). */
struct bpftoken_mnt_id_req {
        uint32_t size;
        uint32_t spare;
        uint64_t mnt_id;
        uint64_t param;
        uint64_t mnt_ns_id;
};
#define BPFTOKEN_MNT_ID_REQ_SIZE_VER1 32

struct bpftoken_statmount {
        uint32_t size;
        uint32_t mnt_opts;              /* [str] */
        uint64_t mask;
        uint32_t sb_dev_major;
        uint32_t sb_dev_minor;
        uint64_t sb_magic;
        uint32_t sb_flags;
        uint32_t fs_type;               /* [str] */
        uint64_t mnt_id;
        uint64_t mnt_parent_id;
        uint32_t mnt_id_old;
        uint32_t mnt_parent_id_old;
        uint64_t mnt_attr;              /* MOUNT_ATTR_* */
        uint64_t mnt_propagation;       /* MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE */
        uint64_t mnt_peer_group;
        uint64_t mnt_master;
        uint64_t propagate_from;
        uint32_t mnt_root;              /* [str] */
        uint32_t mnt_point;             /* [str] relative to the caller's root */
        uint64_t mnt_ns_id;
        uint32_t fs_subtype;
        uint32_t sb_source;
        uint32_t opt_num;
        uint32_t opt_array;
        uint32_t opt_sec_num;
        uint32_t opt_sec_array;
        uint64_t supported_mask;
        uint32_t mnt_uidmap_num;
        uint32_t mnt_uidmap;
        uint32_t mnt_gidmap_num;
        uint32_t mnt_gidmap;
        uint64_t __spare2[43];
        char str[];                     /* the [str] fields are offsets into this */
};

#define BPFTOKEN_STATMOUNT_SB_BASIC       0x00000001U
#define BPFTOKEN_STATMOUNT_MNT_BASIC      0x00000002U
#define BPFTOKEN_STATMOUNT_PROPAGATE_FROM 0x00000004U
#define BPFTOKEN_STATMOUNT_MNT_ROOT       0x00000008U
#define BPFTOKEN_STATMOUNT_MNT_POINT      0x00000010U
#define BPFTOKEN_STATMOUNT_FS_TYPE        0x00000020U
#define BPFTOKEN_STATMOUNT_MNT_NS_ID      0x00000040U
#define BPFTOKEN_STATMOUNT_MNT_OPTS       0x00000080U
#define BPFTOKEN_LSMT_ROOT                0xffffffffffffffffULL

_Static_assert(sizeof(struct bpftoken_mnt_id_req) == BPFTOKEN_MNT_ID_REQ_SIZE_VER1, "mnt_id_req");
_Static_assert(offsetof(struct bpftoken_mnt_id_req, mnt_ns_id) == 24, "mnt_id_req.mnt_ns_id");
_Static_assert(offsetof(struct bpftoken_statmount, sb_magic) == 24, "statmount.sb_magic");
_Static_assert(offsetof(struct bpftoken_statmount, fs_type) == 36, "statmount.fs_type");
_Static_assert(offsetof(struct bpftoken_statmount, mnt_id) == 40, "statmount.mnt_id");
_Static_assert(offsetof(struct bpftoken_statmount, mnt_attr) == 64, "statmount.mnt_attr");
_Static_assert(offsetof(struct bpftoken_statmount, mnt_propagation) == 72, "statmount.mnt_propagation");
_Static_assert(offsetof(struct bpftoken_statmount, propagate_from) == 96, "statmount.propagate_from");
_Static_assert(offsetof(struct bpftoken_statmount, mnt_point) == 108, "statmount.mnt_point");
_Static_assert(offsetof(struct bpftoken_statmount, mnt_ns_id) == 112, "statmount.mnt_ns_id");
_Static_assert(offsetof(struct bpftoken_statmount, supported_mask) == 144, "statmount.supported_mask");
_Static_assert(sizeof(struct bpftoken_statmount) == 512, "statmount");

/* Iterating every mount namespace (<linux/nsfs.h>, Linux >= 6.12). */
struct bpftoken_mnt_ns_info {
        uint32_t size;
        uint32_t nr_mounts;
        uint64_t mnt_ns_id;
};
#define BPFTOKEN_NS_MNT_GET_INFO _IOR(BPFTOKEN_NSIO, 10, struct bpftoken_mnt_ns_info)
#define BPFTOKEN_NS_MNT_GET_NEXT _IOR(BPFTOKEN_NSIO, 11, struct bpftoken_mnt_ns_info)
#define BPFTOKEN_NS_MNT_GET_PREV _IOR(BPFTOKEN_NSIO, 12, struct bpftoken_mnt_ns_info)
_Static_assert(sizeof(struct bpftoken_mnt_ns_info) == 16, "mnt_ns_info");
