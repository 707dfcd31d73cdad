/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "analyze-scan.h"
#include "analyze.h"
#include "bpf-token-uapi.h"
#include "cgroup-util.h"
#include "fileio.h"
#include "macro.h"

#define PROC_FILE_MAX (4U * 1024U * 1024U)

int proc_read_comm(int proc_fd, pid_t pid, char **ret) {
        char path[64];
        char *s;
        size_t n;
        int r;

        snprintf(path, sizeof path, "%d/comm", (int) pid);
        r = read_full_file_at(proc_fd, path, 4096, &s, &n);
        if (r < 0)
                return r;
        if (n > 0 && s[n - 1] == '\n')
                s[n - 1] = '\0';
        *ret = s;
        return 0;
}

int proc_read_unit(int proc_fd, pid_t pid, char **ret) {
        _cleanup_(freep) char *text = NULL;
        char path[64];
        int r;

        snprintf(path, sizeof path, "%d/cgroup", (int) pid);
        r = read_full_file_at(proc_fd, path, 65536, &text, NULL);
        if (r < 0)
                return r;
        return cgroup_text_get_unit(text, ret);
}

int proc_read_ns(int proc_fd, pid_t pid, const char *type, uint64_t *ret_ino) {
        char path[64], target[64];
        unsigned long long ino;
        ssize_t n;
        char tail;

        snprintf(path, sizeof path, "%d/ns/%s", (int) pid, type);
        n = readlinkat(proc_fd, path, target, sizeof target - 1);
        if (n < 0)
                return -errno;
        target[n] = '\0';
        /* "mnt:[4026531841]" */
        {
                size_t l = strlen(type);

                if ((size_t) n < l + 3 || strncmp(target, type, l) != 0 || target[l] != ':' || target[l + 1] != '[')
                        return -EBADMSG;
                if (sscanf(target + l + 2, "%llu%c", &ino, &tail) != 2 || tail != ']')
                        return -EBADMSG;
        }
        *ret_ino = (uint64_t) ino;
        return 0;
}

static bool parse_pid(const char *s, pid_t *ret) {
        long v = 0;

        if (!s || *s < '1' || *s > '9')
                return false;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return false;
                v = v * 10 + (*s - '0');
                if (v > 0x3fffffff)
                        return false;
        }
        *ret = (pid_t) v;
        return true;
}

static bool filter_pid_ok(const ScanFilter *filter, int proc_fd, pid_t pid) {
        if (!filter)
                return true;
        if (filter->pids) {
                bool found = false;

                for (size_t i = 0; i < filter->n_pids; i++)
                        if (filter->pids[i] == pid) {
                                found = true;
                                break;
                        }
                if (!found)
                        return false;
        }
        if (filter->unit) {
                _cleanup_(freep) char *unit = NULL;

                if (proc_read_unit(proc_fd, pid, &unit) < 0)
                        return false;
                if (!streq(unit, filter->unit))
                        return false;
        }
        return true;
}

/* Calls fn for each process in /proc that passes filter, in the order /proc lists them (ascending
 * PIDs), counting them in *n_processes. Stops at the first negative return of fn, and returns it. */
static int proc_for_each(int proc_fd, const ScanFilter *filter, unsigned *n_processes,
                         int (*fn)(int proc_fd, pid_t pid, void *userdata), void *userdata) {
        struct dirent *de;
        DIR *d;
        int r = 0;

        d = opendir("/proc");
        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                pid_t pid;

                if (!parse_pid(de->d_name, &pid) || !filter_pid_ok(filter, proc_fd, pid))
                        continue;
                (*n_processes)++;
                r = fn(proc_fd, pid, userdata);
                if (r < 0)
                        break;
        }
        closedir(d);
        return r;
}

/* Room for one more element in an array of n that has room for *allocated (doubling, from 16).
 * Returns the array, possibly moved, or NULL (the old one is left alone). */
