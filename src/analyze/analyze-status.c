/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * 'status UNIT': the delegation a unit asks for against the one its processes actually got (the
 * delegated bpffs in their mount namespaces), their live tokens, the publisher's last decision from
 * the journal, and warnings.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <time.h>
#include <unistd.h>

#include "analyze-monitor.h"
#include "analyze-scan.h"
#include "analyze-policy.h"
#include "analyze-unit.h"
#include "analyze.h"
#include "log.h"
#include "macro.h"

typedef struct Decision {
        char *result;
        char *message;
        uint64_t realtime;      /* usec */
} Decision;

static void decision_done(Decision *d) {
        free(d->result);
        free(d->message);
}

static int journal_field(sd_journal *j, const char *field, char **ret) {
        const void *data;
        size_t len, l = strlen(field);
        int r;

        r = sd_journal_get_data(j, field, &data, &len);
        if (r < 0)
                return r;
        if (len <= l + 1)
                return -EBADMSG;
        *ret = strndup((const char *) data + l + 1, len - l - 1);
        return *ret ? 0 : -ENOMEM;
}

/* The publisher logs one entry per decision with BPFTOKEN_UNIT= (see bpftoken-publish(8)). */
static int last_decision(const char *unit, Decision *ret) {
        sd_journal *j = NULL;
        char match[512];
        int r;

        r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
        if (r < 0)
                return r;
        snprintf(match, sizeof match, "BPFTOKEN_UNIT=%s", unit);
        r = sd_journal_add_match(j, match, 0);
        if (r >= 0)
                r = sd_journal_seek_tail(j);
        if (r >= 0)
                r = sd_journal_previous(j);
        if (r > 0) {
                *ret = (Decision) {};
                (void) journal_field(j, "BPFTOKEN_RESULT", &ret->result);
                (void) journal_field(j, "MESSAGE", &ret->message);
                (void) sd_journal_get_realtime_usec(j, &ret->realtime);
                r = 1;
        }
        sd_journal_close(j);
        return r;
}

static bool mount_entry_at_bpffs(const MountEntry *e) {
        for (size_t i = 0; i < e->n_mounts; i++)
                if (streq(e->mount_points[i], "/sys/fs/bpf"))
                        return true;
        return false;
}

static bool status_errors = false;

/* An administrator policy file for the unit that the publisher ignores (it does not parse): an error,
 * not "no BPF delegation". */
