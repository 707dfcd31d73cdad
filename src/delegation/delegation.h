/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The delegation specification: parsing and printing of the four delegation masks
 * (commands, map types, program types, attach types). No side effects, no logging: every
 * function reports problems through its return value and a DelegationDiag the caller logs.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/capability.h>

#include "bpf-names.h"

/* Debian 12's <linux/capability.h> predates CAP_PERFMON and CAP_BPF (Linux 5.8). */
#ifndef CAP_PERFMON
#  define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#  define CAP_BPF 39
#endif

/* Hard limits for untrusted input. */
#define DELEGATION_VALUE_MAX 4096 /* bytes in one list */
#define DELEGATION_ITEM_MAX  64   /* bytes in one name */

typedef struct Delegation {
        uint64_t masks[_BPF_KIND_MAX];
} Delegation;

#define DELEGATION_ANY UINT64_MAX

/* What a parse found worth telling. error is set when the call fails; warning may be set when it
 * succeeds (duplicates). The flags describe the spelling, for linters. */
typedef struct DelegationDiag {
        char error[320];
        char warning[320];
        bool used_spaces;        /* whitespace as a separator (systemd >= 258 ignores such a value) */
        bool used_kernel_names;  /* prog_load rather than BPFProgLoad */
        bool used_hex;           /* a hex mask */
        bool used_invert;        /* leading ~ */
        bool used_any;
        bool used_colons;        /* ':' as a separator (as in /proc/mounts; systemd does not accept it) */
        bool used_non_systemd_names; /* a name native systemd (>= 258) would not take as written: kernel
                                  * spelling, another case ("bpfprogload", "ANY"), an alias, a name its
                                  * table lacks (BPFProgTypeSyscall), or one it maps to another bit
                                  * (BPFProgTypeNetfilter, see bpf_names_systemd_table_bit()) */
} DelegationDiag;

/* Parse one list for one kind. Syntax (see bpftoken(7)):
 *   ""                       -> 0 (nothing delegated)
 *   "any"                    -> all 64 bits (also future commands and types); alone, any case
 *   "0x..."                  -> a hex mask of 1 to 16 digits, alone (mixing hex and names is an
 *                               error: the kernel lets a number overwrite the bits named before it)
 *   NAME[,| ]NAME...         -> systemd CamelCase (BPFProgLoad) or kernel spelling (prog_load),
 *                               case-insensitive, kernel aliases (prog_run) too, separated by
 *                               commas, whitespace and/or colons (as /proc/mounts prints them);
 *                               consecutive separators count as one ("a,,b", "a, b"), leading and
 *                               trailing ones are ignored, but a value of separators only is an error
 *   "~NAME ..."              -> every name the running kernel knows except those listed: the bits
 *                               0 .. bpf_names_count()-1 minus the listed ones, NOT all 64 bits (so
 *                               "~" never delegates commands or types a newer kernel adds); the ~
 *                               must come first and applies to the whole list; not with hex or any
 * Decimal numbers are refused (the error suggests the hex mask). A name listed twice is fine: the
 * call succeeds and diag->warning names the duplicates.
 * Errors: -EINVAL (unknown name, mixed hex and names, bad hex, empty item, decimal, "any" with
 * other names), -ERANGE (hex of more than 16 digits), -E2BIG (value over DELEGATION_VALUE_MAX bytes
 * or a name over DELEGATION_ITEM_MAX bytes). diag (may be NULL) gets a sentence; it is reset
 * first. NULL value is the same as "". */
int delegation_parse_list(const BpfNames *names, BpfKind kind, const char *value, uint64_t *ret_mask,
                          DelegationDiag *diag);

typedef enum DelegationStyle {
        DELEGATION_STYLE_SYSTEMD, /* BPFMapCreate,BPFProgLoad   (systemd 258 unit syntax) */
        DELEGATION_STYLE_KERNEL,  /* map_create,prog_load */
        DELEGATION_STYLE_MOUNT,   /* map_create:prog_load       (as the kernel prints mount options) */
        DELEGATION_STYLE_HEX,     /* 0x21                       (what bpftoken hands to fsconfig()) */
        _DELEGATION_STYLE_MAX,
} DelegationStyle;

/* Print a mask. UINT64_MAX prints as "any" (hex style: 0xffffffffffffffff), 0 as "" (hex: 0x0).
 * A mask with bits that have no name on this kernel prints in hex in every style, so that the
 * output always parses back to the same mask. Returns 0 and a malloc'ed string, or -ENOMEM. */
int delegation_format(const BpfNames *names, BpfKind kind, uint64_t mask, DelegationStyle style, char **ret);

/* Presets: named delegations, ORed into a Delegation. */
typedef struct DelegationPreset {
        const char *name;
        const char *description;
        const char *lists[_BPF_KIND_MAX]; /* kernel spellings; names this kernel lacks are skipped */
} DelegationPreset;

const DelegationPreset *delegation_presets(size_t *ret_n);
const DelegationPreset *delegation_preset_find(const char *name);
/* -ENOENT (with a suggestion in diag) if no such preset. */
int delegation_apply_preset(const BpfNames *names, const char *preset, Delegation *d, DelegationDiag *diag);

/* What libbpf >= 1.4 itself needs before it loads anything (its probes load a socket filter with
 * expected attach type 0 and create array maps, and upload BTF): map_create, prog_load, btf_load;
 * array; socket_filter; attach bit 0 (cgroup_inet_ingress). */
extern const Delegation delegation_libbpf_baseline;

/* Writes the names (kernel spelling, "maps: array") of the baseline bits that d lacks into buf, ", "
 * separated. Returns true if nothing is missing. */
bool delegation_covers_libbpf_baseline(const BpfNames *names, const Delegation *d, char *buf, size_t size);

/* Capabilities the program needs inside the user namespace to use what d delegates:
 * bit (1ULL << CAP_x) set for CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN. CAP_BPF whenever anything is
 * delegated. */
uint64_t delegation_needed_capabilities(const BpfNames *names, const Delegation *d);

bool delegation_is_empty(const Delegation *d);

/* The program types whose programs attach to cgroups (cgroup_skb, cgroup_sock, cgroup_sock_addr,
 * sock_ops, cgroup_device, cgroup_sysctl, cgroup_sockopt) that d delegates: the kernel lets them
 * attach to any cgroup2 directory the process can open, so bpftoken confines the unit's view of the
 * hierarchy when this is not 0. */
uint64_t delegation_cgroup_program_mask(const BpfNames *names, const Delegation *d);
