/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where systemd finds a unit: the search path, symlinks (linked unit files, aliases, masks),
 * templates, and the list of unit names on the path. See unit-file.c for the rules.
 */

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "macro.h"
#include "strv.h"
#include "unit-file.h"
#include "unit-internal.h"
#include "unit-name.h"

#define SYMLINK_DEPTH_MAX 32u

static const char *const system_unit_path[] = {
        "/etc/systemd/system.control",
        "/run/systemd/system.control",
        "/run/systemd/transient",
        "/run/systemd/generator.early",
        "/etc/systemd/system",
        "/etc/systemd/system.attached",
        "/run/systemd/system",
        "/run/systemd/system.attached",
        "/run/systemd/generator",
        "/usr/local/lib/systemd/system",
        "/usr/lib/systemd/system",
        "/lib/systemd/system",
        "/run/systemd/generator.late",
};

char *unit_path_join(const char *a, const char *b) {
        size_t la = strlen(a);
        char *p;

        while (la > 1 && a[la - 1] == '/')
                la--;
        while (*b == '/')
                b++;
        if (asprintf(&p, "%.*s/%s", (int) la, a, b) < 0)
                return NULL;
        return p;
}

/* --- search path ----------------------------------------------------------------------------- */

static char *normalize_dir(const char *p) {
        size_t l = strlen(p);

        while (l > 1 && p[l - 1] == '/')
                l--;
        return strndup(p, l);
}

int unit_search_path(const char *root, const char *skip_dir, char ***ret) {
        _cleanup_(strv_freep) char **l = NULL;
        _cleanup_(freep) char *r = NULL, *skip = NULL;
        int k;

        if (!ret)
                return -EINVAL;

        if (root && !isempty(root)) {
                r = normalize_dir(root);
                if (!r)
                        return -ENOMEM;
                if (streq(r, "/")) {
                        free(r);
                        r = NULL;
                }
        }
        if (skip_dir) {
                skip = normalize_dir(skip_dir);
                if (!skip)
                        return -ENOMEM;
        }

        for (size_t i = 0; i < ELEMENTSOF(system_unit_path); i++) {
                _cleanup_(freep) char *p = NULL;

                p = r ? unit_path_join(r, system_unit_path[i]) : strdup(system_unit_path[i]);
                if (!p)
                        return -ENOMEM;
                if (skip && (streq(skip, system_unit_path[i]) || streq(skip, p)))
                        continue;
                k = strv_consume(&l, TAKE_PTR(p));
                if (k < 0)
                        return k;
        }

        return strv_take_nonnull(&l, ret);
}

/* The root the search path was made for, so that absolute symlink targets ("/usr/lib/systemd/...")
 * can be looked up under it: derived from the first entry that ends in a standard unit directory. */
int unit_search_path_root(char *const *sp, char **ret) {
        for (; sp && *sp; sp++)
                for (size_t i = 0; i < ELEMENTSOF(system_unit_path); i++) {
                        size_t ls = strlen(*sp), lu = strlen(system_unit_path[i]);

                        if (ls < lu || !streq(*sp + ls - lu, system_unit_path[i]))
                                continue;
                        if (ls == lu) {
                                *ret = NULL;
                                return 0;
                        }
                        *ret = strndup(*sp, ls - lu);
                        return *ret ? 0 : -ENOMEM;
                }
        *ret = NULL;
        return 0;
}

/* --- symlinks and masks ---------------------------------------------------------------------- */

bool unit_stat_is_null_or_empty(const struct stat *st) {
        if (S_ISCHR(st->st_mode))
                return st->st_rdev == makedev(1, 3);
        return S_ISREG(st->st_mode) && st->st_size == 0;
}

static int readlink_malloc(const char *p, char **ret) {
        char buf[PATH_MAX];
        ssize_t n;

        n = readlink(p, buf, sizeof buf - 1);
        if (n < 0)
                return negative_errno();
        buf[n] = '\0';
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}

