#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# container.sh: boot a disposable copy of a cached root filesystem with its
# own systemd as PID 1, without systemd-nspawn and without systemd on the
# host (see shared/notes/e2e-containers.md for the measured recipe).
#
# Used two ways:
#
#  * sourced, as a library (run-matrix.sh, demo.sh):
#        . test/e2e/container.sh
#        ct_create ROOTFS NAME           # overlayfs copy of ROOTFS
#        ct_install_destdir DESTDIR      # optional: the project's meson install tree
#        ct_boot                         # systemd as PID 1, waits until booted
#        ct_exec systemctl status        # run a command inside
#        ct_post_install                 # daemon-reload, enable bpftoken-publish.socket
#        ct_save_journal FILE
#        ct_poweroff
#        ct_cleanup                      # always safe; also run from the EXIT trap
#    One container per shell at a time (the state is in CT_* variables).
#    ct_trap_cleanup installs EXIT/INT/TERM traps that tear everything down.
#
#  * as a command, for poking at a suite by hand:
#        test/e2e/container.sh shell SUITE [DESTDIR]   # interactive shell inside
#        test/e2e/container.sh run SUITE CMD...        # one command, then poweroff
#
# What "disposable" guarantees: ct_cleanup kills every process of the
# container through its cgroup (cgroup.kill), unmounts the overlay and
# removes the work directory, whether the run succeeded or not.  All other
# mounts (proc, sys, cgroup2, bpffs, /dev, /run) are made inside the
# container's private mount namespace and vanish with it.
#
# Environment:
#   BPFTOKEN_E2E_CACHE    rootfs cache (default /var/cache/bpftoken-e2e)
#   BPFTOKEN_E2E_WORKDIR  where copies live while running (default /var/tmp)
#   BPFTOKEN_E2E_COPY     overlay (default) or cp (a full copy, slower)
#   BPFTOKEN_E2E_KEEP=1   keep the work directory (upper layer, console log)
#   BPFTOKEN_E2E_BOOT_TIMEOUT  seconds to wait for the boot (default 120)

# Only the command form sets shell options; a sourcing script has its own.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
        set -euo pipefail
fi

CT_NAME=
CT_WORK=
CT_ROOT=
CT_CGROUP=
CT_PID1=
CT_LAUNCHER=
CT_MOUNTED=
CT_CONSOLE=

ct_log() { printf 'container[%s]: %s\n' "${CT_NAME:-?}" "$*" >&2; }

