#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The long-lived publisher (bpftoken-publish.socket with Accept=no): started by
# "systemd-socket-activate --seqpacket" without --accept, fd 3 is the listening socket. One process
# and its workers answer every request; idle and flooding connections of one uid do not keep
# another caller from its instance; 100 concurrent callers all get theirs; the BPF names are loaded
# once and again when the BTF file changes; idle exit and SIGTERM leave nothing behind.
# Checks behaviour only; the deadlines below are generous bounds, not timings (see bench/).
set -u
. "$(dirname "$0")/tap.sh"
require_root_and_token_kernel

HERE=$(cd "$(dirname "$0")" && pwd)
E=$BPFTOKEN_EXEC
P=$TOKEN_PROBE
S=$SANDBOX_RUN
# The system interpreter: a per-user one (pyenv) may not be readable by the other uids.
LOAD="/usr/bin/python3 $HERE/publish-load.py"
CGROOT=/sys/fs/cgroup/unified
[ -f /sys/fs/cgroup/cgroup.controllers ] && CGROOT=/sys/fs/cgroup
command -v systemd-socket-activate >/dev/null || skip_all "systemd-socket-activate (package systemd) is missing"
[ -e /sys/kernel/btf/vmlinux ] || skip_all "the kernel has no BTF (needed for the names cache check)"

TMP=$(mktemp -d /tmp/bpftoken-pool-test.XXXXXX)
chmod 755 "$TMP"
SOCK=$TMP/publish.sock
POL=$TMP/policy
mkdir -m 755 "$POL"
SLICE=$CGROOT/bpftoken-pool-test.slice
UNIT=$SLICE/bpftoken-pool-a.service
mkdir -p "$UNIT"
cp /sys/kernel/btf/vmlinux "$TMP/vmlinux"

