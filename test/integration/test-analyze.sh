#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bpftoken-analyze against real delegated mounts and tokens: every verb, text and JSON, and one
# 'verify' case per mistake it must catch.
set -u
. "$(dirname "$0")/tap.sh"
require_root_and_token_kernel

A=$BPFTOKEN_ANALYZE
MK=$MKTOKEN
T=$(mktemp -d /tmp/bpftoken-analyze-test.XXXXXX)
UNIT=bpftoken-analyze-test-$$.service
CG=
holders=()

cleanup() {
        for p in "${holders[@]}"; do kill "$p" 2>/dev/null; done
        for p in "${holders[@]}"; do while kill -0 "$p" 2>/dev/null; do sleep 0.05; done; done
        [ -n "$CG" ] && rmdir "$CG" 2>/dev/null
        rm -rf "$T"
}
trap cleanup EXIT

json() {        # json PYTHON-EXPRESSION (stdin: JSON as 'j'), prints the result
        python3 -c 'import json,sys; j=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

mounts_before=$(host_bpf_mounts)

# Three holders: a mounted instance with a token (in a unit's cgroup), a token from a detached
# instance with everything delegated, and a mounted instance without a token.
pa=$("$MK" --cmds=0x40021 --maps=0x6 --progs=0x42 --attachs=0x2000000001 --timeout=120)
rc=$?
[ $rc = 77 ] && skip_all "kernel without BPF token support"
[ $rc = 0 ] || { echo "Bail out! mktoken failed"; exit 1; }
holders+=("$pa")
pb=$("$MK" --cmds=any --maps=any --progs=any --attachs=any --no-mount --timeout=120) && holders+=("$pb")
pc=$("$MK" --cmds=0x1 --no-token --timeout=120) && holders+=("$pc")

# A fake unit: a cgroup named like a service on the unified hierarchy.
for root in /sys/fs/cgroup /sys/fs/cgroup/unified; do
        if [ -e "$root/cgroup.procs" ] && [ "$(stat -f -c %T "$root")" = cgroup2fs ]; then
                CG=$root/system.slice/$UNIT
                mkdir -p "$CG" && echo "$pa" > "$CG/cgroup.procs" || CG=
                break
        fi
done
[ -n "$CG" ] || echo "# note: no writable cgroup2 hierarchy: unit columns stay empty"

# ---- tokens ----
out=$("$A" --no-pager tokens)
line=$(printf '%s\n' "$out" | awk -v p="$pa" '$1 == p')
contains "tokens: lists the holder's token" "map_create,prog_load,btf_load hash,array socket_filter,xdp cgroup_inet_ingress,xdp" "$line"
contains "tokens: names the mount point" " /sys/fs/bpf " "$line"
[ -n "$CG" ] && contains "tokens: names the unit from the cgroup" "$UNIT" "$line"
contains "tokens: upper-case headers" "PID FD COMMAND" "$out"
contains "tokens: legend" "entries listed." "$out"
is "tokens: the detached token shows any" "any any any any" \
   "$(printf '%s\n' "$out" | awk -v p="$pb" '$1 == p {print $(NF-3), $(NF-2), $(NF-1), $NF}')"
is "tokens: a mount without a token is not a token" "" "$(printf '%s\n' "$out" | awk -v p="$pc" '$1 == p')"
is "tokens --no-legend: no header, no legend" "0" "$("$A" --no-pager --no-legend tokens | grep -c -e 'entries listed' -e '^ *PID ')"

js=$("$A" tokens --json=short)
is "tokens JSON: masks of the holder" "0x40021 0x6 0x42 0x2000000001 /sys/fs/bpf" \
   "$(printf '%s' "$js" | json "' '.join(next((t['commands']['mask'], t['maps']['mask'], t['programs']['mask'], t['attachments']['mask'], t['mount_point']) for t in j if t['pid'] == $pa))")"
is "tokens JSON: names of the holder" "['map_create', 'prog_load', 'btf_load']" \
   "$(printf '%s' "$js" | json "next(t['commands']['names'] for t in j if t['pid'] == $pa)")"
is "tokens JSON: the detached token" "True True True True None" \
   "$(printf '%s' "$js" | json "' '.join(str(x) for x in next((t['commands']['any'], t['maps']['any'], t['programs']['any'], t['attachments']['any'], t['mount_point']) for t in j if t['pid'] == $pb))")"
is "tokens --json=pretty parses the same" "$(printf '%s' "$js" | json 'len(j)')" "$("$A" tokens --json=pretty | json 'len(j)')"

# ---- mounts ----
out=$("$A" --no-pager mounts)
line=$(printf '%s\n' "$out" | awk -v p="$pa" '$4 == p')
contains "mounts: lists the holder's instance" "/sys/fs/bpf map_create,prog_load,btf_load hash,array socket_filter,xdp cgroup_inet_ingress,xdp" "$line"
is "mounts: the instance without a token too" "/sys/fs/bpf map_create - - -" "$(printf '%s\n' "$out" | awk -v p="$pc" '$4 == p {print $6, $7, $8, $9, $10}')"
is "mounts: a detached instance is in no mount table" "" "$(printf '%s\n' "$out" | awk -v p="$pb" '$4 == p')"
js=$("$A" mounts --json=short)
is "mounts JSON: owner, delegation, mount points" "0 True ['/sys/fs/bpf'] 0x40021" \
   "$(printf '%s' "$js" | json "' '.join(str(x) for x in next((m['userns_owner'], m['delegated'], m['mount_points'], m['commands']['mask']) for m in j if m['pid'] == $pa))")"
is "mounts JSON: user namespace of the holder" "$(stat -L -c %i /proc/$pa/ns/user)" \
   "$(printf '%s' "$js" | json "next(m['userns'] for m in j if m['pid'] == $pa)")"
is "mounts JSON: one entry per namespace and superblock" "1" \
   "$(printf '%s' "$js" | json "sum(1 for m in j if m['pid'] == $pa)")"

# ---- names ----
out=$("$A" --no-pager names commands)
contains "names: kernel and systemd spellings" "prog_load" "$out"
contains "names: systemd spelling" "BPFProgLoad" "$out"
is "names maps --json: only maps" "True" "$("$A" names maps --json=short | json "all(x['kind'] == 'maps' for x in j) and len(j) > 20")"
ok "names: an unknown kind is refused" sh -c "! '$A' names frobs"

# ---- probe ----
js=$("$A" probe --json=short)
is "probe: the kernel supports tokens" "yes" "$(printf '%s' "$js" | json "next(x['status'] for x in j if x['feature'] == 'bpf-token')")"
is "probe: a throwaway token can be created" "yes" "$(printf '%s' "$js" | json "next(x['status'] for x in j if x['feature'] == 'token-create')")"
contains "probe: text table" "FEATURE" "$("$A" --no-pager probe)"

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
        js=$("$A" verify --systemd-version="$v" --json=short "$@" "$f")
        rc=$?
        echo "$rc $(printf '%s' "$js" | json "' '.join(sorted(set(x['severity'][0] + ':' + x['code'] for x in j if x['severity'] != 'notice')))")"
}
is "verify: a complete unit passes on 262" "0 " "$(verify_codes 262 "$U/good.service")"
is "verify: the same without prerequisites passes on 257 (the generator adds them)" "0 " "$(verify_codes 257 "$U/good257.service")"
is "verify: unknown name" "1 e:unknown-name" "$(verify_codes 262 "$U/unknown.service")"
contains "verify: unknown name is explained with a suggestion" "Did you mean 'BPFProgLoad'" \
        "$("$A" verify --systemd-version=262 "$U/unknown.service")"
