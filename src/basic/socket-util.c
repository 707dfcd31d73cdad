/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <sys/socket.h>

#include "macro.h"
#include "socket-util.h"

/* A message of one status word (through iov), with room for control data if control is not NULL. */
static struct msghdr status_msghdr(int32_t *word, struct iovec *iov, void *control, size_t control_size) {
        *iov = (struct iovec) {
                .iov_base = word,
                .iov_len = sizeof *word,
        };
        return (struct msghdr) {
                .msg_iov = iov,
                .msg_iovlen = 1,
                .msg_control = control,
                .msg_controllen = control_size,
        };
}

int send_status_fd(int sock, int error, int fd) {
        union {
                struct cmsghdr cmsghdr;
                uint8_t buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        int32_t word = error;
        struct iovec iov;
        struct msghdr mh = status_msghdr(&word, &iov, fd >= 0 ? &control : NULL, fd >= 0 ? sizeof control : 0);

        if (fd >= 0) {
                struct cmsghdr *cmsg = CMSG_FIRSTHDR(&mh);

                cmsg->cmsg_level = SOL_SOCKET;
                cmsg->cmsg_type = SCM_RIGHTS;
                cmsg->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
        }

        if (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
                return -errno;
        return 0;
}

int recv_status_fd(int sock, int *ret_error, int *ret_fd) {
        union {
                struct cmsghdr cmsghdr;
                uint8_t buf[CMSG_SPACE(sizeof(int) * 4)];
        } control = {};
        int32_t word = 0;
        struct iovec iov;
        struct msghdr mh = status_msghdr(&word, &iov, &control, sizeof control);
        _cleanup_(closep) int fd = -EBADF;
        bool bad = false;
        ssize_t n;

        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        if (n < 0)
                return -errno;

        for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(&mh); cmsg; cmsg = CMSG_NXTHDR(&mh, cmsg)) {
                size_t k;

                if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS) {
                        bad = true;
                        continue;
                }
                k = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < k; i++) {
                        int x;

                        memcpy(&x, CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
                        if (fd < 0 && !bad)
                                fd = x;
                        else {
                                safe_close(x);
                                bad = true;
                        }
                }
        }

        if (n == 0)
                return -ECONNRESET;
        if (bad || n != sizeof word || (mh.msg_flags & (MSG_CTRUNC|MSG_TRUNC)) || word < 0)
                return -EBADMSG;

        *ret_error = word;
        *ret_fd = TAKE_FD(fd);
        return 0;
}
