/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Thin wrappers around the system calls that Debian 12's glibc does not wrap (new mount API,
 * pidfds, bpf). Each returns the kernel's result or -errno; nothing else. Kept in their own
 * translation unit so that tests can interpose them with -Wl,--wrap=.
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

int sys_fsopen(const char *fsname, unsigned flags);
int sys_fsconfig(int fs_fd, unsigned cmd, const char *key, const char *value, int aux);
int sys_fsmount(int fs_fd, unsigned flags, unsigned attr_flags);
int sys_move_mount(int from_dfd, const char *from_path, int to_dfd, const char *to_path, unsigned flags);
int sys_open_tree(int dfd, const char *path, unsigned flags);
int sys_mount_setattr(int dfd, const char *path, unsigned flags, uint64_t attr_set, uint64_t attr_clr);
int sys_pidfd_open(pid_t pid, unsigned flags);
int sys_pidfd_send_signal(int pidfd, int sig);
int sys_bpf(int cmd, void *attr, unsigned size);

/* BPF_TOKEN_CREATE on a bpffs root directory fd (opened, not O_PATH). Token fd or -errno. */
int bpf_token_create_fd(int bpffs_fd);

/* A token's four masks (BPF_OBJ_GET_INFO_BY_FD, Linux >= 6.17; -EINVAL before). */
struct bpftoken_token_info;
int bpf_token_get_info(int token_fd, struct bpftoken_token_info *ret);

/* openat2() with RESOLVE_* flags (Linux >= 5.6). */
#define BPFTOKEN_RESOLVE_NO_MAGICLINKS 0x02
#define BPFTOKEN_RESOLVE_NO_SYMLINKS   0x04
int sys_openat2(int dfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve);
int sys_close_range(unsigned first, unsigned last, unsigned flags);

/* statmount() of the mount with unique ID mnt_id in mount namespace mnt_ns_id (0: the caller's) into
 * buf (size bytes; -EOVERFLOW if too small). listmount(): up to n IDs of the mounts below mnt_id
 * (BPFTOKEN_LSMT_ROOT: the whole namespace) after last_id; the count or -errno. Linux >= 6.8. */
int sys_statmount(uint64_t mnt_id, uint64_t mnt_ns_id, uint64_t mask, void *buf, size_t size);
int sys_listmount(uint64_t mnt_id, uint64_t mnt_ns_id, uint64_t last_id, uint64_t *ids, size_t n);
