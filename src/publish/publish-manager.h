/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The long-lived publisher (bpftoken-publish.service, Accept=no): one process that owns the
 * listening socket and a small pool of forked workers (publish-worker.h).
 *
 * Unlike systemd-userdbd, whose workers accept() on the shared socket themselves, the manager
 * accepts every connection: it reads the caller's uid from SO_PEERCRED, waits (without a worker)
 * for the request to arrive, and only then queues the connection for a worker. So an idle or slow
 * connection costs one fd and no root process, a uid's connections are bounded before any work is
 * done for them, and the queue is served fairly across uids:
 *   - a connection must send its request within read_timeout_ms; at most waiting_per_uid_max
 *     connections of one uid may be idle (waiting for their request for longer than idle_grace_ms:
 *     a caller sends right after connecting, so only a starved or hostile one gets there; a burst
 *     of fresh connections is not refused), and connections_per_uid_max may be open in all; beyond
 *     that a connection is refused at once with EBUSY and a sentence;
 *   - at most connections_max connections in all (lowered to fit RLIMIT_NOFILE); beyond that the
 *     manager stops accepting and the kernel's backlog holds the rest (nothing is refused);
 *   - at most active_per_uid_max requests of one uid are answered at once, and the next request
 *     served is the oldest of the uid with the fewest being answered, so another uid always finds
 *     a free worker (workers_max > active_per_uid_max);
 *   - a worker answers one request at a time within PUBLISH_REQUEST_DEADLINE_SEC (the manager kills
 *     it two seconds after that, should it still be busy), serves at most worker_requests_max and
 *     is retired after worker_idle_sec without work (one idle worker is kept);
 *   - the manager exits after idle_exit_sec without connections (0: never); systemd starts it again
 *     on the next connection.
 * The kernel's BPF names are loaded once (publish-names-cache.h) and inherited by the workers; a
 * change of the BTF file's identity reloads them and retires the workers that hold the old ones.
 */

#include "publish-names-cache.h"
#include "publish-request.h"

typedef struct PublishLimits {
        unsigned workers_max;
        unsigned active_per_uid_max;
        unsigned waiting_per_uid_max;
        unsigned connections_per_uid_max;
        unsigned connections_max;
        unsigned read_timeout_ms;
        unsigned idle_grace_ms;
        unsigned worker_requests_max;
        unsigned worker_idle_sec;
        unsigned idle_exit_sec;
} PublishLimits;

#define PUBLISH_WORKERS_MAX_HARD 16
#define PUBLISH_IDLE_EXIT_SEC_DEFAULT 30

#define PUBLISH_LIMITS_DEFAULT                          \
        ((PublishLimits) {                              \
                .workers_max = 4,                       \
                .active_per_uid_max = 2,                \
                .waiting_per_uid_max = 16,              \
                .connections_per_uid_max = 512,         \
                .connections_max = 1024,                \
                .read_timeout_ms = 3000,                \
                .idle_grace_ms = 250,                   \
                .worker_requests_max = 256,             \
                .worker_idle_sec = 10,                  \
                .idle_exit_sec = PUBLISH_IDLE_EXIT_SEC_DEFAULT, \
        })

/* Serve listen_fd (a listening SOCK_SEQPACKET socket) until idle or SIGTERM/SIGINT. config is the
 * template for every request; its names pointer is managed here from names. Logs its own errors;
 * returns 0 or -errno. */
int publish_manager_run(int listen_fd, const PublishConfig *config, NamesCache *names,
                        const PublishLimits *limits);
