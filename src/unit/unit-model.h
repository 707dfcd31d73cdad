/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * One model of a unit's settings that matter to a BPF token, evaluated once from the merged
 * configuration (unit-file.h) the way systemd evaluates them (systemd.exec(5), systemd.resource-
 * control(5)), and used by bpftoken-generator and bpftoken-analyze alike:
 *
 *  - the BPF directives PrivateBPF=, BPFDelegate*= (as systemd 262 does: the last assignment wins, an
 *    empty one resets) and bpftoken's X-BPFTokenPreset= (words of every assignment after the last
 *    empty one);
 *  - CapabilityBoundingSet=/AmbientCapabilities=: "" or "~" replaces, as does the first assignment;
 *    later ones add (or with "~" remove); unknown names are ignored;
 *  - RestrictAddressFamilies=: "" resets, "none" allows nothing, the first list decides allow or deny
 *    mode, later lists of the same mode add, of the other mode remove;
 *  - RestrictNamespaces=/DelegateNamespaces=: a boolean replaces, "" resets, the first list sets,
 *    later ones add (or with "~" remove);
 *  - SystemCallFilter=: the first assignment after the last reset decides allow or deny mode, later
 *    ones add or remove; evaluated for bpf() and for the socket calls of @network-io;
 *  - PrivateUsers=, PrivateMounts=, PrivateNetwork=, Delegate=, ProtectControlGroups=, User=,
 *    DynamicUser=, RootDirectory=/RootImage=: the last assignment systemd can parse wins (one it cannot
 *    parse is ignored); an empty one resets or is ignored, per setting and version, as measured
 *    against systemctl show on 252, 257 and 262.
 *
 * Every field that came from a setting keeps a pointer to the assignment that decided it (its file
 * and line), NULL if none did. No I/O, no logging.
 */

#include <stdbool.h>
#include <stdint.h>

#include "bpf-names.h"
#include "delegation.h"
#include "unit-file.h"

#define UNIT_CAP_BIT(c) (UINT64_C(1) << (c))

/* Namespace types, as the CLONE_NEW* flags systemd uses for RestrictNamespaces=/DelegateNamespaces=. */
#define UNIT_NAMESPACES_ALL UINT64_C(0x7e020080) /* cgroup ipc net mnt pid user uts time */
#define UNIT_NAMESPACE_MNT UINT64_C(0x00020000) /* CLONE_NEWNS */

typedef enum UnitPrivateUsers {
        UNIT_PRIVATE_USERS_UNSET = -1,
        UNIT_PRIVATE_USERS_NO,
        UNIT_PRIVATE_USERS_SELF,        /* yes, self */
        UNIT_PRIVATE_USERS_IDENTITY,
        UNIT_PRIVATE_USERS_FULL,
        UNIT_PRIVATE_USERS_MANAGED,
} UnitPrivateUsers;

typedef enum UnitProtectControlGroups {
        UNIT_PROTECT_CGROUPS_UNSET = -1,
        UNIT_PROTECT_CGROUPS_NO,
        UNIT_PROTECT_CGROUPS_YES,
        UNIT_PROTECT_CGROUPS_PRIVATE,   /* systemd >= 258 */
        UNIT_PROTECT_CGROUPS_STRICT,    /* systemd >= 258 */
} UnitProtectControlGroups;

/* A boolean setting: -1 unset (or reset), 0, 1. */
typedef struct UnitBool {
        int value;
        const UnitSetting *setting;     /* the assignment that decided value (NULL: the default) */
        const UnitSetting *invalid;     /* the last one systemd could not parse and ignored, or NULL */
} UnitBool;

/* Whether the last assignment of a setting was one systemd ignored as unparsable (invalid after
 * decided; both point into the same UnitConfig, NULL for none). */
static inline bool unit_setting_ignored_last(const UnitSetting *invalid, const UnitSetting *decided) {
        return invalid && (!decided || invalid > decided);
}

typedef struct UnitAddressFamilies {
        bool restricted;                /* anything in effect */
        bool allow_list;                /* else a deny list */
        bool has_unix;                  /* AF_UNIX is in the list */
        const UnitSetting *setting;     /* the last assignment */
} UnitAddressFamilies;

typedef struct UnitNamespaces {
        bool set;                       /* else the default applies */
        uint64_t flags;                 /* RestrictNamespaces=: the types allowed; DelegateNamespaces=: delegated */
        int mnt;                        /* DelegateNamespaces= for mnt: 1 delegated, 0 not named, -1 excluded
                                         * (no, or a "~" list naming it) */
        const UnitSetting *setting;
} UnitNamespaces;

typedef struct UnitSyscall {
        bool allowed;
        const UnitSetting *setting;     /* the assignment that decided it, NULL if the filter is unset */
} UnitSyscall;

