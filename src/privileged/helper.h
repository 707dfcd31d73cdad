/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Bounded helper processes for the privileged side: a forked child that keeps only the descriptors
 * it is given, is non-dumpable (fork_helper()), gets an address-space bound before it touches
 * anything of the caller's, and talks to its parent over a SOCK_SEQPACKET pair, one status word
 * (and at most one fd) per message. The parent waits for every word by one deadline from the
 * start; past it the helper is killed and reaped. After its last word a helper is released: its
 * exit is reaped later (helper_reap_released()), off the caller's critical path. No logging.
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

/* What a helper runs: sock is its end of the pair, keep[] its descriptors (keep[0] == sock). */
typedef void (*HelperBody)(int sock, const int *keep, const void *userdata);

/* In the helper: send the last word (and fd) and exit. */
_noreturn_ void helper_exit(int sock, int status, int fd);

/* In the parent: the helper's next word (and fd). -ETIME past the deadline, -EPROTO if it died
 * without a word. */
int helper_recv(Helper *h, int *ret_status, int *ret_fd);

/* In the parent, after the helper's last word: close the socket and leave its exit, still under way,
 * to helper_reap_released(). Its deadline still holds: past it, the reaper kills it. */
void helper_release(Helper *h);

/* Reap every released helper, each by its deadline (killed past it). Whoever runs helpers calls this
 * when the time-critical part is over (the publisher: after its reply); at most
 * HELPER_RELEASED_MAX wait, further ones are reaped at once. */
#define HELPER_RELEASED_MAX 8
void helper_reap_released(void);

/* Kill and reap (if still running) and close the socket. */
void helper_stop(Helper *h);

/* Prepared helpers: forked ahead of need (the publisher's workers do so when idle), so that a request
 * does not wait for fork(). A prepared helper is bounded like any other and, until it gets a job, holds
 * nothing but its socket; its deadline starts with the job. It dies with its parent. */
#define HELPER_SPARES_MAX 2
#define HELPER_KEEP_MAX 8
#define HELPER_USERDATA_MAX 128
int helper_prepare_spares(void);
void helper_discard_spares(void);

/* Start body in a prepared helper if one is ready, else in a freshly forked one; userdata (size bytes,
 * at most HELPER_USERDATA_MAX, no pointers: the prepared helper has its own copy of memory from
 * before) is copied. keep[0] is a placeholder for the helper's socket. Returns 0 in the parent only,
 * -errno. */
int helper_start_job(int *keep, size_t n_keep, HelperBody body, const void *userdata, size_t size, Helper *h);

/* helper_run() through helper_start_job(). */
int helper_run_job(int *keep, size_t n_keep, HelperBody body, const void *userdata, size_t size, int *ret_status,
                   int *ret_fd);

/* Run a helper in a fresh fork, keeping only keep[] (keep[0] is replaced by its socket), whose body
 * sends one word (and maybe an fd) and exits: 0 with the word and fd (the helper released), or
 * -ETIME/-EPROTO/-errno (the helper killed and reaped). userdata may hold pointers: the fork shares
 * our memory as it is now. */
int helper_run(int *keep, size_t n_keep, HelperBody body, const void *userdata, int *ret_status, int *ret_fd);
