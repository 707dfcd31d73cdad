/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>

#include "analyze-scan.h"
#include "analyze.h"
#include "log.h"
#include "macro.h"

static const char *const mount_headers[] = {
        "MNTNS", "USERNS", "OWNER", "PID", "UNIT", "MOUNT POINT",
        "COMMANDS", "MAPS", "PROGRAMS", "ATTACHMENTS",
        /* JSON only */
        "MNTNS ID", "COMMAND", "PROCESSES", "DEVICE", "MOUNT POINTS", "MOUNT IDS", "DELEGATED", "OPTIONS",
        "TOKEN INFO", "ALLOWED CMDS", "ALLOWED MAPS", "ALLOWED PROGS", "ALLOWED ATTACHS",
        NULL
};

enum {
        COL_MNTNS, COL_USERNS, COL_OWNER, COL_PID, COL_UNIT, COL_MOUNT_POINT,
        COL_COMMANDS, COL_MAPS, COL_PROGRAMS, COL_ATTACHMENTS,
        COL_MNTNS_ID, COL_COMMAND, COL_PROCESSES, COL_DEVICE, COL_MOUNT_POINTS, COL_MOUNT_IDS, COL_DELEGATED,
        COL_OPTIONS, COL_TOKEN_INFO, COL_ALLOWED_CMDS,
        _COL_MAX = COL_ALLOWED_CMDS + _BPF_KIND_MAX,
};

static int add_mount_row(Table *t, const BpfNames *names, const MountEntry *e) {
        json_object *ids;
        int r;

        r = table_add_uint64(t, e->mntns);
        if (r >= 0)
                r = e->userns ? table_add_uint64(t, e->userns) : table_add_empty(t);
        if (r >= 0)
                r = e->userns_owner != UID_INVALID ? table_add_uint64(t, e->userns_owner) : table_add_empty(t);
        if (r >= 0)
                r = table_add_uint64(t, (uint64_t) e->pid);
        if (r >= 0)
                r = table_add_string(t, e->unit);
        if (r >= 0)
                r = table_add_string(t, e->n_mounts > 0 ? e->mount_points[0] : NULL);
        for (BpfKind k = 0; r >= 0 && k < _BPF_KIND_MAX; k++)
                r = table_add_mask(t, names, k, e->delegation.masks[k], e->delegation.any[k],
                                   e->delegation.present[k]);
        if (r >= 0)
                r = e->mntns_id ? table_add_uint64(t, e->mntns_id) : table_add_empty(t);
        if (r >= 0)
                r = table_add_string(t, e->comm);
        if (r >= 0)
                r = table_add_uint64(t, e->n_processes);
        if (r >= 0)
                r = table_add_stringf(t, "%u:%u", e->major, e->minor);
        if (r >= 0)
                r = table_add_strv(t, e->mount_points, ",");
        if (r >= 0) {
                ids = json_object_new_array();
                for (size_t i = 0; ids && i < e->n_mounts; i++)
                        json_object_array_add(ids, json_object_new_int(e->mount_ids[i]));
                r = ids ? table_add_json(t, NULL, ids) : -ENOMEM;
        }
        if (r >= 0)
                r = table_add_boolean(t, e->delegated);
        if (r >= 0)
                r = table_add_string(t, e->super_options);
        if (r >= 0)
                r = table_add_string(t, e->n_mounts > 0 ? e->mount_points[0] : NULL);
        for (BpfKind k = 0; r >= 0 && k < _BPF_KIND_MAX; k++)
                r = table_add_bpftool_allowed(t, names, k, e->delegation.masks[k], e->delegation.any[k]);
        return r;
}

static int compare_entries(const void *a, const void *b) {
        const MountEntry *x = a, *y = b;

        if (x->pid != y->pid)
                return x->pid < y->pid ? -1 : 1;
        if (x->major != y->major)
                return x->major < y->major ? -1 : 1;
        return (x->minor > y->minor) - (x->minor < y->minor);
}

int verb_mounts(int argc, char *argv[]) {
        _cleanup_(table_freep) Table *t = NULL;
        MountScan s = {};
        const BpfNames *names;
        int r;

        r = analyze_scan_prepare("mounts", argc, &names);
        if (r < 0)
                return r;

        r = scan_mounts(names, NULL, arg_all, &s);
        if (r < 0)
                return log_error_errno(r, "Failed to scan the mount namespaces of all processes: %m");

        if (s.n_entries > 1)
                qsort(s.entries, s.n_entries, sizeof *s.entries, compare_entries);

        r = table_new(mount_headers, &t);
        if (r < 0) {
                mount_scan_done(&s);
                return log_oom();
        }
        for (size_t c = COL_MNTNS_ID; c < _COL_MAX; c++)
                (void) table_set_hidden(t, c, true);
        (void) table_set_bpftool_keys(t, COL_TOKEN_INFO, COL_ALLOWED_CMDS);
        (void) table_set_json_key(t, COL_OWNER, "userns_owner");
        (void) table_set_json_key(t, COL_MOUNT_POINT, "mount_point");

        for (size_t i = 0; i < s.n_entries; i++) {
                r = add_mount_row(t, names, &s.entries[i]);
                if (r < 0) {
                        mount_scan_done(&s);
                        return log_oom();
                }
        }
        if (s.n_unreadable > 0)
                log_debug("%u processes or namespaces could not be read (they exited during the scan).",
                          s.n_unreadable);
        mount_scan_done(&s);

        return analyze_print_table(t);
}
