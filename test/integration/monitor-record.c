/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Test driver for the bpf() recorder (src/monitor/): runs CMD in a new cgroup and prints every
 * bpf() call the recorder saw, one line each, then the counters.
 *
 *   monitor-record [--ringbuf=BYTES] [--outside] [--hold] -- CMD [ARG...]
 *
 * --outside: CMD runs in a second, unwatched cgroup (the watched one stays empty).
 * --hold:    read nothing until CMD has exited (so that a flood can fill the ring buffer).
 * Lines: "event COMM CMD TYPE token=yes|no[ masks=CMDS,MAPS,PROGS,ATTACHS] errno=NAME|0 name=NAME[ probe]"
 * (masks: the passed token's, as the recorder read them; probe: a libbpf probe); "stats seen=N lost=N
 * unpaired=N recorded=N". Exit status: CMD's, or 100 + errno of the setup.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpf-names.h"
#include "monitor-events.h"
#include "monitor.h"

static const BpfNames *names;
static unsigned long recorded;
static MonitorProbeFilter probes;

static int print_event(const MonitorEvent *e, void *userdata) {
        char cmd[24], type[96], masks[96] = "";
        int err = monitor_event_errno(e);

        if (e->flags & BPFTOKEN_MONITOR_EVENT_TOKEN_MASKS)
                snprintf(masks, sizeof masks, " masks=0x%llx,0x%llx,0x%llx,0x%llx",
                         (unsigned long long) e->token_allowed[0], (unsigned long long) e->token_allowed[1],
                         (unsigned long long) e->token_allowed[2], (unsigned long long) e->token_allowed[3]);

        recorded++;
        printf("event %s %s %s token=%s%s errno=%s name=%s%s\n", e->comm,
               monitor_cmd_name(names, e->cmd, cmd, sizeof cmd),
               monitor_event_type_string(names, e, type, sizeof type),
               monitor_event_has_token(e) ? "yes" : "no", masks,
               err == 0 ? "0" : err == EPERM ? "EPERM" : err == EINVAL ? "EINVAL" : strerror(err),
               e->obj_name[0] ? e->obj_name : "-", monitor_probe_filter_classify(&probes, e) ? " probe" : "");
        return 0;
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "ringbuf", required_argument, NULL, 'r' },
                { "outside", no_argument,       NULL, 'o' },
                { "hold",    no_argument,       NULL, 'H' },
                {}
        };
        BpfNames *n = NULL;
        Monitor *m = NULL;
        MonitorStats st;
        char *watched = NULL, *other = NULL, name[64];
        uint64_t id, other_id;
        bool outside = false, hold = false;
        size_t ringbuf = 0;
        int c, r, status;
        pid_t pid;

        while ((c = getopt_long(argc, argv, "+", options, NULL)) >= 0)
                switch (c) {
                case 'r': ringbuf = strtoul(optarg, NULL, 0); break;
                case 'o': outside = true; break;
                case 'H': hold = true; break;
                default: return 2;
                }
        if (optind >= argc)
                return 2;

        r = bpf_names_load(NULL, &n);
        if (r < 0)
                return 100 - r;
        names = n;
        r = monitor_new(ringbuf, &m);
        if (r < 0) {
                fprintf(stderr, "monitor_new: %s\n", strerror(-r));
                return 100 - r;
        }
        snprintf(name, sizeof name, "bpftoken-test-record-%d", (int) getpid());
        r = monitor_cgroup_new(name, &watched, &id);
        if (r >= 0)
                r = monitor_watch_cgroup(m, id);
        if (r >= 0 && outside) {
                snprintf(name, sizeof name, "bpftoken-test-other-%d", (int) getpid());
                r = monitor_cgroup_new(name, &other, &other_id);
        }
        if (r < 0) {
                fprintf(stderr, "cgroup: %s\n", strerror(-r));
                return 100 - r;
        }

        pid = fork();
        if (pid < 0)
                return 100 + errno;
        if (pid == 0) {
                r = monitor_cgroup_enter(outside ? other : watched);
                if (r < 0)
                        _exit(100 - r);
                execvp(argv[optind], argv + optind);
                _exit(127);
        }
        for (;;) {
                if (!hold)
                        (void) monitor_poll(m, 100, print_event, NULL);
                r = waitpid(pid, &status, hold ? 0 : WNOHANG);
                if (r == pid)
                        break;
        }
        (void) monitor_poll(m, 0, print_event, NULL);
        r = monitor_get_stats(m, &st);
        if (r < 0)
                return 100 - r;
        printf("stats seen=%llu lost=%llu unpaired=%llu recorded=%lu\n", (unsigned long long) st.seen,
               (unsigned long long) st.lost, (unsigned long long) st.unpaired, recorded);
        fflush(stdout);
        monitor_free(m);
        (void) monitor_cgroup_remove(watched);
        if (other)
                (void) monitor_cgroup_remove(other);
        free(watched);
        free(other);
        bpf_names_free(n);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
