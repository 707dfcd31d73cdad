#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An unmodified libbpf >= 1.4 program that a distribution ships (bpftool >= 7.5) loads and pins a
# socket filter with an array map through the token, as an unprivileged user; without the
# delegation it fails.
set -u
. "$(dirname "$0")/tap.sh"
require_root_and_token_kernel

E=$BPFTOKEN_EXEC
OBJ=$SOCKET_FILTER_OBJ
B=${BPFTOOL:-$(command -v bpftool || true)}
[ -n "$B" ] && [ -x "$B" ] || skip_all "no bpftool (set BPFTOOL=; test/tools/fetch-bpftool.sh fetches 7.5 from bookworm-backports)"
ver=$("$B" version 2>/dev/null | sed -n 's/.*libbpf v\([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
set -- $ver
{ [ "${1:-0}" -gt 1 ] || { [ "${1:-0}" -eq 1 ] && [ "${2:-0}" -ge 4 ]; }; } \
        || skip_all "bpftool at $B uses libbpf ${1:-?}.${2:-?}, token support needs >= 1.4"
echo "# bpftool: $B ($("$B" version | head -1), libbpf ${1}.${2})"

BASE=(--delegate-commands=map_create,prog_load,btf_load --delegate-maps=array
      --delegate-programs=socket_filter --delegate-attachments=any)

out=$("$E" --user=nobody "${BASE[@]}" -- sh -c "'$B' prog load '$OBJ' /sys/fs/bpf/filter && '$B' prog show pinned /sys/fs/bpf/filter && ls -l /sys/fs/bpf/filter" 2>&1); rc=$?
is "bpftool prog load + pin through the token succeeds" 0 "$rc"
contains "the program is a socket filter owned by nobody" "socket_filter" "$out"
contains "the pin belongs to nobody" "nobody" "$out"
contains "it uses the array map" "map_ids" "$out"

if command -v strace >/dev/null; then
        # strace needs ptrace of a child only: run it inside, as the user, on bpftool itself.
        out=$("$E" --user=nobody "${BASE[@]}" -- strace -f -e trace=bpf "$B" prog load "$OBJ" /sys/fs/bpf/filter 2>&1)
        # strace < 6.8 prints BPF_TOKEN_CREATE as 0x24 and BPF_F_TOKEN_FD as 0x10000.
        ok "libbpf created the token itself (BPF_TOKEN_CREATE)" \
                grep -qE 'bpf\((BPF_TOKEN_CREATE|0x24 /\* BPF_\?\?\? \*/),.*= [0-9]+' <<<"$out"
        ok "and loaded the program with it (prog_flags BPF_F_TOKEN_FD)" \
                grep -qE 'bpf\(BPF_PROG_LOAD, .*prog_flags=(BPF_F_TOKEN_FD|0x10000)' <<<"$out"
else
        tap_n=$((tap_n + 1)); echo "not ok $tap_n - strace is needed to prove token use"; tap_failed=$((tap_failed + 1))
fi

out=$("$E" --user=nobody -q --delegate-commands=map_create,btf_load --delegate-maps=array \
        --delegate-programs=socket_filter --delegate-attachments=any -- "$B" prog load "$OBJ" /sys/fs/bpf/filter 2>&1); rc=$?
ok "without prog_load delegated bpftool fails" test "$rc" -ne 0
contains "... with libbpf's probe error" "Operation not permitted" "$out"

out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$B" prog load "$OBJ" /sys/fs/bpf/filter 2>&1); rc=$?
ok "without bpftoken-exec at all bpftool fails as nobody" test "$rc" -ne 0

done_testing
