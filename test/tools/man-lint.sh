#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# man-lint.sh XML... : render each DocBook page with xsltproc --nonet and groff (with tbl, as man
# does: newer groff warns about tables otherwise); any warning fails, except that a table cell
# holding one unbreakable word may run over at 80 columns (-Wbreak).
set -uo pipefail
xsl=/usr/share/xml/docbook/stylesheet/docbook-xsl/manpages/docbook.xsl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0; bad=0
for xml in "$@"; do
        n=$((n + 1))
        out=$(cd "$tmp" && xsltproc --nonet --xinclude --stringparam man.output.quietly 1 --stringparam man.authors.section.enabled 0 \
                --stringparam man.copyright.section.enabled 0 "$xsl" "$xml" 2>&1)
        page=$(grep -L '^\.so ' "$tmp"/* 2>/dev/null | head -1)
        if [ -n "$out" ] || [ -z "$page" ]; then
                echo "not ok $n - $(basename "$xml"): xsltproc: $out" | head -5; bad=$((bad + 1)); continue
        fi
        warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 groff -t -man -Tutf8 -ww -Wbreak -z "$page" 2>&1)
        if [ -n "$warn" ]; then
                echo "not ok $n - $(basename "$xml"): groff: $warn" | head -5; bad=$((bad + 1)); continue
        fi
        echo "ok $n - $(basename "$xml") renders without warnings"
        rm -f "$tmp"/*
done
echo "1..$n"
[ "$bad" -eq 0 ]
