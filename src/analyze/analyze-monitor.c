/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * 'monitor [UNIT...]': every bpf() call of the watched units, live, from the bpf() recorder
 * (src/monitor/), and for each refusal the delegation bit that was missing and the BPFDelegate*=
 * line that adds it. Also the options 'monitor' and 'learn' share.
 */
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <time.h>
#include <unistd.h>

#include "analyze-monitor.h"
#include "analyze-scan.h"
#include "analyze-unit.h"
#include "analyze.h"
#include "cgroup-util.h"
#include "fdinfo.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "monitor-audit.h"
#include "monitor-events.h"
#include "strv.h"

#define USEC_PER_SEC UINT64_C(1000000)

uint64_t now_realtime_usec(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

int parse_timespan_usec(const char *s, uint64_t *ret) {
        static const struct { const char *suffix; uint64_t usec; } units[] = {
                { "ms", 1000 }, { "s", USEC_PER_SEC }, { "sec", USEC_PER_SEC }, { "m", 60 * USEC_PER_SEC },
                { "min", 60 * USEC_PER_SEC }, { "h", 3600 * USEC_PER_SEC }, { "", USEC_PER_SEC },
        };
        char *end;
        double v;

        if (!s || !*s || *s == '-' || *s == '+')
                return -EINVAL;
        errno = 0;
        v = strtod(s, &end);
        if (errno != 0 || end == s || v < 0 || v > 365.0 * 24 * 3600)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                if (streq(end, units[i].suffix)) {
                        *ret = (uint64_t) (v * (double) units[i].usec);
                        return 0;
                }
        return -EINVAL;
}

int parse_timestamp_usec(const char *s, uint64_t *ret) {
        struct tm tm = {};
        uint64_t span;
        time_t t;
        char *end;

        if (streq(s, "now")) {
                *ret = now_realtime_usec();
                return 0;
        }
        if (s[0] == '+' || s[0] == '-') {
                if (parse_timespan_usec(s + 1, &span) < 0)
                        return -EINVAL;
                *ret = s[0] == '+' ? now_realtime_usec() + span : now_realtime_usec() - span;
                return 0;
        }
        if (s[0] == '@') {
                errno = 0;
                unsigned long long v = strtoull(s + 1, &end, 10);

                if (errno != 0 || end == s + 1 || *end)
                        return -EINVAL;
                *ret = (uint64_t) v * USEC_PER_SEC;
                return 0;
        }
        t = time(NULL);
        if (!localtime_r(&t, &tm))
                return -EINVAL;
        tm.tm_sec = 0;
        end = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
        if (!end || *end) {
                tm.tm_sec = 0;
                end = strptime(s, "%Y-%m-%d %H:%M", &tm);
        }
        if (!end || *end) {
                tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
                end = strptime(s, "%Y-%m-%d", &tm);
        }
        if (!end || *end) {
                tm.tm_sec = 0;
                end = strptime(s, "%H:%M:%S", &tm);
        }
        if (!end || *end) {
                tm.tm_sec = 0;
                end = strptime(s, "%H:%M", &tm);
        }
        if (!end || *end)
                return -EINVAL;
        tm.tm_isdst = -1;
        t = mktime(&tm);
        if (t == (time_t) -1)
                return -EINVAL;
        *ret = (uint64_t) t * USEC_PER_SEC;
        return 0;
}

int monitor_parse_argv(const char *verb, int argc, char *argv[], MonitorArgs *ret) {
        enum {
                ARG_NO_PAGER = 0x100,
                ARG_NO_LEGEND,
                ARG_JSON,
                ARG_DURATION,
                ARG_SINCE,
                ARG_UNTIL,
                ARG_USER,
                ARG_NO_VERIFY,
                ARG_ROOT,
                ARG_BTF,
        };
        static const struct option options[] = {
                { "no-pager",  no_argument,       NULL, ARG_NO_PAGER  },
                { "no-legend", no_argument,       NULL, ARG_NO_LEGEND },
                { "json",      required_argument, NULL, ARG_JSON      },
                { "duration",  required_argument, NULL, ARG_DURATION  },
                { "since",     required_argument, NULL, ARG_SINCE     },
                { "until",     required_argument, NULL, ARG_UNTIL     },
                { "user",      required_argument, NULL, ARG_USER      },
                { "no-verify", no_argument,       NULL, ARG_NO_VERIFY },
                { "root",      required_argument, NULL, ARG_ROOT      },
                { "btf",       required_argument, NULL, ARG_BTF       },
                {}
        };
        bool is_learn = streq(verb, "learn");
        int c, n = argc, dd = -1;

        *ret = (MonitorArgs) {};
        /* Options may follow the units (getopt permutes them), but nothing after "--" is ours: that is
         * learn's COMMAND with its own options. */
        for (int i = 1; i < argc; i++)
                if (streq(argv[i], "--")) {
                        dd = i;
                        n = i;
                        break;
                }
        optind = 0;
        while ((c = getopt_long(n, argv, "", options, NULL)) >= 0)
                switch (c) {
                case ARG_NO_PAGER:
                        arg_pager = false;
                        break;
                case ARG_NO_LEGEND:
                        arg_legend = false;
                        break;
                case ARG_JSON: {
                        TableJsonMode m = table_json_mode_from_string(optarg);

                        if (m < 0)
                                return log_error_errno(-EINVAL, "Invalid --json= mode '%s': use pretty, short or off.", optarg);
                        arg_json = m;
                        break;
                }
                case ARG_DURATION:
                        if (parse_timespan_usec(optarg, &ret->duration_usec) < 0 || ret->duration_usec == 0)
                                return log_error_errno(-EINVAL, "Invalid --duration= value '%s': use a time span such as 30s or 2min.", optarg);
                        break;
                case ARG_SINCE:
                case ARG_UNTIL:
                        if (is_learn)
                                return log_error_errno(-EINVAL, "'learn' takes --duration=, not --since=/--until=.");
                        if (parse_timestamp_usec(optarg, c == ARG_SINCE ? &ret->since_usec : &ret->until_usec) < 0)
                                return log_error_errno(-EINVAL, "Invalid --%s= value '%s': use now, +30s, HH:MM:SS, 'YYYY-MM-DD HH:MM:SS' or @EPOCH.",
                                                       c == ARG_SINCE ? "since" : "until", optarg);
                        break;
                case ARG_USER:
                        if (!is_learn)
                                return log_error_errno(-EINVAL, "--user= is an option of 'learn -- COMMAND'.");
                        ret->user = optarg;
                        break;
                case ARG_NO_VERIFY:
                        if (!is_learn)
                                return log_error_errno(-EINVAL, "--no-verify is an option of 'learn'.");
                        ret->no_verify = true;
                        break;
                case ARG_ROOT:
                        arg_root = optarg;
                        break;
                case ARG_BTF:
                        arg_btf = optarg;
                        break;
                case '?':
                        return -EINVAL;
                default:
                        return log_error_errno(-EINVAL, "Unhandled option.");
                }

        if (dd >= 0) {
                if (optind < n)
                        return log_error_errno(-EINVAL, "'%s' takes a unit or '-- COMMAND', not both: %s", verb, argv[optind]);
                ret->dashdash = true;
                ret->args = argv + dd + 1;
                ret->n_args = argc - dd - 1;
        } else {
                ret->args = argv + optind;
                ret->n_args = n - optind;
        }
        if (ret->until_usec && ret->since_usec && ret->until_usec <= ret->since_usec)
                return log_error_errno(-EINVAL, "--until= must be later than --since=.");
        return 0;
}

int monitor_open(const char *verb, size_t ringbuf_size, Monitor **ret) {
        int r;

        r = monitor_new(ringbuf_size, ret);
        if (r == -EOPNOTSUPP)
                return log_error_errno(r, "'%s' is not available: bpftoken was built without the BPF framework "
                                       "(meson -Dbpf-framework=enabled needs clang and bpftool).", verb);
        if (r < 0)
                return log_error_errno(r, "'%s' is not available: this kernel refused the bpf() recorder's raw "
                                       "tracepoint programs (%m).", verb);
        return 0;
}

int print_delegation_lines(const BpfNames *names, const Delegation *d, const char *prefix) {
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                _cleanup_(freep) char *list = NULL;
                int r;

                r = delegation_format(names, k, d->masks[k], DELEGATION_STYLE_SYSTEMD, &list);
                if (r < 0)
                        return log_oom();
                printf("%s%s=%s\n", prefix, bpf_kind_directive(k), list);
        }
        return 0;
}

