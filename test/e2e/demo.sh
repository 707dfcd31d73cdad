#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# demo.sh [SUITE]: bpftoken end to end, in a few minutes, on this machine.
#
#   1. builds (or reuses) a Debian root filesystem: trixie (systemd 257) by
#      default, or SUITE (bookworm = 252, forky = 262 with native PrivateBPF=);
#   2. builds bpftoken's Debian package for it, the way Debian builds packages
#      (dpkg-buildpackage in a clean build chroot, lintian; forky gets
#      trixie's), unless BPFTOKEN_DESTDIR names a `meson install` tree;
#   3. boots a throwaway copy of the root filesystem with its own systemd as
#      PID 1 and installs the package with apt, as an administrator would;
#   4. starts test/e2e/units/demo.service -- a User=nobody service written
#      with systemd 258's PrivateBPF=/BPFDelegate*= lines only -- whose
#      unmodified libbpf programs (bpftool, and a plain bpf_object__load()
#      loader) load a socket filter through the service's BPF token;
#   5. shows the strace lines that prove the token was used, the unit's
#      journal and, when it is installed, `bpftoken-analyze status/units`;
#   6. powers the container off and removes it.
#
# Needs root and a kernel with BPF tokens (>= 6.9); installs debootstrap,
# clang, meson/ninja and the libraries from Debian's archive if missing.  Exit
# status 0 when the service got and used its token.
#
# Environment: BPFTOKEN_DEBS (a directory with DEBS/SUITE/bpftoken_*.deb: skip
# the package build), BPFTOKEN_DESTDIR (a meson install tree instead of the
# package), BPFTOKEN_E2E_CACHE (root filesystems and build chroots, default
# /var/cache/bpftoken-e2e), BPFTOKEN_E2E_KEEP=1 (keep the copy).

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
E2E_HERE=$here
# shellcheck source=container.sh
. "$here/container.sh"
# shellcheck source=lib.sh
. "$here/lib.sh"

suite=${1:-trixie}
cache=${BPFTOKEN_E2E_CACHE:-/var/cache/bpftoken-e2e}
unit=demo.service

if [[ -t 1 ]]; then
        bold=$'\e[1m' green=$'\e[32m' red=$'\e[31m' off=$'\e[0m'
else
        bold='' green='' red='' off=''
