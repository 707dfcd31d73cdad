/* SPDX-License-Identifier: (LGPL-2.1-or-later OR BSD-2-Clause) */
#pragma once

/* The records bpftoken-iter.bpf.c writes to its iterator's seq_file: one per BPF token fd. */

#include <linux/types.h>

struct bpftoken_iter_token {
        __u32 tgid;             /* in the initial PID namespace */
        __u32 fd;
        __u64 allowed[4];       /* allowed_cmds, _maps, _progs, _attachs */
        char comm[16];
};
