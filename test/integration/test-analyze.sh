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
        [ -n "$CG" ] && rmdir "$CG" "$(dirname "$CG")" 2>/dev/null
        rm -rf "$T"
}
trap cleanup EXIT

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
json() {        # json PYTHON-EXPRESSION (stdin: JSON as 'j'), prints the result
        "$PY" -c 'import json,sys; j=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
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
                # A slice of our own, so that nothing of the host's systemd is touched.
                CG=$root/bpftoken-analyze-test-$$.slice/$UNIT
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
is "tokens JSON: bpftool's field names for the same facts" "/sys/fs/bpf ['map_create', 'prog_load', 'btf_load'] ['hash', 'array']" \
   "$(printf '%s' "$js" | json "' '.join(str(x) for x in next((t['token_info'], t['allowed_cmds'], t['allowed_maps']) for t in j if t['pid'] == $pa))")"
is "tokens JSON: allowed_* say any as bpftool does" "['any'] ['any']" \
   "$(printf '%s' "$js" | json "' '.join(str(x) for x in next((t['allowed_cmds'], t['allowed_attachs']) for t in j if t['pid'] == $pb))")"
# bpftool >= 7.6 'token list -j' prints token_info and allowed_{cmds,maps,progs,attachs} (arrays of
# kernel names); bpftool 7.5 (the one test-bpftool uses) has no token command to compare with.
is "mounts JSON: bpftool's field names for the same facts" \
   "[('/sys/fs/bpf', ['map_create', 'prog_load', 'btf_load'], ['hash', 'array'], ['socket_filter', 'xdp'], ['cgroup_inet_ingress', 'xdp'])]" \
   "$("$A" mounts --json=short | json "[(m['token_info'], m['allowed_cmds'], m['allowed_maps'], m['allowed_progs'], m['allowed_attachs']) for m in j if m['pid'] == $pa]")"
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

# ---- units and status, through --root= and the fake unit's cgroup ----
U=$T/units
mkdir -p "$U"
printf '[Service]\nExecStart=/bin/true\nPrivateBPF=yes\nBPFDelegateCommands=BPFMapCreate,BPFProgLoad,BPFBtfLoad\nBPFDelegateMaps=BPFMapTypeArray\nBPFDelegatePrograms=BPFProgTypeSocketFilter\nBPFDelegateAttachments=any\nPrivateUsers=yes\nPrivateMounts=yes\nDelegateNamespaces=mnt\n' > "$U/good.service"
printf '[Service]\nExecStart=/bin/true\nPrivateBPF=yes\nBPFDelegateCommands=any\nBPFDelegatePrograms=kprobe,tracing\n' > "$U/trace.service"
R=$T/root
mkdir -p "$R/etc/systemd/system"
sed 's/BPFDelegateMaps=BPFMapTypeArray/BPFDelegateMaps=BPFMapTypeHash,BPFMapTypeArray/; s/BPFDelegatePrograms=BPFProgTypeSocketFilter/BPFDelegatePrograms=BPFProgTypeSocketFilter,BPFProgTypeXdp/; s/BPFDelegateAttachments=any/BPFDelegateAttachments=BPFCgroupInetIngress,BPFXdp/' \
        "$U/good.service" > "$R/etc/systemd/system/$UNIT"
cp "$U/trace.service" "$R/etc/systemd/system/other.service"
printf '[Service]\nExecStart=/bin/true\n' > "$R/etc/systemd/system/plain.service"
mkdir -p "$R/etc/bpftoken/policy.d"
printf '[Match]\nUnit=plain.service\n\n[Delegation]\nCommands=map_create,prog_load\nMaps=array\nPrograms=socket_filter\nAttachments=any\n' \
        > "$R/etc/bpftoken/policy.d/plain.conf"
chmod 644 "$R/etc/bpftoken/policy.d/plain.conf"
out=$("$A" --no-pager --root="$R" --systemd-version=257 units)
contains "units: lists the delegating unit" "$UNIT" "$out"
contains "units: and the other one" "other.service" "$out"
is "units: a unit only a policy delegates to is served by bpftoken" "plain.service bpftoken - map_create,prog_load array socket_filter any" \
   "$(printf '%s\n' "$out" | grep plain.service | tr -s ' ')"
is "units JSON: implementation on 262" "native native" \
   "$("$A" --root="$R" --systemd-version=262 units --json=short | json "' '.join(u['implementation'] for u in j if u['source'] != 'policy')")"
is "units JSON: source of each entry" "$UNIT:unit other.service:unit plain.service:policy" \
   "$("$A" --root="$R" --systemd-version=257 units --json=short | json "' '.join(u['unit'] + ':' + u['source'] for u in j)")"
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
        is "tokens as non-root: refused (exit 1, not a usage error)" "1" "$rc"
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
