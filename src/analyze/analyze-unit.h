/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A unit's BPF delegation settings as written (PrivateBPF=, BPFDelegate*=, X-BPFTokenPreset=),
 * the sandbox settings that decide whether a token can work, and the checks of 'verify' as a list
 * of findings. No logging: 'verify', 'security', 'units' and 'status' print the findings.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bpf-names.h"
#include "delegation.h"
#include "macro.h"
#include "unit-file.h"
#include "unit-model.h"

typedef enum Severity {
        SEVERITY_ERROR,         /* the delegation will not work, or not as written: verify fails */
        SEVERITY_WARNING,       /* works here, but fragile or breaks elsewhere */
        SEVERITY_NOTICE,        /* for information */
        _SEVERITY_MAX,
} Severity;

const char *severity_to_string(Severity s);

typedef struct Finding {
        Severity severity;
        char *code;             /* stable identifier, e.g. "unknown-name" */
        char *file;             /* NULL: not tied to a file */
        unsigned line;          /* 0: the file as a whole */
        char *message;          /* what is wrong and how to fix it */
} Finding;

typedef struct Findings {
        Finding *list;
        size_t n;
} Findings;

void findings_done(Findings *f);
int findings_add(Findings *f, Severity s, const char *code, const char *file, unsigned line, const char *fmt, ...)
        _printf_(6, 7);
size_t findings_count(const Findings *f, Severity s);
/* "FILE:LINE: severity: message [code]", as verify and status print a finding. */
void finding_print(const Finding *x, FILE *f);
/* Removes the findings with this code. */
void findings_drop(Findings *f, const char *code);

typedef struct UnitBpf {
        UnitConfig *config;
        UnitModel model;                                /* the settings, as systemd evaluates them */
        const char *section;                            /* "Service", "Socket", ... */
        int private_bpf;                                /* -1 unset, 0, 1; -EINVAL unparsable */
        Delegation requested;                           /* what the settings ask for (presets included) */
        bool unparsed[_BPF_KIND_MAX];                   /* the value did not parse (requested is 0 there) */
} UnitBpf;

typedef enum UnitLoadFlags {
        /* A bare name that is a file in the current directory is that file, as systemd-analyze verify
         * takes it (verify, security). Else it is a unit name. */
        UNIT_LOAD_PREFER_FILE = 1 << 0,
} UnitLoadFlags;

/* arg: a path (contains '/'), or a unit name searched on the unit search path below root; a name
 * without a type suffix gets ".service", as systemctl does. error (may be NULL) says why a file did
 * not load. -EINVAL for a name that is not a valid unit name even with ".service". */
int unit_bpf_load(const BpfNames *names, const char *root, const char *arg, UnitLoadFlags flags,
                  UnitLoadError *error, UnitBpf **ret);
int unit_bpf_from_config(const BpfNames *names, UnitConfig *c, UnitBpf **ret);
UnitBpf *unit_bpf_free(UnitBpf *u);
static inline void unit_bpf_freep(UnitBpf **u) {
        if (*u)
                unit_bpf_free(*u);
}

/* Whether the unit asks for BPF delegation at all (PrivateBPF=yes or any BPFDelegate*=). */
bool unit_bpf_wanted(const UnitBpf *u);

typedef struct CheckContext {
        int systemd_version;    /* -1 unknown */
        int token_support;      /* 1, 0, negative unknown */
} CheckContext;

/* verify's check of the unit's effective BPFDelegate*= of one kind (analyze-check-value.c). */
int unit_bpf_check_value(const UnitBpf *u, const BpfNames *names, BpfKind kind, bool native, bool version_known,
                         Findings *f);

/* Run every check of 'verify' on the unit (analyze-checks.c). */
int unit_bpf_check(const UnitBpf *u, const BpfNames *names, const CheckContext *ctx, Findings *f);

/* Helpers for other verbs. */
json_object *findings_to_json(const Findings *f, const char *unit);
