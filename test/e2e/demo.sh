#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# demo.sh [SUITE]: bpftoken end to end, in a few minutes, on this machine.
#
#   1. builds bpftoken (meson setup / compile / install --destdir into a
#      temporary directory), unless BPFTOKEN_DESTDIR names a built tree;
#   2. builds (or reuses) a Debian root filesystem: trixie (systemd 257) by
#      default, or SUITE (bookworm = 252, forky = 262 with native PrivateBPF=);
#   3. boots a throwaway copy of it with its own systemd as PID 1, installs
#      bpftoken into it;
#   4. starts test/e2e/units/demo.service -- a User=nobody service written
#      with systemd 258's PrivateBPF=/BPFDelegate*= lines only -- whose
#      unmodified libbpf programs (bpftool, and a plain bpf_object__load()
#      loader) load a socket filter through the service's BPF token;
#   5. shows the strace lines that prove the token was used, the unit's
#      journal and, when it is installed, `bpftoken-analyze status/units`;
#   6. powers the container off and removes it.
#
# Needs root and a kernel with BPF tokens (>= 6.9); installs debootstrap,
# clang, meson/ninja and the libraries from Debian's archive if missing.  Exit status 0 when the service got and used its token.
#
# Environment: BPFTOKEN_DESTDIR (skip the build), BPFTOKEN_E2E_CACHE (rootfs
# cache, default /var/cache/bpftoken-e2e), BPFTOKEN_E2E_KEEP=1 (keep the copy).

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

# 1. Build and install bpftoken into a staging tree.
if [[ -n ${BPFTOKEN_DESTDIR:-} ]]; then
        step "Using the bpftoken build in $BPFTOKEN_DESTDIR"
        destdir=$BPFTOKEN_DESTDIR
else
        step "Building bpftoken (meson, prefix /usr)"
        destdir=$work/dest
        if ! { meson setup "$work/build" "$repo" --prefix=/usr -Dtests=false &&
               meson compile -C "$work/build" &&
               meson install -C "$work/build" --destdir "$destdir"; } >"$work/build.log" 2>&1; then
                tail -n 30 "$work/build.log" | indent
                die "the build failed (full log above)"
        fi
        info "installed into $destdir:"
        (cd "$destdir" && find . -type f | sort | indent)
fi

# 2. The root filesystem (cached after the first run).
step "Preparing a Debian $suite root filesystem (cached in $cache/rootfs)"
t=$SECONDS
rootfs=$("$here/mkrootfs.sh" "$suite" "$cache" 2> >(indent >&2)) || die "could not build the $suite root filesystem"
info "$rootfs ($((SECONDS - t)) s)"

# 3. A disposable copy, with bpftoken and the demo files in it; boot it.
step "Booting a throwaway copy with its own systemd as PID 1"
ct_create "$rootfs" "bpftoken-demo-$suite-$$"
ct_install_destdir "$destdir"
mkdir -p "$work/objs"
e2e_build_objects "$work/objs" || die "clang could not build the BPF object"
e2e_stage_files "$work/objs" "$here/units/$unit"
t=$SECONDS
ct_boot || die "the container did not boot (see above)"
sd=$(e2e_systemd_version)
info "systemd $sd is running as PID 1 (host PID $CT_PID1), booted in $((SECONDS - t)) s"
ct_post_install 2>&1 | indent || die "setting up bpftoken in the container failed"
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
