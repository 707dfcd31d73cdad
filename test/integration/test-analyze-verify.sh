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
is "verify: a missing file fails (exit 1) with one sentence" "1 1" "$? $(wc -l < "$T/err")"
"$A" verify >/dev/null 2>"$T/err"
is "verify: no argument is a usage error (exit 2)" "2 1" "$? $(wc -l < "$T/err")"

# ---- verify: mistakes systemd itself would not catch ----
verify_text() {         # verify_text VERSION FILE...: exit code, then the text output
        local v=$1; shift
        local out rc
        out=$("$A" verify --token-support=yes --systemd-version="$v" "$@" 2>&1)
        rc=$?
        printf '%s\n%s' "$rc" "$out"
}
printf '[Service]\nExecStart=/bin/true\nPrivateBpf=yes\n' > "$U/typo-private.service"
out=$(verify_text 257 "$U/typo-private.service")
is "verify: PrivateBpf= fails" "1" "${out%%$'\n'*}"
contains "verify: PrivateBpf= names file:line and the fix" "typo-private.service:3: error: Unknown key PrivateBpf= in [Service]" "$out"
contains "verify: PrivateBpf= suggests PrivateBPF=" "Did you mean PrivateBPF=?" "$out"
notcontains "verify: PrivateBpf= is not 'no BPF delegation'" "has no BPF delegation" "$out"
printf '[Service]\nExecStart=/bin/true\nPrivateBPF=yes\nBPFDelegateCommand=BPFMapCreate\nBPFDelegateMap=BPFMapTypeArray\n' > "$U/typo-keys.service"
out=$(verify_text 262 "$U/typo-keys.service")
contains "verify: BPFDelegateCommand= suggests BPFDelegateCommands=" "typo-keys.service:4: error: Unknown key BPFDelegateCommand= in [Service]: systemd ignores it (silently before 258), and the unit gets no such delegation. Did you mean BPFDelegateCommands=?" "$out"
contains "verify: BPFDelegateMap= suggests BPFDelegateMaps=" "typo-keys.service:5: error: Unknown key BPFDelegateMap=" "$out"
printf '[Unit]\nDescription=x\n[Servic]\nExecStart=/bin/true\nPrivateBPF=yes\nBPFDelegateCommands=BPFMapCreate\n' > "$U/typo-section.service"
out=$(verify_text 257 "$U/typo-section.service")
is "verify: keys under [Servic] fail" "1" "${out%%$'\n'*}"
contains "verify: [Servic] suggests [Service]" "typo-section.service:5: error: PrivateBPF= in [Servic]: systemd reads PrivateBPF= only in [Service] and ignores it here; did you mean [Service]?" "$out"
printf '[Service]\nExecStart=/bin/true\nPrivateIPC=yes\nPrivateNetwork=yes\n' > "$U/plain.service"
is "verify: real keys near PrivateBPF= are no typo (positive control)" "0" "$(verify_text 257 "$U/plain.service" | head -1)"

# a bare file name in the current directory is that file; a name without suffix means NAME.service
is "verify: a bare file name here is a path" "0" "$(cd "$U" && "$A" verify --token-support=yes --systemd-version=262 good.service >/dev/null 2>&1; echo $?)"
contains "verify: an unknown bare name says where it looked" "no such file here, and no such unit on the unit search path" \
        "$(cd "$U" && "$A" verify --token-support=yes nosuch.service 2>&1)"
mkdir -p "$T/emptyroot"
contains "status: a name without a suffix is NAME.service" "Unit nosuchunit-bpftoken.service not found on the unit search path" \
        "$("$A" --root="$T/emptyroot" status nosuchunit-bpftoken 2>&1)"

# bad inputs: a sentence that says what to change, and exit 1
head -c 1100000 /dev/zero | tr '\0' x | sed '1s/^/[Service]\nExecStart=/' > "$U/long.service"
out=$(verify_text 257 "$U/long.service")
is "verify: an over-long line fails" "1" "${out%%$'\n'*}"
contains "verify: ... naming the line" "long.service:2: line is longer than 1048576 bytes; fix or remove that line." "$out"
out=$(verify_text 257 /dev/zero)
is "verify: /dev/zero fails" "1" "${out%%$'\n'*}"
contains "verify: ... saying it is no unit file" "/dev/zero: this is a device or other special file, not a unit file." "$out"
out=$("$A" names maps foo 2>&1); rc=$?
is "names maps foo: fails (exit 1)" "1" "$rc"
contains "names maps foo: says so" "No BPF map type is called 'foo'." "$out"
contains "names maps arary: suggests" "Did you mean 'array'?" "$("$A" names maps arary 2>&1)"
is "names maps array: positive control" "0" "$("$A" names maps array >/dev/null 2>&1; echo $?)"
out=$("$A" --root=/nonexistent units 2>&1); rc=$?
is "--root=/nonexistent: fails (exit 1)" "1" "$rc"
contains "--root=/nonexistent: says so" "--root=/nonexistent: no such directory" "$out"

