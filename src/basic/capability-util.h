/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The calling thread's capability sets as 64-bit masks, through capget()/capset() directly: the
 * programs on every delegated start (bpftoken-exec) need no libcap. No logging.
 */
#include <stdint.h>

typedef struct CapabilitySets {
        uint64_t effective;
        uint64_t permitted;
        uint64_t inheritable;
} CapabilitySets;

/* The highest capability this kernel knows (/proc/sys/kernel/cap_last_cap), at most 63. */
int capability_last_cap(void);
int capability_get(CapabilitySets *ret);
int capability_set(const CapabilitySets *sets);
