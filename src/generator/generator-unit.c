/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "generator-exec.h"
#include "generator-attach.h"
#include "generator-plan.h"
#include "generator-unit.h"
#include "macro.h"
#include "policy.h"
#include "strv.h"
#include "unit-model.h"

#define CAP_BIT(c) (UINT64_C(1) << (c))

static const struct {
        int cap;
        const char *name;
} cap_names[] = {
        { CAP_BPF,       "CAP_BPF" },
        { CAP_PERFMON,   "CAP_PERFMON" },
        { CAP_NET_ADMIN, "CAP_NET_ADMIN" },
};

/* --- small helpers --------------------------------------------------------------------------- */

static bool endswith_str(const char *s, const char *suffix) {
        size_t ls = strlen(s), lx = strlen(suffix);
        return ls >= lx && streq(s + ls - lx, suffix);
}

static const char *strempty(const char *s) {
        return s ?: "";
}

static const char *display_path(const GeneratorContext *ctx, const char *p) {
        const char *s;

        if (p && ctx->root && (s = startswith(p, ctx->root)) && *s == '/')
                return s;
        return p;
}

/* --- output ---------------------------------------------------------------------------------- */

void generator_plan_done(GeneratorPlan *p) {
        if (!p)
                return;
        free(p->message);
        strv_free(p->notes);
        free(p->dropin);
        free(p->policy);
        strv_free(p->keys);
        *p = (GeneratorPlan) {};
}

int plan_skip(GeneratorPlan *p, const char *fmt, ...) {
        va_list ap;
        int r;

        free(p->dropin);
        free(p->policy);
        p->dropin = p->policy = NULL;
        free(p->message);
        va_start(ap, fmt);
        r = vasprintf(&p->message, fmt, ap);
        va_end(ap);
        if (r < 0) {
                p->message = NULL;
                return -ENOMEM;
        }
        p->result = PLAN_SKIP;
        return 0;
}

static int text_open(Text *t) {
        *t = (Text) {};
        t->f = open_memstream(&t->buf, &t->size);
        return t->f ? 0 : -ENOMEM;
}

void text_done(Text *t) {
        if (t->f)
                (void) fclose(t->f);
        free(t->buf);
        *t = (Text) {};
}

/* A text that starts with the header of every file we write, then the comment fmt formats. */
int text_open_generated(Text *t, const char *fmt, ...) {
        va_list ap;
        int r;

        r = text_open(t);
        if (r < 0)
                return r;
        fputs(GENERATOR_HEADER, t->f);
        va_start(ap, fmt);
        (void) vfprintf(t->f, fmt, ap);
        va_end(ap);
        return 0;
}

static int text_finish(Text *t, char **ret) {
        int r = fflush(t->f) == 0 && !ferror(t->f) ? 0 : -ENOMEM;

        (void) fclose(t->f);
        t->f = NULL;
        if (r < 0) {
                text_done(t);
                return r;
        }
        *ret = TAKE_PTR(t->buf);
        return 0;
}

static void print_caps(FILE *f, uint64_t caps) {
        bool first = true;

        for (size_t i = 0; i < ELEMENTSOF(cap_names); i++)
                if (caps & CAP_BIT(cap_names[i].cap)) {
                        fprintf(f, "%s%s", first ? "" : " ", cap_names[i].name);
                        first = false;
                }
}

static int format_delegation_summary(const GeneratorContext *ctx, const Delegation *d, char **ret) {
        Text t;
        int r;

        r = text_open(&t);
        if (r < 0)
                return r;
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                _cleanup_(freep) char *s = NULL;

                r = delegation_format(ctx->names, k, d->masks[k], DELEGATION_STYLE_KERNEL, &s);
                if (r < 0) {
                        text_done(&t);
                        return r;
                }
                fprintf(t.f, "%s%s=%s", k == 0 ? "" : " ", bpf_kind_to_string(k), isempty(s) ? "none" : s);
        }
        return text_finish(&t, ret);
}

void print_sources(const GeneratorContext *ctx, FILE *f, const UnitConfig *c) {
        fprintf(f, "# Source: %s\n", display_path(ctx, c->fragment_path));
        for (char **d = c->dropin_paths; d && *d; d++)
                fprintf(f, "# Source: %s\n", display_path(ctx, *d));
}