# ---- policy files ----
P=$T/proot/etc/bpftoken/policy.d
mkdir -p "$P" "$T/proot/usr/lib/systemd/system"
printf '# policy\n\n[Match]\n\nUnit=app.service\n\n\n[Delegation]\n\n\n\nFrobs=1\n' > "$P/app.conf"
printf '[Match]\nUnit=ok.service\n[Delegation]\nCommands=map_create\n' > "$P/ok.conf"
chmod 0644 "$P"/*.conf
printf '[Service]\nExecStart=/bin/true\n' > "$T/proot/usr/lib/systemd/system/app.service"
cp "$T/proot/usr/lib/systemd/system/app.service" "$T/proot/usr/lib/systemd/system/ok.service"
out=$("$A" verify "$P/app.conf" 2>&1); rc=$?
is "verify POLICY.conf: an unknown key fails" "1" "$rc"
contains "verify POLICY.conf: the right line (blank lines count)" "app.conf:12: error: unknown key Frobs= in [Delegation]" "$out"
is "verify POLICY.conf: a good one passes (positive control)" "0" "$("$A" verify "$P/ok.conf" >/dev/null 2>&1; echo $?)"
out=$("$A" --root="$T/proot" verify --policy 2>&1); rc=$?
is "verify --policy: fails for the broken file" "1" "$rc"
contains "verify --policy: names it" "app.conf:12: error:" "$out"
contains "verify --policy: lists the good one too" "ok.conf: notice: Policy for ok.service parses." "$out"
out=$("$A" --root="$T/proot" --no-pager units 2>&1)
contains "units: a unit with a broken policy stays listed" "app.service" "$out"
contains "units: ... as invalid-policy" "invalid-policy" "$out"
chmod 0666 "$P/ok.conf"
contains "verify POLICY.conf: a group/other-writable file is an error" "must be owned by root and writable by root only" \
        "$("$A" verify "$P/ok.conf" 2>&1)"
chmod 0644 "$P/ok.conf"

# ---- explain: one answer per input ----
out=$("$A" --no-pager explain EACCES EPERM)
is "explain EACCES EPERM: two answers" "2" "$(printf '%s\n' "$out" | grep -c '^EACCES\|^EPERM')"
is "explain EACCES EPERM --json: two objects" "EACCES EPERM" \
   "$("$A" explain EACCES EPERM --json=short | json "' '.join(x['errno_name'] for x in j)")"
out=$("$A" --no-pager explain "libbpf: map 'rb': failed to create: Invalid argument")
contains "explain: map-create EINVAL is about the map's definition" "the kernel refused the map's definition" "$out"
notcontains "explain: ... not the token-create text" "BPF_TOKEN_CREATE" "$out"
contains "explain: map-create EPERM still points at the delegation (positive control)" "BPFDelegateCommands=BPFMapCreate" \
        "$("$A" --no-pager explain "libbpf: map 'rb': failed to create: Operation not permitted")"
notcontains "explain: User= advice agrees with verify (no bare AmbientCapabilities=CAP_BPF)" "for User= units AmbientCapabilities=CAP_BPF" \
        "$("$A" --no-pager explain "libbpf: map 'rb': failed to create: Operation not permitted")"
contains "verify: text names file and line" "unknown.service:4: error:" "$("$A" verify --token-support=yes --systemd-version=262 "$U/unknown.service")"

# ---- security ----
printf '[Service]\nExecStart=/bin/true\nPrivateBPF=yes\nBPFDelegateCommands=any\nBPFDelegatePrograms=kprobe,tracing\n' > "$U/trace.service"
out=$("$A" --no-pager security "$U/trace.service")
contains "security: tracing programs read kernel memory" "Tracing programs can read all kernel memory" "$out"
contains "security: overall level" "Overall BPF exposure level for trace.service: 10.0 UNSAFE" "$out"
is "security JSON: exposure and items" "10.0 UNSAFE programs-tracing" \
   "$("$A" security --json=short "$U/trace.service" | json "'%.1f %s %s' % (j[0]['exposure'], j[0]['level'], j[0]['items'][0]['id'])")"
contains "security: the baseline unit is lower" "MEDIUM" "$("$A" --no-pager security "$U/nobaseline.service")"
"$A" security --threshold=50 "$U/trace.service" >/dev/null 2>"$T/err"
is "security --threshold=50: 10.0 is above, exit 1" "1" "$?"
contains "security --threshold=: says which unit and level" "trace.service (10.0) is above the threshold 5.0" "$(cat "$T/err")"
is "security --threshold=100: exit 0 (positive control)" "0" "$("$A" security --threshold=100 "$U/trace.service" >/dev/null 2>&1; echo $?)"
is "security --threshold=101: a usage error" "2" "$("$A" security --threshold=101 "$U/trace.service" >/dev/null 2>&1; echo $?)"
is "security JSON: the exposure as printed" "10.0" "$("$A" security --json=short "$U/trace.service" | grep -o '"exposure":[0-9.]*' | head -1 | cut -d: -f2)"

done_testing