/* ---- the live table ---- */

typedef struct MonitorContext {
        const BpfNames *names;
        char **units;           /* only these (NULL: every process in the watched cgroups) */
        uint64_t since_usec;
        pid_t self;
        MonitorProbeFilter probes;
        unsigned n_shown;
        unsigned n_refused;
        bool header_done;
} MonitorContext;

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int sig) {
        stop_requested = 1;
}

static bool has_suffix(const char *s, const char *suffix) {
        size_t a = strlen(s), b = strlen(suffix);

        return a > b && streq(s + a - b, suffix);
}

/* The unit of the caller: from its /proc entry while it lives, else its cgroup's own name. */
static char *event_unit(const MonitorEvent *e) {
        char *unit = NULL;

        if (cgroup_pid_get_unit((pid_t) e->pid, &unit) >= 0)
                return unit;
        if (has_suffix(e->cgroup_name, ".service") || has_suffix(e->cgroup_name, ".scope") ||
            has_suffix(e->cgroup_name, ".socket"))
                return strdup(e->cgroup_name);
        return NULL;
}

/* The masks the kernel checked: the token's own (as the recorder read them at the call, else its
 * fdinfo while the caller holds it), else the delegation the unit asks for. Returns the source, or
 * NULL if none can be read. */
static const char *event_delegation(const MonitorContext *c, const MonitorEvent *e, const char *unit,
                                    Delegation *ret) {
        if (e->flags & BPFTOKEN_MONITOR_EVENT_TOKEN_MASKS) {
                for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                        ret->masks[k] = e->token_allowed[k];
                return "token";
        }
        if (e->token_fd >= 0) {
                _cleanup_(freep) char *text = NULL;
                char path[64];
                TokenFdinfo info;
                size_t size;

                snprintf(path, sizeof path, "/proc/%u/fdinfo/%d", e->pid, e->token_fd);
                if (read_full_file_at(AT_FDCWD, path, FDINFO_TEXT_MAX, &text, &size) >= 0 &&
                    fdinfo_parse_token(text, size, &info) >= 0) {
                        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                                ret->masks[k] = info.allowed[k];
                        return "token";
                }
        }
        if (unit) {
                _cleanup_(unit_bpf_freep) UnitBpf *u = NULL;

                if (unit_bpf_load(c->names, arg_root, unit, 0, NULL, &u) >= 0 && unit_bpf_wanted(u)) {
                        *ret = u->requested;
                        return "unit";
                }
        }
        return NULL;
}

