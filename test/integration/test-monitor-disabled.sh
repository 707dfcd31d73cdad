#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A build without the BPF framework (-Dbpf-framework=disabled): monitor and learn say so in one
# sentence and fail; nothing else changes.
set -u
. "$(dirname "$0")/tap.sh"
require_root_and_token_kernel

A=$BPFTOKEN_ANALYZE
out=$("$A" monitor --duration=1s 2>&1); rc=$?
is "monitor fails with status 2" 2 $rc
is "monitor: one sentence" "bpftoken-analyze: 'monitor' is not available: bpftoken was built without the BPF framework (meson -Dbpf-framework=enabled needs clang and bpftool)." "$out"
out=$("$A" learn -- true 2>&1); rc=$?
is "learn fails with status 2" 2 $rc
is "learn: one sentence" "bpftoken-analyze: 'learn' is not available: bpftoken was built without the BPF framework (meson -Dbpf-framework=enabled needs clang and bpftool)." "$out"
ok "the other verbs still work" "$A" names maps
done_testing