/* The native spelling of a mask: "any", or systemd's CamelCase names joined with ','. Bits systemd's
 * own table cannot express (it lacks the name, or maps it to another bit) are left out and named in
 * *ret_lost. */
static int format_native(const GeneratorContext *ctx, BpfKind k, uint64_t mask, char **ret, char **ret_lost) {
        Text t, lost;
        bool first = true, first_lost = true;
        int r;

        *ret_lost = NULL;
        if (mask == DELEGATION_ANY) {
                *ret = strdup("any");
                return *ret ? 0 : -ENOMEM;
        }

        r = text_open(&t);
        if (r < 0)
                return r;
        r = text_open(&lost);
        if (r < 0) {
                text_done(&t);
                return r;
        }

        for (unsigned b = 0; b < 64; b++) {
                const char *kname, *sname;
                unsigned sbit;

                if (!(mask & (UINT64_C(1) << b)))
                        continue;
                kname = bpf_names_kernel(ctx->names, k, b);
                sname = bpf_names_systemd(ctx->names, k, b);
                if (kname && sname && bpf_names_systemd_table_bit(k, kname, &sbit) >= 0 && sbit == b) {
                        fprintf(t.f, "%s%s", first ? "" : ",", sname);
                        first = false;
                } else {
                        if (kname)
                                fprintf(lost.f, "%s%s", first_lost ? "" : ", ", kname);
                        else
                                fprintf(lost.f, "%sbit %u", first_lost ? "" : ", ", b);
                        first_lost = false;
                }
        }

        r = text_finish(&t, ret);
        if (r < 0) {
                text_done(&lost);
                return r;
        }
        if (first_lost) {
                text_done(&lost);
                return 0;
        }
        r = text_finish(&lost, ret_lost);
        if (r < 0) {
                free(*ret);
                *ret = NULL;
        }
        return r;
}

/* Whether an assignment applied after ours undoes what we wrote for its key. Capability and address
 * family lists only add up, unless reset or inverted; everything else we write is replaced. */
static bool assignment_undoes(const UnitSetting *s) {
        if (streq(s->key, "AmbientCapabilities") || streq(s->key, "RestrictAddressFamilies"))
                return isempty(s->value) || s->value[0] == '~' || streq(s->value, "none");
        return true;
}

/* A drop-in applied after ours (by file name) that sets one of the keys we re-state would undo it. */
static const UnitSetting *find_later_conflict(const UnitConfig *c, char *const *keys) {
        for (size_t i = 0; i < c->n_settings; i++) {
                const UnitSetting *s = &c->settings[i];
                const char *base = strrchr(s->file, '/');

                base = base ? base + 1 : s->file;
                if (!streq_ptr(s->file, c->fragment_path) && strcmp(base, GENERATOR_DROPIN_NAME) > 0 &&
                    streq(s->section, SERVICE) && strv_contains(keys, s->key) && assignment_undoes(s))
                        return s;
        }
        return NULL;
}

/* --- the decision ---------------------------------------------------------------------------- */

bool generator_unit_has_directives(const UnitConfig *c) {
        if (!c)
                return false;
        for (size_t i = 0; i < c->n_settings; i++)
                if (streq(c->settings[i].section, SERVICE) && unit_key_is_bpf_directive(c->settings[i].key))
                        return true;
        return false;
}

static void request_done(Request *q) {
        unit_model_done(&q->model);
        free(q->summary);
}

