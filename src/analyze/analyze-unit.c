/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze-unit.h"
#include "macro.h"

#define CAPS_OF_INTEREST ((UINT64_C(1) << CAP_BPF) | (UINT64_C(1) << CAP_PERFMON) | \
                          (UINT64_C(1) << CAP_NET_ADMIN) | (UINT64_C(1) << CAP_SYS_ADMIN))
#define NATIVE_VERSION 258

static const char *const severity_table[_SEVERITY_MAX] = {
        [SEVERITY_ERROR]   = "error",
        [SEVERITY_WARNING] = "warning",
        [SEVERITY_NOTICE]  = "notice",
};

const char *severity_to_string(Severity s) {
        return s >= 0 && s < _SEVERITY_MAX ? severity_table[s] : NULL;
}

void findings_done(Findings *f) {
        if (!f)
                return;
        for (size_t i = 0; i < f->n; i++) {
                free(f->list[i].code);
                free(f->list[i].file);
                free(f->list[i].message);
        }
        free(f->list);
        *f = (Findings) {};
}

int findings_add(Findings *f, Severity s, const char *code, const char *file, unsigned line, const char *fmt, ...) {
        Finding *l, n = { .severity = s, .line = line };
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&n.message, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        n.code = strdup(code);
        n.file = file ? strdup(file) : NULL;
        l = reallocarray(f->list, f->n + 1, sizeof *l);
        if (!n.code || (file && !n.file) || !l) {
                free(n.message);
                free(n.code);
                free(n.file);
                if (l)
                        f->list = l;
                return -ENOMEM;
        }
        f->list = l;
        f->list[f->n++] = n;
        return 0;
}

size_t findings_count(const Findings *f, Severity s) {
        size_t n = 0;

        for (size_t i = 0; i < f->n; i++)
                if (f->list[i].severity == s)
                        n++;
        return n;
}

json_object *findings_to_json(const Findings *f, const char *unit) {
        json_object *a = json_object_new_array();

        for (size_t i = 0; a && i < f->n; i++) {
                const Finding *x = &f->list[i];
                json_object *o = json_object_new_object();

                if (!o) {
                        json_object_put(a);
                        return NULL;
                }
                if (unit)
                        json_object_object_add(o, "unit", json_object_new_string(unit));
                json_object_object_add(o, "file", x->file ? json_object_new_string(x->file) : NULL);
                json_object_object_add(o, "line", x->line > 0 ? json_object_new_int((int) x->line) : NULL);
                json_object_object_add(o, "severity", json_object_new_string(severity_to_string(x->severity)));
                json_object_object_add(o, "code", json_object_new_string(x->code));
                json_object_object_add(o, "message", json_object_new_string(x->message));
                json_object_array_add(a, o);
        }
        return a;
}

const UnitSetting *unit_last_setting(const UnitConfig *c, const char *section, const char *key) {
        const UnitSetting **l = NULL;
        const UnitSetting *s = NULL;
        int n;

        n = unit_config_get_all(c, section, key, &l);
        if (n > 0)
                s = l[n - 1];
        free(l);
        return s;
}

UnitBpf *unit_bpf_free(UnitBpf *u) {
        if (!u)
                return NULL;
        unit_config_free(u->config);
        free(u);
        return NULL;
}

static const char *unit_section(const char *name) {
        static const struct {
                const char *suffix, *section;
        } t[] = {
                { ".service", "Service" },
                { ".socket",  "Socket"  },
                { ".mount",   "Mount"   },
                { ".swap",    "Swap"    },
        };
        size_t l = name ? strlen(name) : 0;

        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                size_t s = strlen(t[i].suffix);

                if (l > s && streq(name + l - s, t[i].suffix))
                        return t[i].section;
        }
        return "Service";
}

static const char *const delegate_keys[_BPF_KIND_MAX] = {
        [BPF_KIND_COMMAND]    = "BPFDelegateCommands",
        [BPF_KIND_MAP]        = "BPFDelegateMaps",
        [BPF_KIND_PROGRAM]    = "BPFDelegatePrograms",
        [BPF_KIND_ATTACHMENT] = "BPFDelegateAttachments",
};

