/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Both sides of the publisher protocol, through the real entry points, over a real
 * socketpair(AF_UNIX, SOCK_SEQPACKET): what a hostile client sends the publisher
 * (publish_request_recv) and what a hostile or broken publisher sends bpftoken-exec
 * (publish_reply_recv). The input says what the peer sends, control messages included:
 *
 *   byte 0  bit 0: side (0 request, 1 reply)
 *           bit 1: the receiver has SO_PASSCRED (the kernel attaches SCM_CREDENTIALS)
 *           bit 2: the sender adds an explicit SCM_CREDENTIALS
 *           bit 3: the fds go in two SCM_RIGHTS headers
 *           bit 4: payload is a valid header (magic, version) followed by the rest of the input,
 *                  zero-padded to the message size
 *           bit 5: a second message (with the same fds) is queued behind the first
 *           bit 6: nothing is sent, the peer hangs up
 *           bit 7: the peer shuts down after sending
 *   byte 1  number of fds attached (0..FUZZ_FDS_MAX; more than the receiver's control buffer
 *           holds, so MSG_CTRUNC is reached)
 *   byte 2  which kinds of fds (pipe, socket, /dev/null, memfd, the receiving socket itself)
 *   rest    the payload
 *
 * Only a well-formed message without fds may be accepted; every fd that arrives is closed (the
 * number of open fds is the same before and after); the errors are the documented ones.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "macro.h"
#include "protocol.h"

#define FUZZ_PAYLOAD_MAX 4096
#define FUZZ_FDS_MAX 20
#define FUZZ_MIN(a, b) ((a) < (b) ? (a) : (b))
#define FUZZ_MAX(a, b) ((a) > (b) ? (a) : (b))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
        FUZZ_REPLY       = 1 << 0,
        FUZZ_PASSCRED    = 1 << 1,
        FUZZ_SEND_CREDS  = 1 << 2,
        FUZZ_SPLIT_FDS   = 1 << 3,
        FUZZ_TEMPLATE    = 1 << 4,
        FUZZ_SECOND      = 1 << 5,
        FUZZ_HANG_UP     = 1 << 6,
        FUZZ_SHUTDOWN    = 1 << 7,
};

static unsigned count_open_fds(void) {
        unsigned n = 0;
        DIR *d;

        d = opendir("/proc/self/fd");
        if (!d)
                abort();
        while (readdir(d))
                n++;
        closedir(d);
        return n;
}

/* An fd of the kind the selector picks; the caller closes it after sending. */
static int make_fd(unsigned kind, int receiver) {
        int p[2], fd;

        switch (kind % 5) {
        case 0:
                if (pipe2(p, O_CLOEXEC) < 0)
                        abort();
                close(p[1]);
                return p[0];
        case 1:
                if (socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, p) < 0)
                        abort();
                close(p[1]);
                return p[0];
        case 2:
                fd = open("/dev/null", O_RDWR|O_CLOEXEC);
                break;
        case 3:
                fd = memfd_create("fuzz-protocol", MFD_CLOEXEC);
                break;
        default:
                fd = fcntl(receiver, F_DUPFD_CLOEXEC, 3);
                break;
        }
        if (fd < 0)
                abort();
        return fd;
}

/* Sends payload with n_fds fds (and credentials) as the flags say. Returns sendmsg()'s result. */
static ssize_t send_message(int sock, uint8_t flags, const int *fds, size_t n_fds, const void *payload, size_t len) {
        union {
                struct cmsghdr h;
                uint8_t buf[CMSG_SPACE(sizeof(struct ucred)) + 2 * CMSG_SPACE(sizeof(int) * FUZZ_FDS_MAX)];
        } control = {};
        struct iovec iov = { .iov_base = (void *) payload, .iov_len = len };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control };
        struct cmsghdr *c = &control.h;
        size_t controllen = 0, first = (flags & FUZZ_SPLIT_FDS) ? n_fds / 2 : n_fds;

        if (flags & FUZZ_SEND_CREDS) {
                struct ucred uc = { .pid = getpid(), .uid = getuid(), .gid = getgid() };

                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_CREDENTIALS;
                c->cmsg_len = CMSG_LEN(sizeof uc);
                memcpy(CMSG_DATA(c), &uc, sizeof uc);
                controllen += CMSG_SPACE(sizeof uc);
                c = (struct cmsghdr *) (control.buf + controllen);
        }
        for (size_t part = 0, at = 0; part < 2; part++) {
                size_t k = part == 0 ? first : n_fds - first;

                if (k == 0)
                        continue;
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int) * k);
                memcpy(CMSG_DATA(c), fds + at, sizeof(int) * k);
                controllen += CMSG_SPACE(sizeof(int) * k);
                c = (struct cmsghdr *) (control.buf + controllen);
                at += k;
        }
        if (controllen > 0) {
                mh.msg_control = &control;
                mh.msg_controllen = controllen;
        } else
                mh.msg_control = NULL;

        return sendmsg(sock, &mh, MSG_NOSIGNAL|MSG_DONTWAIT);
}

