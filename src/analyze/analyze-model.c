/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * 'model UNIT' (a debugging verb, not in --help): the unit model's view of a unit, one
 * PROPERTY=VALUE line per setting it evaluates, in a normalized form; 'model-compare UNIT' reads
 * `systemctl show -p ...` of the same unit on stdin, normalizes it the same way and prints every
 * property where systemd and the model disagree (exit 1). The end-to-end golden test runs it
 * against systemd 252, 257 and 262.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "analyze-unit.h"
#include "analyze.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "strv.h"

#define SHOW_MAX (1024u * 1024u)

typedef enum PropKind {
        PROP_CAPS,              /* names -> mask of the caps this kernel has */
        PROP_BOOL,              /* yes/no, unset = no */
        PROP_STRING,            /* as is */
        PROP_ENUM,              /* as is, unset = no */
        PROP_FAMILIES,          /* unrestricted | allow:unix | allow:- | deny:unix | deny:- */
        PROP_SYSCALL_BPF,       /* allowed | blocked */
        PROP_NAMESPACES,        /* mask of the namespace types (allowed for Restrict, delegated for Delegate) */
        PROP_BPF_LIST,          /* mask */
} PropKind;

typedef struct Prop {
        const char *name;
        PropKind kind;
        unsigned since;         /* first systemd version with the property */
        BpfKind bpf_kind;
} Prop;

static const Prop props[] = {
        { "CapabilityBoundingSet",  PROP_CAPS,        0   },
        { "AmbientCapabilities",    PROP_CAPS,        0   },
        { "User",                   PROP_STRING,      0   },
        { "DynamicUser",            PROP_BOOL,        0   },
        { "PrivateUsers",           PROP_BOOL,        0   },
        { "PrivateMounts",          PROP_BOOL,        0   },
        { "PrivateNetwork",         PROP_BOOL,        0   },
        { "Delegate",               PROP_BOOL,        0   },
        { "ProtectControlGroups",   PROP_ENUM,        0   },
        { "RestrictAddressFamilies", PROP_FAMILIES,   0   },
        { "SystemCallFilter",       PROP_SYSCALL_BPF, 0   },
        { "RestrictNamespaces",     PROP_NAMESPACES,  0   },
        { "DelegateNamespaces",     PROP_NAMESPACES,  258 },
        { "PrivateBPF",             PROP_BOOL,        258 },
        { "BPFDelegateCommands",    PROP_BPF_LIST,    258, BPF_KIND_COMMAND },
        { "BPFDelegateMaps",        PROP_BPF_LIST,    258, BPF_KIND_MAP },
        { "BPFDelegatePrograms",    PROP_BPF_LIST,    258, BPF_KIND_PROGRAM },
        { "BPFDelegateAttachments", PROP_BPF_LIST,    258, BPF_KIND_ATTACHMENT },
};

static uint64_t caps_supported(void) {
        uint64_t m = 0;

        for (cap_value_t c = 0; c <= 63; c++)
                if (CAP_IS_SUPPORTED(c))
                        m |= UNIT_CAP_BIT(c);
        return m;
}

static char *hex(uint64_t v) {
        char *s;

        return asprintf(&s, "0x%llx", (unsigned long long) v) < 0 ? NULL : s;
}

static const char *yes_no(bool b) {
        return b ? "yes" : "no";
}

static char *families_text(const UnitAddressFamilies *a) {
        if (!a->restricted)
                return strdup("unrestricted");
        return strdup(a->allow_list ? (a->has_unix ? "allow:unix" : "allow:-") : (a->has_unix ? "deny:unix" : "deny:-"));
}

