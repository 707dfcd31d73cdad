/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Decoder for /proc/PID/fdinfo/N of BPF token fds (Linux >= 6.9, bpf_token_show_fdinfo()):
 *
 *   pos:    0
 *   flags:  02000002
 *   mnt_id: 83
 *   ino:    17999
 *   allowed_cmds:    0x40021        ("any" when every bit the kernel knows is set)
 *   allowed_maps:    0x6
 *   allowed_progs:   any
 *   allowed_attachs: 0x2000000001
 *
 * Input is untrusted text: unknown keys are ignored, a value that does not parse is -EBADMSG, a
 * key given twice is -EBADMSG, text over FDINFO_TEXT_MAX is -E2BIG. No logging.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf-names.h"

#define FDINFO_TEXT_MAX (64U * 1024U)

typedef struct TokenFdinfo {
        uint64_t allowed[_BPF_KIND_MAX];   /* UINT64_MAX for "any" */
        bool any[_BPF_KIND_MAX];
        bool has_allowed[_BPF_KIND_MAX];
        bool has_mnt_id;
        bool has_flags;
        bool has_ino;
        int mnt_id;                        /* the bpffs mount the token was created from */
        unsigned flags;                    /* octal in the text */
        uint64_t pos;
        uint64_t ino;
} TokenFdinfo;

/* Parse fdinfo text (size bytes, need not be NUL-terminated). Returns 0 if all four allowed_*
 * lines are there (a token), -ENOMSG if none is (not a token; *ret is still filled with the generic
 * fields), -EBADMSG if only some are or a value is malformed. */
int fdinfo_parse_token(const char *text, size_t size, TokenFdinfo *ret);

/* "allowed_cmds", "allowed_maps", "allowed_progs", "allowed_attachs" */
const char *fdinfo_allowed_key(BpfKind kind);

/* Whether the target of a /proc/PID/fd/N link may be a token: "anon_inode:bpf-token" or a path
 * ending in "bpf-token" or "bpf-token (deleted)" (the kernel allocates the token file as a pseudo
 * file named bpf-token on the bpffs). Only a hint: confirm with fdinfo_parse_token(). */
bool fdinfo_link_is_token(const char *target);
