/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * 'security': what a unit's BPF delegation amounts to, item by item, with an exposure score
 * (0.0 nothing delegated .. 10.0 everything), in the manner of 'systemd-analyze security'. The
 * rationale of each weight is in bpftoken-analyze(1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze-attach.h"
#include "analyze-unit.h"
#include "analyze.h"
#include "log.h"
#include "macro.h"
#include "terminal-util.h"

typedef struct Category {
        BpfKind kind;
        const char *id;                 /* stable item identifier */
        double exposure;                /* 0.0 .. 10.0 */
        const char *summary;            /* for the table */
        const char *description;        /* for JSON and the man page */
        const char *const *members;     /* kernel names; NULL: every name not in another category */
} Category;

static const char *const cmds_program[] = { "prog_load", NULL };
static const char *const cmds_map[] = { "map_create", NULL };
static const char *const cmds_btf[] = { "btf_load", NULL };
static const char *const cmds_btf_id[] = { "btf_get_fd_by_id", NULL };

static const char *const progs_tracing[] = {
        "kprobe", "tracepoint", "perf_event", "raw_tracepoint", "raw_tracepoint_writable", "tracing", NULL
};
static const char *const progs_lsm[] = { "lsm", NULL };
static const char *const progs_struct_ops[] = { "struct_ops", NULL };
static const char *const progs_ext[] = { "ext", NULL };
static const char *const progs_syscall[] = { "syscall", NULL };
static const char *const progs_net[] = {
        "xdp", "sched_cls", "sched_act", "lwt_in", "lwt_out", "lwt_xmit", "lwt_seg6local", "sk_skb",
        "sk_msg", "sock_ops", "flow_dissector", "sk_reuseport", "sk_lookup", "netfilter", NULL
};
static const char *const progs_cgroup[] = {
        "cgroup_sock", "cgroup_sock_addr", "cgroup_device", "cgroup_sysctl", "cgroup_sockopt", NULL
};
static const char *const progs_lirc[] = { "lirc_mode2", NULL };
static const char *const progs_basic[] = { "socket_filter", "cgroup_skb", "unspec", NULL };

static const char *const maps_net[] = {
        "devmap", "devmap_hash", "cpumap", "xskmap", "sockmap", "sockhash", "reuseport_sockarray", NULL
};
static const char *const maps_stack[] = { "stack_trace", NULL };
static const char *const maps_struct_ops[] = { "struct_ops", NULL };

static const Category categories[] = {
        /* commands */
        { BPF_KIND_COMMAND, "commands-program", 2.0,
          "May load programs of the delegated types",
          "May load BPF programs: what they can do is decided by the program types below.", cmds_program },
        { BPF_KIND_COMMAND, "commands-btf-by-id", 3.0,
          "May open any loaded program's or module's BTF by ID",
          "May open the BTF of any loaded program or kernel module by ID (a CAP_SYS_ADMIN operation, "
          "checked inside the namespace).", cmds_btf_id },
        { BPF_KIND_COMMAND, "commands-map", 1.0,
          "May create maps of the delegated types",
          "May create BPF maps: kernel memory, charged to the unit's memory cgroup.", cmds_map },
        { BPF_KIND_COMMAND, "commands-btf", 1.0,
          "May upload BTF",
          "May upload BTF type information.", cmds_btf },
        { BPF_KIND_COMMAND, "commands-other", 0.5,
          "No effect with a token today; granted if kernels extend it",
          "Commands that take no token on this kernel, so they grant nothing today; a future kernel "
          "that lets a token cover them would grant them.", NULL },
        /* program types */
        { BPF_KIND_PROGRAM, "programs-tracing", 9.5,
          "Tracing programs can read all kernel memory",
          "Tracing programs can read all kernel memory and every process's data "
          "(bpf_probe_read_kernel), and leak it to the unit; they need CAP_PERFMON in the namespace.",
          progs_tracing },
        { BPF_KIND_PROGRAM, "programs-lsm", 9.0,
          "LSM programs take host-wide security decisions",
          "LSM programs take security decisions for the whole host once attached.", progs_lsm },
        { BPF_KIND_PROGRAM, "programs-struct-ops", 8.0,
          "struct_ops programs replace kernel operations host-wide",
          "struct_ops programs replace kernel operations (TCP congestion control, sched_ext "
          "schedulers) for the whole host.", progs_struct_ops },
        { BPF_KIND_PROGRAM, "programs-ext", 6.0,
          "Extension programs replace other BPF programs' functions",
          "Extension programs (freplace) replace functions of other loaded BPF programs.", progs_ext },
        { BPF_KIND_PROGRAM, "programs-syscall", 5.0,
          "Syscall programs run bpf() from inside the kernel",
          "Syscall programs run bpf() operations from inside the kernel.", progs_syscall },
        { BPF_KIND_PROGRAM, "programs-networking", 4.0,
          "Packet and socket programs on interfaces it can attach to",
          "Networking programs inspect, rewrite, redirect or drop packets and socket traffic on what "
          "the unit may attach them to (its own network namespace, unless it holds CAP_NET_ADMIN "
          "elsewhere); they need CAP_NET_ADMIN in the namespace.", progs_net },
        { BPF_KIND_PROGRAM, "programs-cgroup", 4.0,
          "Socket, device and sysctl filters on cgroups it can attach to",
          "cgroup programs filter or rewrite socket operations, device access and sysctl access in "
          "cgroups the unit may attach to.", progs_cgroup },
        { BPF_KIND_PROGRAM, "programs-lirc", 3.0,
          "Infrared decoders see remote-control input",
          "Infrared decoding programs see remote-control input.", progs_lirc },
        { BPF_KIND_PROGRAM, "programs-basic", 1.0,
          "Least privileged program types",
          "Socket filters and cgroup skb programs, the least privileged types (what libbpf's probes "
          "load).", progs_basic },
        { BPF_KIND_PROGRAM, "programs-other", 5.0,
          "Program types not classified here: assumed powerful",
          "Program types this version of bpftoken-analyze does not classify: assume they are powerful.",
          NULL },
        /* map types */
        { BPF_KIND_MAP, "maps-struct-ops", 3.0,
          "Registers struct_ops programs with the kernel",
          "struct_ops maps register struct_ops programs with the kernel.", maps_struct_ops },
        { BPF_KIND_MAP, "maps-networking", 2.0,
          "Redirect and socket maps steer packets and connections",
          "Redirect and socket maps steer packets and connections between interfaces and sockets.",
          maps_net },
        { BPF_KIND_MAP, "maps-stack-trace", 2.0,
          "Hold kernel stack addresses",
          "Stack trace maps hold kernel stack addresses (with tracing programs).", maps_stack },
        { BPF_KIND_MAP, "maps-other", 0.5,
          "Ordinary maps: memory shared with its programs",
          "Ordinary map types: memory the unit allocates and shares with its programs.", NULL },
        /* attach types */
        { BPF_KIND_ATTACHMENT, "attachments", 0.5,
          "Narrow expected attach types; grant nothing alone",
          "Expected attach types only narrow which programs of the delegated types may be loaded; "
          "alone they grant nothing.", NULL },
};

typedef struct Item {
        char *name;             /* "BPFDelegatePrograms=kprobe,tracing" */
        const char *id;
        const char *summary;
        const char *description;
        double exposure;
        BpfKind kind;
        uint64_t mask;
        bool unusable;          /* types without the command that uses them */
} Item;

static void items_free(Item *items, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(items[i].name);
        free(items);
}

static bool in_list(const char *const *l, const char *name) {
        for (; l && *l; l++)
                if (streq(*l, name))
                        return true;
        return false;
}

static bool classified_elsewhere(BpfKind kind, const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(categories); i++)
                if (categories[i].kind == kind && categories[i].members && in_list(categories[i].members, name))
                        return true;
        return false;
}

