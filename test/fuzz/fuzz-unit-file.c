/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The unit file loader, on a whole tree: fragments on several search path entries, NAME.d/ *.conf
 * drop-ins, templates and instances, aliases, masks. The input describes the tree and the unit to
 * load:
 *
 *   app@blue.service                   line 1: the unit to load
 *   --- U/app@.service                 a file; its contents are the lines up to the next "\n--- "
 *   [Service]
 *   ExecStart=/bin/app
 *   --- E/app@blue.service.d/10.conf
 *   [Service]
 *   Nice=2
 *   --- E/alias.service -> /usr/lib/systemd/system/app@.service    a symlink
 *   --- R/masked.service -> /dev/null
 *   --- E/dir.service/                 a directory
 *
 * Paths are relative to a fake root; E/, R/, U/, L/, G/, T/, C/ stand for its etc/systemd/system,
 * run/systemd/system, usr/lib/systemd/system, lib/systemd/system, run/systemd/generator,
 * run/systemd/transient and etc/systemd/system.control. No component may be "." or "..", and
 * symlink targets may not contain "..", so nothing outside the root is read. The tree is built on
 * tmpfs (/dev/shm) and removed after each input.
 *
 * The unit is loaded through the search path (unit_config_load), every unit the tree holds is
 * enumerated and loaded too, and the first file is loaded as "verify FILE" does
 * (unit_config_load_file). Whatever loads must be consistent: settings are single lines with
 * every field set, they come from the fragment and the drop-ins in the order the drop-ins are
 * listed, drop-ins are listed in strictly increasing file name order, every path is inside the
 * root, a masked unit has no settings, and list lookups agree with single lookups.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "strv.h"
#include "unit-file.h"

#define FUZZ_INPUT_MAX (64 * 1024)
#define FUZZ_RECORDS_MAX 32
#define FUZZ_DEPTH_MAX 8
#define FUZZ_ENUMERATED_MAX 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
        char key;
        const char *dir;
} fuzz_dirs[] = {
        { 'E', "etc/systemd/system" },
        { 'R', "run/systemd/system" },
        { 'U', "usr/lib/systemd/system" },
        { 'L', "lib/systemd/system" },
        { 'G', "run/systemd/generator" },
        { 'T', "run/systemd/transient" },
        { 'C', "etc/systemd/system.control" },
};

static char *fuzz_root;
static int fuzz_root_fd = -EBADF;