# ct_check_host: every host tool and kernel feature the containers need,
# with the Debian package that provides it.  Prints what is missing.
ct_check_host() {
        local missing=() c
        for c in unshare:util-linux nsenter:util-linux findmnt:util-linux mountpoint:util-linux \
                 flock:util-linux script:bsdutils tar:tar; do
                command -v "${c%%:*}" >/dev/null || missing+=("${c%%:*} (apt-get install ${c#*:})")
        done
        if ! grep -qw overlay /proc/filesystems && ! modprobe overlay 2>/dev/null; then
                ct_log "note: no overlayfs in this kernel; copies will be full cp -a copies (slower)"
        fi
        [[ $(id -u) -eq 0 ]] || missing+=("root privileges")
        if [[ ${#missing[@]} -gt 0 ]]; then
                ct_log "missing on the host: ${missing[*]}"
                return 1
        fi
}

# The host's cgroup2 mount point: /sys/fs/cgroup on a unified host,
# /sys/fs/cgroup/unified on a hybrid one (like this project's CI machine).
# A host with only cgroup v1 gets a cgroup2 hierarchy mounted for the tests
# (left mounted: it is harmless and shared by later runs).
ct_cgroup2_root() {
        local mnt
        mnt=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
        if [[ -z $mnt ]]; then
                mnt=/run/bpftoken-e2e-cgroup2
                mkdir -p "$mnt"
                mount -t cgroup2 none "$mnt" || { ct_log "cannot mount a cgroup2 hierarchy on the host"; return 1; }
                ct_log "mounted a cgroup2 hierarchy at $mnt"
        fi
        echo "$mnt"
}

# ct_create ROOTFS [NAME]: make a writable copy of ROOTFS (an overlay with
# ROOTFS as the read-only lower layer, so the cache is never modified).
ct_create() {
        local lower=$1
        [[ -d $lower ]] || { ct_log "no root filesystem at $lower"; return 1; }
        CT_NAME=${2:-bpftoken-e2e-$$}
        CT_WORK=$(mktemp -d "${BPFTOKEN_E2E_WORKDIR:-/var/tmp}/$CT_NAME.XXXXXX")
        CT_ROOT=$CT_WORK/root
        CT_CONSOLE=$CT_WORK/console.log
        mkdir -p "$CT_ROOT"
        # Who owns this copy, for ct_sweep_stale after a harness that was killed
        # too hard to clean up (SIGKILL, power loss).
        echo "$$" >"$CT_WORK/owner.pid"
        if [[ ${BPFTOKEN_E2E_COPY:-overlay} == overlay ]] &&
           mkdir -p "$CT_WORK/upper" "$CT_WORK/ovl" &&
           mount -t overlay overlay \
                 -o "lowerdir=$lower,upperdir=$CT_WORK/upper,workdir=$CT_WORK/ovl" "$CT_ROOT"; then
                CT_MOUNTED=1
        else
                ct_log "overlayfs unavailable, copying $lower (slower)"
                cp -a "$lower/." "$CT_ROOT/"
        fi
}

# ct_install_destdir DIR: copy a `meson install --destdir DIR` tree into the
# copy.  tar with --keep-directory-symlink follows the root filesystem's
# merged-/usr symlinks (/lib -> usr/lib) instead of replacing them, and with
# --no-overwrite-dir leaves the modes of existing directories alone.
ct_install_destdir() {
        local dir=$1
        [[ -d $dir ]] || { ct_log "install tree $dir does not exist"; return 1; }
        # --no-overwrite-dir: the tree's directories (its top, a 0700 mktemp -d, above all) must not
        # change the modes of the copy's /, /usr ...: a 0700 / breaks every unprivileged service.
        tar -C "$dir" -cf - . |
                tar -C "$CT_ROOT" --keep-directory-symlink --no-overwrite-dir --no-same-owner -xf -
}

# The init script: runs as PID 1 of the new PID namespace, in private mount,
# UTS, IPC and cgroup namespaces, sets up the API file systems systemd
# expects from a container manager, pivots into the copy and execs systemd.
ct_write_init() {
        cat >"$CT_WORK/init.sh" <<'EOF'
#!/bin/bash
set -euo pipefail
root=$1 name=$2
hostname "$name"
# pivot_root needs the new root to be a mount point.
mount --bind "$root" "$root"
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
# sysfs read-only, as container managers do; mounts on top of it still work.
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"
# systemd >= 258 has no cgroup v1 support: give it the unified hierarchy.
# In our cgroup namespace its root is the container's own cgroup.
mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$root/sys/fs/cgroup"
# The container's own "host-level" bpffs, where the harness pins an object
# that PrivateBPF=yes units must not see.
mount -t bpf -o mode=0700 bpf "$root/sys/fs/bpf"
# /dev: a tmpfs with the few host device nodes services need.
mount -t tmpfs -o mode=755,nosuid,size=4m tmpfs "$root/dev"
for n in null zero full random urandom tty; do
        touch "$root/dev/$n"
        mount --bind "/dev/$n" "$root/dev/$n"
done
mkdir -p "$root/dev/pts" "$root/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts "$root/dev/pts"
ln -s pts/ptmx "$root/dev/ptmx"
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"
ln -s /proc/self/fd/1 "$root/dev/stdout"
ln -s /proc/self/fd/2 "$root/dev/stderr"
# The console is the pty `script` gave us (its output lands in console.log).
touch "$root/dev/console"
mount --bind "$(tty)" "$root/dev/console"
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$root/run"
cd "$root"
# pivot_root(".", ".") stacks the old root on top of the new one; the lazy
# unmount then drops it, leaving nothing of the host visible inside.
pivot_root . .
umount -l .
# systemd makes every mount shared at boot on a real host, but leaves
# propagation to the container manager when it runs in a container (as
# systemd-nspawn does, do it here).  A unit's private mount namespace then
# looks as on a host ("shared:N master:M"); the peer groups are the
# container's own, nothing propagates to the real host.
mount --make-rshared /
# console-getty.service must be masked: with it, poweroff under systemd 262
# hangs for ~110 s.  systemd-modules-load.service fails in a container (no
# modules tree) and would only mark the boot "degraded", so it is masked too.
# container= tells systemd it runs in a container.
exec /usr/bin/env -i container="$name" TERM=vt220 \
        /lib/systemd/systemd systemd.mask=console-getty.service systemd.mask=systemd-modules-load.service
EOF
        chmod 755 "$CT_WORK/init.sh"
}

# ct_find_pid1: the host PID of the container's PID 1 (the process in our
# cgroup whose innermost PID is 1).
ct_find_pid1() {
        local pid nspid
        while read -r pid; do
                nspid=$(awk '/^NSpid:/ { print (NF >= 3 ? $NF : "x") }' "/proc/$pid/status" 2>/dev/null) || continue
                if [[ $nspid == 1 ]]; then
                        echo "$pid"
                        return 0
                fi
        # systemd moves itself into init.scope below the container's cgroup early in its boot.
        done < <(cat "$CT_CGROUP"/cgroup.procs "$CT_CGROUP"/init.scope/cgroup.procs 2>/dev/null)
        return 1
}

# ct_boot: start systemd as PID 1 in the copy and wait until it has booted
# (`systemctl is-system-running --wait`: running, or degraded, is fine).
ct_boot() {
        local cg2 i state
        cg2=$(ct_cgroup2_root) || return 1
        CT_CGROUP=$cg2/$CT_NAME
        mkdir "$CT_CGROUP"
        echo "$CT_CGROUP" >"$CT_WORK/cgroup"
        ct_write_init
        # The launcher moves itself into the container's cgroup first, so the
        # cgroup namespace unshare creates is rooted there and every process
        # of the container (and the launcher itself) can be killed through it.
        # `script` provides the pty that becomes /dev/console.
        local cmd
        cmd=$(printf '%q ' unshare --pid --fork --mount --uts --ipc --cgroup --propagation private \
                "$CT_WORK/init.sh" "$CT_ROOT" "$CT_NAME")
        (
                echo "$BASHPID" >"$CT_CGROUP/cgroup.procs"
                exec script -qfec "$cmd" "$CT_CONSOLE" </dev/null >/dev/null 2>&1
        ) &
        CT_LAUNCHER=$!
        for ((i = 0; i < 100; i++)); do
                CT_PID1=$(ct_find_pid1) && break
                CT_PID1=
                kill -0 "$CT_LAUNCHER" 2>/dev/null || break
                sleep 0.1
        done
        if [[ -z $CT_PID1 ]]; then
                ct_log "systemd did not start; console log:"
                cat "$CT_CONSOLE" >&2 || true
                return 1
        fi
        # Wait for PID 1 to be systemd (the init script execs it), then for the boot.
        for ((i = 0; i < 100; i++)); do
                [[ $(readlink "/proc/$CT_PID1/exe" 2>/dev/null) == */systemd ]] &&
                        ct_exec test -S /run/systemd/private 2>/dev/null && break
                sleep 0.1
        done
        # Poll rather than 'is-system-running --wait': on systemd 252 --wait needs the D-Bus system
        # bus, and a boot whose dbus.service is slow to start then ends at once with no state.
        local deadline=$((SECONDS + ${BPFTOKEN_E2E_BOOT_TIMEOUT:-120}))
        while :; do
                state=$(ct_exec systemctl is-system-running 2>/dev/null) || true
                case $state in
                initializing | starting | "") ;;
                *) break ;;
                esac
                ((SECONDS < deadline)) || break
                sleep 0.5
        done
        case $state in
        running) ;;
        degraded)
                ct_log "booted degraded; failed units:"
                ct_exec systemctl --failed --no-legend --plain >&2 || true
                ;;
        *)
                ct_log "boot did not finish (state '${state:-unknown}'); console log:"
                tail -n 40 "$CT_CONSOLE" >&2 || true
                return 1
                ;;
        esac
}