int check_common(const GeneratorContext *ctx, const UnitConfig *c, const Request *q, Needs *needs,
                 GeneratorPlan *p) {
        const UnitModel *m = &q->model;
        uint64_t caps;
        int r;

        /* A last assignment systemd ignores: a value of a newer systemd ("self" on 252) asks for a user
         * namespace, which the drop-in then sets; anything else is most likely a typo. */
        if (unit_setting_ignored_last(m->private_users_invalid, m->private_users_setting)) {
                if (unit_private_users_from_string(m->private_users_invalid->value, 0) <= 0)
                        return plan_skip(p, "PrivateUsers=%s is not understood", m->private_users_invalid->value);
                needs->private_users = true;
                r = strv_extendf(&p->notes, "PrivateUsers=%s is not understood by systemd %u (it ignores the line); "
                                 "the drop-in sets PrivateUsers=yes", m->private_users_invalid->value,
                                 ctx->systemd_version);
                if (r < 0)
                        return r;
        } else if (m->private_users == UNIT_PRIVATE_USERS_UNSET)
                needs->private_users = true;
        else if (m->private_users == UNIT_PRIVATE_USERS_NO)
                return plan_skip(p, "PrivateUsers=%s is set, but a BPF token works only inside a user namespace of "
                                 "the unit's own, created by systemd", m->private_users_setting->value);

        if (unit_setting_ignored_last(m->private_mounts.invalid, m->private_mounts.setting))
                return plan_skip(p, "PrivateMounts=%s is not a boolean", m->private_mounts.invalid->value);
        if (m->private_mounts.value < 0)
                needs->private_mounts = true;
        else if (m->private_mounts.value == 0)
                return plan_skip(p, "PrivateMounts=%s is set, but the bpffs instance is mounted in a mount "
                                 "namespace of the unit's own", m->private_mounts.setting->value);

        caps = delegation_needed_capabilities(ctx->names, &q->delegation);
        if (caps & ~m->bounding_set) {
                char list[64] = "";

                for (size_t i = 0; i < ELEMENTSOF(cap_names); i++)
                        if (caps & ~m->bounding_set & CAP_BIT(cap_names[i].cap)) {
                                if (list[0])
                                        strcat(list, " ");
                                strcat(list, cap_names[i].name);
                        }
                return plan_skip(p, "CapabilityBoundingSet= lacks %s, which the program needs inside its user "
                                 "namespace to use the delegation", list);
        }
        if (!m->runs_as_root)
                needs->ambient = caps & ~m->ambient_set;

        return 0;
}

int write_prerequisites(FILE *f, const Needs *needs, char ***keys) {
        int r;

        if (needs->private_users) {
                fputs("# A user namespace created by systemd, owned by root: the token works only inside it,\n"
                      "# and no other process of the unit's user can join it.\n"
                      "PrivateUsers=yes\n", f);
                r = strv_extend_unique(keys, "PrivateUsers");
                if (r < 0)
                        return r;
        }
        if (needs->private_mounts) {
                fputs("# A mount namespace of the unit's own, where the bpffs instance is mounted.\n"
                      "PrivateMounts=yes\n", f);
                r = strv_extend_unique(keys, "PrivateMounts");
                if (r < 0)
                        return r;
        }
        return 0;
}

int write_ambient(FILE *f, const Needs *needs, char ***keys) {
        if (!needs->ambient)
                return 0;
        fputs("# The program needs these inside the unit's user namespace to use the delegation; there they\n"
              "# grant nothing on the host.\n"
              "AmbientCapabilities=", f);
        print_caps(f, needs->ambient);
        fputc('\n', f);
        return strv_extend_unique(keys, "AmbientCapabilities");
}

int plan_finish_dropin(const GeneratorContext *ctx, const UnitConfig *c, char *const *keys, Text *t,
                       GeneratorPlan *p) {
        const UnitSetting *conflict = find_later_conflict(c, keys);
        int r;

        if (conflict) {
                text_done(t);
                return plan_skip(p, "drop-in %s sets %s= and is applied after %s, undoing it; rename it so that "
                                 "it sorts before %s", display_path(ctx, conflict->file), conflict->key,
                                 GENERATOR_DROPIN_NAME, GENERATOR_DROPIN_NAME);
        }
        r = text_finish(t, &p->dropin);
        if (r < 0)
                return r;
        for (char *const *k = keys; k && *k; k++) {
                r = strv_extend(&p->keys, *k);
                if (r < 0)
                        return r;
        }
        p->result = PLAN_WRITE;
        return 0;
}

int format_policy(const GeneratorContext *ctx, const UnitConfig *c, const Request *q, char **ret) {
        Text t;
        int r;

        r = text_open_generated(&t, "# The delegation of %s, from its unit file and drop-ins; rewritten at every\n"
                "# daemon-reload.\n"
                "# Delegation: %s\n", c->name, q->summary);
        if (r < 0)
                return r;
        r = policy_format_body(ctx->names, c->name, &q->delegation, t.f);
        if (r < 0) {
                text_done(&t);
                return r;
        }
        return text_finish(&t, ret);
}

