/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <sys/socket.h>

#include "helper.h"
#include "log.h"
#include "macro.h"
#include "process-util.h"
#include "publish-worker.h"
#include "socket-util.h"

static _noreturn_ void worker_exit(int status) {
        helper_discard_spares();
        _exit(status);
}

static _noreturn_ void worker_main(int channel, const PublishConfig *config) {
        for (;;) {
                _cleanup_(closep) int conn = -EBADF;
                int word, r;

                /* Between requests: the helpers of the next one forked ahead (helper.h). Without them
                 * a request forks its own. */
                r = helper_prepare_spares();
                if (r < 0)
                        log_debug_errno(r, "Failed to prepare helpers ahead of the next request: %m");

                r = recv_status_fd(channel, &word, &conn);
                if (r == -ECONNRESET)
                        worker_exit(EXIT_SUCCESS);        /* retired: the manager closed the channel */
                if (r == -EINTR)
                        continue;
                if (r < 0 || conn < 0)
                        worker_exit(EXIT_FAILURE);

                alarm(PUBLISH_REQUEST_DEADLINE_SEC);
                (void) publish_handle_connection(conn, config);
                conn = safe_close(conn);
                alarm(0);

                if (send_status_fd(channel, 0, -EBADF) < 0)
                        worker_exit(EXIT_SUCCESS);
        }
}

int publish_worker_spawn(const PublishConfig *config, PublishWorker *ret) {
        _cleanup_(closep) int manager_end = -EBADF, worker_end = -EBADF;
        int pair[2], r;
        pid_t pid;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC, 0, pair) < 0)
                return -errno;
        manager_end = pair[0];
        worker_end = pair[1];

        /* Non-dumpable, dies with the manager, every other connection's fd closed. */
        r = fork_helper(&worker_end, 1, &pid);
        if (r < 0)
                return r;
        if (r == 0) {
                (void) signal(SIGALRM, SIG_DFL);
                (void) signal(SIGPIPE, SIG_IGN);
                worker_main(worker_end, config);
        }

        *ret = (PublishWorker) {
                .pid = pid,
                .channel = TAKE_FD(manager_end),
        };
        return 0;
}

int publish_worker_dispatch(PublishWorker *w, int conn_fd) {
        int r;

        if (w->channel < 0 || w->busy)
                return -EBUSY;
        r = send_status_fd(w->channel, 0, conn_fd);
        if (r < 0)
                return r;
        w->busy = true;
        return 0;
}

int publish_worker_collect(PublishWorker *w) {
        _cleanup_(closep) int unexpected = -EBADF;
        int word, r;

        if (w->channel < 0)
                return -EPIPE;
        r = recv_status_fd(w->channel, &word, &unexpected);
        if (r == -ECONNRESET)
                return -EPIPE;
        if (r < 0)
                return r;
        w->busy = false;
        w->served++;
        return 0;
}

void publish_worker_retire(PublishWorker *w) {
        w->channel = safe_close(w->channel);
}
