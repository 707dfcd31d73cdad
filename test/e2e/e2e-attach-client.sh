#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# e2e-attach-client: what the attach scenario units (issue 8) run, installed
# in the container as /usr/local/lib/bpftoken-e2e/e2e-attach-client.  Same
# output contract as e2e-client: "E2E-CHECK <name>: ok|FAIL <detail>" lines
# and a final "E2E-DONE failures=N".
#
# Usage: e2e-attach-client cgroup IDS_FILE
#   The unit has cgroup_skb delegated.  IDS_FILE (written by the harness)
#   holds the inode numbers (= cgroup IDs) of the root cgroup and the unit's
#   parent slice as "ROOT=N PARENT=N".
#   Checks: /sys/fs/cgroup shows the unit's own cgroup; cgroup_skb attaches
#   there through a BPF link, through BPF_PROG_ATTACH (e2e-attach, libbpf
#   without token code) and through bpftool cgroup attach, and sees the
#   unit's traffic; no cgroup2 directory the unit can reach is the parent
#   slice or the root (every cgroup2 mount, /proc/1/root, the host paths),
#   and unmounting /sys/fs/cgroup does not change that.
#   token-path: /sys/fs/bpf/token is a read-only bpffs and
#   LIBBPF_BPF_TOKEN_PATH names it.
# Usage: e2e-attach-client [--stay] net [--user]
#   The unit has PrivateNetwork=yes and XDP and tc delegated.  On its own lo:
#   XDP through a BPF link, through netlink (bpf_xdp_attach), with
#   ip link ... xdpgeneric and with xdp-loader; tcx and classic tc (tc qdisc
#   + tc filter ... bpf da); each sees the unit's traffic (counted by
#   e2e-attach, or its drop rule observed for the distributions' tools);
#   the ring buffer; a pin /sys/fs/bpf/e2e-net-pin that no one else must
#   see.  --user: CAP_SYS_ADMIN (granted for joining the network namespace)
#   is gone again, and xdp-loader (which refuses any euid but 0) is left out.
#   pin-absent NAME: /sys/fs/bpf/NAME does not exist here.

set -uo pipefail

LIB=/usr/local/lib/bpftoken-e2e
failures=0
ok() { echo "E2E-CHECK $1: ok ${*:2}"; }
fail() { echo "E2E-CHECK $1: FAIL ${*:2}"; failures=$((failures + 1)); }
show() { sed 's/^/    /'; }

ino() { stat -c %i "$1" 2>/dev/null; }

# attach_expect NAME MODE DIR: e2e-attach must attach and see the traffic.
attach_expect() {
        local out
        out=$("$LIB/e2e-attach" "$LIB/e2e-attach.bpf.o" "$2" "$3" 2>&1)
        if [[ $? -eq 0 ]]; then
                ok "$1" "$(grep -m1 '^e2e-attach:' <<<"$out")"
        else
                fail "$1" "$(tail -n 3 <<<"$out" | tr '\n' ' ')"
        fi
}

# reachable_foreign: every cgroup2 directory the unit can name whose cgroup is the root or the parent.
reachable_foreign() {
        local p i
        {
                # shellcheck disable=SC2016 # awk's $5
                awk '$(NF-2) == "cgroup2" { print $5 }' /proc/self/mountinfo 2>/dev/null
                echo /sys/fs/cgroup /sys/fs/cgroup/unified /sys/fs/cgroup/system.slice \
                        /proc/1/root/sys/fs/cgroup /proc/1/root/sys/fs/cgroup/system.slice \
                        /proc/1/root/sys/fs/cgroup/unified /proc/self/root/sys/fs/cgroup/.. | tr ' ' '\n'
        } | sort -u | while read -r p; do
                i=$(ino "$p") || continue
                [[ -n $i && ($i == "$ROOT" || $i == "$PARENT") ]] && echo "$p"
        done
}

