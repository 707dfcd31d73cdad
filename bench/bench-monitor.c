/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-monitor: what the bpf() recorder (kernel/bpftoken-monitor.bpf.c) costs the processes it
 * watches and everyone else. Per call, in one run, interleaved round by round:
 *   off        no recorder loaded
 *   unwatched  recorder loaded and attached, this process outside the watched cgroups
 *   watched    this process in a watched cgroup, a reader thread draining the ring buffer
 * for a cheap bpf() call (BPF_MAP_LOOKUP_ELEM on an array) and an unrelated syscall (getppid), made
 * by a child process (the recorder leaves out its reader's own calls).
 * Prints the median ns per call of each and the ratios to 'off'; asserts nothing about time.
 *
 *   bench-monitor [CALLS [ROUNDS]]   (root; default 200000 calls, 7 rounds)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bench-util.h"
#include "macro.h"
#include "monitor.h"

enum { MODE_OFF, MODE_UNWATCHED, MODE_WATCHED, _MODE_MAX };
static const char *const mode_names[_MODE_MAX] = { "off", "unwatched", "watched" };

_printf_(1, 2) static int fail(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        fputs("bench-monitor: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
        return 1;
}

static atomic_ulong events_read;

static int count_event(const MonitorEvent *e, void *userdata) {
        atomic_fetch_add(&events_read, 1);
        return 0;
}

static double ns_per_bpf_call(int map_fd, long calls) {
        uint32_t key = 0;
        uint64_t value;
        double t0 = now_ms();

        for (long i = 0; i < calls; i++)
                (void) bpf_map_lookup_elem(map_fd, &key, &value);
        return (now_ms() - t0) * 1e6 / (double) calls;
}

static double ns_per_getppid(long calls) {
        double t0 = now_ms();

        for (long i = 0; i < calls; i++)
                (void) syscall(SYS_getppid);
        return (now_ms() - t0) * 1e6 / (double) calls;
}

/* Measures both in a child, in cgroup (NULL: this one); the reader keeps reading meanwhile. */
static int measure(Monitor *m, const char *cgroup, int map_fd, long calls, double *ret_bpf, double *ret_other) {
        double result[2];
        int p[2], status;
        pid_t pid;

        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                if (cgroup && monitor_cgroup_enter(cgroup) < 0)
                        _exit(1);
                result[0] = ns_per_bpf_call(map_fd, calls);
                result[1] = ns_per_getppid(calls);
                _exit(write(p[1], result, sizeof result) == sizeof result ? 0 : 1);
        }
        close(p[1]);
        while (waitpid(pid, &status, WNOHANG) == 0)
                if (m)
                        (void) monitor_poll(m, 10, count_event, NULL);
                else
                        (void) usleep(10000);
        if (m)
                (void) monitor_poll(m, 0, count_event, NULL);
        if (read(p[0], result, sizeof result) != sizeof result || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                close(p[0]);
                return -EIO;
        }
        close(p[0]);
        *ret_bpf = result[0];
        *ret_other = result[1];
        return 0;
}

int main(int argc, char *argv[]) {
        long calls = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
        int rounds = argc > 2 ? atoi(argv[2]) : 7;
        double *bpf_ns[_MODE_MAX], *other_ns[_MODE_MAX];
        MonitorStats st = {};
        char *cg = NULL, name[64];
        uint64_t id;
        int map_fd, r;

        if (calls <= 0 || rounds <= 0)
                return fail("usage: bench-monitor [CALLS [ROUNDS]]") + 1;
        map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bench_mon", 4, 8, 1, NULL);
        if (map_fd < 0)
                return fail("map create failed (root?): %s", strerror(errno));
        snprintf(name, sizeof name, "bpftoken-bench-monitor-%d", (int) getpid());
        r = monitor_cgroup_new(name, &cg, &id);
        if (r < 0)
                return fail("cgroup: %s", strerror(-r));
        for (int k = 0; k < _MODE_MAX; k++) {
                bpf_ns[k] = calloc((size_t) rounds, sizeof(double));
                other_ns[k] = calloc((size_t) rounds, sizeof(double));
        }

        for (int i = 0; i < rounds; i++) {
                Monitor *m = NULL;

                r = measure(NULL, NULL, map_fd, calls, &bpf_ns[MODE_OFF][i], &other_ns[MODE_OFF][i]);
                if (r >= 0)
                        r = monitor_new(0, &m);
                if (r >= 0)
                        r = monitor_watch_cgroup(m, id);
                if (r >= 0)
                        r = measure(m, NULL, map_fd, calls, &bpf_ns[MODE_UNWATCHED][i], &other_ns[MODE_UNWATCHED][i]);
                if (r >= 0)
                        r = measure(m, cg, map_fd, calls, &bpf_ns[MODE_WATCHED][i], &other_ns[MODE_WATCHED][i]);
                if (r >= 0 && i == rounds - 1)
                        r = monitor_get_stats(m, &st);
                monitor_free(m);
                if (r < 0)
                        return fail("round %d: %s", i, strerror(-r));
        }

        for (int k = 0; k < _MODE_MAX; k++) {
                sort_doubles(bpf_ns[k], rounds);
                sort_doubles(other_ns[k], rounds);
        }
        printf("bench-monitor: %ld calls x %d rounds, median ns per call (ratio to off)\n", calls, rounds);
        printf("  %-28s", "bpf(BPF_MAP_LOOKUP_ELEM)");
        for (int k = 0; k < _MODE_MAX; k++)
                printf("  %s %.0f (%.2fx)", mode_names[k], percentile(bpf_ns[k], rounds, 0.5),
                       percentile(bpf_ns[k], rounds, 0.5) / percentile(bpf_ns[MODE_OFF], rounds, 0.5));
        printf("\n  %-28s", "getppid() (unrelated)");
        for (int k = 0; k < _MODE_MAX; k++)
                printf("  %s %.0f (%.2fx)", mode_names[k], percentile(other_ns[k], rounds, 0.5),
                       percentile(other_ns[k], rounds, 0.5) / percentile(other_ns[MODE_OFF], rounds, 0.5));
        printf("\n  last round: %llu calls seen, %llu lost (ring buffer full); %lu events read in all rounds\n",
               (unsigned long long) st.seen, (unsigned long long) st.lost, atomic_load(&events_read));

        (void) monitor_cgroup_remove(cg);
        free(cg);
        return 0;
}
