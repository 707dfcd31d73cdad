/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The manager of the long-lived publisher: accept, wait for the request, queue per uid, hand to a
 * worker. See publish-manager.h for the limits and why the manager, not the workers, accepts.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "log.h"
#include "macro.h"
#include "protocol.h"
#include "publish-manager.h"
#include "publish-worker.h"

#define USEC_PER_MSEC UINT64_C(1000)
#define USEC_PER_SEC  UINT64_C(1000000)
/* How long after its deadline a worker that is still busy is killed. */
#define WORKER_KILL_GRACE_USEC (2 * USEC_PER_SEC)
/* Connections accepted in one go before the queue is served again: a flood of connections cannot
 * keep the manager from handing requests to the workers. */
#define ACCEPT_BATCH 64
/* At most one warning about refused connections in this interval. */
#define REFUSAL_LOG_INTERVAL_USEC (10 * USEC_PER_SEC)

typedef enum EventTag {
        TAG_LISTEN = 1,
        TAG_SIGNAL,
        TAG_CONN,
        TAG_WORKER,
} EventTag;

typedef enum ConnState {
        CONN_FREE,
        CONN_WAITING,   /* accepted, the request has not arrived yet */
        CONN_QUEUED,    /* the request is there, waiting for a worker */
} ConnState;

typedef struct Conn {
        int fd;
        ConnState state;
        uid_t uid;
        uint64_t accepted_usec;
        uint64_t deadline_usec;
        uint64_t seq;
} Conn;

typedef struct Manager {
        PublishConfig config;
        NamesCache *names;
        PublishLimits limits;
        int listen_fd;
        int epoll_fd;
        int signal_fd;
        bool listening;
        bool stopping;
        Conn *conns;
        unsigned n_conns;       /* used slots */
        PublishWorker workers[PUBLISH_WORKERS_MAX_HARD * 2];
        uint64_t seq;
        uint64_t last_activity_usec;
        uint64_t refused;       /* since the last warning about it */
        uint64_t refused_logged_usec;
        uint64_t answered;      /* requests workers finished, for STATUS= */
        uint64_t refused_total;
        uint64_t status_answered;
        uint64_t status_refused;
        uint64_t status_usec;
} Manager;

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

static uint64_t event_data(EventTag tag, unsigned index) {
        return (uint64_t) tag << 32 | index;
}

static int epoll_add(Manager *m, int fd, uint32_t events, EventTag tag, unsigned index) {
        struct epoll_event ev = { .events = events, .data.u64 = event_data(tag, index) };

        return RET_NERRNO(epoll_ctl(m->epoll_fd, EPOLL_CTL_ADD, fd, &ev));
}

/* Stop or resume taking connections off the backlog (the kernel keeps them meanwhile). */
static void set_listening(Manager *m, bool on) {
        struct epoll_event ev = { .events = on ? EPOLLIN : 0, .data.u64 = event_data(TAG_LISTEN, 0) };

        if (m->listening == on)
                return;
        if (epoll_ctl(m->epoll_fd, EPOLL_CTL_MOD, m->listen_fd, &ev) >= 0)
                m->listening = on;
}

/* --- accounting ----------------------------------------------------------------------------- */

typedef struct UidCounts {
        unsigned waiting;       /* idle: waiting for the request for longer than the grace */
        unsigned total;         /* waiting + queued + being answered */
        unsigned active;        /* being answered */
} UidCounts;

static unsigned uid_active(const Manager *m, uid_t uid) {
        unsigned n = 0;

        for (size_t i = 0; i < ELEMENTSOF(m->workers); i++)
                if (m->workers[i].pid > 0 && m->workers[i].busy && m->workers[i].busy_uid == uid)
                        n++;
        return n;
}

