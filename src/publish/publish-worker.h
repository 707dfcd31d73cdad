/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A worker of the long-lived publisher (Accept=no): a process forked from the manager, so that it
 * shares what the manager loaded once (the BPF names), that answers one connection at a time. The
 * manager hands it a connection whose request has already arrived, as an fd over the worker's
 * channel (a SOCK_SEQPACKET socket pair); the worker answers it with publish_handle_connection()
 * within PUBLISH_REQUEST_DEADLINE_SEC (else SIGALRM ends the worker, and the helpers it forked die
 * with it), closes it and reports back on the channel. When the manager closes the channel, the
 * worker exits: the manager alone decides when a worker retires, so no connection is ever handed
 * to a worker that is about to exit. No logging here except from the request itself.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "publish-request.h"

/* The whole of one request inside a worker, from hand-off to reply: far below systemd's 30 s. */
#define PUBLISH_REQUEST_DEADLINE_SEC 5

typedef struct PublishWorker {
        pid_t pid;          /* 0: slot unused */
        int channel;        /* manager's end; -EBADF once retired */
        bool busy;
        uid_t busy_uid;     /* whose request it is answering */
        uint64_t busy_since_usec;
        uint64_t idle_since_usec;
        unsigned served;
        unsigned generation; /* of the names it was forked with */
} PublishWorker;

/* Fork a worker; in it every fd of the manager but stdio is closed (other connections, the listening
 * socket). Returns in the manager only: 0 with *ret filled, or -errno. */
int publish_worker_spawn(const PublishConfig *config, PublishWorker *ret);

/* Hand a connection to an idle worker. The caller still owns conn_fd (and closes it). */
int publish_worker_dispatch(PublishWorker *w, int conn_fd);

/* Read a worker's "done" message after its channel became readable. 0 if a request finished,
 * -EPIPE if the worker is gone. */
int publish_worker_collect(PublishWorker *w);

/* Close the manager's end: the worker exits once it has finished what it is doing. */
void publish_worker_retire(PublishWorker *w);
