/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The wire format between bpftoken-exec (client) and bpftoken-publish, over a SOCK_SEQPACKET
 * AF_UNIX socket. One request, one reply, fixed sizes, no fds in either direction. The request
 * carries nothing the publisher trusts: it only says "give my namespaces my instance".
 */

#include <stdint.h>

#include "delegation.h"

#define PUBLISH_PROTOCOL_MAGIC   UINT32_C(0x4b545042) /* "BPTK" */
#define PUBLISH_PROTOCOL_VERSION UINT32_C(1)
#define PUBLISH_MESSAGE_MAX      480

typedef enum PublishRequestType {
        PUBLISH_REQUEST_INSTANCE = 1,
} PublishRequestType;

typedef struct PublishRequest {
        uint32_t magic;
        uint32_t version;
        uint32_t type;
        uint32_t flags; /* must be 0 */
} PublishRequest;

typedef enum PublishReplyFlags {
        PUBLISH_REPLY_ALREADY_ATTACHED = 1 << 0, /* a delegated instance was there already */
} PublishReplyFlags;

typedef struct PublishReply {
        uint32_t magic;
        uint32_t version;
        int32_t error;   /* 0, or a positive errno */
        uint32_t flags;  /* PublishReplyFlags */
        uint64_t masks[_BPF_KIND_MAX];
        char message[PUBLISH_MESSAGE_MAX]; /* NUL-terminated sentence */
} PublishReply;

_Static_assert(sizeof(PublishRequest) == 16, "request size");
_Static_assert(sizeof(PublishReply) == 16 + 32 + PUBLISH_MESSAGE_MAX, "reply size");

void publish_request_init(PublishRequest *req);
int publish_request_send(int fd);
/* -EBADMSG: wrong size, magic, version, type or flags, or fds attached (they are closed). */
int publish_request_recv(int fd, PublishRequest *ret);

int publish_reply_send(int fd, int error, unsigned flags, const Delegation *granted, const char *message);
int publish_reply_recv(int fd, PublishReply *ret);