/* Removes everything below dir_fd (which it closes). */
static void rm_children(int dir_fd) {
        DIR *d = fdopendir(dir_fd); /* a description of its own: the offset starts at 0 */
        struct dirent *de;

        if (!d)
                abort();
        while ((de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (de->d_type == DT_DIR) {
                        int fd = openat(dirfd(d), de->d_name, O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);

                        if (fd < 0)
                                abort();
                        rm_children(fd);
                        if (unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0)
                                abort();
                } else if (unlinkat(dirfd(d), de->d_name, 0) < 0)
                        abort();
        }
        closedir(d);
}

static void fuzz_cleanup(void) {
        if (!fuzz_root)
                return;
        rm_children(openat(fuzz_root_fd, ".", O_RDONLY|O_DIRECTORY|O_CLOEXEC));
        (void) rmdir(fuzz_root);
        free(fuzz_root);
        fuzz_root = NULL;
}

static void fuzz_setup(void) {
        char dir[] = "/dev/shm/fuzz-unit-file.XXXXXX", fallback[] = "/tmp/fuzz-unit-file.XXXXXX";
        const char *d;

        if (fuzz_root)
                return;
        d = mkdtemp(dir) ?: mkdtemp(fallback);
        if (!d || !(fuzz_root = strdup(d)))
                abort();
        fuzz_root_fd = open(fuzz_root, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (fuzz_root_fd < 0)
                abort();
        atexit(fuzz_cleanup);
}

/* The path of a record relative to the root, shorthand expanded; NULL if it is not allowed. */
static char *record_path(const char *p) {
        _cleanup_(freep) char *rel = NULL;
        unsigned depth = 0;
        const char *c;

        rel = strdup(p);
        for (size_t i = 0; rel && i < ELEMENTSOF(fuzz_dirs); i++)
                if (p[0] == fuzz_dirs[i].key && p[1] == '/') {
                        free(rel);
                        if (asprintf(&rel, "%s/%s", fuzz_dirs[i].dir, p + 2) < 0)
                                rel = NULL;
                        break;
                }
        if (!rel)
                abort();

        for (c = rel;;) {
                size_t n = strcspn(c, "/");

                if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.') ||
                    ++depth > FUZZ_DEPTH_MAX)
                        return NULL;
                c += n;
                if (*c == '\0' || *++c == '\0') /* the end, or a trailing slash */
                        break;
        }
        return depth > 0 ? TAKE_PTR(rel) : NULL;
}

static bool target_allowed(const char *t) {
        return *t && !strstr(t, "..");
}

static void mkdir_parents_at(char *rel) {
        for (char *s = strchr(rel, '/'); s; s = strchr(s + 1, '/')) {
                *s = '\0';
                if (mkdirat(fuzz_root_fd, rel, 0755) < 0 && errno != EEXIST) {
                        *s = '/';
                        return;
                }
                *s = '/';
        }
}

enum {
        RECORD_FILE          = 1 << 0,
        RECORD_ABSOLUTE_LINK = 1 << 1, /* resolved under the root through the search path only */
};

/* One record: header "PATH", "PATH -> TARGET" or "PATH/", then contents. */
static int make_record(char *header, const uint8_t *contents, size_t n) {
        _cleanup_(freep) char *rel = NULL;
        char *arrow = strstr(header, " -> ");
        size_t l;
        int fd;

        if (arrow)
                *arrow = '\0';
        rel = record_path(header);
        if (!rel)
                return 0;
        mkdir_parents_at(rel);

        l = strlen(rel);
        if (arrow) {
                if (target_allowed(arrow + 4) && symlinkat(arrow + 4, fuzz_root_fd, rel) >= 0)
                        return arrow[4] == '/' && !streq(arrow + 4, "/dev/null") ? RECORD_ABSOLUTE_LINK : 0;
                return 0;
        }
        if (rel[l - 1] == '/') {
                rel[l - 1] = '\0';
                (void) mkdirat(fuzz_root_fd, rel, 0755);
                return 0;
        }
        fd = openat(fuzz_root_fd, rel, O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, 0644);
        if (fd < 0)
                return 0;
        if (n > 0 && write(fd, contents, n) != (ssize_t) n)
                abort();
        close(fd);
        return RECORD_FILE;
}

/* Builds the tree; returns the unit name (line 1) and the path of the first file record, unless
 * an absolute symlink exists: unit_config_load_file() resolves those against the real root. */
static char *build_tree(const uint8_t *data, size_t size, char **ret_first) {
        bool absolute_links = false;
        const uint8_t *p = data, *end = data + size, *eol;
        char *name;
        unsigned n = 0;

        eol = memchr(p, '\n', size);
        if (!eol)
                eol = end;
        name = strndup((const char *) p, (size_t) (eol - p));
        if (!name)
                abort();
        p = eol;

        /* p points at "\n" before a header, or at the end */
        while (p < end && n < FUZZ_RECORDS_MAX) {
                _cleanup_(freep) char *header = NULL;
                const uint8_t *h, *next;
                int k;

                if (end - p < 5 || memcmp(p, "\n--- ", 5) != 0) {
                        next = memmem(p, (size_t) (end - p), "\n--- ", 5);
                        if (!next)
                                break;
                        p = next;
                }
                h = p + 5;
                eol = memchr(h, '\n', (size_t) (end - h));
                if (!eol)
                        eol = end;
                header = strndup((const char *) h, (size_t) (eol - h));
                if (!header)
                        abort();
                next = eol < end ? memmem(eol, (size_t) (end - eol), "\n--- ", 5) : NULL;
                if (!next)
                        next = end;
                /* contents: after the header's newline, up to the next record */
                k = make_record(header, eol < next ? eol + 1 : next, eol < next ? (size_t) (next - eol - 1) : 0);
                if (k & RECORD_ABSOLUTE_LINK)
                        absolute_links = true;
                if (!*ret_first && (k & RECORD_FILE)) {
                        _cleanup_(freep) char *rel = record_path(header);

                        if (!rel || asprintf(ret_first, "%s/%s", fuzz_root, rel) < 0)
                                abort();
                }
                p = next;
                n++;
        }
        if (absolute_links) {
                free(*ret_first);
                *ret_first = NULL;
        }
        return name;
}

static bool path_inside_root(const char *p) {
        size_t l = strlen(fuzz_root);

        return p && strncmp(p, fuzz_root, l) == 0 && p[l] == '/';
}

static void check_lookups(const UnitConfig *c, const char *section, const char *key) {
        _cleanup_(freep) const UnitSetting **l = NULL;
        const char *v;
        int n;

        n = unit_config_get_all(c, section, key, &l);
        if (n < 0)
                abort();
        v = unit_config_get(c, section, key);
        /* The last effective assignment is what a single lookup returns. */
        if ((n == 0) != (v == NULL))
                abort();
        if (n > 0 && l[n - 1]->value != v)
                abort();
        for (int i = 0; i < n; i++)
                if (isempty(l[i]->value))
                        abort();
}

/* Index of the file a setting came from: 0 the fragment, 1.. the drop-ins in their order. */
static size_t source_index(const UnitConfig *c, const char *file) {
        if (c->fragment_path && streq(file, c->fragment_path))
                return 0;
        for (size_t i = 0; c->dropin_paths && c->dropin_paths[i]; i++)
                if (streq(file, c->dropin_paths[i]))
                        return i + 1;
        abort();
}

static void check_config(const UnitConfig *c, bool inside_root) {
        size_t last_source = 0;
        const char *prev = NULL;

        if (!c || isempty(c->name))
                abort();
        if (c->masked && (c->n_settings > 0 || c->fragment_path))
                abort();
        if (inside_root && c->fragment_path && !path_inside_root(c->fragment_path))
                abort();
        for (char **d = c->dropin_paths; d && *d; d++) {
                const char *base = strrchr(*d, '/');

                if (!path_inside_root(*d) || !base)
                        abort();
                /* one drop-in per file name, applied in file name order */
                if (prev && strcmp(prev, base + 1) >= 0)
                        abort();
                prev = base + 1;
        }

        for (size_t i = 0; i < c->n_settings; i++) {
                const UnitSetting *s = &c->settings[i];
                size_t src;

                if (!s->section || !s->key || !s->value || !s->file || s->line == 0)
                        abort();
                if (s->key[0] == '\0' || strpbrk(s->key, "=\n\r") || strpbrk(s->value, "\n\r") ||
                    strpbrk(s->section, "\n\r"))
                        abort();
                src = source_index(c, s->file);
                if (src < last_source)
                        abort();
                last_source = src;
                check_lookups(c, s->section, s->key);
        }
        check_lookups(c, "Service", "ExecStart");
}

static void load_and_check(char *const *sp, const char *name) {
        _cleanup_(unit_config_freep) UnitConfig *c = NULL;
        int r;

        r = unit_config_load(sp, name, &c);
        if (r < 0) {
                if (c)
                        abort();
                return;
        }
        check_config(c, true);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(strv_freep) char **sp = NULL, **names = NULL;
        _cleanup_(freep) char *name = NULL, *first = NULL;
        int r;

        if (size > FUZZ_INPUT_MAX)
                return 0;
        fuzz_setup();

        name = build_tree(data, size, &first);
        if (unit_search_path(fuzz_root, NULL, &sp) < 0)
                abort();

        load_and_check(sp, name);

        r = unit_enumerate(sp, &names);
        if (r < 0 && r != -ENOMEM)
                abort();
        for (size_t i = 0; names && names[i] && i < FUZZ_ENUMERATED_MAX; i++)
                if (!streq(names[i], name))
                        load_and_check(sp, names[i]);

        if (first) {
                _cleanup_(unit_config_freep) UnitConfig *c = NULL;

                if (unit_config_load_file(first, &c) >= 0) {
                        if (!c->masked && !streq_ptr(c->fragment_path, first))
                                abort();
                        check_config(c, false);
                }
        }

        rm_children(openat(fuzz_root_fd, ".", O_RDONLY|O_DIRECTORY|O_CLOEXEC));
        return 0;
}
