/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bpftoken-monitor: the audit trail. Records every bpf() call on the host with the recorder of
 * kernel/ and writes each call that passed a BPF token and was refused — optionally also each
 * successful program load and map creation through a token — to the journal, with structured
 * fields and stable MESSAGE_IDs (monitor-audit.h), at most --burst= records per unit and
 * --interval=. See bpftoken-monitor(8).
 */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <time.h>
#include <unistd.h>

#include "bpf-names.h"
#include "cgroup-util.h"
#include "config.h"
#include "log.h"
#include "macro.h"
#include "monitor-audit.h"
#include "monitor-events.h"
#include "monitor.h"

static bool arg_log_allowed = false;
static unsigned arg_burst = 10;
static uint64_t arg_interval_usec = 30 * UINT64_C(1000000);

typedef struct AuditContext {
        const BpfNames *names;
        MonitorProbeFilter probes;
        AuditRatelimit rl;
        pid_t self;
        uint64_t n_logged;
} AuditContext;

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int sig) {
        stop_requested = 1;
}

static uint64_t now_usec(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

static void help(void) {
        printf("%s [OPTIONS...]\n\n"
               "Write refused bpf() calls that passed a BPF token to the journal.\n\n"
               "  -h --help            Show this help\n"
               "     --version         Show package version\n"
               "     --log-allowed     Also log each program load and map creation through a token\n"
               "     --burst=N         At most N records per unit in each interval (default 10)\n"
               "     --interval=SEC    The rate limit's interval in seconds (default 30)\n\n"
               "See bpftoken-monitor(8).\n", program_invocation_short_name);
}

static int parse_unsigned(const char *s, unsigned min, unsigned max, unsigned *ret) {
        char *end;
        unsigned long v;

        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno != 0 || end == s || *end || s[0] == '-' || v < min || v > max)
                return -EINVAL;
        *ret = (unsigned) v;
        return 0;
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_VERSION = 0x100, ARG_LOG_ALLOWED, ARG_BURST, ARG_INTERVAL };
        static const struct option options[] = {
                { "help",        no_argument,       NULL, 'h'             },
                { "version",     no_argument,       NULL, ARG_VERSION     },
                { "log-allowed", no_argument,       NULL, ARG_LOG_ALLOWED },
                { "burst",       required_argument, NULL, ARG_BURST       },
                { "interval",    required_argument, NULL, ARG_INTERVAL    },
                {}
        };
        unsigned v;
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("bpftoken-monitor %s\n", PROJECT_VERSION);
                        return 0;
                case ARG_LOG_ALLOWED:
                        arg_log_allowed = true;
                        break;
                case ARG_BURST:
                        if (parse_unsigned(optarg, 1, 100000, &arg_burst) < 0)
                                return log_error_errno(-EINVAL, "Invalid --burst= value '%s': a number from 1 to 100000.", optarg);
                        break;
                case ARG_INTERVAL:
                        if (parse_unsigned(optarg, 1, 86400, &v) < 0)
                                return log_error_errno(-EINVAL, "Invalid --interval= value '%s': seconds from 1 to 86400.", optarg);
                        arg_interval_usec = (uint64_t) v * 1000000;
                        break;
                case '?':
                        return -EINVAL;
                default:
                        return log_error_errno(-EINVAL, "Unhandled option.");
                }
        if (optind < argc)
                return log_error_errno(-EINVAL, "%s takes no arguments.", program_invocation_short_name);
        return 1;
}

static void log_suppressed(const char *unit, unsigned n) {
        (void) sd_journal_send("MESSAGE_ID=" BPFTOKEN_MESSAGE_CALL_SUPPRESSED,
                               "MESSAGE=bpftoken: %u more bpf() records of %s were suppressed by the rate limit.", n, unit,
                               "PRIORITY=%d", LOG_NOTICE,
                               BPFTOKEN_CALL_FIELD_UNIT "=%s", unit,
                               "BPFTOKEN_CALL_SUPPRESSED=%u", n,
                               NULL);
}