static UidCounts uid_counts(const Manager *m, uid_t uid, uint64_t now) {
        uint64_t grace = m->limits.idle_grace_ms * USEC_PER_MSEC;
        UidCounts c = {};

        for (unsigned i = 0; i < m->limits.connections_max; i++)
                if (m->conns[i].state != CONN_FREE && m->conns[i].uid == uid) {
                        c.total++;
                        if (m->conns[i].state == CONN_WAITING && now - m->conns[i].accepted_usec > grace)
                                c.waiting++;
                }
        c.active = uid_active(m, uid);
        c.total += c.active;
        return c;
}

static unsigned workers_live(const Manager *m) {
        unsigned n = 0;

        for (size_t i = 0; i < ELEMENTSOF(m->workers); i++)
                if (m->workers[i].pid > 0 && m->workers[i].channel >= 0)
                        n++;
        return n;
}

static bool workers_busy(const Manager *m) {
        for (size_t i = 0; i < ELEMENTSOF(m->workers); i++)
                if (m->workers[i].pid > 0 && m->workers[i].busy)
                        return true;
        return false;
}

static void conn_free(Manager *m, Conn *c) {
        c->fd = safe_close(c->fd);
        c->state = CONN_FREE;
        m->n_conns--;
        if (!m->stopping && m->n_conns < m->limits.connections_max)
                set_listening(m, true);
}

/* --- connections ---------------------------------------------------------------------------- */

static void refuse_busy(Manager *m, int fd, uid_t uid, const UidCounts *counts) {
        char message[PUBLISH_MESSAGE_MAX];
        uint64_t now = now_usec();

        snprintf(message, sizeof message,
                 "Too many connections of uid %u are open to the bpftoken publisher (%u idle without a request, "
                 "at most %u; %u in all, at most %u): refused. Close idle connections and try again.",
                 (unsigned) uid, counts->waiting, m->limits.waiting_per_uid_max, counts->total,
                 m->limits.connections_per_uid_max);
        (void) publish_reply_send(fd, EBUSY, 0, NULL, message);
        safe_close(fd);

        m->refused++;
        m->refused_total++;
        if (now - m->refused_logged_usec >= REFUSAL_LOG_INTERVAL_USEC) {
                log_warning("Refused %" PRIu64 " connection(s) over the per-uid limits, the last of uid %u (%u idle, "
                            "%u in all).", m->refused, (unsigned) uid, counts->waiting, counts->total);
                m->refused = 0;
                m->refused_logged_usec = now;
        }
}

/* 1 if a request (or anything else the worker has to answer) has arrived, 0 if not yet, -EPIPE if
 * the peer left without sending anything. Nothing is consumed: the worker reads the request. */
static int conn_request_arrived(int fd) {
        struct pollfd p = { .fd = fd, .events = POLLIN|POLLRDHUP };
        char byte;
        ssize_t n;

        n = recv(fd, &byte, 1, MSG_PEEK|MSG_DONTWAIT|MSG_TRUNC);
        if (n > 0)
                return 1;
        if (n < 0)
                return errno == EAGAIN || errno == EINTR ? 0 : -EPIPE;
        /* 0: the peer shut down, or sent an empty packet (which the worker answers as malformed). */
        if (poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP|POLLHUP|POLLERR)))
                return -EPIPE;
        return 1;
}

