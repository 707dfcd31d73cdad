/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A file tree described by a fuzz input, for the targets whose parsers read directories (unit
 * files, policy files). Built under a private root on tmpfs (/dev/shm, else /tmp) and cleared after
 * each input. The input is a first line (the target's own use) followed by records:
 *
 *   --- PATH [MODE]              a regular file; its contents are the bytes up to the next "\n--- "
 *   --- PATH -> TARGET           a symlink
 *   --- PATH/                    a directory
 *
 * PATH is relative to the root; a leading "X/" is replaced by the directory the target's shorthand
 * table gives for X. No component may be empty, "." or "..", and a symlink target may not contain
 * "..", so nothing outside the root is reached (except absolute targets for code that does not
 * resolve them under a root: see FUZZ_RECORD_ABSOLUTE_LINK). MODE is four octal digits.
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

#define FUZZ_TREE_RECORDS_MAX 32
#define FUZZ_TREE_DEPTH_MAX 8

typedef struct FuzzTreeDir {
        char key;
        const char *dir;
} FuzzTreeDir;

typedef enum FuzzRecordKind {
        FUZZ_RECORD_NONE          = 0,      /* refused, or could not be made */
        FUZZ_RECORD_FILE          = 1 << 0,
        FUZZ_RECORD_LINK          = 1 << 1,
        FUZZ_RECORD_ABSOLUTE_LINK = 1 << 2, /* a symlink to an absolute path other than /dev/null */
        FUZZ_RECORD_DIR           = 1 << 3,
} FuzzRecordKind;

typedef struct FuzzTree {
        char *root;
        int root_fd;
        const FuzzTreeDir *dirs;
        size_t n_dirs;
} FuzzTree;

/* Removes everything below dir_fd, which it takes (a description of its own: offset 0). */
static inline void fuzz_tree_rm_children(int dir_fd) {
        DIR *d = fdopendir(dir_fd);
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
                        fuzz_tree_rm_children(fd);
                        if (unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0)
                                abort();
                } else if (unlinkat(dirfd(d), de->d_name, 0) < 0)
                        abort();
        }
        closedir(d);
}

static inline void fuzz_tree_clear(const FuzzTree *t) {
        fuzz_tree_rm_children(openat(t->root_fd, ".", O_RDONLY|O_DIRECTORY|O_CLOEXEC));
}

/* The root, made once per process (mode 0755, owned by whoever runs the fuzzer). */
static inline void fuzz_tree_init(FuzzTree *t, const char *name, const FuzzTreeDir *dirs, size_t n_dirs) {
        char *shm = NULL, *tmp = NULL;
        const char *d;

        if (t->root)
                return;
        if (asprintf(&shm, "/dev/shm/%s.XXXXXX", name) < 0 || asprintf(&tmp, "/tmp/%s.XXXXXX", name) < 0)
                abort();
        d = mkdtemp(shm) ?: mkdtemp(tmp);
        if (!d || !(t->root = strdup(d)) || chmod(t->root, 0755) < 0)
                abort();
        free(shm);
        free(tmp);
        t->root_fd = open(t->root, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (t->root_fd < 0)
                abort();
        t->dirs = dirs;
        t->n_dirs = n_dirs;
}

static inline void fuzz_tree_done(FuzzTree *t) {
        if (!t->root)
                return;
        fuzz_tree_clear(t);
        (void) rmdir(t->root);
        free(t->root);
        t->root = NULL;
}

/* The path of a record relative to the root, shorthand expanded; NULL if it is not allowed. */
static inline char *fuzz_tree_path(const FuzzTree *t, const char *p) {
        char *rel = NULL;
        unsigned depth = 0;

        for (size_t i = 0; i < t->n_dirs && !rel; i++)
                if (p[0] == t->dirs[i].key && p[1] == '/' && asprintf(&rel, "%s/%s", t->dirs[i].dir, p + 2) < 0)
                        abort();
        if (!rel && !(rel = strdup(p)))
                abort();

        for (const char *c = rel;;) {
                size_t n = strcspn(c, "/");

                if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.') ||
                    ++depth > FUZZ_TREE_DEPTH_MAX) {
                        free(rel);
                        return NULL;
                }
                c += n;
                if (*c == '\0' || *++c == '\0') /* the end, or a trailing slash */
                        break;
        }
        return rel;
}

