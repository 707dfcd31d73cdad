/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "bpf-token-uapi.h"
#include "macro.h"
#include "mount-facts.h"
#include "syscalls.h"

/* Bounds of the walk over every mount namespace: far above what a host has (a few hundred
 * namespaces, a few thousand mounts), low enough that the walk stays within a helper's deadline and
 * memory bound. Past them we refuse rather than guess. */
#define MOUNT_NAMESPACES_MAX 8192
#define MOUNTS_MAX 131072
#define STATMOUNT_BUFFER_MAX (64 * 1024)

int fd_get_mount_id(int fd, uint64_t *ret_id, bool *ret_is_root) {
        struct statx stx;

        if (statx(fd, "", AT_EMPTY_PATH|AT_SYMLINK_NOFOLLOW|AT_STATX_DONT_SYNC, BPFTOKEN_STATX_MNT_ID_UNIQUE, &stx) < 0)
                return -errno;
        if (!(stx.stx_mask & BPFTOKEN_STATX_MNT_ID_UNIQUE))
                return -EOPNOTSUPP;
        if (ret_is_root) {
                if (!(stx.stx_attributes_mask & BPFTOKEN_STATX_ATTR_MOUNT_ROOT))
                        return -EOPNOTSUPP;
                *ret_is_root = stx.stx_attributes & BPFTOKEN_STATX_ATTR_MOUNT_ROOT;
        }
        *ret_id = stx.stx_mnt_id;
        return 0;
}

/* Whether a comma-separated option string has an option starting with prefix. */
static bool options_have_prefix(const char *opts, const char *prefix) {
        size_t n = strlen(prefix);

        for (const char *p = opts; p && *p; ) {
                if (strncmp(p, prefix, n) == 0)
                        return true;
                p = strchr(p, ',');
                if (p)
                        p++;
        }
        return false;
}

static void facts_from_statmount(const struct bpftoken_statmount *sm, MountFacts *f) {
        *f = (MountFacts) {
                .id = sm->mnt_id,
                .parent_id = sm->mnt_parent_id,
                .attr = sm->mnt_attr,
                .propagation = sm->mnt_propagation,
                .peer_group = sm->mnt_peer_group,
                .master = sm->mnt_master,
                .sb_magic = sm->sb_magic,
                .sb_dev_major = sm->sb_dev_major,
                .sb_dev_minor = sm->sb_dev_minor,
        };
        if (sm->mask & BPFTOKEN_STATMOUNT_PROPAGATE_FROM)
                f->propagate_from = sm->propagate_from;
        if (sm->mask & BPFTOKEN_STATMOUNT_MNT_NS_ID)
                f->ns_id = sm->mnt_ns_id;
}

/* The string at offset off of a statmount buffer of size bytes, or NULL if it is out of bounds. */
static const char *statmount_string(const struct bpftoken_statmount *sm, size_t size, uint64_t flag, uint32_t off) {
        size_t room;

        if (!(sm->mask & flag) || sizeof *sm + (size_t) off >= size)
                return NULL;
        room = size - sizeof *sm - off;
        return memchr(sm->str + off, 0, room) ? sm->str + off : NULL;
}