# refused NAME DIR: attaching there must fail (the unit cannot open it, or the kernel refuses).
refused() {
        local out rc
        out=$("$LIB/e2e-attach" "$LIB/e2e-attach.bpf.o" cgroup-link "$2" 2>&1)
        rc=$?
        if [[ $rc -eq 2 ]]; then
                ok "$1" "refused: $(grep -o 'errno.*' <<<"$out")"
        elif [[ $rc -eq 0 && $(ino "$2") != "$ROOT" && $(ino "$2") != "$PARENT" ]]; then
                ok "$1" "$2 is the unit's own cgroup here (inode $(ino "$2")), not the host's"
        else
                fail "$1" "rc=$rc $(tr '\n' ' ' <<<"$out")"
        fi
}

mode_cgroup() {
        local ids=$1 out foreign
        # shellcheck disable=SC1090
        . "$ids" || { fail cgroup-ids "cannot read $ids"; return; }

        if grep -qx "$$" /sys/fs/cgroup/cgroup.procs 2>/dev/null; then
                ok own-cgroup-view "/sys/fs/cgroup is the unit's own cgroup (id $(ino /sys/fs/cgroup), holds PID $$)"
        else
                fail own-cgroup-view "PID $$ is not in /sys/fs/cgroup/cgroup.procs (id $(ino /sys/fs/cgroup)); $(tail -n1 /proc/self/cgroup)"
        fi
        attach_expect cgroup-link-own cgroup-link /sys/fs/cgroup
        attach_expect cgroup-attach-own cgroup-attach /sys/fs/cgroup

        out=$( { bpftool prog load "$LIB/e2e-cgskb.bpf.o" /sys/fs/bpf/e2e-cg &&
                 bpftool cgroup attach /sys/fs/cgroup ingress pinned /sys/fs/bpf/e2e-cg &&
                 "$LIB/e2e-attach" udp; bpftool cgroup detach /sys/fs/cgroup ingress pinned /sys/fs/bpf/e2e-cg; } 2>&1)
        if grep -q 'dropport_delivered=0' <<<"$out" && grep -q 'delivered=3/3' <<<"$out"; then
                ok bpftool-cgroup-attach-own "$(grep -m1 '^e2e-attach:' <<<"$out")"
        else
                fail bpftool-cgroup-attach-own "$(tr '\n' ' ' <<<"$out")"
        fi
        rm -f /sys/fs/bpf/e2e-cg

        refused attach-parent-slice /sys/fs/cgroup/system.slice
        refused attach-root-via-proc1 /proc/1/root/sys/fs/cgroup
        refused attach-root-via-unified /sys/fs/cgroup/unified
        foreign=$(reachable_foreign)
        if [[ -z $foreign ]]; then
                ok no-foreign-cgroup-reachable "no cgroup2 directory the unit can name is the root ($ROOT) or the parent ($PARENT)"
        else
                fail no-foreign-cgroup-reachable "$(tr '\n' ' ' <<<"$foreign")"
        fi

        # A root unit: try to peel the view off (systemd >= 258 gives it its mount namespace).
        out=$(umount -l /sys/fs/cgroup 2>&1; echo "rc=$?")
        foreign=$(reachable_foreign)
        if [[ -z $foreign ]]; then
                ok umount-cgroup-view "still confined after umount ($(tr '\n' ' ' <<<"$out"))"
        else
                fail umount-cgroup-view "after umount ($(tr '\n' ' ' <<<"$out")) reachable: $(tr '\n' ' ' <<<"$foreign")"
        fi
}

