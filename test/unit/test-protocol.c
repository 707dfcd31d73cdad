/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "protocol.h"

static void pair(int p[2]) {
        assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC, 0, p), 0);
}

static void test_roundtrip(void **state) {
        Delegation d = { .masks = { 0x21, 0x4, 0x2, UINT64_MAX } };
        PublishRequest req;
        PublishReply reply;
        int p[2];

        pair(p);
        assert_int_equal(publish_request_send(p[1]), 0);
        assert_int_equal(publish_request_recv(p[0], &req), 0);
        assert_int_equal(req.type, PUBLISH_REQUEST_INSTANCE);

        assert_int_equal(publish_reply_send(p[0], 0, PUBLISH_REPLY_ALREADY_ATTACHED, &d, "fine"), 0);
        assert_int_equal(publish_reply_recv(p[1], &reply), 0);
        assert_int_equal(reply.error, 0);
        assert_int_equal(reply.flags, PUBLISH_REPLY_ALREADY_ATTACHED);
        assert_memory_equal(reply.masks, d.masks, sizeof d.masks);
        assert_string_equal(reply.message, "fine");

        /* a negative errno is sent as a positive one */
        assert_int_equal(publish_reply_send(p[0], -EPERM, 0, NULL, "no"), 0);
        assert_int_equal(publish_reply_recv(p[1], &reply), 0);
        assert_int_equal(reply.error, EPERM);
        close(p[0]);
        close(p[1]);
}

static void test_hostile_requests(void **state) {
        PublishRequest good, req;
        struct {
                const void *data;
                size_t size;
        } cases[6];
        PublishRequest bad_magic, bad_version, bad_type, bad_flags;
        char longer[sizeof good + 1];

        publish_request_init(&good);
        bad_magic = good; bad_magic.magic ^= 1;
        bad_version = good; bad_version.version = 2;
        bad_type = good; bad_type.type = 7;
        bad_flags = good; bad_flags.flags = 1u << 7; /* unknown */
        memcpy(longer, &good, sizeof good);
        longer[sizeof good] = 'x';
        cases[0].data = &bad_magic; cases[0].size = sizeof bad_magic;
        cases[1].data = &bad_version; cases[1].size = sizeof bad_version;
        cases[2].data = &bad_type; cases[2].size = sizeof bad_type;
        cases[3].data = &bad_flags; cases[3].size = sizeof bad_flags;
        cases[4].data = &good; cases[4].size = sizeof good - 1;
        cases[5].data = longer; cases[5].size = sizeof longer;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                int p[2];

                pair(p);
                assert_true(send(p[1], cases[i].data, cases[i].size, 0) >= 0);
                assert_int_equal(publish_request_recv(p[0], &req), -EBADMSG);
                close(p[0]);
                close(p[1]);
        }
}

static void test_fds_are_refused_and_closed(void **state) {
        PublishRequest good, req;
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int) * 2)];
        } control = {};
        struct iovec iov = { .iov_base = &good, .iov_len = sizeof good };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control,
                             .msg_controllen = sizeof control };
        struct cmsghdr *c;
        int p[2], fds[2], before, after;

        publish_request_init(&good);
        pair(p);
        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
        c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof fds);
        memcpy(CMSG_DATA(c), fds, sizeof fds);
        assert_true(sendmsg(p[1], &mh, 0) >= 0);
        close(fds[0]);
        close(fds[1]);

        before = fcntl(100, F_GETFD); /* nothing there */
        assert_int_equal(publish_request_recv(p[0], &req), -EBADMSG);
        /* the received fds were closed: the next fd number is the lowest free one again */
        after = dup(0);
        assert_true(after >= 0 && after <= p[1] + 1);
        close(after);
        (void) before;
        close(p[0]);
        close(p[1]);
}

/* Issue 8: a request may ask for its own network namespace; the reply carries its fd exactly when
 * PUBLISH_REPLY_NETNS says so, and a reader that expects none refuses one. */
static void test_netns_fd(void **state) {
        PublishRequest req;
        PublishReply reply;
        struct stat a, b;
        int p[2], fds[2], got = -EBADF;

        pair(p);
        assert_int_equal(publish_request_send_flags(p[1], PUBLISH_REQUEST_OWN_NETNS), 0);
        assert_int_equal(publish_request_recv(p[0], &req), 0);
        assert_int_equal(req.flags, PUBLISH_REQUEST_OWN_NETNS);

        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
        /* flag and fd must agree on the sending side too */
        assert_int_equal(publish_reply_send_fd(p[0], 0, 0, NULL, "x", fds[0]), -EINVAL);
        assert_int_equal(publish_reply_send_fd(p[0], 0, PUBLISH_REPLY_NETNS, NULL, "x", -EBADF), -EINVAL);

        assert_int_equal(publish_reply_send_fd(p[0], 0, PUBLISH_REPLY_NETNS, NULL, "netns", fds[0]), 0);
        assert_int_equal(publish_reply_recv_fd(p[1], &reply, &got), 0);
        assert_true(got >= 0);
        assert_int_equal(fstat(got, &a), 0);
        assert_int_equal(fstat(fds[0], &b), 0);
        assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev); /* the very fd sent */
        close(got);

        /* an fd without the flag, or one to a reader that takes none: refused */
        assert_int_equal(publish_reply_send_fd(p[0], 0, PUBLISH_REPLY_NETNS, NULL, "netns", fds[0]), 0);
        assert_int_equal(publish_reply_recv(p[1], &reply), -EBADMSG);
        assert_int_equal(publish_reply_send(p[0], 0, PUBLISH_REPLY_NETNS, NULL, "flag, no fd"), -EINVAL);
        {
                PublishReply forged = { .magic = PUBLISH_PROTOCOL_MAGIC, .version = PUBLISH_PROTOCOL_VERSION,
                                        .flags = PUBLISH_REPLY_NETNS };

                assert_true(send(p[0], &forged, sizeof forged, 0) >= 0);
                got = 42;
                assert_int_equal(publish_reply_recv_fd(p[1], &reply, &got), -EBADMSG);
        }
        close(fds[0]);
        close(fds[1]);
        close(p[0]);
        close(p[1]);
}

static void test_eof(void **state) {
        PublishRequest req;
        int p[2];

        pair(p);
        close(p[1]);
        assert_int_equal(publish_request_recv(p[0], &req), -ECONNRESET);
        close(p[0]);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_roundtrip),
                cmocka_unit_test(test_hostile_requests),
                cmocka_unit_test(test_fds_are_refused_and_closed),
                cmocka_unit_test(test_netns_fd),
                cmocka_unit_test(test_eof),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