int mount_facts_get(uint64_t id, uint64_t ns_id, MountFacts *ret) {
        const uint64_t mask = BPFTOKEN_STATMOUNT_SB_BASIC|BPFTOKEN_STATMOUNT_MNT_BASIC|BPFTOKEN_STATMOUNT_PROPAGATE_FROM|
                              BPFTOKEN_STATMOUNT_MNT_POINT|BPFTOKEN_STATMOUNT_FS_TYPE|BPFTOKEN_STATMOUNT_MNT_NS_ID|
                              BPFTOKEN_STATMOUNT_MNT_OPTS|BPFTOKEN_STATMOUNT_MNT_ROOT;
        _cleanup_(freep) void *buf = NULL;
        struct bpftoken_statmount *sm;
        const char *type, *opts, *point, *root;
        size_t size = 4096;
        int r;

        for (;;) {
                free(buf);
                buf = calloc(1, size);
                if (!buf)
                        return -ENOMEM;
                r = sys_statmount(id, ns_id, mask, buf, size);
                if (r >= 0)
                        break;
                if (r != -EOVERFLOW)
                        return r;
                if (size >= STATMOUNT_BUFFER_MAX)
                        return -E2BIG;
                size *= 4;
        }
        sm = buf;
        if (sm->size > size || sm->size < sizeof *sm)
                return -EBADMSG;
        size = sm->size;
        if ((sm->mask & (BPFTOKEN_STATMOUNT_SB_BASIC|BPFTOKEN_STATMOUNT_MNT_BASIC)) !=
            (BPFTOKEN_STATMOUNT_SB_BASIC|BPFTOKEN_STATMOUNT_MNT_BASIC))
                return -EOPNOTSUPP;

        facts_from_statmount(sm, ret);
        type = statmount_string(sm, size, BPFTOKEN_STATMOUNT_FS_TYPE, sm->fs_type);
        opts = statmount_string(sm, size, BPFTOKEN_STATMOUNT_MNT_OPTS, sm->mnt_opts);
        point = statmount_string(sm, size, BPFTOKEN_STATMOUNT_MNT_POINT, sm->mnt_point);
        ret->is_bpf = streq_ptr(type, "bpf") && (uint32_t) sm->sb_magic == (uint32_t) BPFTOKEN_BPF_FS_MAGIC;
        ret->delegated = ret->is_bpf && options_have_prefix(opts, "delegate_");
        if (point && strlen(point) < sizeof ret->point) {
                strcpy(ret->point, point);
                ret->point_known = true;
        }
        root = statmount_string(sm, size, BPFTOKEN_STATMOUNT_MNT_ROOT, sm->mnt_root);
        if (root && strlen(root) < sizeof ret->root) {
                strcpy(ret->root, root);
                ret->root_known = true;
        }
        return 0;
}

int mount_list(uint64_t id, uint64_t ns_id, size_t max, uint64_t **ret, size_t *ret_n) {
        _cleanup_(freep) uint64_t *ids = NULL;
        size_t n = 0, allocated = 0;
        uint64_t last = 0;

        for (;;) {
                uint64_t *nids;
                int k;

                if (n == allocated) {
                        if (allocated > max)
                                return -E2BIG;
                        allocated = allocated ? allocated * 2 : 256;
                        if (allocated > max + 1)
                                allocated = max + 1;
                        nids = realloc(ids, allocated * sizeof *ids);
                        if (!nids)
                                return -ENOMEM;
                        ids = nids;
                }
                k = sys_listmount(id, ns_id, last, ids + n, allocated - n);
                if (k < 0)
                        return k;
                if (k == 0)
                        break;
                n += (size_t) k;
                if (n > max)
                        return -E2BIG;
                last = ids[n - 1];
        }
        *ret = TAKE_PTR(ids);
        *ret_n = n;
        return 0;
}

static int ids_add(uint64_t *ids, size_t max, size_t *n, uint64_t id) {
        for (size_t i = 0; i < *n; i++)
                if (ids[i] == id)
                        return 0;
        if (*n >= max)
                return -E2BIG;
        ids[(*n)++] = id;
        return 0;
}

/* Where the nsfs iterator is refused (the caller is not in the initial PID namespace): the mount
 * namespaces of every process in proc_fd, a /proc the caller of this function trusts (its own, opened
 * before it joined anything). Namespaces without a process there are not seen (see mount-facts.h).
 * readlink() names a process's namespace by its nsfs inode without opening it: a namespace is opened
 * once, for its first process, and held open for the rest of the scan, so that its inode cannot be
 * reused by another namespace meanwhile (a freed nsfs inode number is reused). */
