/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * 'learn -- CMD [ARG...]' and 'learn UNIT': run a program (through bpftoken-exec, standalone) or a
 * service under a wide delegation, record its bpf() calls, and print the smallest BPFDelegate*=
 * lines that cover every call that succeeded with the token and is not one of libbpf's probes. The
 * command form then runs CMD again with exactly those lines and reports whether it behaved the same.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analyze-monitor.h"
#include "analyze-unit.h"
#include "analyze.h"
#include "cgroup-util.h"
#include "config.h"
#include "log.h"
#include "macro.h"
#include "monitor-events.h"
#include "strv.h"
#include "unit-name.h"

#define LEARN_CALLS_MAX 4096
#define LEARN_UNIT_DEFAULT_USEC (30 * UINT64_C(1000000))
#define LEARN_DROPIN_DIR "/run/systemd/system.control"
#define LEARN_DROPIN_NAME "zz-bpftoken-learn.conf"

/* One distinct call that counted: what it needed. */
typedef struct LearnCall {
        unsigned cmd, type, expected_attach_type;
} LearnCall;

typedef struct LearnRun {
        const BpfNames *names;
        const char *unit;               /* only this unit's processes (learn UNIT) */
        Delegation learned;
        MonitorProbeFilter probes;
        LearnCall *calls;
        size_t n_calls;
        unsigned n_events;
        unsigned n_probes;
        unsigned n_refused;             /* EPERM with a token */
        bool overflow;
} LearnRun;

static void learn_run_done(LearnRun *r) {
        free(r->calls);
        r->calls = NULL;
}

/* with_attach_type: compare the expected attach type too. The verification does not: libbpf sets it
 * only when its probe of expected attach types passed, which under the narrower lines it may not
 * (an XDP program then loads with 0 instead of BPF_XDP: the same program, loaded as well). */
static bool learn_run_has_call(const LearnRun *r, const LearnCall *c, bool with_attach_type) {
        for (size_t i = 0; i < r->n_calls; i++)
                if (r->calls[i].cmd == c->cmd && r->calls[i].type == c->type &&
                    (!with_attach_type || r->calls[i].expected_attach_type == c->expected_attach_type))
                        return true;
        return false;
}

static int learn_on_event(const MonitorEvent *e, void *userdata) {
        LearnRun *run = userdata;
        LearnCall c = { e->cmd, e->cmd == 18 ? 0 : e->type, e->expected_attach_type };
        bool probe;

        /* bpftoken-exec proves the token before it execs the command: its own call, not a need. */
        if (streq(e->comm, "bpftoken-exec"))
                return 0;
        if (run->unit) {
                _cleanup_(freep) char *unit = NULL;

                if (cgroup_pid_get_unit((pid_t) e->pid, &unit) < 0 ? !streq(e->cgroup_name, run->unit) :
                                                                     !streq(unit, run->unit))
                        return 0;
        }
        run->n_events++;
        probe = monitor_probe_filter_classify(&run->probes, e);
        if (probe)
                run->n_probes++;
        if (!probe && monitor_event_errno(e) == EPERM && monitor_event_has_token(e)) {
                char type[96], cmd[24];

                run->n_refused++;
                log_info("Refused: %s %s (%s, pid %u).", monitor_cmd_name(run->names, e->cmd, cmd, sizeof cmd),
                         monitor_event_type_string(run->names, e, type, sizeof type), e->comm, e->pid);
        }
        if (!monitor_learn_event(&run->learned, e, probe) || learn_run_has_call(run, &c, true))
                return 0;
        if (run->n_calls >= LEARN_CALLS_MAX) {
                run->overflow = true;
                return 0;
        }
        if (!run->calls) {
                run->calls = calloc(LEARN_CALLS_MAX, sizeof *run->calls);
                if (!run->calls)
                        return -ENOMEM;
        }
        run->calls[run->n_calls++] = c;
        return 0;
}

