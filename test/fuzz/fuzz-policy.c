/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Policy files: any text must parse or fail cleanly, never crash or leak. User=/Group= names are
 * resolved through a fixed user database (fuzz-users.h), not the machine's. What parses must be
 * one consistent match: a valid unit name that matches itself, or an id below 2^32 - 1.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpf-names.h"
#include "fuzz-users.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static BpfNames *names = NULL;
        char error[512] = "";
        Policy *p = NULL;
        char *text;
        int r;

        if (size > 128 * 1024)
                return 0;
        if (!names) {
                if (bpf_names_new_builtin(&names) < 0)
                        abort();
                policy_set_name_resolver(&fuzz_name_resolver);
        }
        text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';

        r = policy_parse(names, "fuzz.conf", text, &p, error, sizeof error);
        if (r >= 0) {
                if (!p || !policy_match_kind_to_string(p->match) || !p->path)
                        abort();
                switch (p->match) {
                case POLICY_MATCH_UNIT:
                        if (!p->unit || !policy_unit_matches(p->unit, p->unit))
                                abort();
                        break;
                case POLICY_MATCH_USER:
                        if (p->unit || p->uid == (uid_t) -1)
                                abort();
                        break;
                default:
                        if (p->unit || p->gid == (gid_t) -1)
                                abort();
                        break;
                }
                policy_free(p);
        } else {
                /* every refusal of a file's contents names the file */
                if (p || (r != -ENOMEM && !strstr(error, "fuzz.conf")))
                        abort();
        }
        free(text);
        return 0;
}
