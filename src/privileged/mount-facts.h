/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Mount facts from the kernel by mount ID (statmount()/listmount(), Linux >= 6.8), for code that must
 * not read /proc inside a namespace someone else controls. Always about the caller's own mount
 * namespace and relative to the caller's root. No logging.
 */

#include <stddef.h>
#include <stdint.h>

#define MOUNT_FACTS_CGROUP2_MAGIC UINT64_C(0x63677270)

typedef struct MountFacts {
        uint64_t id;
        uint64_t parent_id;
        uint64_t sb_magic;
        uint64_t attr;          /* MOUNT_ATTR_* */
        uint64_t propagation;   /* MS_SHARED|MS_SLAVE|MS_PRIVATE|MS_UNBINDABLE */
        uint64_t peer_group;    /* shared:N, 0 if not shared */
        char *root;             /* root of the mount in its filesystem, as shown to the caller */
        char *point;            /* mount point, relative to the caller's root */
} MountFacts;

void mount_facts_done(MountFacts *f);

/* The facts of one mount (unique ID, as in statx(STATX_MNT_ID_UNIQUE)). */
int mount_facts_get(uint64_t mnt_id, MountFacts *ret);

/* The unique ID of the mount an fd is on. */
int mount_facts_fd_id(int fd, uint64_t *ret);

/* Every mount ID in the caller's mount namespace (at most max; -E2BIG if there are more). */
int mount_facts_list(uint64_t **ret, size_t *ret_n, size_t max);
