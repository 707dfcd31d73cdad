/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The raw BTF enum reader, on the input as BTF. Asks for the four enums bpf-names.c wants and for
 * the empty name (which no enum may match). Whatever it returns must point inside the input, be
 * NUL-terminated there, and agree with the kind it reports.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "btf-enums.h"
#include "macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_enum(const BtfEnum *e, const uint8_t *data, size_t size) {
        if (!e->found) {
                if (e->n_values != 0 || e->values)
                        abort();
                return;
        }

        if (e->type_id == 0 || e->n_values > 0xffff || (e->n_values > 0) != !!e->values)
                abort();

        for (size_t i = 0; i < e->n_values; i++) {
                const BtfEnumValue *v = &e->values[i];
                const uint8_t *p = (const uint8_t *) v->name;

                if (p < data || p >= data + size || !memchr(p, 0, (size_t) (data + size - p)))
                        abort();

                /* a 32-bit enum's value is its 32 bits, extended as the kind flag says */
                if (!e->is_enum64) {
                        if (e->is_signed ? (int64_t) v->value < INT32_MIN || (int64_t) v->value > INT32_MAX
                                         : v->value > UINT32_MAX)
                                abort();
                }
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char *const names[] = { "bpf_cmd", "bpf_map_type", "bpf_prog_type", "bpf_attach_type", "" };
        BtfEnums *e = NULL;
        size_t total = 0;
        int r;

        if (size > BTF_ENUMS_FILE_MAX)
                return 0;

        r = btf_enums_parse(data, size, names, ELEMENTSOF(names), &e);
        if (r < 0) {
                if (e || !(r == -EBADMSG || r == -EPROTONOSUPPORT || r == -ENOMEM))
                        abort();
                return 0;
        }

        if (!e || e->n_enums != ELEMENTSOF(names) || e->map)
                abort();
        for (size_t i = 0; i < e->n_enums; i++) {
                check_enum(&e->enums[i], data, size);
                /* the values of all enums share one array, in request order */
                if (e->enums[i].values && e->enums[i].values != e->values + total)
                        abort();
                total += e->enums[i].n_values;
        }
        if (e->enums[ELEMENTSOF(names) - 1].found)
                abort();

        btf_enums_free(e);
        return 0;
}