static int add_item(Item **items, size_t *n, const char *name, const char *id, const char *summary,
                    const char *description, double exposure, BpfKind kind, uint64_t mask) {
        Item *l = reallocarray(*items, *n + 1, sizeof *l);
        char *s;

        if (!l)
                return -ENOMEM;
        *items = l;
        s = strdup(name);
        if (!s)
                return -ENOMEM;
        l[(*n)++] = (Item) {
                .name = s, .id = id, .summary = summary, .description = description, .exposure = exposure,
                .kind = kind, .mask = mask,
        };
        return 0;
}

static const char *const any_descriptions[_BPF_KIND_MAX] = {
        [BPF_KIND_COMMAND]    = "Every BPF command, including commands that future kernels let a token cover.",
        [BPF_KIND_MAP]        = "Every map type, including the ones future kernels add.",
        [BPF_KIND_PROGRAM]    = "Every program type, tracing and LSM programs included (they can read all "
                                "kernel memory and take host-wide security decisions), and future types.",
        [BPF_KIND_ATTACHMENT] = "Every attach type: harmless alone (program types decide what can be loaded); "
                                "libbpf's probes need bit 0, and 'any' is the simple way to give it.",
};
static const char *const any_summaries[_BPF_KIND_MAX] = {
        [BPF_KIND_COMMAND]    = "Every command, also those future kernels let a token cover",
        [BPF_KIND_MAP]        = "Every map type, also future ones",
        [BPF_KIND_PROGRAM]    = "Every program type: tracing, LSM and future types included",
        [BPF_KIND_ATTACHMENT] = "Every attach type; grants nothing alone",
};
static const double any_exposure[_BPF_KIND_MAX] = {
        [BPF_KIND_COMMAND]    = 7.0,
        [BPF_KIND_MAP]        = 3.0,
        [BPF_KIND_PROGRAM]    = 10.0,
        [BPF_KIND_ATTACHMENT] = 1.0,
};

