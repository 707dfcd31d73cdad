#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fault injection for bpftoken-publish (issue 7): the publisher and each of its helpers are killed, or
# stalled past their deadline, at every step of a request (through the BPFTOKEN_TEST_FAULT hook, see
# src/privileged/instance.h), and the client is killed mid-request. Afterwards no mount, process or
# namespace may be left, and a retry from the same namespaces must succeed with exactly one instance:
# never a grant that is not in place, never a second instance stacked on the first.
#
# Runs in a private mount namespace of its own, standing in for the host, with a root-owned bpffs at
# /sys/fs/bpf (so every caller starts with one bpffs there: "2" below is that one plus the instance).
set -u
if [ -z "${BPFTOKEN_FAULTS_IN_NS:-}" ]; then
        [ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }
        exec unshare --mount --propagation private env BPFTOKEN_FAULTS_IN_NS=1 "$0" "$@"
fi
. "$(dirname "$0")/tap.sh"
require_root_and_token_kernel
command -v systemd-socket-activate >/dev/null || skip_all "systemd-socket-activate (package systemd) is missing"

E=$BPFTOKEN_EXEC
P=$TOKEN_PROBE
S=$SANDBOX_RUN
CGROOT=/sys/fs/cgroup/unified
[ -f /sys/fs/cgroup/cgroup.controllers ] && CGROOT=/sys/fs/cgroup
SLICE=$CGROOT/bpftoken-faults-$$.slice
mkdir -p "$SLICE/bpftoken-fault-a.service" "$SLICE/bpftoken-fault-z.service"
mount -t bpf -o mode=0700 bpf /sys/fs/bpf
TMP=$(mktemp -d /tmp/bpftoken-faults.XXXXXX)
chmod 755 "$TMP"
POL=$TMP/policy
mkdir -m 755 "$POL"
PUBLISHERS=()

cleanup() {
        for p in "${PUBLISHERS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
        for u in "$SLICE"/*.service; do
                for p in $(cat "$u/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
        done
        sleep 0.2
        rmdir "$SLICE"/*.service "$SLICE" 2>/dev/null
        rm -rf "$TMP"
}
trap cleanup EXIT

cat >"$POL/10-a.conf" <<EOT
[Match]
Unit=bpftoken-fault-a.service
[Delegation]
Preset=libbpf
EOT
cat >"$POL/20-z.conf" <<EOT
[Match]
Unit=bpftoken-fault-z.service
[Delegation]
Commands=0x0
EOT

start_publisher() {     # start_publisher NAME [VAR=VALUE...]
        local name=$1 v setenv=(); shift
        for v in "$@"; do setenv+=("--setenv=$v"); done
        ( umask 000; exec systemd-socket-activate "${setenv[@]}" --seqpacket --accept -l "$TMP/$name.sock" \
                "$BPFTOKEN_PUBLISH" --policy-dir="$POL" --host-pid=$$ ) 2>>"$TMP/publisher.log" &
        PUBLISHERS+=($!)
        LAST_PUBLISHER=$!
        for _ in $(seq 50); do [ -S "$TMP/$name.sock" ] && break; sleep 0.1; done
}
stop_publisher() { kill "$LAST_PUBLISHER" 2>/dev/null; wait "$LAST_PUBLISHER" 2>/dev/null; }
unit() { local name=$1; shift; "$S" --cgroup="$SLICE/bpftoken-fault-$name.service" "$@"; }
probe() { grep -E '^(token|map_create|prog_load|btf_load|map_no_token) ' | tr '\n' '|' | sed 's/|$//'; }
TOKEN_OK="token ok|map_create ok|prog_load ok|btf_load ok|map_no_token EPERM"
# The bpffs mounts at /sys/fs/bpf in the calling process's namespace, then the probe.
COUNT_AND_PROBE='echo "mntns=$(readlink /proc/self/ns/mnt)"; echo "bpf-at-target=$(awk '"'"'$5 == "/sys/fs/bpf" && / - bpf / { n++ } END { print n + 0 }'"'"' /proc/self/mountinfo)"; exec "$0"'
CALLER_NAMESPACES=
remember_namespace() { CALLER_NAMESPACES="$CALLER_NAMESPACES $(printf '%s\n' "$1" | sed -n 's/^mntns=//p')"; }
# Which of the callers' mount namespaces are still referenced by a process or an open fd.
namespaces_left() {
        local ns
        for ns in $CALLER_NAMESPACES; do
                # -lname takes a glob: "mnt:[N]" must not be read as a bracket expression.
                find /proc/[0-9]*/ns/mnt /proc/[0-9]*/fd -maxdepth 1 -lname "$(printf '%s' "$ns" | sed 's/[][]/\\&/g')" \
                        2>/dev/null | head -1
        done
}
helpers_of() { pgrep -P "$1" | while read -r c; do echo "$c"; pgrep -P "$c"; done; }

