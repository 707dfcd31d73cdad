#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bpftoken-publish against callers that control their own mount namespace and /proc (issue 7): the
# publisher must learn every mount fact from the kernel by fd or mount ID, never from a file or path
# the caller can change, and must stay bounded in time and memory. Each attack has its positive
# control: the same caller, the same publisher, a working token.
#
# The whole test runs in a private mount namespace of its own that stands in for the host: it has a
# root-owned mode-0700 bpffs at /sys/fs/bpf (as systemd mounts one), which no caller may write to.
set -u
if [ -z "${BPFTOKEN_ATTACKS_IN_NS:-}" ]; then
        [ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }
        exec unshare --mount --propagation private env BPFTOKEN_ATTACKS_IN_NS=1 "$0" "$@"
fi
. "$(dirname "$0")/tap.sh"
require_root_and_token_kernel

HERE=$(cd "$(dirname "$0")" && pwd)
E=$BPFTOKEN_EXEC
P=$TOKEN_PROBE
S=$SANDBOX_RUN
CGROOT=/sys/fs/cgroup/unified
[ -f /sys/fs/cgroup/cgroup.controllers ] && CGROOT=/sys/fs/cgroup
SLICE=$CGROOT/bpftoken-attacks-$$.slice
HOSTILE=$HERE/hostile-caller.sh
command -v systemd-socket-activate >/dev/null || skip_all "systemd-socket-activate (package systemd) is missing"

mount -t bpf -o mode=0700 bpf /sys/fs/bpf
TMP=$(mktemp -d /tmp/bpftoken-attacks.XXXXXX)
chmod 755 "$TMP"
POL=$TMP/policy
mkdir -m 755 "$POL"
# The publisher and its helpers run under a memory limit, so that an unbounded reader is stopped
# before it hurts the machine (the fix bounds the helpers itself, far below this).
if [ -d /sys/fs/cgroup/memory ]; then
        MEMCG=/sys/fs/cgroup/memory/bpftoken-attacks-$$
        mkdir "$MEMCG"
        echo $((1024 * 1024 * 1024)) >"$MEMCG/memory.limit_in_bytes"
        oom_kills() { awk '/^oom_kill / { print $2 }' "$MEMCG/memory.oom_control"; }
else
        MEMCG=$CGROOT/bpftoken-attacks-mem-$$
        mkdir "$MEMCG"
        echo $((1024 * 1024 * 1024)) >"$MEMCG/memory.max"
        oom_kills() { awk '/^oom_kill / { print $2 }' "$MEMCG/memory.events"; }
fi
mkdir -p "$SLICE/bpftoken-attack-t@1.service" "$SLICE/bpftoken-attack-t@2.service"
PUBLISHERS=()