static volatile sig_atomic_t learn_interrupted = 0;

static void learn_on_signal(int sig) {
        learn_interrupted = 1;
}

/* Polls until child exits (child > 0) or the deadline passes (0: none). Returns the child's wait
 * status, or -ETIME if the window ended first (the child is then terminated). */
static int learn_observe(Monitor *m, LearnRun *run, pid_t child, uint64_t deadline) {
        int status = 0, r;

        for (;;) {
                uint64_t now = now_realtime_usec();

                if (learn_interrupted || (deadline && now >= deadline))
                        break;
                r = monitor_poll(m, 100, learn_on_event, run);
                if (r < 0 && r != -EINTR)
                        return log_error_errno(r, "Failed to read the recorder's events: %m");
                if (child > 0 && waitpid(child, &status, WNOHANG) == child) {
                        (void) monitor_poll(m, 0, learn_on_event, run);
                        return status;
                }
        }
        if (child > 0) {
                (void) kill(child, SIGTERM);
                (void) waitpid(child, &status, 0);
        }
        (void) monitor_poll(m, 0, learn_on_event, run);
        return learn_interrupted ? -EINTR : -ETIME;
}

/* The bpftoken-exec to run: $BPFTOKEN_EXEC (tests run the build tree's), else the installed one. */
static const char *bpftoken_exec_path(void) {
        const char *p = getenv("BPFTOKEN_EXEC");

        return p && p[0] == '/' ? p : BPFTOKEN_EXEC_PATH;
}

static int delegation_option(const BpfNames *names, BpfKind k, const Delegation *d, char **ret) {
        _cleanup_(freep) char *list = NULL;

        if (delegation_format(names, k, d->masks[k], DELEGATION_STYLE_SYSTEMD, &list) < 0 ||
            asprintf(ret, "--delegate-%s=%s", bpf_kind_to_string(k), list) < 0)
                return log_oom();
        return 0;
}

/* Runs CMD through bpftoken-exec with delegation d in a new watched cgroup and records it. */
static int learn_run_command(Monitor *m, const BpfNames *names, const MonitorArgs *a, const Delegation *d,
                             unsigned round, LearnRun *run, int *ret_status) {
        _cleanup_(freep) char *cg = NULL;
        _cleanup_(strv_freep) char **argv = NULL;
        uint64_t id, deadline;
        char name[64];
        pid_t pid;
        int r, status;

        snprintf(name, sizeof name, "bpftoken-learn-%d-%u", (int) getpid(), round);
        r = monitor_cgroup_new(name, &cg, &id);
        if (r < 0)
                return log_error_errno(r, "Failed to create the cgroup %s to watch: %m", name);
        r = monitor_watch_cgroup(m, id);
        if (r < 0) {
                (void) monitor_cgroup_remove(cg);
                return log_error_errno(r, "Failed to watch the cgroup %s: %m", cg);
        }

        r = strv_extend(&argv, bpftoken_exec_path());
        if (r >= 0)
                r = strv_extendf(&argv, "--user=%s", a->user ?: "root");
        for (BpfKind k = 0; r >= 0 && k < _BPF_KIND_MAX; k++) {
                char *opt = NULL;

                r = delegation_option(names, k, d, &opt);
                if (r >= 0)
                        r = strv_consume(&argv, opt);
        }
        if (r >= 0)
                r = strv_extend(&argv, "-q");
        if (r >= 0)
                r = strv_extend(&argv, "--");
        for (int i = 0; r >= 0 && i < a->n_args; i++)
                r = strv_extend(&argv, a->args[i]);
        if (r < 0) {
                (void) monitor_cgroup_remove(cg);
                return log_oom();
        }

        fflush(stdout);
        fflush(stderr);
        pid = fork();
        if (pid < 0) {
                r = -errno;
                (void) monitor_cgroup_remove(cg);
                return log_error_errno(r, "Failed to fork: %m");
        }
        if (pid == 0) {
                if (monitor_cgroup_enter(cg) < 0)
                        _exit(126);
                /* The command's output is not ours: keep stdout for the lines. */
                if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
                        _exit(126);
                execv(argv[0], argv);
                _exit(127);
        }
        deadline = a->duration_usec ? now_realtime_usec() + a->duration_usec : 0;
        status = learn_observe(m, run, pid, deadline);
        (void) monitor_unwatch_cgroup(m, id);
        (void) monitor_cgroup_remove(cg);
        if (status == -EINTR)
                return log_error_errno(status, "Interrupted.");
        if (status < 0 && status != -ETIME)
                return status;
        *ret_status = status;
        return 0;
}

