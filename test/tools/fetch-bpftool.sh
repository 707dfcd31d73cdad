#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Print the path of a bpftool >= 7.5 (libbpf >= 1.4, token support), unpacking Debian's
# bookworm-backports package into CACHE (default /var/cache/bpftoken-ci) without installing it:
# installing it would also upgrade the host's linux-libc-dev and linux-perf.
set -euo pipefail

CACHE=${1:-/var/cache/bpftoken-ci}
dest=$CACHE/bpftool-root
if [ -x "$dest/usr/sbin/bpftool" ]; then
        echo "$dest/usr/sbin/bpftool"
        exit 0
fi

mkdir -p "$CACHE"
tmp=$(mktemp -d "$CACHE/download.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
(cd "$tmp" && apt-get download -q -t bookworm-backports bpftool >/dev/null 2>"$tmp/err") || {
        echo "fetch-bpftool.sh: apt-get download -t bookworm-backports bpftool failed:" >&2
        cat "$tmp/err" >&2
        exit 1
}
rm -rf "$dest.new"
dpkg-deb -x "$tmp"/bpftool_*.deb "$dest.new"
mv "$dest.new" "$dest"
echo "$dest/usr/sbin/bpftool"