typedef struct EventVerdict {
        bool refused;           /* EPERM with a token */
        bool probe;
        bool have_missing;
        MonitorNeed missing;
        const char *source;     /* of the masks */
        char *fix;              /* the BPFDelegate*= line */
        const char *note;       /* why there is no missing bit */
} EventVerdict;

static void event_judge(MonitorContext *c, const MonitorEvent *e, const char *unit, EventVerdict *v) {
        Delegation d = {};

        *v = (EventVerdict) { .probe = monitor_probe_filter_classify(&c->probes, e) };
        if (monitor_event_errno(e) != EPERM)
                return;
        if (!monitor_event_has_token(e)) {
                v->note = e->cmd == 36 ? "the token could not be created" :
                          "no token passed (an application that does not use the BPF token)";
                return;
        }
        v->refused = true;
        v->source = event_delegation(c, e, unit, &d);
        if (!v->source) {
                v->note = "the delegation could not be read";
                return;
        }
        if (monitor_event_missing(e, &d, &v->missing) < 0) {
                v->note = "every needed bit is delegated (a capability or a kernel check refused it)";
                return;
        }
        v->have_missing = true;
        if (monitor_need_fix_line(c->names, &d, &v->missing, &v->fix) < 0)
                v->fix = NULL;
}

static void format_time(uint64_t usec, char *buf, size_t size) {
        time_t sec = (time_t) (usec / USEC_PER_SEC);
        struct tm tm;

        if (!localtime_r(&sec, &tm) || strftime(buf, size, "%H:%M:%S", &tm) == 0)
                snprintf(buf, size, "-");
        else
                snprintf(buf + strlen(buf), size - strlen(buf), ".%03u", (unsigned) (usec % USEC_PER_SEC / 1000));
}