start_publisher healthy
HEALTHY=$LAST_PUBLISHER
mounts_before=$(grep -c ' - bpf ' /proc/self/mountinfo)

# Controls: a repeated request from the same namespaces stacks nothing, with delegation or without.
out=$(unit a -- "$E" --socket="$TMP/healthy.sock" -- "$E" --socket="$TMP/healthy.sock" -- sh -c "$COUNT_AND_PROBE" "$P" 2>&1)
is "control: a repeated request gets the token" "$TOKEN_OK" "$(printf '%s\n' "$out" | probe)"
contains "... and one instance, not two" "bpf-at-target=2" "$out"
out=$(unit z -- "$E" -q --socket="$TMP/healthy.sock" -- "$E" -q --socket="$TMP/healthy.sock" -- \
        sh -c 'awk '"'"'$5 == "/sys/fs/bpf" && / - bpf / { n++ } END { print "bpf-at-target=" n + 0 }'"'"' /proc/self/mountinfo' 2>&1)
contains "an all-zero delegation asked twice: one private instance, not two" "bpf-at-target=2" "$out"

# The policy changed between two requests from the same namespaces: the instance there has the old
# masks; it is neither reported as this policy's grant nor stacked on.
cp "$POL/10-a.conf" "$TMP/10-a.conf.orig"
unit a -- "$E" -q --socket="$TMP/healthy.sock" -- sh -c '
        touch "$1/asked"; while [ ! -e "$1/changed" ]; do sleep 0.05; done
        "$2" -q --socket="$1/healthy.sock" -- true; echo "second-exit=$?"
        awk '"'"'$5 == "/sys/fs/bpf" && / - bpf / { n++ } END { print "bpf-at-target=" n + 0 }'"'"' /proc/self/mountinfo' \
        sh "$TMP" "$E" >"$TMP/changed.out" 2>&1 &
changer=$!
for _ in $(seq 100); do [ -e "$TMP/asked" ] && break; sleep 0.05; done
printf '[Match]\nUnit=bpftoken-fault-a.service\n[Delegation]\nCommands=map_create\n' >"$POL/10-a.conf"
touch "$TMP/changed"
wait "$changer"
out=$(cat "$TMP/changed.out")
cp "$TMP/10-a.conf.orig" "$POL/10-a.conf"
contains "policy changed between two requests: the second is refused" "second-exit=1" "$out"
contains "... saying why" "with other delegate_* masks than the policy's is already attached" "$out"
contains "... and nothing was stacked" "bpf-at-target=2" "$out"

# The path of kernels that cannot mount onto a detached tree (Linux < 6.15): the token bind is made
# right after the attach, and the result is the same.
start_publisher bind-late "BPFTOKEN_TEST_FAULT=bind-detached:fail"
out=$(unit a -- "$E" --socket="$TMP/bind-late.sock" -- sh -c "grep -c ' /sys/fs/bpf/token ro,' /proc/self/mountinfo; $COUNT_AND_PROBE" "$P" 2>&1)
is "token bound after the attach: the token works" "$TOKEN_OK" "$(printf '%s\n' "$out" | probe)"
contains "... one instance, with its read-only token bind" "bpf-at-target=2" "$out"
is "... exactly one read-only bind at /sys/fs/bpf/token" "1" "$(printf '%s\n' "$out" | head -1)"
stop_publisher

