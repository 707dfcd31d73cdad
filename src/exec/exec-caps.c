/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <grp.h>
#include <sys/prctl.h>

#include "capability-util.h"
#include "exec-caps.h"
#include "macro.h"

int caps_restrict_to(uint64_t needed, bool change_user, uid_t uid, gid_t gid) {
        int last = capability_last_cap(), r;

        /* Bounding set first, while we still hold CAP_SETPCAP. */
        for (int c = 0; c <= last; c++)
                if (!(needed & (UINT64_C(1) << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
                        return -errno;

        if (change_user) {
                if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                        return -errno;
                if (setgroups(0, NULL) < 0)
                        return -errno;
                if (setresgid(gid, gid, gid) < 0)
                        return -errno;
                if (setresuid(uid, uid, uid) < 0)
                        return -errno;
        }

        needed &= last >= 63 ? UINT64_MAX : (UINT64_C(1) << (last + 1)) - 1;
        r = capability_set(&(CapabilitySets) { .effective = needed, .permitted = needed, .inheritable = needed });
        if (r < 0)
                return r;

        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
                return -errno;
        for (int c = 0; c <= last; c++)
                if ((needed & (UINT64_C(1) << c)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
                        return -errno;

        if (change_user && prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
                return -errno;
        return 0;
}