/* Split a delegation into assessed items. */
static int assess(const BpfNames *names, const Delegation *d, Item **ret, size_t *ret_n) {
        Item *items = NULL;
        size_t n = 0;
        int r;

        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                uint64_t mask = d->masks[k];

                if (mask == 0)
                        continue;
                if (mask == DELEGATION_ANY) {
                        char name[64];

                        snprintf(name, sizeof name, "%s=any", bpf_kind_directive(k));
                        r = add_item(&items, &n, name, "any", any_summaries[k], any_descriptions[k],
                                     any_exposure[k], k, mask);
                        if (r < 0)
                                goto fail;
                        continue;
                }

                for (size_t c = 0; c < ELEMENTSOF(categories); c++) {
                        const Category *cat = &categories[c];
                        _cleanup_(freep) char *list = NULL, *name = NULL;
                        uint64_t sub = 0;

                        if (cat->kind != k)
                                continue;
                        for (unsigned bit = 0; bit < 64; bit++) {
                                const char *kn;

                                if (!(mask & (UINT64_C(1) << bit)))
                                        continue;
                                kn = bpf_names_kernel(names, k, bit);
                                if (cat->members ? (kn && in_list(cat->members, kn))
                                                 : (!kn || !classified_elsewhere(k, kn)))
                                        sub |= UINT64_C(1) << bit;
                        }
                        if (sub == 0)
                                continue;
                        r = delegation_format(names, k, sub, DELEGATION_STYLE_KERNEL, &list);
                        if (r < 0)
                                goto fail;
                        if (asprintf(&name, "%s=%s", bpf_kind_directive(k), list) < 0) {
                                r = -ENOMEM;
                                goto fail;
                        }
                        r = add_item(&items, &n, name, cat->id, cat->summary, cat->description, cat->exposure,
                                     k, sub);
                        if (r < 0)
                                goto fail;
                }
        }

        /* Program types are of no use without prog_load, map types without map_create. */
        {
                unsigned prog_load = 5, map_create = 0;
                uint64_t cmds = d->masks[BPF_KIND_COMMAND];

                (void) bpf_names_lookup(names, BPF_KIND_COMMAND, "prog_load", &prog_load);
                (void) bpf_names_lookup(names, BPF_KIND_COMMAND, "map_create", &map_create);
                for (size_t i = 0; i < n; i++)
                        if ((items[i].kind == BPF_KIND_PROGRAM && !(cmds & (UINT64_C(1) << prog_load))) ||
                            (items[i].kind == BPF_KIND_MAP && !(cmds & (UINT64_C(1) << map_create)))) {
                                items[i].unusable = true;
                                items[i].exposure = 0.0;
                        }
        }

        *ret = items;
        *ret_n = n;
        return 0;
