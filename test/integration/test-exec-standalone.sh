#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bpftoken-exec run by root: it creates the namespaces and the delegated instance itself.
set -u
. "$(dirname "$0")/tap.sh"
require_root_and_token_kernel

# A name of our own for bpftoken-exec, so that a leaked helper of this test (a fork of it) can be
# told apart from other programs on the machine.
MARK=$(mktemp -d /tmp/test-exec-standalone.XXXXXX)
trap 'rm -rf "$MARK"' EXIT
E=$MARK/bpftoken-exec-under-test
ln -s "$BPFTOKEN_EXEC" "$E"
P=$TOKEN_PROBE
BASE=(--delegate-commands=map_create,prog_load,btf_load --delegate-maps=array
      --delegate-programs=socket_filter --delegate-attachments=any)
mounts_before=$(host_bpf_mounts)
fds_before=$(ls /proc/$$/fd | wc -l)

out=$("$E" --user=nobody "${BASE[@]}" -- "$P" 2>&1)
is "full delegation: token, map, program, BTF work as nobody" \
   "token ok|map_create ok|prog_load ok|btf_load ok|map_no_token EPERM" \
   "$(printf '%s\n' "$out" | grep -v '^fdinfo' | tr '\n' '|' | sed 's/|$//')"
is "token fdinfo shows exactly the granted masks" \
   "fdinfo allowed_cmds:	0x40021|fdinfo allowed_maps:	0x4|fdinfo allowed_progs:	0x2|fdinfo allowed_attachs:	any" \
   "$(printf '%s\n' "$out" | grep '^fdinfo' | tr '\n' '|' | sed 's/|$//')"

# Remove one needed bit at a time: exactly that step fails with EPERM.
check_without() {       # DESCRIPTION EXPECTED-LINES ARGS...
        local desc=$1 expected=$2; shift 2
        out=$("$E" --user=nobody -q "$@" -- "$P" 2>&1 | grep -v '^fdinfo' | tr '\n' '|' | sed 's/|$//')
        is "$desc" "$expected" "$out"
}
check_without "without prog_load only the program load fails" \
        "token ok|map_create ok|prog_load EPERM|btf_load ok|map_no_token EPERM" \
        --delegate-commands=map_create,btf_load --delegate-maps=array --delegate-programs=socket_filter --delegate-attachments=any
check_without "without map_create only the map create fails" \
        "token ok|map_create EPERM|prog_load ok|btf_load ok|map_no_token EPERM" \
        --delegate-commands=prog_load,btf_load --delegate-maps=array --delegate-programs=socket_filter --delegate-attachments=any
check_without "without btf_load only the BTF load fails" \
        "token ok|map_create ok|prog_load ok|btf_load EPERM|map_no_token EPERM" \
        --delegate-commands=map_create,prog_load --delegate-maps=array --delegate-programs=socket_filter --delegate-attachments=any
check_without "without the array map type only the map create fails" \
        "token ok|map_create EPERM|prog_load ok|btf_load ok|map_no_token EPERM" \
        --delegate-commands=map_create,prog_load,btf_load --delegate-maps=hash --delegate-programs=socket_filter --delegate-attachments=any
check_without "without socket_filter only the program load fails" \
        "token ok|map_create ok|prog_load EPERM|btf_load ok|map_no_token EPERM" \
        --delegate-commands=map_create,prog_load,btf_load --delegate-maps=array --delegate-programs=xdp --delegate-attachments=any
check_without "without attach bit 0 (cgroup_inet_ingress) the socket filter load fails" \
        "token ok|map_create ok|prog_load EPERM|btf_load ok|map_no_token EPERM" \
        --delegate-commands=map_create,prog_load,btf_load --delegate-maps=array --delegate-programs=socket_filter --delegate-attachments=xdp
