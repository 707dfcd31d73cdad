/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/stat.h>

#include "macro.h"
#include "mount-facts.h"

/* The UAPI bits Debian 12's headers lack (include/uapi/linux/mount.h, Linux 6.8). */
#ifndef __NR_statmount
#define __NR_statmount 457
#endif
#ifndef __NR_listmount
#define __NR_listmount 458
#endif
#define MNT_ID_REQ_SIZE_VER0   24
#define STATMOUNT_SB_BASIC     0x01u
#define STATMOUNT_MNT_BASIC    0x02u
#define STATMOUNT_MNT_ROOT     0x08u
#define STATMOUNT_MNT_POINT    0x10u
#define LSMT_ROOT              UINT64_C(0xffffffffffffffff)
#define MOUNT_FACTS_STATX_MNT_ID_UNIQUE 0x4000u

struct mnt_id_req_v0 {
        uint32_t size;
        uint32_t spare;
        uint64_t mnt_id;
        uint64_t param;
};

struct statmount_v0 {
        uint32_t size;
        uint32_t mnt_opts;
        uint64_t mask;
        uint32_t sb_dev_major;
        uint32_t sb_dev_minor;
        uint64_t sb_magic;
        uint32_t sb_flags;
        uint32_t fs_type;
        uint64_t mnt_id;
        uint64_t mnt_parent_id;
        uint32_t mnt_id_old;
        uint32_t mnt_parent_id_old;
        uint64_t mnt_attr;
        uint64_t mnt_propagation;
        uint64_t mnt_peer_group;
        uint64_t mnt_master;
        uint64_t propagate_from;
        uint32_t mnt_root;
        uint32_t mnt_point;
        uint64_t spare2[50];
        char str[];
};

#define STATMOUNT_BUF_MAX (64 * 1024)

void mount_facts_done(MountFacts *f) {
        free(f->root);
        free(f->point);
        f->root = f->point = NULL;
}

static char *string_at(const struct statmount_v0 *sm, size_t size, uint32_t off) {
        size_t base = offsetof(struct statmount_v0, str);

        if (base + off >= size || !memchr(sm->str + off, '\0', size - base - off))
                return NULL;
        return strdup(sm->str + off);
}

int mount_facts_get(uint64_t mnt_id, MountFacts *ret) {
        struct mnt_id_req_v0 req = {
                .size = MNT_ID_REQ_SIZE_VER0,
                .mnt_id = mnt_id,
                .param = STATMOUNT_SB_BASIC|STATMOUNT_MNT_BASIC|STATMOUNT_MNT_ROOT|STATMOUNT_MNT_POINT,
        };
        _cleanup_(freep) struct statmount_v0 *sm = NULL;
        size_t size = 4096;
        MountFacts f = {};

        for (;;) {
                free(sm);
                sm = calloc(1, size);
                if (!sm)
                        return -ENOMEM;
                if (syscall(__NR_statmount, &req, sm, size, 0) >= 0)
                        break;
                if (errno != EOVERFLOW || size >= STATMOUNT_BUF_MAX)
                        return -errno;
                size *= 2;
        }
        if (sm->size > size || (sm->mask & req.param) != req.param)
                return -EBADMSG;

        f = (MountFacts) {
                .id = sm->mnt_id,
                .parent_id = sm->mnt_parent_id,
                .sb_magic = sm->sb_magic,
                .attr = sm->mnt_attr,
                .propagation = sm->mnt_propagation,
                .peer_group = sm->mnt_peer_group,
                .root = string_at(sm, sm->size, sm->mnt_root),
                .point = string_at(sm, sm->size, sm->mnt_point),
        };
        if (!f.root || !f.point) {
                mount_facts_done(&f);
                return -ENOMEM;
        }
        *ret = f;
        return 0;
}

int mount_facts_fd_id(int fd, uint64_t *ret) {
        struct statx stx;

        if (statx(fd, "", AT_EMPTY_PATH, MOUNT_FACTS_STATX_MNT_ID_UNIQUE, &stx) < 0)
                return -errno;
        if (!(stx.stx_mask & MOUNT_FACTS_STATX_MNT_ID_UNIQUE))
                return -EOPNOTSUPP;
        *ret = stx.stx_mnt_id;
        return 0;
}

int mount_facts_list(uint64_t **ret, size_t *ret_n, size_t max) {
        struct mnt_id_req_v0 req = {
                .size = MNT_ID_REQ_SIZE_VER0,
                .mnt_id = LSMT_ROOT,
        };
        _cleanup_(freep) uint64_t *ids = NULL;
        long n;

        ids = calloc(max + 1, sizeof *ids);
        if (!ids)
                return -ENOMEM;
        n = syscall(__NR_listmount, &req, ids, max + 1, 0);
        if (n < 0)
                return -errno;
        if ((size_t) n > max)
                return -E2BIG;
        *ret = TAKE_PTR(ids);
        *ret_n = (size_t) n;
        return 0;
}
