/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The built-in name table (bpf-names-table.c), private to src/delegation/bpf-names.c,
 * src/delegation/delegation.c and the tests. Kernel spellings, indexed by enum value (= bit number).
 */

#include <stdbool.h>
#include <stddef.h>

#include "bpf-names.h"

typedef struct BpfBuiltinAlias {
        const char *name;   /* kernel spelling of the alias, "prog_run" */
        unsigned value;     /* the value it shares with an earlier name */
} BpfBuiltinAlias;

typedef struct BpfBuiltinTable {
        const char *const *names;      /* kernel spelling by value; NULL for a hole */
        unsigned n_names;              /* = the enum's __MAX_* */
        const BpfBuiltinAlias *aliases;
        size_t n_aliases;
        /* Canonical names that systemd's generated table lacks (its generator skips enum lines
         * that carry a comment), NULL-terminated. systemd's table is positional, so every
         * later name moves down one bit there. */
        const char *const *not_in_systemd;
} BpfBuiltinTable;

const BpfBuiltinTable *bpf_builtin_table(BpfKind kind);

/* Optimal string alignment distance (bpf-names.c), ASCII case-insensitive; UINT32_MAX when a
 * string is longer than 128 bytes. Shared with delegation.c for preset suggestions. */
unsigned bpf_edit_distance(const char *a, const char *b);
