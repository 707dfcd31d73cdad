/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A status word with an optional fd over an AF_UNIX socket, for the publisher's helpers.
 * Receiving never accepts more than one fd, and closes anything unexpected.
 */

/* Send error (0 or a positive errno) and, if fd >= 0, the fd. */
int send_status_fd(int sock, int error, int fd);
/* Receive; *ret_fd is -EBADF when none came. -EBADMSG if the message is malformed. */
int recv_status_fd(int sock, int *ret_error, int *ret_fd);
