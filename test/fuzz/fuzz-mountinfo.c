/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Feeds a whole mountinfo text, line by line, through the line parser and the delegate_* decoder. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpf-names.h"
#include "mountinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static BpfNames *names = NULL;
        const char *p = (const char *) data, *end = p + size;

        if (size > 4 * MOUNTINFO_LINE_MAX)
                return 0;
        if (!names && bpf_names_new_builtin(&names) < 0)
                abort();

        while (p < end) {
                const char *eol = memchr(p, '\n', (size_t) (end - p));
                MountInfo m;
                MountDelegation d;

                if (!eol)
                        eol = end;
                if (mountinfo_parse_line(p, (size_t) (eol - p), &m) >= 0) {
                        if (!m.root || !m.mount_point || !m.mount_options || !m.optional || !m.fstype ||
                            !m.source || !m.super_options)
                                abort();
                        (void) mountinfo_parse_delegation(names, m.super_options, &d);
                        (void) mountinfo_parse_delegation(NULL, m.super_options, &d);
                        mountinfo_done(&m);
                }
                p = eol < end ? eol + 1 : end;
        }

        /* The delegate value decoder on the raw input, too (it takes unterminated text). */
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                uint64_t mask;
                bool any;

                (void) mountinfo_parse_delegate_value(names, k, (const char *) data, size, &mask, &any, NULL);
        }
        return 0;
}