static void *array_grow(void *array, size_t n, size_t *allocated, size_t size) {
        size_t a;

        if (n < *allocated)
                return array;
        a = *allocated ? *allocated * 2 : 16;
        array = reallocarray(array, a, size);
        if (array)
                *allocated = a;
        return array;
}

static char *mount_point_of(int proc_fd, pid_t pid, int mnt_id) {
        _cleanup_(freep) char *text = NULL;
        char path[64], *p;
        size_t size;

        snprintf(path, sizeof path, "%d/mountinfo", (int) pid);
        if (read_full_file_at(proc_fd, path, PROC_FILE_MAX, &text, &size) < 0)
                return NULL;
        for (p = text; *p;) {
                char *eol = strchrnul(p, '\n');
                MountInfo m;

                if (mountinfo_parse_line(p, (size_t) (eol - p), &m) >= 0) {
                        if (m.mount_id == mnt_id) {
                                char *mp = TAKE_PTR(m.mount_point);
                                mountinfo_done(&m);
                                return mp;
                        }
                        mountinfo_done(&m);
                }
                p = *eol ? eol + 1 : eol;
        }
        return NULL;
}

static void token_entry_done(TokenEntry *e) {
        free(e->comm);
        free(e->unit);
        free(e->mount_point);
}

void token_scan_done(TokenScan *s) {
        if (!s)
                return;
        for (size_t i = 0; i < s->n_entries; i++)
                token_entry_done(&s->entries[i]);
        free(s->entries);
        *s = (TokenScan) {};
}

struct linux_dirent64 {
        uint64_t d_ino;
        int64_t d_off;
        unsigned short d_reclen;
        unsigned char d_type;
        char d_name[];
};

#define DENTS_BUFFER_SIZE (64U * 1024U)