is "verify: space-separated values on 262 are an error" "1 e:space-separated" "$(verify_codes 262 "$U/spaces.service")"
is "verify: space-separated values on 257 are a warning" "0 w:space-separated" "$(verify_codes 257 "$U/spaces.service")"
contains "verify: the fix is spelled out" "Write BPFDelegateCommands=BPFMapCreate,BPFProgLoad,BPFBtfLoad." \
        "$("$A" verify --systemd-version=262 "$U/spaces.service")"
is "verify: hex mixed with names" "1 e:hex-mixed" "$(verify_codes 262 "$U/hex.service")"
is "verify: kernel spellings on 262" "1 e:non-systemd-syntax" "$(verify_codes 262 "$U/kernelnames.service")"
is "verify: missing native prerequisites on 262" "1 e:missing-prerequisite" "$(verify_codes 262 "$U/noprereq.service")"
is "verify: three prerequisites named" "3" \
   "$("$A" verify --systemd-version=262 --json=short "$U/noprereq.service" | json "sum(1 for x in j if x['code'] == 'missing-prerequisite')")"
is "verify: delegation without libbpf's probe needs" "0 w:libbpf-baseline" "$(verify_codes 262 "$U/nobaseline.service")"
is "verify: AmbientCapabilities=CAP_BPF on 257 without PrivateUsers=" "1 e:ambient-cap-initial-ns" "$(verify_codes 257 "$U/ambient.service")"
is "verify: SystemCallFilter= without bpf" "1 e:syscall-filter" "$(verify_codes 262 "$U/syscall.service")"
is "verify: CapabilityBoundingSet= without CAP_BPF" "1 e:capability-bounding-set" "$(verify_codes 262 "$U/bounding.service")"
is "verify: RestrictNamespaces= is not an error" "0 " "$(verify_codes 262 "$U/restrictns.service")"
contains "verify: RestrictNamespaces= is explained" "[restrict-namespaces]" "$("$A" verify --systemd-version=262 "$U/restrictns.service")"
is "verify: a User= unit on 262 needs AmbientCapabilities=CAP_BPF" "1 e:missing-capability" "$(verify_codes 262 "$U/nocap.service")"
is "verify: BPFDelegate*= without PrivateBPF=yes" "1 e:private-bpf-missing" "$(verify_codes 262 "$U/noprivatebpf.service")"
is "verify: a kernel without token support" "1 e:no-kernel-support" "$(verify_codes 262 "$U/good.service" --token-support=no)"
"$A" verify "$T/missing.service" >/dev/null 2>"$T/err"
is "verify: a missing file fails (exit 2) with one sentence" "2 1" "$? $(wc -l < "$T/err")"
contains "verify: text names file and line" "unknown.service:4: error:" "$("$A" verify --systemd-version=262 "$U/unknown.service")"

