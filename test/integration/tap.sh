# SPDX-License-Identifier: LGPL-2.1-or-later
# Minimal TAP helpers for the integration tests (sourced).

tap_n=0
tap_failed=0

ok() {          # ok DESCRIPTION COMMAND...
        local desc=$1; shift
        tap_n=$((tap_n + 1))
        if "$@" >/tmp/bpftoken-tap.$$ 2>&1; then
                echo "ok $tap_n - $desc"
        else
                echo "not ok $tap_n - $desc"
                sed 's/^/# /' /tmp/bpftoken-tap.$$
                tap_failed=$((tap_failed + 1))
        fi
        rm -f /tmp/bpftoken-tap.$$
}

is() {          # is DESCRIPTION EXPECTED ACTUAL
        tap_n=$((tap_n + 1))
        if [ "$2" = "$3" ]; then
                echo "ok $tap_n - $1"
        else
                echo "not ok $tap_n - $1"
                echo "# expected: $(printf '%s' "$2" | head -c 2000 | tr '\n' '|')"
                echo "# actual:   $(printf '%s' "$3" | head -c 2000 | tr '\n' '|')"
                tap_failed=$((tap_failed + 1))
        fi
}

contains() {    # contains DESCRIPTION NEEDLE HAYSTACK
        tap_n=$((tap_n + 1))
        case "$3" in
        *"$2"*) echo "ok $tap_n - $1" ;;
        *)
                echo "not ok $tap_n - $1"
                echo "# missing: $2"
                printf '%s\n' "$3" | head -40 | sed 's/^/# /'
                tap_failed=$((tap_failed + 1))
                ;;
        esac
}

notcontains() { # notcontains DESCRIPTION NEEDLE HAYSTACK
        tap_n=$((tap_n + 1))
        case "$3" in
        *"$2"*)
                echo "not ok $tap_n - $1"
                echo "# present: $2"
                printf '%s\n' "$3" | head -40 | sed 's/^/# /'
                tap_failed=$((tap_failed + 1))
                ;;
        *) echo "ok $tap_n - $1" ;;
        esac
}

skip_all() {
        echo "1..0 # SKIP $*"
        exit 0
}

done_testing() {
        echo "1..$tap_n"
        [ "$tap_failed" -eq 0 ]
}

require_root_and_token_kernel() {
        [ "$(id -u)" = 0 ] || skip_all "needs root"
        [ -e /sys/kernel/btf/vmlinux ] || echo "# note: no kernel BTF, names come from the built-in table"
}

# The bpffs mounts of the host's mount namespace, to prove nothing leaked.
host_bpf_mounts() {
        grep -c ' - bpf ' /proc/self/mountinfo || true
}
