#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The bpf() recorder (kernel/bpftoken-monitor.bpf.c) against a client making known calls.
set -u
. "$(dirname "$0")/tap.sh"
require_root_and_token_kernel

E=$BPFTOKEN_EXEC
DELEG=(--user=root --delegate-commands=map_create,prog_load,btf_load --delegate-maps=array,hash
       --delegate-programs=socket_filter,xdp --delegate-attachments=cgroup_inet_ingress -q)

# libbpf 1.1's libbpf_probe_bpf_prog_type() first loads a socket filter (its memcg accounting
# probe), then the type asked for; both unnamed, without a token, refused in the user namespace.
# Only the client's own calls (bpftoken-exec proves the token first: that call is its own).
client_events() { grep '^event monitor-client ' | cut -d' ' -f3- ; }

out=$("$MONITOR_RECORD" -- "$E" "${DELEG[@]}" -- "$MONITOR_CLIENT" calls 2>&1)
is "the client's calls, in order, with types, token use and errnos" \
"token_create - token=no errno=0 name=-
map_create array token=yes errno=0 name=mon_array
map_create hash token=yes errno=0 name=mon_hash
prog_load socket_filter/cgroup_inet_ingress token=yes errno=0 name=mon_sock
prog_load xdp/cgroup_inet_ingress token=yes errno=0 name=mon_xdp
map_create ringbuf token=yes errno=EPERM name=mon_ringbuf
prog_load socket_filter/cgroup_inet_ingress token=no errno=EPERM name=-
prog_load kprobe/cgroup_inet_ingress token=no errno=EPERM name=-" \
        "$(printf '%s\n' "$out" | client_events)"
contains "bpftoken-exec's own token check is recorded too (same cgroup)" \
        "event bpftoken-exec token_create - token=no errno=0" "$out"
contains "nothing was lost" " lost=0 unpaired=0 " "$out"

# Positive control for the filter: the same client in an unwatched cgroup leaves no trace.
out=$("$MONITOR_RECORD" --outside -- "$E" "${DELEG[@]}" -- "$MONITOR_CLIENT" calls 2>&1)
is "a process outside the watched cgroup is not recorded" "stats seen=0 lost=0 unpaired=0 recorded=0" \
        "$(printf '%s\n' "$out" | grep -v '^[a-z_:]* -\?[0-9]*$')"
contains "... although it made its calls" "map_create:ringbuf -1" "$out"

# A flood into a small ring buffer that is not read: the loss is counted, the caller not blocked.
out=$("$MONITOR_RECORD" --ringbuf=8192 --hold -- "$MONITOR_CLIENT" flood 5000 2>&1)
stats=$(printf '%s\n' "$out" | grep '^stats')
seen=$(sed -n 's/.*seen=\([0-9]*\).*/\1/p' <<<"$stats")
lost=$(sed -n 's/.*lost=\([0-9]*\).*/\1/p' <<<"$stats")
rec=$(sed -n 's/.*recorded=\([0-9]*\).*/\1/p' <<<"$stats")
contains "the flood ran to its end" "flood 5000" "$out"
is "every call of the flood was seen" 5000 "$seen"
ok "most of the flood was lost ($lost) and counted" test "$lost" -gt 4000
is "recorded + lost = seen" "$seen" "$((rec + lost))"
ok "the ring buffer held what fits ($rec events)" test "$rec" -gt 10

done_testing
