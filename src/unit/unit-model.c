/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "macro.h"
#include "strv.h"
#include "unit-model.h"

#define WHITESPACE " \t\n\r"

/* --- words ----------------------------------------------------------------------------------- */

int unit_value_split(const char *v, char ***ret) {
        _cleanup_(strv_freep) char **l = NULL;
        int r;

        for (const char *p = v ?: ""; *p;) {
                _cleanup_(freep) char *w = NULL;
                size_t n = 0;

                p += strspn(p, WHITESPACE);
                if (!*p)
                        break;
                w = malloc(strlen(p) + 1);
                if (!w)
                        return -ENOMEM;
                while (*p && !strchr(WHITESPACE, *p)) {
                        if (*p == '"' || *p == '\'') {
                                const char *e = strchr(p + 1, *p);

                                if (e) {
                                        memcpy(w + n, p + 1, (size_t) (e - p - 1));
                                        n += (size_t) (e - p - 1);
                                        p = e + 1;
                                        continue;
                                }
                        }
                        w[n++] = *p++;
                }
                w[n] = '\0';
                r = strv_consume(&l, TAKE_PTR(w));
                if (r < 0)
                        return r;
        }
        return strv_take_nonnull(&l, ret);
}

/* The assignments of key in the unit's section, every one (resets included), in order. */
#define FOREACH_ASSIGNMENT(s, m, k)                                                             \
        for (const UnitSetting *s = (m)->config->settings;                                      \
             s < (m)->config->settings + (m)->config->n_settings; s++)                          \
                if (streq(s->section, (m)->section) && streq(s->key, (k)))

static const UnitSetting *last_assignment(const UnitModel *m, const char *key) {
        const UnitSetting *last = NULL;

        FOREACH_ASSIGNMENT(s, m, key)
                last = s;
        return last;
}

/* The last assignment wins, an empty one resets. */
static const char *effective_value(const UnitModel *m, const char *key, const UnitSetting **ret_setting) {
        const UnitSetting *s = last_assignment(m, key);

        if (ret_setting)
                *ret_setting = s;
        return s && !isempty(s->value) ? s->value : NULL;
}

/* A boolean setting as systemd parses it: a value it cannot parse is ignored (the previous one stays,
 * the assignment is kept in .invalid); an empty one resets to the default where empty_resets, else is
 * ignored too (config_parse_bool()). list_is_yes: a non-boolean value is a list meaning "yes"
 * (Delegate=cpu memory). */
static UnitBool eval_bool(const UnitModel *m, const char *key, bool empty_resets, bool list_is_yes) {
        UnitBool b = { .value = -1 };

        FOREACH_ASSIGNMENT(s, m, key) {
                int v;

                if (isempty(s->value) && !list_is_yes) {
                        if (empty_resets)
                                b = (UnitBool) { .value = -1, .setting = s, .invalid = b.invalid };
                        continue;
                }
                v = parse_boolean(s->value);
                if (v < 0 && list_is_yes)
                        v = 1; /* a list of controllers, or empty: delegation without controllers */
                if (v < 0) {
                        b.invalid = s;
                        continue;
                }
                b.value = v;
                b.setting = s;
        }
        return b;
}

/* The string value of a setting with an enumeration systemd checks: as eval_bool(), with parse
 * returning a negative value for what this systemd does not take. */
static const UnitSetting *eval_enum(const UnitModel *m, const char *key, bool empty_resets,
                                    int (*parse)(const char *v, unsigned version), int *value,
                                    const UnitSetting **ret_invalid) {
        const UnitSetting *decided = NULL;

        *value = -1;
        *ret_invalid = NULL;
        FOREACH_ASSIGNMENT(s, m, key) {
                int v;

                if (isempty(s->value)) {
                        if (empty_resets) {
                                *value = -1;
                                decided = s;
                        }
                        continue;
                }
                v = parse(s->value, m->systemd_version);
                if (v < 0) {
                        *ret_invalid = s;
                        continue;
                }
                *value = v;
                decided = s;
        }
        return decided;
}

/* --- capabilities ---------------------------------------------------------------------------- */

/* The words of a value, each turned into bits by lookup (0 for a word it does not know, which
 * systemd ignores with a warning), ORed. */
static int words_to_mask(const char *v, uint64_t (*lookup)(const char *w), uint64_t *ret) {
        _cleanup_(strv_freep) char **words = NULL;
        uint64_t sum = 0;
        int r;

        r = unit_value_split(v, &words);
        if (r < 0)
                return r;
        for (char **w = words; *w; w++)
                sum |= lookup(*w);
        *ret = sum;
        return 0;
}

