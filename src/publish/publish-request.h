/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "bpf-names.h"

/* How long one request may take to arrive and be answered, per socket operation. */
#define PUBLISH_REQUEST_TIMEOUT_SEC 10

typedef struct PublishConfig {
        const char *const *policy_dirs; /* NULL-terminated, highest precedence first */
        pid_t host_pid;                 /* whose mount namespace is the host's */
        const BpfNames *names;          /* the kernel's BPF names, loaded once by the long-lived
                                         * publisher (publish-names-cache.h); NULL: load per request */
} PublishConfig;

/* Answer the one request on the connected socket sock. Always replies when the peer is still there;
 * returns 0 (a refusal is not an error of the publisher) or -errno. */
int publish_handle_connection(int sock, const PublishConfig *config);
