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

static int status_one(const BpfNames *names, const char *arg, json_object *all, bool first) {
        _cleanup_(unit_bpf_freep) UnitBpf *u = NULL;
        _cleanup_(table_freep) Table *dt = NULL, *tt = NULL;
        _cleanup_(freep) pid_t *pids = NULL;
        _cleanup_(freep) char *state = NULL;
        json_object *o = NULL, *jd = NULL, *jp = NULL, *refusals = NULL;
        const MountEntry *eff = NULL;
        const char *impl, *reason = NULL, *name;
        MountScan ms = {};
        TokenScan ts = {};
        Findings f = {};
        Decision dec = {};
        CheckContext ctx;
        size_t n_pids = 0;
        int version = -1, r, have_decision;

        r = analyze_load_unit(names, arg, false, &u);
        if (r < 0)
                return r;
        name = u->config->name;
        (void) analyze_check_context(&ctx);
        version = ctx.systemd_version;
        impl = unit_implementation(u, version, &reason);
        (void) unit_active_state(name, &state);

        r = unit_bpf_check(u, names, &ctx, &f);
        if (r >= 0)
                r = add_policy_findings(names, name, &f);
        if (r < 0)
                return log_oom();
        if (findings_count(&f, SEVERITY_ERROR) > 0)
                status_errors = true;

        r = scan_unit_pids(name, &pids, &n_pids);
        if (r < 0) {
                findings_done(&f);
                return log_error_errno(r, "Failed to find the processes of %s: %m", name);
        }
        if (n_pids > 0) {
                ScanFilter filter = { .pids = pids, .n_pids = n_pids };

                r = scan_mounts(names, &filter, false, &ms);
                if (r >= 0)
                        r = scan_tokens(&filter, &ts);
                if (r < 0) {
                        findings_done(&f);
                        mount_scan_done(&ms);
                        return log_error_errno(r, "Failed to scan the processes of %s: %m", name);
                }
        }
        for (size_t i = 0; i < ms.n_entries; i++)
                if (mount_entry_at_bpffs(&ms.entries[i])) {
                        eff = &ms.entries[i];
                        break;
                }
        have_decision = last_decision(name, &dec);
        refusals = recent_refusals(name, 5); /* bpftoken-monitor's audit trail */
        if (!refusals)
                goto oom;

        /* Status-specific warnings. */
        r = 0;
        if (unit_bpf_wanted(u) && n_pids == 0)
                r = findings_add(&f, SEVERITY_NOTICE, "not-running", NULL, 0,
                                 "%s has no running processes: there is no effective delegation to compare.", name);
        else if (unit_bpf_wanted(u) && !eff)
                r = findings_add(&f, SEVERITY_WARNING, "no-instance", NULL, 0,
                                 "None of the %zu processes of %s sees a delegated bpffs at /sys/fs/bpf: the "
                                 "delegation was not set up (see the warnings above and the journal).", n_pids, name);
        if (r < 0)
                goto oom;

        jd = json_object_new_array();
        r = table_new((const char *const[]) { "KIND", "REQUESTED", "EFFECTIVE", "MISSING", "EXTRA", NULL }, &dt);
        if (r < 0 || !jd)
                goto oom;
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                uint64_t req = u->requested.masks[k], got = eff ? eff->delegation.masks[k] : 0;
                bool req_any = req == DELEGATION_ANY, got_any = eff && eff->delegation.any[k];
                uint64_t known = bpf_names_count(names, k) >= 64 ? UINT64_MAX :
                                 (UINT64_C(1) << bpf_names_count(names, k)) - 1;
                uint64_t missing = 0, extra = 0;
                json_object *x;

                /* The kernel prints "any" for all known bits; compare within the known bits then. */
                if (eff) {
                        uint64_t r_cmp = req_any ? known : req, g_cmp = got_any ? known : got;

                        missing = r_cmp & ~g_cmp;
                        extra = g_cmp & ~r_cmp;
                        if (req_any && got_any)
                                missing = extra = 0;
                }

                r = table_add_string(dt, bpf_kind_to_string(k));
                if (r >= 0)
                        r = table_add_mask(dt, names, k, req, req_any, req != 0);
                if (r >= 0)
                        r = eff ? table_add_mask(dt, names, k, got, got_any, eff->delegation.present[k]) :
                                  table_add_empty(dt);
                if (r >= 0)
                        r = table_add_mask_brief(dt, names, k, missing, false, missing != 0, 4);
                if (r >= 0)
                        r = table_add_mask_brief(dt, names, k, extra, false, extra != 0, 4);
                if (r < 0)
                        goto oom;

                x = json_object_new_object();
                if (!x)
                        goto oom;
                json_object_object_add(x, "kind", json_object_new_string(bpf_kind_to_string(k)));
                json_object_object_add(x, "requested", mask_to_json(names, k, req, req_any));
                json_object_object_add(x, "effective", eff ? mask_to_json(names, k, got, got_any) : NULL);
                json_object_object_add(x, "missing", eff ? mask_to_json(names, k, missing, false) : NULL);
                json_object_object_add(x, "extra", eff ? mask_to_json(names, k, extra, false) : NULL);
                json_object_array_add(jd, x);

                if (eff && (missing || extra)) {
                        _cleanup_(freep) char *ms_text = NULL, *ex_text = NULL;

                        (void) format_mask_brief(names, k, missing, false, 6, &ms_text);
                        (void) format_mask_brief(names, k, extra, false, 6, &ex_text);
                        r = findings_add(&f, SEVERITY_WARNING, "delegation-differs", NULL, 0,
                                         "The live instance's %s differ from the unit's: missing %s, extra %s (a "
                                         "policy or the unit changed since the service started? restart it).",
                                         bpf_kind_to_string(k), ms_text ?: "?", ex_text ?: "?");
                        if (r < 0)
                                goto oom;
                }
        }

        r = tokens_table_new(names, &ts, &tt);
        if (r < 0)
                goto oom;

        if (all) {
                json_object *jt = NULL, *jf;

                o = json_object_new_object();
                jp = json_object_new_array();
                if (!o || !jp || table_to_json(tt, &jt) < 0)
                        goto oom;
                for (size_t i = 0; i < n_pids; i++)
                        json_object_array_add(jp, json_object_new_int(pids[i]));
                json_object_object_add(o, "unit", json_object_new_string(name));
                json_object_object_add(o, "fragment_path", u->config->fragment_path ?
                                       json_object_new_string(u->config->fragment_path) : NULL);
                json_object_object_add(o, "implementation", json_object_new_string(impl));
                json_object_object_add(o, "implementation_reason", reason ? json_object_new_string(reason) : NULL);
                json_object_object_add(o, "systemd_version", version > 0 ? json_object_new_int(version) : NULL);
                json_object_object_add(o, "state", state ? json_object_new_string(state) : NULL);
                json_object_object_add(o, "pids", TAKE_PTR(jp));
                json_object_object_add(o, "delegation", TAKE_PTR(jd));
                if (eff) {
                        json_object *m = json_object_new_object(), *mp = json_object_new_array();

                        for (size_t i = 0; mp && i < eff->n_mounts; i++)
                                json_object_array_add(mp, json_object_new_string(eff->mount_points[i]));
                        json_object_object_add(m, "mntns", json_object_new_uint64(eff->mntns));
                        json_object_object_add(m, "userns", eff->userns ? json_object_new_uint64(eff->userns) : NULL);
                        json_object_object_add(m, "pid", json_object_new_int(eff->pid));
                        json_object_object_add(m, "mount_points", mp);
                        json_object_object_add(m, "options", json_object_new_string(eff->super_options ?: ""));
                        json_object_object_add(o, "instance", m);
                } else
                        json_object_object_add(o, "instance", NULL);
                json_object_object_add(o, "tokens", jt);
                if (have_decision > 0) {
                        json_object *d = json_object_new_object();

                        json_object_object_add(d, "result", dec.result ? json_object_new_string(dec.result) : NULL);
                        json_object_object_add(d, "message", dec.message ? json_object_new_string(dec.message) : NULL);
                        json_object_object_add(d, "realtime_usec", json_object_new_uint64(dec.realtime));
                        json_object_object_add(o, "last_decision", d);
                } else
                        json_object_object_add(o, "last_decision", NULL);
                json_object_object_add(o, "refused_calls", TAKE_PTR(refusals));
                jf = findings_to_json(&f, NULL);
                json_object_object_add(o, "findings", jf);
                json_object_array_add(all, TAKE_PTR(o));
        } else {
                if (!first)
                        printf("\n");
                printf("          Unit: %s%s%s%s\n", name, u->config->fragment_path ? " (" : "",
                       u->config->fragment_path ?: "", u->config->fragment_path ? ")" : "");
                printf("Implementation: %s (%s)\n", impl, reason ?: "-");
                printf("         State: %s\n", state ?: "-");
                printf("     Processes: %zu", n_pids);
                for (size_t i = 0; i < n_pids && i < 8; i++)
                        printf("%s%d", i == 0 ? " (" : " ", (int) pids[i]);
                printf("%s\n", n_pids == 0 ? "" : n_pids > 8 ? " ...)" : ")");
                if (eff)
                        printf("      Instance: %s in mount namespace %" PRIu64 " (device %u:%u)\n",
                               eff->mount_points[0], eff->mntns, eff->major, eff->minor);
                else
                        printf("      Instance: -\n");
                if (have_decision > 0) {
                        char when[64] = "-";
                        time_t sec = (time_t) (dec.realtime / 1000000);
                        struct tm tm;

                        if (localtime_r(&sec, &tm))
                                strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
                        printf(" Last decision: %s %s: %s\n", when, dec.result ?: "-", dec.message ?: "-");
                } else
                        printf(" Last decision: -\n");
                printf("\n");

                table_set_legend(dt, false);
                table_set_header(dt, arg_legend);
                r = table_print(dt, stdout);
                if (r < 0)
                        goto fail;
                printf("\n");
                table_set_legend(tt, arg_legend);
                table_set_header(tt, arg_legend);
                if (table_get_rows(tt) > 0) {
                        r = table_print(tt, stdout);
                        if (r < 0)
                                goto fail;
                } else
                        printf("No live tokens.\n");
                print_recent_refusals(refusals);
                if (f.n > 0)
                        printf("\n");
                for (size_t i = 0; i < f.n; i++)
                        finding_print(&f.list[i], stdout);
        }
        r = 0;
        goto finish;
oom:
        r = log_oom();
        goto finish;
fail:
        r = log_error_errno(r, "Failed to print: %m");
finish:
        json_object_put(o);
        json_object_put(jd);
        json_object_put(jp);
        json_object_put(refusals);
        findings_done(&f);
        mount_scan_done(&ms);
        token_scan_done(&ts);
        decision_done(&dec);
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