static uint64_t cap_bit(const char *w) {
        cap_value_t c;

        return cap_from_name(w, &c) < 0 || c < 0 || c > 63 ? 0 : UNIT_CAP_BIT(c);
}

static int caps_from_words(const char *v, uint64_t *ret) {
        return words_to_mask(v, cap_bit, ret);
}

/* systemd's config_parse_capability_set(): "" or "~" (no name), or a set still at its initial value, is
 * replaced; otherwise the names are added (or with "~" removed). */
static int eval_capability_set(const UnitModel *m, const char *key, uint64_t initial, uint64_t *ret,
                               const UnitSetting **ret_setting) {
        uint64_t set = initial;
        int r;

        *ret_setting = NULL;
        FOREACH_ASSIGNMENT(s, m, key) {
                const char *v = s->value;
                bool invert = *v == '~';
                uint64_t sum = 0;

                r = caps_from_words(invert ? v + 1 : v, &sum);
                if (r < 0)
                        return r;
                if (sum == 0 || set == initial)
                        set = invert ? ~sum : sum;
                else if (invert)
                        set &= ~sum;
                else
                        set |= sum;
                *ret_setting = s;
        }
        *ret = set;
        return 0;
}

int unit_caps_format(uint64_t caps, char **ret) {
        _cleanup_(strv_freep) char **names = NULL;
        int r;

        for (cap_value_t c = 0; c <= 63; c++) {
                char *n;

                if (!(caps & UNIT_CAP_BIT(c)) || !CAP_IS_SUPPORTED(c))
                        continue;
                n = cap_to_name(c);
                if (!n)
                        return -ENOMEM;
                r = strv_extend(&names, n);
                cap_free(n);
                if (r < 0)
                        return r;
        }
        return strv_join(names, " ", ret);
}

/* --- address families ------------------------------------------------------------------------ */

static bool word_is_af_unix(const char *w) {
        return streq(w, "AF_UNIX") || streq(w, "AF_LOCAL");
}

static int eval_address_families(const UnitModel *m, UnitAddressFamilies *ret) {
        UnitAddressFamilies a = {};
        bool have_set = false;
        int r;

        FOREACH_ASSIGNMENT(s, m, "RestrictAddressFamilies") {
                _cleanup_(strv_freep) char **words = NULL;
                const char *p = s->value;
                bool invert = false;

                if (isempty(p)) {
                        a = (UnitAddressFamilies) { .setting = s };
                        have_set = false;
                        continue;
                }
                if (streq(p, "none")) {
                        a = (UnitAddressFamilies) { .restricted = true, .allow_list = true, .setting = s };
                        have_set = false;
                        continue;
                }
                if (*p == '~') {
                        invert = true;
                        p++;
                }
                if (!have_set) {
                        a = (UnitAddressFamilies) { .restricted = true, .allow_list = !invert };
                        have_set = true;
                }
                a.setting = s;
                r = unit_value_split(p, &words);
                if (r < 0)
                        return r;
                for (char **w = words; *w; w++)
                        if (word_is_af_unix(*w))
                                a.has_unix = invert != a.allow_list;
        }
        *ret = a;
        return 0;
}

/* --- namespaces ------------------------------------------------------------------------------ */

static const struct {
        const char *name;
        uint64_t flag;
} namespace_names[] = {
        { "cgroup", CLONE_NEWCGROUP },
        { "ipc",    CLONE_NEWIPC    },
        { "net",    CLONE_NEWNET    },
        { "mnt",    CLONE_NEWNS     },
        { "pid",    CLONE_NEWPID    },
        { "user",   CLONE_NEWUSER   },
        { "uts",    CLONE_NEWUTS    },
        { "time",   0x00000080      }, /* CLONE_NEWTIME */
};

static uint64_t namespace_flag(const char *w) {
        for (size_t i = 0; i < ELEMENTSOF(namespace_names); i++)
                if (streq(w, namespace_names[i].name))
                        return namespace_names[i].flag;
        return 0;
}

static int namespace_flags_from_words(const char *v, uint64_t *ret) {
        return words_to_mask(v, namespace_flag, ret);
}

/* RestrictNamespaces= (restrict: yes means none allowed) and DelegateNamespaces= (yes means all but
 * the user namespace delegated): a boolean replaces, "" resets to the default, the first list sets
 * (inverted with "~"), later lists add or remove. */
