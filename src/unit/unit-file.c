/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fileio.h"
#include "ini-parse.h"
#include "macro.h"
#include "strv.h"
#include "unit-file.h"
#include "unit-internal.h"
#include "unit-name.h"

#define UNIT_FILE_MAX (16u * 1024u * 1024u)     /* we read whole files; refuse absurd ones */
#define UNIT_SETTINGS_MAX 65536u

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
 * The parts: unit-name.c (the name grammar), unit-path.c (search path, symlinks, aliases), unit-dropin.c
 * (drop-ins), ini-parse.c in libbasic (the syntax), this file (loading and looking settings up).
 * Nothing here logs; everything returns -errno.
 */

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

typedef struct ParseState {
        UnitConfig *config;
        const char *file;
} ParseState;

static int add_setting(const char *section, const char *key, const char *value, unsigned line, void *userdata) {
        ParseState *st = userdata;
        UnitConfig *c = st->config;
        UnitSetting *n;

        if (!key)
                return 0; /* a section header: the settings carry their section */
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
                .file = strdup(st->file),
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

static void set_error(UnitLoadError *e, const char *file, unsigned line, int r, const char *reason) {
        if (!e)
                return;
        *e = (UnitLoadError) { .line = line, .error = r, .reason = reason };
        snprintf(e->file, sizeof e->file, "%s", file);
}

static const char *read_error_reason(int r) {
        switch (r) {
        case -EFBIG:
                return "the file is larger than 16 MiB; a unit file is text of a few kilobytes";
        case -EISDIR:
                return "this is a directory, not a unit file";
        case -EBADFD:
                return "this is not a regular file";
        case -ENOENT:
                return "no such file";
        case -EACCES:
        case -EPERM:
                return "the file cannot be read with these privileges";
        default:
                return NULL;
        }
}

static int parse_file(UnitConfig *c, const char *path, UnitLoadError *error) {
        _cleanup_(freep) char *buf = NULL;
        ParseState st = { .config = c, .file = path };
        IniLocation loc;
        size_t size;
        int r;

        r = read_file_full(path, &buf, &size);
        if (r < 0) {
                set_error(error, path, 0, r, read_error_reason(r));
                return r;
        }
        /* A NUL byte ends a line for systemd; a file of them (/dev/zero, a binary) is no unit file. */
        if (size > 0 && memchr(buf, '\0', size) && strnlen(buf, size) * 2 < size) {
                set_error(error, path, 0, -EBADMSG, "the file is binary data, not a unit file");
                return -EBADMSG;
        }

        r = ini_parse(buf, size, 0, add_setting, &st, &loc);
        if (r < 0 && r != -ENOMEM)
                set_error(error, path, loc.line, r,
                          loc.error == INI_ERROR_HANDLER ? "more than 65536 settings" : ini_error_to_string(loc.error));
        return r;
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

static int unit_config_parse_all(UnitConfig *c, UnitLoadError *error) {
        int r;

        if (c->masked)
                return 0;
        if (c->fragment_path) {
                r = parse_file(c, c->fragment_path, error);
                if (r < 0)
                        return r;
        }
        for (char **d = c->dropin_paths; d && *d; d++) {
                r = parse_file(c, *d, error);
                if (r < 0)
                        return r;
        }
        return 0;
}

int unit_config_load(char *const *search_path_in, const char *name, UnitLoadError *error, UnitConfig **ret) {
        _cleanup_(unit_config_freep) UnitConfig *c = NULL;
        _cleanup_(strv_freep) char **names = NULL, **aliases = NULL, **search_path = NULL;
        _cleanup_(freep) char *root = NULL;
        Resolved res = {};
        int r;

        if (!search_path_in || !name || !ret)
                return -EINVAL;
        if (!unit_name_is_valid(name))
                return -EINVAL;

        r = unit_search_path_root(search_path_in, &root);
        if (r < 0)
                return r;
        r = unit_existing_dirs(search_path_in, &search_path);
        if (r < 0)
                return r;

        c = calloc(1, sizeof(UnitConfig));
        if (!c)
                return -ENOMEM;

        r = unit_resolve_name(root, search_path, name, 0, &res);
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
                unit_resolved_done(&res);
        }

        if (c->masked) {
                *ret = TAKE_PTR(c);
                return 0;
        }

        r = unit_find_aliases(root, search_path, c->name, &aliases);
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

        r = unit_find_dropins(root, search_path, names, &c->dropin_paths);
        if (r < 0)
                return r;

        if (!c->fragment_path && !c->dropin_paths)
                return -ENOENT;

        r = unit_config_parse_all(c, error);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(c);
        return 0;
}

int unit_config_load_file(const char *path, UnitLoadError *error, UnitConfig **ret) {
        _cleanup_(unit_config_freep) UnitConfig *c = NULL;
        _cleanup_(freep) char *dir = NULL, *final = NULL;
        int r;

        if (!path || !ret)
                return -EINVAL;

        c = calloc(1, sizeof(UnitConfig));
        if (!c)
                return -ENOMEM;
        c->name = strdup(unit_last_path_component(path));
        if (!c->name)
                return -ENOMEM;

        r = unit_chase_file(NULL, path, &final);
        if (r < 0) {
                set_error(error, path, 0, r, r == -EBADFD ? "this is a device or other special file, not a unit file" :
                          read_error_reason(r));
                return r;
        }
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
        r = unit_find_dropins_in(dir, &c->dropin_paths);
        if (r < 0)
                return r;

        r = unit_config_parse_all(c, error);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(c);
        return 0;
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
