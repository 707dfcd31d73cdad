/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The wire format between bpftoken-exec (client) and bpftoken-publish, over a SOCK_SEQPACKET
 * AF_UNIX socket. One request, one reply, fixed sizes. The request carries nothing the publisher
 * trusts: it only says "give my namespaces my instance" (and, with PUBLISH_REQUEST_OWN_NETNS, "and a
 * network namespace my user namespace owns", which the publisher grants only to a caller whose network
 * namespace is private already). No fds in a request; a reply carries one fd, the network namespace,
 * exactly when its flags say PUBLISH_REPLY_NETNS.
 */

#include <stdint.h>

#include "delegation.h"

#define PUBLISH_PROTOCOL_MAGIC   UINT32_C(0x4b545042) /* "BPTK" */
#define PUBLISH_PROTOCOL_VERSION UINT32_C(1)
#define PUBLISH_MESSAGE_MAX      480

typedef enum PublishRequestType {
        PUBLISH_REQUEST_INSTANCE = 1,
} PublishRequestType;

typedef enum PublishRequestFlags {
        PUBLISH_REQUEST_OWN_NETNS = 1 << 0, /* replace my private network namespace by one my user
                                             * namespace owns (issue 8: rtnetlink attach) */
        _PUBLISH_REQUEST_FLAGS_ALL = PUBLISH_REQUEST_OWN_NETNS,
} PublishRequestFlags;

typedef struct PublishRequest {
        uint32_t magic;
        uint32_t version;
        uint32_t type;
        uint32_t flags; /* PublishRequestFlags; unknown bits make the request invalid */
} PublishRequest;

typedef enum PublishReplyFlags {
        PUBLISH_REPLY_ALREADY_ATTACHED = 1 << 0, /* a delegated instance was there already */
        PUBLISH_REPLY_NETNS            = 1 << 1, /* the reply carries a network namespace fd */
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
int publish_request_send_flags(int fd, unsigned flags);
/* -EBADMSG: wrong size, magic, version, type or flags, or fds attached (they are closed). */
int publish_request_recv(int fd, PublishRequest *ret);

int publish_reply_send(int fd, int error, unsigned flags, const Delegation *granted, const char *message);
/* With netns_fd >= 0 (and flags then including PUBLISH_REPLY_NETNS), the fd goes along. */
int publish_reply_send_fd(int fd, int error, unsigned flags, const Delegation *granted, const char *message,
                          int netns_fd);
/* No fd is accepted. */
int publish_reply_recv(int fd, PublishReply *ret);
/* Accepts one fd exactly when the reply's flags say PUBLISH_REPLY_NETNS (*ret_netns_fd, else -EBADF);
 * anything else attached is closed and makes the reply invalid (-EBADMSG). */
int publish_reply_recv_fd(int fd, PublishReply *ret, int *ret_netns_fd);