static void conn_check(Manager *m, Conn *c, bool registered) {
        int r;

        r = conn_request_arrived(c->fd);
        if (r == 0) {
                if (!registered && epoll_add(m, c->fd, EPOLLIN|EPOLLRDHUP, TAG_CONN, (unsigned) (c - m->conns)) < 0)
                        conn_free(m, c);
                return;
        }
        if (registered)
                (void) epoll_ctl(m->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
        if (r < 0) {
                conn_free(m, c);
                return;
        }
        c->state = CONN_QUEUED;
}

static Conn *conn_slot(Manager *m) {
        for (unsigned i = 0; i < m->limits.connections_max; i++)
                if (m->conns[i].state == CONN_FREE)
                        return &m->conns[i];
        return NULL;
}

static void on_listen(Manager *m) {
        for (unsigned batch = 0; batch < ACCEPT_BATCH && !m->stopping; batch++) {
                struct ucred cred = {};
                socklen_t len = sizeof cred;
                UidCounts counts;
                Conn *c;
                int fd;

                if (m->n_conns >= m->limits.connections_max) {
                        set_listening(m, false);
                        return;
                }
                fd = accept4(m->listen_fd, NULL, NULL, SOCK_NONBLOCK|SOCK_CLOEXEC);
                if (fd < 0) {
                        if (errno == EINTR || errno == ECONNABORTED)
                                continue;
                        if (errno == EMFILE || errno == ENFILE) {
                                log_warning_errno(-errno, "Cannot accept more connections now: %m");
                                set_listening(m, false);
                        } else if (errno != EAGAIN)
                                log_warning_errno(-errno, "Failed to accept a connection: %m");
                        return;
                }
                m->last_activity_usec = now_usec();
                if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
                        safe_close(fd);
                        continue;
                }
                counts = uid_counts(m, cred.uid, m->last_activity_usec);
                if (counts.waiting >= m->limits.waiting_per_uid_max ||
                    counts.total >= m->limits.connections_per_uid_max) {
                        refuse_busy(m, fd, cred.uid, &counts);
                        continue;
                }
                c = conn_slot(m);
                *c = (Conn) {
                        .fd = fd,
                        .state = CONN_WAITING,
                        .uid = cred.uid,
                        .accepted_usec = m->last_activity_usec,
                        .deadline_usec = m->last_activity_usec + m->limits.read_timeout_ms * USEC_PER_MSEC,
                        .seq = m->seq++,
                };
                m->n_conns++;
                conn_check(m, c, false);
        }
}

/* --- workers -------------------------------------------------------------------------------- */

static PublishWorker *worker_idle(Manager *m) {
        for (size_t i = 0; i < ELEMENTSOF(m->workers); i++) {
                PublishWorker *w = &m->workers[i];

                if (w->pid > 0 && w->channel >= 0 && !w->busy && w->generation == m->names->generation)
                        return w;
        }
        return NULL;
}

static PublishWorker *worker_new(Manager *m) {
        for (size_t i = 0; i < ELEMENTSOF(m->workers); i++) {
                PublishWorker *w = &m->workers[i];
                int r;

                if (w->pid > 0)
                        continue;
                r = publish_worker_spawn(&m->config, w);
                if (r < 0) {
                        log_warning_errno(r, "Failed to start a publisher worker: %m");
                        return NULL;
                }
                w->generation = m->names->generation;
                w->idle_since_usec = now_usec();
                if (epoll_add(m, w->channel, EPOLLIN, TAG_WORKER, (unsigned) i) < 0) {
                        publish_worker_retire(w);
                        return NULL;
                }
                return w;
        }
        return NULL;
}

/* The names may have changed (a new BTF file): workers forked with the old ones are retired once
 * idle, new ones are forked with the new ones. */
static void refresh_names(Manager *m) {
        int r;

        r = names_cache_refresh(m->names);
        if (r < 0) {
                log_warning_errno(r, "Failed to reload the kernel's BPF names, keeping the loaded ones: %m");
                return;
        }
        if (r == 0)
                return;
        m->config.names = m->names->names;
        log_info("The kernel's BTF changed: BPF names loaded again (generation %u).", m->names->generation);
        for (size_t i = 0; i < ELEMENTSOF(m->workers); i++)
                if (m->workers[i].pid > 0 && !m->workers[i].busy)
                        publish_worker_retire(&m->workers[i]);
}

/* The queued connection to serve next: of the uids below their share of workers, the one with the
 * fewest requests being answered, and of its connections the oldest. */
static Conn *conn_next(Manager *m) {
        Conn *best = NULL;
        unsigned best_active = 0;

        for (unsigned i = 0; i < m->limits.connections_max; i++) {
                Conn *c = &m->conns[i];
                unsigned active;

                if (c->state != CONN_QUEUED)
                        continue;
                active = uid_active(m, c->uid);
                if (active >= m->limits.active_per_uid_max)
                        continue;
                if (!best || active < best_active || (active == best_active && c->seq < best->seq)) {
                        best = c;
                        best_active = active;
                }
        }
        return best;
}

