/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Test driver: the token scan both ways — every /proc/PID/fd (scan_tokens()) and through the
 * iter/task_file iterator (scan_tokens_fast(), forced) — printing "proc PID:FD..." and
 * "iter PID:FD..." lines and whether the iterator was used.
 */
#include <stdio.h>
#include <string.h>

#include "analyze-scan-bpf.h"

static void print(const char *how, const TokenScan *s) {
        printf("%s", how);
        for (size_t i = 0; i < s->n_entries; i++)
                printf(" %d:%d:%llx", (int) s->entries[i].pid, s->entries[i].fd,
                       (unsigned long long) s->entries[i].info.allowed[0]);
        printf("\n");
}

int main(void) {
        TokenScan a = {}, b = {};
        bool used = false;

        if (scan_tokens(NULL, &a) < 0 || scan_tokens_fast(NULL, true, &b, &used) < 0)
                return 1;
        print("proc", &a);
        print("iter", &b);
        printf("iterator %s\n", used ? "used" : "not used");
        token_scan_done(&a);
        token_scan_done(&b);
        return 0;
}
