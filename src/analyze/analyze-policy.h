/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The publisher's policy files as analyze sees them: every file in /etc/bpftoken/policy.d and the
 * generator's directory (below --root), parsed as the publisher parses them, and kept when they do
 * not parse, so that 'verify' reports them with file and line and 'units'/'status' can say that a
 * unit's policy is broken instead of "no BPF delegation". No logging.
 */

#include "analyze-unit.h"
#include "policy.h"

typedef struct PolicyFileState {
        char *path;
        Policy *policy;         /* NULL if it does not load */
        char *unit;             /* Unit= as written, also when the file does not load (may be NULL) */
        int error;              /* -errno if it does not load */
        char *message;          /* why, with file and line */
        unsigned line;          /* the line of the error, 0 if none */
        bool generated;         /* in the generator's directory */
} PolicyFileState;

typedef struct PolicyFiles {
        PolicyFileState *files;
        size_t n;
} PolicyFiles;

void policy_files_done(PolicyFiles *l);

/* Every *.conf in the two directories below root, in name order, a file in /etc masking the same
 * name in the generator's directory. -ENOMEM only. */
int policy_files_scan(const BpfNames *names, const char *root, PolicyFiles *ret);

/* One file given by path (verify FILE.conf). -ENOMEM only; a file that does not load is returned
 * with error set. */
int policy_file_load(const BpfNames *names, const char *path, PolicyFileState *ret);
void policy_file_state_done(PolicyFileState *s);

/* The files that name unit (Unit=, a template matching it), loaded or not. */
const PolicyFileState *policy_files_for_unit(const PolicyFiles *l, const char *unit, size_t *iter);

/* verify's findings for one file. */
int policy_file_check(const PolicyFileState *s, Findings *f);