# ---- security ----
printf '[Service]\nExecStart=/bin/true\nPrivateBPF=yes\nBPFDelegateCommands=any\nBPFDelegatePrograms=kprobe,tracing\n' > "$U/trace.service"
out=$("$A" --no-pager security "$U/trace.service")
contains "security: tracing programs read kernel memory" "Tracing programs can read all kernel memory" "$out"
contains "security: overall level" "Overall BPF exposure level for trace.service: 10.0 UNSAFE" "$out"
is "security JSON: exposure and items" "10.0 UNSAFE programs-tracing" \
   "$("$A" security --json=short "$U/trace.service" | json "'%.1f %s %s' % (j[0]['exposure'], j[0]['level'], j[0]['items'][0]['id'])")"
contains "security: the baseline unit is lower" "MEDIUM" "$("$A" --no-pager security "$U/nobaseline.service")"

# ---- units and status, through --root= and the fake unit's cgroup ----
R=$T/root
mkdir -p "$R/etc/systemd/system"
sed 's/BPFDelegateMaps=BPFMapTypeArray/BPFDelegateMaps=BPFMapTypeHash,BPFMapTypeArray/; s/BPFDelegatePrograms=BPFProgTypeSocketFilter/BPFDelegatePrograms=BPFProgTypeSocketFilter,BPFProgTypeXdp/; s/BPFDelegateAttachments=any/BPFDelegateAttachments=BPFCgroupInetIngress,BPFXdp/' \
        "$U/good.service" > "$R/etc/systemd/system/$UNIT"
cp "$U/trace.service" "$R/etc/systemd/system/other.service"
printf '[Service]\nExecStart=/bin/true\n' > "$R/etc/systemd/system/plain.service"
out=$("$A" --no-pager --root="$R" --systemd-version=257 units)
contains "units: lists the delegating unit" "$UNIT" "$out"
contains "units: and the other one" "other.service" "$out"
is "units: not the plain unit" "" "$(printf '%s\n' "$out" | grep plain.service)"
is "units JSON: implementation on 262" "native native" \
   "$("$A" --root="$R" --systemd-version=262 units --json=short | json "' '.join(u['implementation'] for u in j)")"
if [ -n "$CG" ]; then
        out=$("$A" --no-pager --root="$R" --systemd-version=257 status "$UNIT")
        contains "status: the process" "Processes: 1 ($pa)" "$out"
        contains "status: the instance" "Instance: /sys/fs/bpf" "$out"
        contains "status: requested equals effective" "commands    map_create,prog_load,btf_load map_create,prog_load,btf_load -" "$out"
        contains "status: live token" "$pa " "$out"
        js=$("$A" --root="$R" --systemd-version=257 status "$UNIT" --json=short)
        is "status JSON: nothing missing or extra" "0x0 0x0 0x0 0x0 0x0 0x0 0x0 0x0" \
           "$(printf '%s' "$js" | json "' '.join(d['missing']['mask'] + ' ' + d['extra']['mask'] for d in j[0]['delegation'])")"
        is "status JSON: the token" "$pa 0x40021" "$(printf '%s' "$js" | json "'%d %s' % (j[0]['tokens'][0]['pid'], j[0]['tokens'][0]['commands']['mask'])")"
        # A differing live instance is a warning.
        sed -i 's/BPFDelegateMaps=.*/BPFDelegateMaps=BPFMapTypeArray/' "$R/etc/systemd/system/$UNIT"
        contains "status: a differing instance is reported" "extra hash" "$("$A" --no-pager --root="$R" --systemd-version=257 status "$UNIT")"
fi
out=$("$A" --no-pager --root="$R" --systemd-version=257 status other.service)
contains "status: a unit without processes" "other.service has no running processes" "$out"

# ---- root only, one sentence ----
if command -v setpriv >/dev/null; then
        setpriv --reuid=65534 --regid=65534 --clear-groups "$A" tokens >/dev/null 2>"$T/err"
        rc=$?
        is "tokens as non-root: refused (exit 2)" "2" "$rc"
        contains "tokens as non-root: says root is needed" "needs root privileges" "$(cat "$T/err")"
fi
"$A" frobnicate >/dev/null 2>"$T/err"
is "an unknown verb fails with one sentence" "2 1" "$? $(wc -l < "$T/err")"

# ---- nothing leaked ----
for p in "${holders[@]}"; do kill "$p"; done
for p in "${holders[@]}"; do while kill -0 "$p" 2>/dev/null; do sleep 0.05; done; done
holders=()
is "no bpffs mount leaked into the host namespace" "$mounts_before" "$(host_bpf_mounts)"
is "no token left once the holders are gone" "0" "$("$A" tokens --json=short | json "sum(1 for t in j if t['pid'] in ($pa, $pb, $pc))")"

done_testing
