/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Reading systemd unit files the way systemd merges them: the fragment found first on the search
 * path, then drop-ins (*.conf in NAME.d/, TYPE.d/ and template PREFIX@.TYPE.d/ directories on every
 * search path entry, ordered by file name, a file in an earlier directory masking one with the
 * same name in a later one), line continuations, comments, quoting left untouched. Masked units
 * (fragment is a symlink to /dev/null or empty file) are reported as such. No logging, no side
 * effects: problems are returned as -errno, with a sentence in ret_error where a parameter offers one.
 */

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "parse-util.h"   /* parse_boolean() */
#include "unit-name.h"

typedef struct UnitSetting {
        char *section;  /* "Service" */
        char *key;      /* "ExecStart" */
        char *value;    /* raw value, continuation lines joined, not unquoted; "" for a reset */
        char *file;     /* where it was read */
        unsigned line;
} UnitSetting;

typedef struct UnitConfig {
        char *name;           /* "foo.service", "foo@bar.service" */
        char *fragment_path;  /* NULL if only drop-ins exist (then the unit does not load) */
        char **dropin_paths;  /* NULL-terminated, in the order applied */
        bool masked;
        UnitSetting *settings; /* in the order systemd applies them */
        size_t n_settings;
} UnitConfig;

/* Why a file did not load, for an error message that names the file and line. */
typedef struct UnitLoadError {
        char file[PATH_MAX];
        unsigned line;          /* 0: the file as a whole */
        int error;              /* -errno */
        const char *reason;     /* a sentence fragment, or NULL (then strerror(-error) says it) */
} UnitLoadError;

UnitConfig *unit_config_free(UnitConfig *c);
static inline void unit_config_freep(UnitConfig **c) {
        if (*c)
                unit_config_free(*c);
}

/* The system manager's unit search path, highest precedence first, as systemd 252-262 use it:
 * /etc/systemd/system.control, /run/systemd/system.control, /run/systemd/transient,
 * /run/systemd/generator.early, /etc/systemd/system, /etc/systemd/system.attached,
 * /run/systemd/system, /run/systemd/system.attached, /run/systemd/generator,
 * /usr/local/lib/systemd/system, /usr/lib/systemd/system, /lib/systemd/system,
 * /run/systemd/generator.late. root (may be NULL) is prefixed to each. If skip_dir is non-NULL
 * that directory is left out (a generator must not read its own output).
 * Returns a NULL-terminated strv. */
int unit_search_path(const char *root, const char *skip_dir, char ***ret);

/* Both fill error (may be NULL) when a file does not parse or cannot be read. */

/* Load a unit by name through the search path, following aliases (symlinks) to the real fragment,
 * templates (foo@bar.service falls back to foo@.service) included. -ENOENT if nothing is found. */
int unit_config_load(char *const *search_path, const char *name, UnitLoadError *error, UnitConfig **ret);

/* Load one file as the fragment (for "verify FILE"), plus drop-ins in FILE.d/ next to it. */
int unit_config_load_file(const char *path, UnitLoadError *error, UnitConfig **ret);

/* Every unit name (fragment files and symlinks, not drop-in directories) on the search path,
 * sorted, unique, NULL-terminated. */
int unit_enumerate(char *const *search_path, char ***ret_names);

/* The effective value of a single-valued setting: the last assignment, NULL if none or if the
 * last one is an empty reset. Returns a pointer into c. */
const char *unit_config_get(const UnitConfig *c, const char *section, const char *key);

/* The effective assignments of a list-valued setting (ExecStart=, RestrictAddressFamilies=,
 * AmbientCapabilities=, SystemCallFilter=...): every assignment after the last empty one, in
 * order. Returns the count, and pointers into c in *ret (malloc'ed array, free() it). */
int unit_config_get_all(const UnitConfig *c, const char *section, const char *key, const UnitSetting ***ret);
