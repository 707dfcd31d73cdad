/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <grp.h>
#include <stdio.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "exec-caps.h"
#include "macro.h"

static int cap_last_cap(void) {
        _cleanup_(fclosep) FILE *f = NULL;
        int last = CAP_LAST_CAP;

        f = fopen("/proc/sys/kernel/cap_last_cap", "re");
        if (f && fscanf(f, "%d", &last) != 1)
                last = CAP_LAST_CAP;
        return last > 63 ? 63 : last;
}

int caps_restrict_to(uint64_t needed, bool change_user, uid_t uid, gid_t gid) {
        int last = cap_last_cap();
        cap_t caps;
        int r = 0;

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

        caps = cap_init();
        if (!caps)
                return -ENOMEM;
        for (int c = 0; c <= last; c++) {
                cap_value_t v = c;

                if (!(needed & (UINT64_C(1) << c)))
                        continue;
                if (cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET) < 0 ||
                    cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET) < 0 ||
                    cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_SET) < 0) {
                        r = -errno;
                        break;
                }
        }
        if (r >= 0 && cap_set_proc(caps) < 0)
                r = -errno;
        cap_free(caps);
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