int plan_attach(const GeneratorContext *ctx, const UnitConfig *c, const Request *q, GeneratorPlan *p,
                AttachNeeds *ret) {
        generator_attach_plan(ctx, &q->model, &q->delegation, ret);
        if (ret->netns_blocked) {
                int r = strv_extendf(&p->notes, "%s: XDP and tc programs attach through BPF links only "
                                     "(netlink attaches fail with EPERM on systemd %u)", ret->netns_blocked,
                                     ctx->systemd_version);
                if (r < 0)
                        return r;
        }
        if (!ret->unconfined)
                return 0;
        return strv_extendf(&p->notes, "%s: the unit's cgroup programs can attach to every cgroup of the host, "
                            "the root included", ret->unconfined);
}

static bool diag_needs_normalizing(const DelegationDiag *d) {
        return d->used_spaces || d->used_kernel_names || d->used_hex || d->used_invert || d->used_colons ||
               d->used_non_systemd_names;
}

/* On >= 258: the commands through bpftoken-exec for the token path (generator-attach.h). Where they
 * cannot be wrapped (a command systemd's syntax does not parse, a later drop-in resetting them), the
 * unit keeps everything else and goes without the token path: a note says so. */
static int write_native_token_path(const GeneratorContext *ctx, const UnitConfig *c, FILE *f, char ***keys,
                                   GeneratorPlan *p) {
        _cleanup_(strv_freep) char **wkeys = NULL;
        _cleanup_(freep) char *text = NULL;
        GeneratorPlan tmp = {};
        const UnitSetting *conflict = NULL;
        unsigned n_wrapped = 0;
        Text w;
        int r;

        r = text_open(&w);
        if (r < 0)
                return r;
        r = write_wrapped_exec(ctx, c, w.f, &wkeys, &n_wrapped, &tmp);
        if (r < 0) {
                text_done(&w);
                generator_plan_done(&tmp);
                return r;
        }
        r = text_finish(&w, &text);
        if (r < 0) {
                generator_plan_done(&tmp);
                return r;
        }
        if (tmp.result != PLAN_SKIP)
                conflict = find_later_conflict(c, wkeys);
        if (tmp.result == PLAN_SKIP || conflict || n_wrapped == 0) {
                r = strv_extendf(&p->notes, "no /sys/fs/bpf/token: %s", tmp.result == PLAN_SKIP ? tmp.message
                                 : conflict ? "a later drop-in resets the commands"
                                 : "no command runs through bpftoken-exec");
                generator_plan_done(&tmp);
                return r;
        }
        generator_plan_done(&tmp);
        fputs(generator_attach_token_path_comment, f);
        fputs(text, f);
        for (char **k = wkeys; k && *k; k++) {
                r = strv_extend_unique(keys, *k);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The BPFDelegate*= directive of kind k in the spelling systemd takes, with what presets add; what
 * systemd cannot express is left out, with a note. */
static int write_normalized(const GeneratorContext *ctx, const Request *q, BpfKind k, FILE *f, char ***keys,
                            GeneratorPlan *p) {
        _cleanup_(freep) char *native = NULL, *lost = NULL;
        const char *directive = bpf_kind_directive(k);
        int r;

        r = format_native(ctx, k, q->delegation.masks[k], &native, &lost);
        if (r < 0)
                return r;

        if (q->preset_bits[k] && !diag_needs_normalizing(&q->diag[k]))
                fprintf(f, "# %s= with what %s= adds; systemd ignores %s=.\n", directive,
                        GENERATOR_PRESET_KEY, GENERATOR_PRESET_KEY);
        else
                fprintf(f, "# systemd takes only comma-separated CamelCase names here and ignores other\n"
                        "# spellings; normalized from '%s'%s.\n", strempty(q->values[k]),
                        q->preset_bits[k] ? " plus X-BPFTokenPreset=" : "");
        if (lost) {
                fprintf(f, "# systemd %u cannot express %s here (its table lacks it or maps it to\n"
                        "# another bit): left out.\n", ctx->systemd_version, lost);
                r = strv_extendf(&p->notes, "%s=: systemd %u cannot express %s, left out", directive,
                                     ctx->systemd_version, lost);
                if (r < 0)
                        return r;
        }
        fprintf(f, "%s=\n", directive);
        if (!isempty(native))
                fprintf(f, "%s=%s\n", directive, native);
        return strv_extend_unique(keys, directive);
}

static int plan_native(const GeneratorContext *ctx, const UnitConfig *c, const Request *q, GeneratorPlan *p) {
        _cleanup_(strv_freep) char **keys = NULL;
        AttachNeeds attach;
        Needs needs = {};
        bool delegate_mnt, normalize_any = false, anything = false;
        bool normalize[_BPF_KIND_MAX] = {};
        Text t = {};
        int r;

        if (delegation_is_empty(&q->delegation)) {
                /* A private bpffs without delegation needs nothing from us. */
                p->result = PLAN_WRITE;
                return strv_extendf(&p->notes, "PrivateBPF=yes without any delegation: systemd %u mounts an empty "
                                        "private bpffs, no token can be created", ctx->systemd_version);
        }

        r = check_common(ctx, c, q, &needs, p);
        if (r < 0 || p->result == PLAN_SKIP)
                return r;

        if (q->model.delegate_namespaces.mnt < 0)
                return plan_skip(p, "DelegateNamespaces= excludes mnt, but systemd %u mounts the bpffs for a token "
                                 "only in a delegated mount namespace", ctx->systemd_version);
        delegate_mnt = q->model.delegate_namespaces.mnt == 0;

        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                normalize[k] = diag_needs_normalizing(&q->diag[k]) || q->preset_bits[k] != 0;
                normalize_any = normalize_any || normalize[k];
        }

        r = plan_attach(ctx, c, q, p, &attach);
        if (r < 0)
                return r;
        anything = needs.private_users || needs.private_mounts || delegate_mnt || needs.ambient || normalize_any ||
                   attach.protect_control_groups || attach.delegate_cgroupns || attach.deny_mount_calls ||
                   attach.delegate_netns || attach.token_path;
        if (!anything) {
                p->result = PLAN_WRITE;
                return 0;
        }

        r = text_open_generated(&t, "#\n"
                "# systemd %u implements PrivateBPF= and BPFDelegate*= itself. This drop-in only adds what\n"
                "# that implementation needs to give %s a usable token.\n"
                "# Delegation: %s\n", ctx->systemd_version, c->name, q->summary);
        if (r < 0)
                return r;
        print_sources(ctx, t.f, c);
        fputs("\n[Service]\n", t.f);

        r = write_prerequisites(t.f, &needs, &keys);
        if (r < 0)
                goto fail;
        if (delegate_mnt) {
                fputs("# systemd mounts the bpffs from inside the unit's user namespace only if the mount namespace\n"
                      "# is delegated to it.\n"
                      "DelegateNamespaces=mnt\n", t.f);
                r = strv_extend_unique(&keys, "DelegateNamespaces");
                if (r < 0)
                        goto fail;
        }
        r = write_ambient(t.f, &needs, &keys);
        if (r >= 0)
                r = generator_attach_write(t.f, &attach, &keys);
        if (r >= 0 && attach.token_path)
                r = write_native_token_path(ctx, c, t.f, &keys, p);
        if (r < 0)
                goto fail;

        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                if (!normalize[k])
                        continue;
                r = write_normalized(ctx, q, k, t.f, &keys, p);
                if (r < 0)
                        goto fail;
        }

        return plan_finish_dropin(ctx, c, keys, &t, p);

fail:
        text_done(&t);
        return r;
}