fail:
        items_free(items, n);
        return r;
}

/* Issue 8: cgroup programs the unit can attach to every cgroup of the host are a host-wide packet,
 * socket and device filter, whatever their type's own weight. */
static int assess_cgroup_confinement(const BpfNames *names, const UnitBpf *u, Item **items, size_t *n) {
        unsigned prog_load = 5;
        CheckContext ctx;
        const char *why;

        (void) analyze_check_context(&ctx);
        (void) bpf_names_lookup(names, BPF_KIND_COMMAND, "prog_load", &prog_load);
        why = unit_cgroup_unconfined(names, u, ctx.systemd_version);
        if (!why || !(u->requested.masks[BPF_KIND_COMMAND] & (UINT64_C(1) << prog_load)))
                return 0;
        return add_item(items, n, "ProtectControlGroups=", "cgroup-host-wide",
                        "Cgroup programs attach to every cgroup of the host, the root included",
                        why, 9.0, BPF_KIND_PROGRAM, delegation_cgroup_program_mask(names, &u->requested));
}

static int compare_items(const void *a, const void *b) {
        const Item *x = a, *y = b;

        if (x->exposure != y->exposure)
                return x->exposure > y->exposure ? -1 : 1;
        return x->kind - y->kind;
}

/* The worst item dominates; every further item adds a tenth of its own exposure. */
static double overall_exposure(const Item *items, size_t n) {
        double max = 0.0, rest = 0.0;

        for (size_t i = 0; i < n; i++) {
                if (items[i].exposure > max) {
                        rest += max;
                        max = items[i].exposure;
                } else
                        rest += items[i].exposure;
        }
        max += rest / 10.0;
        return max > 10.0 ? 10.0 : max;
}

static const char *exposure_level(double e) {
        return e < 1.0 ? "SAFE" :
               e < 3.0 ? "OK" :
               e < 5.0 ? "MEDIUM" :
               e < 7.5 ? "EXPOSED" : "UNSAFE";
}

static const char *exposure_color(double e) {
        return e < 3.0 ? ANSI_HIGHLIGHT_GREEN : e < 5.0 ? ANSI_HIGHLIGHT_YELLOW : ANSI_HIGHLIGHT_RED;
}

static bool above_threshold = false;

/* A number as printed: one decimal, and in JSON the same digits. */
static json_object *json_tenths(double v) {
        char buf[32];

        snprintf(buf, sizeof buf, "%.1f", v);
        return json_object_new_double_s(strtod(buf, NULL), buf);
}

/* Overall exposure above --threshold= (compared in tenths, as printed). */
static void check_threshold(const char *unit, double overall) {
        unsigned tenths = (unsigned) (overall * 10.0 + 0.5);

        if (tenths <= arg_threshold)
                return;
        above_threshold = true;
        log_error("Overall BPF exposure level for %s (%.1f) is above the threshold %u.%u (--threshold=%u).", unit,
                  overall, arg_threshold / 10, arg_threshold % 10, arg_threshold);
}