cleanup() {
        [ -n "${HOLD_PID:-}" ] && kill "$HOLD_PID" 2>/dev/null
        [ -n "${ACT_PID:-}" ] && kill "$ACT_PID" 2>/dev/null && wait "$ACT_PID" 2>/dev/null
        [ -n "${IDLE_PID:-}" ] && kill "$IDLE_PID" 2>/dev/null
        for p in $(cat "$UNIT/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
        sleep 0.1
        rmdir "$UNIT" "$SLICE" 2>/dev/null
        rm -rf "$TMP"
}
trap cleanup EXIT

cat >"$POL/10-a.conf" <<EOT
[Match]
Unit=bpftoken-pool-a.service
[Delegation]
Commands=BPFMapCreate,BPFProgLoad,BPFBtfLoad
Maps=BPFMapTypeArray
Programs=BPFProgTypeSocketFilter
Attachments=any
EOT
cat >"$POL/30-uid.conf" <<EOT
[Match]
User=4242
[Delegation]
Preset=libbpf
EOT

probe() { grep -v '^fdinfo' | tr '\n' '|' | sed 's/|$//'; }
GOOD="token ok|map_create ok|prog_load ok|btf_load ok|map_no_token EPERM"
unit_a() { "$S" --cgroup="$UNIT" --uid=65534 --gid=65534 -- "$E" --socket="$1" -- "$P"; }
as_uid() { local u=$1; shift; setpriv --reuid="$u" --regid="$u" --clear-groups "$@"; }
worker_count() { pgrep -P "$ACT_PID" -c -x bpftoken-publis || true; }
# The manager's fds other than its workers' channels (one each): connections would show here.
conn_fds() { echo $(( $(ls "/proc/$ACT_PID/fd" | wc -l) - $(worker_count) )); }

mounts_before=$(host_bpf_mounts)
( umask 000; exec systemd-socket-activate --seqpacket -l "$SOCK" "$BPFTOKEN_PUBLISH" --policy-dir="$POL" \
        --host-pid=$$ --idle-exit-sec=0 --btf="$TMP/vmlinux" ) 2>"$TMP/publisher.log" &
ACT_PID=$!
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
chmod 666 "$SOCK"

# --- one process for every request ----------------------------------------------------------------
out=$(unit_a "$SOCK" 2>&1)
is "unit caller as nobody gets its instance from the long-lived publisher" "$GOOD" "$(printf '%s\n' "$out" | probe)"
contains "... with exactly its policy's masks" "allowed_maps:	0x4" "$out"
ok "fd 3 was a listening socket: the publisher runs as one process (Accept=no)" \
        test "$(readlink "/proc/$ACT_PID/exe")" = "$(readlink -f "$BPFTOKEN_PUBLISH")"
out=$(as_uid 4242 "$E" --socket="$SOCK" -- "$P" 2>&1)
is "uid policy caller gets a token" "$GOOD" "$(printf '%s\n' "$out" | grep -v '^bpftoken-exec' | probe)"
out=$(as_uid 4243 "$E" --socket="$SOCK" -- true 2>&1)
contains "a caller without policy is refused" "No BPF delegation is configured for this caller" "$out"
for mode in garbage short badmagic fds; do
        out=$("$S" --cgroup="$UNIT" -- python3 "$HERE/raw-client.py" "$SOCK" "$mode" 2>&1)
        contains "malformed request ($mode) is refused by a worker" "Malformed request" "$out"
done
is "the same process answered them all (exec'd once)" "1" "$(grep -c '^Execing' "$TMP/publisher.log")"
fds_idle=$(conn_fds)

# --- idle connections: read deadline ----------------------------------------------------------------
t0=$SECONDS
out=$(as_uid 4243 $LOAD "$SOCK" idle 2>&1)
contains "a connection that sends no request is closed at the read deadline" "eof after" "$out"
ok "... within a generous 15 s" test $((SECONDS - t0)) -le 15

# --- one uid holding the maximum of idle connections and flooding garbage ---------------------------
as_uid 4243 $LOAD "$SOCK" hold 16 12 >"$TMP/hold.out" 2>&1 </dev/null &
HOLD_PID=$!
for _ in $(seq 100); do grep -q '^held' "$TMP/hold.out" && break; sleep 0.1; done
contains "positive control: uid 4243's 17th idle connection is refused" \
        "error=16 message=Too many connections of uid 4243" "$(cat "$TMP/hold.out")"
as_uid 4243 $LOAD "$SOCK" flood 4 >"$TMP/flood.out" 2>&1 &
FLOOD_PID=$!
as_uid 4244 $LOAD "$SOCK" flood 4 >"$TMP/flood2.out" 2>&1 &
FLOOD2_PID=$!
sleep 0.5
out=$(timeout 30 "$S" --cgroup="$UNIT" --uid=65534 --gid=65534 -- "$E" --socket="$SOCK" -- "$P" 2>&1)
is "while uid 4243 holds its maximum of idle connections and floods, and 4244 floods: the unit gets its instance" \
        "$GOOD" "$(printf '%s\n' "$out" | probe)"
out=$(timeout 30 setpriv --reuid=4242 --regid=4242 --clear-groups "$E" --socket="$SOCK" -- "$P" 2>&1)
is "... and so does uid 4242" "$GOOD" "$(printf '%s\n' "$out" | grep -v '^bpftoken-exec' | probe)"
wait "$FLOOD_PID" "$FLOOD2_PID"
read -r _ m1 _ b1 <"$TMP/flood.out"
read -r _ m2 _ b2 <"$TMP/flood2.out"
ok "positive control: uid 4243's flood was answered (malformed $m1, over its limit $b1)" test $((m1 + b1)) -ge 20
ok "positive control: uid 4244's garbage reached the workers (malformed $m2)" test "$m2" -ge 20
wait "$HOLD_PID"; HOLD_PID=
contains "positive control: the held connections were closed at the deadline and reopened" "reopened" \
        "$(cat "$TMP/hold.out")"
ok "... more than once (every 3 s, for 12 s)" test "$(sed -n 's/^reopened //p' "$TMP/hold.out")" -ge 16

# --- a burst: 100 concurrent callers ------------------------------------------------------------------
burst=()
for i in $(seq 100); do
        ( as_uid 4242 "$E" -q --socket="$SOCK" -- "$P" >"$TMP/burst.$i" 2>&1 ) &
        burst+=($!)
done
wait "${burst[@]}"
n=0
for i in $(seq 100); do
        [ "$(grep -v '^bpftoken-exec' "$TMP/burst.$i" | probe)" = "$GOOD" ] && n=$((n + 1))
done
is "100 concurrent callers of one uid: every one gets a working token" "100" "$n"
is "... each with its policy's masks" "100" "$(cat "$TMP"/burst.* | grep -c 'allowed_cmds:	0x40021')"
ok "at most 4 workers were forked" test "$(worker_count)" -le 4
sleep 0.5
is "no connection left open in the publisher after the burst" "$fds_idle" "$(conn_fds)"

# --- a request that stalls a helper: bounded, and nobody else waits for it --------------------------
# A uid-policy caller owns its mount namespace: /proc/self/mountinfo a FIFO there can stall a helper
# that reads it. Whether it still does (the helpers may learn mounts by fd instead), the request
# must end within the per-request deadline and others must be served meanwhile.
t0=$SECONDS
as_uid 4242 unshare -Urm --propagation slave sh -c 'mount -t tmpfs none /proc && mkdir /proc/self &&
        mkfifo /proc/self/mountinfo && exec /usr/bin/python3 "$1" "$2" valid' sh "$HERE/raw-client.py" "$SOCK" \
        >"$TMP/stall.out" 2>&1 &
STALL_PID=$!
sleep 0.5
out=$(timeout 30 "$S" --cgroup="$UNIT" --uid=65534 --gid=65534 -- "$E" --socket="$SOCK" -- "$P" 2>&1)
is "while another caller's request may be stalled in a helper, the unit gets its instance" \
        "$GOOD" "$(printf '%s\n' "$out" | probe)"
wait "$STALL_PID"
ok "the possibly stalled request ended within a generous 15 s ($(cat "$TMP/stall.out"))" test $((SECONDS - t0)) -le 15
if grep -q 'ended while answering a request of uid 4242 (signal 14)' "$TMP/publisher.log"; then
        echo "# the helper stalled; the worker was ended at the 5 s deadline"
fi
out=$(as_uid 4242 "$E" --socket="$SOCK" -- "$P" 2>&1)
is "the next request of that uid succeeds" "$GOOD" "$(printf '%s\n' "$out" | grep -v '^bpftoken-exec' | probe)"

# --- the BPF names: loaded once, again when the BTF file changes ----------------------------------
is "positive control: nothing reloaded while the BTF file stayed the same" "0" \
        "$(grep -c 'BTF changed' "$TMP/publisher.log")"
cp /sys/kernel/btf/vmlinux "$TMP/vmlinux.new" && mv "$TMP/vmlinux.new" "$TMP/vmlinux"
out=$(unit_a "$SOCK" 2>&1)
is "after the BTF file was replaced, the unit still gets its instance" "$GOOD" "$(printf '%s\n' "$out" | probe)"
is "... and the names were loaded again, once" "1" "$(grep -c 'BTF changed' "$TMP/publisher.log")"

# --- stopping ---------------------------------------------------------------------------------------
kill -TERM "$ACT_PID"
rc=0; wait "$ACT_PID" || rc=$?
is "SIGTERM: the publisher exits cleanly" "0" "$rc"
ACT_PID=
is "... and no worker is left" "" "$(pgrep -f -x "$BPFTOKEN_PUBLISH --policy-dir=$POL --host-pid=$$ --idle-exit-sec=0 --btf=$TMP/vmlinux" || true)"

( umask 000; exec systemd-socket-activate --seqpacket -l "$TMP/idle.sock" "$BPFTOKEN_PUBLISH" --policy-dir="$POL" \
        --host-pid=$$ --idle-exit-sec=1 ) 2>"$TMP/idle.log" &
IDLE_PID=$!
for _ in $(seq 50); do [ -S "$TMP/idle.sock" ] && break; sleep 0.1; done
chmod 666 "$TMP/idle.sock"
out=$(unit_a "$TMP/idle.sock" 2>&1)
is "--idle-exit-sec=1: the request is answered" "$GOOD" "$(printf '%s\n' "$out" | probe)"
for _ in $(seq 100); do kill -0 "$IDLE_PID" 2>/dev/null || break; sleep 0.1; done
ok "... then the publisher exits by itself when idle (within a generous 10 s)" sh -c "! kill -0 $IDLE_PID 2>/dev/null"
rc=0; wait "$IDLE_PID" || rc=$?
is "... with status 0" "0" "$rc"
IDLE_PID=

is "no bpffs mount leaked into the host namespace" "$mounts_before" "$(host_bpf_mounts)"
done_testing
