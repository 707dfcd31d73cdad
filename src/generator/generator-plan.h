/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What generator-unit.c (the plan for a unit) and generator-wrap.c (the plan for systemd < 258: the
 * commands through bpftoken-exec) share. Internal to the generator library; not for other users.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "generator-attach.h"
#include "generator-unit.h"
#include "macro.h"
#include "unit-model.h"

#define SERVICE "Service"

typedef struct Text {
        FILE *f;
        char *buf;
        size_t size;
} Text;

typedef struct Request {
        UnitModel model;
        Delegation delegation;
        DelegationDiag diag[_BPF_KIND_MAX];
        const char *values[_BPF_KIND_MAX];
        uint64_t preset_bits[_BPF_KIND_MAX];  /* what presets added beyond the lists */
        char *summary;
} Request;

/* Common prerequisites. Sets *ret_problem (static or in problem_buf) if the unit cannot be honoured. */
typedef struct Needs {
        bool private_users;
        bool private_mounts;
        uint64_t ambient;
} Needs;

int plan_skip(GeneratorPlan *p, const char *fmt, ...) _printf_(2, 3);

void text_done(Text *t);
/* A text that starts with the header of every file we write, then the comment fmt formats. */
int text_open_generated(Text *t, const char *fmt, ...) _printf_(2, 3);

void print_sources(const GeneratorContext *ctx, FILE *f, const UnitConfig *c);

int check_common(const GeneratorContext *ctx, const UnitConfig *c, const Request *q, Needs *needs,
                 GeneratorPlan *p);

/* write_prerequisites() and write_ambient() write the settings needs asks for, and add their keys to
 * *keys. */
int write_prerequisites(FILE *f, const Needs *needs, char ***keys);
int write_ambient(FILE *f, const Needs *needs, char ***keys);

/* What attaching programs needs (issue 8, generator-attach.c), with a note when cgroup programs stay
 * host-wide. */
int plan_attach(const GeneratorContext *ctx, const UnitConfig *c, const Request *q, GeneratorPlan *p,
                AttachNeeds *ret);

/* The drop-in in t becomes p->dropin and the plan PLAN_WRITE, unless a drop-in applied after ours undoes
 * one of the keys it sets: then the plan is a skip. t is released either way. */
int plan_finish_dropin(const GeneratorContext *ctx, const UnitConfig *c, char *const *keys, Text *t,
                       GeneratorPlan *p);

/* The policy the publisher grants the unit. */
int format_policy(const GeneratorContext *ctx, const UnitConfig *c, const Request *q, char **ret);

/* generator-wrap.c */

/* Every ExecStartPre=/ExecStart=/ExecStartPost= command (but '+' ones) through bpftoken-exec. Counts the
 * wrapped commands in *n_wrapped; a command that cannot be parsed makes the plan a skip. */
int write_wrapped_exec(const GeneratorContext *ctx, const UnitConfig *c, FILE *f, char ***keys,
                       unsigned *n_wrapped, GeneratorPlan *p);

/* systemd < 258: the drop-in that runs the commands through bpftoken-exec, and the policy. */
int plan_wrap(const GeneratorContext *ctx, const UnitConfig *c, const Request *q, GeneratorPlan *p);
