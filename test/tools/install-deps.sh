#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install what building and testing bpftoken needs on Debian 12 (bookworm), from Debian's archive
# only. Idempotent and quick when everything is there. bookworm-backports is added to the apt
# sources (it is built for Debian 12 and has the default low priority, so nothing is upgraded from it
# unless asked for); trixie and forky are used in chroots only (test/e2e), never on the host.
set -euo pipefail

[ "$(id -u)" = 0 ] || { echo "install-deps.sh: run as root (apt-get install)." >&2; exit 1; }

PACKAGES=(
        meson ninja-build pkg-config gcc clang llvm
        libbpf-dev libsystemd-dev libmount-dev libsmartcols-dev libcap-dev libcmocka-dev libjson-c-dev
        xsltproc docbook-xsl docbook-xml
        systemd strace python3 util-linux bsdutils iproute2 procps
        debootstrap
)

missing=()
for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done

backports=/etc/apt/sources.list.d/bookworm-backports.list
need_update=0
if [ ! -e "$backports" ] && grep -q '^VERSION_CODENAME=bookworm' /etc/os-release; then
        echo "deb http://deb.debian.org/debian bookworm-backports main" > "$backports"
        need_update=1
fi
if [ ${#missing[@]} -gt 0 ] || [ $need_update = 1 ]; then
        echo "install-deps.sh: installing ${missing[*]:-nothing new} (apt-get update first)"
        apt-get update -q >/dev/null
        [ ${#missing[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
