/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <linux/capability.h>

#include "bpf-token-uapi.h"
#include "cgroup-confine.h"
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
                return "The unit may attach cgroup programs, and it owns its mount namespace with CAP_SYS_ADMIN "
                       "there, so it could unmount the view that confines it to its own cgroup: drop "
                       "CAP_SYS_ADMIN (CapabilityBoundingSet=~CAP_SYS_ADMIN) or the cgroup program types.";
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

/* Could the unit undo a mount we make in its mount namespace? Only if that namespace belongs to the
 * unit's own user namespace (systemd >= 258 with DelegateNamespaces=mnt, or a namespace the unit
 * made) and the unit can hold CAP_SYS_ADMIN there: its bounding set, a kernel fact it cannot raise. */
static int confinement_undoable(const CgroupConfineTarget *t) {
        _cleanup_(fclosep) FILE *f = NULL;
        _cleanup_(closep) int owner = -EBADF;
        char path[64], line[256];
        uint64_t bounding = UINT64_MAX;
        int r;

        owner = ioctl(t->mntns_fd, BPFTOKEN_NS_GET_USERNS);
        if (owner < 0)
                return -errno;
        r = ns_fds_equal(owner, t->userns_fd);
        if (r <= 0)
                return r;

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
                if ((uint64_t) sfs.f_type == MOUNT_FACTS_CGROUP2_MAGIC)
                        return TAKE_FD(fd);
        }
        return -ENOMEDIUM;
}

/* Open path (absolute) in the caller's mount namespace one component at a time, never following a
 * symlink: the namespace belongs to the unit, and it may have planted one. */
static int open_nofollow(const char *path) {
        _cleanup_(closep) int dir = -EBADF;
        char buf[64];
        char *save = NULL;

        if (strlen(path) >= sizeof buf)
                return -ENAMETOOLONG;
        strcpy(buf, path);
        dir = open("/", O_PATH|O_DIRECTORY|O_CLOEXEC);
        if (dir < 0)
                return -errno;
        for (char *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                int fd = openat(dir, c, O_PATH|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);

                if (fd < 0)
                        return errno == ENOTDIR ? -ELOOP : -errno;
                safe_close(dir);
                dir = fd;
        }
        return TAKE_FD(dir);
}

static bool descends_from(const MountFacts *all, size_t n, size_t i, uint64_t ancestor) {
        /* Bounded walk up the parent chain (a mount tree has no cycles, but we do not rely on it). */
        for (size_t steps = 0; steps <= n; steps++) {
                size_t j;

                if (all[i].parent_id == ancestor)
                        return true;
                for (j = 0; j < n && all[j].id != all[i].parent_id; j++)
                        ;
                if (j == n || j == i)
                        return false;
                i = j;
        }
        return false;
}

/* After setns(): is any cgroup2 mount that shows more than the unit's subtree still reachable once
 * /sys/fs/cgroup is covered? top is the mount that will be on top of /sys/fs/cgroup if it is kept (0
 * when a new mount goes on top, which hides everything there). */
static int scan_exposed(const char *unit_path, uint64_t top) {
        _cleanup_(freep) uint64_t *ids = NULL;
        _cleanup_(freep) MountFacts *all = NULL;
        size_t n = 0, n_all = 0;
        int r;

        r = mount_facts_list(&ids, &n, CONFINE_MOUNTS_MAX);
        if (r < 0)
                return r;
        all = calloc(n ?: 1, sizeof *all);
        if (!all)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                r = mount_facts_get(ids[i], &all[n_all]);
                if (r == -ENOENT)
                        continue; /* gone meanwhile */
                if (r < 0)
                        goto finish;
                n_all++;
        }

        r = 0;
        for (size_t i = 0; i < n_all && r == 0; i++) {
                const MountFacts *m = &all[i];

                if (m->sb_magic != MOUNT_FACTS_CGROUP2_MAGIC || cgroup_path_within(m->root, unit_path) ||
                    m->id == top)
                        continue;
                if (path_at_or_below(m->point, CGROUP_CONFINE_PATH) && (top == 0 || !descends_from(all, n_all, i, top)))
                        continue; /* under the mount on top of /sys/fs/cgroup: hidden */
                r = 1;
        }
finish:
        for (size_t i = 0; i < n_all; i++)
                mount_facts_done(&all[i]);
        return r;
}