static int parse_request(const GeneratorContext *ctx, const UnitConfig *c, Request *q, GeneratorPlan *p) {
        Delegation lists;
        int r;

        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                const char *directive = bpf_kind_directive(k);

                q->values[k] = q->model.delegate[k] ? q->model.delegate[k]->value : NULL;
                r = delegation_parse_list(ctx->names, k, q->values[k], &q->delegation.masks[k], &q->diag[k]);
                if (r == -ENOMEM)
                        return r;
                if (r == -EINVAL || q->diag[k].used_invert)
                        p->wants_kernel_names = true;
                if (r < 0)
                        return plan_skip(p, "%s=%s: %s", directive, q->values[k], q->diag[k].error);
        }
        lists = q->delegation;

        for (char **name = q->model.presets; name && *name; name++) {
                DelegationDiag diag;

                r = delegation_apply_preset(ctx->names, *name, &q->delegation, &diag);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return plan_skip(p, "%s=: %s", GENERATOR_PRESET_KEY, diag.error);
        }

        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                q->preset_bits[k] = q->delegation.masks[k] & ~lists.masks[k];

        return format_delegation_summary(ctx, &q->delegation, &q->summary);
}

int generator_plan_unit(const GeneratorContext *ctx, const UnitConfig *c, GeneratorPlan *ret) {
        _cleanup_(request_done) Request q = {};
        bool delegates = false;
        const char *v;
        int r, b = 0;

        if (!ctx || !c || !ret)
                return -EINVAL;
        *ret = (GeneratorPlan) {};

        if (c->masked || !generator_unit_has_directives(c))
                return 0;

        r = unit_model_build(c, SERVICE, ctx->systemd_version, &q.model);
        if (r < 0)
                return r;
        if (q.model.bad_setting)
                return plan_skip(ret, "%s=%s is not a boolean: systemd refuses to load the unit",
                                 q.model.bad_setting->key, q.model.bad_setting->value);
        if (unit_setting_ignored_last(q.model.private_bpf.invalid, q.model.private_bpf.setting))
                return plan_skip(ret, "PrivateBPF=%s is not a boolean", q.model.private_bpf.invalid->value);
        v = q.model.private_bpf.setting ? q.model.private_bpf.setting->value : NULL;
        b = q.model.private_bpf.value;
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                delegates = delegates || q.model.delegate[k];
        delegates = delegates || q.model.preset_setting;

        if (b <= 0) {
                /* Nothing asked for, or PrivateBPF=no said explicitly (an instance turning its
                 * template's delegation off, say): nothing to do, nothing to warn about. */
                if (!delegates || v)
                        return 0;
                return plan_skip(ret, "BPFDelegate*= or %s= without PrivateBPF=yes has no effect (as with systemd "
                                 ">= 258)", GENERATOR_PRESET_KEY);
        }

        if (!endswith_str(c->name, ".service"))
                return plan_skip(ret, "only service units are supported");
        if (!c->fragment_path)
                return plan_skip(ret, "there are drop-ins but no unit file");

        r = parse_request(ctx, c, &q, ret);
        if (r < 0 || ret->result == PLAN_SKIP)
                return r;
        ret->delegation = q.delegation;

        if (ctx->systemd_version >= SYSTEMD_NATIVE_BPF_VERSION)
                r = plan_native(ctx, c, &q, ret);
        else
                r = plan_wrap(ctx, c, &q, ret);
        if (r < 0)
                generator_plan_done(ret);
        return r;
}

