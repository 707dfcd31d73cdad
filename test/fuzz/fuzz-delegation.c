/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The delegation list parser. The first byte picks the kind (commands, maps, programs, attach
 * types), the rest is the value. A value that parses must print, in every style, as text that
 * parses back to the same mask. Names come from the built-in table, for determinism.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "delegation.h"

#define FUZZ_VALUE_MAX 8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_diag(const DelegationDiag *diag) {
        if (strnlen(diag->error, sizeof(diag->error)) >= sizeof(diag->error) ||
            strnlen(diag->warning, sizeof(diag->warning)) >= sizeof(diag->warning))
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static BpfNames *names = NULL;
        DelegationDiag diag;
        Delegation d = {};
        const char *suggestions[4];
        char *value, buf[256];
        uint64_t mask;
        BpfKind kind;
        int r;

        if (size < 1 || size - 1 > FUZZ_VALUE_MAX)
                return 0;
        if (!names && bpf_names_new_builtin(&names) < 0)
                abort();

        kind = (BpfKind) (data[0] % _BPF_KIND_MAX);
        value = malloc(size);
        if (!value)
                abort();
        memcpy(value, data + 1, size - 1);
        value[size - 1] = '\0';

        r = delegation_parse_list(names, kind, value, &mask, &diag);
        check_diag(&diag);
        if (r < 0) {
                if (diag.error[0] == '\0' || diag.warning[0] != '\0')
                        abort();
        } else {
                if (diag.error[0] != '\0')
                        abort();

                for (DelegationStyle s = 0; s < _DELEGATION_STYLE_MAX; s++) {
                        DelegationDiag diag2;
                        uint64_t back = 0;
                        char *text = NULL;

                        if (delegation_format(names, kind, mask, s, &text) < 0)
                                abort();
                        if (delegation_parse_list(names, kind, text, &back, &diag2) < 0 || back != mask)
                                abort();
                        if (diag2.warning[0] != '\0')
                                abort();
                        free(text);
                }

                d.masks[kind] = mask;
                (void) delegation_needed_capabilities(names, &d);
                (void) delegation_covers_libbpf_baseline(names, &d, buf, sizeof(buf));
                if (strnlen(buf, sizeof(buf)) >= sizeof(buf))
                        abort();
        }

        /* the other entry points that take free text */
        if (bpf_names_suggest(names, kind, value, suggestions, 4) > 4)
                abort();
        if (delegation_apply_preset(names, value, &d, &diag) >= 0 && !delegation_preset_find(value))
                abort();
        check_diag(&diag);

        free(value);
        return 0;
}