mode_token_path() {
        local fstype
        fstype=$(stat -f -c %T /sys/fs/bpf/token 2>&1)
        if [[ ${LIBBPF_BPF_TOKEN_PATH:-} == /sys/fs/bpf/token ]]; then
                ok token-path-env "LIBBPF_BPF_TOKEN_PATH=$LIBBPF_BPF_TOKEN_PATH"
        else
                fail token-path-env "LIBBPF_BPF_TOKEN_PATH='${LIBBPF_BPF_TOKEN_PATH:-}'"
        fi
        # bpftoken's own instance (< 258): a read-only bind; systemd's (>= 258): a link to its root.
        if [[ -L /sys/fs/bpf/token ]]; then
                if [[ $(readlink -f /sys/fs/bpf/token) == /sys/fs/bpf ]]; then
                        ok token-path-ro-bpffs "/sys/fs/bpf/token links to the instance's root ($(readlink /sys/fs/bpf/token))"
                else
                        fail token-path-ro-bpffs "/sys/fs/bpf/token links to $(readlink /sys/fs/bpf/token)"
                fi
        elif [[ $fstype == bpf_fs ]] && ! mkdir /sys/fs/bpf/token/x 2>/dev/null; then
                ok token-path-ro-bpffs "/sys/fs/bpf/token is a read-only bpffs"
        else
                fail token-path-ro-bpffs "fstype=$fstype, writable"
                rmdir /sys/fs/bpf/token/x 2>/dev/null
        fi
        if [[ $(stat -c %d /sys/fs/bpf) == "$(stat -c %d /sys/fs/bpf/token)" ]]; then
                ok token-path-same-instance "/sys/fs/bpf/token is the unit's own instance (device $(stat -c %d /sys/fs/bpf))"
        else
                fail token-path-same-instance "/sys/fs/bpf is device $(stat -c %d /sys/fs/bpf), /sys/fs/bpf/token $(stat -c %d /sys/fs/bpf/token)"
        fi
        if grep -E ' /sys/fs/bpf ' /proc/self/mountinfo | tail -n 1 | grep -q delegate_; then
                ok token-path-native-mount "/sys/fs/bpf is still the delegated instance"
        else
                fail token-path-native-mount "$(grep -E ' /sys/fs/bpf' /proc/self/mountinfo | tr '\n' ' ')"
        fi
        if "$LIB/e2e-attach" "$LIB/e2e-attach.bpf.o" cgroup-link /sys/fs/cgroup >/dev/null 2>&1; then
                ok token-path-libbpf "libbpf loaded and attached through LIBBPF_BPF_TOKEN_PATH"
        else
                fail token-path-libbpf "e2e-attach failed"
        fi
}

