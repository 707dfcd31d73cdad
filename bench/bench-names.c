/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-names: what loading the BPF names from the kernel's BTF costs a process, measured side by
 * side in one run, the two ways interleaved; first each load in a new process (exec'd for it: what
 * every bpftoken-exec and bpftoken-publish request pays), then all of them repeated in one process:
 *   reader   bpf_names_load(): the raw enum reader (btf-enums.c) reads the file, walks the type
 *            section once, picks the four enums, and the name tables are built
 *   libbpf   btf__parse() of the same file (validates and indexes every type), then
 *            btf__find_by_name_kind() for the four enums (ENUM, then ENUM64) and every enumerator's
 *            name and value read: what bpf-names.c did before
 * Prints min, median and p90 of each, and the ratio of the medians (libbpf / reader). Asserts
 * nothing about time.
 * Usage: bench-names [ITERATIONS [BTF-FILE]]   (defaults: 50, /sys/kernel/btf/vmlinux)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "bench-util.h"
#include "bpf-names.h"
#include "btf-enums.h"
#include "macro.h"

#define EXIT_SKIP 77

static const char *const enum_names[] = { "bpf_cmd", "bpf_map_type", "bpf_prog_type", "bpf_attach_type" };

/* Returns a checksum of what was read, so that nothing is optimized away; 0 on failure. */
static uint64_t load_reader(const char *path) {
        BpfNames *n = NULL;
        uint64_t sum = 0;

        if (bpf_names_load(path, &n) < 0 || bpf_names_source(n) != BPF_NAMES_SOURCE_BTF) {
                bpf_names_free(n);
                return 0;
        }
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                sum += bpf_names_count(n, k);
        bpf_names_free(n);
        return sum;
}

static uint64_t load_libbpf(const char *path) {
        struct btf *btf;
        uint64_t sum = 0;

        btf = btf__parse(path, NULL);
        if (!btf)
                return 0;

        for (size_t i = 0; i < ELEMENTSOF(enum_names); i++) {
                const struct btf_type *t;
                int id;

                id = btf__find_by_name_kind(btf, enum_names[i], BTF_KIND_ENUM);
                if (id <= 0)
                        id = btf__find_by_name_kind(btf, enum_names[i], BTF_KIND_ENUM64);
                if (id <= 0) {
                        btf__free(btf);
                        return 0;
                }
                t = btf__type_by_id(btf, id);

                for (uint16_t j = 0; j < btf_vlen(t); j++) {
                        const char *name;

                        if (btf_is_enum64(t)) {
                                name = btf__name_by_offset(btf, btf_enum64(t)[j].name_off);
                                sum += btf_enum64_value(&btf_enum64(t)[j]);
                        } else {
                                name = btf__name_by_offset(btf, btf_enum(t)[j].name_off);
                                sum += (uint32_t) btf_enum(t)[j].val;
                        }
                        sum += name ? strlen(name) : 0;
                }
        }

        btf__free(btf);
        return sum;
}

static void print_row(const char *label, double *v, int n, double ref_median) {
        double median;

        sort_doubles(v, n);
        median = percentile(v, n, 0.5);
        printf("  %-8s %10.3f %10.3f %10.3f %9.1fx\n", label, v[0], median, percentile(v, n, 0.9),
               ref_median > 0 ? ref_median / median : 1.0);
}

static void print_table(const char *title, double *reader, double *libbpf, int n) {
        double median_libbpf, median_reader;

        sort_doubles(libbpf, n);
        sort_doubles(reader, n);
        median_libbpf = percentile(libbpf, n, 0.5);
        median_reader = percentile(reader, n, 0.5);

        printf("%s, %d loads each, ms per load:\n", title, n);
        printf("  %-8s %10s %10s %10s %10s\n", "", "min", "median", "p90", "speedup");
        print_row("libbpf", libbpf, n, median_libbpf);
        print_row("reader", reader, n, median_libbpf);
        printf("  median: reader %.3f ms, libbpf %.3f ms, ratio %.1f\n\n", median_reader, median_libbpf,
               median_libbpf / median_reader);
}

