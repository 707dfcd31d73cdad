/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The checks of 'verify' (and of 'status' and 'units'), one function each, kept in a table the way
 * systemd-analyze security keeps its assessors. Each reads the unit model (unit-model.h) and what
 * bpftoken-generator would do with the unit on the systemd version checked for, so that the
 * advice is the same wherever it is printed: what the generator adds is a notice, never an error.
 */
#include <ctype.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze-unit.h"
#include "bpf-names-table.h"
#include "config.h"
#include "generator-unit.h"
#include "macro.h"
#include "strv.h"

#define CAPS_OF_INTEREST (UNIT_CAP_BIT(CAP_BPF) | UNIT_CAP_BIT(CAP_PERFMON) | UNIT_CAP_BIT(CAP_NET_ADMIN) | \
                          UNIT_CAP_BIT(CAP_SYS_ADMIN))
#define NATIVE_VERSION 258
/* Checked as for this version when the running one cannot be told. */
#define FALLBACK_VERSION 257

typedef struct CheckInput {
        const UnitBpf *u;
        const UnitModel *m;
        const BpfNames *names;
        const CheckContext *ctx;
        bool version_known, native;
        unsigned version;               /* the version checked for */
        const UnitSetting *anchor;      /* PrivateBPF= or the first BPFDelegate*=, for findings without a setting */
        const GeneratorPlan *plan;      /* what bpftoken-generator does with the unit on that version */
} CheckInput;

typedef int (*check_func_t)(const CheckInput *in, Findings *f);

static const char *setting_file(const CheckInput *in, const UnitSetting *s) {
        return s ? s->file : in->u->config->fragment_path;
}

static unsigned setting_line(const UnitSetting *s) {
        return s ? s->line : 0;
}

/* Whether bpftoken-generator sets key in its drop-in on the version checked for. */
static bool generator_sets(const CheckInput *in, const char *key) {
        return in->plan->result == PLAN_WRITE && strv_contains(in->plan->keys, key);
}

static int check_private_bpf(const CheckInput *in, Findings *f) {
        const UnitBool *pb = &in->m->private_bpf;
        bool delegates = in->m->preset_setting;

        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                delegates = delegates || in->m->delegate[k];
        if (pb->invalid)
                return findings_add(f, SEVERITY_ERROR, "invalid-value", pb->invalid->file, pb->invalid->line,
                                    "PrivateBPF=%s is not a boolean; write PrivateBPF=yes.", pb->invalid->value);
        if (pb->value != 1 && delegates)
                return findings_add(f, SEVERITY_ERROR, "private-bpf-missing", setting_file(in, in->anchor),
                                    setting_line(in->anchor),
                                    "BPFDelegate*= only take effect together with PrivateBPF=yes, which is %s; "
                                    "add PrivateBPF=yes.", pb->value == 0 ? "set to no" : "missing");
        return 0;
}

static int check_values(const CheckInput *in, Findings *f) {
        int r;

        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                if (in->m->delegate[k]) {
                        r = unit_bpf_check_value(in->u, in->names, k, in->native, in->version_known, f);
                        if (r < 0)
                                return r;
                }
        return 0;
}

static int check_presets(const CheckInput *in, Findings *f) {
        const UnitSetting *s = in->m->preset_setting;
        int r;

        if (!s)
                return 0;
        for (char **p = in->m->presets; p && *p; p++) {
                Delegation tmp = {};
                DelegationDiag diag = {};

                if (delegation_apply_preset(in->names, *p, &tmp, &diag) < 0) {
                        r = findings_add(f, SEVERITY_ERROR, "unknown-preset", s->file, s->line, "X-BPFTokenPreset=: %s",
                                         isempty(diag.error) ? "unknown preset." : diag.error);
                        if (r < 0)
                                return r;
                }
        }
        if (in->native)
                return findings_add(f, SEVERITY_WARNING, "preset-native", s->file, s->line,
                                    "X-BPFTokenPreset= is a bpftoken extension; systemd >= 258 serves this unit "
                                    "natively and ignores it: write the preset's names into BPFDelegate*= "
                                    "(bpftoken-generator does so in its drop-in).");
        return 0;
}

static bool requested_is_empty(const CheckInput *in) {
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                if (in->u->requested.masks[k] != 0)
                        return false;
        return true;
}

