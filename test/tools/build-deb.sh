#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# build-deb.sh SUITE OUTDIR: build the Debian package of this tree with `dpkg-buildpackage -us -uc`
# inside a SUITE (bookworm, trixie, forky) build chroot, run lintian on it there, and put the
# .deb, .changes, .buildinfo, .dsc and source tarball into OUTDIR.  Prints the .deb's path.
#
# The build chroot is a copy of the suite's end-to-end root filesystem (test/e2e/mkrootfs.sh) with
# the package's Build-Depends, build-essential and lintian installed with apt inside it.  It is
# cached in CACHE/buildroot/SUITE-KEY, KEY hashing the rootfs it came from, debian/control's
# Build-Depends and this script's recipe version; every build runs on a throw-away overlay of it,
# so the cache never changes.  On bookworm, libbpf-dev is bookworm's own 1.1 (the rootfs has 1.4
# from backports for the test clients): what Debian 12 builds with.
#
# lintian must report no error and no warning (overrides live in debian/ with their reasons).
#
# Environment: BPFTOKEN_E2E_CACHE (default /var/cache/bpftoken-e2e), BPFTOKEN_E2E_MIRROR,
# BPFTOKEN_DEB_REBUILD_ROOT=1 (build the chroot again).
set -euo pipefail

[[ $# -eq 2 ]] || { echo "usage: $0 bookworm|trixie|forky OUTDIR" >&2; exit 2; }
suite=$1
out=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
cache=${BPFTOKEN_E2E_CACHE:-/var/cache/bpftoken-e2e}
log() { printf 'build-deb[%s]: %s\n' "$suite" "$*" >&2; }
die() { log "error: $*"; exit 1; }
[[ $(id -u) -eq 0 ]] || die "must run as root (chroot, mounts)"
mkdir -p "$out"
out=$(cd "$out" && pwd)

rootfs=$("$src/test/e2e/mkrootfs.sh" "$suite" "$cache") || die "no $suite root filesystem"

# The build dependencies, from debian/control (alternatives kept: apt picks the first it has).
build_deps=$(sed -n '/^Build-Depends:/,/^[A-Z]/p' "$src/debian/control" | sed '1s/^Build-Depends://; /^[A-Z]/d' |
             tr -d '\n' | tr -s ' ' | sed 's/, *$//')
extra=(build-essential fakeroot lintian)
libbpf_pin=
[[ $suite == bookworm ]] && libbpf_pin="libbpf-dev/bookworm libbpf1/bookworm"
key=$(printf 'buildroot-version 1\nrootfs %s\ndeps %s\nextra %s\npin %s\n' \
        "$(basename "$rootfs")" "$build_deps" "${extra[*]}" "$libbpf_pin" | sha256sum | cut -c1-12)
broot=$cache/buildroot/$suite-$key

# in_chroot ROOT SCRIPT: run a bash script in ROOT, in a private mount namespace with /proc and
# /dev, apt's package cache shared with mkrootfs.sh.
in_chroot() {
        # shellcheck disable=SC2016 # expanded by the inner bash
        unshare --mount --propagation private -- bash -euc '
                root=$1; script=$2; debs=$3
                mount -t proc proc "$root/proc"
                mount --rbind /dev "$root/dev"
                mount --bind "$debs" "$root/var/cache/apt/archives"
                chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 \
                        DEBIAN_FRONTEND=noninteractive HOME=/root /bin/bash -euc "$script"
        ' bash "$1" "$2" "$cache/debs/$suite"
}

mkdir -p "$cache/buildroot" "$cache/debs/$suite"
exec 9>"$cache/buildroot/.lock-$suite"
flock 9
if [[ ! -e $broot/.complete || ${BPFTOKEN_DEB_REBUILD_ROOT:-0} == 1 ]]; then
        start=$SECONDS
        tmp=$cache/buildroot/.build-$suite-$key
        rm -rf "$tmp" "$broot"
        trap 'rm -rf --one-file-system "$tmp"' EXIT
        log "copying $rootfs into a build chroot"
        cp -a "$rootfs" "$tmp"
        rm -f "$tmp/.complete" "$tmp/.bpftoken-e2e-recipe"
        cp /etc/resolv.conf "$tmp/etc/resolv.conf"
        printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
        chmod 755 "$tmp/usr/sbin/policy-rc.d"
        script="apt-get -q update
                apt-get -q -y install ${extra[*]}
                apt-get -q -y satisfy '$build_deps'
                ${libbpf_pin:+apt-get -q -y --allow-downgrades install $libbpf_pin}
                rm -rf /var/lib/apt/lists/*
                dpkg-query -W -f '\${Package} \${Version}\n' libbpf-dev libsystemd-dev meson debhelper lintian"
        in_chroot "$tmp" "$script" >"$cache/buildroot/.apt-$suite.log" 2>&1 ||
                { tail -n 30 "$cache/buildroot/.apt-$suite.log" >&2; die "installing the build dependencies failed (log: $cache/buildroot/.apt-$suite.log)"; }
        tail -n 5 "$cache/buildroot/.apt-$suite.log" >&2
        find "$tmp/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -delete
        touch "$tmp/.complete"
        mv "$tmp" "$broot"
        trap - EXIT
        for old in "$cache/buildroot/$suite"-*; do
                [[ $old != "$broot" && -e $old/.complete ]] && rm -rf --one-file-system "$old"
        done
        log "build chroot $broot ready after $((SECONDS - start)) s"
fi
exec 9>&-

# A throw-away overlay of the build chroot, with this tree's files (what git tracks and what it
# would add; no build directories) in /build/bpftoken.
work=$(mktemp -d /var/tmp/bpftoken-deb-$suite.XXXXXX)
cleanup() {
        mountpoint -q "$work/root" && umount "$work/root"
        rm -rf --one-file-system "$work"
}
trap cleanup EXIT
mkdir -p "$work/upper" "$work/ovl" "$work/root"
mount -t overlay overlay -o "lowerdir=$broot,upperdir=$work/upper,workdir=$work/ovl" "$work/root"
mkdir -p "$work/root/build/bpftoken"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        (cd "$src" && git ls-files -z --cached --others --exclude-standard | xargs -0 -r ls -d 2>/dev/null |
                tar -cf - --no-recursion -T -) | tar -C "$work/root/build/bpftoken" -xf -
else
        tar -C "$src" --exclude='./build*' --exclude='./debian/bpftoken' -cf - . | tar -C "$work/root/build/bpftoken" -xf -
fi

log "dpkg-buildpackage -us -uc in $(basename "$broot")"
# shellcheck disable=SC2016 # expanded inside the chroot
if ! in_chroot "$work/root" 'cd /build/bpftoken && dpkg-buildpackage -us -uc' >"$out/build-$suite.log" 2>&1; then
        tail -n 40 "$out/build-$suite.log" >&2
        die "dpkg-buildpackage failed (log: $out/build-$suite.log)"
fi
# shellcheck disable=SC2016
in_chroot "$work/root" 'cd /build && lintian --info --display-info --pedantic --fail-on error,warning *.changes' \
        >"$out/lintian-$suite.log" 2>&1 || {
        cat "$out/lintian-$suite.log" >&2
        die "lintian reports errors or warnings (log: $out/lintian-$suite.log)"
}
grep -E '^[EW]: ' "$out/lintian-$suite.log" >&2 && die "lintian reports errors or warnings"
find "$work/root/build" -maxdepth 1 -type f \( -name '*.deb' -o -name '*.changes' -o -name '*.buildinfo' \
        -o -name '*.dsc' -o -name '*.tar.*' \) -exec cp {} "$out/" \;
log "built $(cd "$out" && ls ./*.deb | tr '\n' ' ')(lintian: $(grep -cE '^[IPX]: ' "$out/lintian-$suite.log" || true) info/pedantic notes, no errors or warnings)"
ls "$out"/bpftoken_*.deb
