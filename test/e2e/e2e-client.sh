#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# e2e-client: what the scenario units run (installed in the container as
# /usr/local/lib/bpftoken-e2e/e2e-client).  It drives the *unmodified*
# clients -- bpftool from the distribution and e2e-loader built against the
# distribution's libbpf -- and checks what a unit with a BPF delegation must
# and must not be able to do.  Every check prints one line
#
#     E2E-CHECK <name>: ok <detail>        or     E2E-CHECK <name>: FAIL <detail>
#
# to stdout (the journal), and the run ends with "E2E-DONE failures=N"; the
# exit status is 0 only without failures.  run-matrix.sh reads these lines
# from the unit's journal.
#
# Usage: e2e-client [--stay] [--tag TAG] MODE [ARGS]
#   token [--ok OBJ]... [--deny OBJ]...
#       The unit has a delegation.  Checks: /sys/fs/bpf is a private bpffs,
#       the container's own pins are hidden, a raw map create without a token
#       fails with EPERM; then every --ok object (default: array) loads with
#       bpftool prog load + pin (under strace, which must show BPF_TOKEN_CREATE
#       and a prog load with BPF_F_TOKEN_FD) and with e2e-loader (which must
#       hold a token), and every --deny object fails to load with EPERM.
#       OBJ is array or hash (e2e-array.bpf.o / e2e-hash.bpf.o).
#   untouched
#       The unit has no BPF directives: it must see the container's own
#       /sys/fs/bpf (and the pin in it), no LIBBPF_BPF_TOKEN_PATH, and load
#       through plain root capabilities, no token.
#   attacker VICTIM_PID_FILE
#       The unit runs as the same user as the victim but has no delegation;
#       every way to the victim's token must fail.
#   --stay   keep running after the checks (sleep), for scenarios that need
#            the unit alive (restart, concurrent units, the attacker's victim).
#   --tag    a label printed in every line (ExecStartPre= vs ExecStart=).

set -uo pipefail

LIB=/usr/local/lib/bpftoken-e2e
HOST_PIN=e2e-host-pin   # pinned in the container's own /sys/fs/bpf by the harness
failures=0
stay=0
tag=

while [[ $# -gt 0 ]]; do
        case $1 in
        --stay) stay=1; shift ;;
        --tag) tag="[$2] "; shift 2 ;;
        *) break ;;
        esac
done
mode=${1:?usage: e2e-client [--stay] [--tag TAG] token|untouched|attacker ...}
shift

ok() { echo "E2E-CHECK $tag$1: ok ${*:2}"; }
fail() { echo "E2E-CHECK $tag$1: FAIL ${*:2}"; failures=$((failures + 1)); }
# Print a command's output indented, so it is readable in the journal.
show() { sed 's/^/    /'; }

obj_path() { echo "$LIB/e2e-$1.bpf.o"; }

# Is ptrace allowed here?  A SystemCallFilter= without @debug kills strace
# with SIGSYS; then the token is shown by the loader's token fd alone.
strace_works() { strace -qq -e trace=none /bin/true >/dev/null 2>&1; }

check_private_bpffs() {
        local fstype opts
        fstype=$(stat -f -c %T /sys/fs/bpf 2>/dev/null)
        opts=$(awk '$5 == "/sys/fs/bpf" { print $NF }' /proc/self/mountinfo | tail -n 1)
        if [[ $fstype == bpf_fs && $opts == *delegate_* ]]; then
                ok private-bpffs "/sys/fs/bpf is a delegated bpffs ($opts)"
        elif [[ $fstype == bpf_fs ]]; then
                fail private-bpffs "/sys/fs/bpf is a bpffs without delegate options ($opts)"
        else
                fail private-bpffs "/sys/fs/bpf is '${fstype:-missing}', not a bpffs"
        fi
        if [[ -e /sys/fs/bpf/$HOST_PIN ]]; then
                fail host-bpffs-hidden "the container's /sys/fs/bpf/$HOST_PIN is visible"
        else
                ok host-bpffs-hidden "/sys/fs/bpf/$HOST_PIN not visible"
        fi
}

# The sandbox alone must not be able to do BPF: otherwise nothing here
# proves that the token is what made the loads work.
check_raw_map_denied() {
        local out rc
        out=$("$LIB/e2e-bpfprobe" map 2>&1)
        rc=$?
        echo "$out" | show
        if [[ $rc -eq 1 ]]; then
                ok no-token-map-create-eperm "map create without a token: EPERM"
        else
                fail no-token-map-create-eperm "map create without a token gave status $rc, expected EPERM (1)"
        fi
}

# strace's bpf() lines, shortened to what shows token use.
compact_strace() { awk -f "$LIB/compact-strace.awk"; }

