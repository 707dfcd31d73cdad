# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# lib.sh: what run-matrix.sh and demo.sh share, on top of container.sh.
# Source it after container.sh; it expects E2E_HERE (test/e2e) to be set.

E2E_LIB=/usr/local/lib/bpftoken-e2e   # where the test programs go inside a container

# e2e_deb_suite SUITE: the distribution whose bpftoken package a SUITE container installs: its own
# for bookworm and trixie; trixie's for forky (the newest release built here; on systemd >= 258 the
# package steps aside for the native PrivateBPF=).
e2e_deb_suite() {
        case $1 in
        bookworm) echo bookworm ;;
        *) echo trixie ;;
        esac
}

# e2e_find_deb DEBDIR SUITE: the bpftoken .deb in DEBDIR/<e2e_deb_suite SUITE>/ (no dbgsym).
e2e_find_deb() {
        local f
        for f in "$1/$(e2e_deb_suite "$2")"/bpftoken_*.deb; do
                [[ -f $f ]] && { echo "$f"; return 0; }
        done
        return 1
}

# e2e_build_debs DEBDIR SUITE...: build, once each, the packages the SUITE containers install
# (test/tools/build-deb.sh: dpkg-buildpackage and lintian in the distribution's build chroot),
# into DEBDIR/<distribution>/.  A package already there is reused.
e2e_build_debs() {
        local dir=$1 s d
        shift
        for s in "$@"; do
                d=$(e2e_deb_suite "$s")
                e2e_find_deb "$dir" "$d" >/dev/null && continue
                "$E2E_HERE/../tools/build-deb.sh" "$d" "$dir/$d" >/dev/null || return 1
        done
}

# e2e_build_objects DIR: compile the BPF objects on the host, once, for every
# suite: e2e-array.bpf.o (array map) and e2e-hash.bpf.o (hash map).
e2e_build_objects() {
        local dir=$1 m def
        command -v clang >/dev/null || { echo "clang is missing: apt-get install clang" >&2; return 1; }
        for m in array hash; do
                def=()
                [[ $m == hash ]] && def=(-DE2E_MAP_HASH)
                clang -O2 -g -target bpf -Wall -Werror "${def[@]}" \
                        -c "$E2E_HERE/progs/e2e-sockfilter.bpf.c" -o "$dir/e2e-$m.bpf.o" || return 1
        done
        # The attach scenarios (issue 8): XDP, tc and cgroup_skb programs, and the cgroup one alone.
        clang -O2 -g -target bpf -Wall -Werror -c "$E2E_HERE/progs/e2e-attach.bpf.c" -o "$dir/e2e-attach.bpf.o" &&
        for m in CGROUP:cgskb XDP:xdp TC:tc; do
                clang -O2 -g -target bpf -Wall -Werror "-DE2E_ONLY_${m%%:*}" \
                        -c "$E2E_HERE/progs/e2e-attach.bpf.c" -o "$dir/e2e-${m#*:}.bpf.o" || return 1
        done
}

# e2e_stage_files OBJDIR UNIT...: copy the objects, the program sources, the
# client and the given unit files into the container copy (before boot).
e2e_stage_files() {
        local objdir=$1
        shift
        install -d "$CT_ROOT$E2E_LIB/src" &&
        install -m 0644 "$objdir"/e2e-*.bpf.o "$CT_ROOT$E2E_LIB/" &&
        install -m 0644 "$E2E_HERE/progs/e2e-loader.c" "$E2E_HERE/progs/e2e-bpfprobe.c" "$CT_ROOT$E2E_LIB/src/" &&
        install -m 0755 "$E2E_HERE/e2e-client.sh" "$CT_ROOT$E2E_LIB/e2e-client" &&
        install -m 0644 "$E2E_HERE/progs/e2e-attach.c" "$CT_ROOT$E2E_LIB/src/" &&
        install -m 0755 "$E2E_HERE/e2e-attach-client.sh" "$CT_ROOT$E2E_LIB/e2e-attach-client" &&
        install -m 0644 "$E2E_HERE/compact-strace.awk" "$CT_ROOT$E2E_LIB/" &&
        install -m 0644 "$@" "$CT_ROOT/etc/systemd/system/"
}

# e2e_build_progs: inside the booted container, build e2e-loader against the
# distribution's libbpf and the raw e2e-bpfprobe.  Prints the libbpf version.
e2e_build_progs() {
        ct_exec pkg-config --modversion libbpf &&
        ct_sh "cd $E2E_LIB && gcc -O2 -Wall -Werror -o e2e-loader src/e2e-loader.c \$(pkg-config --cflags --libs libbpf) &&
               gcc -O2 -Wall -Werror -o e2e-bpfprobe src/e2e-bpfprobe.c &&
               gcc -O2 -Wall -Werror -o e2e-attach src/e2e-attach.c \$(pkg-config --cflags --libs libbpf)"
}

# e2e_has_generator: is bpftoken-generator installed in the copy (by the package or a tree)?
e2e_has_generator() {
        local d
        for d in usr/lib usr/local/lib lib; do
                [[ -x $CT_ROOT/$d/systemd/system-generators/bpftoken-generator ]] && return 0
        done
        return 1
}

# e2e_systemd_version: the major version of the container's systemd (booted).
e2e_systemd_version() {
        ct_exec systemctl --version | awk 'NR == 1 { print $2 }'
}

# e2e_add_native_prereqs UNITFILE...: for units with PrivateBPF=yes in
# /etc/systemd/system of the copy, add what native systemd >= 258 needs for a
# usable token as a drop-in: PrivateUsers=yes (unless the unit sets it),
# PrivateMounts=yes, DelegateNamespaces=mnt, and AmbientCapabilities=CAP_BPF
# for User=/DynamicUser= units (it applies inside the unit's user namespace).
# Only for when bpftoken-generator, whose job this is, is not installed.
e2e_add_native_prereqs() {
        local f unit dir
        for f in "$@"; do
                grep -q '^PrivateBPF=yes' "$f" || continue
                unit=$(basename "$f")
                dir=$CT_ROOT/etc/systemd/system/$unit.d
                mkdir -p "$dir"
                {
                        echo "# Added by the bpftoken e2e harness: what native PrivateBPF= needs for a"
                        echo "# usable token (no bpftoken-generator installed to add it)."
                        echo "[Service]"
                        grep -q '^PrivateUsers=' "$f" || echo "PrivateUsers=yes"
                        echo "PrivateMounts=yes"
                        echo "DelegateNamespaces=mnt"
                        if grep -qE '^(User=|DynamicUser=yes)' "$f"; then
                                echo "AmbientCapabilities=CAP_BPF"
                        fi
                } >"$dir/50-e2e-native-prerequisites.conf"
        done
}