static void dispatch(Manager *m) {
        bool refreshed = false;

        for (;;) {
                PublishWorker *w;
                Conn *c;
                int r;

                c = conn_next(m);
                if (!c)
                        return;
                if (!refreshed) {
                        refresh_names(m);
                        refreshed = true;
                }
                w = worker_idle(m);
                if (!w && workers_live(m) < m->limits.workers_max)
                        w = worker_new(m);
                if (!w)
                        return;

                r = publish_worker_dispatch(w, c->fd);
                if (r < 0) {
                        log_debug_errno(r, "A worker could not take a connection, retiring it: %m");
                        publish_worker_retire(w);
                        continue;
                }
                w->busy_uid = c->uid;
                w->busy_since_usec = now_usec();
                conn_free(m, c);
        }
}

static void on_worker(Manager *m, unsigned index) {
        PublishWorker *w = &m->workers[index];
        int r;

        r = publish_worker_collect(w);
        if (r == -EAGAIN || r == -EINTR)
                return;
        m->last_activity_usec = w->idle_since_usec = now_usec();
        if (r >= 0)
                m->answered++;
        if (r < 0 || w->served >= m->limits.worker_requests_max || w->generation != m->names->generation)
                publish_worker_retire(w);
}

static void reap_workers(Manager *m) {
        for (;;) {
                siginfo_t si = {};

                if (waitid(P_ALL, 0, &si, WEXITED|WNOHANG) < 0 || si.si_pid == 0)
                        return;
                for (size_t i = 0; i < ELEMENTSOF(m->workers); i++) {
                        PublishWorker *w = &m->workers[i];

                        if (w->pid != si.si_pid)
                                continue;
                        if (w->busy)
                                log_warning("A publisher worker (pid %d) ended while answering a request of uid %u "
                                            "(%s %d): the caller got no answer.", (int) w->pid,
                                            (unsigned) w->busy_uid, si.si_code == CLD_EXITED ? "status" : "signal",
                                            si.si_status);
                        publish_worker_retire(w);
                        *w = (PublishWorker) { .channel = -EBADF };
                }
        }
}

/* --- timers --------------------------------------------------------------------------------- */

static void housekeeping(Manager *m, uint64_t now) {
        uint64_t deadline = (uint64_t) PUBLISH_REQUEST_DEADLINE_SEC * USEC_PER_SEC + WORKER_KILL_GRACE_USEC;
        bool kept_idle = false;

        /* Accepting was paused for lack of descriptors (EMFILE) with nothing open of ours to free:
         * try again every tick. */
        if (!m->stopping && m->n_conns < m->limits.connections_max)
                set_listening(m, true);

        for (unsigned i = 0; i < m->limits.connections_max; i++)
                if (m->conns[i].state == CONN_WAITING && now >= m->conns[i].deadline_usec) {
                        log_debug("A connection of uid %u sent no request within %u ms, closed.",
                                  (unsigned) m->conns[i].uid, m->limits.read_timeout_ms);
                        conn_free(m, &m->conns[i]);
                }

        for (size_t i = 0; i < ELEMENTSOF(m->workers); i++) {
                PublishWorker *w = &m->workers[i];

                if (w->pid <= 0 || w->channel < 0)
                        continue;
                if (w->busy && now - w->busy_since_usec >= deadline) {
                        log_warning("A publisher worker (pid %d) is still answering uid %u after %d s, killing it.",
                                    (int) w->pid, (unsigned) w->busy_uid, PUBLISH_REQUEST_DEADLINE_SEC);
                        (void) kill(w->pid, SIGKILL);
                } else if (!w->busy) {
                        /* One idle worker stays, so that the next request does not wait for a fork. */
                        if (m->stopping || (kept_idle && now - w->idle_since_usec >= m->limits.worker_idle_sec * USEC_PER_SEC))
                                publish_worker_retire(w);
                        else
                                kept_idle = true;
                }
        }
}

