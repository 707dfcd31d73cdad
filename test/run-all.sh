#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Run every test of bpftoken, as root, on a fresh Debian 12 machine: installs what it needs, builds
# with -Werror, runs the unit, fuzz-replay and integration suites, runs them again under
# ASan+UBSan, then builds the Debian packages and follows their life cycle in containers, and runs
# the end-to-end matrix under a real systemd PID 1 (252, 257, 262) with the package installed.
# Ends with one line "N passed, N failed[, N skipped]". Under CI=true a skipped test is a failure.
#
#   test/run-all.sh                       everything (as root; with sudo: sudo test/run-all.sh)
#   BPFTOKEN_SKIP_E2E=1 test/run-all.sh   without the packages and containers (developers, quick)
set -uo pipefail

cd "$(dirname "$0")/.."
SRC=$(pwd)
[ "$(id -u)" = 0 ] || { echo "run-all.sh: the integration tests need root (namespaces, mounts, BPF): run it as root (or with sudo)." >&2; exit 1; }

test/tools/install-deps.sh || exit 1
BPFTOOL=$(test/tools/fetch-bpftool.sh) || exit 1
export BPFTOOL
# The BPF side (kernel/*.bpf.c: monitor, learn, bpftoken-monitor) must be built here, never silently
# left out: 'enabled' makes a missing clang or bpftool an error. The learn test also runs a loader
# built against bookworm-backports' libbpf 1.4.6 (unpacked, not installed).
LIBBPF_TOKEN_ROOT=$(test/tools/fetch-libbpf.sh) || exit 1
BPF_FRAMEWORK=(-Dbpf-framework=enabled "-Dbpftool=$BPFTOOL" "-Dlibbpf-token-root=$LIBBPF_TOKEN_ROOT")

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

run_suite build-ci -Dbuildtype=debugoptimized "${BPF_FRAMEWORK[@]}"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        run_suite build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug "${BPF_FRAMEWORK[@]}"

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

count_tap() {            # count_tap LOG: a TAP log's ok / not ok lines (none at all is a failure)
        local p f
        p=$(grep -c '^ok ' "$1"); f=$(grep -c '^not ok ' "$1")
        [ "$p" -gt 0 ] || f=$((f + 1))
        passed=$((passed + p)); failed=$((failed + f))
}

if [ -z "${BPFTOKEN_SKIP_E2E:-}" ]; then
        # The packages are built once per distribution (in its build chroot, lintian clean) by the
        # first step and installed by both.
        debs=$(mktemp -d /var/tmp/bpftoken-debs.XXXXXX)
        e2e_log=$(mktemp /tmp/bpftoken-e2e.XXXXXX)
        echo "=== Debian packages: build (bookworm, trixie), lintian, install, upgrade, remove, purge"
        BPFTOKEN_DEBS=$debs test/tools/deb-ci.sh bookworm trixie 2>&1 | tee "$e2e_log"
        count_tap "$e2e_log"
        echo "=== end-to-end: real systemd as PID 1 in containers, the package installed with apt"
        BPFTOKEN_DEBS=$debs test/e2e/run-matrix.sh 2>&1 | tee "$e2e_log"
        count_tap "$e2e_log"
        rm -rf "$debs" "$e2e_log"
fi

if [ "${CI:-}" = true ] && [ "$skipped" -gt 0 ]; then
        echo "CI: $skipped test(s) skipped on a machine where every test must run."
        failed=$((failed + skipped))
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