static void check_request(int r, const PublishRequest *req, bool clean, size_t len) {
        if (r == -EBADMSG || r == -ECONNRESET)
                return;
        if (r != 0 || !clean || len != sizeof *req || req->magic != PUBLISH_PROTOCOL_MAGIC ||
            req->version != PUBLISH_PROTOCOL_VERSION || req->type != PUBLISH_REQUEST_INSTANCE ||
            (req->flags & ~(uint32_t) _PUBLISH_REQUEST_FLAGS_ALL))
                abort();
}

/* n_fds: how many fds were sent. The only fd a reply may carry is the network namespace its flags
 * announce (PUBLISH_REPLY_NETNS): accepted exactly then, as *netns_fd. */
static void check_reply(int r, const PublishReply *reply, size_t n_fds, bool sent, int netns_fd, size_t len) {
        bool netns = r == 0 && (reply->flags & PUBLISH_REPLY_NETNS);

        if (r == -EBADMSG || r == -ECONNRESET) {
                if (netns_fd >= 0)
                        abort();
                return;
        }
        if (r != 0 || !sent || n_fds != (netns ? 1u : 0u) || (netns != (netns_fd >= 0)) || len != sizeof *reply ||
            reply->magic != PUBLISH_PROTOCOL_MAGIC ||
            reply->version != PUBLISH_PROTOCOL_VERSION || reply->error < 0 ||
            strnlen(reply->message, sizeof reply->message) >= sizeof reply->message)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t payload[FUZZ_PAYLOAD_MAX] = {}, flags;
        int pair[2], fds[FUZZ_FDS_MAX], one = 1, r;
        size_t n_fds, len, msg_size;
        unsigned before;
        bool sent = false;

        if (size < 3 || size - 3 > FUZZ_PAYLOAD_MAX)
                return 0;
        flags = data[0];
        n_fds = data[1] % (FUZZ_FDS_MAX + 1);
        msg_size = (flags & FUZZ_REPLY) ? sizeof(PublishReply) : sizeof(PublishRequest);

        len = size - 3;
        memcpy(payload, data + 3, len);
        if (flags & FUZZ_TEMPLATE) {
                const uint32_t head[2] = { PUBLISH_PROTOCOL_MAGIC, PUBLISH_PROTOCOL_VERSION };

                len = FUZZ_MIN(len + sizeof head, (size_t) FUZZ_PAYLOAD_MAX);
                memmove(payload + sizeof head, payload, len - sizeof head);
                memcpy(payload, head, sizeof head);
                len = FUZZ_MAX(len, msg_size);
        }

        before = count_open_fds();
        if (socketpair(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC, 0, pair) < 0)
                abort();
        if ((flags & FUZZ_PASSCRED) && setsockopt(pair[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0)
                abort();
        for (size_t i = 0; i < n_fds; i++)
                fds[i] = make_fd(data[2] >> (i % 4), pair[0]);

        if (!(flags & FUZZ_HANG_UP)) {
                sent = send_message(pair[1], flags, fds, n_fds, payload, len) >= 0;
                if (!sent && errno != EMSGSIZE)
                        abort();
                if (sent && (flags & FUZZ_SECOND))
                        (void) send_message(pair[1], flags, fds, n_fds, payload, len);
                if (flags & FUZZ_SHUTDOWN)
                        (void) shutdown(pair[1], SHUT_WR);
        } else
                close(TAKE_FD(pair[1]));
        for (size_t i = 0; i < n_fds; i++)
                close(fds[i]);

        /* A message that could not be sent leaves nothing to read: hang up so recv does not block. */
        if (!sent && pair[1] >= 0)
                close(TAKE_FD(pair[1]));

        if (flags & FUZZ_REPLY) {
                PublishReply reply;
                int netns_fd = -EBADF;

                r = publish_reply_recv_fd(pair[0], &reply, &netns_fd);
                check_reply(r, &reply, n_fds, sent, netns_fd, len);
                if (netns_fd >= 0)
                        close(netns_fd);
        } else {
                PublishRequest req;

                r = publish_request_recv(pair[0], &req);
                check_request(r, &req, sent && n_fds == 0, len);
        }

        close(pair[0]);
        if (pair[1] >= 0)
                close(pair[1]);
        /* every fd that arrived was closed by the receiver */
        if (count_open_fds() != before)
                abort();
        return 0;
}