static const char *describe_status(int status, char *buf, size_t size) {
        if (status == -ETIME)
                snprintf(buf, size, "still running when the window ended");
        else if (WIFEXITED(status))
                snprintf(buf, size, "exit status %d", WEXITSTATUS(status));
        else
                snprintf(buf, size, "killed by signal %d", WTERMSIG(status));
        return buf;
}

static int learn_print(const BpfNames *names, const LearnRun *run, const char *what, const char *status_text) {
        if (arg_json != TABLE_JSON_OFF) {
                json_object *o = json_object_new_object(), *lines = json_object_new_object();

                if (!o || !lines)
                        return log_oom();
                for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                        _cleanup_(freep) char *list = NULL;

                        if (delegation_format(names, k, run->learned.masks[k], DELEGATION_STYLE_SYSTEMD, &list) < 0)
                                return log_oom();
                        json_object_object_add(lines, bpf_kind_directive(k), json_object_new_string(list));
                }
                json_object_object_add(o, "learned", lines);
                json_object_object_add(o, "calls", json_object_new_int((int) run->n_events));
                json_object_object_add(o, "needed_calls", json_object_new_int((int) run->n_calls));
                json_object_object_add(o, "libbpf_probes", json_object_new_int((int) run->n_probes));
                json_object_object_add(o, "result", json_object_new_string(status_text));
                json_object_object_add(o, "wide_delegation_while_learning", json_object_new_boolean(true));
                return json_print(o);
        }
        log_info("Learned from %u bpf() calls of %s (%s; %u libbpf probes ignored). It ran with a WIDE "
                 "delegation (every command, map, program and attach type) while learning. The minimal lines:",
                 run->n_events, what, status_text, run->n_probes);
        return print_delegation_lines(names, &run->learned, "");
}

static int learn_command(Monitor *m, const BpfNames *names, const MonitorArgs *a) {
        _cleanup_(learn_run_done) LearnRun wide = { .names = names }, check = { .names = names };
        Delegation any = {};
        char s1[64], s2[64];
        size_t missing = 0;
        int st1 = 0, st2 = 0, r;

        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                any.masks[k] = DELEGATION_ANY;
        log_info("Running %s with a wide delegation (every BPF command, map, program and attach type) to learn "
                 "what it needs.", a->args[0]);
        r = learn_run_command(m, names, a, &any, 1, &wide, &st1);
        if (r < 0)
                return r;
        if (st1 != -ETIME && WIFEXITED(st1) && WEXITSTATUS(st1) == 127)
                return log_error_errno(-ENOEXEC, "%s could not be run (exit status 127 from %s): nothing was learned.",
                                       a->args[0], bpftoken_exec_path());
        if (wide.overflow)
                log_warning("More than %d distinct calls: the lines cover the first ones only.", LEARN_CALLS_MAX);
        r = learn_print(names, &wide, a->args[0], describe_status(st1, s1, sizeof s1));
        if (r < 0 || a->no_verify)
                return r;

        log_info("Verifying: running %s again with exactly these lines.", a->args[0]);
        r = learn_run_command(m, names, a, &wide.learned, 2, &check, &st2);
        if (r < 0)
                return r;
        for (size_t i = 0; i < wide.n_calls; i++)
                if (!learn_run_has_call(&check, &wide.calls[i], false))
                        missing++;
        (void) describe_status(st2, s2, sizeof s2);
        if (st1 == st2 && missing == 0 && check.n_refused == 0) {
                log_info("Verified: with these lines %s behaves the same (%s, the same %zu successful calls).",
                         a->args[0], s2, wide.n_calls);
                return 0;
        }
        log_error("Not verified: with these lines %s behaved differently (%s instead of %s; %zu of %zu successful "
                  "calls missing, %u refused).", a->args[0], s2, s1, missing, wide.n_calls, check.n_refused);
        return ANALYZE_EXIT_FINDINGS;
}

