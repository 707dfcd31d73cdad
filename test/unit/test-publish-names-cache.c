/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The publisher's BPF names cache: loaded once, again only when the BTF file's identity changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "publish-names-cache.h"

typedef struct Fixture {
        char dir[64];
        char path[96];
} Fixture;

static void write_file(const char *path, const char *text) {
        FILE *f = fopen(path, "we");

        assert_non_null(f);
        fputs(text, f);
        assert_int_equal(fclose(f), 0);
}

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof *f);

        snprintf(f->dir, sizeof f->dir, "/tmp/test-names-cache.XXXXXX");
        if (!mkdtemp(f->dir))
                return -1;
        snprintf(f->path, sizeof f->path, "%s/vmlinux", f->dir);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        char other[128];

        snprintf(other, sizeof other, "%s.new", f->path);
        (void) unlink(f->path);
        (void) unlink(other);
        (void) rmdir(f->dir);
        free(f);
        return 0;
}

static void test_loaded_once(void **state) {
        Fixture *f = *state;
        _cleanup_(names_cache_done) NamesCache c = { .btf_path = f->path };
        const BpfNames *first;

        /* Not BTF: the built-in table, which is still a load keyed by this file. */
        write_file(f->path, "not btf");
        assert_int_equal(names_cache_refresh(&c), 1);
        assert_non_null(c.names);
        assert_int_equal(c.generation, 1);
        assert_int_equal(bpf_names_source(c.names), BPF_NAMES_SOURCE_BUILTIN);
        first = c.names;

        /* The same file: nothing is read again, the names stay the same object. */
        assert_int_equal(names_cache_refresh(&c), 0);
        assert_int_equal(names_cache_refresh(&c), 0);
        assert_ptr_equal(c.names, first);
        assert_int_equal(c.generation, 1);
}

static void test_identity_changes(void **state) {
        Fixture *f = *state;
        _cleanup_(names_cache_done) NamesCache c = { .btf_path = f->path };
        struct timespec times[2] = { { .tv_sec = 1000 }, { .tv_sec = 1000 } };
        char other[128];

        write_file(f->path, "not btf");
        assert_int_equal(names_cache_refresh(&c), 1);

        /* Changed in place: size and modification time. */
        write_file(f->path, "not btf either");
        assert_int_equal(names_cache_refresh(&c), 1);
        assert_int_equal(c.generation, 2);
        assert_int_equal(names_cache_refresh(&c), 0);

        /* Only the modification time. */
        assert_int_equal(utimensat(AT_FDCWD, f->path, times, 0), 0);
        assert_int_equal(names_cache_refresh(&c), 1);
        assert_int_equal(c.generation, 3);

        /* Replaced by another file (new inode), same size and time. */
        snprintf(other, sizeof other, "%s.new", f->path);
        write_file(other, "not btf either");
        assert_int_equal(utimensat(AT_FDCWD, other, times, 0), 0);
        assert_int_equal(rename(other, f->path), 0);
        assert_int_equal(names_cache_refresh(&c), 1);
        assert_int_equal(c.generation, 4);

        /* Gone: the built-in table, once. */
        assert_int_equal(unlink(f->path), 0);
        assert_int_equal(names_cache_refresh(&c), 1);
        assert_int_equal(bpf_names_source(c.names), BPF_NAMES_SOURCE_BUILTIN);
        assert_int_equal(names_cache_refresh(&c), 0);
        assert_int_equal(c.generation, 5);
}

static void test_kernel_btf(void **state) {
        _cleanup_(names_cache_done) NamesCache c = {};

        /* The running kernel's (this machine has BTF): names from it, kept. */
        assert_int_equal(names_cache_refresh(&c), 1);
        assert_int_equal(bpf_names_source(c.names), BPF_NAMES_SOURCE_BTF);
        assert_int_equal(names_cache_refresh(&c), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_loaded_once, setup, teardown),
                cmocka_unit_test_setup_teardown(test_identity_changes, setup, teardown),
                cmocka_unit_test(test_kernel_btf),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
