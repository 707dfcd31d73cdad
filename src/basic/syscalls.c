/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpf-token-uapi.h"
#include "macro.h"
#include "syscalls.h"

#ifndef __NR_open_tree
#  define __NR_open_tree 428
#endif
#ifndef __NR_move_mount
#  define __NR_move_mount 429
#endif
#ifndef __NR_fsopen
#  define __NR_fsopen 430
#endif
#ifndef __NR_fsconfig
#  define __NR_fsconfig 431
#endif
#ifndef __NR_fsmount
#  define __NR_fsmount 432
#endif
#ifndef __NR_pidfd_send_signal
#  define __NR_pidfd_send_signal 424
#endif
#ifndef __NR_pidfd_open
#  define __NR_pidfd_open 434
#endif
#ifndef __NR_mount_setattr
#  define __NR_mount_setattr 442
#endif

int sys_fsopen(const char *fsname, unsigned flags) {
        return RET_NERRNO(syscall(__NR_fsopen, fsname, flags));
}

int sys_fsconfig(int fs_fd, unsigned cmd, const char *key, const char *value, int aux) {
        return RET_NERRNO(syscall(__NR_fsconfig, fs_fd, cmd, key, value, aux));
}

int sys_fsmount(int fs_fd, unsigned flags, unsigned attr_flags) {
        return RET_NERRNO(syscall(__NR_fsmount, fs_fd, flags, attr_flags));
}

int sys_move_mount(int from_dfd, const char *from_path, int to_dfd, const char *to_path, unsigned flags) {
        return RET_NERRNO(syscall(__NR_move_mount, from_dfd, from_path, to_dfd, to_path, flags));
}

int sys_open_tree(int dfd, const char *path, unsigned flags) {
        return RET_NERRNO(syscall(__NR_open_tree, dfd, path, flags));
}

int sys_mount_setattr(int dfd, const char *path, unsigned flags, uint64_t attr_set, uint64_t attr_clr) {
        struct bpftoken_mount_attr attr = {
                .attr_set = attr_set,
                .attr_clr = attr_clr,
        };

        return RET_NERRNO(syscall(__NR_mount_setattr, dfd, path, flags, &attr, sizeof attr));
}

int sys_pidfd_open(pid_t pid, unsigned flags) {
        return RET_NERRNO(syscall(__NR_pidfd_open, pid, flags));
}

int sys_pidfd_send_signal(int pidfd, int sig) {
        return RET_NERRNO(syscall(__NR_pidfd_send_signal, pidfd, sig, NULL, 0));
}

int sys_bpf(int cmd, void *attr, unsigned size) {
        return RET_NERRNO(syscall(__NR_bpf, cmd, attr, size));
}

int bpf_token_create_fd(int bpffs_fd) {
        struct bpftoken_attr_token_create attr = {
                .flags = 0,
                .bpffs_fd = (uint32_t) bpffs_fd,
        };

        return sys_bpf(BPFTOKEN_CMD_TOKEN_CREATE, &attr, sizeof attr);
}

int bpf_token_get_info(int token_fd, struct bpftoken_token_info *ret) {
        struct {
                uint32_t bpf_fd;
                uint32_t info_len;
                uint64_t info;
        } attr = {
                .bpf_fd = (uint32_t) token_fd,
                .info_len = sizeof *ret,
                .info = (uint64_t) (uintptr_t) ret,
        };

        *ret = (struct bpftoken_token_info) {};
        return sys_bpf(BPFTOKEN_CMD_OBJ_GET_INFO_BY_FD, &attr, sizeof attr);
}

#ifndef __NR_openat2
#  define __NR_openat2 437
#endif
#ifndef __NR_close_range
#  define __NR_close_range 436
#endif

int sys_openat2(int dfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve) {
        struct {
                uint64_t flags;
                uint64_t mode;
                uint64_t resolve;
        } how = {
                .flags = flags,
                .mode = mode,
                .resolve = resolve,
        };

        return RET_NERRNO(syscall(__NR_openat2, dfd, path, &how, sizeof how));
}

int sys_close_range(unsigned first, unsigned last, unsigned flags) {
        return RET_NERRNO(syscall(__NR_close_range, first, last, flags));
}

#ifndef __NR_statmount
#  define __NR_statmount 457
#endif
#ifndef __NR_listmount
#  define __NR_listmount 458
#endif

int sys_statmount(uint64_t mnt_id, uint64_t mnt_ns_id, uint64_t mask, void *buf, size_t size) {
        struct bpftoken_mnt_id_req req = {
                .size = BPFTOKEN_MNT_ID_REQ_SIZE_VER1,
                .mnt_id = mnt_id,
                .param = mask,
                .mnt_ns_id = mnt_ns_id,
        };

        return RET_NERRNO(syscall(__NR_statmount, &req, buf, size, 0));
}

int sys_listmount(uint64_t mnt_id, uint64_t mnt_ns_id, uint64_t last_id, uint64_t *ids, size_t n) {
        struct bpftoken_mnt_id_req req = {
                .size = BPFTOKEN_MNT_ID_REQ_SIZE_VER1,
                .mnt_id = mnt_id,
                .param = last_id,
                .mnt_ns_id = mnt_ns_id,
        };

        return RET_NERRNO(syscall(__NR_listmount, &req, ids, n, 0));
}