int unit_bpf_from_config(const BpfNames *names, UnitConfig *c, UnitBpf **ret) {
        UnitBpf *u;

        u = calloc(1, sizeof *u);
        if (!u)
                return -ENOMEM;
        u->config = c;
        u->section = unit_section(c->name);
        u->private_bpf = -1;

        u->private_bpf_setting = unit_last_setting(c, u->section, "PrivateBPF");
        if (u->private_bpf_setting && !isempty(u->private_bpf_setting->value)) {
                int b = parse_boolean(u->private_bpf_setting->value);

                u->private_bpf = b < 0 ? -EINVAL : b;
        }

        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                const UnitSetting *s = unit_last_setting(c, u->section, delegate_keys[k]);
                uint64_t mask = 0;

                u->delegate[k] = s && !isempty(s->value) ? s : NULL;
                if (!u->delegate[k])
                        continue;
                if (delegation_parse_list(names, k, s->value, &mask, NULL) >= 0) {
                        u->requested.masks[k] = mask;
                        u->parsed[k] = true;
                        u->any[k] = mask == DELEGATION_ANY;
                }
        }

        u->preset = unit_last_setting(c, u->section, "X-BPFTokenPreset");
        if (u->preset && !isempty(u->preset->value))
                (void) delegation_apply_preset(names, u->preset->value, &u->requested, NULL);
        else
                u->preset = NULL;

        *ret = u;
        return 0;
}

int unit_bpf_load(const BpfNames *names, const char *root, const char *arg, UnitBpf **ret) {
        _cleanup_(strv_freep) char **path = NULL;
        UnitConfig *c = NULL;
        int r;

        if (strchr(arg, '/'))
                r = unit_config_load_file(arg, NULL, &c);
        else {
                r = unit_search_path(root, NULL, &path);
                if (r < 0)
                        return r;
                r = unit_config_load(path, arg, NULL, &c);
        }
        if (r < 0)
                return r;

        r = unit_bpf_from_config(names, c, ret);
        if (r < 0)
                unit_config_free(c);
        return r;
}

bool unit_bpf_wanted(const UnitBpf *u) {
        if (!u)
                return false;
        if (u->private_bpf == 1 || u->preset)
                return true;
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                if (u->delegate[k])
                        return true;
        return false;
}

/* Skips leading whitespace and then a '~', if there is one; *ret_invert says whether there was. */
static const char *skip_invert(const char *v, bool *ret_invert) {
        while (*v && isspace((unsigned char) *v))
                v++;
        *ret_invert = *v == '~';
        return *ret_invert ? v + 1 : v;
}

/* Whitespace-separated words of a value, quotes stripped (enough for capability and syscall
 * lists). Returns a strv. */
static char **split_words(const char *v) {
        char **l = NULL;
        size_t n = 0;

        if (!v)
                v = "";
        l = calloc(1, sizeof *l);
        if (!l)
                return NULL;
        while (*v) {
                const char *s;
                char **nl;

                while (*v && isspace((unsigned char) *v))
                        v++;
                if (!*v)
                        break;
                s = v;
                while (*v && !isspace((unsigned char) *v))
                        v++;
                nl = reallocarray(l, n + 2, sizeof *l);
                if (!nl) {
                        strv_free(l);
                        return NULL;
                }
                l = nl;
                l[n] = strndup(s, (size_t) (v - s));
                if (!l[n]) {
                        strv_free(l);
                        return NULL;
                }
                /* strip quotes */
                {
                        char *w = l[n];
                        size_t wl = strlen(w);

                        if (wl >= 2 && (w[0] == '"' || w[0] == '\'') && w[wl - 1] == w[0]) {
                                memmove(w, w + 1, wl - 2);
                                w[wl - 2] = '\0';
                        }
                }
                l[++n] = NULL;
        }
        return l;
}

static uint64_t cap_from_word(const char *w) {
        static const struct {
                const char *name;
                int cap;
        } caps[] = {
                { "bpf",       CAP_BPF       },
                { "perfmon",   CAP_PERFMON   },
                { "net_admin", CAP_NET_ADMIN },
                { "sys_admin", CAP_SYS_ADMIN },
        };
        const char *n = w;

        if (strncasecmp(n, "cap_", 4) == 0)
                n += 4;
        for (size_t i = 0; i < ELEMENTSOF(caps); i++)
                if (strcaseeq(n, caps[i].name))
                        return UINT64_C(1) << caps[i].cap;
        return 0;
}