/* One load in a new process (exec of ourselves), timed there: what a bpftoken-exec or a
 * bpftoken-publish request pays, with fresh memory and nothing cached in the process. */
static int load_in_child(const char *how, const char *path, double *ret_ms) {
        char buf[64] = {};
        ssize_t n;
        int pipefd[2], status;
        pid_t pid;

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                if (dup2(pipefd[1], STDOUT_FILENO) < 0)
                        _exit(EXIT_FAILURE);
                execl("/proc/self/exe", "bench-names", "--one", how, path, (char *) NULL);
                _exit(EXIT_FAILURE);
        }
        close(pipefd[1]);
        n = read(pipefd[0], buf, sizeof(buf) - 1);
        close(pipefd[0]);
        if (waitpid(pid, &status, 0) < 0)
                return -errno;
        if (n <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return -EIO;
        *ret_ms = strtod(buf, NULL);
        return 0;
}

static int run_one(const char *how, const char *path) {
        uint64_t sum;
        double t0;

        t0 = now_ms();
        sum = streq(how, "reader") ? load_reader(path) : load_libbpf(path);
        if (sum == 0)
                return EXIT_FAILURE;
        printf("%.6f\n", now_ms() - t0);
        return EXIT_SUCCESS;
}

int main(int argc, char *argv[]) {
        const char *path = "/sys/kernel/btf/vmlinux";
        double *reader, *libbpf;
        BtfEnums *e = NULL;
        int iterations = 50, r;

        if (argc == 4 && streq(argv[1], "--one"))
                return run_one(argv[2], argv[3]);

        if (argc > 1) {
                iterations = atoi(argv[1]);
                if (iterations < 1 || iterations > 100000) {
                        fprintf(stderr, "usage: %s [ITERATIONS [BTF-FILE]]\n", argv[0]);
                        return EXIT_FAILURE;
                }
        }
        if (argc > 2)
                path = argv[2];

        /* Both ways must work on this file, or there is nothing to compare. */
        r = btf_enums_load(path, enum_names, ELEMENTSOF(enum_names), &e);
        if (r < 0) {
                fprintf(stderr, "%s: not usable BTF (%s), nothing to measure\n", path, strerror(-r));
                return EXIT_SKIP;
        }
        btf_enums_free(e);
        if (load_reader(path) == 0 || load_libbpf(path) == 0) {
                fprintf(stderr, "%s: the four BPF enums are not all there, nothing to measure\n", path);
                return EXIT_SKIP;
        }

        reader = calloc((size_t) iterations, sizeof(double));
        libbpf = calloc((size_t) iterations, sizeof(double));
        if (!reader || !libbpf)
                return EXIT_FAILURE;

        printf("%s (%s)\n\n", path, "interleaved: drift and noisy neighbours hit both alike");

        /* a new process per load */
        for (int i = 0; i < iterations; i++) {
                r = load_in_child("reader", path, &reader[i]);
                if (r >= 0)
                        r = load_in_child("libbpf", path, &libbpf[i]);
                if (r < 0) {
                        fprintf(stderr, "child failed: %s\n", strerror(-r));
                        return EXIT_FAILURE;
                }
        }
        print_table("new process per load (what bpftoken-exec pays)", reader, libbpf, iterations);

        /* all in this process: allocator and page cache warm */
        for (int i = 0; i < iterations; i++) {
                double t0, t1, t2;

                t0 = now_ms();
                if (load_reader(path) == 0)
                        return EXIT_FAILURE;
                t1 = now_ms();
                if (load_libbpf(path) == 0)
                        return EXIT_FAILURE;
                t2 = now_ms();

                reader[i] = t1 - t0;
                libbpf[i] = t2 - t1;
        }
        print_table("repeated in one process", reader, libbpf, iterations);

        free(reader);
        free(libbpf);
        return EXIT_SUCCESS;
}
