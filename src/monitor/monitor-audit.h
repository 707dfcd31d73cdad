/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The audit trail of bpftoken-monitor(8) in the journal: stable MESSAGE_IDs and field names (read by
 * 'bpftoken-analyze status'), and a per-unit rate limit. No logging.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A bpf() call that passed a token and was refused (EPERM). */
#define BPFTOKEN_MESSAGE_CALL_REFUSED "08652d3a65a44fe49156711eb8748ba4"
/* A program load or map creation through a token that succeeded (--log-allowed). */
#define BPFTOKEN_MESSAGE_CALL_ALLOWED "7e4c68df9184464f8a59e8da6fa690a4"
/* Records of a unit left out by the rate limit. */
#define BPFTOKEN_MESSAGE_CALL_SUPPRESSED "c6867e1f774d4147b4c0f3d1a42eb6eb"

/* Fields: BPFTOKEN_CALL_UNIT, _PID, _UID, _COMM, _COMMAND, _TYPE, _ERRNO, _MISSING, _FIX, _TOKEN. */
#define BPFTOKEN_CALL_FIELD_UNIT "BPFTOKEN_CALL_UNIT"

#define AUDIT_RATELIMIT_UNITS 256

/* At most burst records per unit in each interval; the rest are counted. */
typedef struct AuditRatelimit {
        uint64_t interval_usec;
        unsigned burst;
        struct {
                char unit[128];
                uint64_t begin_usec;
                unsigned n;
                unsigned suppressed;
        } slots[AUDIT_RATELIMIT_UNITS];
        size_t n_slots;
} AuditRatelimit;

/* Whether a record of unit may be written now. If an interval with suppressed records of that unit
 * ended, *ret_suppressed says how many (to report), else 0. */
bool audit_ratelimit_test(AuditRatelimit *rl, const char *unit, uint64_t now_usec, unsigned *ret_suppressed);
