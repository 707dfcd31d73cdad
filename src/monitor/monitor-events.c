/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf-token-uapi.h"
#include "monitor-events.h"

bool monitor_event_has_token(const MonitorEvent *e) {
        return e->flags & BPFTOKEN_MONITOR_EVENT_TOKEN;
}

int monitor_event_errno(const MonitorEvent *e) {
        return e->result < 0 && e->result >= -4095 ? (int) -e->result : 0;
}

size_t monitor_event_needs(const MonitorEvent *e, MonitorNeed ret[static MONITOR_NEEDS_MAX]) {
        size_t n = 0;

        switch (e->cmd) {
        case BPFTOKEN_CMD_MAP_CREATE:
                ret[n++] = (MonitorNeed) { BPF_KIND_COMMAND, e->cmd };
                ret[n++] = (MonitorNeed) { BPF_KIND_MAP, e->type };
                break;
        case BPFTOKEN_CMD_PROG_LOAD:
                ret[n++] = (MonitorNeed) { BPF_KIND_COMMAND, e->cmd };
                ret[n++] = (MonitorNeed) { BPF_KIND_PROGRAM, e->type };
                ret[n++] = (MonitorNeed) { BPF_KIND_ATTACHMENT, e->expected_attach_type };
                break;
        case BPFTOKEN_CMD_BTF_LOAD:
                ret[n++] = (MonitorNeed) { BPF_KIND_COMMAND, e->cmd };
                break;
        }
        /* A bit beyond 63 cannot be delegated at all; leave it out rather than overflow a shift. */
        for (size_t i = 0; i < n; i++)
                if (ret[i].bit >= 64) {
                        memmove(ret + i, ret + i + 1, (n - i - 1) * sizeof *ret);
                        n--;
                        i--;
                }
        return n;
}

static void probe_filter_note_btf(MonitorProbeFilter *f, const MonitorEvent *e) {
        size_t slot = f->next;

        /* A reused fd number replaces what was known about it. */
        for (size_t i = 0; i < MONITOR_PROBE_BTF_SLOTS; i++)
                if (f->btf[i].pid == e->pid && f->btf[i].fd == (int32_t) e->result) {
                        slot = i;
                        break;
                }
        f->btf[slot].pid = e->pid;
        f->btf[slot].fd = (int32_t) e->result;
        f->btf[slot].size = e->type;
        if (slot == f->next)
                f->next = (f->next + 1) % MONITOR_PROBE_BTF_SLOTS;
}

bool monitor_probe_filter_classify(MonitorProbeFilter *f, const MonitorEvent *e) {
        switch (e->cmd) {
        case BPFTOKEN_CMD_BTF_LOAD:
                if (e->result >= 0)
                        probe_filter_note_btf(f, e);
                return e->type <= MONITOR_PROBE_BTF_MAX;
        case BPFTOKEN_CMD_MAP_CREATE:
        case BPFTOKEN_CMD_PROG_LOAD:
                break;
        default:
                return false;
        }
        if (strncmp(e->obj_name, "libbpf_", 7) == 0)
                return true;
        if (e->obj_name[0] != '\0')
                return false;
        if (e->btf_fd == 0)
                return true;
        for (size_t i = 0; i < MONITOR_PROBE_BTF_SLOTS; i++)
                if (f->btf[i].pid == e->pid && f->btf[i].fd == (int32_t) e->btf_fd && f->btf[i].size > 0)
                        return f->btf[i].size <= MONITOR_PROBE_BTF_MAX;
        return false;
}

static bool delegation_has(const Delegation *d, const MonitorNeed *need) {
        return d->masks[need->kind] & (UINT64_C(1) << need->bit);
}

int monitor_event_missing(const MonitorEvent *e, const Delegation *d, MonitorNeed *ret) {
        MonitorNeed needs[MONITOR_NEEDS_MAX];
        size_t n = monitor_event_needs(e, needs);

        for (size_t i = 0; i < n; i++)
                if (!delegation_has(d, &needs[i])) {
                        *ret = needs[i];
                        return 0;
                }
        return -ENOENT;
}

int monitor_need_fix_line(const BpfNames *names, const Delegation *d, const MonitorNeed *need, char **ret) {
        uint64_t mask = d->masks[need->kind];
        char *list = NULL, *line = NULL;
        int r;

        if (mask != DELEGATION_ANY)
                mask |= UINT64_C(1) << need->bit;
        r = delegation_format(names, need->kind, mask, DELEGATION_STYLE_SYSTEMD, &list);
        if (r < 0)
                return r;
        if (asprintf(&line, "%s=%s", bpf_kind_directive(need->kind), list) < 0)
                line = NULL;
        free(list);
        if (!line)
                return -ENOMEM;
        *ret = line;
        return 0;
}

const char *monitor_cmd_name(const BpfNames *names, unsigned cmd, char *buf, size_t size) {
        const char *s = cmd < 64 ? bpf_names_kernel(names, BPF_KIND_COMMAND, cmd) : NULL;

        if (s)
                return s;
        snprintf(buf, size, "cmd %u", cmd);
        return buf;
}

static const char *bit_name(const BpfNames *names, BpfKind kind, unsigned bit, char *buf, size_t size) {
        const char *s = bit < 64 ? bpf_names_kernel(names, kind, bit) : NULL;

        if (s)
                return s;
        snprintf(buf, size, "%u", bit);
        return buf;
}

const char *monitor_need_name(const BpfNames *names, const MonitorNeed *need, char *buf, size_t size) {
        char b[24];
        const char *s = bit_name(names, need->kind, need->bit, b, sizeof b);

        snprintf(buf, size, "%s %s", bpf_kind_to_string(need->kind), s);
        return buf;
}

const char *monitor_event_type_string(const BpfNames *names, const MonitorEvent *e, char *buf, size_t size) {
        char a[24], b[24];

        switch (e->cmd) {
        case BPFTOKEN_CMD_MAP_CREATE:
                snprintf(buf, size, "%s", bit_name(names, BPF_KIND_MAP, e->type, a, sizeof a));
                break;
        case BPFTOKEN_CMD_PROG_LOAD:
                snprintf(buf, size, "%s/%s", bit_name(names, BPF_KIND_PROGRAM, e->type, a, sizeof a),
                         bit_name(names, BPF_KIND_ATTACHMENT, e->expected_attach_type, b, sizeof b));
                break;
        case 8:  /* BPF_PROG_ATTACH */
        case 9:  /* BPF_PROG_DETACH */
        case 28: /* BPF_LINK_CREATE */
                snprintf(buf, size, "%s", bit_name(names, BPF_KIND_ATTACHMENT, e->attach_type, a, sizeof a));
                break;
        default:
                snprintf(buf, size, "-");
        }
        return buf;
}

bool monitor_learn_event(Delegation *d, const MonitorEvent *e, bool probe) {
        MonitorNeed needs[MONITOR_NEEDS_MAX];
        size_t n;

        if (e->result < 0 || !monitor_event_has_token(e))
                return false;
        if (probe && !(e->cmd == BPFTOKEN_CMD_PROG_LOAD && e->type == 1 /* socket_filter */ &&
                       e->obj_name[0] == '\0'))
                return false;
        n = monitor_event_needs(e, needs);
        for (size_t i = 0; i < n; i++)
                d->masks[needs[i].kind] |= UINT64_C(1) << needs[i].bit;
        return n > 0;
}