/* ---- learn UNIT ---- */

static int run_systemctl(const char *a1, const char *a2) {
        pid_t pid;
        int status;

        fflush(stdout);
        fflush(stderr);
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
                        _exit(126);
                execlp("systemctl", "systemctl", a1, a2, (char *) NULL);
                _exit(127);
        }
        if (waitpid(pid, &status, 0) != pid)
                return -errno;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int dropin_path(const char *unit, bool dir, char **ret) {
        if (asprintf(ret, "%s/%s.d%s%s", LEARN_DROPIN_DIR, unit, dir ? "" : "/", dir ? "" : LEARN_DROPIN_NAME) < 0)
                return log_oom();
        return 0;
}

/* The runtime drop-in with the wide delegation. It sorts after every other drop-in, so its lines are
 * the last assignments and win; 'any' is systemd's own spelling. */
static int dropin_write(const char *unit) {
        _cleanup_(freep) char *dir = NULL, *path = NULL;
        FILE *f;
        int r;

        r = dropin_path(unit, true, &dir);
        if (r >= 0)
                r = dropin_path(unit, false, &path);
        if (r < 0)
                return r;
        (void) mkdir(LEARN_DROPIN_DIR, 0755);
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return log_error_errno(-errno, "Failed to create %s: %m", dir);
        f = fopen(path, "wxe");
        if (!f)
                return log_error_errno(-errno, "Failed to create %s (another 'learn' running?): %m", path);
        fprintf(f, "# Written by 'bpftoken-analyze learn %s' for the time it learns; removed afterwards.\n"
                   "[Service]\nPrivateBPF=yes\nBPFDelegateCommands=any\nBPFDelegateMaps=any\n"
                   "BPFDelegatePrograms=any\nBPFDelegateAttachments=any\n", unit);
        if (fclose(f) != 0)
                return log_error_errno(-errno, "Failed to write %s: %m", path);
        return 0;
}

static int dropin_remove(const char *unit) {
        _cleanup_(freep) char *dir = NULL, *path = NULL;
        int r;

        r = dropin_path(unit, true, &dir);
        if (r >= 0)
                r = dropin_path(unit, false, &path);
        if (r < 0)
                return r;
        if (unlink(path) < 0 && errno != ENOENT)
                return log_error_errno(-errno, "Failed to remove %s: %m", path);
        (void) rmdir(dir); /* only if nothing else is in it */
        return 0;
}

