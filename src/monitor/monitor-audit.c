/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "monitor-audit.h"

bool audit_ratelimit_test(AuditRatelimit *rl, const char *unit, uint64_t now_usec, unsigned *ret_suppressed) {
        size_t i, oldest = 0;

        *ret_suppressed = 0;
        for (i = 0; i < rl->n_slots; i++)
                if (strncmp(rl->slots[i].unit, unit, sizeof rl->slots[i].unit - 1) == 0)
                        break;
        if (i == rl->n_slots) {
                if (rl->n_slots < AUDIT_RATELIMIT_UNITS)
                        rl->n_slots++;
                else {
                        /* Full: reuse the slot whose interval began first. */
                        for (size_t j = 1; j < rl->n_slots; j++)
                                if (rl->slots[j].begin_usec < rl->slots[oldest].begin_usec)
                                        oldest = j;
                        i = oldest;
                }
                memset(&rl->slots[i], 0, sizeof rl->slots[i]);
                strncpy(rl->slots[i].unit, unit, sizeof rl->slots[i].unit - 1);
                rl->slots[i].begin_usec = now_usec;
        }
        if (now_usec >= rl->slots[i].begin_usec + rl->interval_usec) {
                *ret_suppressed = rl->slots[i].suppressed;
                rl->slots[i].begin_usec = now_usec;
                rl->slots[i].n = 0;
                rl->slots[i].suppressed = 0;
        }
        if (rl->slots[i].n < rl->burst) {
                rl->slots[i].n++;
                return true;
        }
        rl->slots[i].suppressed++;
        return false;
}