/* Where a symlink at `link` with contents `target` points, under root. */
static char *symlink_target_path(const char *root, const char *link, const char *target) {
        if (target[0] == '/')
                return root ? unit_path_join(root, target) : strdup(target);

        const char *slash = strrchr(link, '/');
        _cleanup_(freep) char *dir = slash ? strndup(link, (size_t) (slash - link) ?: 1) : strdup(".");
        if (!dir)
                return NULL;
        return unit_path_join(dir, target);
}

/* Follow symlinks of the last component under root. Returns 1 and the final path if it is a
 * regular, non-empty file; 0 if it is masked (/dev/null, empty); -errno otherwise. */
int unit_chase_file(const char *root, const char *path, char **ret) {
        _cleanup_(freep) char *p = strdup(path);
        struct stat st;
        int r;

        if (!p)
                return -ENOMEM;

        for (unsigned i = 0; i < SYMLINK_DEPTH_MAX; i++) {
                _cleanup_(freep) char *t = NULL;
                char *n;

                if (lstat(p, &st) < 0)
                        return negative_errno();
                if (!S_ISLNK(st.st_mode)) {
                        if (unit_stat_is_null_or_empty(&st)) {
                                *ret = NULL;
                                return 0;
                        }
                        if (!S_ISREG(st.st_mode))
                                return S_ISDIR(st.st_mode) ? -EISDIR : -EBADFD;
                        *ret = TAKE_PTR(p);
                        return 1;
                }
                r = readlink_malloc(p, &t);
                if (r < 0)
                        return r;
                if (streq(t, "/dev/null")) {
                        *ret = NULL;
                        return 0;
                }
                n = symlink_target_path(root, p, t);
                if (!n)
                        return -ENOMEM;
                free(p);
                p = n;
        }
        return -ELOOP;
}

/* --- name resolution ------------------------------------------------------------------------- */


void unit_resolved_done(Resolved *r) {
        free(r->name);
        free(r->fragment);
        *r = (Resolved) {};
}

int unit_resolve_name(const char *root, char *const *sp, const char *name, unsigned depth, Resolved *ret);

/* One directory entry `p` for `name` (the first on the search path). 1 if it decides, 0 if the entry
 * is to be ignored (not a file, a symlink of the wrong type). */