#define NAMESPACES_HELD_MAX 512
typedef struct HeldNamespace {
        int fd;
        unsigned long ino;
} HeldNamespace;

static int mount_namespaces_from_proc(int proc_fd, uint64_t *ids, size_t max, size_t *n) {
        _cleanup_(freep) HeldNamespace *held = NULL;
        size_t n_held = 0;
        struct dirent *de;
        DIR *d;
        int fd, r = 0;

        held = calloc(NAMESPACES_HELD_MAX, sizeof *held);
        if (!held)
                return -ENOMEM;
        fd = openat(proc_fd, ".", O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return -errno;
        }
        while (r >= 0 && (de = readdir(d))) {
                _cleanup_(closep) int ns = -EBADF;
                char path[sizeof de->d_name + sizeof "/ns/mnt"], link[64];
                unsigned long ino = 0;
                bool known = false;
                uint64_t id;
                ssize_t l;

                if (de->d_name[0] < '1' || de->d_name[0] > '9' || strlen(de->d_name) > 10)
                        continue;
                snprintf(path, sizeof path, "%s/ns/mnt", de->d_name);
                l = readlinkat(proc_fd, path, link, sizeof link - 1);
                if (l > 0) {
                        link[l] = '\0';
                        if (sscanf(link, "mnt:[%lu]", &ino) != 1)
                                ino = 0;
                }
                for (size_t i = 0; ino != 0 && i < n_held; i++)
                        if (held[i].ino == ino)
                                known = true;
                if (known)
                        continue; /* a namespace we hold open, so the same one */
                ns = openat(proc_fd, path, O_RDONLY|O_CLOEXEC);
                if (ns < 0)
                        continue; /* exited meanwhile, or not ours to inspect */
                if (ioctl(ns, BPFTOKEN_NS_GET_MNTNS_ID, &id) < 0)
                        continue;
                r = ids_add(ids, max, n, id);
                if (r >= 0 && ino != 0 && n_held < NAMESPACES_HELD_MAX) {
                        struct stat st;

                        /* Hold it under the inode it really has (the link may be older than the open). */
                        if (fstat(ns, &st) >= 0 && (unsigned long) st.st_ino == ino)
                                held[n_held++] = (HeldNamespace) { .fd = TAKE_FD(ns), .ino = ino };
                }
        }
        closedir(d);
        for (size_t i = 0; i < n_held; i++)
                safe_close(held[i].fd);
        return r;
}

/* The IDs of every mount namespace, through the nsfs iterator from mntns_fd in both directions. */
static int mount_namespaces_list(int mntns_fd, uint64_t own_id, int proc_fd, uint64_t *ids, size_t max,
                                 size_t *ret_n) {
        static const unsigned long requests[] = { BPFTOKEN_NS_MNT_GET_PREV, BPFTOKEN_NS_MNT_GET_NEXT };
        size_t n = 0;

        ids[n++] = own_id;
        for (size_t d = 0; d < ELEMENTSOF(requests); d++) {
                _cleanup_(closep) int cur = -EBADF;

                for (;;) {
                        struct bpftoken_mnt_ns_info info = { .size = sizeof info };
                        int next;

                        next = ioctl(cur >= 0 ? cur : mntns_fd, requests[d], &info);
                        if (next < 0) {
                                if (errno == ENOENT)
                                        break;
                                if (errno == EPERM && proc_fd >= 0) {
                                        /* Linux refuses the iterator outside the initial PID namespace
                                         * (a publisher in a container). */
                                        *ret_n = 1;
                                        return mount_namespaces_from_proc(proc_fd, ids, max, ret_n);
                                }
                                return -errno;
                        }
                        safe_close(cur);
                        cur = next;
                        if (n >= max)
                                return -E2BIG;
                        ids[n++] = info.mnt_ns_id;
                }
        }
        *ret_n = n;
        return 0;
}

typedef struct MountPropagation {
        uint64_t ns_id;
        uint64_t peer_group;
        uint64_t master;
} MountPropagation;