uint64_t unit_caps_setting(const UnitConfig *c, const char *section, const char *key, uint64_t def) {
        const UnitSetting **l = NULL;
        uint64_t state = def;
        bool first = true;
        int n;

        n = unit_config_get_all(c, section, key, &l);
        for (int i = 0; i < n; i++) {
                bool invert;
                const char *v = skip_invert(l[i]->value, &invert);
                uint64_t caps = 0;
                char **w;

                w = split_words(v);
                for (char **p = w; p && *p; p++)
                        caps |= cap_from_word(*p);
                strv_free(w);

                if (invert)
                        state = (first ? CAPS_OF_INTEREST : state) & ~caps;
                else
                        state = first ? caps : state | caps;
                first = false;
        }
        free(l);
        return state & CAPS_OF_INTEREST;
}

/* Whether SystemCallFilter= lets a syscall through. groups: the @groups that contain it. */
static bool syscall_allowed(const UnitConfig *c, const char *section, const char *const *members,
                            const UnitSetting **ret_setting) {
        const UnitSetting **l = NULL;
        bool allowed = true, allow_list = false;
        int n;

        *ret_setting = NULL;
        n = unit_config_get_all(c, section, "SystemCallFilter", &l);
        for (int i = 0; i < n; i++) {
                bool invert, listed = false;
                const char *v = skip_invert(l[i]->value, &invert);
                char **w;

                if (i == 0) {
                        /* The first assignment decides: an allow-list blocks everything else. */
                        allow_list = !invert;
                        allowed = !allow_list;
                }
                w = split_words(v);
                for (char **p = w; p && *p; p++) {
                        char *colon = strchr(*p, ':');   /* "bpf:EPERM" */

                        if (colon)
                                *colon = '\0';
                        for (const char *const *m = members; *m; m++)
                                if (streq(*p, *m))
                                        listed = true;
                }
                strv_free(w);
                if (listed) {
                        allowed = !invert;
                        *ret_setting = l[i];
                } else if (!allowed && !*ret_setting)
                        *ret_setting = l[i];
        }
        free(l);
        return allowed;
}

static bool value_lists_word(const char *v, const char *word) {
        char **w = split_words(v);
        bool found = false;

        for (char **p = w; p && *p; p++)
                if (strcaseeq(*p, word))
                        found = true;
        strv_free(w);
        return found;
}

/* DelegateNamespaces=: yes/no, or a list of namespace types, optionally inverted with ~. */
static bool delegates_mount_namespace(const char *v) {
        bool invert;
        int b;

        if (isempty(v))
                return false;
        b = parse_boolean(v);
        if (b >= 0)
                return b;
        v = skip_invert(v, &invert);
        return value_lists_word(v, "mnt") != invert;
}

/* PrivateUsers=: boolean, or self, identity, full, managed. 1 on, 0 off, -1 unset. */
static int private_users_value(const char *v) {
        int b;

        if (!v)
                return -1;
        b = parse_boolean(v);
        if (b >= 0)
                return b;
        if (streq(v, "self") || streq(v, "identity") || streq(v, "full") || streq(v, "managed"))
                return 1;
        return 0;
}

static bool is_separator(char c) {
        return c == ',' || c == ':' || isspace((unsigned char) c);
}

/* Looks at each item of one BPFDelegate*= value: unknown names (with suggestions), hex mixed
 * with names, spellings native systemd would not take. */
