/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Names of BPF commands, map types, program types and attach types, as the *running* kernel
 * knows them (from its BTF, /sys/kernel/btf/vmlinux, read by btf-enums.c), with a built-in table
 * (systemd 262's list) for kernels without BTF. Pure lookups, no logging.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum BpfKind {
        BPF_KIND_COMMAND,
        BPF_KIND_MAP,
        BPF_KIND_PROGRAM,
        BPF_KIND_ATTACHMENT,
        _BPF_KIND_MAX,
        _BPF_KIND_INVALID = -EINVAL,
} BpfKind;

/* "commands", "maps", "programs", "attachments" */
const char *bpf_kind_to_string(BpfKind k);
/* accepts the above plus "cmds", "progs", "attachs", singular forms; _BPF_KIND_INVALID otherwise */
BpfKind bpf_kind_from_string(const char *s);
/* "delegate_cmds", "delegate_maps", "delegate_progs", "delegate_attachs" */
const char *bpf_kind_mount_option(BpfKind k);
/* "BPFDelegateCommands", "BPFDelegateMaps", "BPFDelegatePrograms", "BPFDelegateAttachments" */
const char *bpf_kind_directive(BpfKind k);
/* "BPF command", "BPF map type", "BPF program type", "BPF attach type" */
const char *bpf_kind_noun(BpfKind k);

typedef enum BpfNamesSource {
        BPF_NAMES_SOURCE_BTF,     /* read from the kernel's BTF */
        BPF_NAMES_SOURCE_BUILTIN, /* built-in table */
} BpfNamesSource;

typedef struct BpfNames BpfNames;

/* Load names from the BTF file at btf_path (NULL: /sys/kernel/btf/vmlinux). If that file does not
 * exist or holds no usable enums, the built-in table is used instead (bpf_names_source() tells).
 * -ENOMEM or other hard errors only. */
int bpf_names_load(const char *btf_path, BpfNames **ret);
/* The built-in table only. */
int bpf_names_new_builtin(BpfNames **ret);
BpfNames *bpf_names_free(BpfNames *n);
static inline void bpf_names_freep(BpfNames **n) {
        if (*n)
                bpf_names_free(*n);
}

BpfNamesSource bpf_names_source(const BpfNames *n);

/* Number of values of the kind (the kernel's __MAX_BPF_*; at most 64). */
unsigned bpf_names_count(const BpfNames *n, BpfKind kind);

/* Kernel spelling of a bit: lower case, prefix stripped ("prog_load", "ringbuf", "xdp",
 * "cgroup_inet_ingress"), or NULL if the bit has no name. */
const char *bpf_names_kernel(const BpfNames *n, BpfKind kind, unsigned bit);

/* systemd 258 spelling of a bit ("BPFProgLoad", "BPFMapTypeRingbuf", "BPFProgTypeXdp",
 * "BPFCgroupInetIngress"), or NULL. */
const char *bpf_names_systemd(const BpfNames *n, BpfKind kind, unsigned bit);

/* Look a name up in either spelling, case-insensitively; aliases the kernel defines (prog_run for
 * prog_test_run, cgroup_storage for cgroup_storage_deprecated) are accepted too.
 * 0 and the bit, or -ENOENT. */
int bpf_names_lookup(const BpfNames *n, BpfKind kind, const char *name, unsigned *ret_bit);

/* Up to max names (kernel spelling) closest to name by edit distance, for "did you mean"; returns
 * how many were written to ret (pointers into n). Case-insensitive, against both spellings and the
 * aliases; at most 3 edits and fewer than half the name; closest first, then in enum order. */
size_t bpf_names_suggest(const BpfNames *n, BpfKind kind, const char *name, const char **ret, size_t max);

/* Whether the bit's name is in systemd's own tables (the built-in table, systemd 262's list; aliases
 * and "syscall" are not), and whether the running kernel knows it (with the built-in table as
 * source: whether the table has it); for "bpftoken-analyze names". */
bool bpf_names_in_systemd_table(BpfKind kind, const char *kernel_name);
bool bpf_names_known_to_kernel(const BpfNames *n, BpfKind kind, unsigned bit);

/* How bpf_names_lookup_full() matched a name (flags). */
typedef enum BpfNameMatch {
        BPF_NAME_MATCH_KERNEL       = 1 << 0, /* kernel spelling: "prog_load", "PROG_LOAD" */
        BPF_NAME_MATCH_SYSTEMD      = 1 << 1, /* systemd spelling: "BPFProgLoad", "bpfprogload" */
        BPF_NAME_MATCH_ALIAS        = 1 << 2, /* an alias: "prog_run", "BPFProgRun" */
        BPF_NAME_MATCH_CASE_DIFFERS = 1 << 3, /* not in the exact case of the spelling it matched */
} BpfNameMatch;

/* bpf_names_lookup(), also telling how the name matched (ret_match may be NULL). */
int bpf_names_lookup_full(const BpfNames *n, BpfKind kind, const char *name, unsigned *ret_bit,
                          BpfNameMatch *ret_match);

/* The bit systemd (>= 258, tables as of 262) itself sets for a kernel name: its generated table is
 * positional and lacks BPFProgTypeSyscall, so there BPFProgTypeNetfilter sets bit 31 (= syscall),
 * not 32. 0 and the bit, or -ENOENT if systemd's table lacks the name. */
int bpf_names_systemd_table_bit(BpfKind kind, const char *kernel_name, unsigned *ret_bit);