fi
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$off"; }
info() { printf '    %s\n' "$*"; }
indent() { sed 's/^/    /'; }
die() { printf '%sdemo failed: %s%s\n' "$red" "$*" "$off" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run me as root: booting a container needs it"
# On a fresh machine: the build tools, libraries and debootstrap, from Debian's archive.
"$repo/test/tools/install-deps.sh" || die "could not install the build and test dependencies"
ct_check_host || die "install the missing tools above first"
ct_sweep_stale

work=$(mktemp -d /var/tmp/bpftoken-demo.XXXXXX)
# shellcheck disable=SC2317 # called from the trap
cleanup() {
        ct_cleanup
        rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
t0=$SECONDS

# 1. The root filesystem (cached after the first run).
step "Preparing a Debian $suite root filesystem (cached in $cache/rootfs)"
t=$SECONDS
rootfs=$("$here/mkrootfs.sh" "$suite" "$cache" 2> >(indent >&2)) || die "could not build the $suite root filesystem"
info "$rootfs ($((SECONDS - t)) s)"

# 2. The package (or a developer's install tree).
destdir= deb=
if [[ -n ${BPFTOKEN_DESTDIR:-} ]]; then
        step "Using the bpftoken install tree in $BPFTOKEN_DESTDIR"
        destdir=$BPFTOKEN_DESTDIR
else
        debs=${BPFTOKEN_DEBS:-$work/debs}
        step "Building the bpftoken package for Debian $(e2e_deb_suite "$suite") (dpkg-buildpackage in a build chroot, lintian)"
        t=$SECONDS
        e2e_build_debs "$debs" "$suite" 2> >(indent >&2) || die "the package build failed (see above)"
        deb=$(e2e_find_deb "$debs" "$suite") || die "no package in $debs"
        info "$(basename "$deb"), $((SECONDS - t)) s; it contains:"
        dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print $6 }' | indent
fi

# 3. A disposable copy, with bpftoken and the demo files in it; boot it.
step "Booting a throwaway copy with its own systemd as PID 1"
ct_create "$rootfs" "bpftoken-demo-$suite-$$"
[[ -z $destdir ]] || ct_install_destdir "$destdir"
mkdir -p "$work/objs"
e2e_build_objects "$work/objs" || die "clang could not build the BPF object"
e2e_stage_files "$work/objs" "$here/units/$unit"
t=$SECONDS
ct_boot || die "the container did not boot (see above)"
sd=$(e2e_systemd_version)
info "systemd $sd is running as PID 1 (host PID $CT_PID1), booted in $((SECONDS - t)) s"
if [[ -n $deb ]]; then
        step "apt install ./$(basename "$deb") (reloads systemd, so the generator runs; starts the publisher socket)"
        ct_install_deb "$deb" 2>&1 | grep -E '^(Unpacking|Setting up|Created symlink|E:)' | indent || die "installing the package failed"
        info "bpftoken-publish.socket: $(ct_exec systemctl is-enabled bpftoken-publish.socket), $(ct_exec systemctl is-active bpftoken-publish.socket)"
else
        ct_post_install 2>&1 | indent || die "setting up bpftoken in the container failed"
fi
if [[ $sd -ge 258 ]]; then
        if e2e_has_generator; then
                info "systemd $sd implements PrivateBPF= natively; bpftoken-generator adds its prerequisites"
        else
                e2e_add_native_prereqs "$CT_ROOT/etc/systemd/system/$unit"
                ct_exec systemctl daemon-reload
                info "systemd $sd implements PrivateBPF= natively; no bpftoken-generator installed,"
                info "so the demo added PrivateUsers=/PrivateMounts=/DelegateNamespaces=mnt itself"
        fi
else
        info "systemd $sd has no PrivateBPF=: bpftoken-generator turns the directives into a bpftoken-exec wrapper"
fi
# The service's own system user, as a package would create it.
ct_exec useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin bpfdemo
v=$(e2e_build_progs 2>&1) || { indent <<<"$v"; die "could not build e2e-loader in the container"; }
info "built e2e-loader in the container against its libbpf $(head -n 1 <<<"$v")"

# 4. The unit, as systemd sees it (with any drop-in the generator wrote), and start it.
step "The unit (systemctl cat $unit)"
ct_exec systemctl cat "$unit" | indent

step "Starting $unit"
cursor=$(ct_exec journalctl --no-pager -q -n 1 --show-cursor -o cat | sed -n 's/^-- cursor: //p')
ct_exec systemctl start "$unit" || true
state=
for ((i = 0; i < 150; i++)); do
        state=$(ct_exec systemctl show -P ActiveState "$unit")
        ct_exec journalctl --no-pager -q -o cat --after-cursor="$cursor" -u "$unit" | grep -q 'e2e-loader: holding' && break
        [[ $state == failed || $state == inactive ]] && break
        sleep 0.2
done
log=$(ct_exec journalctl --no-pager -q -o cat --after-cursor="$cursor" -u "$unit" | awk -f "$here/compact-strace.awk")

# 5. The proof, then the whole journal.
step "Token use, from strace inside the service"
info "(bpf() calls shortened; libbpf's feature probes left out)"
# A token shows as BPF_TOKEN_CREATE (0x24 for strace < 6.8) and as
# BPF_F_TOKEN_FD (0x10000) in the flags of the loads that used it.
with_token='(_flags=[^,]*(BPF_F_TOKEN_FD|0x10000)|token_fd=[1-9])'
proof=$(grep -E "BPF_TOKEN_CREATE|0x24 /\\*|(BPF_MAP_CREATE|BPF_PROG_LOAD.*SOCKET_FILTER).*$with_token.* = [0-9]+\$|token fd|^== " <<<"$log" |
        grep -v libbpf_nametest) || true
if [[ -n $proof ]]; then
        indent <<<"$proof"
else
        info "none: the programs never created or used a token (see the journal below)"
fi

step "The unit's journal (journalctl -u $unit)"
info "(bpf() calls shortened; $(grep -c 'BPF_BTF_LOAD' <<<"$log" || true) BPF_BTF_LOAD calls of libbpf's probes left out)"
grep -v 'BPF_BTF_LOAD' <<<"$log" | indent

ok=1
grep -qE 'bpf\((BPF_TOKEN_CREATE|0x24 /\* BPF_\?\?\? \*/), .* = [0-9]+$' <<<"$log" || ok=0
grep -qE "bpf\(BPF_PROG_LOAD, .*$with_token.* = [0-9]+\$" <<<"$log" || ok=0
grep -q 'e2e-loader: token fd' <<<"$log" || ok=0
[[ $(ct_exec systemctl show -P ActiveState "$unit") == active ]] || ok=0

# The inspection tool, if it is part of this build.
if ct_sh 'command -v bpftoken-analyze' >/dev/null 2>&1; then
        step "bpftoken-analyze status $unit"
        ct_exec bpftoken-analyze --no-pager status "$unit" 2>&1 | indent || true
        step "bpftoken-analyze units"
        ct_exec bpftoken-analyze --no-pager units 2>&1 | indent || true
else
        step "bpftoken-analyze"
        info "not part of this build yet: skipped (it would show the unit's requested and effective delegation)"
fi

# 6. Done.
step "Stopping $unit and powering the container off"
ct_exec systemctl stop "$unit" || true
ct_poweroff || true
ct_cleanup
if [[ $ok -eq 1 ]]; then
        printf '\n%sThe service loaded its BPF program through its token (systemd %s, %s). Total %d s.%s\n' \
                "$green$bold" "$sd" "$suite" "$((SECONDS - t0))" "$off"
        exit 0
fi
printf '\n%sThe service did not load through a token (state: %s); see the journal above.%s\n' \
        "$red$bold" "$state" "$off"
exit 1
