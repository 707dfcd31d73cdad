#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-staged.sh TEST [ARGS...]: run an integration test with the programs, objects and scripts it
# hands to an unprivileged user (nobody, a unit's user, a hostile uid) copied into a directory that
# user can reach.
#
# The build tree may live anywhere, e.g. in /root (mode 0700), where nobody cannot even traverse
# the path to bpftoken-exec.  Every file named by one of the variables below is copied into a
# fresh root-owned mode 0755 directory under /run (or /tmp) and the variable is pointed at the
# copy; so are the test's own directory's scripts (*.sh, *.py: the test itself, tap.sh, the hostile
# callers and load generators it runs as other users), and the staged copy of TEST is what runs.
# The test runs there and the directory is removed afterwards.  A missing variable is left alone
# (the test says what it needs).
set -u

STAGED_VARS=(BPFTOKEN_EXEC BPFTOKEN_PUBLISH TOKEN_PROBE SANDBOX_RUN SOCKET_FILTER_OBJ BPFTOOL)

base=/run
[ -d /run ] && [ -w /run ] || base=/tmp
stage=$(mktemp -d "$base/bpftoken-test-stage.XXXXXX") || { echo "run-staged.sh: cannot create a directory in $base" >&2; exit 1; }
trap 'rm -rf "$stage"' EXIT
chmod 0755 "$stage"

for var in "${STAGED_VARS[@]}"; do
        src=${!var:-}
        [ -n "$src" ] && [ -f "$src" ] || continue
        # One subdirectory a variable: two files of the same name cannot collide, and each keeps
        # its own name (tests and error messages print it).
        mkdir -m 0755 "$stage/$var"
        dst=$stage/$var/$(basename "$src")
        cp "$src" "$dst" || exit 1
        if [ -x "$src" ]; then chmod 0755 "$dst"; else chmod 0644 "$dst"; fi
        export "$var=$dst"
done

# Check what the copies are for: the unprivileged user must reach them.
if [ -n "${BPFTOKEN_EXEC:-}" ] && ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$BPFTOKEN_EXEC"; then
        echo "run-staged.sh: nobody cannot execute $BPFTOKEN_EXEC: make $base and $stage reachable (mode 0755) for unprivileged users." >&2
        exit 1
fi

test=$1; shift
mkdir -m 0755 "$stage/scripts"
for src in "$(dirname "$test")"/*.sh "$(dirname "$test")"/*.py; do
        [ -f "$src" ] || continue
        dst=$stage/scripts/$(basename "$src")
        cp "$src" "$dst" || exit 1
        if [ -x "$src" ]; then chmod 0755 "$dst"; else chmod 0644 "$dst"; fi
done

cd "$stage" || exit 1
"$stage/scripts/$(basename "$test")" "$@"