static int print_event_json(const MonitorContext *c, const MonitorEvent *e, uint64_t usec, const char *unit,
                            const EventVerdict *v) {
        char cmd[24], type[96], need[96];
        json_object *o = json_object_new_object();
        int err = monitor_event_errno(e);

        if (!o)
                return log_oom();
        json_object_object_add(o, "realtime_usec", json_object_new_uint64(usec));
        json_object_object_add(o, "unit", unit ? json_object_new_string(unit) : NULL);
        json_object_object_add(o, "pid", json_object_new_int((int) e->pid));
        json_object_object_add(o, "tid", json_object_new_int((int) e->tid));
        json_object_object_add(o, "uid", json_object_new_int64(e->uid));
        json_object_object_add(o, "comm", json_object_new_string(e->comm));
        json_object_object_add(o, "cgroup", json_object_new_string(e->cgroup_name));
        json_object_object_add(o, "command", json_object_new_string(monitor_cmd_name(c->names, e->cmd, cmd, sizeof cmd)));
        json_object_object_add(o, "type", json_object_new_string(monitor_event_type_string(c->names, e, type, sizeof type)));
        json_object_object_add(o, "name", e->obj_name[0] ? json_object_new_string(e->obj_name) : NULL);
        json_object_object_add(o, "token", json_object_new_boolean(monitor_event_has_token(e)));
        json_object_object_add(o, "result", json_object_new_int64(e->result));
        json_object_object_add(o, "errno", err ? json_object_new_string(errno_to_name(err)) : NULL);
        json_object_object_add(o, "libbpf_probe", json_object_new_boolean(v->probe));
        json_object_object_add(o, "missing", v->have_missing ?
                               json_object_new_string(monitor_need_name(c->names, &v->missing, need, sizeof need)) : NULL);
        json_object_object_add(o, "missing_kind", v->have_missing ?
                               json_object_new_string(bpf_kind_to_string(v->missing.kind)) : NULL);
        json_object_object_add(o, "masks_from", v->source ? json_object_new_string(v->source) : NULL);
        json_object_object_add(o, "fix", v->fix ? json_object_new_string(v->fix) : NULL);
        json_object_object_add(o, "note", v->note ? json_object_new_string(v->note) : NULL);
        return json_print(o);
}

static void print_event_text(MonitorContext *c, const MonitorEvent *e, uint64_t usec, const char *unit,
                             const EventVerdict *v) {
        char when[32], cmd[24], type[96], result[32], need[96];
        int err = monitor_event_errno(e);

        if (!c->header_done && arg_legend)
                printf("%-12s %-24s %7s %-15s %-12s %-34s %-5s %s\n", "TIME", "UNIT", "PID", "COMMAND", "CALL",
                       "TYPE", "TOKEN", "RESULT");
        c->header_done = true;
        format_time(usec, when, sizeof when);
        if (err)
                snprintf(result, sizeof result, "%s", errno_to_name(err));
        else
                snprintf(result, sizeof result, "ok (%" PRIi64 ")", (int64_t) e->result);
        printf("%-12s %-24s %7u %-15s %-12s %-34s %-5s %s%s\n", when, unit ?: "-", e->pid, e->comm,
               monitor_cmd_name(c->names, e->cmd, cmd, sizeof cmd), monitor_event_type_string(c->names, e, type, sizeof type),
               monitor_event_has_token(e) ? "yes" : "no", result, v->probe ? " (libbpf probe)" : "");
        if (v->have_missing)
                printf("%-12s missing %s (delegation from the %s); fix: %s\n", "", monitor_need_name(c->names, &v->missing, need, sizeof need),
                       v->source, v->fix ?: "-");
        else if (v->note && !v->probe)
                printf("%-12s %s\n", "", v->note);
}

static int on_event(const MonitorEvent *e, void *userdata) {
        MonitorContext *c = userdata;
        _cleanup_(freep) char *unit = NULL;
        uint64_t usec = monitor_ns_to_realtime_usec(e->start_ns);
        EventVerdict v;
        int r = 0;

        if ((pid_t) e->pid == c->self || usec < c->since_usec)
                return 0;
        unit = event_unit(e);
        if (c->units && (!unit || !strv_contains(c->units, unit)))
                return 0;
        event_judge(c, e, unit, &v);
        c->n_shown++;
        if (v.refused && !v.probe)
                c->n_refused++;
        if (arg_json != TABLE_JSON_OFF)
                r = print_event_json(c, e, usec, unit, &v);
        else
                print_event_text(c, e, usec, unit, &v);
        fflush(stdout);
        free(v.fix);
        return r;
}