static int check_empty_delegation(const CheckInput *in, Findings *f) {
        if (in->m->private_bpf.value != 1 || !requested_is_empty(in) || in->m->preset_setting)
                return 0;
        return findings_add(f, SEVERITY_WARNING, "empty-delegation", setting_file(in, in->anchor),
                            setting_line(in->anchor),
                            "PrivateBPF=yes without any BPFDelegate*=: the private bpffs delegates nothing, "
                            "so BPF_TOKEN_CREATE fails with ENOENT. Fine if the unit only wants to hide the "
                            "host's pins; otherwise add BPFDelegateCommands= and friends.");
}

/* What libbpf's own probes need (only if every value parsed: else the masks are partial). */
static int check_libbpf_baseline(const CheckInput *in, Findings *f) {
        char missing[512];

        if (requested_is_empty(in))
                return 0;
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                if (in->u->unparsed[k])
                        return 0;
        if (delegation_covers_libbpf_baseline(in->names, &in->u->requested, missing, sizeof missing))
                return 0;
        return findings_add(f, SEVERITY_WARNING, "libbpf-baseline", setting_file(in, in->anchor),
                            setting_line(in->anchor),
                            "The delegation lacks what libbpf >= 1.4 itself needs before it loads anything (%s): "
                            "unmodified libbpf programs fail with \"Couldn't load trivial BPF program\" or lose "
                            "global data. Add them (or X-BPFTokenPreset=libbpf on bpftoken).", missing);
}

/* An assignment systemd cannot parse: it ignores it (the one before stays in effect). */
static int report_ignored(Findings *f, const UnitSetting *s, const char *fix) {
        if (!s)
                return 0;
        return findings_add(f, SEVERITY_ERROR, "invalid-value", s->file, s->line,
                            "%s=%s is not a value this systemd understands; it ignores the line. %s", s->key, s->value,
                            fix);
}

static int check_private_settings(const CheckInput *in, Findings *f) {
        const UnitModel *m = in->m;
        int r;

        if (m->bad_setting) {
                r = findings_add(f, SEVERITY_ERROR, "bad-setting", m->bad_setting->file, m->bad_setting->line,
                                 "%s=%s is not a boolean: systemd refuses to load the unit (LoadState=bad-setting). "
                                 "Write %s=yes or %s=no.", m->bad_setting->key, m->bad_setting->value,
                                 m->bad_setting->key, m->bad_setting->key);
                if (r < 0)
                        return r;
        }
        r = report_ignored(f, m->private_users_invalid, "Write PrivateUsers=yes.");
        if (r >= 0)
                r = report_ignored(f, m->private_mounts.invalid, "Write PrivateMounts=yes.");
        if (r < 0)
                return r;
        if (m->private_users == UNIT_PRIVATE_USERS_NO) {
                r = findings_add(f, SEVERITY_ERROR, "private-users-off", m->private_users_setting->file,
                                 m->private_users_setting->line,
                                 "PrivateUsers=%s: a token works only in a user namespace of the unit's own (in the "
                                 "initial one BPF_TOKEN_CREATE fails with EOPNOTSUPP). Remove it or write "
                                 "PrivateUsers=yes.", m->private_users_setting->value);
                if (r < 0)
                        return r;
        }
        if (m->private_mounts.value == 0)
                return findings_add(f, SEVERITY_ERROR, "private-mounts-off", m->private_mounts.setting->file,
                                    m->private_mounts.setting->line,
                                    "PrivateMounts=%s: the delegated bpffs must be attached in a mount namespace of "
                                    "the unit's own. Remove it or write PrivateMounts=yes.",
                                    m->private_mounts.setting->value);
        return 0;
}

/* The settings a token needs that the unit lacks: a notice if bpftoken-generator adds them on this
 * version, an error if nobody does (systemd >= 258 without the generator's drop-in). */