static int resolve_entry(const char *root, char *const *sp, const char *name, const char *p, unsigned depth,
                         Resolved *ret) {
        _cleanup_(freep) char *target = NULL, *tpath = NULL, *tname = NULL;
        UnitNameKind kind, tkind;
        const char *base;
        struct stat st;
        int r;

        if (lstat(p, &st) < 0)
                return errno == ENOENT ? 0 : negative_errno();

        if (!S_ISLNK(st.st_mode)) {
                if (unit_stat_is_null_or_empty(&st)) {
                        ret->name = strdup(name);
                        ret->masked = true;
                        return ret->name ? 1 : -ENOMEM;
                }
                if (!S_ISREG(st.st_mode))
                        return 0;
                ret->name = strdup(name);
                ret->fragment = strdup(p);
                return ret->name && ret->fragment ? 1 : -ENOMEM;
        }

        r = readlink_malloc(p, &target);
        if (r < 0)
                return r;
        if (streq(target, "/dev/null")) {
                ret->name = strdup(name);
                ret->masked = true;
                return ret->name ? 1 : -ENOMEM;
        }
        tpath = symlink_target_path(root, p, target);
        if (!tpath)
                return -ENOMEM;

        base = unit_last_path_component(target);
        kind = unit_name_classify(name);
        tkind = unit_name_classify(base);

        if (streq(base, name) || tkind == UNIT_NAME_INVALID ||
            (kind == UNIT_NAME_INSTANCE && tkind == UNIT_NAME_TEMPLATE &&
             strncmp(name, base, (size_t) (strchr(base, '@') - base + 1)) == 0 &&
             streq(unit_name_type(name), unit_name_type(base)))) {
                /* A linked unit file, or an instance linked to its own template: the target is
                 * the fragment, the name stays. */
                _cleanup_(freep) char *frag = NULL;

                r = unit_chase_file(root, tpath, &frag);
                if (r == -ENOENT)
                        return 0; /* dangling: systemd ignores it */
                if (r < 0)
                        return r;
                ret->name = strdup(name);
                if (!ret->name)
                        return -ENOMEM;
                ret->masked = r == 0;
                ret->fragment = TAKE_PTR(frag);
                return 1;
        }

        /* An alias: the unit is known by the target's name. */
        if (!streq(unit_name_type(name), unit_name_type(base)))
                return 0;
        if (kind == UNIT_NAME_INSTANCE && tkind == UNIT_NAME_TEMPLATE)
                tname = unit_name_replace_instance(base, name);
        else if (kind != UNIT_NAME_INSTANCE && tkind == UNIT_NAME_INSTANCE)
                return 0;
        else
                tname = strdup(base);
        if (!tname)
                return -ENOMEM;

        r = unit_resolve_name(root, sp, tname, depth + 1, ret);
        if (r != -ENOENT)
                return r < 0 ? r : 1;

        /* The target's name is not on the search path: the target file itself is the fragment. */
        {
                _cleanup_(freep) char *frag = NULL;

                r = unit_chase_file(root, tpath, &frag);
                if (r == -ENOENT)
                        return 0;
                if (r < 0)
                        return r;
                ret->name = TAKE_PTR(tname);
                ret->masked = r == 0;
                ret->fragment = TAKE_PTR(frag);
                return 1;
        }
}

int unit_resolve_name(const char *root, char *const *sp, const char *name, unsigned depth, Resolved *ret) {
        int r;

        if (depth > SYMLINK_DEPTH_MAX)
                return -ELOOP;

        for (char *const *d = sp; d && *d; d++) {
                _cleanup_(freep) char *p = unit_path_join(*d, name);
                if (!p)
                        return -ENOMEM;

                r = resolve_entry(root, sp, name, p, depth, ret);
                if (r < 0) {
                        unit_resolved_done(ret);
                        return r;
                }
                if (r > 0)
                        return 0;
        }

        if (unit_name_classify(name) == UNIT_NAME_INSTANCE) {
                _cleanup_(freep) char *t = unit_name_template(name);
                Resolved tr = {};

                if (!t)
                        return -ENOMEM;
                r = unit_resolve_name(root, sp, t, depth + 1, &tr);
                if (r < 0)
                        return r;
                /* The template may itself be an alias of another template. */
                if (!streq(tr.name, t) && unit_name_classify(tr.name) == UNIT_NAME_TEMPLATE)
                        ret->name = unit_name_replace_instance(tr.name, name);
                else
                        ret->name = strdup(name);
                ret->fragment = TAKE_PTR(tr.fragment);
                ret->masked = tr.masked;
                unit_resolved_done(&tr);
                if (!ret->name) {
                        unit_resolved_done(ret);
                        return -ENOMEM;
                }
                return 0;
        }

        return -ENOENT;
}

/* Calls f for every unit name (file or symlink) directly in the search path directories. */
static int foreach_unit_entry(char *const *sp, int (*f)(const char *dir, const char *name, bool is_link, void *userdata),
                              void *userdata) {
        int r;

        for (char *const *d = sp; d && *d; d++) {
                _cleanup_(closedirp) DIR *dir = NULL;
                struct dirent *de;

                dir = opendir(*d);
                if (!dir) {
                        if (errno == ENOENT || errno == ENOTDIR || errno == EACCES)
                                continue;
                        return negative_errno();
                }

                while ((errno = 0, de = readdir(dir))) {
                        unsigned char type = de->d_type;

                        if (de->d_name[0] == '.' || !unit_name_is_valid(de->d_name))
                                continue;
                        if (type == DT_UNKNOWN) {
                                struct stat st;

                                if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                                        continue;
                                type = S_ISLNK(st.st_mode) ? DT_LNK : S_ISREG(st.st_mode) ? DT_REG :
                                       S_ISCHR(st.st_mode) ? DT_CHR : DT_DIR;
                        }
                        if (type != DT_REG && type != DT_LNK && type != DT_CHR)
                                continue;

                        r = f(*d, de->d_name, type == DT_LNK, userdata);
                        if (r < 0)
                                return r;
                }
                if (errno != 0)
                        return negative_errno();
        }
        return 0;
}