static int scan_process_tokens(int proc_fd, pid_t pid, char *dents, TokenScan *s, size_t *allocated) {
        _cleanup_(closep) int fd_dir_fd = -EBADF;
        char path[320];
        size_t first = s->n_entries;

        snprintf(path, sizeof path, "%d/fd", (int) pid);
        fd_dir_fd = openat(proc_fd, path, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (fd_dir_fd < 0)
                return -errno;

        /* Raw getdents64 into one reused buffer: fewer system calls per process than
         * fdopendir()/readdir(), which matters with thousands of processes. procfs fills the
         * buffer until it runs out of entries, so a buffer far from full means the end. */
        for (;;) {
                long n = syscall(SYS_getdents64, fd_dir_fd, dents, DENTS_BUFFER_SIZE);

                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;

                for (long off = 0; off < n;) {
                        struct linux_dirent64 *de = (struct linux_dirent64 *) (dents + off);
                        _cleanup_(freep) char *info = NULL;
                        TokenEntry *e;
                        char target[PATH_MAX];
                        TokenFdinfo t;
                        size_t size;
                        ssize_t l;
                        pid_t fdnum;

                        off += de->d_reclen;
                        if (streq(de->d_name, "0"))
                                fdnum = 0;
                        else if (!parse_pid(de->d_name, &fdnum))
                                continue;

                        l = readlinkat(fd_dir_fd, de->d_name, target, sizeof target - 1);
                        if (l < 0)
                                continue;
                        target[l] = '\0';
                        if (!fdinfo_link_is_token(target))
                                continue;

                        snprintf(path, sizeof path, "%d/fdinfo/%s", (int) pid, de->d_name);
                        if (read_full_file_at(proc_fd, path, FDINFO_TEXT_MAX, &info, &size) < 0)
                                continue;
                        if (fdinfo_parse_token(info, size, &t) < 0)
                                continue;

                        e = array_grow(s->entries, s->n_entries, allocated, sizeof *e);
                        if (!e)
                                return -ENOMEM;
                        s->entries = e;
                        s->entries[s->n_entries++] = (TokenEntry) {
                                .pid = pid,
                                .fd = (int) fdnum,
                                .info = t,
                        };
                }
                if ((size_t) n < DENTS_BUFFER_SIZE / 2)
                        break;
        }

        /* Details once per process that holds tokens. */
        if (s->n_entries > first) {
                _cleanup_(freep) char *comm = NULL, *unit = NULL;
                uint64_t userns = 0;

                (void) proc_read_comm(proc_fd, pid, &comm);
                (void) proc_read_unit(proc_fd, pid, &unit);
                (void) proc_read_ns(proc_fd, pid, "user", &userns);

                for (size_t i = first; i < s->n_entries; i++) {
                        TokenEntry *e = &s->entries[i];

                        e->userns = userns;
                        if (comm && !(e->comm = strdup(comm)))
                                return -ENOMEM;
                        if (unit && !(e->unit = strdup(unit)))
                                return -ENOMEM;
                        if (e->info.has_mnt_id)
                                e->mount_point = mount_point_of(proc_fd, pid, e->info.mnt_id);
                }
        }
        return 0;
}

typedef struct TokenScanState {
        TokenScan *scan;
        char *dents;
        size_t allocated;
} TokenScanState;

static int scan_tokens_one(int proc_fd, pid_t pid, void *userdata) {
        TokenScanState *st = userdata;
        int r;

        r = scan_process_tokens(proc_fd, pid, st->dents, st->scan, &st->allocated);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                st->scan->n_unreadable++;
        return 0;
}

int scan_tokens(const ScanFilter *filter, TokenScan *ret) {
        _cleanup_(closep) int proc_fd = -EBADF;
        _cleanup_(freep) char *dents = NULL;
        TokenScan s = {};
        TokenScanState st = { .scan = &s };
        int r;

        dents = malloc(DENTS_BUFFER_SIZE);
        if (!dents)
                return -ENOMEM;
        st.dents = dents;
        proc_fd = open("/proc", O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (proc_fd < 0)
                return -errno;

        r = proc_for_each(proc_fd, filter, &s.n_processes, scan_tokens_one, &st);
        if (r < 0) {
                token_scan_done(&s);
                return r;
        }
        *ret = s;
        return 0;
}

/* A set of mount namespaces seen, by inode, open addressing. */
typedef struct NsSlot {
        uint64_t ino;           /* 0: empty */
        pid_t pid;              /* first (lowest) pid seen in it */
        unsigned n_processes;
} NsSlot;

typedef struct NsSet {
        NsSlot *slots;
        size_t n_slots;         /* power of two */
        size_t n_used;
} NsSet;

static NsSlot *ns_set_get(NsSet *set, uint64_t ino, bool *ret_new) {
        size_t mask, i;

        if (set->n_used * 2 >= set->n_slots) {
                size_t n = set->n_slots ? set->n_slots * 2 : 256;
                NsSlot *slots = calloc(n, sizeof *slots);

                if (!slots)
                        return NULL;
                for (size_t j = 0; j < set->n_slots; j++) {
                        NsSlot *o = &set->slots[j];

                        if (o->ino == 0)
                                continue;
                        for (i = (size_t) (o->ino * UINT64_C(0x9e3779b97f4a7c15) >> 17) & (n - 1);
                             slots[i].ino != 0; i = (i + 1) & (n - 1))
                                ;
                        slots[i] = *o;
                }
                free(set->slots);
                set->slots = slots;
                set->n_slots = n;
        }

        mask = set->n_slots - 1;
        for (i = (size_t) (ino * UINT64_C(0x9e3779b97f4a7c15) >> 17) & mask; set->slots[i].ino != 0;
             i = (i + 1) & mask)
                if (set->slots[i].ino == ino) {
                        *ret_new = false;
                        return &set->slots[i];
                }
        set->slots[i].ino = ino;
        set->n_used++;
        *ret_new = true;
        return &set->slots[i];
}

static void mount_entry_done(MountEntry *e) {
        free(e->comm);
        free(e->unit);
        strv_free(e->mount_points);
        free(e->mount_ids);
        free(e->super_options);
}

void mount_scan_done(MountScan *s) {
        if (!s)
                return;
        for (size_t i = 0; i < s->n_entries; i++)
                mount_entry_done(&s->entries[i]);
        free(s->entries);
        *s = (MountScan) {};
}

static int mount_entry_add_mount(MountEntry *e, const char *mount_point, int mount_id) {
        char **l;
        int *ids;

        l = reallocarray(e->mount_points, e->n_mounts + 2, sizeof *l);
        if (!l)
                return -ENOMEM;
        e->mount_points = l;
        ids = reallocarray(e->mount_ids, e->n_mounts + 1, sizeof *ids);
        if (!ids)
                return -ENOMEM;
        e->mount_ids = ids;
        l[e->n_mounts] = strdup(mount_point);
        if (!l[e->n_mounts])
                return -ENOMEM;
        l[e->n_mounts + 1] = NULL;
        ids[e->n_mounts] = mount_id;
        e->n_mounts++;
        return 0;
}

/* Fill in the namespace owner facts through nsfs ioctls on the process's mount namespace. */
static void mount_entry_namespaces(int proc_fd, MountEntry *e) {
        _cleanup_(closep) int mnt_fd = -EBADF, user_fd = -EBADF;
        char path[64];
        struct stat st;
        uid_t uid;
        uint64_t id;

        snprintf(path, sizeof path, "%d/ns/mnt", (int) e->pid);
        mnt_fd = openat(proc_fd, path, O_RDONLY|O_CLOEXEC);
        if (mnt_fd < 0)
                return;
        if (ioctl(mnt_fd, BPFTOKEN_NS_GET_MNTNS_ID, &id) >= 0)
                e->mntns_id = id;
        user_fd = ioctl(mnt_fd, BPFTOKEN_NS_GET_USERNS);
        if (user_fd < 0)
                return;
        if (fstat(user_fd, &st) >= 0)
                e->userns = (uint64_t) st.st_ino;
        if (ioctl(user_fd, BPFTOKEN_NS_GET_OWNER_UID, &uid) >= 0)
                e->userns_owner = uid;
}

static int scan_namespace_mounts(const BpfNames *names, int proc_fd, const NsSlot *ns, bool all, MountScan *s,
                                 size_t *allocated) {
        _cleanup_(freep) char *text = NULL;
        char path[64], *p;
        size_t first = s->n_entries, size;
        int r;

        snprintf(path, sizeof path, "%d/mountinfo", (int) ns->pid);
        r = read_full_file_at(proc_fd, path, PROC_FILE_MAX, &text, &size);
        if (r < 0)
                return r;

        for (p = text; *p;) {
                char *eol = strchrnul(p, '\n');
                _cleanup_(mountinfo_done) MountInfo m = {};
                MountDelegation dl;
                MountEntry *e = NULL;
                bool delegated;

                r = mountinfo_parse_line(p, (size_t) (eol - p), &m);
                p = *eol ? eol + 1 : eol;
                if (r < 0 || !mountinfo_is_bpffs(&m))
                        continue;

                r = mountinfo_parse_delegation(names, m.super_options, &dl);
                if (r < 0)
                        dl = (MountDelegation) {};
                delegated = r > 0;
                if (!delegated && !all)
                        continue;

                /* The same superblock mounted twice in one namespace (/sys/fs/bpf and its read-only
                 * bind at /sys/fs/bpf/token) is one instance. */
                for (size_t i = first; i < s->n_entries; i++)
                        if (s->entries[i].major == m.major && s->entries[i].minor == m.minor) {
                                e = &s->entries[i];
                                break;
                        }

                if (!e) {
                        e = array_grow(s->entries, s->n_entries, allocated, sizeof *e);
                        if (!e)
                                return -ENOMEM;
                        s->entries = e;
                        e = &s->entries[s->n_entries++];
                        *e = (MountEntry) {
                                .mntns = ns->ino,
                                .pid = ns->pid,
                                .n_processes = ns->n_processes,
                                .userns_owner = UID_INVALID,
                                .major = m.major,
                                .minor = m.minor,
                                .super_options = TAKE_PTR(m.super_options),
                                .delegation = dl,
                                .delegated = delegated,
                        };
                }
                r = mount_entry_add_mount(e, m.mount_point, m.mount_id);
                if (r < 0)
                        return r;
        }

        if (s->n_entries > first) {
                _cleanup_(freep) char *comm = NULL, *unit = NULL;
                MountEntry proto = { .pid = ns->pid, .userns_owner = UID_INVALID };

                (void) proc_read_comm(proc_fd, ns->pid, &comm);
                (void) proc_read_unit(proc_fd, ns->pid, &unit);
                mount_entry_namespaces(proc_fd, &proto);

                for (size_t i = first; i < s->n_entries; i++) {
                        MountEntry *e = &s->entries[i];

                        e->mntns_id = proto.mntns_id;
                        e->userns = proto.userns;
                        e->userns_owner = proto.userns_owner;
                        if (comm && !(e->comm = strdup(comm)))
                                return -ENOMEM;
                        if (unit && !(e->unit = strdup(unit)))
                                return -ENOMEM;
                }
        }
        return 0;
}

typedef struct MountScanState {
        MountScan *scan;
        NsSet set;
} MountScanState;

/* Pass 1: one readlink per process, to find the distinct mount namespaces. /proc lists PIDs in
 * ascending order, so the first PID seen in a namespace is its lowest. */
static int scan_mounts_one(int proc_fd, pid_t pid, void *userdata) {
        MountScanState *st = userdata;
        NsSlot *slot;
        uint64_t ino;
        bool is_new;

        if (proc_read_ns(proc_fd, pid, "mnt", &ino) < 0) {
                st->scan->n_unreadable++;
                return 0;
        }
        slot = ns_set_get(&st->set, ino, &is_new);
        if (!slot)
                return -ENOMEM;
        if (is_new)
                slot->pid = pid;
        slot->n_processes++;
        return 0;
}

int scan_mounts(const BpfNames *names, const ScanFilter *filter, bool all, MountScan *ret) {
        _cleanup_(closep) int proc_fd = -EBADF;
        MountScan s = {};
        MountScanState st = { .scan = &s };
        size_t allocated = 0;
        int r;

        proc_fd = open("/proc", O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (proc_fd < 0)
                return -errno;

        r = proc_for_each(proc_fd, filter, &s.n_processes, scan_mounts_one, &st);

        /* Pass 2: one mountinfo read per namespace. */
        for (size_t i = 0; r >= 0 && i < st.set.n_slots; i++) {
                int q;

                if (st.set.slots[i].ino == 0)
                        continue;
                q = scan_namespace_mounts(names, proc_fd, &st.set.slots[i], all, &s, &allocated);
                if (q == -ENOMEM)
                        r = q;
                else if (q < 0)
                        s.n_unreadable++;
                else
                        s.n_namespaces++;
        }
        free(st.set.slots);

        if (r < 0) {
                mount_scan_done(&s);
                return r;
        }
        *ret = s;
        return 0;
}

typedef struct PidList {
        pid_t *pids;
        size_t n, allocated;
} PidList;

static int add_pid(int proc_fd, pid_t pid, void *userdata) {
        PidList *l = userdata;
        pid_t *p;

        p = array_grow(l->pids, l->n, &l->allocated, sizeof *p);
        if (!p)
                return -ENOMEM;
        l->pids = p;
        l->pids[l->n++] = pid;
        return 0;
}

int scan_unit_pids(const char *unit, pid_t **ret, size_t *ret_n) {
        _cleanup_(closep) int proc_fd = -EBADF;
        ScanFilter filter = { .unit = unit };
        PidList l = {};
        unsigned n_processes = 0;
        int r;

        proc_fd = open("/proc", O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (proc_fd < 0)
                return -errno;
        r = proc_for_each(proc_fd, &filter, &n_processes, add_pid, &l);
        if (r < 0) {
                free(l.pids);
                return r;
        }
        *ret = l.pids;
        *ret_n = l.n;
        return 0;
}
