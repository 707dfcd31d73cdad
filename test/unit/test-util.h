/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Fixtures shared by the cmocka tests of test/unit/ and test/generator/. Include after <cmocka.h>.
 * Everything here is static: each test program gets its own copy.
 */

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpf-names.h"
#include "macro.h"

/* Name tables for a whole group of tests: the running kernel's (the built-in table where it has no
 * BTF) and the built-in one. */
static BpfNames *names_btf _unused_ = NULL, *names_builtin _unused_ = NULL;

/* Group setup for tests that use only the built-in table, names_builtin. */
static inline int names_builtin_setup(void **state) {
        return bpf_names_new_builtin(&names_builtin) < 0 ? -1 : 0;
}

/* Group setup for tests that run with both tables (BOTH() below). */
static inline int names_setup(void **state) {
        if (bpf_names_load(NULL, &names_btf) < 0)
                return -1;
        return names_builtin_setup(state);
}

static inline int names_teardown(void **state) {
        names_btf = bpf_names_free(names_btf);
        names_builtin = bpf_names_free(names_builtin);
        return 0;
}

/* The table a test listed with BOTH() runs with. */
static inline BpfNames *state_names(void **state) {
        BpfNames **n = *state;
        assert_non_null(n);
        assert_non_null(*n);
        return *n;
}

/* A test that runs twice, "[btf]" and "[builtin]", and one that runs once. */
#define BOTH(f) \
        { #f "[btf]", f, NULL, NULL, &names_btf }, \
        { #f "[builtin]", f, NULL, NULL, &names_builtin }
#define ONCE(f) { #f, f, NULL, NULL, NULL }

/* A temporary file with data in it, /tmp/PROGRAM-XXXXXX: its path, to unlink() and free(). */
static inline char *write_temp(const void *data, size_t size) {
        char *path;
        int fd;

        assert_true(asprintf(&path, "/tmp/%s-XXXXXX", program_invocation_short_name) >= 0);
        fd = mkstemp(path);
        assert_true(fd >= 0);
        if (size > 0)
                assert_int_equal(write(fd, data, size), (ssize_t) size);
        close(fd);
        return path;
}

/* Creates the directories above path (those that exist already are fine). */
static inline void mkdir_parents(const char *path) {
        char buf[PATH_MAX];

        assert_true(strlen(path) < sizeof buf);
        strcpy(buf, path);
        for (char *s = buf + 1; *s; s++)
                if (*s == '/') {
                        *s = '\0';
                        (void) mkdir(buf, 0755);
                        *s = '/';
                }
}

/* Writes a fixture file, and the directories above it. */
static inline void write_text(const char *path, const char *content) {
        FILE *f;

        mkdir_parents(path);
        f = fopen(path, "we");
        assert_non_null(f);
        assert_int_equal(fputs(content, f) >= 0 || *content == '\0', 1);
        assert_int_equal(fclose(f), 0);
}

static inline int rm_rf_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
        (void) remove(p);
        return 0;
}

/* Removes a fixture tree, best effort. */
static inline void rm_rf(const char *path) {
        (void) nftw(path, rm_rf_one, 16, FTW_DEPTH|FTW_PHYS);
}

#ifdef TEST_DATA_DIR
/* A recorded file from test/unit/data/ (less than 1 MiB), NUL-terminated; *ret_size (may be NULL)
 * gets its size. */
static inline char *read_data(const char *name, size_t *ret_size) {
        char path[4096];
        size_t size;
        FILE *f;
        char *buf;

        snprintf(path, sizeof path, "%s/%s", TEST_DATA_DIR, name);
        f = fopen(path, "re");
        assert_non_null(f);
        buf = malloc(1024 * 1024);
        assert_non_null(buf);
        size = fread(buf, 1, 1024 * 1024 - 1, f);
        buf[size] = '\0';
        fclose(f);
        if (ret_size)
                *ret_size = size;
        return buf;
}
#endif
