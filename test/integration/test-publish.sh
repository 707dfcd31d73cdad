#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bpftoken-publish through socket activation, with callers that stand in for systemd units
# (sandbox-run: a root-made user namespace, a private mount namespace, a unit cgroup) and hostile ones.
set -u
. "$(dirname "$0")/tap.sh"
require_root_and_token_kernel

HERE=$(cd "$(dirname "$0")" && pwd)
E=$BPFTOKEN_EXEC
P=$TOKEN_PROBE
S=$SANDBOX_RUN
CGROOT=/sys/fs/cgroup/unified
[ -f /sys/fs/cgroup/cgroup.controllers ] && CGROOT=/sys/fs/cgroup
command -v systemd-socket-activate >/dev/null || skip_all "systemd-socket-activate (package systemd) is missing"

TMP=$(mktemp -d /tmp/bpftoken-publish-test.XXXXXX)
chmod 755 "$TMP"
SOCK=$TMP/publish.sock
POL=$TMP/policy
mkdir -m 755 "$POL"
SLICE=$CGROOT/bpftoken-test.slice
mkdir -p "$SLICE"
for u in a b c; do mkdir -p "$SLICE/bpftoken-test-$u.service"; done

cleanup() {
        [ -n "${ACT_PID:-}" ] && kill "$ACT_PID" 2>/dev/null && wait "$ACT_PID" 2>/dev/null
        [ -n "${VICTIM:-}" ] && kill "$VICTIM" 2>/dev/null
        for u in a b c; do
                [ -d "$SLICE/bpftoken-test-$u.service" ] || continue
                for p in $(cat "$SLICE/bpftoken-test-$u.service/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
                sleep 0.1
                rmdir "$SLICE/bpftoken-test-$u.service" 2>/dev/null
        done
        rmdir "$SLICE" 2>/dev/null
        rm -rf "$TMP"
}
trap cleanup EXIT

cat >"$POL/10-a.conf" <<EOT
[Match]
Unit=bpftoken-test-a.service
[Delegation]
Commands=BPFMapCreate,BPFProgLoad,BPFBtfLoad
Maps=BPFMapTypeArray
Programs=BPFProgTypeSocketFilter
Attachments=any
EOT
cat >"$POL/20-c.conf" <<EOT
[Match]
Unit=bpftoken-test-c.service
[Delegation]
Commands=map_create btf_load
Maps=array
Programs=socket_filter
Attachments=any
EOT
cat >"$POL/30-uid.conf" <<EOT
[Match]
User=4242
[Delegation]
Preset=libbpf
EOT
cat >"$POL/40-bad-owner.conf" <<EOT
[Match]
Unit=bpftoken-test-b.service
[Delegation]
Commands=any
EOT
chown 4242 "$POL/40-bad-owner.conf"     # not root's: must be ignored

mounts_before=$(host_bpf_mounts)
( umask 000; exec systemd-socket-activate --seqpacket --accept -l "$SOCK" "$BPFTOKEN_PUBLISH" --policy-dir="$POL" --host-pid=$$ ) 2>"$TMP/publisher.log" &
ACT_PID=$!
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
ok "publisher socket is listening" test -S "$SOCK"
chmod 666 "$SOCK"       # what SocketMode=0666 does in units/bpftoken-publish.socket

unit() {        # unit NAME [sandbox-run options] -- CMD...
        local name=$1; shift
        "$S" --cgroup="$SLICE/bpftoken-test-$name.service" "$@"
}
probe() { grep -v '^fdinfo' | tr '\n' '|' | sed 's/|$//'; }

out=$(unit a --uid=65534 --gid=65534 -- "$E" --socket="$SOCK" -- "$P" 2>&1)
is "unit a as nobody: token, map, program, BTF" \
   "token ok|map_create ok|prog_load ok|btf_load ok|map_no_token EPERM" "$(printf '%s\n' "$out" | probe)"
contains "unit a: token masks are the unit's policy" "allowed_cmds:	0x40021" "$out"

out=$(unit a -- "$E" --socket="$SOCK" -- "$P" 2>&1)
is "unit a as root in its user namespace" \
   "token ok|map_create ok|prog_load ok|btf_load ok|map_no_token EPERM" "$(printf '%s\n' "$out" | probe)"

out=$(unit c --uid=65534 --gid=65534 -- "$E" -q --socket="$SOCK" -- "$P" 2>&1)
is "unit c (no prog_load delegated): only the program load fails" \
   "token ok|map_create ok|prog_load EPERM|btf_load ok|map_no_token EPERM" "$(printf '%s\n' "$out" | probe)"
out=$(unit c --uid=65534 --gid=65534 -- "$E" --socket="$SOCK" -- true 2>&1)
contains "unit c: the missing bit is named" "commands: prog_load" "$out"

out=$(unit b --uid=65534 --gid=65534 -- "$E" --socket="$SOCK" -- "$P" 2>&1); rc=$?
contains "unit b (no policy) is refused" "No BPF delegation is configured for unit bpftoken-test-b.service" "$out"
is "unit b: the command never runs" "1" "$rc"
contains "a policy file not owned by root is ignored" "must be owned by root" "$(cat "$TMP/publisher.log")"

out=$(unit a --variant=no-mntns -- "$E" --socket="$SOCK" -- true 2>&1)
contains "caller in the host's mount namespace is refused" "shares the host's mount namespace" "$out"
out=$(unit a --variant=self-userns --uid=65534 --gid=65534 -- "$E" --socket="$SOCK" -- true 2>&1)
contains "unit caller whose user namespace it owns itself is refused" "not created by root" "$out"
out=$(unit a --variant=nested -- "$E" --socket="$SOCK" -- true 2>&1)
contains "caller in a nested user namespace is refused" "nested inside another one" "$out"
out=$(unit a --variant=no-userns -- python3 "$HERE/raw-client.py" "$SOCK" valid 2>&1)
contains "caller in the initial user namespace is refused" "initial user namespace" "$out"

for mode in garbage short badmagic fds; do
        out=$(unit a -- python3 "$HERE/raw-client.py" "$SOCK" "$mode" 2>&1)
        contains "malformed request ($mode) is refused" "Malformed request" "$out"
done

# A uid policy: an unprivileged user on the host gets a namespace of its own.
out=$(setpriv --reuid=4242 --regid=4242 --clear-groups "$E" --socket="$SOCK" -- "$P" 2>&1)
is "uid policy: unprivileged user gets a working token" \
   "token ok|map_create ok|prog_load ok|btf_load ok|map_no_token EPERM" \
   "$(printf '%s\n' "$out" | grep -v '^bpftoken-exec' | probe)"
contains "uid policy: the user is told who can join" "every process of this uid can join it" "$out"
out=$(setpriv --reuid=4243 --regid=4243 --clear-groups "$E" --socket="$SOCK" -- true 2>&1)
contains "a user without policy is refused" "No BPF delegation is configured for this caller" "$out"

# A repeated request from the same namespaces stacks nothing.
out=$(unit a -- "$E" --socket="$SOCK" -- "$E" --socket="$SOCK" -- grep -c ' /sys/fs/bpf rw' /proc/self/mountinfo 2>&1)
is "a second request from the same namespaces does not stack an instance" "1" "$out"
contains "publisher logged the repeat" "already attached" "$(cat "$TMP/publisher.log")"

# Another process with the same uid cannot reach the token.
unit a --uid=65534 --gid=65534 -- "$E" --socket="$SOCK" -- sleep 60 &
VICTIM=$!
for _ in $(seq 50); do
        v=$(pgrep -f -P "$VICTIM" 'sleep 60' || pgrep -x -n sleep) && grep -q ' /sys/fs/bpf ' /proc/"$v"/mountinfo 2>/dev/null && break
        sleep 0.1
done
ok "victim is running with its instance" grep -q ' /sys/fs/bpf rw' "/proc/$v/mountinfo"
ok "same uid cannot join the victim's user namespace" \
        sh -c "! setpriv --reuid=65534 --regid=65534 --clear-groups nsenter --user --target $v true"
ok "same uid cannot open the victim's /sys/fs/bpf" \
        sh -c "! setpriv --reuid=65534 --regid=65534 --clear-groups ls /proc/$v/root/sys/fs/bpf/"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$E" --socket="$SOCK" -- "$P" 2>&1)
contains "same uid outside the unit gets nothing from the publisher" "No BPF delegation is configured" "$out"
kill "$VICTIM" 2>/dev/null; wait "$VICTIM" 2>/dev/null; VICTIM=

# Mount propagation: like systemd < 258, the mount namespace made before the user namespace.
out=$(unit a --variant=systemd -- "$E" --socket="$SOCK" -- "$P" 2>&1)
is "a slave-then-shared mount namespace (systemd's PrivateMounts=) gets its instance" \
   "token ok|map_create ok|prog_load ok|btf_load ok|map_no_token EPERM" "$(printf '%s\n' "$out" | probe)"
# A mount namespace still in the host's peer groups: the instance would appear on the host.
out=$(unshare --mount --propagation unchanged sh -c '
        mount --make-rshared / &&
        ( umask 000; exec systemd-socket-activate --seqpacket --accept -l "$1/leak.sock" "$2" --policy-dir="$3" --host-pid=$$ ) >/dev/null 2>&1 &
        act=$!
        for i in $(seq 50); do [ -S "$1/leak.sock" ] && break; sleep 0.1; done
        chmod 666 "$1/leak.sock"
        "$4" --cgroup="$5" --variant=leaky -- "$6" --socket="$1/leak.sock" -- true
        echo "host-bpf-mounts=$(grep -c " /sys/fs/bpf " /proc/self/mountinfo)"
        kill $act' sh "$TMP" "$BPFTOKEN_PUBLISH" "$POL" "$S" "$SLICE/bpftoken-test-a.service" "$E" 2>&1)
contains "a mount namespace that propagates to the host is refused" "propagates to other mount namespaces" "$out"
contains "... and nothing appeared on the host" "host-bpf-mounts=0" "$out"

# The publisher gone: one sentence.
out=$(unit a -- "$E" --socket="$TMP/nonexistent.sock" -- true 2>&1)
contains "publisher not running is explained" "publisher is not running" "$out"

log=$(cat "$TMP/publisher.log")
contains "decisions are logged: granted" "granted for bpftoken-test-a.service" "$log"
contains "decisions are logged: refused" "refused for bpftoken-test-b.service" "$log"

sleep 0.3
is "no publisher instance left running" "" "$(pgrep -f -x "$BPFTOKEN_PUBLISH --policy-dir=$POL --host-pid=$$" || true)"
is "no bpffs mount leaked into the host namespace" "$mounts_before" "$(host_bpf_mounts)"

done_testing
