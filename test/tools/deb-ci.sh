#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# deb-ci.sh [SUITE...]: the Debian package's life cycle, for each SUITE (default: bookworm trixie),
# as an administrator lives it.  Builds the package in the suite's build chroot (lintian clean:
# test/tools/build-deb.sh), boots a disposable container of the suite with its own systemd as
# PID 1 (test/e2e/container.sh), and there:
#
#   1. a delegated unit (User=nobody, PrivateBPF=yes, bpftool loads a socket filter) fails
#      without the package (the positive control: nobody cannot load BPF on its own);
#   2. apt install: the socket is enabled and active, the generator ran, the unit now loads
#      through its token;
#   3. the admin edits the README conffile and writes a policy file; an upgrade to a newer version
#      keeps both, the socket stays enabled, the unit still works;
#   4. apt remove: the socket is stopped, nothing of the package is left in /run, the unit fails
#      again, the conffile stays;
#   5. apt purge: nothing of the package is left anywhere; only the admin's policy file remains.
#
# Output is TAP, then "N passed, N failed".  BPFTOKEN_DEBS=DIR reuses packages in DIR/SUITE/.
set -euo pipefail
shopt -s lastpipe

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_HERE=$(cd "$here/../e2e" && pwd)
# shellcheck source=../e2e/container.sh
. "$E2E_HERE/container.sh"
# shellcheck source=../e2e/lib.sh
. "$E2E_HERE/lib.sh"

