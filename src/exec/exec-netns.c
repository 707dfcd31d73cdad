/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sched.h>
#include <linux/capability.h>
#include <sys/prctl.h>

#include "capability-util.h"
#include "exec-netns.h"
#include "log.h"
#include "macro.h"

static int drop_cap_sys_admin(void) {
        const uint64_t bit = UINT64_C(1) << CAP_SYS_ADMIN;
        CapabilitySets s;
        int r;

        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, CAP_SYS_ADMIN, 0, 0) < 0 && errno != EINVAL)
                return -errno;
        r = capability_get(&s);
        if (r < 0)
                return r;
        s.effective &= ~bit;
        s.permitted &= ~bit;
        s.inheritable &= ~bit;
        return capability_set(&s);
}

int exec_join_netns(int netns_fd, bool drop) {
        int r;

        if (setns(netns_fd, CLONE_NEWNET) < 0)
                return log_error_errno(-errno, "Failed to join the network namespace of the unit's own user "
                                       "namespace: %m.%s", errno == EPERM
                                       ? " setns() needs CAP_SYS_ADMIN inside the unit's user namespace "
                                         "(bpftoken-generator adds it as an ambient capability for User= units) "
                                         "and must not be refused by RestrictNamespaces= or SystemCallFilter=."
                                       : "");
        if (drop) {
                r = drop_cap_sys_admin();
                if (r < 0)
                        return log_error_errno(r, "Failed to drop CAP_SYS_ADMIN after joining the network "
                                               "namespace: %m");
        }
        log_debug("Joined a network namespace owned by the unit's user namespace.");
        return 0;
}