static inline void fuzz_tree_mkdir_parents(const FuzzTree *t, char *rel) {
        for (char *s = strchr(rel, '/'); s; s = strchr(s + 1, '/')) {
                int r;

                *s = '\0';
                r = mkdirat(t->root_fd, rel, 0755);
                *s = '/';
                if (r < 0 && errno != EEXIST)
                        return;
        }
}

/* Makes one record; header is modified. Returns what was made, and the relative path. */
static inline FuzzRecordKind fuzz_tree_make(const FuzzTree *t, char *header, const uint8_t *contents, size_t n,
                                            char **ret_rel) {
        _cleanup_(freep) char *rel = NULL;
        char *arrow = strstr(header, " -> ");
        mode_t mode = 0644;
        FuzzRecordKind kind;
        size_t l;
        int fd;

        if (arrow)
                *arrow = '\0';
        else {
                l = strlen(header);
                if (l > 5 && header[l - 5] == ' ' && strspn(header + l - 4, "01234567") == 4) {
                        mode = (mode_t) strtoul(header + l - 4, NULL, 8);
                        header[l - 5] = '\0';
                }
        }
        rel = fuzz_tree_path(t, header);
        if (!rel)
                return FUZZ_RECORD_NONE;
        fuzz_tree_mkdir_parents(t, rel);

        l = strlen(rel);
        if (arrow) {
                const char *target = arrow + 4;

                if (!*target || strstr(target, "..") || symlinkat(target, t->root_fd, rel) < 0)
                        return FUZZ_RECORD_NONE;
                kind = FUZZ_RECORD_LINK;
                if (target[0] == '/' && !streq(target, "/dev/null"))
                        kind |= FUZZ_RECORD_ABSOLUTE_LINK;
        } else if (rel[l - 1] == '/') {
                rel[l - 1] = '\0';
                if (mkdirat(t->root_fd, rel, 0755) < 0)
                        return FUZZ_RECORD_NONE;
                kind = FUZZ_RECORD_DIR;
        } else {
                fd = openat(t->root_fd, rel, O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, 0600);
                if (fd < 0)
                        return FUZZ_RECORD_NONE;
                if ((n > 0 && write(fd, contents, n) != (ssize_t) n) || fchmod(fd, mode) < 0)
                        abort();
                close(fd);
                kind = FUZZ_RECORD_FILE;
        }
        if (ret_rel)
                *ret_rel = TAKE_PTR(rel);
        return kind;
}

/* Builds the tree. Returns the first line (malloc'ed); calls f for every record that was made. */
static inline char *fuzz_tree_build(const FuzzTree *t, const uint8_t *data, size_t size,
                                    void (*f)(FuzzRecordKind kind, const char *rel, void *userdata), void *userdata) {
        const uint8_t *p = data, *end = data + size, *eol;
        unsigned n = 0;
        char *first;

        eol = memchr(p, '\n', size) ?: end;
        first = strndup((const char *) p, (size_t) (eol - p));
        if (!first)
                abort();
        p = eol;

        /* p points at the "\n" before a record, or at the end */
        while (p < end && n++ < FUZZ_TREE_RECORDS_MAX) {
                _cleanup_(freep) char *header = NULL, *rel = NULL;
                const uint8_t *h, *next;
                FuzzRecordKind kind;

                if (end - p < 5 || memcmp(p, "\n--- ", 5) != 0) {
                        p = memmem(p, (size_t) (end - p), "\n--- ", 5);
                        if (!p)
                                break;
                }
                h = p + 5;
                eol = memchr(h, '\n', (size_t) (end - h)) ?: end;
                header = strndup((const char *) h, (size_t) (eol - h));
                if (!header)
                        abort();
                next = eol < end ? memmem(eol, (size_t) (end - eol), "\n--- ", 5) : NULL;
                if (!next)
                        next = end;
                /* contents: after the header's newline, up to the next record */
                kind = fuzz_tree_make(t, header, eol < next ? eol + 1 : next,
                                      eol < next ? (size_t) (next - eol - 1) : 0, &rel);
                if (kind != FUZZ_RECORD_NONE && f)
                        f(kind, rel, userdata);
                p = next;
        }
        return first;
}