static int learn_unit(Monitor *m, const BpfNames *names, const MonitorArgs *a, const char *arg) {
        _cleanup_(learn_run_done) LearnRun run = { .names = names };
        _cleanup_(freep) char *state = NULL, *unit = NULL;
        const char *root;
        uint64_t id, deadline;
        bool was_active;
        char path[4096];
        int r, q;

        if (!systemd_is_running())
                return log_error_errno(-EHOSTDOWN, "'learn UNIT' needs systemd as PID 1; use 'learn -- COMMAND' instead.");
        r = unit_name_from_argument(arg, &unit);
        if (r < 0)
                return log_error_errno(r, "'%s' is not a valid unit name: write NAME.service (or NAME, which means "
                                       "NAME.service).", arg);
        run.unit = unit;
        {
                _cleanup_(unit_bpf_freep) UnitBpf *u = NULL;

                r = analyze_load_unit(names, unit, false, &u);
                if (r < 0)
                        return r;
        }
        r = unit_active_state(unit, &state);
        if (r < 0)
                return log_error_errno(r, "Failed to read the state of %s: %m", unit);
        was_active = streq(state, "active") || streq(state, "activating") || streq(state, "reloading");

        r = cgroup2_root(&root);
        if (r < 0)
                return log_error_errno(r, "Failed to find the cgroup2 hierarchy: %m");
        /* The unit's own cgroup is made anew by the restart: watch the slice, keep its calls only. */
        snprintf(path, sizeof path, "%s/system.slice", root);
        r = cgroup_id_of_path(path, &id);
        if (r >= 0)
                r = monitor_watch_cgroup(m, id);
        if (r < 0)
                return log_error_errno(r, "Failed to watch %s: %m", path);

        log_info("Restarting %s with a WIDE delegation (every BPF command, map, program and attach type, runtime "
                 "drop-in %s/%s.d/%s) to learn what it needs.", unit, LEARN_DROPIN_DIR, unit, LEARN_DROPIN_NAME);
        r = dropin_write(unit);
        if (r < 0)
                return r;
        r = run_systemctl("daemon-reload", NULL);
        if (r == 0) {
                q = run_systemctl("restart", unit);
                if (q != 0)
                        log_warning("'systemctl restart %s' failed with the wide delegation (status %d); "
                                    "recording anyway.", unit, q);
                deadline = now_realtime_usec() + (a->duration_usec ?: LEARN_UNIT_DEFAULT_USEC);
                r = learn_observe(m, &run, 0, deadline);
                if (r == -ETIME)
                        r = 0;
        } else
                r = log_error_errno(-EIO, "'systemctl daemon-reload' failed.");

        /* Put the unit back the way it was, whatever happened. */
        q = dropin_remove(unit);
        if (q >= 0 && run_systemctl("daemon-reload", NULL) != 0)
                q = log_error_errno(-EIO, "'systemctl daemon-reload' failed after removing the drop-in.");
        if (q >= 0) {
                int s = run_systemctl(was_active ? "restart" : "stop", unit);

                if (s != 0)
                        log_warning("'systemctl %s %s' failed (status %d) after learning.", was_active ? "restart" : "stop",
                                    unit, s);
                log_info("Removed the drop-in; %s is %s as before.", unit, was_active ? "restarted" : "stopped");
        }
        if (r < 0)
                return r;
        if (q < 0)
                return q;
        return learn_print(names, &run, unit, "observed");
}

int verb_learn(int argc, char *argv[]) {
        _cleanup_(monitor_freep) Monitor *m = NULL;
        struct sigaction sa = { .sa_handler = learn_on_signal };
        const BpfNames *names;
        MonitorArgs a;
        int r;

        r = monitor_parse_argv("learn", argc, argv, &a);
        if (r < 0)
                return r;
        if (a.n_args < 1)
                return log_error_errno(-EINVAL, "'learn' needs a unit or '-- COMMAND [ARGUMENTS...]'.");
        if (!a.dashdash && a.n_args != 1)
                return log_error_errno(-EINVAL, "'learn' takes one unit; a command goes after '--'.");
        if (geteuid() != 0)
                return log_error_errno(-EPERM, "The 'learn' verb needs root privileges: it loads BPF programs and "
                                       "sets up the delegation.");
        r = analyze_names(&names);
        if (r < 0)
                return r;
        r = monitor_open("learn", 0, &m);
        if (r < 0)
                return r;
        (void) sigaction(SIGINT, &sa, NULL);
        (void) sigaction(SIGTERM, &sa, NULL);
        return a.dashdash ? learn_command(m, names, &a) : learn_unit(m, names, &a, a.args[0]);
}
