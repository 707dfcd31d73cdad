#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bpftoken-analyze verify, security and explain on unit files: one 'verify' case per mistake it must
# catch. Needs neither root nor token support (the kernel check is forced with --token-support=).
set -u
. "$(dirname "$0")/tap.sh"

A=$BPFTOKEN_ANALYZE
T=$(mktemp -d /tmp/bpftoken-analyze-verify.XXXXXX)
trap 'rm -rf "$T"' EXIT

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
json() {        # json PYTHON-EXPRESSION (stdin: JSON as 'j'), prints the result
        "$PY" -c 'import json,sys; j=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

# ---- explain ----
out=$("$A" --no-pager explain "libbpf: Error in bpf_object__probe_loading(): Operation not permitted(-1). Couldn't load trivial BPF program.")
contains "explain: libbpf's probe needs the baseline" "BPFDelegatePrograms=BPFProgTypeSocketFilter" "$out"
contains "explain: ENOENT means nothing is delegated" "delegates nothing" "$("$A" --no-pager explain ENOENT)"
contains "explain: -1 is EPERM" "EPERM" "$("$A" --no-pager explain -1)"
is "explain: stdin and JSON" "map-create" \
   "$(echo "libbpf: map 'rb': failed to create: Operation not permitted" | "$A" explain - --json=short | json "j['explanations'][0]['id']")"

# ---- verify: one case per mistake ----
U=$T/units
mkdir -p "$U"
base_good='[Service]
ExecStart=/bin/true
PrivateBPF=yes
BPFDelegateCommands=BPFMapCreate,BPFProgLoad,BPFBtfLoad
BPFDelegateMaps=BPFMapTypeArray
BPFDelegatePrograms=BPFProgTypeSocketFilter
BPFDelegateAttachments=any'
printf '%s\nPrivateUsers=yes\nPrivateMounts=yes\nDelegateNamespaces=mnt\n' "$base_good" > "$U/good.service"
printf '%s\n' "$base_good" > "$U/good257.service"
sed 's/BPFProgLoad/BPFProgLod/' "$U/good.service" > "$U/unknown.service"
sed 's/^BPFDelegateCommands=.*/BPFDelegateCommands=BPFMapCreate BPFProgLoad BPFBtfLoad/' "$U/good.service" > "$U/spaces.service"
sed 's/^BPFDelegateMaps=.*/BPFDelegateMaps=array,0x4/' "$U/good.service" > "$U/hex.service"
sed 's/^BPFDelegateCommands=.*/BPFDelegateCommands=map_create,prog_load,btf_load/' "$U/good.service" > "$U/kernelnames.service"
printf '%s\n' "$base_good" > "$U/noprereq.service"
sed 's/^BPFDelegatePrograms=.*/BPFDelegatePrograms=BPFProgTypeXdp/' "$U/good.service" > "$U/nobaseline.service"
printf '%s\nUser=nobody\nAmbientCapabilities=CAP_BPF\n' "$base_good" > "$U/ambient.service"
printf '%s\nSystemCallFilter=@system-service\n' "$(cat "$U/good.service")" > "$U/syscall.service"
printf '%s\nCapabilityBoundingSet=CAP_NET_ADMIN\n' "$(cat "$U/good.service")" > "$U/bounding.service"
printf '%s\nRestrictNamespaces=yes\n' "$(cat "$U/good.service")" > "$U/restrictns.service"
printf '%s\nUser=nobody\n' "$(cat "$U/good.service")" > "$U/nocap.service"
grep -v '^PrivateBPF' "$U/good.service" > "$U/noprivatebpf.service"

verify_codes() {        # verify_codes VERSION FILE [OPTIONS]: exit code and the sorted codes with severity
        local v=$1 f=$2; shift 2
        local js rc
        js=$("$A" verify --token-support=yes --systemd-version="$v" --json=short "$@" "$f")
        rc=$?
        echo "$rc $(printf '%s' "$js" | json "' '.join(sorted(set(x['severity'][0] + ':' + x['code'] for x in j if x['severity'] != 'notice')))")"
}
is "verify: a complete unit passes on 262" "0 " "$(verify_codes 262 "$U/good.service")"
is "verify: the same without prerequisites passes on 257 (the generator adds them)" "0 " "$(verify_codes 257 "$U/good257.service")"
is "verify: unknown name" "1 e:unknown-name" "$(verify_codes 262 "$U/unknown.service")"
contains "verify: unknown name is explained with a suggestion" "Did you mean 'BPFProgLoad'" \
        "$("$A" verify --token-support=yes --systemd-version=262 "$U/unknown.service")"
is "verify: space-separated values on 262 are an error" "1 e:space-separated" "$(verify_codes 262 "$U/spaces.service")"
is "verify: space-separated values on 257 are a warning" "0 w:space-separated" "$(verify_codes 257 "$U/spaces.service")"
contains "verify: the fix is spelled out" "Write BPFDelegateCommands=BPFMapCreate,BPFProgLoad,BPFBtfLoad." \
        "$("$A" verify --token-support=yes --systemd-version=262 "$U/spaces.service")"
is "verify: hex mixed with names" "1 e:hex-mixed" "$(verify_codes 262 "$U/hex.service")"
is "verify: kernel spellings on 262" "1 e:non-systemd-syntax" "$(verify_codes 262 "$U/kernelnames.service")"
is "verify: native prerequisites the generator adds on 262 are no error" "0 " "$(verify_codes 262 "$U/noprereq.service")"
contains "verify: ... but a notice that names all three" \
        "bpftoken-generator adds PrivateUsers=yes, PrivateMounts=yes, DelegateNamespaces=mnt to this unit on systemd 262" \
        "$("$A" verify --token-support=yes --systemd-version=262 "$U/noprereq.service")"
is "verify: the same notice on 258 as on 262 (not an error)" "0 " "$(verify_codes 258 "$U/noprereq.service")"
printf '%s\nDelegateNamespaces=~mnt\n' "$base_good" > "$U/nomnt.service"
is "verify: DelegateNamespaces= excluding mnt on 262: the generator cannot help" "1 e:generator-skips" "$(verify_codes 262 "$U/nomnt.service")"
is "verify: delegation without libbpf's probe needs" "0 w:libbpf-baseline" "$(verify_codes 262 "$U/nobaseline.service")"
is "verify: AmbientCapabilities=CAP_BPF on 257 without PrivateUsers= is a warning" "0 w:ambient-cap-initial-ns" "$(verify_codes 257 "$U/ambient.service")"
printf '%s\nUser=nobody\nAmbientCapabilities=CAP_BPF\nPrivateUsers=no\n' "$base_good" > "$U/ambient-nopu.service"
is "verify: AmbientCapabilities=CAP_BPF on 257 with PrivateUsers=no" "1 e:ambient-cap-initial-ns e:private-users-off" "$(verify_codes 257 "$U/ambient-nopu.service")"
is "verify: SystemCallFilter= without bpf" "1 e:syscall-filter" "$(verify_codes 262 "$U/syscall.service")"
is "verify: CapabilityBoundingSet= without CAP_BPF" "1 e:capability-bounding-set" "$(verify_codes 262 "$U/bounding.service")"
is "verify: RestrictNamespaces= is not an error" "0 " "$(verify_codes 262 "$U/restrictns.service")"
contains "verify: RestrictNamespaces= is explained" "[restrict-namespaces]" "$("$A" verify --token-support=yes --systemd-version=262 "$U/restrictns.service")"
is "verify: a User= unit on 262: the generator adds AmbientCapabilities=CAP_BPF" "0 " "$(verify_codes 262 "$U/nocap.service")"
contains "verify: ... and says so" "AmbientCapabilities=CAP_BPF" "$("$A" verify --token-support=yes --systemd-version=262 "$U/nocap.service")"
is "verify: BPFDelegate*= without PrivateBPF=yes" "1 e:private-bpf-missing" "$(verify_codes 262 "$U/noprivatebpf.service")"
is "verify: a kernel without token support" "1 e:no-kernel-support" "$(verify_codes 262 "$U/good.service" --token-support=no)"
"$A" verify --token-support=yes "$T/missing.service" >/dev/null 2>"$T/err"
is "verify: a missing file fails (exit 2) with one sentence" "2 1" "$? $(wc -l < "$T/err")"
contains "verify: text names file and line" "unknown.service:4: error:" "$("$A" verify --token-support=yes --systemd-version=262 "$U/unknown.service")"

# ---- security ----
printf '[Service]\nExecStart=/bin/true\nPrivateBPF=yes\nBPFDelegateCommands=any\nBPFDelegatePrograms=kprobe,tracing\n' > "$U/trace.service"
out=$("$A" --no-pager security "$U/trace.service")
contains "security: tracing programs read kernel memory" "Tracing programs can read all kernel memory" "$out"
contains "security: overall level" "Overall BPF exposure level for trace.service: 10.0 UNSAFE" "$out"
is "security JSON: exposure and items" "10.0 UNSAFE programs-tracing" \
   "$("$A" security --json=short "$U/trace.service" | json "'%.1f %s %s' % (j[0]['exposure'], j[0]['level'], j[0]['items'][0]['id'])")"
contains "security: the baseline unit is lower" "MEDIUM" "$("$A" --no-pager security "$U/nobaseline.service")"

done_testing