# bpftool prog load OBJ PIN, under strace when possible.
bpftool_load() {
        local obj=$1 pin=$2 out rc
        if strace_works; then
                out=$(strace -f -e trace=bpf -e signal=none bpftool prog load "$(obj_path "$obj")" "$pin" 2>&1)
                rc=$?
                compact_strace <<<"$out" | show
                BPFTOOL_STRACE=$out
        else
                out=$(bpftool prog load "$(obj_path "$obj")" "$pin" 2>&1)
                rc=$?
                echo "$out" | show
                BPFTOOL_STRACE=
        fi
        return $rc
}

check_token_load() {
        local obj=$1 out rc
        local pin=/sys/fs/bpf/e2e-bpftool-$obj$$
        if bpftool_load "$obj" "$pin"; then
                if [[ -e $pin ]]; then
                        ok "bpftool-load-$obj" "bpftool prog load + pin at $pin"
                else
                        fail "bpftool-load-$obj" "bpftool succeeded but $pin does not exist"
                fi
        else
                fail "bpftool-load-$obj" "bpftool prog load failed"
        fi
        if [[ -n $BPFTOOL_STRACE ]]; then
                # strace < 6.8 does not know BPF_TOKEN_CREATE (command 36) or
                # BPF_F_TOKEN_FD (0x10000): accept the numeric forms too.
                if grep -qE '^(\[pid +[0-9]+\] )?bpf\((BPF_TOKEN_CREATE|0x24 /\* BPF_\?\?\? \*/),.*= [0-9]+$' <<<"$BPFTOOL_STRACE"; then
                        ok "strace-token-create-$obj" "bpftool created a BPF token"
                else
                        fail "strace-token-create-$obj" "no successful BPF_TOKEN_CREATE in bpftool's strace"
                fi
                # The object's own program (its license tells it from libbpf's
                # probes) must have been loaded with the token.  One grep: with
                # pipefail, "grep | grep -q" can fail on SIGPIPE.
                if grep -qE '^(\[pid +[0-9]+\] )?bpf\(BPF_PROG_LOAD, .*license="Dual BSD/GPL".*prog_flags=[^,]*(BPF_F_TOKEN_FD|0x10000).*= [0-9]+$' <<<"$BPFTOOL_STRACE"; then
                        ok "strace-token-prog-load-$obj" "the object's BPF_PROG_LOAD with BPF_F_TOKEN_FD succeeded"
                else
                        fail "strace-token-prog-load-$obj" "no successful BPF_PROG_LOAD of the object with BPF_F_TOKEN_FD (0x10000) in bpftool's strace"
                fi
        else
                echo "E2E-NOTE ${tag}strace unavailable here (ptrace not allowed by the unit's sandbox); the loader's token fd is the proof"
        fi
        out=$("$LIB/e2e-loader" --expect-token --pin "/sys/fs/bpf/e2e-loader-$obj$$" "$(obj_path "$obj")" 2>&1)
        rc=$?
        echo "$out" | show
        if [[ $rc -eq 0 ]]; then
                ok "loader-token-$obj" "$(grep -m1 'token fd' <<<"$out" | sed 's/^e2e-loader: //')"
        else
                fail "loader-token-$obj" "e2e-loader exited with $rc"
        fi
}

check_denied_load() {
        local obj=$1 out rc
        if bpftool_load "$obj" "/sys/fs/bpf/e2e-denied-$obj$$"; then
                fail "bpftool-denied-$obj" "bpftool loaded $obj although the delegation does not allow it"
        else
                ok "bpftool-denied-$obj" "bpftool prog load of $obj refused"
        fi
        out=$("$LIB/e2e-loader" "$(obj_path "$obj")" 2>&1)
        rc=$?
        echo "$out" | show
        if [[ $rc -eq 0 ]]; then
                fail "loader-denied-$obj" "e2e-loader loaded $obj although the delegation does not allow it"
        elif grep -q 'failed: Operation not permitted (errno 1)' <<<"$out"; then
                ok "loader-denied-$obj" "e2e-loader refused with EPERM"
        else
                fail "loader-denied-$obj" "e2e-loader failed, but not with EPERM"
        fi
}

