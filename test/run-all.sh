#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Run every test of bpftoken, as root, on a fresh Debian 12 machine: installs what it needs, builds
# with -Werror, runs the unit, fuzz-replay and integration suites, runs them again under
# ASan+UBSan, then the end-to-end matrix under a real systemd PID 1 (252, 257, 262).
# Ends with one line "N passed, N failed[, N skipped]". Under CI=true a skipped test is a failure.
#
#   sudo test/run-all.sh                  everything
#   BPFTOKEN_SKIP_E2E=1 test/run-all.sh   without the container matrix (developers, quick)
set -uo pipefail

cd "$(dirname "$0")/.."
SRC=$(pwd)
[ "$(id -u)" = 0 ] || { echo "run-all.sh: the integration tests need root (namespaces, mounts, BPF): run it with sudo." >&2; exit 1; }

test/tools/install-deps.sh || exit 1
BPFTOOL=$(test/tools/fetch-bpftool.sh) || exit 1
export BPFTOOL

passed=0; failed=0; skipped=0
count_meson() {         # count_meson BUILDDIR
        local log=$1/meson-logs/testlog.json p f s
        [ -f "$log" ] || { failed=$((failed + 1)); return; }
        p=$(grep -c '"result": "OK"' "$log"); f=$(grep -c -E '"result": "(FAIL|ERROR|TIMEOUT|UNEXPECTEDPASS)"' "$log")
        s=$(grep -c '"result": "SKIP"' "$log")
        passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
        if [ "$s" -gt 0 ]; then
                echo "Skipped tests in $1:"; grep '"result": "SKIP"' "$log" | sed -n 's/.*"name": "\([^"]*\)".*/  \1/p'
        fi
}

run_suite() {           # run_suite BUILDDIR [meson setup options...]
        local dir=$1; shift
        echo "=== build $dir ($*)"
        rm -rf "$dir"
        if ! meson setup "$dir" --werror "$@" >"$dir.setup.log" 2>&1; then
                cat "$dir.setup.log"; failed=$((failed + 1)); return
        fi
        if ! meson compile -C "$dir" >"$dir.compile.log" 2>&1; then
                tail -50 "$dir.compile.log"; failed=$((failed + 1)); return
        fi
        echo "=== test $dir"
        meson test -C "$dir" --print-errorlogs --num-processes 2
        count_meson "$dir"
}

run_suite build-ci -Dbuildtype=debugoptimized
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        run_suite build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug

# Fuzz smoke (test/fuzz/campaign.sh, i12): every fuzz target for a few seconds on the
# coverage-instrumented fuzzing tree; one count per target, a finding or coverage that does not
# rise above the seed corpus's fails it.
echo "=== fuzz smoke"
rm -rf build-fuzz-smoke
fuzz_log=$(mktemp /tmp/bpftoken-fuzz.XXXXXX)
BPFTOKEN_FUZZ_BUILDDIR=$SRC/build-fuzz-smoke test/fuzz/campaign.sh --smoke 5 2>&1 | tee "$fuzz_log"
p=$(grep -c '^ok ' "$fuzz_log"); f=$(grep -c '^not ok ' "$fuzz_log")
[ "$p" -gt 0 ] || f=$((f + 1))
passed=$((passed + p)); failed=$((failed + f))
rm -f "$fuzz_log"

if [ -z "${BPFTOKEN_SKIP_E2E:-}" ]; then
        echo "=== end-to-end: real systemd as PID 1 in containers"
        dest=$(mktemp -d /tmp/bpftoken-destdir.XXXXXX)
        chmod 755 "$dest"
        meson setup build-e2e --werror -Dprefix=/usr -Dsysconfdir=/etc -Dtests=false >/dev/null \
                && meson compile -C build-e2e >/dev/null \
                && DESTDIR=$dest meson install -C build-e2e --no-rebuild >/dev/null
        e2e_log=$(mktemp /tmp/bpftoken-e2e.XXXXXX)
        BPFTOKEN_DESTDIR=$dest test/e2e/run-matrix.sh 2>&1 | tee "$e2e_log"
        p=$(grep -c '^ok ' "$e2e_log"); f=$(grep -c '^not ok ' "$e2e_log")
        [ "$p" -gt 0 ] || f=$((f + 1))
        passed=$((passed + p)); failed=$((failed + f))
        rm -rf "$dest" "$e2e_log"
fi

if [ "${CI:-}" = true ] && [ "$skipped" -gt 0 ]; then
        echo "CI: $skipped test(s) skipped on a machine where every test must run."
        failed=$((failed + skipped))
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