# ct_exec CMD...: run a command inside the container: all its namespaces,
# its root and working directory, a clean environment.
ct_exec() {
        nsenter -t "$CT_PID1" -m -u -i -p -C -r -w \
                /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
                LANG=C.UTF-8 TERM=dumb SYSTEMD_PAGER= SYSTEMD_COLORS=0 SYSTEMD_LOG_COLOR=0 "$@"
}

# ct_sh SCRIPT [ARGS...]: run a bash snippet inside.
ct_sh() {
        local script=$1
        shift
        ct_exec /bin/bash -c "$script" bash "$@"
}

# ct_post_install: after ct_install_destdir and ct_boot, let systemd see the
# project's units and generator, and enable the publisher socket if installed.
ct_post_install() {
        ct_exec ldconfig
        ct_exec systemctl daemon-reload
        if ct_exec systemctl cat bpftoken-publish.socket >/dev/null 2>&1; then
                ct_exec systemctl enable --now bpftoken-publish.socket
        else
                ct_log "bpftoken-publish.socket is not installed; nothing to enable"
        fi
}

# ct_save_journal FILE: the whole journal of this boot, monotonic timestamps.
ct_save_journal() {
        ct_exec journalctl --no-pager -b -o short-monotonic >"$1" 2>&1 || true
}