static int eval_namespaces(const UnitModel *m, const char *key, bool restrict_mode, UnitNamespaces *ret) {
        uint64_t all = restrict_mode ? UNIT_NAMESPACES_ALL : UNIT_NAMESPACES_ALL & ~(uint64_t) CLONE_NEWUSER;
        UnitNamespaces n = { .flags = restrict_mode ? UNIT_NAMESPACES_ALL : 0 };
        int r;

        FOREACH_ASSIGNMENT(s, m, key) {
                const char *v = s->value;
                bool invert = false;
                uint64_t f = 0;
                int b;

                n.setting = s;
                if (isempty(v)) {
                        n = (UnitNamespaces) { .flags = restrict_mode ? UNIT_NAMESPACES_ALL : 0, .setting = s };
                        continue;
                }
                b = parse_boolean(v);
                if (b >= 0) {
                        n.set = true;
                        n.flags = (b > 0) != restrict_mode ? all : 0;
                        n.mnt = b > 0 ? 1 : -1;
                        continue;
                }
                if (*v == '~') {
                        invert = true;
                        v++;
                }
                r = namespace_flags_from_words(v, &f);
                if (r < 0)
                        return r;
                if (invert && (f & CLONE_NEWNS))
                        n.mnt = -1;
                else if (invert ? !n.set : (f & CLONE_NEWNS) != 0)
                        n.mnt = 1;
                if (!n.set)
                        n.flags = invert ? ~f & all : f;
                else if (invert)
                        n.flags &= ~f;
                else
                        n.flags |= f;
                n.set = true;
        }
        *ret = n;
        return 0;
}

/* PrivateUsers= values by the first version that takes them (systemd 252 only booleans; 257 self,
 * identity and full, measured; managed from 258). */
int unit_private_users_from_string(const char *v, unsigned version) {
        static const struct {
                const char *name;
                UnitPrivateUsers value;
                unsigned since;
        } t[] = {
                { "self",     UNIT_PRIVATE_USERS_SELF,     257 },
                { "identity", UNIT_PRIVATE_USERS_IDENTITY, 257 },
                { "full",     UNIT_PRIVATE_USERS_FULL,     257 },
                { "managed",  UNIT_PRIVATE_USERS_MANAGED,  258 },
        };
        int b = parse_boolean(v);

        if (b >= 0)
                return b ? UNIT_PRIVATE_USERS_SELF : UNIT_PRIVATE_USERS_NO;
        for (size_t i = 0; i < ELEMENTSOF(t); i++)
                if (streq(v, t[i].name))
                        return version == 0 || version >= t[i].since ? (int) t[i].value : -EINVAL;
        return -EINVAL;
}

const char *unit_private_users_to_string(UnitPrivateUsers p) {
        static const char *const t[] = { "no", "self", "identity", "full", "managed" };

        return p >= 0 && (size_t) p < ELEMENTSOF(t) ? t[p] : NULL;
}

UnitPrivateUsers unit_model_effective_private_users(const UnitModel *m, unsigned systemd_version) {
        if (m->private_users == UNIT_PRIVATE_USERS_UNSET && systemd_version >= 258 &&
            m->delegate_namespaces.set && m->delegate_namespaces.flags != 0)
                return UNIT_PRIVATE_USERS_SELF;
        return m->private_users;
}

/* ProtectControlGroups=: a boolean; private and strict from systemd 258. */
static int protect_control_groups_from_string(const char *v, unsigned version) {
        int b = parse_boolean(v);
        bool new_values = version == 0 || version >= 258;

        if (b >= 0)
                return b ? UNIT_PROTECT_CGROUPS_YES : UNIT_PROTECT_CGROUPS_NO;
        if (new_values && streq(v, "private"))
                return UNIT_PROTECT_CGROUPS_PRIVATE;
        if (new_values && streq(v, "strict"))
                return UNIT_PROTECT_CGROUPS_STRICT;
        return -EINVAL;
}

const char *unit_protect_control_groups_to_string(UnitProtectControlGroups p) {
        static const char *const t[] = { "no", "yes", "private", "strict" };

        return p >= 0 && (size_t) p < ELEMENTSOF(t) ? t[p] : NULL;
}

/* --- system call filter ---------------------------------------------------------------------- */

/* Whether SystemCallFilter= lets a system call through; members: the names and @groups that contain it
 * (NULL-terminated). */