/* The model's value of one property, normalized. */
static char *model_value(const BpfNames *names, const UnitBpf *u, const Prop *p) {
        const UnitModel *m = &u->model;

        switch (p->kind) {
        case PROP_CAPS:
                return hex((streq(p->name, "AmbientCapabilities") ? m->ambient_set : m->bounding_set) & caps_supported());
        case PROP_STRING:
                return strdup(m->user ?: "");
        case PROP_BOOL: {
                const UnitBool *b = streq(p->name, "DynamicUser") ? &m->dynamic_user :
                                    streq(p->name, "PrivateMounts") ? &m->private_mounts :
                                    streq(p->name, "PrivateNetwork") ? &m->private_network :
                                    streq(p->name, "Delegate") ? &m->cgroup_delegate :
                                    streq(p->name, "PrivateBPF") ? &m->private_bpf : NULL;

                if (!b)
                        return strdup(yes_no(m->private_users > UNIT_PRIVATE_USERS_NO));
                return strdup(yes_no(b->value > 0));
        }
        case PROP_ENUM:
                return strdup(unit_protect_control_groups_to_string(m->protect_control_groups) ?: "no");
        case PROP_FAMILIES:
                return families_text(&m->address_families);
        case PROP_SYSCALL_BPF:
                return strdup(m->syscall_bpf.allowed ? "allowed" : "blocked");
        case PROP_NAMESPACES: {
                const UnitNamespaces *n = streq(p->name, "RestrictNamespaces") ? &m->restrict_namespaces :
                                                                                 &m->delegate_namespaces;
                return hex(n->flags);
        }
        case PROP_BPF_LIST: {
                /* The list as systemd reads it, alone: systemd knows nothing of X-BPFTokenPreset=. */
                uint64_t mask = 0;

                if (m->delegate[p->bpf_kind])
                        (void) unit_bpf_list_native_mask(names, p->bpf_kind, m->delegate[p->bpf_kind]->value, &mask);
                return hex(mask);
        }
        }
        return NULL;
}

static uint64_t caps_from_show(const char *v) {
        _cleanup_(strv_freep) char **w = NULL;
        uint64_t m = 0;

        if (unit_value_split(v, &w) < 0)
                return 0;
        for (char **p = w; *p; p++) {
                cap_value_t c;

                if (cap_from_name(*p, &c) >= 0 && c >= 0 && c <= 63)
                        m |= UNIT_CAP_BIT(c);
        }
        return m & caps_supported();
}

static bool words_contain(const char *v, const char *word) {
        _cleanup_(strv_freep) char **w = NULL;

        return unit_value_split(v, &w) >= 0 && strv_contains(w, word);
}

static char *families_from_show(const char *v) {
        /* "~" alone (systemd >= 258 prints it for the default): an empty deny list, no restriction */
        UnitAddressFamilies a = { .restricted = !isempty(v) && !streq(v, "~") };

        if (streq(v, "none"))
                a.allow_list = true;
        else if (a.restricted) {
                a.allow_list = v[0] != '~';
                a.has_unix = words_contain(v[0] == '~' ? v + 1 : v, "AF_UNIX");
        }
        return families_text(&a);
}

static char *namespaces_from_show(const char *name, const char *v) {
        static const struct {
                const char *name;
                uint64_t flag;
        } t[] = {
                { "cgroup", 0x02000000 }, { "ipc", 0x08000000 }, { "net", 0x40000000 }, { "mnt", 0x00020000 },
                { "pid", 0x20000000 }, { "user", 0x10000000 }, { "uts", 0x04000000 }, { "time", 0x00000080 },
        };
        bool restrict_mode = streq(name, "RestrictNamespaces"), invert = v[0] == '~';
        uint64_t f = 0;
        char *end;

        if (isempty(v))
                return hex(restrict_mode ? UNIT_NAMESPACES_ALL : 0);
        f = strtoull(v, &end, 0);
        if (*end == '\0')
                /* all bits: systemd's "not set" marker; for DelegateNamespaces= that delegates nothing */
                return hex(f == UINT64_MAX ? (restrict_mode ? UNIT_NAMESPACES_ALL : 0) : f);
        if (parse_boolean(v) >= 0)
                return hex((parse_boolean(v) > 0) != restrict_mode ? UNIT_NAMESPACES_ALL : 0);
        f = 0;
        for (size_t i = 0; i < ELEMENTSOF(t); i++)
                if (words_contain(invert ? v + 1 : v, t[i].name))
                        f |= t[i].flag;
        return hex(invert ? UNIT_NAMESPACES_ALL & ~f : f);
}

/* systemctl show's value of one property, normalized like model_value(). */
static char *show_value(const BpfNames *names, const Prop *p, const char *v) {
        switch (p->kind) {
        case PROP_CAPS:
                return hex(caps_from_show(v));
        case PROP_STRING:
                return strdup(v);
        case PROP_BOOL:
                return strdup(yes_no(parse_boolean(v) > 0 || streq(v, "self") || streq(v, "identity") ||
                                     streq(v, "full") || streq(v, "managed")));
        case PROP_ENUM:
                return strdup(parse_boolean(v) >= 0 ? yes_no(parse_boolean(v) > 0) : isempty(v) ? "no" : v);
        case PROP_FAMILIES:
                return families_from_show(v);
        case PROP_SYSCALL_BPF:
                if (isempty(v))
                        return strdup("allowed");
                return strdup((v[0] == '~') != words_contain(v[0] == '~' ? v + 1 : v, "bpf") ? "allowed" : "blocked");
        case PROP_NAMESPACES:
                return namespaces_from_show(p->name, v);
        case PROP_BPF_LIST: {
                uint64_t mask = 0;

                if (delegation_parse_list(names, p->bpf_kind, v, &mask, NULL) < 0)
                        return strdup("unparsable");
                return hex(mask);
        }
        }
        return NULL;
}

