/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <stdlib.h>

#include "analyze-scan-bpf.h"
#include "macro.h"
#include "monitor-iter.h"

/* The holders the caller's PID list allows. */
static size_t intersect(pid_t *holders, size_t n, const ScanFilter *filter) {
        size_t k = 0;

        if (!filter || !filter->pids)
                return n;
        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < filter->n_pids; j++)
                        if (filter->pids[j] == holders[i]) {
                                holders[k++] = holders[i];
                                break;
                        }
        return k;
}

/* Processes on the host, counted from /proc's entries, stopping at max. */
static unsigned count_processes(unsigned max) {
        struct dirent *de;
        unsigned n = 0;
        DIR *d = opendir("/proc");

        if (!d)
                return 0;
        while (n < max && (de = readdir(d)))
                if (de->d_name[0] >= '1' && de->d_name[0] <= '9')
                        n++;
        closedir(d);
        return n;
}

int scan_tokens_fast(const ScanFilter *filter, bool force_iterator, TokenScan *ret, bool *ret_used_iterator) {
        _cleanup_(freep) pid_t *holders = NULL;
        ScanFilter f = {};
        size_t n = 0;
        int r;

        if (ret_used_iterator)
                *ret_used_iterator = false;
        if (!force_iterator && ((filter && filter->pids) ||
                                count_processes(SCAN_ITERATOR_MIN_PROCESSES) < SCAN_ITERATOR_MIN_PROCESSES))
                return scan_tokens(filter, ret);
        r = monitor_token_holders(&holders, &n);
        if (r < 0)
                return scan_tokens(filter, ret);
        if (ret_used_iterator)
                *ret_used_iterator = true;
        n = intersect(holders, n, filter);
        *ret = (TokenScan) {};
        if (n == 0)
                return 0;
        f = (ScanFilter) { .unit = filter ? filter->unit : NULL, .pids = holders, .n_pids = n };
        return scan_tokens(&f, ret);
}
