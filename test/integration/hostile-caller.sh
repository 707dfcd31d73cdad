#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A hostile caller of bpftoken-publish: an unprivileged user with a policy of its own, inside a user and
# mount namespace it made itself (run it under 'unshare -Urm'), where it may rearrange its mounts and
# /proc as it likes while the publisher works for it.
#   hostile-caller.sh MODE SOCKET EXEC PROBE RAW-CLIENT
# The request is sent by RAW-CLIENT (raw-client.py: a hostile program, not bpftoken-exec, whose own
# checks would read the trap too), except in move-hook mode.
# MODE:
#   fifo       /proc/self/mountinfo is a FIFO nobody writes to (a reader stalls)
#   devzero    /proc/self/mountinfo is a symlink to /dev/zero (a reader grows without bound)
#   fakeline   /proc/self/mountinfo says a delegated bpffs is already at /sys/fs/bpf; none is
#   move-fifo  a tmpfs on /sys/fs/bpf, moved away (MS_MOVE) while a reader of mountinfo waits on the
#              FIFO between opening /sys/fs/bpf and using it, then a fake line for it
#   move-hook  a tmpfs on /sys/fs/bpf, moved away 1 s into the request (the publisher is started with
#              BPFTOKEN_TEST_FAULT=target-checked:sleep: a 1 s window after its checks)
# The probe runs once the request is answered, after the real /proc is back.
set -u
mode=$1 sock=$2 exec=$3 probe=$4 raw_client=$5

uid_map=$(cat /proc/self/uid_map)
# umount(8) reads /proc/self/mountinfo, which is the trap itself here: the raw system call instead.
export RAW_UMOUNT_PROC='import ctypes, sys; sys.exit(ctypes.CDLL(None, use_errno=True).umount2(b"/proc", 2) != 0)'
real_proc() { while python3 -c "$RAW_UMOUNT_PROC" 2>/dev/null; do :; done; }
mount -t tmpfs -o mode=755 tmpfs /mnt || exit 125
mkdir /mnt/moved

fake_proc() {
        mount -t tmpfs -o mode=755 fakeproc /proc || exit 125
        mkdir /proc/self
        printf '%s\n' "$uid_map" >/proc/self/uid_map
}

case $mode in
move-*)
        mount -t tmpfs -o mode=755 target /sys/fs/bpf || exit 125
        target_id=$(awk '$5 == "/sys/fs/bpf" { id = $1 } END { print id }' /proc/self/mountinfo)
        ;;
esac

server=
case $mode in
fifo)
        fake_proc
        mkfifo /proc/self/mountinfo
        ;;
devzero)
        fake_proc
        ln -s /dev/zero /proc/self/mountinfo
        ;;
fakeline)
        fake_proc
        echo "999 1 0:99 / /sys/fs/bpf rw,relatime - bpf none rw,delegate_cmds=any,delegate_maps=any" >/proc/self/mountinfo
        ;;
move-fifo)
        fake_proc
        mkfifo /proc/self/mountinfo
        (
                # First reader ("is something delegated there?"): an empty table.
                : >/proc/self/mountinfo
                sleep 0.5       # until that reader has closed it
                # Second reader (the propagation check, /sys/fs/bpf already opened): move the target
                # away, then describe it as a private tmpfs.
                exec 3>/proc/self/mountinfo
                mount --move /sys/fs/bpf /mnt/moved
                echo "$target_id 1 0:99 / /sys/fs/bpf rw,relatime - tmpfs target rw" >&3
                exec 3>&-
                while echo "$target_id 1 0:99 / /sys/fs/bpf rw,relatime - tmpfs target rw" 2>/dev/null >/proc/self/mountinfo; do :; done
        ) &
        server=$!
        ;;
esac

if [ "$mode" = move-hook ]; then
        "$exec" --socket="$sock" -- true >/mnt/out 2>&1 &
        client=$!
        sleep 0.3
        mount --move /sys/fs/bpf /mnt/moved
        wait "$client"
        echo "client-exit=$?"
        cat /mnt/out
else
        timeout 20 python3 "$raw_client" "$sock" valid 2>&1
        echo "client-exit=$?"
        real_proc
        LIBBPF_BPF_TOKEN_PATH=/sys/fs/bpf/token "$probe" 2>&1
fi

[ -n "$server" ] && kill "$server" 2>/dev/null
real_proc
echo "bpf-at-target=$(stat -f -c %T /sys/fs/bpf)"
echo "mounts-on-moved=$(awk '$5 ~ "^/mnt/moved" { n++ } END { print n + 0 }' /proc/self/mountinfo)"
echo "bpf-on-moved=$(awk '$5 ~ "^/mnt/moved" && $0 ~ " - bpf " { n++ } END { print n + 0 }' /proc/self/mountinfo)"
