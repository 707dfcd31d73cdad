/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * systemd unit files, read the way the system manager (252..262) merges them. See unit-file.h for the
 * interface and systemd.unit(5) / systemd.syntax(7) for the rules implemented here:
 *
 *  - the search path is walked in order; the first directory that has an entry for a name wins;
 *  - an entry that is an empty file or a symlink to /dev/null masks the unit;
 *  - a symlink whose target has the same file name is a "linked" unit file (the target is the
 *    fragment); one whose target has a different unit name is an alias, resolved by name again (so
 *    an alias to /usr/lib/.../foo.service picks up an /etc/.../foo.service that overrides it); a
 *    symlink foo@bar.service -> foo@.service makes an instance of the template;
 *  - an instance without an entry of its own falls back to its template;
 *  - drop-in directories are NAME.d/ for the unit's name and every alias, each expanded to the
 *    template name and to the "-" prefixes (foo-bar-baz.service -> foo-bar-.service, foo-.service),
 *    for every search path entry, and finally the type directory (service.d/); *.conf files in them
 *    are applied in file name order, and a file masks every later one with the same name (one that
 *    is empty or links to /dev/null masks without adding anything);
 *  - syntax: [Section] headers, KEY=VALUE with whitespace around both stripped, '#' and ';' comment
 *    lines (ignored even inside a continuation), a trailing unescaped backslash joins the next line
 *    (the backslash becomes a space), lines end at \n, \r\n, \r or NUL; assignments outside a section
 *    and lines without '=' are ignored, an unterminated section header is an error.
 *
 * Nothing here logs; everything returns -errno.
 */

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fileio.h"
#include "macro.h"
#include "strv.h"
#include "unit-file.h"

#define UNIT_NAME_MAX 255u                      /* systemd: 256 bytes including the NUL */
#define UNIT_LINE_MAX (1024u * 1024u)           /* systemd's LONG_LINE_MAX */
#define UNIT_FILE_MAX (16u * 1024u * 1024u)     /* we read whole files; refuse absurd ones */
#define UNIT_SETTINGS_MAX 65536u
#define SYMLINK_DEPTH_MAX 32u
#define WHITESPACE " \t\n\r"
#define COMMENTS "#;"

static void dir_closep(DIR **d) {
        if (*d)
                (void) closedir(*d);
}

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

static const char *const unit_types[] = {
        "service", "socket", "target", "device", "mount", "automount",
        "swap", "timer", "path", "slice", "scope",
};

/* --- small string helpers ------------------------------------------------------------------- */