mode_token() {
        local oks=() denies=() o
        while [[ $# -gt 0 ]]; do
                case $1 in
                --ok) oks+=("$2"); shift 2 ;;
                --deny) denies+=("$2"); shift 2 ;;
                *) echo "e2e-client: unknown token argument $1" >&2; exit 2 ;;
                esac
        done
        [[ ${#oks[@]} -eq 0 && ${#denies[@]} -eq 0 ]] && oks=(array)
        echo "E2E-INFO ${tag}uid=$(id -u) user=$(id -un 2>/dev/null) LIBBPF_BPF_TOKEN_PATH=${LIBBPF_BPF_TOKEN_PATH-(unset)} $(grep -E '^CapEff' /proc/self/status | tr '\t' ' ')"
        check_private_bpffs
        check_raw_map_denied
        for o in "${oks[@]}"; do check_token_load "$o"; done
        for o in "${denies[@]}"; do check_denied_load "$o"; done
}

mode_untouched() {
        local fstype out rc
        fstype=$(stat -f -c %T /sys/fs/bpf 2>/dev/null)
        if [[ -e /sys/fs/bpf/$HOST_PIN ]]; then
                ok host-bpffs-visible "the container's own /sys/fs/bpf ($fstype) with its pin"
        else
                fail host-bpffs-visible "/sys/fs/bpf/$HOST_PIN not visible: the unit got a private bpffs"
        fi
        if [[ -v LIBBPF_BPF_TOKEN_PATH ]]; then
                fail no-token-env "LIBBPF_BPF_TOKEN_PATH=$LIBBPF_BPF_TOKEN_PATH is set"
        else
                ok no-token-env "LIBBPF_BPF_TOKEN_PATH unset"
        fi
        if [[ $(readlink /proc/self/ns/user) == "$(readlink /proc/1/ns/user 2>/dev/null)" ]]; then
                ok no-user-namespace "runs in the initial user namespace"
        else
                fail no-user-namespace "runs in a user namespace of its own"
        fi
        if bpftool_load array "/sys/fs/bpf/e2e-untouched$$"; then
                ok bpftool-load-caps "bpftool loads with the unit's own capabilities"
                rm -f "/sys/fs/bpf/e2e-untouched$$"
        else
                fail bpftool-load-caps "bpftool prog load failed in a plain root unit"
        fi
        if grep -qE 'bpf\(BPF_PROG_LOAD, .*prog_flags=[^,]*(BPF_F_TOKEN_FD|0x10000)' <<<"$BPFTOOL_STRACE"; then
                fail no-token-used "a token was used"
        else
                ok no-token-used "no BPF_F_TOKEN_FD in bpftool's strace"
        fi
        out=$("$LIB/e2e-bpfprobe" map 2>&1)
        rc=$?
        echo "$out" | show
        if [[ $rc -eq 0 ]]; then
                ok raw-map-create "root without a sandbox creates maps"
        else
                fail raw-map-create "raw map create failed with status $rc"
        fi
}

mode_attacker() {
        local pidfile=${1:?attacker needs the victim pid file} victim out rc
        victim=$(cat "$pidfile") || { fail victim-pid "cannot read $pidfile"; return; }
        echo "E2E-INFO ${tag}attacker uid=$(id -u) victim pid $victim (uid $(stat -c %u "/proc/$victim"))"
        # 1. Join the victim's user namespace (and mount namespace).
        out=$(nsenter -t "$victim" -U -m --preserve-credentials "$LIB/e2e-bpfprobe" token /sys/fs/bpf 2>&1)
        rc=$?
        echo "$out" | show
        if grep -q 'token create: ok' <<<"$out"; then
                fail attack-setns "joined the victim's namespaces and created a token"
        else
                ok attack-setns "joining the victim's namespaces failed (status $rc)"
        fi
        # 2. Reach the victim's instance through /proc/PID/root.
        out=$("$LIB/e2e-bpfprobe" token "/proc/$victim/root/sys/fs/bpf" 2>&1)
        rc=$?
        echo "$out" | show
        if grep -q 'token create: ok' <<<"$out"; then
                fail attack-proc-root "created a token from /proc/$victim/root/sys/fs/bpf"
        else
                ok attack-proc-root "/proc/$victim/root/sys/fs/bpf unusable (status $rc)"
        fi
        # 3. Ask the publisher (when bpftoken is installed) for a delegation.
        if [[ -S /run/bpftoken/publish.sock ]] && command -v bpftoken-exec >/dev/null; then
                out=$(bpftoken-exec -- "$LIB/e2e-bpfprobe" token /sys/fs/bpf 2>&1)
                rc=$?
                echo "$out" | show
                if grep -q 'token create: ok' <<<"$out"; then
                        fail attack-publisher "the publisher gave an undelegated unit a token"
                else
                        ok attack-publisher "the publisher refused (status $rc)"
                fi
        else
                echo "E2E-NOTE ${tag}no bpftoken publisher socket here: publisher attack not applicable"
        fi
        # 4. And plain BPF without any of that.
        out=$("$LIB/e2e-bpfprobe" map 2>&1)
        rc=$?
        echo "$out" | show
        if [[ $rc -eq 1 ]]; then
                ok no-token-map-create-eperm "map create without a token: EPERM"
        else
                fail no-token-map-create-eperm "map create without a token gave status $rc"
        fi
}

case $mode in
token) mode_token "$@" ;;
untouched) mode_untouched ;;
attacker) mode_attacker "$@" ;;
*) echo "e2e-client: unknown mode $mode" >&2; exit 2 ;;
esac

echo "E2E-DONE ${tag}failures=$failures"
if [[ $stay -eq 1 ]]; then
        # Keep the unit (and its namespaces) alive; exec so MainPID is the sleeper.
        exec sleep infinity
fi
[[ $failures -eq 0 ]]
