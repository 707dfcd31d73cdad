#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A libFuzzer campaign over every fuzz target, one after another.
#
#   test/fuzz/campaign.sh [--smoke] [SECONDS] [TARGET...]
#
# Builds the fuzzing tree (its own build directory, clang, -Dfuzzing=true,
# -Db_sanitize=address,undefined: every object coverage-instrumented, see meson.build), then runs
# each target (all of them, or the ones named) for SECONDS (default 150) from its committed seed
# corpus, the sanitizers halting on the first error. New inputs go to a scratch corpus in the build
# directory; the committed corpora are not touched. Prints one TAP line per target and a table
# TARGET x EXECS x COVERAGE (after the seeds, at the end) x FINDINGS; exits non-zero on any
# finding (crash, leak, timeout, out-of-memory, sanitizer report), and on a target that reached no
# function of the project's src/*.c (SRC-FUNCS 0: the fuzzer is blind to its parser, as it was when
# only the harnesses were instrumented).
#
# --smoke (test/run-all.sh, a few seconds per target): also fails a target whose coverage does not
# rise above what its seed corpus reaches, so a harness that stops seeing its parser (a library
# built without instrumentation, an entry point no longer called) is caught.
#
# The targets come from the build tree (test/fuzz/fuzz-targets.txt, written from the list in
# test/fuzz/meson.build): adding a target there is all it takes to have it here.
#
#   BPFTOKEN_FUZZ_BUILDDIR   build directory (default: build-fuzz-campaign in the source tree)
set -uo pipefail

