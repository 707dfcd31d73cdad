# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Shorten strace's bpf() lines to the fields that show token use: the
# command, program/map type, name, flags, token fds and the result.  Other
# lines (libbpf's, bpftool's) pass unchanged.  Used inside the containers by
# e2e-client and on the host by demo.sh, so plain awk that mawk understands
# (split on ", " rather than a regex alternation with empty branches, which
# mawk mishandles).
/bpf\(/ {
        pre = $0; sub(/bpf\(.*$/, "", pre)
        cmd = $0; sub(/^.*bpf\(/, "", cmd); sub(/,.*$/, "", cmd)
        res = $0; sub(/^.*\) = /, "= ", res)
        out = ""
        n = split($0, part, /, /)
        for (i = 2; i <= n; i++) {
                p = part[i]; sub(/^\{/, "", p); sub(/\}.*$/, "", p); sub(/^[a-z_]+=\{/, "", p)
                if (p ~ /^(prog_type|map_type|prog_name|prog_flags|map_flags|btf_flags|bpffs_fd|prog_token_fd|map_token_fd|btf_token_fd)=/)
                        out = out (out == "" ? "" : ", ") p
        }
        print pre "bpf(" cmd ", {" out "}) " res
        next
}
{ print }
