/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <stdlib.h>

#include "fdinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        TokenFdinfo t;
        int r;

        r = fdinfo_parse_token((const char *) data, size, &t);
        if (r == 0)
                for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                        if (!t.has_allowed[k] || (t.any[k] && t.allowed[k] != UINT64_MAX))
                                abort();
        return 0;
}
