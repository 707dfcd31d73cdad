/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Bounded helper processes for the privileged side: a forked child that keeps only the descriptors
 * it is given, is non-dumpable (fork_helper()), gets an address-space bound before it touches
 * anything of the caller's, and talks to its parent over a SOCK_SEQPACKET pair, one status word
 * (and at most one fd) per message. The parent waits for every word by one deadline from the
 * start; past it the helper is killed and reaped. No logging.
 */

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "macro.h"

#define HELPER_TIMEOUT_MS 2000 /* well inside the request's own deadline (PUBLISH_REQUEST_DEADLINE_SEC) */
#define HELPER_MEMORY_MAX (64ULL * 1024 * 1024)

typedef struct Helper {
        pid_t pid;
        int sock;
        struct timespec deadline;
} Helper;

#define HELPER_NULL ((Helper) { .pid = 0, .sock = -EBADF })

/* Fork a helper that keeps only keep[] (keep[0] is replaced by its socket). Returns 0 in the helper
 * (bounded in memory, its socket in h->sock), 1 in the parent, -errno. */
int helper_start(int *keep, size_t n_keep, Helper *h);

/* In the helper: send the last word (and fd) and exit. */
_noreturn_ void helper_exit(int sock, int status, int fd);

/* In the parent: the helper's next word (and fd). -ETIME past the deadline, -EPROTO if it died
 * without a word. */
int helper_recv(Helper *h, int *ret_status, int *ret_fd);

/* In the parent: wait for the helper to exit after its last word, by the deadline (-ETIME, killed
 * then). Reaps it and closes the socket. */
int helper_finish(Helper *h);

/* Kill and reap (if still running) and close the socket. */
void helper_stop(Helper *h);

/* Run a helper whose body sends one word (and maybe an fd) and exits: 0 with the word and fd, or
 * -ETIME/-EPROTO/-errno. */
int helper_run(int *keep, size_t n_keep, void (*body)(int sock, const int *keep, const void *userdata),
               const void *userdata, int *ret_status, int *ret_fd);