if [[ $# -gt 0 ]]; then suites=("$@"); else suites=(bookworm trixie); fi
cache=${BPFTOKEN_E2E_CACHE:-/var/cache/bpftoken-e2e}
work=$(mktemp -d /var/tmp/bpftoken-deb-ci.XXXXXX)
debdir=${BPFTOKEN_DEBS:-$work/debs}
trap 'ct_cleanup; rm -rf "$work"' EXIT

n=0 pass=0 fail=0 diag=()
say() { diag+=("$@"); }
say_lines() { local l; while IFS= read -r l; do diag+=("$l"); done; }
tap() {         # tap RC DESCRIPTION
        n=$((n + 1))
        if [[ $1 -eq 0 ]]; then pass=$((pass + 1)); echo "ok $n - $2"
        else
                fail=$((fail + 1)); echo "not ok $n - $2"
                local l; for l in "${diag[@]}"; do printf '#   %s\n' "$l"; done
        fi
        diag=()
}

UNIT=pkgtest-delegated.service
OBJDIR=/usr/local/lib/bpftoken-pkgtest
ADMIN_POLICY=/etc/bpftoken/policy.d/50-admin.conf

# The file system outside the API and scratch mounts, and apt's, dpkg's and the journal's state.
snapshot() {
        ct_exec find / -xdev \( -path /var/lib/dpkg -o -path /var/lib/apt -o -path /var/cache \
                -o -path /var/log -o -path /var/tmp -o -path /tmp \) -prune -o -print | sort
}

# run_unit: start the delegated unit; 0 if it succeeded.  Its journal goes into the diagnostics.
run_unit() {
        local result
        ct_exec systemctl reset-failed "$UNIT" >/dev/null 2>&1 || true
        ct_exec rm -f /sys/fs/bpf/pkgtest 2>/dev/null || true
        ct_exec systemctl start "$UNIT" >/dev/null 2>&1 || true
        result=$(ct_exec systemctl show -P Result "$UNIT")
        ct_exec journalctl --no-pager -q -o cat -n 8 -u "$UNIT" | say_lines
        [[ $result == success ]]
}

# repack DEB VERSION OUT: the same package under a newer version (the upgrade's "new build").
repack() {
        local tree=$work/repack
        rm -rf "$tree"
        dpkg-deb -R "$1" "$tree"
        sed -i "s/^Version: .*/Version: $2/" "$tree/DEBIAN/control"
        dpkg-deb --root-owner-group -b "$tree" "$3" >/dev/null
}

pkg_version() { ct_exec dpkg-query -W -f '${Version} ${db:Status-Abbrev}' bpftoken 2>/dev/null || true; }

# stage_files: the BPF object and the delegated unit, into the copy before it boots.
stage_files() {
        mkdir -p "$CT_ROOT$OBJDIR"
        install -m 0644 "$work/objs/e2e-array.bpf.o" "$CT_ROOT$OBJDIR/"
        cat >"$CT_ROOT/etc/systemd/system/$UNIT" <<EOT
[Unit]
Description=bpftoken package test: an unprivileged unit loading BPF through its token

[Service]
Type=oneshot
User=nobody
ExecStart=/usr/sbin/bpftool prog load $OBJDIR/e2e-array.bpf.o /sys/fs/bpf/pkgtest
PrivateBPF=yes
BPFDelegateCommands=BPFMapCreate,BPFProgLoad,BPFBtfLoad
BPFDelegateMaps=BPFMapTypeArray
BPFDelegatePrograms=BPFProgTypeSocketFilter
BPFDelegateAttachments=any
EOT
}

suite_lifecycle() {
        local suite=$1 deb rootfs rc v before after new
        rc=0
        e2e_build_debs "$debdir" "$suite" 2>&1 | say_lines || rc=1
        deb=$(e2e_find_deb "$debdir" "$suite") || rc=1
        [[ $rc -eq 0 && -f $debdir/$(e2e_deb_suite "$suite")/lintian-$(e2e_deb_suite "$suite").log ]] || rc=1
        tap $rc "$suite: dpkg-buildpackage in the $(e2e_deb_suite "$suite") build chroot, lintian without errors or warnings"
        [[ $rc -eq 0 ]] || return 0

        rootfs=$("$E2E_HERE/mkrootfs.sh" "$suite" "$cache" 2>/dev/null) || { say "no $suite root filesystem"; tap 1 "$suite: boot"; return 0; }
        ct_create "$rootfs" "bpftoken-deb-ci-$suite-$$"
        mkdir -p "$work/objs"
        e2e_build_objects "$work/objs"
        stage_files
        rc=0
        if ! ct_boot 2>"$work/boot-$suite.log"; then
                # A boot that hangs on a loaded machine gets one more try, as in run-matrix.sh.
                echo "# $suite: the first boot did not finish ($(head -n 1 "$work/boot-$suite.log")), trying once more"
                ct_poweroff >/dev/null 2>&1 || true
                ct_cleanup
                ct_create "$rootfs" "bpftoken-deb-ci-$suite-$$-2"
                stage_files
                ct_boot 2>"$work/boot-$suite.log" || { say_lines <"$work/boot-$suite.log"; rc=1; }
        fi
        tap $rc "$suite: boot with systemd $( [[ $rc -eq 0 ]] && e2e_systemd_version) as PID 1"
        [[ $rc -eq 0 ]] || { ct_cleanup; return 0; }
        before=$(snapshot)

        # 1. Without the package.
        rc=0; run_unit && { say "the unit loaded BPF without bpftoken"; rc=1; }
        tap $rc "$suite: without the package the delegated unit fails (nobody has no token)"

        # 2. Install.
        rc=0
        ct_install_deb "$deb" 2>&1 | say_lines || rc=1
        [[ $(pkg_version) == "$(dpkg-deb -f "$deb" Version) ii " ]] || { say "dpkg: $(pkg_version)"; rc=1; }
        [[ $(ct_exec systemctl is-enabled bpftoken-publish.socket) == enabled ]] || { say "socket not enabled"; rc=1; }
        [[ $(ct_exec systemctl is-active bpftoken-publish.socket) == active ]] || { say "socket not active"; rc=1; }
        ct_exec test -S /run/bpftoken/publish.sock || { say "no /run/bpftoken/publish.sock"; rc=1; }
        tap $rc "$suite: apt install $(basename "$deb"): socket enabled and listening"
        rc=0
        v=$(ct_exec systemctl show -P DropInPaths "$UNIT")
        grep -q '/run/systemd/generator' <<<"$v" || { say "no generator drop-in: DropInPaths=$v"; rc=1; }
        tap $rc "$suite: the installation reloaded systemd: the generator wrote the unit's drop-in"
        rc=0; run_unit || rc=1
        tap $rc "$suite: the delegated unit loads its program through the installed package"

        # 3. Upgrade, with an edited conffile and a policy file of the admin's.
        echo "# edited by the administrator" | ct_exec tee -a /etc/bpftoken/policy.d/README >/dev/null
        printf '[Match]\nUser=4242\n[Delegation]\nPreset=libbpf\n' | ct_exec tee "$ADMIN_POLICY" >/dev/null
        new=$work/bpftoken_upgrade.deb
        repack "$deb" "$(dpkg-deb -f "$deb" Version)+pkgtest1" "$new"
        rc=0
        ct_install_deb "$new" 2>&1 | say_lines || rc=1
        [[ $(pkg_version) == *"+pkgtest1 ii " ]] || { say "dpkg: $(pkg_version)"; rc=1; }
        ct_exec grep -q 'edited by the administrator' /etc/bpftoken/policy.d/README || { say "the edited conffile was replaced"; rc=1; }
        ct_exec test -f "$ADMIN_POLICY" || { say "the admin's policy file is gone"; rc=1; }
        [[ $(ct_exec systemctl is-enabled bpftoken-publish.socket) == enabled ]] || { say "socket not enabled"; rc=1; }
        [[ $(ct_exec systemctl is-active bpftoken-publish.socket) == active ]] || { say "socket not active"; rc=1; }
        run_unit || { say "the unit fails after the upgrade"; rc=1; }
        tap $rc "$suite: upgrade keeps the edited conffile, the admin's policy, the enabled socket and the unit working"

        # 4. Remove.
        rc=0
        ct_exec env DEBIAN_FRONTEND=noninteractive apt-get -q -y remove bpftoken 2>&1 | say_lines || rc=1
        [[ $(pkg_version) == *" rc " ]] || { say "dpkg: $(pkg_version)"; rc=1; }
        [[ $(ct_exec systemctl is-active bpftoken-publish.socket) != active ]] || { say "socket still active"; rc=1; }
        v=$(ct_exec systemctl list-units --no-legend --plain --state=active,activating 'bpftoken*')
        [[ -z $v ]] || { say "units still running:" "$v"; rc=1; }
        v=$(ct_exec find /run -name '*bpftoken*')
        [[ -z $v ]] || { say "left in /run:" "$v"; rc=1; }
        v=$(ct_exec systemctl show -P DropInPaths "$UNIT")
        grep -q '/run/systemd/generator' <<<"$v" && { say "the generator's drop-in is still there: $v"; rc=1; }
        ct_exec test -f /etc/bpftoken/policy.d/README || { say "the conffile went before the purge"; rc=1; }
        run_unit && { say "the unit still loads BPF after the removal"; rc=1; }
        tap $rc "$suite: apt remove stops the socket, the generator's output goes, the conffile stays"

        # 5. Purge.
        rc=0
        ct_exec env DEBIAN_FRONTEND=noninteractive apt-get -q -y purge bpftoken 2>&1 | say_lines || rc=1
        [[ -z $(pkg_version) || $(pkg_version) == *" un " || $(pkg_version) == *" pn " ]] || { say "dpkg: $(pkg_version)"; rc=1; }
        ct_exec rm -f /sys/fs/bpf/pkgtest
        after=$(snapshot)
        v=$(comm -13 <(echo "$before") <(echo "$after"))
        [[ $v == $'/etc/bpftoken\n/etc/bpftoken/policy.d\n'"$ADMIN_POLICY" ]] || { say "new since before the installation (expected only $ADMIN_POLICY and its directories):" "$v"; rc=1; }
        v=$(comm -23 <(echo "$before") <(echo "$after"))
        [[ -z $v ]] || { say "gone since before the installation:" "$v"; rc=1; }
        v=$(ct_exec find /run -name '*bpftoken*')
        [[ -z $v ]] || { say "left in /run:" "$v"; rc=1; }
        tap $rc "$suite: apt purge leaves nothing but the admin's policy file"

        ct_poweroff || true
        ct_cleanup
}

ct_check_host || exit 1
ct_sweep_stale
for suite in "${suites[@]}"; do
        suite_lifecycle "$suite"
done
echo "1..$n"
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