check_without "systemd spellings work the same" \
        "token ok|map_create ok|prog_load ok|btf_load ok|map_no_token EPERM" \
        --delegate-commands=BPFMapCreate,BPFProgLoad,BPFBtfLoad --delegate-maps=BPFMapTypeArray --delegate-programs=BPFProgTypeSocketFilter --delegate-attachments=BPFCgroupInetIngress
check_without "the libbpf preset covers the probe baseline" \
        "token ok|map_create ok|prog_load ok|btf_load ok|map_no_token EPERM" --preset=libbpf

# What the program sees.
out=$("$E" --user=nobody "${BASE[@]}" -- sh -c 'grep " - bpf " /proc/self/mountinfo; echo "env=$LIBBPF_BPF_TOKEN_PATH"; id -u; grep CapEff /proc/self/status; mkdir /sys/fs/bpf/token/pins 2>&1; mkdir /sys/fs/bpf/pins && echo rw-ok' 2>&1)
contains "instance at /sys/fs/bpf" " / /sys/fs/bpf rw" "$out"
contains "read-only bind at /sys/fs/bpf/token" " / /sys/fs/bpf/token ro" "$out"
contains "mount options name the delegation" "delegate_cmds=map_create:prog_load:btf_load,delegate_maps=array,delegate_progs=socket_filter,delegate_attachs=any" "$out"
contains "LIBBPF_BPF_TOKEN_PATH is set" "env=/sys/fs/bpf/token" "$out"
contains "runs as nobody" "65534" "$out"
contains "only CAP_BPF, inside the user namespace" "CapEff:	0000008000000000" "$out"
contains "the token path is read-only" "Read-only file system" "$out"
contains "the instance itself is writable (pins)" "rw-ok" "$out"

out=$("$E" --user=nobody --delegate-programs=xdp,kprobe --delegate-commands=prog_load -q -- grep CapEff /proc/self/status 2>&1)
contains "xdp and kprobe add CAP_NET_ADMIN and CAP_PERFMON" "CapEff:	000000c000001000" "$out"

# The exit status is the command's own, and argv passes through untouched.
"$E" "${BASE[@]}" -- sh -c 'exit 42' 2>/dev/null
is "exit status is the command's" 42 $?
out=$("$E" "${BASE[@]}" -- printf '%s|' 'a b' --delegate-maps=x '' 2>&1)
is "argv passes through" "a b|--delegate-maps=x||" "$out"

out=$("$E" "${BASE[@]}" --argv0=custom-name -- /bin/sh -c 'tr "\0" " " </proc/$$/cmdline' 2>&1)
contains "--argv0 sets the name the command sees (systemd's @ prefix)" "custom-name -c" "$out"

# Bad input ends in one sentence.
out=$("$E" --delegate-maps=ringbufx -- true 2>&1); rc=$?
contains "unknown name suggests the closest" "did you mean 'ringbuf'" "$out"
is "unknown name fails" 1 $rc
out=$("$E" --delegate-maps=0x1,array -- true 2>&1)
is "hex mixed with names fails" 1 $?
out=$("$E" --delegate-commands= -- true 2>&1)
contains "empty delegation is refused" "Nothing is delegated" "$out"
out=$("$E" --user=no-such-user-xyz "${BASE[@]}" -- true 2>&1)
contains "unknown user" "Unknown user 'no-such-user-xyz'" "$out"
out=$("$E" -- true 2>&1)
contains "root without options is told what to give" "needs the delegation on its command line" "$out"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$E" "${BASE[@]}" -- true 2>&1)
contains "unprivileged standalone is refused" "need root on the host" "$out"
out=$("$E" "${BASE[@]}" -- /nonexistent/cmd 2>&1); rc=$?
is "missing command exits 127" 127 $rc

# Nothing is left behind.
is "no bpffs mount leaked into the host namespace" "$mounts_before" "$(host_bpf_mounts)"
is "no fd leaked" "$fds_before" "$(ls /proc/$$/fd | wc -l)"
sleep 0.2
is "no helper process left" "" "$(pgrep -f "$E" || true)"

done_testing