# ct_poweroff: orderly shutdown; wait for PID 1 to exit (falls back to kill).
ct_poweroff() {
        local i
        [[ -n $CT_PID1 ]] || return 0
        ct_exec systemctl --no-block poweroff >/dev/null 2>&1 || true
        for ((i = 0; i < 600; i++)); do
                kill -0 "$CT_PID1" 2>/dev/null || break
                sleep 0.1
        done
        if kill -0 "$CT_PID1" 2>/dev/null; then
                ct_log "systemd did not power off within 60 s; killing the container"
                ct_kill
                return 1
        fi
        wait "$CT_LAUNCHER" 2>/dev/null || true
        CT_PID1=
}

# ct_kill: kill every process in the container's cgroup tree.
ct_kill() {
        local i pids
        [[ -n $CT_CGROUP && -d $CT_CGROUP ]] || return 0
        if [[ -e $CT_CGROUP/cgroup.kill ]]; then
                echo 1 >"$CT_CGROUP/cgroup.kill" 2>/dev/null || true
        else
                pids=$(find "$CT_CGROUP" -name cgroup.procs -exec cat {} + 2>/dev/null)
                # shellcheck disable=SC2086 # one PID per word
                [[ -z $pids ]] || kill -9 $pids 2>/dev/null || true
        fi
        for ((i = 0; i < 50; i++)); do
                [[ -z $(find "$CT_CGROUP" -name cgroup.procs -exec cat {} + 2>/dev/null) ]] && break
                sleep 0.1
        done
}

# ct_cleanup: tear down whatever exists, in order; safe to call repeatedly
# and from a trap.  Never leaves a mount, a process or a cgroup behind.
ct_cleanup() {
        local i
        if [[ -n $CT_PID1 ]] && kill -0 "$CT_PID1" 2>/dev/null; then
                ct_kill
        fi
        CT_PID1=
        if [[ -n $CT_LAUNCHER ]]; then
                kill -0 "$CT_LAUNCHER" 2>/dev/null && ct_kill
                wait "$CT_LAUNCHER" 2>/dev/null || true
                CT_LAUNCHER=
        fi
        if [[ -n $CT_CGROUP && -d $CT_CGROUP ]]; then
                ct_kill
                # Child cgroups (systemd's slices and scopes) first.
                find "$CT_CGROUP" -depth -type d -exec rmdir {} + 2>/dev/null || true
                [[ -d $CT_CGROUP ]] && ct_log "warning: could not remove cgroup $CT_CGROUP"
        fi
        CT_CGROUP=
        if [[ -n $CT_MOUNTED ]]; then
                for ((i = 0; i < 20; i++)); do
                        umount "$CT_ROOT" 2>/dev/null && break
                        sleep 0.2
                done
                if mountpoint -q "$CT_ROOT"; then
                        ct_log "warning: $CT_ROOT still busy, detaching it lazily"
                        umount -l "$CT_ROOT" || true
                fi
                CT_MOUNTED=
        fi
        if [[ -n $CT_WORK && -d $CT_WORK ]]; then
                if [[ ${BPFTOKEN_E2E_KEEP:-0} == 1 ]]; then
                        ct_log "kept $CT_WORK"
                else
                        rm -rf --one-file-system "$CT_WORK"
                fi
        fi
        CT_WORK=
}