static int on_event(const MonitorEvent *e, void *userdata) {
        AuditContext *c = userdata;
        _cleanup_(freep) char *unit = NULL, *fix = NULL;
        char cmd[24], type[96], need_text[96] = "";
        const char *cmd_name, *type_text, *err_name;
        bool probe, refused, allowed;
        MonitorNeed need;
        Delegation d = {};
        unsigned suppressed;
        int err = monitor_event_errno(e);

        probe = monitor_probe_filter_classify(&c->probes, e);
        if ((pid_t) e->pid == c->self || !monitor_event_has_token(e))
                return 0;
        refused = err == EPERM;
        allowed = arg_log_allowed && e->result >= 0 && !probe && (e->cmd == 0 || e->cmd == 5);
        if (!refused && !allowed)
                return 0;

        if (cgroup_pid_get_unit((pid_t) e->pid, &unit) < 0)
                unit = strdup(e->cgroup_name[0] ? e->cgroup_name : "-");
        if (!unit)
                return log_oom();
        /* libbpf's probes have their own budget, so that they never crowd out the refusal that matters. */
        {
                char key[160];

                snprintf(key, sizeof key, "%s%s", unit, probe ? " (libbpf probes)" : "");
                if (!audit_ratelimit_test(&c->rl, key, now_usec(), &suppressed))
                        return 0;
                if (suppressed > 0)
                        log_suppressed(key, suppressed);
        }

        cmd_name = monitor_cmd_name(c->names, e->cmd, cmd, sizeof cmd);
        type_text = monitor_event_type_string(c->names, e, type, sizeof type);
        err_name = err == EPERM ? "EPERM" : err ? "error" : "0";
        if (refused && (e->flags & BPFTOKEN_MONITOR_EVENT_TOKEN_MASKS)) {
                for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                        d.masks[k] = e->token_allowed[k];
                if (monitor_event_missing(e, &d, &need) >= 0) {
                        (void) monitor_need_name(c->names, &need, need_text, sizeof need_text);
                        if (monitor_need_fix_line(c->names, &d, &need, &fix) < 0)
                                return log_oom();
                }
        }

        if (refused)
                (void) sd_journal_send("MESSAGE_ID=" BPFTOKEN_MESSAGE_CALL_REFUSED,
                                       "MESSAGE=bpftoken: %s[%u] (%s): bpf(%s %s) through a token refused with EPERM%s%s%s%s%s",
                                       unit, e->pid, e->comm, cmd_name, type_text,
                                       *need_text ? ": the delegation lacks " : "", need_text,
                                       fix ? "; add " : "", fix ?: "", probe ? " (a libbpf feature probe)" : "",
                                       "PRIORITY=%d", probe ? LOG_DEBUG : LOG_WARNING,
                                       BPFTOKEN_CALL_FIELD_UNIT "=%s", unit,
                                       "BPFTOKEN_CALL_PID=%u", e->pid,
                                       "OBJECT_PID=%u", e->pid,
                                       "BPFTOKEN_CALL_UID=%u", e->uid,
                                       "BPFTOKEN_CALL_COMM=%s", e->comm,
                                       "BPFTOKEN_CALL_COMMAND=%s", cmd_name,
                                       "BPFTOKEN_CALL_TYPE=%s", type_text,
                                       "BPFTOKEN_CALL_ERRNO=%s", err_name,
                                       "BPFTOKEN_CALL_MISSING=%s", *need_text ? need_text : "-",
                                       "BPFTOKEN_CALL_FIX=%s", fix ?: "-",
                                       "BPFTOKEN_CALL_LIBBPF_PROBE=%s", probe ? "yes" : "no",
                                       NULL);
        else
                (void) sd_journal_send("MESSAGE_ID=" BPFTOKEN_MESSAGE_CALL_ALLOWED,
                                       "MESSAGE=bpftoken: %s[%u] (%s): bpf(%s %s) through a token allowed",
                                       unit, e->pid, e->comm, cmd_name, type_text,
                                       "PRIORITY=%d", LOG_INFO,
                                       BPFTOKEN_CALL_FIELD_UNIT "=%s", unit,
                                       "BPFTOKEN_CALL_PID=%u", e->pid,
                                       "OBJECT_PID=%u", e->pid,
                                       "BPFTOKEN_CALL_UID=%u", e->uid,
                                       "BPFTOKEN_CALL_COMM=%s", e->comm,
                                       "BPFTOKEN_CALL_COMMAND=%s", cmd_name,
                                       "BPFTOKEN_CALL_TYPE=%s", type_text,
                                       "BPFTOKEN_CALL_ERRNO=0",
                                       NULL);
        c->n_logged++;
        return 0;
}

static int run(void) {
        _cleanup_(bpf_names_freep) BpfNames *names = NULL;
        _cleanup_(monitor_freep) Monitor *m = NULL;
        struct sigaction sa = { .sa_handler = on_signal };
        AuditContext c = { .self = getpid() };
        uint64_t lost_reported = 0, id;
        MonitorStats st;
        const char *root;
        int r;

        r = bpf_names_load(NULL, &names);
        if (r < 0)
                return log_error_errno(r, "Failed to load the BPF names: %m");
        c.names = names;
        c.rl.burst = arg_burst;
        c.rl.interval_usec = arg_interval_usec;

        r = monitor_new(0, &m);
        if (r == -EOPNOTSUPP)
                return log_error_errno(r, "bpftoken was built without the BPF framework (-Dbpf-framework=): there is no recorder.");
        if (r < 0)
                return log_error_errno(r, "This kernel refused the bpf() recorder's raw tracepoint programs: %m");
        r = cgroup2_root(&root);
        if (r >= 0)
                r = cgroup_id_of_path(root, &id);
        if (r >= 0)
                r = monitor_watch_cgroup(m, id);
        if (r < 0)
                return log_error_errno(r, "Failed to watch the cgroup2 hierarchy: %m");

        (void) sigaction(SIGINT, &sa, NULL);
        (void) sigaction(SIGTERM, &sa, NULL);
        (void) sd_notify(0, "READY=1\nSTATUS=Recording bpf() calls.");
        log_info("Recording bpf() calls; refusals through a token go to the journal%s.",
                 arg_log_allowed ? ", and allowed program loads and map creations" : "");

        while (!stop_requested) {
                r = monitor_poll(m, 1000, on_event, &c);
                if (r < 0 && r != -EINTR)
                        return log_error_errno(r, "Failed to read the recorder's events: %m");
                if (monitor_get_stats(m, &st) >= 0 && st.lost + st.unpaired > lost_reported) {
                        log_warning("%" PRIu64 " bpf() calls were not recorded (the ring buffer was full).",
                                    st.lost + st.unpaired - lost_reported);
                        lost_reported = st.lost + st.unpaired;
                }
        }
        (void) monitor_poll(m, 0, on_event, &c);
        (void) sd_notify(0, "STOPPING=1");
        log_info("Stopped after %" PRIu64 " records.", c.n_logged);
        return 0;
}

int main(int argc, char *argv[]) {
        int r;

        log_setup_journal("bpftoken-monitor");
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        if (geteuid() != 0) {
                log_error("bpftoken-monitor needs root: it loads BPF programs.");
                return EXIT_FAILURE;
        }
        return run() < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
