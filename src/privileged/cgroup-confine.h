/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Confining a unit's cgroup programs to its own cgroup subtree.
 *
 * The kernel lets a process with a token attach cgroup programs to any cgroup2 directory it can
 * open: it checks only CAP_NET_ADMIN (through the token) and a directory fd. The only boundary is
 * which cgroup2 directories the unit can reach by path. So in the unit's mount namespace the
 * publisher puts, on top of /sys/fs/cgroup, a bind mount of the unit's own cgroup (what systemd 257's
 * ProtectControlGroups=private gives with a cgroup namespace), after checking that no other cgroup2
 * mount there exposes a cgroup outside the unit's subtree. No logging.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CGROUP_CONFINE_PATH "/sys/fs/cgroup"

typedef enum CgroupConfineStep {
        CGROUP_CONFINE_STEP_NONE,
        CGROUP_CONFINE_STEP_UNDOABLE,   /* the unit owns its mount namespace and holds CAP_SYS_ADMIN */
        CGROUP_CONFINE_STEP_HIERARCHY,  /* the publisher's own cgroup2 mount */
        CGROUP_CONFINE_STEP_UNIT_CGROUP,/* the unit's cgroup directory in it */
        CGROUP_CONFINE_STEP_CLONE,      /* open_tree(OPEN_TREE_CLONE) of that directory */
        CGROUP_CONFINE_STEP_MNTNS,      /* joining the unit's mount namespace */
        CGROUP_CONFINE_STEP_TARGET,     /* /sys/fs/cgroup there */
        CGROUP_CONFINE_STEP_SHARED,     /* the target propagates to the host */
        CGROUP_CONFINE_STEP_EXPOSED,    /* another cgroup2 mount shows cgroups outside the unit */
        CGROUP_CONFINE_STEP_ATTACH,     /* mount_setattr/move_mount */
        CGROUP_CONFINE_STEP_HELPER,
        _CGROUP_CONFINE_STEP_MAX,
} CgroupConfineStep;

const char *cgroup_confine_step_to_string(CgroupConfineStep s);
/* A sentence for the caller (what to change), for a failure at step with -errno error. */
const char *cgroup_confine_error_sentence(CgroupConfineStep s, int error);

/* Whether a cgroup2 mount whose root is root_path (as the publisher sees it, "/system.slice/x") shows
 * only unit_path ("/system.slice/foo.service") and below. */
bool cgroup_path_within(const char *root_path, const char *unit_path);

typedef struct CgroupConfineTarget {
        int mntns_fd;           /* the unit's mount namespace */
        int userns_fd;          /* the unit's user namespace */
        int pidfd;              /* the unit's process */
        pid_t pid;
        const char *unit_path;  /* its unit's cgroup, "/system.slice/foo.service" (publisher's view) */
} CgroupConfineTarget;

/* Confine the unit's view: 0 if the bind mount was put on top of /sys/fs/cgroup, 1 if /sys/fs/cgroup
 * already showed only the unit's subtree (systemd's ProtectControlGroups=private), -errno with the
 * step on failure:
 *   -EPERM at UNDOABLE: the unit's mount namespace is owned by its user namespace and the process
 *                       holds CAP_SYS_ADMIN in its bounding set: it could unmount the confinement;
 *   -EPERM at EXPOSED:  another cgroup2 mount in the namespace shows cgroups outside the unit;
 *   -EXDEV at SHARED:   a mount on /sys/fs/cgroup there would appear in another mount namespace
 *                       (mount_propagates_elsewhere()). */
int cgroup_confine_unit(const CgroupConfineTarget *t, CgroupConfineStep *ret_step);
