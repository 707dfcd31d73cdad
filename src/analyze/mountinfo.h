/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Decoder for /proc/PID/mountinfo lines (proc(5)), with the bpffs delegate_* super options turned
 * into masks. Input is untrusted (paths are chosen by whoever mounts): no fixed-size buffers,
 * octal escapes decoded, malformed lines rejected with -EBADMSG, overlong ones with -E2BIG.
 * No logging.
 *
 *   83 66 0:38 / /sys/fs/bpf rw,relatime shared:5 - bpf none rw,delegate_cmds=map_create:prog_load
 *   |  |  |    | |           |          |          | |   |    super options
 *   |  |  |    | |           |          |          | |   source
 *   |  |  |    | |           |          |          | fstype
 *   |  |  |    | |           |          optional fields, then "-"
 *   |  |  |    | mount point  mount options
 *   |  |  |    root of the mount within its filesystem
 *   |  |  major:minor of the superblock
 *   |  parent mount id
 *   mount id
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf-names.h"

/* A mountinfo line longer than this is refused (the kernel's lines are far shorter in practice). */
#define MOUNTINFO_LINE_MAX (1024U * 1024U)

typedef struct MountInfo {
        int mount_id;
        int parent_id;
        unsigned major;
        unsigned minor;
        char *root;            /* unescaped */
        char *mount_point;     /* unescaped */
        char *mount_options;   /* per-mount options, "rw,relatime" */
        char *optional;        /* "shared:1 master:2", "" if none */
        char *fstype;          /* "bpf", "fuse.sshfs" */
        char *source;          /* unescaped; "none" for a bpffs made with fsopen() */
        char *super_options;   /* per-superblock options */
} MountInfo;

/* Parse one line (without or with its trailing newline; len bytes, need not be NUL-terminated).
 * On success *ret is filled (free with mountinfo_done()). -EBADMSG for a malformed line, -E2BIG
 * for one over MOUNTINFO_LINE_MAX, -ENOMEM. *ret is untouched on failure. */
int mountinfo_parse_line(const char *line, size_t len, MountInfo *ret);
void mountinfo_done(MountInfo *m);

bool mountinfo_is_bpffs(const MountInfo *m);

/* Decode octal escapes (\040 and friends, as the kernel writes spaces, tabs, newlines and
 * backslashes in paths) of len bytes into a new string. An escape that is not three octal digits,
 * or that would decode to NUL, is kept literally. -ENOMEM only. */
int mountinfo_unescape(const char *s, size_t len, char **ret);

/* The value of option key in a comma-separated option list ("rw,mode=700,delegate_cmds=any"):
 * a pointer into opts and the value's length, or NULL if the key is absent. A key without "=value"
 * yields "" (length 0). */
const char *mountinfo_option(const char *opts, const char *key, size_t *ret_len);

typedef struct MountDelegation {
        uint64_t masks[_BPF_KIND_MAX];   /* DELEGATION_ANY (UINT64_MAX) for "any" */
        bool present[_BPF_KIND_MAX];     /* the delegate_* option was there (the kernel omits 0) */
        bool any[_BPF_KIND_MAX];         /* printed as "any": every bit the kernel knows */
        unsigned n_unknown;              /* names that could not be resolved (not counted in masks) */
        char first_unknown[64];          /* the first of them, truncated, for a message */
} MountDelegation;

/* Decode one delegate_* value as the kernel prints it: names joined by ':' (resolved through
 * names; names may be NULL, then only "any" and numbers count), "any", and leftover bits as a
 * trailing ":0x..". Numbers are ORed in (this is a display, not fsconfig() input). Empty elements
 * are skipped. Unresolvable names are counted in d (may be NULL) and otherwise ignored; bad
 * numbers are -EBADMSG. value need not be NUL-terminated. */
int mountinfo_parse_delegate_value(const BpfNames *names, BpfKind kind, const char *value, size_t len,
                                   uint64_t *ret_mask, bool *ret_any, MountDelegation *d);

/* Decode all four delegate_* options of a super option list. Returns 1 if any delegate_* option is
 * present, 0 if none, -EBADMSG for a malformed value. */
int mountinfo_parse_delegation(const BpfNames *names, const char *super_options, MountDelegation *ret);
