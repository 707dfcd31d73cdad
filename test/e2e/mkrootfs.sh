#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# mkrootfs.sh SUITE [CACHE_DIR]
#
# Build (once) and cache a minimal Debian root filesystem for the end-to-end
# tests, and print its path on stdout.  SUITE is one of:
#
#   bookworm  Debian 12, systemd 252, bpftool + libbpf 1.4.6 from bookworm-backports
#   trixie    Debian 13, systemd 257, bpftool 7.5, libbpf 1.5
#   forky     Debian 14 (testing), systemd >= 258 (native PrivateBPF=), bpftool, libbpf 1.7
#
# The tree lives in CACHE_DIR/rootfs/SUITE-KEY, where KEY hashes the suite,
# the package list and everything else that shapes the tree (see recipe()).
# An existing tree with a .complete stamp is reused as is; a change to the
# recipe builds a new one (old ones are left for `rm -rf` by the caller).
#
# Nothing is ever added to the host's apt sources: every package comes from
# debootstrap and apt-get *inside* the chroot.  All mounts needed while
# building live in a private mount namespace, so nothing is left mounted on
# the host even if the build is killed.
#
# Environment:
#   BPFTOKEN_E2E_MIRROR  Debian mirror (default http://deb.debian.org/debian)
#   BPFTOKEN_E2E_CACHE   default cache directory (default /var/cache/bpftoken-e2e)
#   BPFTOKEN_E2E_REBUILD=1  ignore an existing tree and build it again

set -euo pipefail

usage() {
        echo "usage: $0 bookworm|trixie|forky [CACHE_DIR]" >&2
        exit 2
}

[[ $# -ge 1 && $# -le 2 ]] || usage
suite=$1
cache=${2:-${BPFTOKEN_E2E_CACHE:-/var/cache/bpftoken-e2e}}
mirror=${BPFTOKEN_E2E_MIRROR:-http://deb.debian.org/debian}

log() { printf 'mkrootfs[%s]: %s\n' "$suite" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root (debootstrap and chroot need it)"
command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install debootstrap"
command -v unshare >/dev/null || die "unshare is missing: apt-get install util-linux"

# Packages every suite gets.  systemd is PID 1; libsystemd0, libjson-c5,
# libmount1, libcap2 and libbpf1 are what bpftoken's binaries link against;
# bpftool and strace are the unmodified clients and the proof of token use;
# gcc, libc6-dev, libbpf-dev and pkg-config build the test loader inside the
# tree against *this* distribution's libbpf.  dbus: systemctl as root would
# do without it (it talks to PID 1 over /run/systemd/private), but
# systemd-run, busctl and systemctl as a user need the system bus, and a real
# host has one.  procps is for debugging.  iproute2 (ip, tc) and xdp-tools
# (xdp-loader) are the distributions' own attach clients (issue 8).
common_pkgs=(systemd dbus libsystemd0 libjson-c5 libmount1 libcap2 libbpf1 bpftool
             strace gcc libc6-dev libbpf-dev pkg-config procps iproute2 xdp-tools)
# Packages that must come from bookworm-backports on bookworm (libbpf >= 1.4
# is what makes unmodified programs use a token; bookworm has 1.1).
backports_pkgs=()
# Extra debootstrap arguments (the script to use) and apt options.
deboot_script=()
apt_opts=()

case "$suite" in
bookworm)
        backports_pkgs=(libbpf1 libbpf-dev bpftool)
        ;;
trixie)
        ;;
forky)
        # bookworm's debootstrap has no "forky" script; sid's works for testing.
        deboot_script=(/usr/share/debootstrap/scripts/sid)
        # forky's Release file carries a Valid-Until that this machine's
        # clock may be past; apt refuses it unless told not to check.
        apt_opts=(-o Acquire::Check-Valid-Until=false)
        ;;
*)
        usage
        ;;
esac

# Everything that determines the tree's content.  Bump the version string when
# the build steps below change in a way the lists do not show.
recipe() {
        printf 'recipe-version 3\nsuite %s\nmirror %s\ncommon %s\nbackports %s\napt %s\n' \
                "$suite" "$mirror" "${common_pkgs[*]}" "${backports_pkgs[*]}" "${apt_opts[*]}"
}
key=$(recipe | sha256sum | cut -c1-12)
dest=$cache/rootfs/$suite-$key

mkdir -p "$cache/rootfs"
# One builder per suite at a time; a second caller waits and then reuses.
exec 9>"$cache/rootfs/.lock-$suite"
flock 9

if [[ -e $dest/.complete && ${BPFTOKEN_E2E_REBUILD:-0} != 1 ]]; then
        log "cached: $dest"
        echo "$dest"
        exit 0
fi

start=$SECONDS
tmp=$cache/rootfs/.build-$suite-$key
rm -rf "$tmp" "$dest"
# Remove a half-built tree on any failure.
trap 'rm -rf "$tmp"' EXIT