static int check_prerequisites(const CheckInput *in, Findings *f) {
        const UnitModel *m = in->m;
        UnitPrivateUsers pu = unit_model_effective_private_users(m, in->version);
        const UnitSetting *ds = m->delegate_namespaces.setting;
        int r;

        if (m->private_bpf.value != 1 || !in->native || in->plan->result == PLAN_SKIP)
                return 0;
        if (pu == UNIT_PRIVATE_USERS_UNSET && !generator_sets(in, "PrivateUsers")) {
                r = findings_add(f, SEVERITY_ERROR, "missing-prerequisite", setting_file(in, in->anchor),
                                 setting_line(in->anchor),
                                 "PrivateUsers= is missing: systemd >= 258 then mounts the bpffs for the initial "
                                 "user namespace and BPF_TOKEN_CREATE fails (EOPNOTSUPP). Add PrivateUsers=yes.");
                if (r < 0)
                        return r;
        }
        if (m->private_mounts.value < 0 && !generator_sets(in, "PrivateMounts")) {
                r = findings_add(f, SEVERITY_ERROR, "missing-prerequisite", setting_file(in, in->anchor),
                                 setting_line(in->anchor),
                                 "PrivateMounts=yes is missing: add it, so that the unit gets a mount namespace "
                                 "owned by its user namespace.");
                if (r < 0)
                        return r;
        }
        if (!(m->delegate_namespaces.flags & UNIT_NAMESPACE_MNT) &&
            !generator_sets(in, "DelegateNamespaces"))
                return findings_add(f, SEVERITY_ERROR, "missing-prerequisite", setting_file(in, ds ?: in->anchor),
                                    setting_line(ds ?: in->anchor),
                                    "DelegateNamespaces=mnt is missing: without it systemd >= 258 creates the mount "
                                    "namespace (and the bpffs) before the user namespace, and BPF_TOKEN_CREATE fails "
                                    "with EPERM. Add DelegateNamespaces=mnt.");
        return 0;
}

/* The settings bpftoken-generator's drop-in adds, as "PrivateUsers=yes, PrivateMounts=yes": the
 * assignments of its drop-in other than the commands and the BPFDelegate*= lines it re-states. */
static int generator_additions(const GeneratorPlan *plan, char **ret) {
        _cleanup_(strv_freep) char **lines = NULL;
        int r;

        for (const char *p = plan->dropin; p && *p;) {
                size_t len = strcspn(p, "\n");
                const char *eq = memchr(p, '=', len);

                if (*p != '#' && *p != '[' && eq && eq + 1 < p + len && !startswith(p, "Exec") &&
                    !startswith(p, "BPFDelegate") && !startswith(p, "Wants=") && !startswith(p, "After=")) {
                        r = strv_consume(&lines, strndup(p, len));
                        if (r < 0)
                                return r;
                }
                p += len + (p[len] == '\n');
        }
        return strv_join(lines, ", ", ret);
}

static int check_generator(const CheckInput *in, Findings *f) {
        _cleanup_(freep) char *added = NULL;
        int r;

        /* The generator's reasons to skip are what the other checks report; say it only if they did not. */
        if (in->plan->result == PLAN_SKIP && findings_count(f, SEVERITY_ERROR) == 0)
                return findings_add(f, SEVERITY_ERROR, "generator-skips", setting_file(in, in->anchor),
                                    setting_line(in->anchor),
                                    "bpftoken-generator leaves this unit alone on systemd %u: %s; %s", in->version,
                                    in->plan->message, in->native ?
                                    "systemd then serves PrivateBPF= without what a token needs." :
                                    "the unit gets no BPF token.");
        if (in->plan->result != PLAN_WRITE || !in->plan->dropin)
                return 0;
        r = generator_additions(in->plan, &added);
        if (r < 0)
                return r;
        if (isempty(added))
                return 0;
        return findings_add(f, SEVERITY_NOTICE, "generator-adds", setting_file(in, in->anchor),
                            setting_line(in->anchor),
                            "bpftoken-generator adds %s to this unit on systemd %u (drop-in %s), so that its user "
                            "and mount namespaces are created by systemd and owned by root.", added, in->version,
                            GENERATOR_DROPIN_NAME);
}

static const char *cap_name_of(uint64_t caps) {
        return caps & UNIT_CAP_BIT(CAP_BPF) ? "CAP_BPF" :
               caps & UNIT_CAP_BIT(CAP_SYS_ADMIN) ? "CAP_SYS_ADMIN" :
               caps & UNIT_CAP_BIT(CAP_PERFMON) ? "CAP_PERFMON" : "CAP_NET_ADMIN";
}

/* AmbientCapabilities=CAP_BPF on systemd < 258 applies on the host unless the unit has a user
 * namespace of its own. */
