/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How fast do 'bpftoken-analyze mounts' and 'tokens' scan a busy host? Forks N idle processes (default
 * 5000), M of which (default 50; root only) each hold a BPF token and a delegated bpffs in a user and
 * mount namespace of their own, then times the very scan functions the verbs use, before and after,
 * and prints the figures side by side: total time, time per process, time per mount namespace.
 *
 *   bench-scan [--processes=N] [--tokens=M] [--rounds=R]
 *
 * Only prints numbers; it asserts nothing about time. It does check that the scans find the M
 * instances and tokens, and exits non-zero if they do not.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analyze-scan-bpf.h"
#include "analyze-scan.h"
#include "bench-util.h"
#include "bpf-names.h"
#include "helper.h"
#include "instance.h"
#include "macro.h"
#include "socket-util.h"
#include "syscalls.h"
#include "userns-child.h"

static unsigned arg_processes = 5000;
static unsigned arg_tokens = 50;
static unsigned arg_rounds = 5;

static pid_t *children;
static size_t n_children;

static void kill_children(void) {
        for (size_t i = 0; i < n_children; i++)
                (void) kill(children[i], SIGKILL);
        for (size_t i = 0; i < n_children; i++)
                (void) waitpid(children[i], NULL, 0);
        n_children = 0;
}

static _Noreturn void idle_child(void) {
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (;;)
                pause();
}

/* A child in its own user+mount namespace that waits until the parent has published a delegated
 * bpffs into it (at /sys/fs/bpf, as bpftoken-publish does), then holds a token from it and idles. */
