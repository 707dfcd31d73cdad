/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The host scans with BPF iterators where the BPF side is built: the kernel names the processes that
 * hold a token (src/monitor/monitor-iter.c), and scan_tokens() reads /proc for those only. The
 * result is the same as scan_tokens()'s; without the BPF framework, outside the initial PID
 * namespace, or if the kernel refuses the iterator, it is scan_tokens() itself.
 */

#include <stdbool.h>

#include "analyze-scan.h"

/* The iterator costs ~40 ms up front (libbpf parses the kernel's BTF to load it) and saves ~40 us per
 * process (bench-scan: 110 ms against 286 ms over 5,100 processes, 45 ms against 4 ms over 140), so
 * it is used from this many processes on, unless forced. */
#define SCAN_ITERATOR_MIN_PROCESSES 1000

/* ret_used_iterator (may be NULL): whether the iterator found the holders. */
int scan_tokens_fast(const ScanFilter *filter, bool force_iterator, TokenScan *ret, bool *ret_used_iterator);