log "debootstrap --variant=minbase $suite from $mirror"
# debootstrap mounts /proc and /sys in the target itself; run it in a private
# mount namespace so a killed build cannot leave those mounts behind.
# Downloaded packages are kept in CACHE_DIR/debs/SUITE, so a rebuild after a
# recipe change does not download everything again.
mkdir -p "$cache/debs/$suite"
unshare --mount --propagation private -- \
        debootstrap --variant=minbase --cache-dir="$cache/debs/$suite" \
        "$suite" "$tmp" "$mirror" "${deboot_script[@]}" \
        >"$cache/rootfs/.debootstrap-$suite.log" 2>&1 ||
        { tail -n 30 "$cache/rootfs/.debootstrap-$suite.log" >&2; die "debootstrap failed (log: $cache/rootfs/.debootstrap-$suite.log)"; }
log "debootstrap done after $((SECONDS - start)) s"

# apt configuration inside the tree: no recommends (smaller, faster), the
# Valid-Until override for forky (so later apt calls inside work as well), and
# bookworm-backports as a source on bookworm only.
printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
        >"$tmp/etc/apt/apt.conf.d/90bpftoken-e2e"
if [[ ${#apt_opts[@]} -gt 0 ]]; then
        echo 'Acquire::Check-Valid-Until "false";' >>"$tmp/etc/apt/apt.conf.d/90bpftoken-e2e"
fi
if [[ ${#backports_pkgs[@]} -gt 0 ]]; then
        echo "deb $mirror $suite-backports main" >"$tmp/etc/apt/sources.list.d/backports.list"
fi
# Keep maintainer scripts from starting services in the chroot.
printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
chmod 755 "$tmp/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$tmp/etc/resolv.conf"

# The install script runs in the chroot, in a private mount namespace that
# has /proc and /dev (some maintainer scripts need them).
install_script=$(cat <<EOF
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin
apt-get -q ${apt_opts[*]} update
apt-get -q -y install ${common_pkgs[*]}
if [ -n "${backports_pkgs[*]}" ]; then
        apt-get -q -y -t $suite-backports install ${backports_pkgs[*]}
fi
rm -rf /var/lib/apt/lists/*
EOF
)
log "apt-get install ${common_pkgs[*]} ${backports_pkgs[*]:+(backports: ${backports_pkgs[*]})}"
# shellcheck disable=SC2016 # expanded by the inner bash
unshare --mount --propagation private -- bash -euc '
        root=$1; script=$2; debs=$3
        mount -t proc proc "$root/proc"
        mount --rbind /dev "$root/dev"
        # The same package cache as debootstrap (see above).
        mount --bind "$debs" "$root/var/cache/apt/archives"
        chroot "$root" /bin/bash -c "$script"
' bash "$tmp" "$install_script" "$cache/debs/$suite" >"$cache/rootfs/.apt-$suite.log" 2>&1 ||
        { tail -n 30 "$cache/rootfs/.apt-$suite.log" >&2; die "package installation failed (log: $cache/rootfs/.apt-$suite.log)"; }
log "packages installed after $((SECONDS - start)) s"

rm -f "$tmp/usr/sbin/policy-rc.d"
# What `apt-get clean` would remove: debootstrap's packages (they live in the
# cache directory) and apt's binary caches.
find "$tmp/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -delete
rm -f "$tmp"/var/cache/apt/*.bin
# A fixed machine ID: an empty one makes systemd treat every boot as the first
# one (presets applied, ConditionFirstBoot units run), which slows the boot and
# changes the unit set.  Every disposable copy may share it.
od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$tmp/etc/machine-id"
echo >>"$tmp/etc/machine-id"
echo "e2e-$suite" >"$tmp/etc/hostname"
# Journal in /run only (the copy is thrown away anyway; the harness collects
# the journal with journalctl before poweroff).
mkdir -p "$tmp/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\n' >"$tmp/etc/systemd/journald.conf.d/90-bpftoken-e2e.conf"

# Record what the tree is, for the harness and for humans.
{
        recipe
        echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) in $((SECONDS - start)) s"
        # shellcheck disable=SC2016 # dpkg-query's format, not the shell's
        chroot "$tmp" dpkg-query -W -f '${Package} ${Version}\n' systemd libbpf1 bpftool strace
} >"$tmp/.bpftoken-e2e-recipe"

touch "$tmp/.complete"
mv "$tmp" "$dest"
trap - EXIT
# Trees of this suite built from an older recipe are dead weight (~400 MB each).
for old in "$cache/rootfs/$suite"-*; do
        [[ $old != "$dest" && -e $old/.complete ]] || continue
        log "removing the stale tree $old"
        rm -rf --one-file-system "$old"
done
log "built $dest in $((SECONDS - start)) s ($(du -sh "$dest" | cut -f1))"
echo "$dest"
