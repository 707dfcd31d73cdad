/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Reading whole files with a size limit. No logging. */

#include <stddef.h>
#include <sys/types.h>

/* Read up to n bytes into buf, retrying on EINTR and short reads: fewer than n only at the end of the
 * file. Returns how many were read, or -errno (what was read before an error is lost). */
ssize_t loop_read(int fd, void *buf, size_t n);

/* Read fd to its end: at most max bytes, -E2BIG if there are more. The buffer is NUL-terminated
 * (the data may contain NUL bytes of its own); *ret_size (may be NULL) gets the length. */
int read_full_fd(int fd, size_t max, char **ret, size_t *ret_size);

/* The same for path, opened relative to dir_fd (read-only, not as a controlling terminal). */
int read_full_file_at(int dir_fd, const char *path, size_t max, char **ret, size_t *ret_size);