static int eval_syscall(const UnitModel *m, const char *const *members, UnitSyscall *ret) {
        UnitSyscall sc = { .allowed = true };
        bool allow_list = false, first = true;
        int r;

        FOREACH_ASSIGNMENT(s, m, "SystemCallFilter") {
                _cleanup_(strv_freep) char **words = NULL;
                const char *v = s->value;
                bool invert, listed = false;

                if (isempty(v)) {
                        sc = (UnitSyscall) { .allowed = true };
                        first = true;
                        continue;
                }
                invert = *v == '~';
                if (first) {
                        /* The first assignment decides: an allow list blocks everything else. */
                        allow_list = !invert;
                        sc = (UnitSyscall) { .allowed = !allow_list, .setting = allow_list ? s : NULL };
                        first = false;
                }
                r = unit_value_split(invert ? v + 1 : v, &words);
                if (r < 0)
                        return r;
                for (char **w = words; *w; w++) {
                        char *colon = strchr(*w, ':'); /* "bpf:EPERM" */

                        if (colon)
                                *colon = '\0';
                        for (const char *const *p = members; *p; p++)
                                if (streq(*w, *p))
                                        listed = true;
                }
                if (listed)
                        sc = (UnitSyscall) { .allowed = !invert, .setting = s };
        }
        *ret = sc;
        return 0;
}

/* --- BPF directives -------------------------------------------------------------------------- */

bool unit_key_is_bpf_directive(const char *key) {
        if (streq(key, "PrivateBPF") || streq(key, "X-BPFTokenPreset"))
                return true;
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                if (streq(key, bpf_kind_directive(k)))
                        return true;
        return false;
}

static int eval_bpf(UnitModel *m) {
        m->private_bpf = eval_bool(m, "PrivateBPF", false, false); /* 262 ignores an empty one */
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                const UnitSetting *s;

                (void) effective_value(m, bpf_kind_directive(k), &s);
                m->delegate[k] = s && !isempty(s->value) ? s : NULL;
        }
        for (size_t i = 0; i < m->config->n_settings; i++)
                if (streq(m->config->settings[i].section, m->section) && unit_key_is_bpf_directive(m->config->settings[i].key))
                        m->has_directives = true;

        /* X-BPFTokenPreset=: the names of every assignment after the last empty one. */
        FOREACH_ASSIGNMENT(s, m, "X-BPFTokenPreset") {
                const char *p = s->value;

                if (isempty(p)) {
                        strv_free(m->presets);
                        m->presets = NULL;
                        m->preset_setting = NULL;
                        continue;
                }
                m->preset_setting = s;
                while (*p) {
                        _cleanup_(freep) char *name = NULL;
                        size_t len;
                        int r;

                        p += strspn(p, WHITESPACE ",");
                        len = strcspn(p, WHITESPACE ",");
                        if (len == 0)
                                break;
                        name = strndup(p, len);
                        if (!name)
                                return -ENOMEM;
                        p += len;
                        r = strv_extend_unique(&m->presets, name);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

bool unit_model_wants_bpf(const UnitModel *m) {
        if (!m || !m->config)
                return false;
        if (m->private_bpf.value == 1 || m->private_bpf.invalid || m->preset_setting)
                return true;
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                if (m->delegate[k])
                        return true;
        return false;
}

int unit_model_requested(const UnitModel *m, const BpfNames *names, Delegation *ret, bool ret_unparsed[_BPF_KIND_MAX]) {
        Delegation d = {};
        int r;

        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                uint64_t mask = 0;

                if (ret_unparsed)
                        ret_unparsed[k] = false;
                if (!m->delegate[k])
                        continue;
                r = delegation_parse_list(names, k, m->delegate[k]->value, &mask, NULL);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 && ret_unparsed)
                        ret_unparsed[k] = true;
                d.masks[k] = r < 0 ? 0 : mask;
        }
        for (char **p = m->presets; p && *p; p++) {
                r = delegation_apply_preset(names, *p, &d, NULL);
                if (r == -ENOMEM)
                        return r;
        }
        *ret = d;
        return 0;
}

int unit_bpf_list_native_mask(const BpfNames *names, BpfKind kind, const char *value, uint64_t *ret) {
        uint64_t mask = 0;

        for (const char *p = value ?: ""; *p;) {
                size_t len = strcspn(p, ",");
                char item[128];
                BpfNameMatch match = 0;
                unsigned bit, sbit;
                const char *kname;

                if (len > 0 && len < sizeof item) {
                        memcpy(item, p, len);
                        item[len] = '\0';
                        if (streq(item, "any"))
                                mask = UINT64_MAX;
                        else if (bpf_names_lookup_full(names, kind, item, &bit, &match) >= 0 &&
                                 (match & BPF_NAME_MATCH_SYSTEMD) &&
                                 !(match & (BPF_NAME_MATCH_CASE_DIFFERS | BPF_NAME_MATCH_ALIAS)) &&
                                 (kname = bpf_names_kernel(names, kind, bit)) &&
                                 bpf_names_systemd_table_bit(kind, kname, &sbit) >= 0 && sbit < 64)
                                mask |= UINT64_C(1) << sbit;
                }
                p += len;
                if (*p == ',')
                        p++;
        }
        *ret = mask;
        return 0;
}