static int security_one(const BpfNames *names, const char *arg, json_object *all, bool first) {
        _cleanup_(unit_bpf_freep) UnitBpf *u = NULL;
        _cleanup_(table_freep) Table *t = NULL;
        Item *items = NULL;
        size_t n = 0;
        double overall;
        int r;

        if (!first && !all)
                printf("\n");
        r = analyze_load_unit(names, arg, true, &u);
        if (r < 0)
                return r;

        if (!unit_bpf_wanted(u) || u->private_bpf != 1) {
                /* Without PrivateBPF=yes nothing is delegated, whatever BPFDelegate*= say. */
                Delegation none = {};
                r = assess(names, &none, &items, &n);
        } else {
                r = assess(names, &u->requested, &items, &n);
                if (r >= 0)
                        r = assess_cgroup_confinement(names, u, &items, &n);
        }
        if (r < 0)
                return log_oom();
        if (n > 1)
                qsort(items, n, sizeof *items, compare_items);
        overall = overall_exposure(items, n);
        check_threshold(u->config->name, overall);

        if (all) {
                json_object *o = json_object_new_object(), *a = json_object_new_array();

                if (!o || !a) {
                        json_object_put(o);
                        json_object_put(a);
                        items_free(items, n);
                        return log_oom();
                }
                json_object_object_add(o, "unit", json_object_new_string(u->config->name));
                json_object_object_add(o, "exposure", json_tenths(overall));
                json_object_object_add(o, "level", json_object_new_string(exposure_level(overall)));
                json_object_object_add(o, "private_bpf", json_object_new_boolean(u->private_bpf == 1));
                for (size_t i = 0; i < n; i++) {
                        json_object *x = json_object_new_object();

                        json_object_object_add(x, "name", json_object_new_string(items[i].name));
                        json_object_object_add(x, "id", json_object_new_string(items[i].id));
                        json_object_object_add(x, "kind", json_object_new_string(bpf_kind_to_string(items[i].kind)));
                        json_object_object_add(x, "delegation", mask_to_json(names, items[i].kind, items[i].mask,
                                                                             items[i].mask == DELEGATION_ANY));
                        json_object_object_add(x, "summary", json_object_new_string(items[i].summary));
                        json_object_object_add(x, "description", json_object_new_string(items[i].description));
                        json_object_object_add(x, "usable", json_object_new_boolean(!items[i].unusable));
                        json_object_object_add(x, "exposure", json_tenths(items[i].exposure));
                        json_object_array_add(a, x);
                }
                json_object_object_add(o, "items", a);
                json_object_array_add(all, o);
                items_free(items, n);
                return 0;
        }

        r = table_new((const char *const[]) { "NAME", "DESCRIPTION", "EXPOSURE", NULL }, &t);
        if (r < 0) {
                items_free(items, n);
                return log_oom();
        }
        (void) table_set_align_right(t, 2, true);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                r = table_add_string(t, items[i].name);
                if (r >= 0)
                        r = items[i].unusable ?
                                table_add_stringf(t, "No effect: %s is not delegated",
                                                  items[i].kind == BPF_KIND_PROGRAM ? "prog_load" : "map_create") :
                                table_add_string(t, items[i].summary);
                if (r >= 0)
                        r = table_add_stringf(t, "%.1f", items[i].exposure);
        }
        items_free(items, n);
        if (r < 0)
                return log_oom();

        table_set_legend(t, false);
        table_set_header(t, arg_legend);
        if (table_get_rows(t) > 0) {
                r = table_print(t, stdout);
                if (r < 0)
                        return log_error_errno(r, "Failed to print the table: %m");
                printf("\n");
        } else
                printf("%s delegates no BPF.\n\n", u->config->name);
        printf("\xe2\x86\x92 Overall BPF exposure level for %s: %s%.1f %s%s\n", u->config->name,
               ansi(exposure_color(overall)), overall, exposure_level(overall), ansi(ANSI_NORMAL));
        return 0;
}

int verb_security(int argc, char *argv[]) {
        int r;

        if (argc < 2)
                return log_usage_error("The 'security' verb needs at least one unit file or unit name.");

        r = analyze_for_each_argument(argc, argv, security_one);
        if (r < 0)
                return r;
        return above_threshold ? ANALYZE_EXIT_FINDINGS : 0;
}
