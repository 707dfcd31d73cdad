/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sys/socket.h>

#include "macro.h"
#include "protocol.h"

void publish_request_init(PublishRequest *req) {
        *req = (PublishRequest) {
                .magic = PUBLISH_PROTOCOL_MAGIC,
                .version = PUBLISH_PROTOCOL_VERSION,
                .type = PUBLISH_REQUEST_INSTANCE,
        };
}

int publish_request_send(int fd) {
        PublishRequest req;

        publish_request_init(&req);
        if (send(fd, &req, sizeof req, MSG_NOSIGNAL) < 0)
                return -errno;
        return 0;
}

/* Receive one message of exactly size bytes; any fd that arrives with it is closed and makes the
 * message invalid. */
static int recv_exact(int fd, void *buf, size_t size) {
        union {
                struct cmsghdr cmsghdr;
                uint8_t buf[CMSG_SPACE(sizeof(int) * 8)];
        } control = {};
        struct iovec iov = {
                .iov_base = buf,
                .iov_len = size,
        };
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = &control,
                .msg_controllen = sizeof control,
        };
        bool got_fds = false;
        ssize_t n;

        n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC|MSG_TRUNC);
        if (n < 0)
                return -errno;

        for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(&mh); cmsg; cmsg = CMSG_NXTHDR(&mh, cmsg))
                if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS) {
                        size_t k = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);

                        for (size_t i = 0; i < k; i++) {
                                int x;

                                memcpy(&x, CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
                                safe_close(x);
                        }
                        got_fds = true;
                }

        if (n == 0)
                return -ECONNRESET;
        if (got_fds || (mh.msg_flags & MSG_CTRUNC) || (size_t) n != size)
                return -EBADMSG;
        return 0;
}

int publish_request_recv(int fd, PublishRequest *ret) {
        PublishRequest req = {};
        int r;

        r = recv_exact(fd, &req, sizeof req);
        if (r < 0)
                return r;
        if (req.magic != PUBLISH_PROTOCOL_MAGIC || req.version != PUBLISH_PROTOCOL_VERSION ||
            req.type != PUBLISH_REQUEST_INSTANCE || req.flags != 0)
                return -EBADMSG;
        *ret = req;
        return 0;
}

int publish_reply_send(int fd, int error, unsigned flags, const Delegation *granted, const char *message) {
        PublishReply reply = {
                .magic = PUBLISH_PROTOCOL_MAGIC,
                .version = PUBLISH_PROTOCOL_VERSION,
                .error = error < 0 ? -error : error,
                .flags = flags,
        };

        if (granted)
                memcpy(reply.masks, granted->masks, sizeof reply.masks);
        if (message)
                snprintf(reply.message, sizeof reply.message, "%s", message);
        if (send(fd, &reply, sizeof reply, MSG_NOSIGNAL) < 0)
                return -errno;
        return 0;
}

int publish_reply_recv(int fd, PublishReply *ret) {
        PublishReply reply = {};
        int r;

        r = recv_exact(fd, &reply, sizeof reply);
        if (r < 0)
                return r;
        if (reply.magic != PUBLISH_PROTOCOL_MAGIC || reply.version != PUBLISH_PROTOCOL_VERSION || reply.error < 0)
                return -EBADMSG;
        reply.message[sizeof reply.message - 1] = '\0';
        *ret = reply;
        return 0;
}