static int load(const BpfNames **ret_names, const char *arg, UnitBpf **ret) {
        int r;

        r = analyze_names(ret_names);
        if (r < 0)
                return r;
        return analyze_load_unit(*ret_names, arg, false, ret);
}

static unsigned version_for_props(void) {
        int v = -1;

        (void) systemd_version(&v, NULL);
        return v > 0 ? (unsigned) v : 257;
}

int verb_model(int argc, char *argv[]) {
        unsigned version = version_for_props();
        int r;

        if (argc < 2)
                return log_usage_error("The 'model' verb needs at least one unit.");
        for (int i = 1; i < argc; i++) {
                _cleanup_(unit_bpf_freep) UnitBpf *u = NULL;
                const BpfNames *names;

                r = load(&names, argv[i], &u);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < ELEMENTSOF(props); j++) {
                        _cleanup_(freep) char *v = NULL;

                        if (props[j].since > version)
                                continue;
                        v = model_value(names, u, &props[j]);
                        if (!v)
                                return log_oom();
                        printf("%s=%s\n", props[j].name, v);
                }
        }
        return 0;
}

/* The properties to ask systemctl show for on this systemd, comma-separated (for the test). */
static int print_property_list(void) {
        unsigned version = version_for_props();
        bool first = true;

        for (size_t j = 0; j < ELEMENTSOF(props); j++)
                if (props[j].since <= version) {
                        printf("%s%s", first ? "" : ",", props[j].name);
                        first = false;
                }
        printf(",LoadState\n");
        return 0;
}

int verb_model_compare(int argc, char *argv[]) {
        _cleanup_(unit_bpf_freep) UnitBpf *u = NULL;
        _cleanup_(freep) char *text = NULL;
        const BpfNames *names;
        unsigned differ = 0, seen = 0;
        int r;

        if (argc == 1)
                return print_property_list();
        if (argc != 2)
                return log_usage_error("The 'model-compare' verb needs one unit (and systemctl show on stdin).");
        r = load(&names, argv[1], &u);
        if (r < 0)
                return r;
        r = read_full_fd(STDIN_FILENO, SHOW_MAX, &text, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to read systemctl show from stdin: %m");

        if (u->model.bad_setting) {
                /* systemd does not load the unit: its other properties are whatever the parse reached */
                const char *ls = strstr(text, "LoadState=");
                bool agree = ls && startswith(ls + strlen("LoadState="), "bad-setting");

                printf("%s: %s=%s (line %u) fails the load: systemd %s\n", u->config->name, u->model.bad_setting->key,
                       u->model.bad_setting->value, u->model.bad_setting->line,
                       agree ? "agrees (LoadState=bad-setting)" : "disagrees");
                return agree ? 0 : ANALYZE_EXIT_FINDINGS;
        }

        for (char *line = text, *next; line && *line; line = next) {
                _cleanup_(freep) char *mine = NULL, *theirs = NULL;
                char *eq;

                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                eq = strchr(line, '=');
                if (!eq)
                        continue;
                *eq = '\0';
                for (size_t j = 0; j < ELEMENTSOF(props); j++) {
                        if (!streq(props[j].name, line))
                                continue;
                        mine = model_value(names, u, &props[j]);
                        theirs = show_value(names, &props[j], eq + 1);
                        if (!mine || !theirs)
                                return log_oom();
                        seen++;
                        if (!streq(mine, theirs)) {
                                printf("%s: %s: systemd %s (%s), model %s\n", u->config->name, line, theirs,
                                       eq + 1, mine);
                                differ++;
                        }
                }
        }
        if (seen == 0)
                return log_error_errno(-EBADMSG, "No property of the model in the input: pipe systemctl show -p "
                                       "\"$(bpftoken-analyze model-compare)\" UNIT into it.");
        if (differ == 0)
                printf("%s: %u properties agree with systemd.\n", u->config->name, seen);
        return differ > 0 ? ANALYZE_EXIT_FINDINGS : 0;
}