# Everything runs inside main(), which bash reads whole before running: editing this file while a
# campaign runs does not change the running one.
main() {
        cd "$(dirname "$0")/../.."
        SRC=$(pwd)
        smoke=false
        if [ "${1:-}" = --smoke ]; then smoke=true; shift; fi
        seconds=${1:-150}
        [[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || { echo "campaign.sh: SECONDS must be a positive number, not '$seconds'." >&2; exit 2; }
        [ $# -gt 0 ] && shift
        only=("$@")
        build=${BPFTOKEN_FUZZ_BUILDDIR:-$SRC/build-fuzz-campaign}

        command -v clang >/dev/null || { echo "campaign.sh: clang is needed (apt-get install clang)." >&2; exit 1; }

        # Not --werror: clang 14 warns where gcc (the release compiler) does not; the fuzzing tree is for
        # finding bugs, the -Werror builds are gcc's and run-all.sh's.
        if [ ! -f "$build/build.ninja" ]; then
                CC=clang meson setup "$build" -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false \
                        -Dbuildtype=debugoptimized -Dman=disabled >"$build-setup.log.tmp" 2>&1 \
                        || { cat "$build-setup.log.tmp"; rm -f "$build-setup.log.tmp"; exit 1; }
                mv "$build-setup.log.tmp" "$build/campaign-setup.log"
        fi
        # regenerate the tree (and the target list) if a meson.build changed since it was set up
        ninja -C "$build" build.ninja >"$build/campaign-regenerate.log" 2>&1 \
                || { cat "$build/campaign-regenerate.log"; exit 1; }
        list=$build/test/fuzz/fuzz-targets.txt
        [ -f "$list" ] || { echo "campaign.sh: $list is missing; is $build a -Dfuzzing=true tree?" >&2; exit 1; }

        targets=()
        while read -r name bin corpus; do
                [ -n "$name" ] || continue
                if [ ${#only[@]} -gt 0 ] && ! printf '%s\n' "${only[@]}" | grep -qx -- "$name"; then
                        continue
                fi
                targets+=("$name $bin $corpus")
        done <"$list"
        [ ${#targets[@]} -gt 0 ] || { echo "campaign.sh: no such target: ${only[*]}" >&2; exit 2; }

        bins=()
        for t in "${targets[@]}"; do read -r _ bin _ <<<"$t"; bins+=("${bin#"$build"/}"); done
        ninja -C "$build" "${bins[@]}" >"$build/campaign-compile.log" 2>&1 || { tail -40 "$build/campaign-compile.log"; exit 1; }

        export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:allocator_may_return_null=1
        export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1

        # The value of "KEY: N" in the last libFuzzer status line that has it.
        stat_of() {             # stat_of LOG KEY [INITED|last]
                local line
                if [ "${3:-last}" = INITED ]; then
                        line=$(grep -a -m1 -E '[[:space:]]INITED ' "$1")
                else
                        line=$(grep -a -E '^#[0-9]+' "$1" | tail -1)
                fi
                sed -n "s/.* $2: \([0-9]*\).*/\1/p" <<<"$line"
        }

        rows=(); failed=0; n=0
        for t in "${targets[@]}"; do
                read -r name bin corpus <<<"$t"
                n=$((n + 1))
                work=$build/fuzz-campaign/$name
                rm -rf "$work"; mkdir -p "$work/corpus" "$work/artifacts"
                log=$work/log
                "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -print_coverage=1 \
                        -artifact_prefix="$work/artifacts/" "$work/corpus" "$corpus" >"$log" 2>&1
                rc=$?
                execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
                seed_cov=$(stat_of "$log" cov INITED); seed_ft=$(stat_of "$log" ft INITED)
                cov=$(stat_of "$log" cov); ft=$(stat_of "$log" ft)
                # functions of the project's own .c files (not the harness, not inline helpers from
                # headers) that the run reached: 0 means the fuzzer is blind to its parser
                src_funcs=$(grep -a -c -E '^COVERED_FUNC: .* [^ ]*/src/[a-z]+/[^/ ]+\.c:[0-9]+$' "$log")
                findings=$(find "$work/artifacts" -type f | wc -l)
                if [ "$rc" -ne 0 ] && [ "$findings" -eq 0 ]; then findings=1; fi  # a report without an artifact
                verdict=ok; why=""
                if [ "$findings" -gt 0 ]; then
                        verdict="not ok"; why=" # exit $rc, artifacts in $work/artifacts, log $log"
                elif [ "$src_funcs" -eq 0 ]; then
                        verdict="not ok"; why=" # no function of src/ reached: is the library built without coverage instrumentation?"
                elif $smoke && ! [ "${cov:-0}" -gt "${seed_cov:-0}" ] && ! [ "${ft:-0}" -gt "${seed_ft:-0}" ]; then
                        verdict="not ok"; why=" # coverage did not rise above the seed corpus's (cov ${seed_cov:-?}, ft ${seed_ft:-?}): does the harness still reach its parser?"
                fi
                [ "$verdict" = ok ] || failed=$((failed + 1))
                echo "$verdict $n - fuzz-$name$why"
                if [ "$findings" -gt 0 ]; then
                        grep -a -m3 -E 'ERROR: |runtime error|SUMMARY|Test unit written' "$log" | sed 's/^/#   /'
                fi
                rows+=("$name ${execs:-0} $(( ${execs:-0} / seconds )) ${seed_cov:-?} ${cov:-?} ${seed_ft:-?} ${ft:-?} $src_funcs $(find "$work/corpus" -type f | wc -l) $findings")
        done

        echo
        {
                echo "TARGET EXECS EXEC/S SEED-COV COV SEED-FT FT SRC-FUNCS NEW-INPUTS FINDINGS"
                printf '%s\n' "${rows[@]}"
        } | awk '{ for (i = 1; i <= NF; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } if (NF > nf) nf = NF }
                 END { for (r = 1; r <= NR; r++) { line = ""
                               for (i = 1; i <= nf; i++) line = line sprintf(i == 1 ? "%-*s" : "  %*s", w[i], c[r, i])
                               print line } }'
        echo
        echo "$n targets, ${seconds}s each: $((n - failed)) ok, $failed not ok"
        [ "$failed" -eq 0 ]
}

main "$@"; exit $?   # one line: bash has read it whole before main runs
