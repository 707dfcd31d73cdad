/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a hostile client can send the publisher: one packet of any bytes. Only a well-formed request
 * may be accepted. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        PublishRequest req;
        int pair[2], r;

        if (size > 4096)
                return 0;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC, 0, pair) < 0)
                abort();
        if (send(pair[1], data, size, 0) < 0)
                abort();
        close(pair[1]);
        r = publish_request_recv(pair[0], &req);
        if (r >= 0 && (size != sizeof req || req.magic != PUBLISH_PROTOCOL_MAGIC ||
                       (req.flags & ~(uint32_t) _PUBLISH_REQUEST_FLAGS_ALL)))
                abort();
        close(pair[0]);
        return 0;
}