static _Noreturn void token_child(int sock) {
        int status = 0, unused = -EBADF, bpffs_fd, token_fd;

        if (recv_status_fd(sock, &status, &unused) < 0 || status != 0)
                _exit(EXIT_FAILURE);
        bpffs_fd = open(BPFFS_PATH, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        token_fd = bpffs_fd < 0 ? -errno : bpf_token_create_fd(bpffs_fd);
        if (send_status_fd(sock, token_fd < 0 ? -token_fd : 0, -EBADF) < 0 || token_fd < 0)
                _exit(EXIT_FAILURE);
        close(sock);
        idle_child();
}

static int start_token_child(pid_t *ret) {
        static const Delegation d = { .masks = { 0x40021, 0x4, 0x2, DELEGATION_ANY } };
        _cleanup_(closep) int sock = -EBADF, userns_fd = -EBADF, mntns_fd = -EBADF, unused = -EBADF;
        BpffsStep step;
        int status = 0, r;
        pid_t pid;

        r = userns_child_fork(USERNS_CHILD_DIE_WITH_PARENT, &pid, &sock, NULL);
        if (r < 0)
                return r;
        if (r == 0)
                token_child(sock);
        *ret = pid;

        r = userns_child_get_namespaces(pid, &userns_fd, &mntns_fd);
        if (r < 0)
                return r;
        r = instance_publish(userns_fd, mntns_fd, 0, 0, &d, &step);
        helper_reap_released();
        if (r < 0)
                return r;
        r = send_status_fd(sock, 0, -EBADF);
        if (r < 0)
                return r;
        r = recv_status_fd(sock, &status, &unused);
        if (r < 0)
                return r;
        return -status;
}

typedef struct Figures {
        double mounts_ms, tokens_ms;    /* medians */
        double tokens_iter_ms;          /* scan_tokens_fast(): the BPF iterator finds the holders */
        bool used_iter;
        unsigned processes, namespaces;
        size_t n_mounts, n_tokens, n_tokens_iter;
} Figures;

static int measure(const BpfNames *names, Figures *ret) {
        double *m = calloc(arg_rounds, sizeof *m), *t = calloc(arg_rounds, sizeof *t);
        double *ti = calloc(arg_rounds, sizeof *ti);
        Figures f = {};

        if (!m || !t || !ti) {
                free(m);
                free(t);
                free(ti);
                return -ENOMEM;
        }
        for (unsigned i = 0; i < arg_rounds; i++) {
                MountScan ms = {};
                TokenScan ts = {};
                double a;
                int r;

                a = now_ms();
                r = scan_mounts(names, NULL, false, &ms);
                m[i] = now_ms() - a;
                if (r < 0) {
                        free(m);
                        free(t);
                        return r;
                }
                a = now_ms();
                r = scan_tokens(NULL, &ts);
                t[i] = now_ms() - a;
                if (r < 0) {
                        mount_scan_done(&ms);
                        free(m);
                        free(t);
                        return r;
                }
                f.processes = ts.n_processes;
                f.namespaces = ms.n_namespaces;
                f.n_mounts = ms.n_entries;
                f.n_tokens = ts.n_entries;
                mount_scan_done(&ms);
                token_scan_done(&ts);

                ts = (TokenScan) {};
                a = now_ms();
                r = scan_tokens_fast(NULL, true, &ts, &f.used_iter);
                ti[i] = now_ms() - a;
                if (r < 0) {
                        free(m);
                        free(t);
                        free(ti);
                        return r;
                }
                f.n_tokens_iter = ts.n_entries;
                token_scan_done(&ts);
        }
        sort_doubles(ti, (int) arg_rounds);
        f.tokens_iter_ms = ti[arg_rounds / 2];
        free(ti);
        sort_doubles(m, (int) arg_rounds);
        sort_doubles(t, (int) arg_rounds);
        f.mounts_ms = m[arg_rounds / 2];
        f.tokens_ms = t[arg_rounds / 2];
        free(m);
        free(t);
        *ret = f;
        return 0;
}

static void print_row(const char *scan, double base_ms, unsigned base_procs, double ms, unsigned procs,
                      unsigned namespaces, size_t found) {
        printf("%-6s %11.2f %10.2f %14.2f %15.2f %12.1f %7zu\n", scan, base_ms, ms,
               base_procs ? base_ms * 1e3 / base_procs : 0.0, procs ? ms * 1e3 / procs : 0.0,
               namespaces ? ms * 1e3 / namespaces : 0.0, found);
}

static int parse_argv(int argc, char *argv[]) {
        static const struct option options[] = {
                { "processes", required_argument, NULL, 'p' },
                { "tokens",    required_argument, NULL, 't' },
                { "rounds",    required_argument, NULL, 'r' },
                { "help",      no_argument,       NULL, 'h' },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'p': arg_processes = (unsigned) strtoul(optarg, NULL, 10); break;
                case 't': arg_tokens = (unsigned) strtoul(optarg, NULL, 10); break;
                case 'r': arg_rounds = (unsigned) strtoul(optarg, NULL, 10); break;
                case 'h':
                        printf("%s [--processes=N] [--tokens=M] [--rounds=R]\n", argv[0]);
                        return 0;
                default:
                        return -EINVAL;
                }
        if (arg_rounds == 0)
                arg_rounds = 1;
        if (arg_tokens > arg_processes)
                arg_tokens = arg_processes;
        return 1;
}

int main(int argc, char *argv[]) {
        BpfNames *names = NULL;
        Figures base, loaded;
        unsigned tokens_started = 0;
        double t0, spawn_ms;
        int r, ret = EXIT_FAILURE;

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        if (geteuid() != 0 && arg_tokens > 0) {
                fprintf(stderr, "bench-scan: not root, so no token holders (--tokens=0).\n");
                arg_tokens = 0;
        }
        if (bpf_names_load(NULL, &names) < 0) {
                fprintf(stderr, "bench-scan: cannot load BPF names.\n");
                return EXIT_FAILURE;
        }
        children = calloc(arg_processes, sizeof *children);
        if (!children)
                return EXIT_FAILURE;

        if (measure(names, &base) < 0) {
                fprintf(stderr, "bench-scan: baseline scan failed.\n");
                goto finish;
        }

        t0 = now_ms();
        for (unsigned i = 0; i < arg_tokens; i++) {
                pid_t pid = 0;

                r = start_token_child(&pid);
                if (pid > 0)
                        children[n_children++] = pid;
                if (r < 0) {
                        fprintf(stderr, "bench-scan: creating token holder %u failed: %s\n", i, strerror(-r));
                        goto finish;
                }
                tokens_started++;
        }
        for (unsigned i = arg_tokens; i < arg_processes; i++) {
                pid_t pid = fork();

                if (pid < 0) {
                        fprintf(stderr, "bench-scan: fork failed after %zu processes: %m\n", n_children);
                        goto finish;
                }
                if (pid == 0)
                        idle_child();
                children[n_children++] = pid;
        }
        spawn_ms = now_ms() - t0;

        if (measure(names, &loaded) < 0) {
                fprintf(stderr, "bench-scan: scan failed.\n");
                goto finish;
        }

        printf("bench-scan: %u idle processes (%u holding a token and a delegated bpffs in their own user+mount "
               "namespace), set up in %.0f ms; median of %u rounds\n\n",
               arg_processes, tokens_started, spawn_ms, arg_rounds);
        printf("host: %u processes, %u mount namespaces before; %u processes, %u mount namespaces with the load\n\n",
               base.processes, base.namespaces, loaded.processes, loaded.namespaces);
        printf("%-6s %11s %10s %14s %15s %12s %7s\n", "SCAN", "BASELINE-MS", "LOADED-MS", "BASE-US/PROC",
               "LOADED-US/PROC", "US/MNTNS", "FOUND");
        print_row("mounts", base.mounts_ms, base.processes, loaded.mounts_ms, loaded.processes, loaded.namespaces,
                  loaded.n_mounts);
        print_row("tokens", base.tokens_ms, base.processes, loaded.tokens_ms, loaded.processes, loaded.namespaces,
                  loaded.n_tokens);
        print_row(loaded.used_iter ? "tokens/iter" : "tokens/iter(unavailable: /proc)", base.tokens_iter_ms,
                  base.processes, loaded.tokens_iter_ms, loaded.processes, loaded.namespaces, loaded.n_tokens_iter);
        printf("\ntokens through the iter/task_file iterator vs. every /proc/PID/fd: %.2f ms vs. %.2f ms loaded "
               "(%.1fx faster), %.2f ms vs. %.2f ms baseline\n", loaded.tokens_iter_ms, loaded.tokens_ms,
               loaded.tokens_iter_ms > 0 ? loaded.tokens_ms / loaded.tokens_iter_ms : 0.0, base.tokens_iter_ms,
               base.tokens_ms);
        if (loaded.n_tokens_iter != loaded.n_tokens) {
                fprintf(stderr, "bench-scan: the iterator scan found %zu tokens, the /proc scan %zu.\n",
                        loaded.n_tokens_iter, loaded.n_tokens);
                goto finish;
        }

        if (loaded.n_mounts < base.n_mounts + tokens_started || loaded.n_tokens < base.n_tokens + tokens_started) {
                fprintf(stderr, "bench-scan: the scans missed instances or tokens (%zu mounts, %zu tokens, expected "
                        "at least %u more).\n", loaded.n_mounts, loaded.n_tokens, tokens_started);
                goto finish;
        }
        ret = EXIT_SUCCESS;
finish:
        kill_children();
        free(children);
        bpf_names_free(names);
        return ret;
}