/* What "systemctl status bpftoken-publish" shows: sent at most once a second (not to load PID 1
 * during a burst), and only on change. */
static void update_status(Manager *m, uint64_t now) {
        if (m->answered == m->status_answered && m->refused_total == m->status_refused)
                return;
        if (now - m->status_usec < USEC_PER_SEC)
                return;
        m->status_usec = now;
        (void) sd_notifyf(false, "STATUS=Answered %" PRIu64 " requests; refused %" PRIu64
                          " connections over the per-uid limits.", m->answered, m->refused_total);
        m->status_answered = m->answered;
        m->status_refused = m->refused_total;
}

static int next_timeout_ms(const Manager *m, uint64_t now) {
        uint64_t next = now + USEC_PER_SEC;

        for (unsigned i = 0; i < m->limits.connections_max; i++)
                if (m->conns[i].state == CONN_WAITING && m->conns[i].deadline_usec < next)
                        next = m->conns[i].deadline_usec;
        return next <= now ? 0 : (int) ((next - now + USEC_PER_MSEC - 1) / USEC_PER_MSEC);
}

/* Idle long enough, and no connection waiting in the backlog either. */
static bool should_exit_idle(const Manager *m, uint64_t now) {
        struct pollfd p = { .fd = m->listen_fd, .events = POLLIN };

        if (m->limits.idle_exit_sec == 0 || m->n_conns > 0 || workers_busy(m))
                return false;
        if (now - m->last_activity_usec < m->limits.idle_exit_sec * USEC_PER_SEC)
                return false;
        return poll(&p, 1, 0) == 0;
}

/* --- setup and loop ------------------------------------------------------------------------- */

static void fit_limits_to_fds(PublishLimits *l) {
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                return;
        if (rl.rlim_cur < rl.rlim_max) {
                struct rlimit want = { .rlim_cur = rl.rlim_max < 8192 ? rl.rlim_max : 8192, .rlim_max = rl.rlim_max };

                if (want.rlim_cur > rl.rlim_cur && setrlimit(RLIMIT_NOFILE, &want) >= 0)
                        rl = want;
        }
        /* The workers' channels, the helpers' sockets and stdio need some room besides. */
        if (rl.rlim_cur < 128)
                l->connections_max = 32;
        else if (rl.rlim_cur - 96 < l->connections_max)
                l->connections_max = (unsigned) (rl.rlim_cur - 96);
        if (l->connections_per_uid_max > l->connections_max / 2)
                l->connections_per_uid_max = l->connections_max / 2;
        if (l->workers_max > PUBLISH_WORKERS_MAX_HARD)
                l->workers_max = PUBLISH_WORKERS_MAX_HARD;
        if (l->active_per_uid_max >= l->workers_max)
                l->active_per_uid_max = l->workers_max > 1 ? l->workers_max - 1 : 1;
}

static int manager_setup(Manager *m) {
        sigset_t mask;
        int flags;

        m->conns = calloc(m->limits.connections_max, sizeof *m->conns);
        if (!m->conns)
                return log_oom();
        for (unsigned i = 0; i < m->limits.connections_max; i++)
                m->conns[i].fd = -EBADF;
        for (size_t i = 0; i < ELEMENTSOF(m->workers); i++)
                m->workers[i].channel = -EBADF;

        /* accept() in a loop until EAGAIN: the listening socket must not block (systemd passes it
         * blocking). */
        flags = fcntl(m->listen_fd, F_GETFL);
        if (flags < 0 || fcntl(m->listen_fd, F_SETFL, flags | O_NONBLOCK) < 0)
                return log_error_errno(-errno, "Failed to make the listening socket non-blocking: %m");

        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(-errno, "Failed to block signals: %m");
        (void) signal(SIGPIPE, SIG_IGN);
        m->signal_fd = signalfd(-1, &mask, SFD_NONBLOCK|SFD_CLOEXEC);
        if (m->signal_fd < 0)
                return log_error_errno(-errno, "Failed to create a signalfd: %m");
        m->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        if (m->epoll_fd < 0)
                return log_error_errno(-errno, "Failed to create an epoll instance: %m");
        if (epoll_add(m, m->signal_fd, EPOLLIN, TAG_SIGNAL, 0) < 0 ||
            epoll_add(m, m->listen_fd, EPOLLIN, TAG_LISTEN, 0) < 0)
                return log_error_errno(-errno, "Failed to watch the sockets: %m");
        m->listening = true;
        return 0;
}

