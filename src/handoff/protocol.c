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
        return publish_request_send_flags(fd, 0);
}

int publish_request_send_flags(int fd, unsigned flags) {
        PublishRequest req;

        publish_request_init(&req);
        req.flags = flags;
        if (send(fd, &req, sizeof req, MSG_NOSIGNAL) < 0)
                return -errno;
        return 0;
}

/* Receive one message of exactly size bytes. With ret_fd, one fd may come along (returned, or -EBADF);
 * any other fd is closed and makes the message invalid. */
static int recv_exact_fd(int fd, void *buf, size_t size, int *ret_fd) {
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
        int kept = -EBADF;
        size_t n_fds = 0;
        ssize_t n;

        if (ret_fd)
                *ret_fd = -EBADF;
        n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC|MSG_TRUNC);
        if (n < 0)
                return -errno;

        for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(&mh); cmsg; cmsg = CMSG_NXTHDR(&mh, cmsg))
                if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS) {
                        size_t k = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);

                        for (size_t i = 0; i < k; i++) {
                                int x;

                                memcpy(&x, CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
                                if (ret_fd && n_fds == 0)
                                        kept = x;
                                else
                                        safe_close(x);
                                n_fds++;
                        }
                }

        if (n == 0 || (mh.msg_flags & MSG_CTRUNC) || (size_t) n != size || n_fds > (ret_fd ? 1u : 0u)) {
                safe_close(kept);
                return n == 0 ? -ECONNRESET : -EBADMSG;
        }
        if (ret_fd)
                *ret_fd = kept;
        return 0;
}

static int recv_exact(int fd, void *buf, size_t size) {
        return recv_exact_fd(fd, buf, size, NULL);
}

int publish_request_recv(int fd, PublishRequest *ret) {
        PublishRequest req = {};
        int r;

        r = recv_exact(fd, &req, sizeof req);
        if (r < 0)
                return r;
        if (req.magic != PUBLISH_PROTOCOL_MAGIC || req.version != PUBLISH_PROTOCOL_VERSION ||
            req.type != PUBLISH_REQUEST_INSTANCE || (req.flags & ~(uint32_t) _PUBLISH_REQUEST_FLAGS_ALL))
                return -EBADMSG;
        *ret = req;
        return 0;
}

int publish_reply_send(int fd, int error, unsigned flags, const Delegation *granted, const char *message) {
        return publish_reply_send_fd(fd, error, flags, granted, message, -EBADF);
}

int publish_reply_send_fd(int fd, int error, unsigned flags, const Delegation *granted, const char *message,
                          int netns_fd) {
        union {
                struct cmsghdr cmsghdr;
                uint8_t buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        PublishReply reply = {
                .magic = PUBLISH_PROTOCOL_MAGIC,
                .version = PUBLISH_PROTOCOL_VERSION,
                .error = error < 0 ? -error : error,
                .flags = flags,
        };

        if (granted)
                memcpy(reply.masks, granted->masks, sizeof reply.masks);
        struct iovec iov = { .iov_base = &reply, .iov_len = sizeof reply };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

        if ((netns_fd >= 0) != !!(flags & PUBLISH_REPLY_NETNS))
                return -EINVAL;
        if (message)
                snprintf(reply.message, sizeof reply.message, "%s", message);
        if (netns_fd >= 0) {
                struct cmsghdr *cmsg;

                mh.msg_control = &control;
                mh.msg_controllen = sizeof control;
                cmsg = CMSG_FIRSTHDR(&mh);
                cmsg->cmsg_level = SOL_SOCKET;
                cmsg->cmsg_type = SCM_RIGHTS;
                cmsg->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(cmsg), &netns_fd, sizeof(int));
        }
        if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
                return -errno;
        return 0;
}

int publish_reply_recv(int fd, PublishReply *ret) {
        return publish_reply_recv_fd(fd, ret, NULL);
}

int publish_reply_recv_fd(int fd, PublishReply *ret, int *ret_netns_fd) {
        _cleanup_(closep) int netns_fd = -EBADF;
        PublishReply reply = {};
        int r;

        r = recv_exact_fd(fd, &reply, sizeof reply, ret_netns_fd ? &netns_fd : NULL);
        if (r < 0)
                return r;
        if (reply.magic != PUBLISH_PROTOCOL_MAGIC || reply.version != PUBLISH_PROTOCOL_VERSION || reply.error < 0 ||
            (netns_fd >= 0) != !!(reply.flags & PUBLISH_REPLY_NETNS))
                return -EBADMSG;
        if (ret_netns_fd)
                *ret_netns_fd = TAKE_FD(netns_fd);
        reply.message[sizeof reply.message - 1] = '\0';
        *ret = reply;
        return 0;
}
