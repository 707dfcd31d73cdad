#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Print the root of an unpacked libbpf >= 1.4 (token support), unpacking Debian's bookworm-backports
# libbpf-dev into CACHE (default /var/cache/bpftoken-ci) without installing it: installing it would
# replace Debian 12's libbpf 1.1, which the project itself is built against. The learn test builds
# a plain bpf_object__open_file() + bpf_object__load() program statically against it
# (meson -Dlibbpf-token-root=).
set -euo pipefail

CACHE=${1:-/var/cache/bpftoken-ci}
dest=$CACHE/libbpf-root
if [ -e "$dest/usr/include/bpf/libbpf.h" ] && ls "$dest"/usr/lib/*/libbpf.a >/dev/null 2>&1; then
        echo "$dest"
        exit 0
fi

mkdir -p "$CACHE"
tmp=$(mktemp -d "$CACHE/download.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
(cd "$tmp" && apt-get download -q -t bookworm-backports libbpf-dev >/dev/null 2>"$tmp/err") || {
        echo "fetch-libbpf.sh: apt-get download -t bookworm-backports libbpf-dev failed:" >&2
        cat "$tmp/err" >&2
        exit 1
}
rm -rf "$dest.new"
dpkg-deb -x "$tmp"/libbpf-dev_*.deb "$dest.new"
mv "$dest.new" "$dest"
echo "$dest"