static char *path_join(const char *a, const char *b) {
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

static const char *last_path_component(const char *p) {
        const char *s = strrchr(p, '/');
        return s ? s + 1 : p;
}

static bool endswith(const char *s, const char *suffix) {
        size_t ls = strlen(s), lx = strlen(suffix);
        return ls >= lx && streq(s + ls - lx, suffix);
}

static char *strstrip(char *s) {
        char *e;

        s += strspn(s, WHITESPACE);
        e = s + strlen(s);
        while (e > s && strchr(WHITESPACE, e[-1]))
                e--;
        *e = '\0';
        return s;
}

/* --- unit names ------------------------------------------------------------------------------ */

#define UNIT_NAME_CHARS "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ:-_.\\"

static bool unit_type_is_valid(const char *t) {
        for (size_t i = 0; i < ELEMENTSOF(unit_types); i++)
                if (streq(unit_types[i], t))
                        return true;
        return false;
}

typedef enum UnitNameKind {
        UNIT_NAME_INVALID,
        UNIT_NAME_PLAIN,
        UNIT_NAME_TEMPLATE,
        UNIT_NAME_INSTANCE,
} UnitNameKind;

static UnitNameKind unit_name_classify(const char *n) {
        const char *dot, *at;
        size_t l;

        l = strlen(n);
        if (l == 0 || l > UNIT_NAME_MAX)
                return UNIT_NAME_INVALID;
        dot = strrchr(n, '.');
        if (!dot || dot == n || !unit_type_is_valid(dot + 1))
                return UNIT_NAME_INVALID;

        at = memchr(n, '@', (size_t) (dot - n));
        if (!at) {
                if (strspn(n, UNIT_NAME_CHARS) < (size_t) (dot - n))
                        return UNIT_NAME_INVALID;
                return UNIT_NAME_PLAIN;
        }
        if (at == n || strspn(n, UNIT_NAME_CHARS) != (size_t) (at - n))
                return UNIT_NAME_INVALID;
        if (at + 1 == dot)
                return UNIT_NAME_TEMPLATE;
        if (strspn(at + 1, UNIT_NAME_CHARS "@") < (size_t) (dot - at - 1))
                return UNIT_NAME_INVALID;
        return UNIT_NAME_INSTANCE;
}

static bool unit_name_is_valid(const char *n) {
        return unit_name_classify(n) != UNIT_NAME_INVALID;
}

static const char *unit_name_type(const char *n) {
        return strrchr(n, '.') + 1; /* only for valid names */
}

/* foo@bar.service -> foo@.service */
static char *unit_name_template(const char *n) {
        const char *at = strchr(n, '@'), *dot = strrchr(n, '.');
        char *t;

        if (asprintf(&t, "%.*s%s", (int) (at - n + 1), n, dot) < 0)
                return NULL;
        return t;
}

/* instance of a (valid, instance) name, pointer and length */
static const char *unit_name_instance(const char *n, size_t *ret_len) {
        const char *at = strchr(n, '@'), *dot = strrchr(n, '.');

        *ret_len = (size_t) (dot - at - 1);
        return at + 1;
}

/* template + instance of another name -> instance name */
static char *unit_name_replace_instance(const char *template, const char *instance_of) {
        const char *at = strchr(template, '@'), *inst;
        size_t li;
        char *t;

        inst = unit_name_instance(instance_of, &li);
        if (asprintf(&t, "%.*s%.*s%s", (int) (at - template + 1), template, (int) li, inst, strrchr(template, '.')) < 0)
                return NULL;
        return t;
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

                p = r ? path_join(r, system_unit_path[i]) : strdup(system_unit_path[i]);
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
static int search_path_root(char *const *sp, char **ret) {
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

static bool stat_is_null_or_empty(const struct stat *st) {
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
                return root ? path_join(root, target) : strdup(target);

        const char *slash = strrchr(link, '/');
        _cleanup_(freep) char *dir = slash ? strndup(link, (size_t) (slash - link) ?: 1) : strdup(".");
        if (!dir)
                return NULL;
        return path_join(dir, target);
}

/* Follow symlinks of the last component under root. Returns 1 and the final path if it is a
 * regular, non-empty file; 0 if it is masked (/dev/null, empty); -errno otherwise. */
static int chase_file(const char *root, const char *path, char **ret) {
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
                        if (stat_is_null_or_empty(&st)) {
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

typedef struct Resolved {
        char *name;      /* canonical name */
        char *fragment;  /* NULL if masked */
        bool masked;
} Resolved;

static void resolved_done(Resolved *r) {
        free(r->name);
        free(r->fragment);
        *r = (Resolved) {};
}

static int resolve_name(const char *root, char *const *sp, const char *name, unsigned depth, Resolved *ret);

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
                if (stat_is_null_or_empty(&st)) {
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

        base = last_path_component(target);
        kind = unit_name_classify(name);
        tkind = unit_name_classify(base);

        if (streq(base, name) || tkind == UNIT_NAME_INVALID ||
            (kind == UNIT_NAME_INSTANCE && tkind == UNIT_NAME_TEMPLATE &&
             strncmp(name, base, (size_t) (strchr(base, '@') - base + 1)) == 0 &&
             streq(unit_name_type(name), unit_name_type(base)))) {
                /* A linked unit file, or an instance linked to its own template: the target is
                 * the fragment, the name stays. */
                _cleanup_(freep) char *frag = NULL;

                r = chase_file(root, tpath, &frag);
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

        r = resolve_name(root, sp, tname, depth + 1, ret);
        if (r != -ENOENT)
                return r < 0 ? r : 1;

        /* The target's name is not on the search path: the target file itself is the fragment. */
        {
                _cleanup_(freep) char *frag = NULL;

                r = chase_file(root, tpath, &frag);
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

static int resolve_name(const char *root, char *const *sp, const char *name, unsigned depth, Resolved *ret) {
        int r;

        if (depth > SYMLINK_DEPTH_MAX)
                return -ELOOP;

        for (char *const *d = sp; d && *d; d++) {
                _cleanup_(freep) char *p = path_join(*d, name);
                if (!p)
                        return -ENOMEM;

                r = resolve_entry(root, sp, name, p, depth, ret);
                if (r < 0) {
                        resolved_done(ret);
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
                r = resolve_name(root, sp, t, depth + 1, &tr);
                if (r < 0)
                        return r;
                /* The template may itself be an alias of another template. */
                if (!streq(tr.name, t) && unit_name_classify(tr.name) == UNIT_NAME_TEMPLATE)
                        ret->name = unit_name_replace_instance(tr.name, name);
                else
                        ret->name = strdup(name);
                ret->fragment = TAKE_PTR(tr.fragment);
                ret->masked = tr.masked;
                resolved_done(&tr);
                if (!ret->name) {
                        resolved_done(ret);
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
                _cleanup_(dir_closep) DIR *dir = NULL;
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

        r = resolve_name(s->root, s->sp, name, 0, &res);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0; /* broken aliases do not stop the others */
        if (streq(res.name, s->canonical))
                r = strv_extend(&s->aliases, name);
        resolved_done(&res);
        return r < 0 ? r : 0;
}

/* Every other name on the search path that resolves to canonical. For an instance, also the aliases
 * of its template, instantiated. Sorted. */
static int find_aliases(const char *root, char *const *sp, const char *canonical, char ***ret) {
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

/* --- drop-ins -------------------------------------------------------------------------------- */

typedef struct DropinFile {
        char *name;   /* file name, the sort and masking key */
        char *path;   /* NULL if masked */
} DropinFile;

static int cmp_dropin(const void *a, const void *b) {
        return strcmp(((const DropinFile *) a)->name, ((const DropinFile *) b)->name);
}

static int collect_dropin_dir(const char *root, const char *dirpath, DropinFile **files, size_t *n) {
        _cleanup_(dir_closep) DIR *dir = NULL;
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

                p = path_join(dirpath, de->d_name);
                if (!p)
                        return -ENOMEM;
                r = chase_file(root, p, &final);
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

static int find_dropins(const char *root, char *const *sp, char *const *names, char ***ret) {
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

/* --- parsing --------------------------------------------------------------------------------- */

static int read_file_full(const char *path, char **ret, size_t *ret_size) {
        _cleanup_(closep) int fd = -EBADF;
        struct stat st;
        int r;

        fd = open(path, O_RDONLY|O_CLOEXEC|O_NOCTTY|O_NONBLOCK);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode))
                return -EBADFD;

        r = read_full_fd(fd, UNIT_FILE_MAX, ret, ret_size);
        return r == -E2BIG ? -EFBIG : r;
}

static int add_setting(UnitConfig *c, const char *section, const char *key, const char *value, const char *file,
                       unsigned line) {
        UnitSetting *n;

        if (c->n_settings >= UNIT_SETTINGS_MAX)
                return -E2BIG;
        n = reallocarray(c->settings, c->n_settings + 1, sizeof(UnitSetting));
        if (!n)
                return -ENOMEM;
        c->settings = n;
        n = &c->settings[c->n_settings];
        *n = (UnitSetting) {
                .section = strdup(section),
                .key = strdup(key),
                .value = strdup(value),
                .file = strdup(file),
                .line = line,
        };
        if (!n->section || !n->key || !n->value || !n->file) {
                free(n->section);
                free(n->key);
                free(n->value);
                free(n->file);
                return -ENOMEM;
        }
        c->n_settings++;
        return 0;
}

/* One logical line (continuations joined). */
static int parse_line(UnitConfig *c, char **section, char *l, const char *file, unsigned line) {
        char *e, *key, *value;

        l = strstrip(l);
        if (*l == '\0' || strchr(COMMENTS, *l))
                return 0;

        if (*l == '[') {
                size_t n = strlen(l);
                char *s;

                if (l[n - 1] != ']')
                        return -EBADMSG;
                s = strndup(l + 1, n - 2);
                if (!s)
                        return -ENOMEM;
                free(*section);
                *section = s;
                return 0;
        }

        if (!*section)
                return 0; /* systemd: "Assignment outside of section. Ignoring." */

        e = strchr(l, '=');
        if (!e)
                return 0; /* systemd: "Missing '=', ignoring line." */
        *e = '\0';
        key = strstrip(l);
        value = strstrip(e + 1);
        if (*key == '\0')
                return 0;

        return add_setting(c, *section, key, value, file, line);
}

static bool ends_in_continuation(const char *p) {
        bool escaped = false;

        for (; *p; p++)
                escaped = !escaped && *p == '\\';
        return escaped;
}

static int parse_file(UnitConfig *c, const char *path) {
        _cleanup_(freep) char *buf = NULL, *section = NULL, *cont = NULL;
        size_t size, pos = 0, cont_len = 0;
        unsigned line = 0, cont_line = 0;
        int r;

        r = read_file_full(path, &buf, &size);
        if (r < 0)
                return r;

        /* Skip a UTF-8 byte order mark. */
        if (size >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
                pos = 3;

        while (pos < size || cont) {
                char *l, *p;
                size_t len = 0;
                bool at_eof = pos >= size;

                if (!at_eof) {
                        l = buf + pos;
                        while (pos + len < size && !strchr("\n\r", l[len]) && l[len] != '\0')
                                len++;
                        pos += len;
                        if (pos < size) {
                                if (buf[pos] == '\r' && pos + 1 < size && buf[pos + 1] == '\n')
                                        pos++;
                                pos++;
                        }
                        l[len] = '\0';
                        line++;
                } else
                        l = (char *) "";

                if (len > UNIT_LINE_MAX)
                        return -ENOBUFS;

                /* Comment lines are skipped, also in the middle of a continuation. */
                if (!at_eof) {
                        const char *s = l + strspn(l, WHITESPACE);
                        if (*s != '\0' && strchr(COMMENTS, *s))
                                continue;
                }

                if (cont) {
                        char *n;

                        if (cont_len + len > UNIT_LINE_MAX)
                                return -ENOBUFS;
                        n = realloc(cont, cont_len + len + 1);
                        if (!n)
                                return -ENOMEM;
                        memcpy(n + cont_len, l, len + 1);
                        cont = n;
                        cont_len += len;
                        p = cont;
                } else {
                        p = l;
                        cont_line = line;
                }

                if (!at_eof && ends_in_continuation(p)) {
                        if (!cont) {
                                cont = strdup(p);
                                if (!cont)
                                        return -ENOMEM;
                                cont_len = len;
                        }
                        cont[cont_len - 1] = ' ';
                        continue;
                }

                r = parse_line(c, &section, p, path, cont_line);
                free(cont);
                cont = NULL;
                cont_len = 0;
                if (r < 0)
                        return r;
        }

        return 0;
}

/* --- public API ------------------------------------------------------------------------------ */

UnitConfig *unit_config_free(UnitConfig *c) {
        if (!c)
                return NULL;
        free(c->name);
        free(c->fragment_path);
        strv_free(c->dropin_paths);
        for (size_t i = 0; i < c->n_settings; i++) {
                free(c->settings[i].section);
                free(c->settings[i].key);
                free(c->settings[i].value);
                free(c->settings[i].file);
        }
        free(c->settings);
        free(c);
        return NULL;
}

static int unit_config_parse_all(UnitConfig *c) {
        int r;

        if (c->masked)
                return 0;
        if (c->fragment_path) {
                r = parse_file(c, c->fragment_path);
                if (r < 0)
                        return r;
        }
        for (char **d = c->dropin_paths; d && *d; d++) {
                r = parse_file(c, *d);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The search path entries that are directories: everything below walks only these. */
static int existing_dirs(char *const *sp, char ***ret) {
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

int unit_config_load(char *const *search_path_in, const char *name, UnitConfig **ret) {
        _cleanup_(unit_config_freep) UnitConfig *c = NULL;
        _cleanup_(strv_freep) char **names = NULL, **aliases = NULL, **search_path = NULL;
        _cleanup_(freep) char *root = NULL;
        Resolved res = {};
        int r;

        if (!search_path_in || !name || !ret)
                return -EINVAL;
        if (!unit_name_is_valid(name))
                return -EINVAL;

        r = search_path_root(search_path_in, &root);
        if (r < 0)
                return r;
        r = existing_dirs(search_path_in, &search_path);
        if (r < 0)
                return r;

        c = calloc(1, sizeof(UnitConfig));
        if (!c)
                return -ENOMEM;

        r = resolve_name(root, search_path, name, 0, &res);
        if (r < 0 && r != -ENOENT)
                return r;
        if (r == -ENOENT) {
                c->name = strdup(name);
                if (!c->name)
                        return -ENOMEM;
        } else {
                c->name = TAKE_PTR(res.name);
                c->fragment_path = TAKE_PTR(res.fragment);
                c->masked = res.masked;
                resolved_done(&res);
        }

        if (c->masked) {
                *ret = TAKE_PTR(c);
                return 0;
        }

        r = find_aliases(root, search_path, c->name, &aliases);
        if (r < 0)
                return r;
        r = strv_extend(&names, c->name);
        if (r < 0)
                return r;
        for (char **a = aliases; a && *a; a++) {
                r = strv_extend_unique(&names, *a);
                if (r < 0)
                        return r;
        }

        r = find_dropins(root, search_path, names, &c->dropin_paths);
        if (r < 0)
                return r;

        if (!c->fragment_path && !c->dropin_paths)
                return -ENOENT;

        r = unit_config_parse_all(c);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(c);
        return 0;
}

int unit_config_load_file(const char *path, UnitConfig **ret) {
        _cleanup_(unit_config_freep) UnitConfig *c = NULL;
        _cleanup_(freep) char *dir = NULL, *final = NULL;
        DropinFile *files = NULL;
        size_t n_files = 0;
        int r;

        if (!path || !ret)
                return -EINVAL;

        c = calloc(1, sizeof(UnitConfig));
        if (!c)
                return -ENOMEM;
        c->name = strdup(last_path_component(path));
        if (!c->name)
                return -ENOMEM;

        r = chase_file(NULL, path, &final);
        if (r < 0)
                return r;
        if (r == 0) {
                c->masked = true;
                *ret = TAKE_PTR(c);
                return 0;
        }
        c->fragment_path = strdup(path);
        if (!c->fragment_path)
                return -ENOMEM;

        if (asprintf(&dir, "%s.d", path) < 0) {
                dir = NULL;
                return -ENOMEM;
        }
        r = collect_dropin_dir(NULL, dir, &files, &n_files);
        if (r >= 0 && n_files > 0)
                qsort(files, n_files, sizeof(DropinFile), cmp_dropin);
        for (size_t i = 0; i < n_files; i++) {
                if (r >= 0 && files[i].path)
                        r = strv_consume(&c->dropin_paths, TAKE_PTR(files[i].path));
                free(files[i].name);
                free(files[i].path);
        }
        free(files);
        if (r < 0)
                return r;

        r = unit_config_parse_all(c);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(c);
        return 0;
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

const char *unit_config_get(const UnitConfig *c, const char *section, const char *key) {
        if (!c || !section || !key)
                return NULL;

        for (size_t i = c->n_settings; i > 0; i--) {
                const UnitSetting *s = &c->settings[i - 1];

                if (streq(s->section, section) && streq(s->key, key))
                        return isempty(s->value) ? NULL : s->value;
        }
        return NULL;
}

int unit_config_get_all(const UnitConfig *c, const char *section, const char *key, const UnitSetting ***ret) {
        const UnitSetting **l;
        size_t first = 0, n = 0;

        if (!c || !section || !key || !ret)
                return -EINVAL;

        for (size_t i = 0; i < c->n_settings; i++) {
                const UnitSetting *s = &c->settings[i];

                if (!streq(s->section, section) || !streq(s->key, key))
                        continue;
                if (isempty(s->value)) {
                        first = i + 1;
                        n = 0;
                } else
                        n++;
        }

        if (n == 0) {
                *ret = NULL;
                return 0;
        }
        if (n > INT_MAX)
                return -E2BIG;

        l = calloc(n, sizeof(UnitSetting *));
        if (!l)
                return -ENOMEM;
        n = 0;
        for (size_t i = first; i < c->n_settings; i++) {
                const UnitSetting *s = &c->settings[i];

                if (streq(s->section, section) && streq(s->key, key))
                        l[n++] = s;
        }
        *ret = l;
        return (int) n;
}

int parse_boolean(const char *v) {
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
        static const char *const no[] = { "0", "no", "n", "false", "f", "off" };

        if (!v)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (strcaseeq(v, yes[i]))
                        return 1;
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (strcaseeq(v, no[i]))
                        return 0;
        return -EINVAL;
}