static bool group_in(uint64_t g, const uint64_t *set, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (set[i] == g)
                        return true;
        return false;
}

/* Every mount of every namespace, with its peer group and master. */
static int mount_propagation_table(int mntns_fd, uint64_t mntns_id, int proc_fd, MountPropagation **ret,
                                   size_t *ret_n) {
        _cleanup_(freep) uint64_t *namespaces = NULL;
        _cleanup_(freep) MountPropagation *table = NULL;
        size_t n_namespaces = 0, n = 0;
        int r;

        namespaces = calloc(MOUNT_NAMESPACES_MAX, sizeof *namespaces);
        if (!namespaces)
                return -ENOMEM;
        r = mount_namespaces_list(mntns_fd, mntns_id, proc_fd, namespaces, MOUNT_NAMESPACES_MAX, &n_namespaces);
        if (r < 0)
                return r;

        for (size_t i = 0; i < n_namespaces; i++) {
                _cleanup_(freep) uint64_t *ids = NULL;
                MountPropagation *nt;
                size_t n_ids = 0;

                r = mount_list(BPFTOKEN_LSMT_ROOT, namespaces[i], MOUNTS_MAX - n, &ids, &n_ids);
                if (r == -ENOENT)
                        continue; /* the namespace died meanwhile */
                if (r < 0)
                        return r;
                nt = realloc(table, (n + n_ids + 1) * sizeof *table);
                if (!nt)
                        return -ENOMEM;
                table = nt;
                for (size_t j = 0; j < n_ids; j++) {
                        struct bpftoken_statmount sm;

                        r = sys_statmount(ids[j], namespaces[i], BPFTOKEN_STATMOUNT_MNT_BASIC, &sm, sizeof sm);
                        if (r == -ENOENT)
                                continue; /* unmounted meanwhile */
                        if (r < 0)
                                return r;
                        table[n++] = (MountPropagation) {
                                .ns_id = namespaces[i],
                                .peer_group = sm.mnt_propagation & MS_SHARED ? sm.mnt_peer_group : 0,
                                .master = sm.mnt_propagation & MS_SLAVE ? sm.mnt_master : 0,
                        };
                }
        }
        *ret = TAKE_PTR(table);
        *ret_n = n;
        return 0;
}

int mount_propagates_elsewhere(int mntns_fd, uint64_t mntns_id, int proc_fd, const MountFacts *target,
                               uint64_t *ret_ns_id) {
        _cleanup_(freep) MountPropagation *table = NULL;
        _cleanup_(freep) uint64_t *groups = NULL;
        size_t n = 0, n_groups = 0;
        bool grew;
        int r;

        if (!(target->propagation & MS_SHARED) || target->peer_group == 0)
                return 0; /* private or a pure slave: nothing placed on it propagates */

        r = mount_propagation_table(mntns_fd, mntns_id, proc_fd, &table, &n);
        if (r < 0)
                return r;

        /* The peer groups a mount on target reaches: its own, and those of shared slaves of a reached
         * group, transitively. */
        groups = calloc(n + 1, sizeof *groups);
        if (!groups)
                return -ENOMEM;
        groups[n_groups++] = target->peer_group;
        do {
                grew = false;
                for (size_t i = 0; i < n; i++)
                        if (table[i].master != 0 && table[i].peer_group != 0 &&
                            group_in(table[i].master, groups, n_groups) &&
                            !group_in(table[i].peer_group, groups, n_groups)) {
                                groups[n_groups++] = table[i].peer_group;
                                grew = true;
                        }
        } while (grew);

        for (size_t i = 0; i < n; i++) {
                if (table[i].ns_id == mntns_id)
                        continue;
                if (group_in(table[i].peer_group, groups, n_groups) || group_in(table[i].master, groups, n_groups)) {
                        if (ret_ns_id)
                                *ret_ns_id = table[i].ns_id;
                        return 1;
                }
        }
        return 0;
}
