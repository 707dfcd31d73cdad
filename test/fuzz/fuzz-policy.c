/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Policy files: any text must parse or fail cleanly, never crash or leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpf-names.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static BpfNames *names = NULL;
        char error[512];
        Policy *p = NULL;
        char *text;

        if (size > 128 * 1024)
                return 0;
        if (!names && bpf_names_new_builtin(&names) < 0)
                abort();
        text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        if (policy_parse(names, "fuzz.conf", text, &p, error, sizeof error) >= 0) {
                if (!p || p->match < 0 || p->match >= _POLICY_MATCH_MAX)
                        abort();
                policy_free(p);
        }
        free(text);
        return 0;
}