# tool_drops NAME ATTACH... -- DETACH...: attach with a distribution tool, check that its program drops
# the packet to the drop port (and passes the others), detach.
tool_drops() {
        local name=$1 out attach=() detach=()
        shift
        while [[ $# -gt 0 && $1 != -- ]]; do attach+=("$1"); shift; done
        shift
        detach=("$@")
        if ! out=$("${attach[@]}" 2>&1); then
                fail "$name" "attach: $(tail -n 4 <<<"$out" | tr '\n' ' ')"
                return
        fi
        out=$("$LIB/e2e-attach" udp 2>&1)
        "${detach[@]}" >/dev/null 2>&1
        if grep -q 'delivered=3/3 dropport_delivered=0' <<<"$out"; then
                ok "$name" "$out"
        else
                fail "$name" "the program did not act on the traffic: $out"
        fi
}

mode_net() {
        local out eff
        if ip -o link show lo 2>&1 | grep -q '[<,]UP[,>]'; then
                ok lo-up "$(ip -o link show lo | cut -d' ' -f2-3)"
        else
                fail lo-up "$(ip -o link show lo 2>&1)"
        fi
        if [[ ${1:-} == --user ]]; then
                eff=$(awk '/^CapEff/ { print $2 }' /proc/self/status)
                if (( (16#$eff >> 21) & 1 )); then
                        fail no-cap-sys-admin "CapEff=$eff still has CAP_SYS_ADMIN"
                else
                        ok no-cap-sys-admin "CapEff=$eff"
                fi
        fi
        attach_expect xdp-link xdp-link lo
        attach_expect xdp-netlink xdp-netlink lo
        attach_expect tcx-link tcx lo
        tool_drops ip-link-xdpgeneric ip link set dev lo xdpgeneric obj "$LIB/e2e-xdp.bpf.o" sec xdp -- \
                ip link set dev lo xdpgeneric off
        # xdp-loader itself insists on euid 0 ("This program must be run as root"), whatever the
        # capabilities: a User= service cannot run it.
        if [[ ${1:-} != --user ]]; then
                tool_drops xdp-loader xdp-loader load -m skb -s xdp lo "$LIB/e2e-xdp.bpf.o" -- \
                        sh -c 'xdp-loader unload lo --all; ip link set dev lo xdpgeneric off'
        fi
        tool_drops tc-classic sh -c "tc qdisc add dev lo clsact && tc filter add dev lo ingress bpf da obj $LIB/e2e-tc.bpf.o sec tc" -- \
                tc qdisc del dev lo clsact
        out=$("$LIB/e2e-attach" "$LIB/e2e-attach.bpf.o" xdp-link lo 2>&1)
        if grep -qE 'ringbuf=[1-9]' <<<"$out"; then
                ok ringbuf "$(grep -o 'ringbuf=[0-9]*' <<<"$out") events consumed from user space"
        else
                fail ringbuf "$out"
        fi
        if out=$(bpftool prog load "$LIB/e2e-xdp.bpf.o" /sys/fs/bpf/e2e-net-pin 2>&1) && [[ -e /sys/fs/bpf/e2e-net-pin ]]; then
                ok pin "/sys/fs/bpf/e2e-net-pin in the unit's own instance"
        else
                fail pin "$out"
        fi
}

# net-probe: a BPF link must work; a netlink attach either works ("xdp-netlink") or is refused with
# EPERM ("xdp-netlink-refused"): the harness knows which one to expect.
mode_net_probe() {
        local out rc
        attach_expect xdp-link xdp-link lo
        out=$("$LIB/e2e-attach" "$LIB/e2e-attach.bpf.o" xdp-netlink lo 2>&1)
        rc=$?
        if [[ $rc -eq 0 ]]; then
                ok xdp-netlink "$(grep -m1 '^e2e-attach:' <<<"$out")"
        elif [[ $rc -eq 2 ]] && grep -q 'errno 1 ' <<<"$out"; then
                ok xdp-netlink-refused "$(grep -m1 'attach failed' <<<"$out")"
        else
                fail xdp-netlink "$out"
        fi
        out=$(ip link set dev lo xdpgeneric obj "$LIB/e2e-xdp.bpf.o" sec xdp 2>&1)
        rc=$?
        ip link set dev lo xdpgeneric off >/dev/null 2>&1
        if [[ $rc -eq 0 ]]; then
                ok ip-link-xdpgeneric "attached"
        elif grep -qi 'permitted' <<<"$out"; then
                ok ip-link-xdpgeneric-refused "$(tail -n 1 <<<"$out")"
        else
                fail ip-link-xdpgeneric "$out"
        fi
}

mode_pin_absent() {
        if [[ -e /sys/fs/bpf/$1 ]]; then
                fail "pin-absent-$1" "/sys/fs/bpf/$1 is visible here"
        else
                ok "pin-absent-$1" "/sys/fs/bpf/$1 is not here ($(stat -f -c %T /sys/fs/bpf))"
        fi
}

stay=0
[[ ${1:-} == --stay ]] && { stay=1; shift; }
mode=${1:?usage: e2e-attach-client [--stay] cgroup IDS_FILE | token-path | net [--user] | pin-absent NAME}
shift
case $mode in
cgroup) mode_cgroup "$@" ;;
token-path) mode_token_path ;;
net) mode_net "$@" ;;
net-probe) mode_net_probe ;;
pin-absent) mode_pin_absent "$@" ;;
*) fail usage "unknown mode $mode" ;;
esac
echo "E2E-DONE failures=$failures"
if [[ $stay -eq 1 ]]; then
        exec sleep infinity
fi
[[ $failures -eq 0 ]]