static int add_policy_findings(const BpfNames *names, const char *unit, Findings *f) {
        _cleanup_(policy_files_done) PolicyFiles l = {};
        const PolicyFileState *pf;
        int r;

        r = policy_files_scan(names, arg_root, &l);
        if (r < 0)
                return r;
        for (size_t iter = 0; (pf = policy_files_for_unit(&l, unit, &iter)); ) {
                if (pf->error >= 0)
                        continue;
                findings_drop(f, "no-delegation");
                r = policy_file_check(pf, f);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* What 'status' learns about one unit before it prints anything. */
typedef struct Status {
        UnitBpf *u;
        const char *name;
        const char *impl, *reason;
        char *state;
        int version;
        pid_t *pids;
        size_t n_pids;
        MountScan ms;
        TokenScan ts;
        const MountEntry *eff;  /* the process's delegated bpffs at /sys/fs/bpf, or NULL */
        Findings f;
        Decision dec;
        int have_decision;
        json_object *refusals;
        Table *dt, *tt;         /* delegation, tokens */
        json_object *jd;        /* delegation */
} Status;

static void status_done(Status *s) {
        json_object_put(s->jd);
        json_object_put(s->refusals);
        table_free(s->dt);
        table_free(s->tt);
        findings_done(&s->f);
        mount_scan_done(&s->ms);
        token_scan_done(&s->ts);
        decision_done(&s->dec);
        free(s->pids);
        free(s->state);
        unit_bpf_free(s->u);
}

/* The unit, its implementation, its findings, its processes and what they see. Logs its errors. */
static int status_gather(const BpfNames *names, const char *arg, Status *s) {
        CheckContext ctx;
        int r;

        r = analyze_load_unit(names, arg, false, &s->u);
        if (r < 0)
                return r;
        s->name = s->u->config->name;
        (void) analyze_check_context(&ctx);
        s->version = ctx.systemd_version;
        s->impl = unit_implementation(s->u, s->version, &s->reason);
        (void) unit_active_state(s->name, &s->state);

        r = unit_bpf_check(s->u, names, &ctx, &s->f);
        if (r >= 0)
                r = add_policy_findings(names, s->name, &s->f);
        if (r < 0)
                return log_oom();
        if (findings_count(&s->f, SEVERITY_ERROR) > 0)
                status_errors = true;

        r = scan_unit_pids(s->name, &s->pids, &s->n_pids);
        if (r < 0)
                return log_error_errno(r, "Failed to find the processes of %s: %m", s->name);
        if (s->n_pids > 0) {
                ScanFilter filter = { .pids = s->pids, .n_pids = s->n_pids };

                r = scan_mounts(names, &filter, false, &s->ms);
                if (r >= 0)
                        r = scan_tokens(&filter, &s->ts);
                if (r < 0)
                        return log_error_errno(r, "Failed to scan the processes of %s: %m", s->name);
        }
        for (size_t i = 0; i < s->ms.n_entries; i++)
                if (mount_entry_at_bpffs(&s->ms.entries[i])) {
                        s->eff = &s->ms.entries[i];
                        break;
                }
        s->have_decision = last_decision(s->name, &s->dec);
        s->refusals = recent_refusals(s->name, 5); /* bpftoken-monitor's audit trail */
        if (!s->refusals)
                return log_oom();
        return 0;
}

/* Status-specific warnings. */
static int status_add_warnings(Status *s) {
        if (unit_bpf_wanted(s->u) && s->n_pids == 0)
                return findings_add(&s->f, SEVERITY_NOTICE, "not-running", NULL, 0,
                                    "%s has no running processes: there is no effective delegation to compare.",
                                    s->name);
        if (unit_bpf_wanted(s->u) && !s->eff)
                return findings_add(&s->f, SEVERITY_WARNING, "no-instance", NULL, 0,
                                    "None of the %zu processes of %s sees a delegated bpffs at /sys/fs/bpf: the "
                                    "delegation was not set up (see the warnings above and the journal).",
                                    s->n_pids, s->name);
        return 0;
}

/* One kind's row of requested against effective delegation: table, JSON and a warning if they differ. */
static int status_delegation_kind(const BpfNames *names, Status *s, BpfKind k) {
        const MountEntry *eff = s->eff;
        uint64_t req = s->u->requested.masks[k], got = eff ? eff->delegation.masks[k] : 0;
        bool req_any = req == DELEGATION_ANY, got_any = eff && eff->delegation.any[k];
        uint64_t known = bpf_names_count(names, k) >= 64 ? UINT64_MAX :
                         (UINT64_C(1) << bpf_names_count(names, k)) - 1;
        uint64_t missing = 0, extra = 0;
        json_object *x;
        int r;

        /* The kernel prints "any" for all known bits; compare within the known bits then. */
        if (eff) {
                uint64_t r_cmp = req_any ? known : req, g_cmp = got_any ? known : got;

                missing = r_cmp & ~g_cmp;
                extra = g_cmp & ~r_cmp;
                if (req_any && got_any)
                        missing = extra = 0;
        }

        r = table_add_string(s->dt, bpf_kind_to_string(k));
        if (r >= 0)
                r = table_add_mask(s->dt, names, k, req, req_any, req != 0);
        if (r >= 0)
                r = eff ? table_add_mask(s->dt, names, k, got, got_any, eff->delegation.present[k]) :
                          table_add_empty(s->dt);
        if (r >= 0)
                r = table_add_mask_brief(s->dt, names, k, missing, false, missing != 0, 4);
        if (r >= 0)
                r = table_add_mask_brief(s->dt, names, k, extra, false, extra != 0, 4);
        if (r < 0)
                return r;

        x = json_object_new_object();
        if (!x)
                return -ENOMEM;
        json_object_object_add(x, "kind", json_object_new_string(bpf_kind_to_string(k)));
        json_object_object_add(x, "requested", mask_to_json(names, k, req, req_any));
        json_object_object_add(x, "effective", eff ? mask_to_json(names, k, got, got_any) : NULL);
        json_object_object_add(x, "missing", eff ? mask_to_json(names, k, missing, false) : NULL);
        json_object_object_add(x, "extra", eff ? mask_to_json(names, k, extra, false) : NULL);
        json_object_array_add(s->jd, x);

        if (eff && (missing || extra)) {
                _cleanup_(freep) char *ms_text = NULL, *ex_text = NULL;

                (void) format_mask_brief(names, k, missing, false, 6, &ms_text);
                (void) format_mask_brief(names, k, extra, false, 6, &ex_text);
                return findings_add(&s->f, SEVERITY_WARNING, "delegation-differs", NULL, 0,
                                    "The live instance's %s differ from the unit's: missing %s, extra %s (a "
                                    "policy or the unit changed since the service started? restart it).",
                                    bpf_kind_to_string(k), ms_text ?: "?", ex_text ?: "?");
        }
        return 0;
}

/* Requested against effective delegation, every kind. */
static int status_delegation(const BpfNames *names, Status *s) {
        int r;

        s->jd = json_object_new_array();
        r = table_new((const char *const[]) { "KIND", "REQUESTED", "EFFECTIVE", "MISSING", "EXTRA", NULL }, &s->dt);
        if (r < 0 || !s->jd)
                return -ENOMEM;
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                r = status_delegation_kind(names, s, k);
                if (r < 0)
                        return r;
        }
        return 0;
}

static json_object *status_instance_to_json(const MountEntry *eff) {
        json_object *m, *mp;

        if (!eff)
                return NULL;
        m = json_object_new_object();
        mp = json_object_new_array();
        for (size_t i = 0; mp && i < eff->n_mounts; i++)
                json_object_array_add(mp, json_object_new_string(eff->mount_points[i]));
        json_object_object_add(m, "mntns", json_object_new_uint64(eff->mntns));
        json_object_object_add(m, "userns", eff->userns ? json_object_new_uint64(eff->userns) : NULL);
        json_object_object_add(m, "pid", json_object_new_int(eff->pid));
        json_object_object_add(m, "mount_points", mp);
        json_object_object_add(m, "options", json_object_new_string(eff->super_options ?: ""));
        return m;
}

static json_object *status_decision_to_json(const Status *s) {
        json_object *d;

        if (s->have_decision <= 0)
                return NULL;
        d = json_object_new_object();
        json_object_object_add(d, "result", s->dec.result ? json_object_new_string(s->dec.result) : NULL);
        json_object_object_add(d, "message", s->dec.message ? json_object_new_string(s->dec.message) : NULL);
        json_object_object_add(d, "realtime_usec", json_object_new_uint64(s->dec.realtime));
        return d;
}

/* The unit's object, appended to all. */
static int status_json(Status *s, json_object *all) {
        const UnitConfig *c = s->u->config;
        json_object *o, *jp, *jt = NULL;

        o = json_object_new_object();
        jp = json_object_new_array();
        if (!o || !jp || table_to_json(s->tt, &jt) < 0) {
                json_object_put(o);
                json_object_put(jp);
                return -ENOMEM;
        }
        for (size_t i = 0; i < s->n_pids; i++)
                json_object_array_add(jp, json_object_new_int(s->pids[i]));
        json_object_object_add(o, "unit", json_object_new_string(s->name));
        json_object_object_add(o, "fragment_path", c->fragment_path ? json_object_new_string(c->fragment_path) : NULL);
        json_object_object_add(o, "implementation", json_object_new_string(s->impl));
        json_object_object_add(o, "implementation_reason", s->reason ? json_object_new_string(s->reason) : NULL);
        json_object_object_add(o, "systemd_version", s->version > 0 ? json_object_new_int(s->version) : NULL);
        json_object_object_add(o, "state", s->state ? json_object_new_string(s->state) : NULL);
        json_object_object_add(o, "pids", jp);
        json_object_object_add(o, "delegation", TAKE_PTR(s->jd));
        json_object_object_add(o, "instance", status_instance_to_json(s->eff));
        json_object_object_add(o, "tokens", jt);
        json_object_object_add(o, "last_decision", status_decision_to_json(s));
        json_object_object_add(o, "refused_calls", TAKE_PTR(s->refusals));
        json_object_object_add(o, "findings", findings_to_json(&s->f, NULL));
        json_object_array_add(all, o);
        return 0;
}

/* Unit, implementation, state, processes, instance and last decision. */
static void status_print_identity(const Status *s) {
        const UnitConfig *c = s->u->config;
        const MountEntry *eff = s->eff;

        printf("          Unit: %s%s%s%s\n", s->name, c->fragment_path ? " (" : "",
               c->fragment_path ?: "", c->fragment_path ? ")" : "");
        printf("Implementation: %s (%s)\n", s->impl, s->reason ?: "-");
        printf("         State: %s\n", s->state ?: "-");
        printf("     Processes: %zu", s->n_pids);
        for (size_t i = 0; i < s->n_pids && i < 8; i++)
                printf("%s%d", i == 0 ? " (" : " ", (int) s->pids[i]);
        printf("%s\n", s->n_pids == 0 ? "" : s->n_pids > 8 ? " ...)" : ")");
        if (eff)
                printf("      Instance: %s in mount namespace %" PRIu64 " (device %u:%u)\n",
                       eff->mount_points[0], eff->mntns, eff->major, eff->minor);
        else
                printf("      Instance: -\n");
        if (s->have_decision > 0) {
                char when[64] = "-";
                time_t sec = (time_t) (s->dec.realtime / 1000000);
                struct tm tm;

                if (localtime_r(&sec, &tm))
                        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
                printf(" Last decision: %s %s: %s\n", when, s->dec.result ?: "-", s->dec.message ?: "-");
        } else
                printf(" Last decision: -\n");
}

/* The human-readable status: identity, the delegation and token tables, refusals, findings. */
static int status_print(Status *s, bool first) {
        int r;

        if (!first)
                printf("\n");
        status_print_identity(s);
        printf("\n");

        table_set_legend(s->dt, false);
        table_set_header(s->dt, arg_legend);
        r = table_print(s->dt, stdout);
        if (r < 0)
                return r;
        printf("\n");
        table_set_legend(s->tt, arg_legend);
        table_set_header(s->tt, arg_legend);
        if (table_get_rows(s->tt) > 0) {
                r = table_print(s->tt, stdout);
                if (r < 0)
                        return r;
        } else
                printf("No live tokens.\n");
        print_recent_refusals(s->refusals);
        if (s->f.n > 0)
                printf("\n");
        for (size_t i = 0; i < s->f.n; i++)
                finding_print(&s->f.list[i], stdout);
        return 0;
}

static int status_one(const BpfNames *names, const char *arg, json_object *all, bool first) {
        Status s = {};
        int r;

        r = status_gather(names, arg, &s);
        if (r < 0)
                goto finish;

        r = status_add_warnings(&s);
        if (r >= 0)
                r = status_delegation(names, &s);
        if (r >= 0)
                r = tokens_table_new(names, &s.ts, &s.tt);
        if (r >= 0 && all)
                r = status_json(&s, all);
        if (r < 0) {
                r = log_oom();
                goto finish;
        }
        if (!all) {
                r = status_print(&s, first);
                if (r < 0)
                        r = log_error_errno(r, "Failed to print: %m");
        }
finish:
        status_done(&s);
        return r;
}

int verb_status(int argc, char *argv[]) {
        int r;

        if (argc < 2)
                return log_usage_error("The 'status' verb needs at least one unit name.");
        r = require_root("status");
        if (r < 0)
                return r;
        r = analyze_for_each_argument(argc, argv, status_one);
        if (r < 0)
                return r;
        return status_errors ? ANALYZE_EXIT_FINDINGS : 0;
}
