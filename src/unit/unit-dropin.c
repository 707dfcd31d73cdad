/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which drop-ins apply to a unit, in the order systemd applies them. See unit-file.c for the rules.
 */

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "macro.h"
#include "strv.h"
#include "unit-internal.h"
#include "unit-name.h"

static bool endswith(const char *s, const char *suffix) {
        size_t ls = strlen(s), lx = strlen(suffix);
        return ls >= lx && streq(s + ls - lx, suffix);
}


/* The names whose drop-in directories apply to a name, most specific first: the name, its template,
 * and the "-" prefixes, each expanded the same way. */
static int dropin_candidates(const char *name, unsigned depth, char ***l) {
        _cleanup_(freep) char *prefix = NULL, *built = NULL;
        UnitNameKind kind;
        const char *end;
        char *dash;
        int r;

        if (depth > UNIT_NAME_MAX)
                return -ELOOP;

        r = strv_extend_unique(l, name);
        if (r < 0)
                return r;

        if (unit_type_is_valid(name)) /* the top-level type directory, "service" */
                return 0;

        kind = unit_name_classify(name);
        if (kind == UNIT_NAME_INVALID)
                return 0;
        if (kind == UNIT_NAME_INSTANCE) {
                _cleanup_(freep) char *t = unit_name_template(name);
                if (!t)
                        return -ENOMEM;
                r = dropin_candidates(t, depth + 1, l);
                if (r < 0)
                        return r;
        }

        end = strchr(name, '@') ?: strrchr(name, '.');
        prefix = strndup(name, (size_t) (end - name));
        if (!prefix)
                return -ENOMEM;

        /* "foo-bar-baz" -> "foo-bar-"; "foo-bar-" -> "foo-"; a leading dash ends it. */
        dash = strrchr(prefix, '-');
        if (dash && dash[1] == '\0') {
                *dash = '\0';
                dash = strrchr(prefix, '-');
        }
        if (!dash || dash == prefix)
                return 0;
        dash[1] = '\0';

        if (kind == UNIT_NAME_INSTANCE) {
                size_t li;
                const char *inst = unit_name_instance(name, &li);
                r = asprintf(&built, "%s@%.*s.%s", prefix, (int) li, inst, unit_name_type(name));
        } else if (kind == UNIT_NAME_TEMPLATE)
                r = asprintf(&built, "%s@.%s", prefix, unit_name_type(name));
        else
                r = asprintf(&built, "%s.%s", prefix, unit_name_type(name));
        if (r < 0) {
                built = NULL;
                return -ENOMEM;
        }

        return dropin_candidates(built, depth + 1, l);
}

/* --- drop-ins -------------------------------------------------------------------------------- */

typedef struct DropinFile {
        char *name;   /* file name, the sort and masking key */
        char *path;   /* NULL if masked */
} DropinFile;

static int cmp_dropin(const void *a, const void *b) {
        return strcmp(((const DropinFile *) a)->name, ((const DropinFile *) b)->name);
}

static int collect_dropin_dir(const char *root, const char *dirpath, DropinFile **files, size_t *n) {
        _cleanup_(closedirp) DIR *dir = NULL;
        struct dirent *de;
        int r;

        dir = opendir(dirpath);
        if (!dir)
                return errno == ENOENT || errno == ENOTDIR || errno == EACCES ? 0 : negative_errno();

        while ((errno = 0, de = readdir(dir))) {
                _cleanup_(freep) char *p = NULL, *final = NULL;
                bool seen = false;
                DropinFile *nf;

                if (de->d_name[0] == '.' || !endswith(de->d_name, ".conf"))
                        continue;
                for (size_t i = 0; i < *n; i++)
                        if (streq((*files)[i].name, de->d_name)) {
                                seen = true;
                                break;
                        }
                if (seen)
                        continue;

                p = unit_path_join(dirpath, de->d_name);
                if (!p)
                        return -ENOMEM;
                r = unit_chase_file(root, p, &final);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 && r != -EISDIR && r != -EBADFD && r != -ENOENT && r != -ELOOP && r != -EACCES)
                        return r;
                if (r < 0)
                        continue; /* not a file: systemd skips it as well */

                nf = reallocarray(*files, *n + 1, sizeof(DropinFile));
                if (!nf)
                        return -ENOMEM;
                *files = nf;
                nf[*n] = (DropinFile) { .name = strdup(de->d_name) };
                if (!nf[*n].name)
                        return -ENOMEM;
                /* The path where it was found (as systemd reports DropInPaths=), unless masked. */
                if (r > 0)
                        nf[*n].path = TAKE_PTR(p);
                (*n)++;
        }
        return errno != 0 ? negative_errno() : 0;
}

int unit_find_dropins(const char *root, char *const *sp, char *const *names, char ***ret) {
        _cleanup_(strv_freep) char **dirs = NULL, **result = NULL;
        DropinFile *files = NULL;
        size_t n_files = 0;
        int r = 0;

        for (char *const *name = names; name && *name; name++) {
                _cleanup_(strv_freep) char **cands = NULL;

                r = dropin_candidates(*name, 0, &cands);
                if (r < 0)
                        return r;
                for (char *const *d = sp; *d; d++)
                        for (char **c = cands; *c; c++) {
                                _cleanup_(freep) char *dn = NULL;

                                if (asprintf(&dn, "%s/%s.d", *d, *c) < 0)
                                        return -ENOMEM;
                                r = strv_extend_unique(&dirs, dn);
                                if (r < 0)
                                        return r;
                        }
        }
        if (names && names[0])
                for (char *const *d = sp; *d; d++) {
                        _cleanup_(freep) char *dn = NULL;

                        if (asprintf(&dn, "%s/%s.d", *d, unit_name_type(names[0])) < 0)
                                return -ENOMEM;
                        r = strv_extend_unique(&dirs, dn);
                        if (r < 0)
                                return r;
                }

        for (char **d = dirs; d && *d; d++) {
                r = collect_dropin_dir(root, *d, &files, &n_files);
                if (r < 0)
                        goto finish;
        }

        if (n_files > 0)
                qsort(files, n_files, sizeof(DropinFile), cmp_dropin);
        for (size_t i = 0; i < n_files; i++) {
                if (!files[i].path)
                        continue;
                r = strv_consume(&result, TAKE_PTR(files[i].path));
                if (r < 0)
                        goto finish;
        }
        r = 0;
        *ret = TAKE_PTR(result);

finish:
        for (size_t i = 0; i < n_files; i++) {
                free(files[i].name);
                free(files[i].path);
        }
        free(files);
        return r;
}

int unit_find_dropins_in(const char *dir, char ***ret) {
        _cleanup_(strv_freep) char **result = NULL;
        DropinFile *files = NULL;
        size_t n_files = 0;
        int r;

        r = collect_dropin_dir(NULL, dir, &files, &n_files);
        if (r >= 0 && n_files > 0)
                qsort(files, n_files, sizeof(DropinFile), cmp_dropin);
        for (size_t i = 0; i < n_files; i++) {
                if (r >= 0 && files[i].path)
                        r = strv_consume(&result, TAKE_PTR(files[i].path));
                free(files[i].name);
                free(files[i].path);
        }
        free(files);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(result);
        return 0;
}
