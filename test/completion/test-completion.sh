#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The bash completion of every command, against the built binaries: options and presets come from
# the commands' --help, delegation names from `bpftoken-analyze names`, as they will when installed.
# test-completion.sh COMPLETION-DIR BIN-DIR...
set -u
. "$(dirname "$0")/../integration/tap.sh"
dir=$1; shift
for d in "$@"; do PATH=$d:$PATH; done
export PATH
for f in "$dir"/*; do . "$f"; done

# complete LINE: what bash would offer at the end of LINE (split as readline does, '=' breaking).
complete_line() {
        local line=$1 fn
        COMP_LINE=$line COMP_POINT=${#line}
        # Split like readline: blanks separate words, '=' is a word of its own.
        read -r -a COMP_WORDS <<<"$(sed 's/=/ = /g' <<<"$line")"
        [[ $line == *' ' ]] && COMP_WORDS+=("")
        [[ $line == *'=' ]] && COMP_WORDS+=("")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        fn=$(complete -p "${COMP_WORDS[0]}" | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
        COMPREPLY=()
        "$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>/dev/null
        printf '%s\n' "${COMPREPLY[@]}" | sort -u | tr '\n' ' ' | sed 's/ $//'
}

for c in bpftoken-exec bpftoken-analyze; do
        ok "$c has a completion" complete -p "$c"
done
out=$(complete_line 'bpftoken-exec --')
contains "exec: options from --help" "--delegate-commands=" "$out"
contains "exec: ... all of them" "--argv0=" "$out"
contains "exec: ... and the end of the options" "-- " "$out "
is "exec: presets from --help" "cgroup-net libbpf networking tc tracing xdp" "$(complete_line 'bpftoken-exec --preset=')"
contains "exec: command names of the running kernel, both spellings" "BPFProgLoad" "$(complete_line 'bpftoken-exec --delegate-commands=')"
contains "exec: ... kernel spelling" "prog_load" "$(complete_line 'bpftoken-exec --delegate-commands=')"
is "exec: the last element of a list" "map_create,prog_load" "$(complete_line 'bpftoken-exec --delegate-commands=map_create,prog_lo')"
contains "exec: map types" "BPFMapTypeArray" "$(complete_line 'bpftoken-exec --delegate-maps=BPFMapTypeA')"
contains "exec: program types" "socket_filter" "$(complete_line 'bpftoken-exec --delegate-programs=sock')"
contains "exec: attach types (and any)" "any" "$(complete_line 'bpftoken-exec --delegate-attachments=')"
is "exec: users" "nobody" "$(complete_line 'bpftoken-exec --user=nobod')"
is "exec: users, separate value" "nobody" "$(complete_line 'bpftoken-exec --user nobod')"
contains "exec: the command after --" "bash" "$(complete_line 'bpftoken-exec --preset=libbpf -- bas')"
contains "exec: the command after the options" "bash" "$(complete_line 'bpftoken-exec --user nobody bas')"
is "exec: no option completion in the command's arguments" "" "$(complete_line 'bpftoken-exec -- /bin/true --delegate-comm')"
contains "analyze: verbs" "status" "$(complete_line 'bpftoken-analyze st')"
contains "analyze: names of a kind" "BPFMapTypeArray" "$(complete_line 'bpftoken-analyze names maps BPFMapTypeA')"
done_testing
