/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>

#include "analyze-scan-bpf.h"
#include "analyze-scan.h"
#include "analyze.h"
#include "log.h"
#include "macro.h"

static const char *const token_headers[] = {
        "PID", "FD", "COMMAND", "UNIT", "USERNS", "MOUNT POINT",
        "COMMANDS", "MAPS", "PROGRAMS", "ATTACHMENTS",
        /* JSON only */
        "MNT ID", "TOKEN INFO", "ALLOWED CMDS", "ALLOWED MAPS", "ALLOWED PROGS", "ALLOWED ATTACHS",
        NULL
};

enum {
        COL_PID, COL_FD, COL_COMMAND, COL_UNIT, COL_USERNS, COL_MOUNT_POINT,
        COL_COMMANDS, COL_MAPS, COL_PROGRAMS, COL_ATTACHMENTS,
        COL_MNT_ID, COL_TOKEN_INFO, COL_ALLOWED_CMDS,
        _COL_MAX = COL_ALLOWED_CMDS + _BPF_KIND_MAX,
};

static int tokens_table_add(Table *t, const BpfNames *names, const TokenEntry *e) {
        int r;

        r = table_add_uint64(t, (uint64_t) e->pid);
        if (r >= 0)
                r = table_add_uint64(t, (uint64_t) e->fd);
        if (r >= 0)
                r = table_add_string(t, e->comm);
        if (r >= 0)
                r = table_add_string(t, e->unit);
        if (r >= 0)
                r = e->userns ? table_add_uint64(t, e->userns) : table_add_empty(t);
        if (r >= 0)
                r = table_add_string(t, e->mount_point);
        for (BpfKind k = 0; r >= 0 && k < _BPF_KIND_MAX; k++)
                r = table_add_mask(t, names, k, e->info.allowed[k], e->info.any[k], true);
        if (r >= 0)
                r = e->info.has_mnt_id ? table_add_int64(t, e->info.mnt_id) : table_add_empty(t);
        if (r >= 0)
                r = table_add_string(t, e->mount_point);
        for (BpfKind k = 0; r >= 0 && k < _BPF_KIND_MAX; k++)
                r = table_add_bpftool_allowed(t, names, k, e->info.allowed[k], e->info.any[k]);
        return r;
}

int tokens_table_new(const BpfNames *names, const TokenScan *s, Table **ret) {
        _cleanup_(table_freep) Table *t = NULL;
        int r;

        r = table_new(token_headers, &t);
        if (r < 0)
                return r;
        for (size_t c = COL_MNT_ID; c < _COL_MAX; c++)
                (void) table_set_hidden(t, c, true);
        (void) table_set_bpftool_keys(t, COL_TOKEN_INFO, COL_ALLOWED_CMDS);
        (void) table_set_json_key(t, COL_MOUNT_POINT, "mount_point");
        for (size_t i = 0; i < s->n_entries; i++) {
                r = tokens_table_add(t, names, &s->entries[i]);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(t);
        return 0;
}

int verb_tokens(int argc, char *argv[]) {
        _cleanup_(table_freep) Table *t = NULL;
        TokenScan s = {};
        const BpfNames *names;
        int r;

        r = analyze_scan_prepare("tokens", argc, &names);
        if (r < 0)
                return r;

        r = scan_tokens_fast(NULL, false, &s, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to scan the file descriptors of all processes: %m");

        r = tokens_table_new(names, &s, &t);
        token_scan_done(&s);
        if (r < 0)
                return log_oom();

        return analyze_print_table(t);
}