# ct_sweep_stale: remove what a killed harness left behind: copies whose
# owner process is gone, their container's processes (through the recorded
# cgroup), the overlay mount and the work directory.
ct_sweep_stale() {
        local dir owner cg
        for dir in "${BPFTOKEN_E2E_WORKDIR:-/var/tmp}"/bpftoken-*.??????; do
                [[ -f $dir/owner.pid ]] || continue
                owner=$(cat "$dir/owner.pid")
                # Alive, and not a zombie waiting to be reaped.
                [[ -r /proc/$owner/stat && $(awk '{ print $3 }' "/proc/$owner/stat" 2>/dev/null) != Z ]] && continue
                ct_log "removing $dir, left behind by process $owner"
                cg=$(cat "$dir/cgroup" 2>/dev/null) || cg=
                if [[ -n $cg && -d $cg ]]; then
                        echo 1 >"$cg/cgroup.kill" 2>/dev/null || true
                        sleep 0.5
                        find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null || true
                fi
                if mountpoint -q "$dir/root"; then
                        umount "$dir/root" 2>/dev/null || umount -l "$dir/root" || true
                fi
                rm -rf --one-file-system "$dir"
        done
}

# ct_trap_cleanup: make sure ct_cleanup runs however the caller exits.
ct_trap_cleanup() {
        trap 'ct_cleanup' EXIT
        trap 'ct_log "interrupted"; exit 130' INT
        trap 'ct_log "terminated"; exit 143' TERM
}

# --- command form ----------------------------------------------------------
ct_main() {
        local here cmd suite rootfs destdir=
        here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
        cmd=${1:-}
        suite=${2:-}
        [[ ($cmd == shell || $cmd == run) && -n $suite ]] || {
                echo "usage: $0 shell SUITE [DESTDIR] | run SUITE CMD..." >&2
                exit 2
        }
        shift 2
        if [[ $cmd == shell && $# -gt 0 ]]; then
                destdir=$1
        fi
        ct_check_host || exit 1
        ct_sweep_stale
        rootfs=$("$here/mkrootfs.sh" "$suite" "${BPFTOKEN_E2E_CACHE:-/var/cache/bpftoken-e2e}")
        ct_trap_cleanup
        ct_create "$rootfs" "bpftoken-e2e-$suite-$$"
        [[ -n $destdir ]] && ct_install_destdir "$destdir"
        # The e2e test programs and scenario units, for trying things by hand
        # (the units are installed, not started).
        E2E_HERE=$here
        # shellcheck source=lib.sh
        . "$here/lib.sh"
        mkdir -p "$CT_WORK/objs"
        e2e_build_objects "$CT_WORK/objs"
        e2e_stage_files "$CT_WORK/objs" "$here"/units/*.service
        ct_boot
        [[ -n $destdir ]] && ct_post_install
        e2e_build_progs >/dev/null
        ct_exec systemctl daemon-reload
        if [[ $cmd == shell ]]; then
                ct_log "PID 1 is host PID $CT_PID1; the test programs are in $E2E_LIB, the scenario units in /etc/systemd/system"
                ct_log "exit the shell to power off"
                ct_exec /bin/bash -l || true
        else
                ct_exec "$@" || ct_log "command exited with status $?"
        fi
        ct_poweroff
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
        ct_main "$@"
fi
