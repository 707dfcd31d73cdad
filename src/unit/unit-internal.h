/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared between the parts of libunit (unit-path.c, unit-dropin.c, unit-file.c); not installed. */

#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

static inline const char *unit_last_path_component(const char *p) {
        const char *s = strrchr(p, '/');
        return s ? s + 1 : p;
}

/* a + "/" + b, without doubled slashes. NULL on OOM. */
char *unit_path_join(const char *a, const char *b);

/* An empty file or /dev/null: a mask. */
bool unit_stat_is_null_or_empty(const struct stat *st);

/* Follow symlinks of the last component under root. Returns 1 and the final path if it is a
 * regular, non-empty file; 0 if it is masked (/dev/null, empty); -errno otherwise. */
int unit_chase_file(const char *root, const char *path, char **ret);

typedef struct Resolved {
        char *name;      /* canonical name */
        char *fragment;  /* NULL if masked */
        bool masked;
} Resolved;

void unit_resolved_done(Resolved *r);
int unit_resolve_name(const char *root, char *const *sp, const char *name, unsigned depth, Resolved *ret);

/* Every other name on the search path that resolves to canonical (sorted). */
int unit_find_aliases(const char *root, char *const *sp, const char *canonical, char ***ret);

/* The root the search path was made for (NULL for "/"), and the entries that are directories. */
int unit_search_path_root(char *const *sp, char **ret);
int unit_existing_dirs(char *const *sp, char ***ret);

/* The drop-ins for a unit known by names (canonical first), in the order applied. */
int unit_find_dropins(const char *root, char *const *sp, char *const *names, char ***ret);

/* The drop-ins in dir (FILE.d/ next to a unit file given as a path), in the order applied. */
int unit_find_dropins_in(const char *dir, char ***ret);