# Each helper step, killed: the faulty request fails, the retry succeeds with exactly one instance.
for point in userns-joined fsopen-done tree-built mntns-joined target-checked attached verified parent-attached; do
        start_publisher "kill-$point" "BPFTOKEN_TEST_FAULT=$point:kill"
        out=$(unit a -- sh -c '"$1" -q --socket="$2" -- true; echo "faulty-exit=$?"; exec "$1" -q --socket="$3" -- sh -c "$4" "$5"' \
                sh "$E" "$TMP/kill-$point.sock" "$TMP/healthy.sock" "$COUNT_AND_PROBE" "$P" 2>&1)
        remember_namespace "$out"
        contains "killed at $point: the faulty request fails" "faulty-exit=1" "$out"
        is "killed at $point: the retry gets the token" "$TOKEN_OK" "$(printf '%s\n' "$out" | probe)"
        contains "killed at $point: exactly one instance is in place" "bpf-at-target=2" "$out"
        sleep 0.2
        is "killed at $point: no helper left" "" "$(helpers_of "$LAST_PUBLISHER")"
        stop_publisher
done

# The owner check runs only when an instance is already there: healthy, faulty, healthy again.
start_publisher kill-owner "BPFTOKEN_TEST_FAULT=owner-checked:kill"
out=$(unit a -- "$E" -q --socket="$TMP/healthy.sock" -- sh -c '"$1" -q --socket="$2" -- true; echo "faulty-exit=$?"; exec "$1" -q --socket="$3" -- sh -c "$4" "$5"' \
        sh "$E" "$TMP/kill-owner.sock" "$TMP/healthy.sock" "$COUNT_AND_PROBE" "$P" 2>&1)
contains "owner check killed: the faulty request fails" "faulty-exit=1" "$out"
is "owner check killed: the retry gets the token" "$TOKEN_OK" "$(printf '%s\n' "$out" | probe)"
contains "owner check killed: still exactly one instance" "bpf-at-target=2" "$out"
stop_publisher

# A helper that stalls is killed at its deadline; the request fails closed, the retry succeeds.
for point in mntns-joined attached; do
        start_publisher "stall-$point" "BPFTOKEN_TEST_FAULT=$point:stall"
        out=$(unit a -- sh -c '"$1" -q --socket="$2" -- true; echo "faulty-exit=$?"; exec "$1" -q --socket="$3" -- sh -c "$4" "$5"' \
                sh "$E" "$TMP/stall-$point.sock" "$TMP/healthy.sock" "$COUNT_AND_PROBE" "$P" 2>&1)
        remember_namespace "$out"
        contains "stalled at $point: the request fails" "faulty-exit=1" "$out"
        contains "stalled at $point: ... because of the deadline" "did not finish in time" "$out"
        is "stalled at $point: the retry gets the token" "$TOKEN_OK" "$(printf '%s\n' "$out" | probe)"
        contains "stalled at $point: exactly one instance" "bpf-at-target=2" "$out"
        stop_publisher
done

# The client, and then the publisher, killed while a helper is at each step (a 2 s window there): no
# helper is left, nothing leaks into the host, and the next request from a fresh unit succeeds.
for point in userns-joined mntns-joined target-checked attached; do
        for victim in client publisher; do
                start_publisher "sleep-$point-$victim" "BPFTOKEN_TEST_FAULT=$point:sleep"
                unit a -- "$E" -q --socket="$TMP/sleep-$point-$victim.sock" -- sleep 10 >/dev/null 2>&1 &
                client=$!
                sleep 1
                if [ "$victim" = client ]; then
                        for p in $(cat "$SLICE/bpftoken-fault-a.service/cgroup.procs"); do kill -9 "$p" 2>/dev/null; done
                else
                        for p in $(pgrep -P "$LAST_PUBLISHER"); do kill -9 "$p"; done
                fi
                wait "$client" 2>/dev/null
                sleep 2
                is "$victim killed at $point: no publisher or helper left" "" "$(helpers_of "$LAST_PUBLISHER")"
                is "$victim killed at $point: nothing leaked into the host" "$mounts_before" "$(grep -c ' - bpf ' /proc/self/mountinfo)"
                out=$(unit a -- "$E" -q --socket="$TMP/healthy.sock" -- sh -c "$COUNT_AND_PROBE" "$P" 2>&1)
                remember_namespace "$out"
                contains "$victim killed at $point: the next request gets one instance" "bpf-at-target=2" "$out"
                stop_publisher
        done