static bool in_host_groups(const CgroupConfineTarget *t, uint64_t group) {
        for (size_t i = 0; i < t->n_host_peer_groups; i++)
                if (t->host_peer_groups[i] == group)
                        return true;
        return false;
}

/* The helper, in the unit's mount namespace (and still in the publisher's user and cgroup
 * namespaces, so cgroup2 mount roots read as the publisher sees them). */
static int helper_confine(const CgroupConfineTarget *t, int tree_fd) {
        _cleanup_(mount_facts_done) MountFacts top = {};
        _cleanup_(closep) int target = -EBADF;
        uint64_t top_id, attr;
        bool confined;
        int r;

        if (setns(t->mntns_fd, CLONE_NEWNS) < 0)
                return STATUS(CGROUP_CONFINE_STEP_MNTNS, errno);

        target = open_nofollow(CGROUP_CONFINE_PATH);
        if (target < 0)
                return STATUS(CGROUP_CONFINE_STEP_TARGET, -target);
        r = mount_facts_fd_id(target, &top_id);
        if (r >= 0)
                r = mount_facts_get(top_id, &top);
        if (r < 0)
                return STATUS(CGROUP_CONFINE_STEP_TARGET, -r);

        /* systemd's ProtectControlGroups=private (257+): a cgroup2 rooted at the unit's cgroup. */
        confined = top.sb_magic == MOUNT_FACTS_CGROUP2_MAGIC && cgroup_path_within(top.root, t->unit_path) &&
                   streq(top.point, CGROUP_CONFINE_PATH);

        r = scan_exposed(t->unit_path, confined ? top_id : 0);
        if (r < 0)
                return STATUS(CGROUP_CONFINE_STEP_EXPOSED, -r);
        if (r > 0)
                return STATUS(CGROUP_CONFINE_STEP_EXPOSED, EPERM);
        if (confined)
                return RESULT_ALREADY_CONFINED;

        if ((top.propagation & MS_SHARED) && in_host_groups(t, top.peer_group))
                return STATUS(CGROUP_CONFINE_STEP_SHARED, EXDEV);

        /* As restrictive as what it covers (read-only under ProtectControlGroups=yes or
         * ProtectSystem=strict), and never a way to exec or open devices. */
        attr = BPFTOKEN_MOUNT_ATTR_NOSUID|BPFTOKEN_MOUNT_ATTR_NODEV|BPFTOKEN_MOUNT_ATTR_NOEXEC |
               (top.attr & BPFTOKEN_MOUNT_ATTR_RDONLY);
        r = sys_mount_setattr(tree_fd, "", AT_EMPTY_PATH, attr, 0);
        if (r >= 0)
                r = sys_move_mount(tree_fd, "", target, "",
                                   BPFTOKEN_MOVE_MOUNT_F_EMPTY_PATH|BPFTOKEN_MOVE_MOUNT_T_EMPTY_PATH);
        if (r < 0)
                return STATUS(CGROUP_CONFINE_STEP_ATTACH, -r);
        return 0;
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
        _cleanup_(closep) int tree = -EBADF, parent_sock = -EBADF, child_sock = -EBADF, unused = -EBADF;
        int pair[2], status = 0, r, q;
        pid_t pid;

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
        if (socketpair(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC, 0, pair) < 0)
                return -errno;
        parent_sock = pair[0];
        child_sock = pair[1];
        {
                int keep[] = { child_sock, t->mntns_fd, tree };

                r = fork_helper(keep, ELEMENTSOF(keep), &pid);
        }
        if (r < 0)
                return r;
        if (r == 0) {
                int s = helper_confine(t, tree);

                (void) send_status_fd(child_sock, s, -EBADF);
                _exit(EXIT_SUCCESS);
        }
        child_sock = safe_close(child_sock);

        r = recv_status_fd(parent_sock, &status, &unused);
        q = wait_for_helper(pid);
        if (r < 0)
                return r == -ECONNRESET ? -EPROTO : r;
        if (q < 0)
                return q;
        if (status == 0 || status == RESULT_ALREADY_CONFINED) {
                *ret_step = CGROUP_CONFINE_STEP_NONE;
                return status;
        }
        *ret_step = STATUS_STEP(status);
        return -STATUS_ERRNO(status);
}