static int check_value(const UnitBpf *u, const BpfNames *names, BpfKind kind, bool native, bool version_known,
                       Findings *f) {
        const UnitSetting *s = u->delegate[kind];
        const char *key = delegate_keys[kind], *v = s->value, *p;
        bool has_hex = false, has_name = false, has_space = false, has_colon = false, has_invert = false;
        bool not_native = false, reported = false;
        DelegationDiag diag = {};
        uint64_t mask = 0;
        int r;

        p = skip_invert(v, &has_invert);

        while (*p) {
                char item[DELEGATION_ITEM_MAX + 1];
                const char *start;
                size_t l;

                while (*p && is_separator(*p)) {
                        if (*p == ':')
                                has_colon = true;
                        p++;
                }
                if (!*p)
                        break;
                start = p;
                while (*p && !is_separator(*p))
                        p++;
                l = (size_t) (p - start);
                /* whitespace between two items */
                {
                        const char *q = p;
                        bool space = false;

                        while (*q && is_separator(*q)) {
                                if (isspace((unsigned char) *q))
                                        space = true;
                                q++;
                        }
                        if (space && *q && !memchr(p, ',', (size_t) (q - p)))
                                has_space = true;
                }
                if (l > DELEGATION_ITEM_MAX)
                        continue; /* delegation_parse_list() reports it */
                memcpy(item, start, l);
                item[l] = '\0';

                if (strncasecmp(item, "0x", 2) == 0) {
                        has_hex = true;
                        continue;
                }
                if (strcaseeq(item, "any")) {
                        if (!streq(item, "any"))
                                not_native = true;
                        continue;
                }
                if (isdigit((unsigned char) item[0]))
                        continue; /* decimal: delegation_parse_list() reports it */

                has_name = true;
                {
                        BpfNameMatch m = 0;
                        unsigned bit, sbit;

                        if (bpf_names_lookup_full(names, kind, item, &bit, &m) < 0) {
                                const char *sugg[3];
                                size_t n = bpf_names_suggest(names, kind, item, sugg, ELEMENTSOF(sugg));
                                bool camel = strncmp(item, "BPF", 3) == 0;
                                char hint[256] = "";

                                for (size_t i = 0; i < n; i++) {
                                        unsigned b;
                                        const char *sn = sugg[i];

                                        if (camel && bpf_names_lookup(names, kind, sugg[i], &b) >= 0)
                                                sn = bpf_names_systemd(names, kind, b) ?: sugg[i];
                                        snprintf(hint + strlen(hint), sizeof hint - strlen(hint), "%s'%s'",
                                                 i == 0 ? "" : (i + 1 == n ? " or " : ", "), sn);
                                }
                                r = findings_add(f, SEVERITY_ERROR, "unknown-name", s->file, s->line,
                                                 "Unknown %s '%s' in %s=.%s%s%s Run 'bpftoken-analyze names %s' for the full list.",
                                                 bpf_kind_noun(kind), item, key,
                                                 n > 0 ? " Did you mean " : "", hint, n > 0 ? "?" : "",
                                                 bpf_kind_to_string(kind));
                                if (r < 0)
                                        return r;
                                reported = true;
                                continue;
                        }

                        if (!(m & BPF_NAME_MATCH_SYSTEMD) || (m & (BPF_NAME_MATCH_CASE_DIFFERS | BPF_NAME_MATCH_ALIAS)))
                                not_native = true;
                        if (bpf_names_systemd_table_bit(kind, bpf_names_kernel(names, kind, bit) ?: item, &sbit) < 0) {
                                r = findings_add(f, native ? SEVERITY_ERROR : SEVERITY_WARNING, "not-in-systemd",
                                                 s->file, s->line,
                                                 "%s=: systemd >= 258 does not know '%s' and ignores it%s.",
                                                 key, item,
                                                 native ? "; this unit gets no such delegation" :
                                                          "; bpftoken delegates it, but native systemd will not");
                                if (r < 0)
                                        return r;
                        } else if (sbit != bit) {
                                const char *other = bpf_names_kernel(names, kind, sbit);

                                r = findings_add(f, native ? SEVERITY_ERROR : SEVERITY_WARNING, "systemd-bit-mismatch",
                                                 s->file, s->line,
                                                 "%s=: systemd >= 258 sets bit %u (%s) for '%s', not bit %u: natively "
                                                 "the unit gets %s instead.",
                                                 key, sbit, other ?: "?", item, bit, other ?: "another type");
                                if (r < 0)
                                        return r;
                        }
                }
        }

        bool hex_mixed = has_hex && has_name;
        if (hex_mixed) {
                r = findings_add(f, SEVERITY_ERROR, "hex-mixed", s->file, s->line,
                                 "%s= mixes a hex mask with names. Inside a name list the kernel lets a number "
                                 "overwrite the bits named before it; write either one hex mask or names only.", key);
                if (r < 0)
                        return r;
                reported = true;
        }

        r = delegation_parse_list(names, kind, v, &mask, &diag);
        if (r < 0 && !reported) {
                r = findings_add(f, SEVERITY_ERROR, "invalid-value", s->file, s->line, "%s=: %s", key,
                                 isempty(diag.error) ? "the value cannot be parsed." : diag.error);
                if (r < 0)
                        return r;
                reported = true;
        } else if (r < 0)
                reported = true;
        else if (!isempty(diag.warning)) {
                r = findings_add(f, SEVERITY_WARNING, "duplicate-name", s->file, s->line, "%s=: %s", key, diag.warning);
                if (r < 0)
                        return r;
        }

        if (!hex_mixed && (has_space || has_colon || has_hex || has_invert || not_native)) {
                _cleanup_(freep) char *fixed = NULL, *advice = NULL;
                const char *what = has_space ? "separates names with spaces" :
                                   has_colon ? "separates names with ':'" :
                                   has_hex ? "is a hex mask" :
                                   has_invert ? "uses '~'" : "uses names in a spelling other than systemd's";
                const char *code = has_space ? "space-separated" : "non-systemd-syntax";

                /* The corrected value, when the value itself parsed. */
                if (!reported) {
                        if (delegation_format(names, kind, mask, DELEGATION_STYLE_SYSTEMD, &fixed) < 0)
                                return -ENOMEM;
                        if (asprintf(&advice, " Write %s=%s.", key, fixed) < 0)
                                return -ENOMEM;
                }
                if (native)
                        r = findings_add(f, SEVERITY_ERROR, code, s->file, s->line,
                                         "%s= %s: systemd >= 258 accepts only comma-separated CamelCase names "
                                         "or 'any', and silently ignores the rest, so this unit gets %s.%s",
                                         key, what, has_space ? "none of these names" : "less than written",
                                         advice ?: " Use comma-separated CamelCase names (see 'bpftoken-analyze names').");
                else
                        r = findings_add(f, SEVERITY_WARNING, code, s->file, s->line,
                                         "%s= %s: bpftoken accepts it, but systemd >= 258 (which serves "
                                         "PrivateBPF= natively) would silently ignore %s.%s%s",
                                         key, what, has_space ? "these names" : "it",
                                         advice ?: " Use comma-separated CamelCase names (see 'bpftoken-analyze names').",
                                         version_known ? "" : " (The systemd version could not be told.)");
                if (r < 0)
                        return r;
        }
        return 0;
}