static void on_signal(Manager *m) {
        struct signalfd_siginfo si;

        while (read(m->signal_fd, &si, sizeof si) == (ssize_t) sizeof si) {
                if (si.ssi_signo == SIGCHLD)
                        reap_workers(m);
                else if (!m->stopping) {
                        log_debug("Signal %u: finishing the requests being answered, then exiting.", si.ssi_signo);
                        m->stopping = true;
                        set_listening(m, false);
                        (void) sd_notify(false, "STOPPING=1");
                }
        }
}

static void manager_done(Manager *m) {
        if (m->conns)
                for (unsigned i = 0; i < m->limits.connections_max; i++)
                        safe_close(m->conns[i].fd);
        free(m->conns);
        for (size_t i = 0; i < ELEMENTSOF(m->workers); i++)
                publish_worker_retire(&m->workers[i]);
        safe_close(m->epoll_fd);
        safe_close(m->signal_fd);
}

static void handle_event(Manager *m, const struct epoll_event *ev) {
        EventTag tag = (EventTag) (ev->data.u64 >> 32);
        unsigned index = (unsigned) (ev->data.u64 & UINT32_MAX);

        switch (tag) {
        case TAG_LISTEN:
                on_listen(m);
                break;
        case TAG_SIGNAL:
                on_signal(m);
                break;
        case TAG_CONN:
                if (index < m->limits.connections_max && m->conns[index].state == CONN_WAITING)
                        conn_check(m, &m->conns[index], true);
                break;
        case TAG_WORKER:
                if (index < ELEMENTSOF(m->workers) && m->workers[index].channel >= 0)
                        on_worker(m, index);
                break;
        }
}

int publish_manager_run(int listen_fd, const PublishConfig *config, NamesCache *names,
                        const PublishLimits *limits) {
        _cleanup_(manager_done) Manager m = {
                .config = *config,
                .names = names,
                .limits = *limits,
                .listen_fd = listen_fd,
                .epoll_fd = -EBADF,
                .signal_fd = -EBADF,
        };
        int r;

        fit_limits_to_fds(&m.limits);
        r = names_cache_refresh(names);
        if (r < 0)
                return log_error_errno(r, "Failed to load the kernel's BPF names: %m");
        m.config.names = names->names;

        r = manager_setup(&m);
        if (r < 0)
                return r;
        m.last_activity_usec = now_usec();
        (void) worker_new(&m);          /* ready before the first request */
        (void) sd_notify(false, "READY=1\nSTATUS=Waiting for requests.");

        for (;;) {
                struct epoll_event events[32];
                uint64_t now = now_usec();
                int n;

                housekeeping(&m, now);
                update_status(&m, now);
                if (m.stopping ? !workers_busy(&m) : should_exit_idle(&m, now))
                        break;
                n = epoll_wait(m.epoll_fd, events, ELEMENTSOF(events), next_timeout_ms(&m, now));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(-errno, "epoll_wait() failed: %m");
                }
                for (int i = 0; i < n; i++)
                        handle_event(&m, &events[i]);
                if (!m.stopping)
                        dispatch(&m);
        }

        log_debug("Idle or asked to stop: exiting.");
        return 0;
}