/* The policy of an instance that turned its template's delegation off: nothing. */
static int policy_format_mask(const GeneratorContext *ctx, const char *instance, const char *template, char **ret) {
        Text t;
        int r;

        r = text_open_generated(&t, "# %s has no BPF delegation, unlike %s: it gets nothing.\n", instance, template);
        if (r < 0)
                return r;
        r = policy_format_body(ctx->names, instance, &(const Delegation) {}, t.f);
        if (r < 0) {
                text_done(&t);
                return r;
        }
        return text_finish(&t, ret);
}

int generator_plan_mask_instance(const GeneratorContext *ctx, const char *instance, const char *template,
                                 GeneratorPlan *ret) {
        int r;

        if (!ctx || !instance || !template || !ret)
                return -EINVAL;
        *ret = (GeneratorPlan) { .result = PLAN_WRITE };

        r = asprintf(&ret->dropin, GENERATOR_HEADER
                     "#\n"
                     "# %s has configuration of its own without PrivateBPF=yes: this empty file masks the\n"
                     "# drop-in bpftoken-generator wrote for %s.\n", instance, template);
        if (r < 0) {
                ret->dropin = NULL;
                return -ENOMEM;
        }
        if (ctx->systemd_version >= SYSTEMD_NATIVE_BPF_VERSION)
                return 0;

        r = policy_format_mask(ctx, instance, template, &ret->policy);
        if (r < 0)
                generator_plan_done(ret);
        return r;
}