static const char *setting_file(const UnitBpf *u, const UnitSetting *s) {
        return s ? s->file : u->config->fragment_path;
}

static unsigned setting_line(const UnitSetting *s) {
        return s ? s->line : 0;
}

int unit_bpf_check(const UnitBpf *u, const BpfNames *names, const CheckContext *ctx, Findings *f) {
        const UnitConfig *c = u->config;
        const char *sec = u->section, *file = c->fragment_path;
        bool version_known = ctx->systemd_version > 0;
        bool native = version_known && ctx->systemd_version >= NATIVE_VERSION;
        bool delegates = false, empty = true;
        const UnitSetting *anchor = u->private_bpf_setting, *st;
        const char *v;
        uint64_t needed, ambient, bounding;
        int pu, r;

        if (c->masked)
                return findings_add(f, SEVERITY_ERROR, "masked", file, 0, "Unit %s is masked.", c->name);
        if (!c->fragment_path)
                return findings_add(f, SEVERITY_ERROR, "no-fragment", NULL, 0,
                                    "Unit %s has drop-ins but no unit file, so it does not load.", c->name);

        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                if (u->delegate[k]) {
                        delegates = true;
                        if (!anchor)
                                anchor = u->delegate[k];
                }
        if (!unit_bpf_wanted(u))
                return findings_add(f, SEVERITY_NOTICE, "no-delegation", file, 0,
                                    "Unit %s has no BPF delegation (no PrivateBPF=, BPFDelegate*=).", c->name);

        /* PrivateBPF= */
        if (u->private_bpf == -EINVAL) {
                r = findings_add(f, SEVERITY_ERROR, "invalid-value", u->private_bpf_setting->file,
                                 u->private_bpf_setting->line,
                                 "PrivateBPF=%s is not a boolean; write PrivateBPF=yes.", u->private_bpf_setting->value);
                if (r < 0)
                        return r;
        } else if (u->private_bpf != 1 && (delegates || u->preset)) {
                r = findings_add(f, SEVERITY_ERROR, "private-bpf-missing", setting_file(u, anchor), setting_line(anchor),
                                 "BPFDelegate*= only take effect together with PrivateBPF=yes, which is %s; "
                                 "add PrivateBPF=yes.", u->private_bpf == 0 ? "set to no" : "missing");
                if (r < 0)
                        return r;
        }

        /* The values */
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                if (u->delegate[k]) {
                        r = check_value(u, names, k, native, version_known, f);
                        if (r < 0)
                                return r;
                }
        if (u->preset) {
                Delegation tmp = {};
                DelegationDiag diag = {};

                if (delegation_apply_preset(names, u->preset->value, &tmp, &diag) < 0)
                        r = findings_add(f, SEVERITY_ERROR, "unknown-preset", u->preset->file, u->preset->line,
                                         "X-BPFTokenPreset=: %s", isempty(diag.error) ? "unknown preset." : diag.error);
                else if (native)
                        r = findings_add(f, SEVERITY_WARNING, "preset-native", u->preset->file, u->preset->line,
                                         "X-BPFTokenPreset= is a bpftoken extension; systemd >= 258 serves this unit "
                                         "natively and ignores it: write the preset's names into BPFDelegate*=.");
                else
                        r = 0;
                if (r < 0)
                        return r;
        }

        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                if (u->requested.masks[k] != 0)
                        empty = false;

        if (u->private_bpf == 1 && empty && !u->preset) {
                r = findings_add(f, SEVERITY_WARNING, "empty-delegation", setting_file(u, anchor), setting_line(anchor),
                                 "PrivateBPF=yes without any BPFDelegate*=: the private bpffs delegates nothing, "
                                 "so BPF_TOKEN_CREATE fails with ENOENT. Fine if the unit only wants to hide the "
                                 "host's pins; otherwise add BPFDelegateCommands= and friends.");
                if (r < 0)
                        return r;
        }

        /* What libbpf's own probes need (only if every value parsed: else the masks are partial) */
        bool all_parsed = true;
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                if (u->delegate[k] && !u->parsed[k])
                        all_parsed = false;
        if (!empty && all_parsed) {
                char missing[512];

                if (!delegation_covers_libbpf_baseline(names, &u->requested, missing, sizeof missing)) {
                        r = findings_add(f, SEVERITY_WARNING, "libbpf-baseline", setting_file(u, anchor),
                                         setting_line(anchor),
                                         "The delegation lacks what libbpf >= 1.4 itself needs before it loads "
                                         "anything (%s): unmodified libbpf programs fail with \"Couldn't load "
                                         "trivial BPF program\" or lose global data. Add them (or "
                                         "X-BPFTokenPreset=libbpf on bpftoken).", missing);
                        if (r < 0)
                                return r;
                }
        }

        /* User namespace and mount namespace */
        v = unit_config_get(c, sec, "PrivateUsers");
        pu = private_users_value(v);
        st = unit_last_setting(c, sec, "PrivateUsers");
        {
                const char *dn = unit_config_get(c, sec, "DelegateNamespaces");
                const UnitSetting *pm = unit_last_setting(c, sec, "PrivateMounts");
                int pmv = pm && !isempty(pm->value) ? parse_boolean(pm->value) : -1;
                bool dn_set = !isempty(dn) && parse_boolean(dn) != 0;

                if (pu < 0 && dn_set)
                        pu = 1; /* DelegateNamespaces= implies PrivateUsers=self */

                if (pu == 0 && st) {
                        r = findings_add(f, SEVERITY_ERROR, "private-users-off", st->file, st->line,
                                         "PrivateUsers=%s: a token works only in a user namespace of the unit's own "
                                         "(in the initial one BPF_TOKEN_CREATE fails with EOPNOTSUPP). Remove it or "
                                         "write PrivateUsers=yes.", st->value);
                        if (r < 0)
                                return r;
                }
                if (pmv == 0) {
                        r = findings_add(f, SEVERITY_ERROR, "private-mounts-off", pm->file, pm->line,
                                         "PrivateMounts=no: the delegated bpffs must be attached in a mount "
                                         "namespace of the unit's own. Remove it or write PrivateMounts=yes.");
                        if (r < 0)
                                return r;
                }

                if (native && u->private_bpf == 1) {
                        if (pu < 0) {
                                r = findings_add(f, SEVERITY_ERROR, "missing-prerequisite", file, setting_line(anchor),
                                                 "PrivateUsers= is missing: systemd >= 258 then mounts the bpffs for the "
                                                 "initial user namespace and BPF_TOKEN_CREATE fails (EOPNOTSUPP). Add "
                                                 "PrivateUsers=yes.");
                                if (r < 0)
                                        return r;
                        }
                        if (pmv < 0) {
                                r = findings_add(f, SEVERITY_ERROR, "missing-prerequisite", file, setting_line(anchor),
                                                 "PrivateMounts=yes is missing: add it, so that the unit gets a mount "
                                                 "namespace owned by its user namespace.");
                                if (r < 0)
                                        return r;
                        }
                        if (!delegates_mount_namespace(dn)) {
                                const UnitSetting *ds = unit_last_setting(c, sec, "DelegateNamespaces");

                                r = findings_add(f, SEVERITY_ERROR, "missing-prerequisite", setting_file(u, ds ?: anchor),
                                                 setting_line(ds ?: anchor),
                                                 "DelegateNamespaces=mnt is missing: without it systemd >= 258 creates "
                                                 "the mount namespace (and the bpffs) before the user namespace, and "
                                                 "BPF_TOKEN_CREATE fails with EPERM. Add DelegateNamespaces=mnt.");
                                if (r < 0)
                                        return r;
                        }
                } else if (!native && u->private_bpf == 1 && (pu < 0 || pmv < 0)) {
                        r = findings_add(f, SEVERITY_NOTICE, "generator-adds", file, setting_line(anchor),
                                         "bpftoken-generator adds %s%s%s to this unit, so that its user and mount "
                                         "namespaces are created by systemd (owned by root).",
                                         pu < 0 ? "PrivateUsers=yes" : "", pu < 0 && pmv < 0 ? " and " : "",
                                         pmv < 0 ? "PrivateMounts=yes" : "");
                        if (r < 0)
                                return r;
                }
        }

        /* Capabilities inside the namespace */
        needed = delegation_needed_capabilities(names, &u->requested);
        ambient = unit_caps_setting(c, sec, "AmbientCapabilities", 0);
        bounding = unit_caps_setting(c, sec, "CapabilityBoundingSet", CAPS_OF_INTEREST);
        {
                const char *user = unit_config_get(c, sec, "User");
                const char *dyn = unit_config_get(c, sec, "DynamicUser");
                bool non_root = (!isempty(user) && !streq(user, "root") && !streq(user, "0")) ||
                                (dyn && parse_boolean(dyn) > 0);
                const UnitSetting *as = unit_last_setting(c, sec, "AmbientCapabilities");
                const UnitSetting *bs = unit_last_setting(c, sec, "CapabilityBoundingSet");
                static const struct {
                        int cap;
                        const char *name;
                } cap_names[] = {
                        { CAP_BPF, "CAP_BPF" }, { CAP_PERFMON, "CAP_PERFMON" }, { CAP_NET_ADMIN, "CAP_NET_ADMIN" },
                };

                /* AmbientCapabilities=CAP_BPF on systemd < 258 */
                if (!native && (ambient & CAPS_OF_INTEREST) && pu <= 0 && as) {
                        r = findings_add(f, SEVERITY_ERROR, "ambient-cap-initial-ns", as->file, as->line,
                                         "AmbientCapabilities= grants %s%s: on systemd < 258 that applies in the initial "
                                         "user namespace unless the unit runs in its own, i.e. the service gets it on the "
                                         "host whenever bpftoken-generator is not active. Add PrivateUsers=yes (the "
                                         "generator grants what the delegation needs inside the namespace by itself).",
                                         ambient & (UINT64_C(1) << CAP_BPF) ? "CAP_BPF" :
                                         ambient & (UINT64_C(1) << CAP_SYS_ADMIN) ? "CAP_SYS_ADMIN" :
                                         ambient & (UINT64_C(1) << CAP_PERFMON) ? "CAP_PERFMON" : "CAP_NET_ADMIN",
                                         pu == 0 ? " with PrivateUsers=no" : "");
                        if (r < 0)
                                return r;
                }

                for (size_t i = 0; i < ELEMENTSOF(cap_names); i++) {
                        uint64_t bit = UINT64_C(1) << cap_names[i].cap;

                        if (!(needed & bit))
                                continue;
                        if (!(bounding & bit)) {
                                r = findings_add(f, SEVERITY_ERROR, "capability-bounding-set", setting_file(u, bs),
                                                 setting_line(bs),
                                                 "CapabilityBoundingSet= excludes %s, which the delegation needs inside "
                                                 "the unit's user namespace (systemd applies the bounding set after "
                                                 "creating it): token use fails with EPERM. Add %s to "
                                                 "CapabilityBoundingSet=.", cap_names[i].name, cap_names[i].name);
                                if (r < 0)
                                        return r;
                        } else if (native && non_root && !(ambient & bit)) {
                                r = findings_add(f, SEVERITY_ERROR, "missing-capability", setting_file(u, as ?: anchor),
                                                 setting_line(as ?: anchor),
                                                 "The unit runs as %s, which holds no %s inside its user namespace: "
                                                 "add AmbientCapabilities=%s (it is confined to the namespace).",
                                                 isempty(user) ? "a dynamic user" : user, cap_names[i].name,
                                                 cap_names[i].name);
                                if (r < 0)
                                        return r;
                        }
                }
        }

        /* System call filter */
        {
                static const char *const bpf_members[] = { "bpf", "@privileged", "@known", NULL };
                static const char *const net_members[] = { "@network-io", "@system-service", "@known", NULL };
                const UnitSetting *fs = NULL;

                if (!syscall_allowed(c, sec, bpf_members, &fs)) {
                        r = findings_add(f, SEVERITY_ERROR, "syscall-filter", setting_file(u, fs), setting_line(fs),
                                         "SystemCallFilter= blocks bpf() (not in @system-service; part of "
                                         "@privileged): the application cannot create or use the token. Add "
                                         "SystemCallFilter=bpf.");
                        if (r < 0)
                                return r;
                }
                if (!native && !syscall_allowed(c, sec, net_members, &fs)) {
                        r = findings_add(f, SEVERITY_ERROR, "syscall-filter", setting_file(u, fs), setting_line(fs),
                                         "SystemCallFilter= blocks the socket calls bpftoken-exec needs to ask the "
                                         "publisher (@network-io): add SystemCallFilter=@network-io.");
                        if (r < 0)
                                return r;
                }
        }

        /* Namespace and address family restrictions: kept as written */
        st = unit_last_setting(c, sec, "RestrictNamespaces");
        if (st && !isempty(st->value) && parse_boolean(st->value) != 0) {
                r = findings_add(f, SEVERITY_NOTICE, "restrict-namespaces", st->file, st->line,
                                 "RestrictNamespaces=%s is kept as written: %s sets up the user and mount namespaces "
                                 "and the bpffs before the filter applies; it only stops the application from "
                                 "creating namespaces itself.", st->value, native ? "systemd" : "the publisher");
                if (r < 0)
                        return r;
        }
        if (!native) {
                st = unit_last_setting(c, sec, "RestrictAddressFamilies");
                if (st && !isempty(st->value) && st->value[0] != '~' && !value_lists_word(st->value, "AF_UNIX")) {
                        r = findings_add(f, SEVERITY_NOTICE, "restrict-address-families", st->file, st->line,
                                         "RestrictAddressFamilies= lacks AF_UNIX, which bpftoken-exec needs to reach "
                                         "the publisher; bpftoken-generator adds it.");
                        if (r < 0)
                                return r;
                }
        }

        /* The kernel */
        if (ctx->token_support == 0) {
                r = findings_add(f, SEVERITY_ERROR, "no-kernel-support", NULL, 0,
                                 "This kernel does not support BPF token delegation (Linux >= 6.9 is needed): the "
                                 "unit's BPF delegation cannot work here.");
                if (r < 0)
                        return r;
        }
        if (!version_known) {
                r = findings_add(f, SEVERITY_NOTICE, "systemd-version-unknown", NULL, 0,
                                 "The systemd version could not be told; checked as for systemd < 258 "
                                 "(use --systemd-version=N).");
                if (r < 0)
                        return r;
        }

        return 0;
}
