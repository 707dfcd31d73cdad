/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A fixed user database for the fuzz targets that read User=/Group= names (policy files), so that
 * what parses does not depend on the machine's /etc/passwd. */

#include <errno.h>
#include <string.h>
#include <sys/types.h>

#include "policy.h"

typedef struct FuzzId {
        const char *name;
        unsigned id;
} FuzzId;

static const FuzzId fuzz_users[] = {
        { "root", 0 }, { "alice", 1000 }, { "bob", 1001 }, { "svc-bpf", 990 }, { "nobody", 65534 },
};
static const FuzzId fuzz_groups[] = {
        { "root", 0 }, { "wheel", 10 }, { "bpfusers", 1500 }, { "users", 100 }, { "nogroup", 65534 },
};

static inline int fuzz_lookup(const FuzzId *t, size_t n, const char *name, unsigned *ret) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(t[i].name, name) == 0) {
                        *ret = t[i].id;
                        return 0;
                }
        return -ESRCH;
}

static inline int fuzz_user(const char *name, uid_t *ret, void *userdata) {
        return fuzz_lookup(fuzz_users, sizeof fuzz_users / sizeof fuzz_users[0], name, ret);
}

static inline int fuzz_group(const char *name, gid_t *ret, void *userdata) {
        return fuzz_lookup(fuzz_groups, sizeof fuzz_groups / sizeof fuzz_groups[0], name, ret);
}

static const PolicyNameResolver fuzz_name_resolver = { .user = fuzz_user, .group = fuzz_group };