static int check_ambient_initial_ns(const CheckInput *in, Findings *f) {
        const UnitModel *m = in->m;
        const UnitSetting *as = m->ambient_setting;
        uint64_t ambient = m->ambient_set & CAPS_OF_INTEREST;

        if (in->native || !ambient || !as || m->private_users > UNIT_PRIVATE_USERS_NO)
                return 0;
        if (m->private_users == UNIT_PRIVATE_USERS_NO)
                return findings_add(f, SEVERITY_ERROR, "ambient-cap-initial-ns", as->file, as->line,
                                    "AmbientCapabilities= grants %s with PrivateUsers=no: on systemd < 258 the "
                                    "service holds it on the host. Remove PrivateUsers=no (bpftoken-generator then "
                                    "adds PrivateUsers=yes and grants what the delegation needs inside the "
                                    "namespace by itself) and drop %s from AmbientCapabilities=.",
                                    cap_name_of(ambient), cap_name_of(ambient));
        return findings_add(f, SEVERITY_WARNING, "ambient-cap-initial-ns", as->file, as->line,
                            "AmbientCapabilities= grants %s: bpftoken-generator confines it to the unit's user "
                            "namespace by adding PrivateUsers=yes, but whenever the generator is not active "
                            "(systemd < 258) the service holds it on the host. Add PrivateUsers=yes yourself, or "
                            "drop %s: the generator grants what the delegation needs.",
                            cap_name_of(ambient), cap_name_of(ambient));
}