/* Which cgroups to watch for the units: the slices they live in (their own cgroup is made anew at
 * each start, the slice stays, so a unit that fails right at start is still seen), from their
 * running processes, else system.slice; without units the whole host. */
static int watch_for_units(Monitor *m, char **units) {
        _cleanup_(strv_freep) char **paths = NULL;
        const char *root;
        int r;

        r = cgroup2_root(&root);
        if (r < 0)
                return log_error_errno(r, "Failed to find the cgroup2 hierarchy: %m");
        if (!units)
                r = strv_extend(&paths, root);
        else {
                /* A unit's processes may live in any slice: take each one's from its cgroup path. */
                for (char **u = units; *u; u++) {
                        _cleanup_(freep) pid_t *pids = NULL;
                        size_t n = 0;

                        if (scan_unit_pids(*u, &pids, &n) >= 0)
                                for (size_t i = 0; i < n && r >= 0; i++) {
                                        _cleanup_(freep) char *text = NULL;
                                        char p[64], *line, *slash;

                                        snprintf(p, sizeof p, "/proc/%d/cgroup", (int) pids[i]);
                                        if (read_full_file_at(AT_FDCWD, p, 64 * 1024, &text, NULL) < 0)
                                                continue;
                                        line = strstr(text, "0::/");
                                        if (!line)
                                                continue;
                                        line += 3;
                                        line[strcspn(line, "\n")] = 0;
                                        slash = strstr(line, *u);
                                        if (!slash || slash == line)
                                                continue;
                                        slash[-1] = 0;
                                        r = strv_extendf(&paths, "%s%s", root, line);
                                }
                }
                if (r >= 0)
                        r = strv_extendf(&paths, "%s/system.slice", root);
        }
        if (r < 0)
                return log_oom();

        for (char **p = paths; p && *p; p++) {
                uint64_t id;

                if (cgroup_id_of_path(*p, &id) < 0)
                        continue;
                r = monitor_watch_cgroup(m, id);
                if (r < 0)
                        return log_error_errno(r, "Failed to watch the cgroup %s: %m", *p);
                log_debug("Watching %s (cgroup %" PRIu64 ").", *p, id);
        }
        return 0;
}

int verb_monitor(int argc, char *argv[]) {
        _cleanup_(monitor_freep) Monitor *m = NULL;
        _cleanup_(strv_freep) char **units = NULL;
        struct sigaction sa = { .sa_handler = on_signal };
        MonitorContext c = { .self = getpid() };
        MonitorStats st = {};
        MonitorArgs a;
        uint64_t deadline;
        int r;

        r = monitor_parse_argv("monitor", argc, argv, &a);
        if (r < 0)
                return r;
        if (geteuid() != 0)
                return log_error_errno(-EPERM, "The 'monitor' verb needs root privileges: it loads BPF programs and "
                                       "reads other processes' tokens.");
        r = analyze_names(&c.names);
        if (r < 0)
                return r;
        for (int i = 0; i < a.n_args; i++) {
                r = strv_extend(&units, a.args[i]);
                if (r >= 0 && !strchr(a.args[i], '.'))
                        r = strv_extendf(&units, "%s.service", a.args[i]);
                if (r < 0)
                        return log_oom();
        }
        c.units = units;
        c.since_usec = a.since_usec;

        r = monitor_open("monitor", 0, &m);
        if (r < 0)
                return r;
        r = watch_for_units(m, units);
        if (r < 0)
                return r;

        (void) sigaction(SIGINT, &sa, NULL);
        (void) sigaction(SIGTERM, &sa, NULL);
        deadline = a.duration_usec ? now_realtime_usec() + a.duration_usec : 0;
        if (a.until_usec && (!deadline || a.until_usec < deadline))
                deadline = a.until_usec;
        if (arg_json == TABLE_JSON_OFF && arg_legend)
                fprintf(stderr, "Recording bpf() calls of %s; Ctrl-C ends.\n", units ? "the given units" : "every process");

        while (!stop_requested) {
                uint64_t now = now_realtime_usec();
                int timeout = 250;

                if (deadline) {
                        if (now >= deadline)
                                break;
                        if (deadline - now < 250000)
                                timeout = (int) ((deadline - now) / 1000) + 1;
                }
                r = monitor_poll(m, timeout, on_event, &c);
                if (r == -EINTR)
                        continue;
                if (r < 0)
                        return log_error_errno(r, "Failed to read the recorder's events: %m");
        }
        (void) monitor_poll(m, 0, on_event, &c);

        r = monitor_get_stats(m, &st);
        if (r < 0)
                return log_error_errno(r, "Failed to read the recorder's counters: %m");
        if (st.lost + st.unpaired > 0)
                log_warning("%" PRIu64 " bpf() calls were not recorded (the ring buffer was full).", st.lost + st.unpaired);
        if (arg_json == TABLE_JSON_OFF && arg_legend)
                printf("\n%u calls shown, %u refused for a missing delegation bit.\n", c.n_shown, c.n_refused);
        return 0;
}

