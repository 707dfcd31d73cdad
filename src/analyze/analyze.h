/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * bpftoken-analyze: state shared by the verbs (the parsed command line) and small helpers. Verbs
 * are int verb_NAME(int argc, char *argv[]) and log their own errors; they return 0, a negative
 * errno (already logged), or ANALYZE_EXIT_FINDINGS when they completed and found errors (verify).
 * The program exits 1 for a failed check, an unknown unit or any other error, 2 for usage errors only
 * (log_usage_error()).
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bpf-names.h"
#include "delegation.h"
#include "table.h"

#define ANALYZE_EXIT_FINDINGS 1

/* A usage error (a verb without its arguments, an unknown kind or option value): logged, and the
 * program exits 2 instead of 1. Returns -EINVAL. */
int log_usage_error(const char *fmt, ...) _printf_(1, 2);
bool analyze_usage_error(void);

/* First systemd version that implements PrivateBPF=/BPFDelegate*= natively. */
#define SYSTEMD_NATIVE_PRIVATE_BPF 258

extern TableJsonMode arg_json;
extern bool arg_legend;
extern bool arg_pager;
extern bool arg_all;
extern bool arg_policy;            /* verify --policy */
extern unsigned arg_threshold;     /* security --threshold= (0..100, in tenths of the 0..10 scale) */
extern int arg_systemd_version;   /* -1: detect */
extern int arg_token_support;     /* -1: detect, 0: assume none, 1: assume present */
extern const char *arg_root;      /* for unit search paths; NULL: / */
extern const char *arg_btf;       /* --btf=PATH; NULL: the running kernel's */

/* The names of the running kernel (or --btf=), loaded on first use. Logs on failure. */
int analyze_names(const BpfNames **ret);

/* Fails with a one-sentence error unless running as root. */
int require_root(const char *verb);

/* Starts the pager if stdout is a terminal and --no-pager was not given. */
void pager_open(void);
void pager_close(void);

/* Prints a verb's table: legend and header unless --no-legend, through the pager, as --json= says.
 * Logs on failure. */
int analyze_print_table(Table *t);

/* The start of a verb that takes no arguments and reads other processes: root, and the names. Logs. */
int analyze_scan_prepare(const char *verb, int argc, const BpfNames **ret_names);

/* The body of a verb taking unit names or files: one() for each of argv[1..] (first: whether it is the
 * first), which logs its own errors and, with --json=, adds to all, printed at the end. Stops at
 * -ENOMEM; -ENOENT if one() failed for any of them. */
typedef int (*AnalyzeOneFunc)(const BpfNames *names, const char *arg, json_object *all, bool first);
int analyze_for_each_argument(int argc, char *argv[], AnalyzeOneFunc one);

/* The systemd version: --systemd-version=, else the installed libsystemd-shared-N.so, else
 * "systemd --version". -ENOENT if it cannot be told. ret_source (may be NULL) says how. */
int systemd_version(int *ret, const char **ret_source);
/* Whether systemd runs as PID 1 on this host. */
bool systemd_is_running(void);

/* Whether the running kernel supports BPF tokens: --token-support=, else probed without side
 * effects (BPF_TOKEN_CREATE is known to bpf() and a bpffs fs context rejects a bogus delegate_cmds
 * value). 1 yes, 0 no, negative if it could not be told. */
int kernel_token_support(void);

/* ActiveState of a unit from the running systemd (D-Bus); -EHOSTDOWN if systemd is not PID 1. */
int unit_active_state(const char *unit, char **ret);

/* Print a JSON value in arg_json mode (pretty if arg_json is off). Takes ownership. */
int json_print(json_object *j);

/* A kernel-spelling list of a mask for display ("map_create,prog_load", "any", "-"). */
int format_mask(const BpfNames *names, BpfKind kind, uint64_t mask, bool any, char **ret);
/* The same, at most max_names names, then "... (N more)". */
int format_mask_brief(const BpfNames *names, BpfKind kind, uint64_t mask, bool any, size_t max_names, char **ret);
/* JSON for a mask: {"mask":"0x21","any":false,"names":["map_create","prog_load"]} */
json_object *mask_to_json(const BpfNames *names, BpfKind kind, uint64_t mask, bool any);

/* A table cell for a mask: text as format_mask(), JSON as mask_to_json(). !present: "-". */
int table_add_mask(Table *t, const BpfNames *names, BpfKind kind, uint64_t mask, bool any, bool present);
/* The fields of 'bpftool token list' for the same facts, as JSON-only columns: the bpffs path as
 * "token_info", the delegated names as "allowed_cmds", "allowed_maps", "allowed_progs",
 * "allowed_attachs" (arrays of kernel names, ["any"] for everything). */
int table_set_bpftool_keys(Table *t, size_t token_info_column, size_t first_allowed_column);
int table_add_bpftool_allowed(Table *t, const BpfNames *names, BpfKind kind, uint64_t mask, bool any);
int table_add_mask_brief(Table *t, const BpfNames *names, BpfKind kind, uint64_t mask, bool any, bool present,
                         size_t max_names);

/* Parse an errno name ("EPERM"), number ("1", "-1") or strerror() text. -EINVAL if none. */
int errno_from_string(const char *s);
const char *errno_to_name(int error);

static inline void json_object_putp(json_object **j) {
        if (*j)
                json_object_put(*j);
}

/* verify.c: the context of the checks (systemd version, kernel support), and loading a unit by
 * name or path with the error logged. */
struct CheckContext;
struct UnitBpf;
int analyze_check_context(struct CheckContext *ret);
/* prefer_file: a bare name that is a file in the current directory is that file (verify, security). */
int analyze_load_unit(const BpfNames *names, const char *arg, bool prefer_file, struct UnitBpf **ret);

/* units.c: "native", "bpftoken" or "none", with a sentence why. */
const char *unit_implementation(const struct UnitBpf *u, int systemd_version, const char **ret_reason);

/* verbs */
int verb_names(int argc, char *argv[]);
int verb_mounts(int argc, char *argv[]);
int verb_tokens(int argc, char *argv[]);
int verb_probe(int argc, char *argv[]);
int verb_explain(int argc, char *argv[]);
int verb_verify(int argc, char *argv[]);
int verb_security(int argc, char *argv[]);
int verb_units(int argc, char *argv[]);
int verb_status(int argc, char *argv[]);
/* debugging: the unit model, and its comparison with systemctl show (analyze-model.c) */
int verb_model(int argc, char *argv[]);
int verb_model_compare(int argc, char *argv[]);