typedef struct UnitModel {
        const UnitConfig *config;
        unsigned systemd_version;       /* whose semantics (0: the newest known) */
        const char *section;            /* where the settings are read: "Service", "Socket", ... */

        /* BPF directives */
        UnitBool private_bpf;
        const UnitSetting *delegate[_BPF_KIND_MAX];     /* effective, NULL if none or reset */
        char **presets;                                 /* X-BPFTokenPreset= names, unique, in order */
        const UnitSetting *preset_setting;              /* the last non-empty X-BPFTokenPreset= */
        bool has_directives;                            /* any of them is mentioned, whatever the value */

        /* An assignment that makes systemd refuse to load the unit (LoadState=bad-setting), or NULL */
        const UnitSetting *bad_setting;

        /* Credentials */
        const char *user;               /* User=, NULL if unset; with DynamicUser=yes and no User= the name
                                         * systemd derives from the unit's ("foo" for foo@x.service) */
        char *dynamic_user_name;
        UnitBool dynamic_user;
        bool runs_as_root;

        /* Capabilities */
        uint64_t bounding_set;          /* all bits if unset */
        uint64_t ambient_set;
        const UnitSetting *bounding_setting, *ambient_setting;

        /* Namespaces and sandbox */
        UnitPrivateUsers private_users;
        const UnitSetting *private_users_setting, *private_users_invalid;
        UnitBool private_mounts;
        UnitBool private_network;
        UnitNamespaces delegate_namespaces;     /* systemd >= 258 */
        UnitNamespaces restrict_namespaces;
        UnitAddressFamilies address_families;
        UnitSyscall syscall_bpf;        /* bpf() */
        UnitSyscall syscall_socket;     /* socket(), connect(), sendmsg() (@network-io) */
        UnitSyscall syscall_setns;      /* setns() (@process) */
        const char *root_directory_key; /* "RootDirectory" or "RootImage" if set, else NULL */

        /* Control groups */
        UnitBool cgroup_delegate;       /* Delegate=: 1 also for a controller list */
        UnitProtectControlGroups protect_control_groups;
        const UnitSetting *protect_control_groups_setting, *protect_control_groups_invalid;
} UnitModel;

/* Evaluates c (which must outlive the model) as systemd_version does (0: the newest known), reading
 * section (NULL: the one of the unit's type, "Service" for a .service). -ENOMEM only. */
int unit_model_build(const UnitConfig *c, const char *section, unsigned systemd_version, UnitModel *ret);
void unit_model_done(UnitModel *m);

/* PrivateUsers= as it takes effect: DelegateNamespaces= (systemd >= 258) implies PrivateUsers=self. */
UnitPrivateUsers unit_model_effective_private_users(const UnitModel *m, unsigned systemd_version);

/* PrivateBPF=, BPFDelegate*= or X-BPFTokenPreset=. */
bool unit_key_is_bpf_directive(const char *key);

/* Whether the unit asks for BPF delegation at all: PrivateBPF=yes, a BPFDelegate*= or a preset. */
bool unit_model_wants_bpf(const UnitModel *m);

/* The requested delegation: the BPFDelegate*= lists plus the presets. Values that do not parse count
 * as 0 (their kind is flagged in ret_unparsed, may be NULL). -ENOMEM only. */
int unit_model_requested(const UnitModel *m, const BpfNames *names, Delegation *ret, bool ret_unparsed[_BPF_KIND_MAX]);

/* The mask systemd >= 258 makes of a BPFDelegate*= value: comma-separated items, each an exact
 * CamelCase name of systemd's table (at the bit systemd's table gives it) or "any"; anything else,
 * a space-separated list included, is ignored (measured on systemd 262). */
int unit_bpf_list_native_mask(const BpfNames *names, BpfKind kind, const char *value, uint64_t *ret);

/* Splits a setting's value into words at whitespace, with systemd's quoting ("a b" and 'a b' are one
 * word, quotes removed). -ENOMEM only. */
int unit_value_split(const char *v, char ***ret);

/* The capability set as systemctl show prints it: names separated by spaces, in bit order. */
int unit_caps_format(uint64_t caps, char **ret);

const char *unit_private_users_to_string(UnitPrivateUsers p);
/* A PrivateUsers= value as systemd_version parses it (0: the newest), -EINVAL if it cannot. */
int unit_private_users_from_string(const char *v, unsigned systemd_version);
const char *unit_protect_control_groups_to_string(UnitProtectControlGroups p);

/* Whether InaccessiblePaths= or TemporaryFileSystem= hide path (a directory covering it counts) and
 * no BindPaths=/BindReadOnlyPaths= destination brings it back: then *ret_key names the hiding key.
 * Every assignment after the last empty one counts (unit-model-paths.c). */
bool unit_model_path_hidden(const UnitModel *m, const char *path, const char **ret_key);