/* ---- the audit trail, for 'status' ---- */

static json_object *journal_string(sd_journal *j, const char *field) {
        const void *data;
        size_t len, l = strlen(field);

        if (sd_journal_get_data(j, field, &data, &len) < 0 || len <= l + 1)
                return NULL;
        return json_object_new_string_len((const char *) data + l + 1, (int) (len - l - 1));
}

json_object *recent_refusals(const char *unit, unsigned max) {
        static const char *const fields[][2] = {
                { "pid", "BPFTOKEN_CALL_PID" }, { "comm", "BPFTOKEN_CALL_COMM" },
                { "command", "BPFTOKEN_CALL_COMMAND" }, { "type", "BPFTOKEN_CALL_TYPE" },
                { "missing", "BPFTOKEN_CALL_MISSING" }, { "fix", "BPFTOKEN_CALL_FIX" },
        };
        json_object *a = json_object_new_array();
        sd_journal *j = NULL;
        char match[256];
        unsigned n = 0;

        if (!a || sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY) < 0)
                return a;
        snprintf(match, sizeof match, BPFTOKEN_CALL_FIELD_UNIT "=%s", unit);
        if (sd_journal_add_match(j, "MESSAGE_ID=" BPFTOKEN_MESSAGE_CALL_REFUSED, 0) >= 0 &&
            sd_journal_add_match(j, match, 0) >= 0 && sd_journal_seek_tail(j) >= 0)
                while (n < max && sd_journal_previous(j) > 0) {
                        json_object *o = json_object_new_object();
                        uint64_t usec = 0;

                        if (!o)
                                break;
                        (void) sd_journal_get_realtime_usec(j, &usec);
                        json_object_object_add(o, "realtime_usec", json_object_new_uint64(usec));
                        for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                                json_object_object_add(o, fields[i][0], journal_string(j, fields[i][1]));
                        json_object_array_add(a, o);
                        n++;
                }
        sd_journal_close(j);
        /* newest first from the journal; show oldest first */
        for (size_t i = 0, k = json_object_array_length(a); k > 1 && i < k / 2; i++) {
                json_object *x = json_object_get(json_object_array_get_idx(a, i));
                json_object *y = json_object_get(json_object_array_get_idx(a, k - 1 - i));

                json_object_array_put_idx(a, i, y);
                json_object_array_put_idx(a, k - 1 - i, x);
        }
        return a;
}

static const char *json_str(json_object *o, const char *key) {
        json_object *v;

        return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : "-";
}

void print_recent_refusals(json_object *refusals) {
        size_t n = refusals ? json_object_array_length(refusals) : 0;

        if (n == 0)
                return;
        printf("\nRefused calls (bpftoken-monitor):\n");
        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_array_get_idx(refusals, i), *t;
                char when[32] = "-";

                if (json_object_object_get_ex(o, "realtime_usec", &t))
                        format_time((uint64_t) json_object_get_uint64(t), when, sizeof when);
                printf("  %s %s[%s] %s %s: missing %s; fix: %s\n", when, json_str(o, "comm"), json_str(o, "pid"),
                       json_str(o, "command"), json_str(o, "type"), json_str(o, "missing"), json_str(o, "fix"));
        }
}
