/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Publisher policy: who gets which delegation. Read from root-owned files only:
 *   /etc/bpftoken/policy.d/NAME.conf                  (administrator)
 *   /run/systemd/generator/bpftoken-policy.d/NAME.conf (bpftoken-generator, one file per unit,
 *                                                    rewritten at every daemon-reload)
 * A file in /etc masks a file with the same name in /run. Format:
 *
 *   [Match]
 *   Unit=myapp.service      # a unit name; a template "foo@.service" matches every instance
 *   User=alice              # or a numeric uid (for callers that are not units)
 *   Group=bpfusers          # or a numeric gid; the caller's primary or supplementary group
 *
 *   [Delegation]
 *   Commands=map_create,prog_load,btf_load   # the value syntax of bpftoken(7)
 *   Maps=array
 *   Programs=socket_filter
 *   Attachments=any
 *   Preset=libbpf                            # optional, ORed in
 *
 * The syntax is that of unit files (one tokenizer, ini-parse.h), strictly: a line that is not a section
 * header, comment or KEY=VALUE is an error, reported with its line number (blank lines count).
 * Exactly one of Unit=, User=, Group= per file. A file that is not owned by root, is writable by
 * group or others, is a symlink or not a regular file is not root's policy: it is ignored (and
 * reported). A root's file that does not parse fails closed, see policy_find().
 */

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "bpf-names.h"
#include "delegation.h"

/* The file format, shared by the writer (bpftoken-generator) and the reader (the publisher, analyze). */
#define POLICY_SECTION_MATCH "Match"
#define POLICY_SECTION_DELEGATION "Delegation"
#define POLICY_KEY_UNIT "Unit"
#define POLICY_KEY_USER "User"
#define POLICY_KEY_GROUP "Group"
#define POLICY_KEY_PRESET "Preset"

/* The [Delegation] key of a kind: "Commands", "Maps", "Programs", "Attachments". */
const char *policy_delegation_key(BpfKind k);

/* Writes "\n[Match]\nUnit=UNIT\n\n[Delegation]\n" and one KEY=0xHEX line per kind to f: the body of a
 * policy file for one unit, as bpftoken-generator writes it. -ENOMEM only. */
int policy_format_body(const BpfNames *names, const char *unit, const Delegation *d, FILE *f);

typedef enum PolicyMatchKind {
        POLICY_MATCH_UNIT,
        POLICY_MATCH_USER,
        POLICY_MATCH_GROUP,
        _POLICY_MATCH_MAX,
        _POLICY_MATCH_INVALID = -EINVAL,
} PolicyMatchKind;

typedef struct Policy {
        char *path;
        PolicyMatchKind match;
        char *unit;   /* POLICY_MATCH_UNIT */
        uid_t uid;    /* POLICY_MATCH_USER */
        gid_t gid;    /* POLICY_MATCH_GROUP */
        Delegation delegation;
} Policy;

Policy *policy_free(Policy *p);
static inline void policy_freep(Policy **p) {
        if (*p)
                policy_free(*p);
}

/* How User= and Group= names become ids. The default (NULL) is the machine's user database
 * (getpwnam_r, getgrnam_r); tests and fuzzers install a fixed one so that results do not depend on
 * the host. A lookup returns 0, or -ESRCH for an unknown name. Process-wide; not thread-safe. */
typedef struct PolicyNameResolver {
        int (*user)(const char *name, uid_t *ret, void *userdata);
        int (*group)(const char *name, gid_t *ret, void *userdata);
        void *userdata;
} PolicyNameResolver;

void policy_set_name_resolver(const PolicyNameResolver *resolver);

/* Parse one policy file's contents (no ownership checks). On -EINVAL/-E2BIG/-ENOENT a sentence
 * naming the line is written to error. */
int policy_parse(const BpfNames *names, const char *path, const char *text, Policy **ret, char *error, size_t error_size);

/* Open, check ownership (root, not group/other-writable, not a symlink) and parse. */
int policy_load_file(const BpfNames *names, int dir_fd, const char *dir, const char *filename, Policy **ret,
                     char *error, size_t error_size);

typedef struct PolicyCaller {
        const char *unit; /* NULL if the caller is in no unit */
        uid_t uid;
        gid_t gid;
        const gid_t *groups;
        size_t n_groups;
} PolicyCaller;

/* Report callback for files that were skipped (bad owner, parse error: path is the directory), and
 * once for the fail-closed refusal (path NULL, error -EBADMSG); may be NULL. */
typedef void (*PolicyReport)(const char *path, int error, const char *message, void *userdata);

/* Find the policy for a caller in dirs (NULL-terminated, highest precedence first). A Unit= match
 * wins over User=, which wins over Group=; an exact unit name wins over a template pattern; otherwise
 * the first file in name order wins. A policy with all masks 0 matches too: it means a private bpffs
 * without delegation (PrivateBPF=yes alone, or an instance that turned delegation off).
 * -ENOENT if nothing matches.
 *
 * Fail closed: a root-owned policy file that does not parse still has its [Match] section read. If
 * that would match the caller at least as well as the best valid policy (same ranking as above), or
 * nothing valid matches, policy_find() calls report(NULL, -EBADMSG, SENTENCE, userdata) once, where
 * SENTENCE names the file and the line of its match key (and the parse error with its line), and
 * returns -EBADMSG: the caller must refuse with that sentence, never fall back to a lower-ranked
 * policy. A broken file whose [Match] cannot be read at all counts as matching every caller. Files
 * that fail to load are also reported one by one, with their own error, as before. */
int policy_find(const BpfNames *names, const char *const *dirs, const PolicyCaller *caller, Policy **ret,
                PolicyReport report, void *userdata);

/* Whether a unit name matches a Unit= value (exact, or template foo@.service against foo@x.service). */
bool policy_unit_matches(const char *pattern, const char *unit);

const char *policy_match_kind_to_string(PolicyMatchKind k);
