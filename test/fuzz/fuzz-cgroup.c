/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /proc/PID/cgroup contents: the unit name that comes out must be a plausible unit name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text, *unit = NULL;

        if (size > 64 * 1024)
                return 0;
        text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        if (cgroup_text_get_unit(text, &unit) >= 0) {
                if (!unit || !*unit || strchr(unit, '/') || !strchr(unit, '.'))
                        abort();
                free(unit);
        }
        free(text);
        return 0;
}