static int check_capabilities(const CheckInput *in, Findings *f) {
        static const int caps[] = { CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN };
        const UnitModel *m = in->m;
        uint64_t needed = delegation_needed_capabilities(in->names, &in->u->requested);
        int r;

        for (size_t i = 0; i < ELEMENTSOF(caps); i++) {
                uint64_t bit = UNIT_CAP_BIT(caps[i]);
                _cleanup_(freep) char *name = NULL;

                if (!(needed & bit))
                        continue;
                r = unit_caps_format(bit, &name);
                if (r < 0)
                        return r;
                for (char *c = name; *c; c++)
                        *c = (char) toupper((unsigned char) *c);
                if (!(m->bounding_set & bit)) {
                        r = findings_add(f, SEVERITY_ERROR, "capability-bounding-set", setting_file(in, m->bounding_setting),
                                         setting_line(m->bounding_setting),
                                         "CapabilityBoundingSet= excludes %s, which the delegation needs inside the "
                                         "unit's user namespace (systemd applies the bounding set after creating "
                                         "it): token use fails with EPERM. Add %s to CapabilityBoundingSet=.",
                                         name, name);
                } else if (in->native && !m->runs_as_root && !(m->ambient_set & bit) &&
                           !generator_sets(in, "AmbientCapabilities"))
                        r = findings_add(f, SEVERITY_ERROR, "missing-capability",
                                         setting_file(in, m->ambient_setting ?: in->anchor),
                                         setting_line(m->ambient_setting ?: in->anchor),
                                         "The unit runs as %s, which holds no %s inside its user namespace: add "
                                         "AmbientCapabilities=%s (it is confined to the namespace).",
                                         m->user ?: "a dynamic user", name, name);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int check_syscall_filter(const CheckInput *in, Findings *f) {
        const UnitSyscall *b = &in->m->syscall_bpf, *s = &in->m->syscall_socket;
        int r;

        if (!b->allowed) {
                r = findings_add(f, SEVERITY_ERROR, "syscall-filter", setting_file(in, b->setting),
                                 setting_line(b->setting),
                                 "SystemCallFilter= blocks bpf() (not in @system-service; part of @privileged): the "
                                 "application cannot create or use the token. Add SystemCallFilter=bpf.");
                if (r < 0)
                        return r;
        }
        if (!in->native && !s->allowed)
                return findings_add(f, SEVERITY_ERROR, "syscall-filter", setting_file(in, s->setting),
                                    setting_line(s->setting),
                                    "SystemCallFilter= blocks the socket calls bpftoken-exec needs to ask the "
                                    "publisher (@network-io): add SystemCallFilter=@network-io.");
        return 0;
}

static int check_restrict_namespaces(const CheckInput *in, Findings *f) {
        const UnitNamespaces *rn = &in->m->restrict_namespaces;

        if (!rn->set || rn->flags == UNIT_NAMESPACES_ALL)
                return 0;
        return findings_add(f, SEVERITY_NOTICE, "restrict-namespaces", rn->setting->file, rn->setting->line,
                            "RestrictNamespaces=%s is kept as written: %s sets up the user and mount namespaces "
                            "and the bpffs before the filter applies; it only stops the application from "
                            "creating namespaces itself.", rn->setting->value, in->native ? "systemd" : "the publisher");
}

static int check_address_families(const CheckInput *in, Findings *f) {
        const UnitAddressFamilies *af = &in->m->address_families;

        if (in->native || !af->restricted || !af->allow_list || af->has_unix || !af->setting)
                return 0;
        if (in->plan->result == PLAN_WRITE && !generator_sets(in, "RestrictAddressFamilies"))
                return 0;
        return findings_add(f, SEVERITY_NOTICE, "restrict-address-families", af->setting->file, af->setting->line,
                            "RestrictAddressFamilies= lacks AF_UNIX, which bpftoken-exec needs to reach the publisher; "
                            "bpftoken-generator adds it.");
}

static int check_kernel(const CheckInput *in, Findings *f) {
        if (in->ctx->token_support != 0)
                return 0;
        return findings_add(f, SEVERITY_ERROR, "no-kernel-support", NULL, 0,
                            "This kernel does not support BPF token delegation (Linux >= 6.9 is needed): the unit's "
                            "BPF delegation cannot work here.");
}

static int check_version(const CheckInput *in, Findings *f) {
        if (in->version_known)
                return 0;
        return findings_add(f, SEVERITY_NOTICE, "systemd-version-unknown", NULL, 0,
                            "The systemd version could not be told; checked as for systemd %u (use "
                            "--systemd-version=N).", FALLBACK_VERSION);
}

static const struct {
        const char *name;
        check_func_t check;
} unit_checks[] = {
        { "private-bpf",         check_private_bpf         },
        { "values",              check_values              },
        { "presets",             check_presets             },
        { "empty-delegation",    check_empty_delegation    },
        { "libbpf-baseline",     check_libbpf_baseline     },
        { "private-settings",    check_private_settings    },
        { "prerequisites",       check_prerequisites       },
        { "ambient",             check_ambient_initial_ns  },
        { "capabilities",        check_capabilities        },
        { "syscall-filter",      check_syscall_filter      },
        { "restrict-namespaces", check_restrict_namespaces },
        { "address-families",    check_address_families    },
        { "kernel",              check_kernel              },
        { "version",             check_version             },
        { "generator",           check_generator           }, /* last: it looks at the findings before it */
};

/* The directive key is a typo of (edit distance 1, or a case difference, or a "BPFDelegate" prefix),
 * NULL if none. */
static const char *directive_near(const char *key) {
        static const char *const directives[] = {
                "PrivateBPF", "BPFDelegateCommands", "BPFDelegateMaps", "BPFDelegatePrograms",
                "BPFDelegateAttachments", "X-BPFTokenPreset",
        };
        const char *best = NULL;
        unsigned best_d = UINT_MAX;

        if (unit_key_is_bpf_directive(key))
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(directives); i++) {
                unsigned d = bpf_edit_distance(key, directives[i]);

                if (d < best_d) {
                        best_d = d;
                        best = directives[i];
                }
        }
        if (best_d <= 1 || strncasecmp(key, "BPFDelegate", strlen("BPFDelegate")) == 0 ||
            strncasecmp(key, "X-BPFToken", strlen("X-BPFToken")) == 0)
                return best;
        return NULL;
}

/* Keys that look like a BPF directive but are not one, and directives in a section systemd does not
 * read them from: systemd < 258 ignores both silently (>= 258 logs "Unknown key name" for the first),
 * and the service runs without a token. */
static int check_unknown_keys(const UnitBpf *u, Findings *f) {
        const UnitConfig *c = u->config;
        int r;

        for (size_t i = 0; i < c->n_settings; i++) {
                const UnitSetting *s = &c->settings[i];
                const char *near = directive_near(s->key);

                if (near && streq(s->section, u->section))
                        r = findings_add(f, SEVERITY_ERROR, "unknown-key", s->file, s->line,
                                         "Unknown key %s= in [%s]: systemd ignores it (silently before 258), and "
                                         "the unit gets no such delegation. Did you mean %s=?", s->key, s->section, near);
                else if ((near || unit_key_is_bpf_directive(s->key)) && !streq(s->section, u->section)) {
                        bool typo = bpf_edit_distance(s->section, u->section) <= 2;

                        r = findings_add(f, SEVERITY_ERROR, "wrong-section", s->file, s->line,
                                         "%s= in [%s]: systemd reads %s= only in [%s] and ignores it here%s%s%s",
                                         s->key, s->section, near ?: s->key, u->section,
                                         typo ? "; did you mean [" : ".", typo ? u->section : "", typo ? "]?" : "");
                }
                else
                        r = 0;
                if (r < 0)
                        return r;
        }
        return 0;
}

static const UnitSetting *first_directive(const UnitModel *m) {
        if (m->private_bpf.setting || m->private_bpf.invalid)
                return m->private_bpf.setting ?: m->private_bpf.invalid;
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                if (m->delegate[k])
                        return m->delegate[k];
        return m->preset_setting;
}

/* The unit as bpftoken-generator reads it: without the drop-in it wrote itself (it skips its own
 * output directory). A shallow copy: settings and paths point into c; free the two arrays only. */
static int config_without_generated(const UnitConfig *c, UnitConfig *ret, UnitSetting **ret_settings,
                                    char ***ret_dropins) {
        size_t n = 0, nd = 0;

        *ret_settings = calloc(c->n_settings + 1, sizeof(UnitSetting));
        *ret_dropins = calloc(strv_length(c->dropin_paths) + 1, sizeof(char *));
        if (!*ret_settings || !*ret_dropins)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_settings; i++) {
                const char *b = strrchr(c->settings[i].file, '/');

                if (!streq(b ? b + 1 : c->settings[i].file, GENERATOR_DROPIN_NAME))
                        (*ret_settings)[n++] = c->settings[i];
        }
        for (char **d = c->dropin_paths; d && *d; d++) {
                const char *b = strrchr(*d, '/');

                if (!streq(b ? b + 1 : *d, GENERATOR_DROPIN_NAME))
                        (*ret_dropins)[nd++] = *d;
        }
        *ret = *c;
        ret->settings = *ret_settings;
        ret->n_settings = n;
        ret->dropin_paths = *ret_dropins;
        return 0;
}

