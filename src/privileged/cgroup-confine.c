/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <linux/capability.h>

#include "bpf-token-uapi.h"
#include "cgroup-confine.h"
#include "helper.h"
#include "macro.h"
#include "mount-facts.h"
#include "namespace-util.h"
#include "process-util.h"
#include "socket-util.h"
#include "syscalls.h"

/* The helper reports (step << 16 | errno), or a plain 0/1 result. */
#define STATUS(step, error) ((int) ((unsigned) (step) << 16 | (unsigned) (error)))
#define STATUS_STEP(s) ((CgroupConfineStep) ((unsigned) (s) >> 16))
#define STATUS_ERRNO(s) ((int) ((unsigned) (s) & 0xffffu))
#define RESULT_ALREADY_CONFINED 1
#define CGROUP2_SUPER_MAGIC_VALUE UINT64_C(0x63677270)

#define BPFTOKEN_OPEN_TREE_CLOEXEC O_CLOEXEC
#define BPFTOKEN_MOUNT_ATTR_NOSUID 0x02u
#define BPFTOKEN_MOUNT_ATTR_NODEV  0x04u
#define BPFTOKEN_MOUNT_ATTR_NOEXEC 0x08u
#define BPFTOKEN_RESOLVE_NO_XDEV   0x01u
#define BPFTOKEN_RESOLVE_BENEATH   0x08u
/* A unit's mount namespace has a few hundred mounts at most; more is someone filling it to slow us. */
#define CONFINE_MOUNTS_MAX 4096

static const char *const step_table[_CGROUP_CONFINE_STEP_MAX] = {
        [CGROUP_CONFINE_STEP_NONE] = "none",
        [CGROUP_CONFINE_STEP_UNDOABLE] = "cgroup-undoable",
        [CGROUP_CONFINE_STEP_HIERARCHY] = "cgroup-hierarchy",
        [CGROUP_CONFINE_STEP_UNIT_CGROUP] = "cgroup-unit",
        [CGROUP_CONFINE_STEP_CLONE] = "cgroup-clone",
        [CGROUP_CONFINE_STEP_MNTNS] = "cgroup-mntns",
        [CGROUP_CONFINE_STEP_TARGET] = "cgroup-target",
        [CGROUP_CONFINE_STEP_SHARED] = "cgroup-shared",
        [CGROUP_CONFINE_STEP_EXPOSED] = "cgroup-exposed",
        [CGROUP_CONFINE_STEP_ATTACH] = "cgroup-attach",
        [CGROUP_CONFINE_STEP_HELPER] = "cgroup-helper",
};

const char *cgroup_confine_step_to_string(CgroupConfineStep s) {
        if (s < 0 || s >= _CGROUP_CONFINE_STEP_MAX)
                return NULL;
        return step_table[s];
}

const char *cgroup_confine_error_sentence(CgroupConfineStep s, int error) {
        switch (s) {
        case CGROUP_CONFINE_STEP_UNDOABLE:
                return "The caller may attach cgroup programs and can rearrange its own mount namespace (a uid "
                       "or group policy, or a unit with CAP_SYS_ADMIN in a mount namespace it owns), so it could "
                       "undo the view that confines it to its own cgroup: drop the cgroup program types from the "
                       "delegation, or CAP_SYS_ADMIN from the unit (CapabilityBoundingSet=~CAP_SYS_ADMIN).";
        case CGROUP_CONFINE_STEP_HIERARCHY:
        case CGROUP_CONFINE_STEP_UNIT_CGROUP:
                return "The unit's cgroup cannot be found in the publisher's cgroup2 hierarchy (a cgroup v1 or "
                       "hybrid host without a unified hierarchy cannot confine cgroup programs).";
        case CGROUP_CONFINE_STEP_EXPOSED:
                return "The unit may attach cgroup programs, but its mount namespace has a cgroup2 mount outside "
                       "/sys/fs/cgroup that shows other cgroups (BindPaths= of a cgroup directory?): refused, "
                       "since the unit could attach to them.";
        case CGROUP_CONFINE_STEP_SHARED:
                return "The unit's /sys/fs/cgroup propagates to the host: the view that confines its cgroup "
                       "programs would appear there too.";
        default:
                return error == -ENOSYS ? "This kernel lacks statmount()/listmount() (Linux >= 6.8), which the "
                                          "publisher needs to confine cgroup programs."
                                        : "The unit's view of the cgroup hierarchy could not be confined to its "
                                          "own cgroup.";
        }
}