done

# The helper that joined the caller's user namespace is not dumpable and holds only its own fds: a
# process with every capability in that namespace cannot ptrace it (it could swap the fs context).
start_publisher stall-userns "BPFTOKEN_TEST_FAULT=userns-joined:stall"
unit a -- sh -c 'sleep 30 & "$1" -q --socket="$2" -- true' sh "$E" "$TMP/stall-userns.sock" >/dev/null 2>&1 &
CLIENT=$!
helper=
for _ in $(seq 50); do
        for c in $(helpers_of "$LAST_PUBLISHER"); do
                [ "$(readlink /proc/"$c"/ns/user)" != "$(readlink /proc/self/ns/user)" ] && helper=$c
        done
        [ -n "$helper" ] && break
        sleep 0.1
done
ok "the user namespace helper is running" test -n "$helper"
fds=$(ls /proc/"$helper"/fd 2>/dev/null | wc -l)
is "... it holds stdio, its socket and the user namespace fd only" "5" "$fds"
sleeper=$(pgrep -x -P "$(pgrep -P "$CLIENT" | head -1)" sleep | head -1)
[ -z "$sleeper" ] && sleeper=$(for p in $(cat "$SLICE/bpftoken-fault-a.service/cgroup.procs"); do [ "$(cat /proc/"$p"/comm)" = sleep ] && echo "$p"; done | head -1)
# The helper first: it lives only until its deadline (HELPER_TIMEOUT_MS); the control takes 2 s.
out=$(timeout 2 nsenter --target "$sleeper" --user strace -qq -e trace=none -p "$helper" 2>&1; echo "rc=$?")
helper_out=$out
out=$(timeout 2 nsenter --target "$sleeper" --user strace -qq -e trace=none -p "$sleeper" 2>&1; echo "rc=$?")
contains "... control: inside that namespace a dumpable process can be traced" "rc=124" "$out"
contains "... the helper cannot" "Operation not permitted" "$helper_out"
kill "$CLIENT" 2>/dev/null; wait "$CLIENT" 2>/dev/null
for p in $(cat "$SLICE/bpftoken-fault-a.service/cgroup.procs"); do kill "$p" 2>/dev/null; done

# The client killed mid-request (its helper stalled): the publisher still ends by its deadline.
sleep $(( (5000 + 999) / 1000 + 1 ))
is "client killed mid-request: the publisher and its helpers are gone by the deadline" "" "$(helpers_of "$LAST_PUBLISHER")"
stop_publisher

sleep 0.3
is "no helper of the healthy publisher left" "" "$(helpers_of "$HEALTHY")"
is "no bpffs mount left in the host's namespace" "$mounts_before" "$(grep -c ' - bpf ' /proc/self/mountinfo)"
ok "the callers' mount namespaces were remembered" test -n "$CALLER_NAMESPACES"
ok "control: a mount namespace a process holds is found" test -n "$(CALLER_NAMESPACES=$(readlink /proc/self/ns/mnt) namespaces_left)"
for _ in $(seq 30); do [ -z "$(namespaces_left)" ] && break; sleep 0.1; done   # exits still under way
is "no mount namespace of a caller is left (no process or fd holds one)" "" "$(namespaces_left)"
contains "failures are logged" "failed for bpftoken-fault-a.service" "$(cat "$TMP/publisher.log")"

is "no sanitizer report from the publisher or its helpers" "" \
        "$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TMP/publisher.log" | head -3)"

done_testing