/* What bpftoken-generator does with the unit on gctx's version. */
static int plan_like_generator(const GeneratorContext *gctx, const UnitConfig *c, GeneratorPlan *ret) {
        _cleanup_(freep) UnitSetting *settings = NULL;
        _cleanup_(freep) char **dropins = NULL;
        UnitConfig own;
        int r;

        r = config_without_generated(c, &own, &settings, &dropins);
        if (r < 0)
                return r;
        return generator_plan_unit(gctx, &own, ret);
}

int unit_bpf_check(const UnitBpf *u, const BpfNames *names, const CheckContext *ctx, Findings *f) {
        _cleanup_(generator_plan_done) GeneratorPlan plan = {};
        const UnitConfig *c = u->config;
        CheckInput in = {
                .u = u,
                .m = &u->model,
                .names = names,
                .ctx = ctx,
                .version_known = ctx->systemd_version > 0,
                .version = ctx->systemd_version > 0 ? (unsigned) ctx->systemd_version : FALLBACK_VERSION,
                .anchor = first_directive(&u->model),
                .plan = &plan,
        };
        GeneratorContext gctx = {
                .names = names,
                .systemd_version = in.version,
                .exec_path = BPFTOKEN_EXEC_PATH,
                .socket_unit = GENERATOR_PUBLISH_SOCKET_UNIT,
                .socket_path = BPFTOKEN_PUBLISH_SOCKET,
        };
        int r;

        in.native = in.version >= NATIVE_VERSION;

        if (c->masked)
                return findings_add(f, SEVERITY_ERROR, "masked", c->fragment_path, 0, "Unit %s is masked.", c->name);
        if (!c->fragment_path)
                return findings_add(f, SEVERITY_ERROR, "no-fragment", NULL, 0,
                                    "Unit %s has drop-ins but no unit file, so it does not load.", c->name);
        r = check_unknown_keys(u, f);
        if (r < 0)
                return r;
        if (!unit_bpf_wanted(u) && findings_count(f, SEVERITY_ERROR) > 0)
                return 0;
        if (!unit_bpf_wanted(u))
                return findings_add(f, SEVERITY_NOTICE, "no-delegation", c->fragment_path, 0,
                                    "Unit %s has no BPF delegation (no PrivateBPF=, BPFDelegate*=).", c->name);

        r = plan_like_generator(&gctx, c, &plan);
        if (r < 0)
                return r;

        for (size_t i = 0; i < ELEMENTSOF(unit_checks); i++) {
                r = unit_checks[i].check(&in, f);
                if (r < 0)
                        return r;
        }
        return 0;
}