bool cgroup_path_within(const char *root_path, const char *unit_path) {
        size_t n = strlen(unit_path);

        if (!root_path || n < 2 || unit_path[0] != '/' || strstr(root_path, "/.."))
                return false;
        while (n > 1 && unit_path[n - 1] == '/')
                n--;
        return strncmp(root_path, unit_path, n) == 0 && (root_path[n] == '\0' || root_path[n] == '/');
}

static bool path_at_or_below(const char *path, const char *dir) {
        size_t n = strlen(dir);

        return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Could the unit change the mounts of its mount namespace, and so undo the confinement (or fake the
 * mount table the helper reads)? Not if the namespace belongs to the initial user namespace (systemd
 * < 258 creates it before the unit's user namespace). If it belongs to the unit's own user namespace
 * (systemd >= 258 with DelegateNamespaces=mnt), only if the unit can hold CAP_SYS_ADMIN there: its
 * bounding set, a kernel fact it cannot raise. Any other owner is a namespace the unit made itself. */
static int confinement_undoable(const CgroupConfineTarget *t) {
        _cleanup_(fclosep) FILE *f = NULL;
        _cleanup_(closep) int owner = -EBADF, own = -EBADF;
        char path[64], line[256];
        uint64_t bounding = UINT64_MAX;
        int r;

        owner = ioctl(t->mntns_fd, BPFTOKEN_NS_GET_USERNS);
        if (owner < 0)
                return -errno;
        own = open("/proc/self/ns/user", O_RDONLY|O_CLOEXEC);
        if (own < 0)
                return -errno;
        r = ns_fds_equal(owner, own);
        if (r != 0)
                return r < 0 ? r : 0;
        r = ns_fds_equal(owner, t->userns_fd);
        if (r <= 0)
                return r < 0 ? r : 1;

        snprintf(path, sizeof path, "/proc/%d/status", (int) t->pid);
        f = fopen(path, "re");
        if (!f)
                return -errno;
        while (fgets(line, sizeof line, f))
                if (sscanf(line, "CapBnd: %" SCNx64, &bounding) == 1)
                        break;
        r = sys_pidfd_send_signal(t->pidfd, 0);
        if (r < 0)
                return r;
        return !!(bounding & (UINT64_C(1) << CAP_SYS_ADMIN));
}

/* The publisher's own cgroup2 hierarchy: /sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid hosts. */
static int open_own_hierarchy(void) {
        static const char *const candidates[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };

        for (size_t i = 0; i < ELEMENTSOF(candidates); i++) {
                _cleanup_(closep) int fd = -EBADF;
                struct statfs sfs;

                fd = open(candidates[i], O_PATH|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
                if (fd < 0)
                        continue;
                if (fstatfs(fd, &sfs) < 0)
                        return -errno;
                if ((uint64_t) sfs.f_type == CGROUP2_SUPER_MAGIC_VALUE)
                        return TAKE_FD(fd);
        }
        return -ENOMEDIUM;
}

/* Open path below dir_fd (AT_FDCWD: from "/") one component at a time as an O_PATH directory, never
 * following a symlink and refusing "." and "..": used in the unit's mount namespace, where the unit may
 * have planted a symlink, and as openat2()'s fallback. */
static int openat_beneath_nofollow(int dir_fd, const char *path) {
        _cleanup_(closep) int dir = -EBADF;
        char buf[4096];
        char *save = NULL;

        if (strlen(path) >= sizeof buf)
                return -ENAMETOOLONG;
        strcpy(buf, path);
        dir = dir_fd == AT_FDCWD ? open("/", O_PATH|O_DIRECTORY|O_CLOEXEC)
                                 : fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
        if (dir < 0)
                return -errno;
        for (char *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                int fd;

                if (streq(c, ".") || streq(c, ".."))
                        return -EINVAL;
                fd = openat(dir, c, O_PATH|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
                if (fd < 0)
                        return errno == ENOTDIR ? -ELOOP : -errno;
                safe_close(dir);
                dir = fd;
        }
        return TAKE_FD(dir);
}

/* Every mount of the namespace the helper is in, by the kernel (listmount/statmount), at most
 * CONFINE_MOUNTS_MAX. */
static int list_mounts(MountFacts **ret, size_t *ret_n) {
        _cleanup_(freep) uint64_t *ids = NULL;
        _cleanup_(freep) MountFacts *facts = NULL;
        size_t n = 0, m = 0;
        int r;

        r = mount_list(BPFTOKEN_LSMT_ROOT, 0, CONFINE_MOUNTS_MAX, &ids, &n);
        if (r < 0)
                return r;
        facts = calloc(n + 1, sizeof *facts);
        if (!facts)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                r = mount_facts_get(ids[i], 0, &facts[m]);
                if (r == -ENOENT)
                        continue; /* unmounted meanwhile */
                if (r < 0)
                        return r;
                m++;
        }
        *ret = TAKE_PTR(facts);
        *ret_n = m;
        return 0;
}

static const MountFacts *find_mount(const MountFacts *l, size_t n, uint64_t id) {
        for (size_t i = 0; i < n; i++)
                if (l[i].id == id)
                        return &l[i];
        return NULL;
}

static bool is_cgroup2(const MountFacts *f) {
        return f->sb_magic == CGROUP2_SUPER_MAGIC_VALUE;
}

static bool descends_from(const MountFacts *l, size_t n, const MountFacts *f, uint64_t ancestor) {
        /* Bounded walk up the parent chain (a mount tree has no cycles, but we do not rely on it). */
        for (size_t steps = 0; f && steps <= n; steps++) {
                if (f->parent_id == ancestor)
                        return true;
                if (f->parent_id == f->id)
                        return false;
                f = find_mount(l, n, f->parent_id);
        }
        return false;
}

/* Is any cgroup2 mount that shows more than the unit's subtree still reachable once /sys/fs/cgroup is
 * covered? top: the mount that stays on top of /sys/fs/cgroup (0 when a new mount goes on top, which
 * hides everything there). A mount whose root or mount point the kernel could not give counts as
 * exposed (fail closed). */
static bool any_exposed(const MountFacts *l, size_t n, const char *unit_path, uint64_t top) {
        for (size_t i = 0; i < n; i++) {
                const MountFacts *m = &l[i];

                if (!is_cgroup2(m) || m->id == top)
                        continue;
                if (!m->point_known || !m->root_known)
                        return true;
                if (cgroup_path_within(m->root, unit_path))
                        continue;
                if (path_at_or_below(m->point, CGROUP_CONFINE_PATH) && (top == 0 || !descends_from(l, n, m, top)))
                        continue; /* under the mount on top of /sys/fs/cgroup: hidden */
                return true;
        }
        return false;
}

/* The helper, in the unit's mount namespace (and still in the publisher's user and cgroup
 * namespaces, so cgroup2 mount roots read as the publisher sees them). The unit cannot change this
 * namespace's mounts (cgroup_confine_unit() checked who owns it), and every mount fact comes from the
 * kernel by mount ID, never from a file in the unit's namespace. keep: sock, mntns, tree, proc. */
static _noreturn_ void body_confine(int sock, const int *keep, const void *userdata) {
        const CgroupConfineTarget *t = userdata;
        _cleanup_(freep) MountFacts *mounts = NULL;
        _cleanup_(closep) int target = -EBADF;
        int mntns_fd = keep[1], tree_fd = keep[2], proc_fd = keep[3];
        const MountFacts *top;
        uint64_t top_id, mntns_id;
        size_t n = 0;
        bool confined;
        int r;

        if (mntns_get_id(mntns_fd, &mntns_id) < 0)
                helper_exit(sock, STATUS(CGROUP_CONFINE_STEP_MNTNS, EBADF), -EBADF);
        if (setns(mntns_fd, CLONE_NEWNS) < 0)
                helper_exit(sock, STATUS(CGROUP_CONFINE_STEP_MNTNS, errno), -EBADF);

        target = openat_beneath_nofollow(AT_FDCWD, CGROUP_CONFINE_PATH);
        if (target < 0)
                helper_exit(sock, STATUS(CGROUP_CONFINE_STEP_TARGET, -target), -EBADF);
        r = fd_get_mount_id(target, &top_id, NULL);
        if (r >= 0)
                r = list_mounts(&mounts, &n);
        if (r < 0)
                helper_exit(sock, STATUS(CGROUP_CONFINE_STEP_TARGET, -r), -EBADF);
        top = find_mount(mounts, n, top_id);
        if (!top)
                helper_exit(sock, STATUS(CGROUP_CONFINE_STEP_TARGET, ENOENT), -EBADF);

        /* systemd's ProtectControlGroups=private (257+): a cgroup2 rooted at the unit's cgroup. */
        confined = is_cgroup2(top) && top->root_known && cgroup_path_within(top->root, t->unit_path) &&
                   top->point_known && streq(top->point, CGROUP_CONFINE_PATH);

        if (any_exposed(mounts, n, t->unit_path, confined ? top->id : 0))
                helper_exit(sock, STATUS(CGROUP_CONFINE_STEP_EXPOSED, EPERM), -EBADF);
        if (confined)
                helper_exit(sock, RESULT_ALREADY_CONFINED, -EBADF);

        r = mount_propagates_elsewhere(mntns_fd, mntns_id, proc_fd, top, NULL);
        if (r != 0)
                helper_exit(sock, STATUS(CGROUP_CONFINE_STEP_SHARED, r < 0 ? -r : EXDEV), -EBADF);

        /* As restrictive as what it covers (read-only under ProtectControlGroups=yes or
         * ProtectSystem=strict), and never a way to exec or open devices. */
        r = sys_mount_setattr(tree_fd, "", AT_EMPTY_PATH,
                              BPFTOKEN_MOUNT_ATTR_NOSUID|BPFTOKEN_MOUNT_ATTR_NODEV|BPFTOKEN_MOUNT_ATTR_NOEXEC |
                              ((top->attr & BPFTOKEN_MOUNT_ATTR_RDONLY) ? BPFTOKEN_MOUNT_ATTR_RDONLY : 0),
                              (top->attr & BPFTOKEN_MOUNT_ATTR_RDONLY) ? 0 : BPFTOKEN_MOUNT_ATTR_RDONLY);
        if (r >= 0)
                r = sys_move_mount(tree_fd, "", target, "",
                                   BPFTOKEN_MOVE_MOUNT_F_EMPTY_PATH|BPFTOKEN_MOVE_MOUNT_T_EMPTY_PATH);
        if (r < 0)
                helper_exit(sock, STATUS(CGROUP_CONFINE_STEP_ATTACH, -r), -EBADF);
        helper_exit(sock, 0, -EBADF);
}

static int clone_unit_cgroup(const char *unit_path, CgroupConfineStep *ret_step) {
        _cleanup_(closep) int hierarchy = -EBADF, dir = -EBADF;
        int tree;

        *ret_step = CGROUP_CONFINE_STEP_HIERARCHY;
        hierarchy = open_own_hierarchy();
        if (hierarchy < 0)
                return hierarchy;

        *ret_step = CGROUP_CONFINE_STEP_UNIT_CGROUP;
        if (unit_path[0] != '/' || !unit_path[1])
                return -EINVAL;
        dir = sys_openat2(hierarchy, unit_path + 1, (uint64_t) (O_PATH|O_DIRECTORY|O_CLOEXEC), 0,
                          BPFTOKEN_RESOLVE_BENEATH|BPFTOKEN_RESOLVE_NO_XDEV|BPFTOKEN_RESOLVE_NO_SYMLINKS |
                          BPFTOKEN_RESOLVE_NO_MAGICLINKS);
        if (dir == -ENOSYS || dir == -EPERM)
                /* A seccomp filter without openat2(): the publisher's own hierarchy, walked without
                 * following symlinks (cgroupfs has none) and never "..". */
                dir = openat_beneath_nofollow(hierarchy, unit_path);
        if (dir < 0)
                return dir;

        *ret_step = CGROUP_CONFINE_STEP_CLONE;
        tree = sys_open_tree(dir, "", BPFTOKEN_OPEN_TREE_CLONE|BPFTOKEN_OPEN_TREE_CLOEXEC|AT_EMPTY_PATH);
        if (tree < 0)
                return tree;
        *ret_step = CGROUP_CONFINE_STEP_NONE;
        return tree;
}

int cgroup_confine_unit(const CgroupConfineTarget *t, CgroupConfineStep *ret_step) {
        _cleanup_(closep) int tree = -EBADF, unused = -EBADF, proc_fd = -EBADF;
        int status = 0, r;

        *ret_step = CGROUP_CONFINE_STEP_UNDOABLE;
        r = confinement_undoable(t);
        if (r < 0)
                return r;
        if (r > 0)
                return -EPERM;

        tree = clone_unit_cgroup(t->unit_path, ret_step);
        if (tree < 0)
                return tree;

        *ret_step = CGROUP_CONFINE_STEP_HELPER;
        /* The publisher's own /proc, for the propagation walk inside a PID namespace (mount-facts.h). */
        proc_fd = open("/proc", O_PATH|O_DIRECTORY|O_CLOEXEC);
        if (proc_fd < 0)
                return -errno;
        {
                int keep[] = { -EBADF, t->mntns_fd, tree, proc_fd };

                r = helper_run(keep, ELEMENTSOF(keep), body_confine, t, &status, &unused);
        }
        if (r < 0)
                return r;
        if (status == 0 || status == RESULT_ALREADY_CONFINED) {
                *ret_step = CGROUP_CONFINE_STEP_NONE;
                return status;
        }
        *ret_step = STATUS_STEP(status);
        return -STATUS_ERRNO(status);
}
