/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What a recorded bpf() call means for delegation: the bits of a token it needs, whether it is one
 * of libbpf's own feature probes, which bit a refusal lacked, and the BPFDelegate*= line that adds
 * it. Pure functions on top of src/delegation (one model of the masks). No logging.
 */

#include <stdbool.h>
#include <stdint.h>

#include "bpf-names.h"
#include "delegation.h"
#include "monitor.h"

/* A bit of one of the four masks. */
typedef struct MonitorNeed {
        BpfKind kind;
        unsigned bit;
} MonitorNeed;

#define MONITOR_NEEDS_MAX 4

/* The bits a token must carry for this call: the command (map_create, prog_load, btf_load — the
 * commands the kernel checks against the token), the map type, the program type and the program's
 * expected attach type (the kernel checks both for BPF_PROG_LOAD). Other commands need no bit.
 * Returns how many were written to ret (0..MONITOR_NEEDS_MAX). */
size_t monitor_event_needs(const MonitorEvent *e, MonitorNeed ret[static MONITOR_NEEDS_MAX]);

/* Whether the call passed a token. */
bool monitor_event_has_token(const MonitorEvent *e);
/* The errno of a failed call (positive), 0 if it succeeded. */
int monitor_event_errno(const MonitorEvent *e);

/* Telling libbpf's own feature probes from what the program itself loads. libbpf loads probe
 * programs and maps named "libbpf_*" (libbpf_nametest, libbpf_global, ...) or, much more often,
 * unnamed: libbpf >= 1.4 sends no names at all under a token when its token-less name probe failed
 * (measured with bpftool 7.5), so a name cannot tell. What does: a probe carries no BTF or a tiny BTF
 * of its own (at most MONITOR_PROBE_BTF_MAX bytes, loaded just before), while an object's programs
 * and maps carry the object's BTF (clang -g; bytes of types). So a call is a probe if it is
 *   - a map or program named "libbpf_*";
 *   - a BTF load of at most MONITOR_PROBE_BTF_MAX bytes;
 *   - an unnamed map or program without BTF, or with a BTF fd this process got from such a load.
 * An object built without -g looks like a probe: its types are not learned, and learn's
 * verification run shows it. The classifier remembers the BTF loads it saw: feed it every call of
 * a process, in order. */
#define MONITOR_PROBE_BTF_MAX 256
#define MONITOR_PROBE_BTF_SLOTS 64

typedef struct MonitorProbeFilter {
        struct {
                uint32_t pid;
                int32_t fd;
                uint32_t size;
        } btf[MONITOR_PROBE_BTF_SLOTS];
        size_t next;
} MonitorProbeFilter;

/* Whether e is a libbpf probe; remembers e if it is a BTF load. */
bool monitor_probe_filter_classify(MonitorProbeFilter *f, const MonitorEvent *e);

/* For a call refused with EPERM although it passed a token: the first needed bit the delegation d
 * lacks (command, then type, then attach type). 0 and ret set, or -ENOENT if d has every bit the
 * call needs (the refusal has another cause: a capability, a kernel check). */
int monitor_event_missing(const MonitorEvent *e, const Delegation *d, MonitorNeed *ret);

/* The BPFDelegate*= line (systemd spelling, ready to paste) that is d's list for need.kind plus the
 * needed bit: "BPFDelegateMaps=BPFMapTypeArray,BPFMapTypeHash". 0 and a malloc'ed string, or
 * -ENOMEM. */
int monitor_need_fix_line(const BpfNames *names, const Delegation *d, const MonitorNeed *need, char **ret);

/* "map_create", "prog_load" ... or "cmd 42": the kernel spelling of the command. */
const char *monitor_cmd_name(const BpfNames *names, unsigned cmd, char *buf, size_t size);
/* What the call is about, for a table: "array" (map), "xdp/cgroup_inet_ingress" (program and
 * expected attach type), "tcx_ingress" (attachment), "-" otherwise. */
const char *monitor_event_type_string(const BpfNames *names, const MonitorEvent *e, char *buf, size_t size);
/* The name of a bit in kernel spelling, "0x2a" style if the kernel has none. */
const char *monitor_need_name(const BpfNames *names, const MonitorNeed *need, char *buf, size_t size);

/* Learning: OR the bits the call needs into d. Calls that succeeded with a token count, except
 * libbpf's probes (probe: from monitor_probe_filter_classify()) — with one exception: the trivial
 * socket filter libbpf loads before any object (bpf_object__probe_loading()). libbpf refuses to load
 * anything when that one fails (measured with bpftool 7.5: "Couldn't load trivial BPF program"), so
 * socket_filter, prog_load and attach type 0 are needs of every libbpf program; the other probes
 * (kprobe, name, BTF features) only switch features off when they fail. Returns true if it counted. */
bool monitor_learn_event(Delegation *d, const MonitorEvent *e, bool probe);