/* --- the model ------------------------------------------------------------------------------- */

static int eval_credentials(UnitModel *m) {
        const UnitSetting *us;

        m->user = effective_value(m, "User", &us);
        m->dynamic_user = eval_bool(m, "DynamicUser", false, false);
        /* systemd parses DynamicUser= strictly: a value that is not a boolean, the empty one included,
         * fails the unit's loading ("bad-setting"; measured on 252, 257 and 262). */
        FOREACH_ASSIGNMENT(s, m, "DynamicUser")
                if (parse_boolean(s->value) < 0 && !m->bad_setting)
                        m->bad_setting = s;
        /* Only a User= never assigned is derived: after an empty User= systemd keeps it empty. */
        if (!us && m->dynamic_user.value == 1) {
                /* systemd names a dynamic user after the unit: foo.service, foo@x.service -> "foo" */
                const char *n = m->config->name;

                m->dynamic_user_name = strndup(n, strcspn(n, "@."));
                if (!m->dynamic_user_name)
                        return -ENOMEM;
                m->user = m->dynamic_user_name;
        }
        m->runs_as_root = m->dynamic_user.value != 1 && (!m->user || streq(m->user, "root") || streq(m->user, "0"));
        return 0;
}

static int eval_sandbox(UnitModel *m) {
        static const char *const bpf_members[] = { "bpf", "@privileged", "@known", NULL };
        static const char *const socket_members[] = { "@network-io", "@system-service", "@known", NULL };
        static const char *const setns_members[] = { "setns", "@process", "@system-service", "@known", NULL };
        int r;

        int v;

        /* Measured with systemctl show on 252, 257 and 262 (test/e2e, scenario model): an empty
         * PrivateUsers=, PrivateNetwork=, ProtectControlGroups= is ignored; an empty PrivateMounts= resets
         * from 257 on (252 ignores it); an empty Delegate= means yes; a value systemd cannot parse is
         * ignored everywhere. */
        m->private_users_setting = eval_enum(m, "PrivateUsers", false, unit_private_users_from_string, &v,
                                             &m->private_users_invalid);
        m->private_users = v;
        m->private_mounts = eval_bool(m, "PrivateMounts", m->systemd_version == 0 || m->systemd_version >= 257, false);
        m->private_network = eval_bool(m, "PrivateNetwork", false, false);
        m->cgroup_delegate = eval_bool(m, "Delegate", true, true);
        m->protect_control_groups_setting = eval_enum(m, "ProtectControlGroups", false,
                                                      protect_control_groups_from_string, &v,
                                                      &m->protect_control_groups_invalid);
        m->protect_control_groups = v;
        m->root_directory_key = effective_value(m, "RootDirectory", NULL) ? "RootDirectory" :
                                effective_value(m, "RootImage", NULL) ? "RootImage" : NULL;

        r = eval_capability_set(m, "CapabilityBoundingSet", UINT64_MAX, &m->bounding_set, &m->bounding_setting);
        if (r >= 0)
                r = eval_capability_set(m, "AmbientCapabilities", 0, &m->ambient_set, &m->ambient_setting);
        if (r >= 0)
                r = eval_address_families(m, &m->address_families);
        if (r >= 0)
                r = eval_namespaces(m, "DelegateNamespaces", false, &m->delegate_namespaces);
        if (r >= 0)
                r = eval_namespaces(m, "RestrictNamespaces", true, &m->restrict_namespaces);
        if (r >= 0)
                r = eval_syscall(m, bpf_members, &m->syscall_bpf);
        if (r >= 0)
                r = eval_syscall(m, socket_members, &m->syscall_socket);
        if (r >= 0)
                r = eval_syscall(m, setns_members, &m->syscall_setns);
        return r;
}

void unit_model_done(UnitModel *m) {
        if (!m)
                return;
        strv_free(m->presets);
        free(m->dynamic_user_name);
        *m = (UnitModel) {};
}

int unit_model_build(const UnitConfig *c, const char *section, unsigned systemd_version, UnitModel *ret) {
        UnitModel m = {
                .config = c,
                .systemd_version = systemd_version,
                .section = section ?: unit_name_exec_section(c->name) ?: "Service",
        };
        int r;

        r = eval_bpf(&m);
        if (r >= 0)
                r = eval_sandbox(&m);
        if (r >= 0)
                r = eval_credentials(&m);
        if (r < 0) {
                unit_model_done(&m);
                return r;
        }
        *ret = m;
        return 0;
}
