/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>

#include "fileio.h"
#include "macro.h"

ssize_t loop_read(int fd, void *buf, size_t n) {
        size_t done = 0;

        while (done < n) {
                ssize_t k = read(fd, (char *) buf + done, n - done);

                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                done += (size_t) k;
        }
        return (ssize_t) done;
}

int read_full_fd(int fd, size_t max, char **ret, size_t *ret_size) {
        _cleanup_(freep) char *buf = NULL;
        size_t size = 0, allocated = 0;

        /* Room for max bytes, one more to tell a file of more than max bytes, and the NUL. */
        for (;;) {
                size_t want;
                ssize_t n;

                if (allocated - size < 2) {
                        size_t a = allocated ? allocated * 2 : 4096;
                        char *b;

                        if (a > max + 2)
                                a = max + 2;
                        b = realloc(buf, a);
                        if (!b)
                                return -ENOMEM;
                        buf = b;
                        allocated = a;
                }
                want = allocated - size - 1;
                n = loop_read(fd, buf + size, want);
                if (n < 0)
                        return (int) n;
                size += (size_t) n;
                if (size > max)
                        return -E2BIG;
                if ((size_t) n < want)
                        break;
        }

        buf[size] = '\0';
        *ret = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = size;
        return 0;
}

int read_full_file_at(int dir_fd, const char *path, size_t max, char **ret, size_t *ret_size) {
        _cleanup_(closep) int fd = -EBADF;

        fd = openat(dir_fd, path, O_RDONLY|O_CLOEXEC|O_NOCTTY);
        if (fd < 0)
                return -errno;
        return read_full_fd(fd, max, ret, ret_size);
}