cleanup() {
        for p in "${PUBLISHERS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
        for p in $(cat "$MEMCG/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
        for u in "$SLICE"/*.service; do
                for p in $(cat "$u/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
        done
        sleep 0.2
        rmdir "$SLICE"/*.service "$SLICE" "$MEMCG" 2>/dev/null
        rm -rf "$TMP"
}
trap cleanup EXIT

cat >"$POL/30-uid.conf" <<EOT
[Match]
User=4242
[Delegation]
Preset=libbpf
EOT

# A template policy that grants everything, and a narrower one for one instance that no longer parses
# (a map type this kernel does not know): the broad one must not answer for it.
cat >"$POL/50-template.conf" <<EOT
[Match]
Unit=bpftoken-attack-t@.service
[Delegation]
Preset=libbpf
Commands=any
EOT
cat >"$POL/60-t1.conf" <<EOT
# narrower: instance 1 only
[Match]
Unit=bpftoken-attack-t@1.service
[Delegation]
Maps=array,no_such_map_type
EOT

start_publisher() {     # start_publisher NAME [VAR=VALUE...]: a publisher on $TMP/NAME.sock
        local name=$1 v setenv=(); shift
        for v in "$@"; do setenv+=("--setenv=$v"); done
        (
                echo "$BASHPID" >"$MEMCG/cgroup.procs"
                umask 000
                exec systemd-socket-activate "${setenv[@]}" --seqpacket --accept -l "$TMP/$name.sock" \
                        "$BPFTOKEN_PUBLISH" --policy-dir="$POL" --host-pid=$$
        ) 2>>"$TMP/publisher.log" &
        PUBLISHERS+=($!)
        for _ in $(seq 50); do [ -S "$TMP/$name.sock" ] && break; sleep 0.1; done
        chmod 666 "$TMP/$name.sock"
}
as_user() { setpriv --reuid=4242 --regid=4242 --clear-groups "$@"; }
hostile() {     # hostile MODE SOCKET-NAME
        as_user unshare --user --map-root-user --mount "$HOSTILE" "$1" "$TMP/$2.sock" "$E" "$P" "$HERE/raw-client.py" 2>&1
}
probe() { grep -E '^(token|map_create|prog_load|btf_load|map_no_token) ' | tr '\n' '|' | sed 's/|$//'; }
TOKEN_OK="token ok|map_create ok|prog_load ok|btf_load ok|map_no_token EPERM"
host_bpffs_untouched() { [ ! -e /sys/fs/bpf/token ]; }

start_publisher main

# Positive control: the same user, in namespaces of its own, nothing rearranged.
out=$(as_user unshare --user --map-root-user --mount "$E" --socket="$TMP/main.sock" -- "$P" 2>&1)
is "control: the uid-policy user in its own namespaces gets a working token" "$TOKEN_OK" "$(printf '%s\n' "$out" | probe)"

# 1. A FIFO for /proc/self/mountinfo: a publisher that reads it stalls (until its alarm).
out=$(hostile fifo main)
is "mountinfo a FIFO: the request is answered, token works" "$TOKEN_OK" "$(printf '%s\n' "$out" | probe)"
contains "... the client was answered (granted), not stalled" "error=0 " "$out"

# 2. /proc/self/mountinfo -> /dev/zero: a publisher that reads it grows until it is killed.
out=$(hostile devzero main)
is "mountinfo is /dev/zero: the request is answered, token works" "$TOKEN_OK" "$(printf '%s\n' "$out" | probe)"
is "... no helper was killed for memory" "0" "$(oom_kills)"

# 3. A fake line says a delegated instance is already attached: it must not be believed.
out=$(hostile fakeline main)
is "a fake 'delegated bpffs' line: a real instance is attached, token works" "$TOKEN_OK" "$(printf '%s\n' "$out" | probe)"
contains "... /sys/fs/bpf really is a bpffs" "bpf-at-target=bpf_fs" "$out"
grants=$(grep -c "already attached" "$TMP/publisher.log" || true)
is "... the publisher never answered 'already attached'" "0" "$grants"

# 4. The target moved away (MS_MOVE) while a reader waited on the FIFO: a publisher that re-resolves
# /sys/fs/bpf then writes into the host's bpffs.
out=$(hostile move-fifo main); printf "%s\n" "$out" | sed "s/^/# move-fifo: /"
ok "MS_MOVE under a FIFO: nothing was created in the host's bpffs" host_bpffs_untouched
case "$(printf '%s\n' "$out" | probe)" in
"$TOKEN_OK") contains "... and the grant is really at /sys/fs/bpf" "bpf-at-target=bpf_fs" "$out" ;;
*) ok "... or the request was refused" sh -c "printf '%s' \"\$1\" | grep -q 'error=[1-9]'" sh "$out" ;;
esac

# 5. The target moved away inside the publisher's window between its checks and its move_mount().
start_publisher window BPFTOKEN_TEST_FAULT=target-checked:sleep
out=$(hostile move-hook window)
contains "MS_MOVE mid-request: refused" "client-exit=1" "$out"
contains "... with the reason" "changed while the instance was attached" "$out"
contains "... the instance that landed on the moved mount was detached" "bpf-on-moved=0" "$out"
ok "... nothing was created in the host's bpffs" host_bpffs_untouched
out=$(as_user unshare --user --map-root-user --mount "$E" --socket="$TMP/window.sock" -- "$P" 2>&1)
is "... control: the same slow publisher grants an untouched caller" "$TOKEN_OK" "$(printf '%s\n' "$out" | probe)"

# 6. uid 4242 inside a mount namespace root made (PrivateTmp=, a rootful container) makes a user
# namespace alone: the instance would land over /sys/fs/bpf of every root process sharing it.
out=$(unshare --mount --propagation private sh -c '
        setpriv --reuid=4242 --regid=4242 --clear-groups unshare --user --map-current-user "$1" --socket="$2" -- true 2>&1
        echo "root-sees-bpf=$(stat -f -c %T /sys/fs/bpf) mode=$(stat -c %a /sys/fs/bpf)"' sh "$E" "$TMP/main.sock")
contains "uid caller in a root-owned mount namespace: refused" "not owned by its user namespace" "$out"
contains "... the root processes sharing it still see their own /sys/fs/bpf" "root-sees-bpf=bpf_fs mode=1700" "$out"

# 7. Fail closed on a policy file that does not parse but would match.
out=$("$S" --cgroup="$SLICE/bpftoken-attack-t@1.service" -- "$E" --socket="$TMP/main.sock" -- "$P" 2>&1); rc=$?
contains "an unparsable narrower policy refuses, naming the file and its match line" \
        "60-t1.conf matches this caller (line 3) but does not parse" "$out"
contains "... and the line of the error" "60-t1.conf:5:" "$out"
is "... the command never ran (no broader grant)" "1" "$rc"
out=$("$S" --cgroup="$SLICE/bpftoken-attack-t@2.service" -- "$E" --socket="$TMP/main.sock" -- "$P" 2>&1)
is "... control: another instance of the template gets the template's grant" "$TOKEN_OK" "$(printf '%s\n' "$out" | probe)"

# 8. A unit caller whose mount namespace (made first, as systemd < 258 does) a process outside the unit
# shares: that process would see the unit's instance.
"$S" --cgroup="$SLICE/bpftoken-attack-t@2.service" --variant=systemd -- \
        sh -c 'echo $$ >"$1"; sleep 1; exec "$2" --socket="$3" -- "$4"' sh "$TMP/caller.pid" "$E" "$TMP/main.sock" "$P" >"$TMP/shared.out" 2>&1 &
caller=$!
for _ in $(seq 50); do [ -s "$TMP/caller.pid" ] && break; sleep 0.05; done
nsenter --mount --target "$(cat "$TMP/caller.pid")" sleep 3 &
outsider=$!
wait "$caller"
contains "a unit's mount namespace shared with a process outside the unit: refused" \
        "shared with a process outside its unit" "$(cat "$TMP/shared.out")"
kill "$outsider" 2>/dev/null; wait "$outsider" 2>/dev/null
out=$("$S" --cgroup="$SLICE/bpftoken-attack-t@2.service" --variant=systemd -- "$E" --socket="$TMP/main.sock" -- "$P" 2>&1)
is "... control: the same unit alone in that kind of namespace gets its token" "$TOKEN_OK" "$(printf '%s\n' "$out" | probe)"

# 9. The publisher in a PID namespace of its own (as in a container), where Linux refuses it the
# mount namespace iterator: it walks the namespaces of the processes it sees instead, and still
# refuses a target that propagates to one of them.
out=$(unshare --pid --fork --mount-proc sh -c '
        ( umask 000; exec systemd-socket-activate --seqpacket --accept -l "$1/pidns.sock" "$2" --policy-dir="$3" ) \
                2>>"$1/publisher.log" &
        act=$!
        for i in $(seq 50); do [ -S "$1/pidns.sock" ] && break; sleep 0.1; done
        "$4" --cgroup="$5" --variant=systemd -- "$6" --socket="$1/pidns.sock" -- "$7" 2>&1 | sed "s/^/shared-target: /"
        mount --make-rshared /
        "$4" --cgroup="$5" --variant=leaky -- "$6" --socket="$1/pidns.sock" -- true 2>&1 | sed "s/^/leaky: /"
        kill $act' sh "$TMP" "$BPFTOKEN_PUBLISH" "$POL" "$S" "$SLICE/bpftoken-attack-t@2.service" "$E" "$P")
is "publisher in a PID namespace: a unit with a shared target (systemd < 258) gets its token" "$TOKEN_OK" \
        "$(printf '%s\n' "$out" | sed -n 's/^shared-target: //p' | probe)"
contains "... and a target that propagates to a namespace there is refused (found, not guessed)" \
        "propagates to other mount namespaces: a private mount namespace is needed (PrivateMounts=yes). (step shared: Invalid cross-device link)" "$out"

# 10. A root process copies the caller's mount namespace inside the publisher's window after its
# propagation check (nsenter, then unshare --mount: the copy's /sys/fs/bpf is a peer of the target):
# the instance propagates into the copy when it is attached. The re-check after the attach walks the
# namespaces created since the first walk, finds the copy, and detaches the instance.
"$S" --cgroup="$SLICE/bpftoken-attack-t@2.service" --variant=systemd -- \
        sh -c 'echo $$ >"$1"; exec "$2" --socket="$3" -- true' sh "$TMP/copied.pid" "$E" "$TMP/window.sock" \
        >"$TMP/copied.out" 2>&1 &
caller=$!
for _ in $(seq 50); do [ -s "$TMP/copied.pid" ] && break; sleep 0.05; done
# Inside the window: the publisher's attach helper has joined the caller's mount namespace (it checks
# the target within milliseconds, then the fault hook holds it for 1 s).
caller_ns=$(readlink "/proc/$(cat "$TMP/copied.pid")/ns/mnt")
for _ in $(seq 100); do
        for p in $(pgrep -x bpftoken-publis); do
                [ "$(readlink "/proc/$p/ns/mnt" 2>/dev/null)" = "$caller_ns" ] && break 2
        done
        sleep 0.02
done
sleep 0.1
nsenter --mount --target "$(cat "$TMP/copied.pid")" unshare --mount --propagation unchanged sh -c '
        sleep 1.5; awk '"'"'$5 == "/sys/fs/bpf" && / - bpf / { n++ } END { print n + 0 }'"'"' /proc/self/mountinfo >"$1"' \
        sh "$TMP/copy.mounts" &
copier=$!
wait "$caller"; echo "client-exit=$?" >>"$TMP/copied.out"
wait "$copier"
out=$(cat "$TMP/copied.out")
contains "a namespace copied from the caller's mid-request: refused" "client-exit=1" "$out"
contains "... because the instance propagated into it" "(step verify: Invalid cross-device link)" "$out"
is "... and the instance that propagated into the copy was detached with ours" "1" "$(cat "$TMP/copy.mounts")"
out=$("$S" --cgroup="$SLICE/bpftoken-attack-t@2.service" --variant=systemd -- "$E" --socket="$TMP/window.sock" -- "$P" 2>&1)
is "... control: the same slow publisher grants the unit when nothing copies its namespace" "$TOKEN_OK" \
        "$(printf '%s\n' "$out" | probe)"

log=$(cat "$TMP/publisher.log")
contains "decisions are logged: granted" "granted for - (pid" "$log"
ok "no bpffs entry appeared in the host's bpffs" host_bpffs_untouched
sleep 0.3
is "no publisher or helper left running" "" "$(for p in "${PUBLISHERS[@]}"; do pgrep -P "$p"; done)"

is "no sanitizer report from the publisher or its helpers" "" \
        "$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TMP/publisher.log" | head -3)"

done_testing
