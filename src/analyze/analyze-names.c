/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "analyze.h"
#include "log.h"
#include "macro.h"

static const char *const names_headers[] = {
        "KIND", "BIT", "KERNEL", "SYSTEMD", "KNOWN TO", "NOTE",
        /* JSON only */
        "KNOWN TO KERNEL", "IN SYSTEMD TABLE", "SYSTEMD BIT",
        NULL
};

enum {
        COL_KIND, COL_BIT, COL_KERNEL, COL_SYSTEMD, COL_KNOWN_TO, COL_NOTE,
        COL_KNOWN_TO_KERNEL, COL_IN_SYSTEMD_TABLE, COL_SYSTEMD_BIT,
};

static bool name_wanted(char **filter, const char *kname, const char *sname) {
        if (!filter || !*filter)
                return true;
        for (char **f = filter; *f; f++)
                if ((kname && strcaseeq(*f, kname)) || (sname && strcaseeq(*f, sname)))
                        return true;
        return false;
}

static int add_kind(Table *t, const BpfNames *names, const BpfNames *builtin, BpfKind kind, char **filter) {
        unsigned n = bpf_names_count(names, kind), nb = bpf_names_count(builtin, kind);
        bool from_btf = bpf_names_source(names) == BPF_NAMES_SOURCE_BTF;
        int r = 0;

        if (nb > n)
                n = nb;
        if (n > 64)
                n = 64;

        for (unsigned bit = 0; r >= 0 && bit < n; bit++) {
                const char *kname = bpf_names_kernel(names, kind, bit), *sname = bpf_names_systemd(names, kind, bit);
                bool kernel = from_btf && bpf_names_known_to_kernel(names, kind, bit) && kname;
                bool in_systemd;
                unsigned sbit = 0;
                int has_sbit;
                _cleanup_(freep) char *note = NULL;

                if (!kname) {
                        /* Not known to this kernel: maybe systemd's table has it (a newer kernel). */
                        kname = bpf_names_kernel(builtin, kind, bit);
                        sname = bpf_names_systemd(builtin, kind, bit);
                        if (!kname)
                                continue;
                }
                if (!name_wanted(filter, kname, sname))
                        continue;
                in_systemd = bpf_names_in_systemd_table(kind, kname);
                has_sbit = in_systemd && bpf_names_systemd_table_bit(kind, kname, &sbit) >= 0;

                if (has_sbit && sbit != bit) {
                        const char *other = bpf_names_kernel(names, kind, sbit) ?: bpf_names_kernel(builtin, kind, sbit);

                        if (asprintf(&note, "systemd >= 258 sets bit %u (%s) for %s", sbit, other ?: "?",
                                     sname ?: kname) < 0)
                                return -ENOMEM;
                } else if (!in_systemd && kernel) {
                        if (asprintf(&note, "native systemd ignores %s; bpftoken accepts it",
                                     sname ?: kname) < 0)
                                return -ENOMEM;
                }

                r = table_add_string(t, bpf_kind_to_string(kind));
                if (r >= 0)
                        r = table_add_uint64(t, bit);
                if (r >= 0)
                        r = table_add_string(t, kname);
                if (r >= 0)
                        r = table_add_string(t, sname);
                if (r >= 0)
                        r = table_add_string(t, kernel && in_systemd ? "both" :
                                                kernel ? "kernel" :
                                                in_systemd ? "systemd" : NULL);
                if (r >= 0)
                        r = table_add_string(t, note);
                if (r >= 0)
                        r = from_btf ? table_add_boolean(t, kernel) : table_add_empty(t);
                if (r >= 0)
                        r = table_add_boolean(t, in_systemd);
                if (r >= 0)
                        r = has_sbit ? table_add_uint64(t, sbit) : table_add_empty(t);
        }
        return r;
}

static bool name_known(const BpfNames *names, BpfKind only, const char *name) {
        unsigned bit;

        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                if ((only < 0 || k == only) && bpf_names_lookup(names, k, name, &bit) >= 0)
                        return true;
        return false;
}

/* A NAME argument that no kind (or not the one asked for) knows: one error with suggestions. */
static int log_unknown_name(const BpfNames *names, BpfKind only, const char *name) {
        const char *sugg[3];
        char hint[256] = "";
        size_t n = 0;

        for (BpfKind k = 0; k < _BPF_KIND_MAX && n == 0; k++)
                if (only < 0 || k == only)
                        n = bpf_names_suggest(names, k, name, sugg, ELEMENTSOF(sugg));
        for (size_t i = 0; i < n; i++)
                snprintf(hint + strlen(hint), sizeof hint - strlen(hint), "%s'%s'",
                         i == 0 ? " Did you mean " : (i + 1 == n ? " or " : ", "), sugg[i]);
        return log_error_errno(-ENOENT, "No %s is called '%s'.%s%s Run 'bpftoken-analyze names%s%s' for the full list.",
                               only >= 0 ? bpf_kind_noun(only) : "command, map, program or attach type", name, hint,
                               n > 0 ? "?" : "", only >= 0 ? " " : "", only >= 0 ? bpf_kind_to_string(only) : "");
}

int verb_names(int argc, char *argv[]) {
        _cleanup_(table_freep) Table *t = NULL;
        _cleanup_(bpf_names_freep) BpfNames *builtin = NULL;
        const BpfNames *names;
        BpfKind only = _BPF_KIND_INVALID;
        int r;

        if (argc >= 2) {
                only = bpf_kind_from_string(argv[1]);
                if (only < 0)
                        return log_usage_error("Unknown kind '%s': use commands, maps, programs or attachments.",
                                               argv[1]);
        }

        r = analyze_names(&names);
        if (r < 0)
                return r;
        r = bpf_names_new_builtin(&builtin);
        if (r < 0)
                return log_oom();
        for (int i = 2; i < argc; i++)
                if (!name_known(names, only, argv[i]) && !name_known(builtin, only, argv[i]))
                        r = log_unknown_name(names, only, argv[i]);
        if (r < 0)
                return r;

        if (bpf_names_source(names) != BPF_NAMES_SOURCE_BTF)
                log_warning("The kernel's BTF (/sys/kernel/btf/vmlinux) is not readable: showing the built-in table, "
                            "the KNOWN TO column cannot tell what this kernel knows.");

        r = table_new(names_headers, &t);
        if (r < 0)
                return log_oom();
        for (size_t c = COL_KNOWN_TO_KERNEL; c <= COL_SYSTEMD_BIT; c++)
                (void) table_set_hidden(t, c, true);

        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                if (only >= 0 && k != only)
                        continue;
                r = add_kind(t, names, builtin, k, argc > 2 ? argv + 2 : NULL);
                if (r < 0)
                        return log_oom();
        }

        return analyze_print_table(t);
}
