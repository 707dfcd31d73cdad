# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# scenario-burst.sh: the "burst" scenario of run-matrix.sh (sourced by it; uses its helpers
# ct_exec, uprop, say, say_lines, note and the globals path and sd_version).
#
# 200 delegated oneshot units of one User= (100 instances each of e2e-burst-array@.service and
# e2e-burst-hash@.service) started by one "systemctl start": every one succeeds, each sees exactly
# its own template's delegate_* options, no connection is reset, and afterwards no bpffs mount, no
# bpftoken-exec and no connection in the publisher is left. The wall time is printed (see
# bench/start-latency for it beside native systemd 262's).

# burst_units N: the unit names, array and hash instances interleaved.
burst_units() {
        local i
        for ((i = 1; i <= $1; i++)); do
                printf 'e2e-burst-array@%d.service e2e-burst-hash@%d.service ' "$i" "$i"
        done
}

# burst_check_lines LINES N: N "E2E-BURST unit options" lines per template, each with its own maps.
burst_check_lines() {
        local lines=$1 n=$2 rc=0 m other got distinct
        for m in array hash; do
                other=hash
                [[ $m == hash ]] && other=array
                got=$(grep -c "^E2E-BURST e2e-burst-$m@[0-9]*\.service .*delegate_maps=$m\( \|$\)" <<<"$lines") || true
                if [[ $got -ne $n ]]; then
                        say "$got of $n e2e-burst-$m@ units saw delegate_maps=$m"
                        rc=1
                fi
                if grep -q "^E2E-BURST e2e-burst-$m@.*delegate_maps=$other" <<<"$lines"; then
                        say "an e2e-burst-$m@ unit saw the other template's delegate_maps=$other"
                        rc=1
                fi
                distinct=$(grep "^E2E-BURST e2e-burst-$m@" <<<"$lines" | cut -d' ' -f3- | sort -u)
                if [[ $(wc -l <<<"$distinct") -ne 1 ]]; then
                        say "e2e-burst-$m@ units saw different delegations:" "$distinct"
                        rc=1
                fi
        done
        return $rc
}

# burst_publisher_conns: accepted connections of the publisher's socket still open (the server side
# of an accepted AF_UNIX socket carries the socket's path; state 03 is connected).
burst_publisher_conns() {
        # shellcheck disable=SC2016 # awk's own $6, $NF
        ct_exec awk '$NF == "/run/bpftoken/publish.sock" && $6 == "03" { n++ } END { print n + 0 }' /proc/net/unix
}

sc_burst() {
        local rc=0 n=100 units cur mounts_before mounts_after t0 t1 lines failed left
        read -r -a units <<<"$(burst_units $n)"
        mounts_before=$(ct_exec grep -c ' - bpf ' /proc/1/mountinfo) || true
        cur=$(ct_exec journalctl --no-pager -q -n 1 --show-cursor -o cat | sed -n 's/^-- cursor: //p')
        t0=$(date +%s%N)
        if ! ct_exec systemctl start "${units[@]}" >/dev/null 2>&1; then
                say "systemctl start of the ${#units[@]} units reported a failure"
                rc=1
        fi
        t1=$(date +%s%N)
        note "burst: ${#units[@]} delegated units ($path, systemd $sd_version) in $(((t1 - t0) / 1000000)) ms"

        lines=$(ct_exec journalctl --no-pager -q -o cat --after-cursor="$cur" | grep '^E2E-BURST ') || true
        burst_check_lines "$lines" $n || rc=1
        failed=$(ct_exec systemctl list-units --all --state=failed --no-legend --plain 'e2e-burst-*' | wc -l) || true
        if [[ $failed -ne 0 ]]; then
                say "$failed burst units failed:"
                ct_exec systemctl list-units --all --state=failed --no-legend --plain 'e2e-burst-*' | head -n 5 | say_lines
                ct_exec journalctl --no-pager -q -o cat --after-cursor="$cur" -u 'e2e-burst-*' |
                        grep -v '^E2E-BURST' | sort | uniq -c | sort -rn | head -n 5 | say_lines
                rc=1
        fi
        if ct_exec journalctl --no-pager -q -o cat --after-cursor="$cur" | grep -q 'Connection reset by peer'; then
                say "a connection to the publisher was reset during the burst"
                rc=1
        fi

        # Nothing left behind: the units' instances went with their mount namespaces.
        mounts_after=$(ct_exec grep -c ' - bpf ' /proc/1/mountinfo) || true
        if [[ $mounts_after -ne $mounts_before ]]; then
                say "bpffs mounts in the container's own namespace: $mounts_before before, $mounts_after after"
                rc=1
        fi
        left=$(ct_exec pgrep -c -f bpftoken-exec) || true
        if [[ $left -ne 0 ]]; then
                say "$left bpftoken-exec processes left"
                rc=1
        fi
        if [[ $path == bpftoken ]]; then
                left=$(burst_publisher_conns)
                if [[ $left -ne 0 ]]; then
                        say "the publisher still holds $left connections"
                        rc=1
                fi
                # One long-lived publisher answered them (its status counts the requests).
                sleep 1.2
                left=$(ct_exec systemctl show -P StatusText bpftoken-publish.service) || true
                if ! grep -qE '^Answered [0-9]{3,} requests' <<<"$left"; then
                        say "bpftoken-publish.service does not report the requests it answered: '$left'"
                        rc=1
                fi
        fi
        ct_exec systemctl reset-failed 'e2e-burst-*' >/dev/null 2>&1 || true
        return $rc
}
