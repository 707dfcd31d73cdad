#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The bpf() recorder (kernel/bpftoken-monitor.bpf.c) against a client making known calls.
set -u
. "$(dirname "$0")/tap.sh"
require_root_and_token_kernel

E=$BPFTOKEN_EXEC
MARK=$(mktemp -d /tmp/test-monitor.XXXXXX)
trap 'rm -rf "$MARK"' EXIT
export BPFTOKEN_EXEC
DELEG=(--user=root --delegate-commands=map_create,prog_load,btf_load --delegate-maps=array,hash
       --delegate-programs=socket_filter,xdp --delegate-attachments=cgroup_inet_ingress -q)

# libbpf 1.1's libbpf_probe_bpf_prog_type() first loads a socket filter (its memcg accounting
# probe), then the type asked for; both unnamed, without a token, refused in the user namespace.
# Only the client's own calls (bpftoken-exec proves the token first: that call is its own).
client_events() { grep '^event monitor-client ' | cut -d' ' -f3- ; }

out=$("$MONITOR_RECORD" -- "$E" "${DELEG[@]}" -- "$MONITOR_CLIENT" calls 2>&1)
is "the client's calls, in order, with types, token use and errnos" \
"token_create - token=no errno=0 name=-
map_create array token=yes masks=0x40021,0x6,0x42,0x1 errno=0 name=mon_array
map_create hash token=yes masks=0x40021,0x6,0x42,0x1 errno=0 name=mon_hash
prog_load socket_filter/cgroup_inet_ingress token=yes masks=0x40021,0x6,0x42,0x1 errno=0 name=mon_sock
prog_load xdp/cgroup_inet_ingress token=yes masks=0x40021,0x6,0x42,0x1 errno=0 name=mon_xdp
map_create ringbuf token=yes masks=0x40021,0x6,0x42,0x1 errno=EPERM name=mon_ringbuf
prog_load socket_filter/cgroup_inet_ingress token=no errno=EPERM name=- probe
prog_load kprobe/cgroup_inet_ingress token=no errno=EPERM name=- probe" \
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

# ---- bpftoken-analyze monitor: the same refusal, live, with the missing bit and the line ----
A=$BPFTOKEN_ANALYZE
"$A" monitor --json=short --duration=4s >"$MARK/monitor.json" 2>"$MARK/monitor.err" &
mon=$!
sleep 1.5
"$E" "${DELEG[@]}" -- "$MONITOR_CLIENT" calls >/dev/null 2>&1
wait $mon
is "monitor ends by itself after --duration= with status 0" 0 $?
line=$(grep '"comm":"monitor-client"' "$MARK/monitor.json" | grep '"type":"ringbuf"')
contains "monitor: the refused ringbuf map create" '"command":"map_create","type":"ringbuf","name":"mon_ringbuf","token":true,"result":-1,"errno":"EPERM"' "$line"
contains "monitor: the missing bit, from the token's masks" '"missing":"maps ringbuf","missing_kind":"maps","masks_from":"token"' "$line"
contains "monitor: the line that fixes it" '"fix":"BPFDelegateMaps=BPFMapTypeHash,BPFMapTypeArray,BPFMapTypeRingbuf"' "$line"
is "monitor: one JSON object per call of the client (8)" 8 "$(grep -c '"comm":"monitor-client"' "$MARK/monitor.json")"
is "monitor: libbpf's probes are marked" 2 "$(grep '"comm":"monitor-client"' "$MARK/monitor.json" | grep -c '"libbpf_probe":true')"

"$A" monitor --no-legend --duration=3s >"$MARK/monitor.txt" 2>&1 &
mon=$!
sleep 1.5
"$E" "${DELEG[@]}" -- "$MONITOR_CLIENT" calls >/dev/null 2>&1
wait $mon
contains "monitor table: the refusal row" "monitor-client  map_create   ringbuf" "$(cat "$MARK/monitor.txt")"
contains "monitor table: the fix under it" "missing maps ringbuf (delegation from the token); fix: BPFDelegateMaps=BPFMapTypeHash,BPFMapTypeArray,BPFMapTypeRingbuf" "$(cat "$MARK/monitor.txt")"
"$A" monitor --until=+1s >/dev/null 2>&1
is "monitor --until= ends too" 0 $?
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$A" monitor --duration=1s 2>&1)
is "monitor refuses without root" "1:bpftoken-analyze: The 'monitor' verb needs root privileges: it loads BPF programs and reads other processes' tokens." "$(setpriv --reuid=65534 --regid=65534 --clear-groups "$A" monitor --duration=1s >/dev/null 2>&1; echo $?):$out"

# ---- bpftoken-analyze learn -- CMD ----
learn() { "$A" learn "$@" 2>"$MARK/learn.err"; }
# bpftool 7.5 is linked statically against libbpf 1.5 (ldd shows no libbpf.so): it really creates the
# token from LIBBPF_BPF_TOKEN_PATH and passes it, and it makes libbpf's probes (kprobe, name test, BTF
# features) — under the wide delegation they succeed and must still not be learned.
out=$(learn -- "$BPFTOOL" prog load "$SOCKET_FILTER_OBJ" /sys/fs/bpf/learned)
rc=$?
is "learn -- bpftool prog load: exactly the minimal lines" \
"BPFDelegateCommands=BPFMapCreate,BPFProgLoad,BPFBtfLoad
BPFDelegateMaps=BPFMapTypeArray
BPFDelegatePrograms=BPFProgTypeSocketFilter
BPFDelegateAttachments=BPFCgroupInetIngress" "$out"
is "learn -- bpftool: verified, exit 0" 0 $rc
contains "learn -- bpftool: the verification run behaved the same" "Verified: with these lines" "$(cat "$MARK/learn.err")"
contains "learn -- bpftool: says the command ran with a wide delegation" "ran with a WIDE delegation" "$(cat "$MARK/learn.err")"
ok "learn -- bpftool: libbpf's probes were seen and ignored" grep -q "[1-9][0-9]* libbpf probes ignored" "$MARK/learn.err"

