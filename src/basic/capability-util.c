/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "capability-util.h"
#include "macro.h"

int capability_last_cap(void) {
        _cleanup_(fclosep) FILE *f = NULL;
        int last = CAP_LAST_CAP;

        f = fopen("/proc/sys/kernel/cap_last_cap", "re");
        if (f && fscanf(f, "%d", &last) != 1)
                last = CAP_LAST_CAP;
        return last > 63 ? 63 : last < 0 ? CAP_LAST_CAP : last;
}

int capability_get(CapabilitySets *ret) {
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {};

        if (syscall(SYS_capget, &h, d) < 0)
                return -errno;
        *ret = (CapabilitySets) {
                .effective = (uint64_t) d[1].effective << 32 | d[0].effective,
                .permitted = (uint64_t) d[1].permitted << 32 | d[0].permitted,
                .inheritable = (uint64_t) d[1].inheritable << 32 | d[0].inheritable,
        };
        return 0;
}

int capability_set(const CapabilitySets *s) {
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {
                { (uint32_t) s->effective, (uint32_t) s->permitted, (uint32_t) s->inheritable },
                { (uint32_t) (s->effective >> 32), (uint32_t) (s->permitted >> 32), (uint32_t) (s->inheritable >> 32) },
        };

        if (syscall(SYS_capset, &h, d) < 0)
                return -errno;
        return 0;
}