typedef struct AliasScan {
        const char *root;
        char *const *sp;
        const char *canonical;
        char **seen;
        char **aliases;
} AliasScan;

static int alias_scan_one(const char *dir, const char *name, bool is_link, void *userdata) {
        AliasScan *s = userdata;
        Resolved res = {};
        int r;

        if (!is_link || streq(name, s->canonical) || strv_contains(s->seen, name))
                return 0;
        if (!streq(unit_name_type(name), unit_name_type(s->canonical)))
                return 0;
        r = strv_extend(&s->seen, name);
        if (r < 0)
                return r;

        r = unit_resolve_name(s->root, s->sp, name, 0, &res);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0; /* broken aliases do not stop the others */
        if (streq(res.name, s->canonical))
                r = strv_extend(&s->aliases, name);
        unit_resolved_done(&res);
        return r < 0 ? r : 0;
}

/* Every other name on the search path that resolves to canonical. For an instance, also the aliases
 * of its template, instantiated. Sorted. */
int unit_find_aliases(const char *root, char *const *sp, const char *canonical, char ***ret) {
        AliasScan s = { .root = root, .sp = sp, .canonical = canonical };
        int r;

        r = foreach_unit_entry(sp, alias_scan_one, &s);
        if (r >= 0 && unit_name_classify(canonical) == UNIT_NAME_INSTANCE) {
                _cleanup_(freep) char *t = unit_name_template(canonical);
                AliasScan ts = { .root = root, .sp = sp, .canonical = t };

                if (!t)
                        r = -ENOMEM;
                else
                        r = foreach_unit_entry(sp, alias_scan_one, &ts);
                for (char **a = ts.aliases; r >= 0 && a && *a; a++) {
                        if (unit_name_classify(*a) != UNIT_NAME_TEMPLATE)
                                continue;
                        r = strv_consume(&s.aliases, unit_name_replace_instance(*a, canonical));
                }
                strv_free(ts.aliases);
                strv_free(ts.seen);
        }
        strv_free(s.seen);
        if (r < 0) {
                strv_free(s.aliases);
                return r;
        }
        strv_sort_uniq(s.aliases);
        *ret = s.aliases;
        return 0;
}

/* The search path entries that are directories: everything below walks only these. */
int unit_existing_dirs(char *const *sp, char ***ret) {
        _cleanup_(strv_freep) char **l = NULL;
        int r;

        for (; sp && *sp; sp++) {
                struct stat st;

                if (stat(*sp, &st) < 0 || !S_ISDIR(st.st_mode))
                        continue;
                r = strv_extend(&l, *sp);
                if (r < 0)
                        return r;
        }
        return strv_take_nonnull(&l, ret);
}

static int enumerate_one(const char *dir, const char *name, bool is_link, void *userdata) {
        return strv_extend(userdata, name);
}

int unit_enumerate(char *const *search_path, char ***ret_names) {
        _cleanup_(strv_freep) char **l = NULL;
        int r;

        if (!search_path || !ret_names)
                return -EINVAL;

        r = foreach_unit_entry(search_path, enumerate_one, &l);
        if (r < 0)
                return r;
        strv_sort_uniq(l);
        return strv_take_nonnull(&l, ret_names);
}