# A second object, loaded with loadall: other types, and the attach type libbpf sets for SEC("xdp").
# libbpf's trivial socket filter (bpf_object__probe_loading) is the one probe it cannot do without
# ("Couldn't load trivial BPF program"): socket_filter and attach type 0 are needs of every libbpf
# program; the array map of its global-data probe is not.
out=$(learn -- "$BPFTOOL" prog loadall "$XDP_HASH_OBJ" /sys/fs/bpf/learned-xdp)
rc=$?
is "learn -- bpftool prog loadall (xdp, hash): exactly the minimal lines" \
"BPFDelegateCommands=BPFMapCreate,BPFProgLoad,BPFBtfLoad
BPFDelegateMaps=BPFMapTypeHash
BPFDelegatePrograms=BPFProgTypeSocketFilter,BPFProgTypeXdp
BPFDelegateAttachments=BPFCgroupInetIngress,BPFXdp" "$out"
is "learn -- bpftool prog loadall: verified" 0 $rc

# A plain bpf_object__open_file() + bpf_object__load() program built against libbpf 1.4.6 (not
# bpftool): the same lines for the same objects. Built when meson has -Dlibbpf-token-root= (run-all.sh).
if [ -n "${LEARN_LOADER:-}" ]; then
        out=$(learn -- "$LEARN_LOADER" "$XDP_HASH_OBJ")
        rc=$?
        is "learn -- a libbpf 1.4 loader (xdp, hash): exactly the minimal lines" \
"BPFDelegateCommands=BPFMapCreate,BPFProgLoad,BPFBtfLoad
BPFDelegateMaps=BPFMapTypeHash
BPFDelegatePrograms=BPFProgTypeSocketFilter,BPFProgTypeXdp
BPFDelegateAttachments=BPFCgroupInetIngress,BPFXdp" "$out"
        is "learn -- the libbpf 1.4 loader: verified" 0 $rc
        out=$(learn -- "$LEARN_LOADER" "$SOCKET_FILTER_OBJ")
        rc=$?
        is "learn -- a libbpf 1.4 loader (socket filter, array): exactly the minimal lines" \
"BPFDelegateCommands=BPFMapCreate,BPFProgLoad,BPFBtfLoad
BPFDelegateMaps=BPFMapTypeArray
BPFDelegatePrograms=BPFProgTypeSocketFilter
BPFDelegateAttachments=BPFCgroupInetIngress" "$out"
        is "learn -- the libbpf 1.4 loader: verified" 0 $rc
fi

# Positive control for the verification: a command that needs more than it shows (the second run
# is refused) must not verify. The client loads ringbuf only when it runs the second time.
out=$(learn -- sh -c "if [ -e $MARK/second ]; then exec $MONITOR_CLIENT calls; else touch $MARK/second; exec $MONITOR_CLIENT later 0; fi")
rc=$?
is "learn: a command that changes between runs is not verified (exit 1)" 1 $rc
contains "learn: ... and says so" "Not verified" "$(cat "$MARK/learn.err")"

# A need that comes only after a delay is caught while the command runs.
out=$(learn -- "$MONITOR_CLIENT" later 2)
rc=$?
is "learn -- a program needing lru_hash after 2 s: exactly the minimal lines" \
"BPFDelegateCommands=BPFMapCreate,BPFProgLoad
BPFDelegateMaps=BPFMapTypeHash,BPFMapTypeArray,BPFMapTypeLruHash
BPFDelegatePrograms=BPFProgTypeSocketFilter,BPFProgTypeXdp
BPFDelegateAttachments=BPFCgroupInetIngress" "$out"
is "learn -- the delayed program: verified" 0 $rc

out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$A" learn -- true 2>&1)
contains "learn refuses without root" "The 'learn' verb needs root privileges" "$out"
# ---- the token scan through the iter/task_file iterator: the same result as /proc ----
h1=$("$MKTOKEN" --cmds=0x21 --timeout=60) h2=$("$MKTOKEN" --cmds=0x40021 --maps=0x6 --timeout=60)
out=$("$SCAN_TOKENS_BOTH")
kill "$h1" "$h2" 2>/dev/null
contains "iterator scan: used" "iterator used" "$out"
is "iterator scan: the same tokens as the /proc scan" "$(sed -n 's/^proc //p' <<<"$out")" "$(sed -n 's/^iter //p' <<<"$out")"
contains "iterator scan: finds the first holder" " $h1:" "$(grep '^iter' <<<"$out")"
contains "iterator scan: finds the second holder with its masks" " $h2:" "$(grep '^iter' <<<"$out")"

ok "no cgroup of ours is left behind" sh -c '! ls -d /sys/fs/cgroup/bpftoken-learn-* /sys/fs/cgroup/unified/bpftoken-learn-* /sys/fs/cgroup/bpftoken-test-* /sys/fs/cgroup/unified/bpftoken-test-* 2>/dev/null | grep -q .'

done_testing
