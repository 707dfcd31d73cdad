/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helper.h"
#include "process-util.h"
#include "socket-util.h"
#include "syscalls.h"

void helper_stop(Helper *h) {
        if (h->pid > 0) {
                (void) kill(h->pid, SIGKILL);
                while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        h->pid = 0;
        h->sock = safe_close(h->sock);
}

/* Helpers that said their last word and are exiting: a throw-away mount namespace's teardown waits
 * for an RCU grace period (about 2 ms measured), which nobody needs to wait for before the reply. */
static struct {
        pid_t pid;
        struct timespec deadline;
} released[HELPER_RELEASED_MAX];

static long ms_until(const struct timespec *deadline) {
        struct timespec now;

        (void) clock_gettime(CLOCK_MONOTONIC, &now);
        return (long) (deadline->tv_sec - now.tv_sec) * 1000L + (deadline->tv_nsec - now.tv_nsec) / 1000000L;
}

/* Reap pid by its deadline, killing it past that. */
static void reap_by_deadline(pid_t pid, const struct timespec *deadline) {
        _cleanup_(closep) int pidfd = -EBADF;

        pidfd = sys_pidfd_open(pid, 0);
        for (;;) {
                struct pollfd p = { .fd = pidfd, .events = POLLIN };
                long ms = ms_until(deadline);
                int r;

                if (waitpid(pid, NULL, WNOHANG) != 0)
                        return; /* reaped, or not ours any more */
                if (pidfd < 0 || ms <= 0)
                        break;
                r = poll(&p, 1, (int) ms);
                if (r < 0 && errno != EINTR)
                        break;
        }
        (void) kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
}

/* The publisher's own address space size, for a bound relative to it (an ASan build maps terabytes of
 * shadow memory before main()). Read from its own /proc, before any helper joins anything. */
static int own_address_space(uint64_t *ret) {
        _cleanup_(fclosep) FILE *f = NULL;
        unsigned long pages;

        f = fopen("/proc/self/statm", "re");
        if (!f)
                return -errno;
        if (fscanf(f, "%lu", &pages) != 1)
                return -EBADMSG;
        *ret = (uint64_t) pages * (uint64_t) sysconf(_SC_PAGESIZE);
        return 0;
}

_noreturn_ void helper_exit(int sock, int status, int fd) {
        (void) send_status_fd(sock, status, fd);
        _exit(status == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}

static void set_deadline(Helper *h) {
        (void) clock_gettime(CLOCK_MONOTONIC, &h->deadline);
        h->deadline.tv_sec += HELPER_TIMEOUT_MS / 1000;
        h->deadline.tv_nsec += (long) (HELPER_TIMEOUT_MS % 1000) * 1000000L;
        if (h->deadline.tv_nsec >= 1000000000L) {
                h->deadline.tv_sec++;
                h->deadline.tv_nsec -= 1000000000L;
        }
}

/* Fork a bounded child that keeps keep[] (keep[0] becomes its socket end). 0 in the child, 1 in the
 * parent (h->sock the parent's end, no deadline yet), -errno. */
static int fork_bounded(int *keep, size_t n_keep, Helper *h) {
        _cleanup_(closep) int parent_sock = -EBADF, child_sock = -EBADF;
        struct rlimit rl;
        uint64_t as = 0;
        int pair[2], r;

        r = own_address_space(&as);
        if (r < 0)
                return r;
        /* Sequenced packets: one status word with at most one fd per message. */
        if (socketpair(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC, 0, pair) < 0)
                return -errno;
        parent_sock = pair[0];
        child_sock = pair[1];
        keep[0] = child_sock;

        r = fork_helper(keep, n_keep, &h->pid);
        if (r < 0)
                return r;
        if (r == 0) {
                /* Before touching anything of the caller's. */
                rl.rlim_cur = rl.rlim_max = as + HELPER_MEMORY_MAX;
                if (setrlimit(RLIMIT_AS, &rl) < 0)
                        _exit(EXIT_FAILURE);
                rl.rlim_cur = rl.rlim_max = 0;
                (void) setrlimit(RLIMIT_CORE, &rl);
                h->sock = TAKE_FD(child_sock);
                return 0;
        }
        h->sock = TAKE_FD(parent_sock);
        return 1;
}

/* Fork a helper that runs body(userdata) (a pointer into our memory, valid in the fork) and exits. 0
 * in the parent, -errno. */
static int start_forked(int *keep, size_t n_keep, HelperBody body, const void *userdata, Helper *h) {
        int r;

        r = fork_bounded(keep, n_keep, h);
        if (r < 0)
                return r;
        if (r == 0) {
                body(h->sock, keep, userdata);
                _exit(EXIT_FAILURE);
        }
        set_deadline(h);
        return 0;
}

/* --- prepared helpers ------------------------------------------------------------------------- */

/* A job for a prepared helper: the body, and its argument copied by value (the helper was forked
 * before the argument existed). The descriptors travel with it (SCM_RIGHTS), keep[1..n_keep-1]. */
typedef struct HelperJob {
        HelperBody body;
        size_t n_keep;
        size_t size;
        unsigned char userdata[HELPER_USERDATA_MAX];
} HelperJob;

static Helper spares[HELPER_SPARES_MAX] = {
        [0 ... HELPER_SPARES_MAX - 1] = { .pid = 0, .sock = -EBADF },
};

static int send_job(int sock, const HelperJob *job, const int *keep) {
        union {
                struct cmsghdr cmsghdr;
                uint8_t buf[CMSG_SPACE(sizeof(int) * HELPER_KEEP_MAX)];
        } control = {};
        struct iovec iov = { .iov_base = (void *) job, .iov_len = sizeof *job };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
        size_t n_fds = job->n_keep - 1;

        if (n_fds > 0) {
                struct cmsghdr *cmsg;

                mh.msg_control = &control;
                mh.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
                cmsg = CMSG_FIRSTHDR(&mh);
                cmsg->cmsg_level = SOL_SOCKET;
                cmsg->cmsg_type = SCM_RIGHTS;
                cmsg->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
                memcpy(CMSG_DATA(cmsg), keep + 1, sizeof(int) * n_fds);
        }
        if (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
                return -errno;
        return 0;
}

/* In a prepared helper: wait for the job, then run it as a freshly forked helper would. */
static _noreturn_ void spare_main(int sock) {
        union {
                struct cmsghdr cmsghdr;
                uint8_t buf[CMSG_SPACE(sizeof(int) * HELPER_KEEP_MAX)];
        } control = {};
        HelperJob job = {};
        struct iovec iov = { .iov_base = &job, .iov_len = sizeof job };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof control };
        int keep[HELPER_KEEP_MAX] = { sock };
        size_t n_fds = 0;
        ssize_t n;

        do
                n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n != (ssize_t) sizeof job || (mh.msg_flags & (MSG_TRUNC|MSG_CTRUNC)))
                _exit(EXIT_FAILURE); /* discarded (EOF), or not a job from our parent */
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                        n_fds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                        if (n_fds >= HELPER_KEEP_MAX)
                                _exit(EXIT_FAILURE);
                        memcpy(keep + 1, CMSG_DATA(c), sizeof(int) * n_fds);
                }
        if (job.n_keep != n_fds + 1 || job.size > sizeof job.userdata || !job.body)
                _exit(EXIT_FAILURE);
        job.body(sock, keep, job.userdata);
        _exit(EXIT_FAILURE);
}

int helper_prepare_spares(void) {
        for (size_t i = 0; i < ELEMENTSOF(spares); i++) {
                int keep[1];
                int r;

                if (spares[i].pid > 0)
                        continue;
                r = fork_bounded(keep, ELEMENTSOF(keep), &spares[i]);
                if (r < 0) {
                        spares[i] = HELPER_NULL;
                        return r;
                }
                if (r == 0)
                        spare_main(spares[i].sock);
        }
        return 0;
}

void helper_discard_spares(void) {
        for (size_t i = 0; i < ELEMENTSOF(spares); i++)
                helper_stop(&spares[i]);
}

int helper_start_job(int *keep, size_t n_keep, HelperBody body, const void *userdata, size_t size, Helper *h) {
        HelperJob job = { .body = body, .n_keep = n_keep, .size = size };

        if (n_keep < 1 || n_keep > HELPER_KEEP_MAX || size > sizeof job.userdata)
                return -E2BIG;
        if (size > 0)
                memcpy(job.userdata, userdata, size);

        for (size_t i = 0; i < ELEMENTSOF(spares); i++) {
                if (spares[i].pid <= 0)
                        continue;
                *h = spares[i];
                spares[i] = HELPER_NULL;
                set_deadline(h);
                if (send_job(h->sock, &job, keep) >= 0)
                        return 0;
                helper_stop(h); /* died meanwhile: try the next one, or fork */
        }

        return start_forked(keep, n_keep, body, job.userdata, h);
}

int helper_recv(Helper *h, int *ret_status, int *ret_fd) {
        for (;;) {
                struct pollfd p = { .fd = h->sock, .events = POLLIN };
                long ms = ms_until(&h->deadline);
                int r;

                if (ms <= 0)
                        return -ETIME;
                r = poll(&p, 1, (int) ms);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return -errno;
                if (r == 0)
                        continue;
                r = recv_status_fd(h->sock, ret_status, ret_fd);
                if (r < 0)
                        /* EOF: the helper exited, or died without a word. */
                        return r == -ECONNRESET ? -EPROTO : r;
                return 0;
        }
}

void helper_reap_released(void) {
        for (size_t i = 0; i < ELEMENTSOF(released); i++)
                if (released[i].pid > 0) {
                        reap_by_deadline(released[i].pid, &released[i].deadline);
                        released[i].pid = 0;
                }
}

/* The released helpers that have exited by now, without waiting. */
static void reap_exited(void) {
        for (size_t i = 0; i < ELEMENTSOF(released); i++)
                if (released[i].pid > 0 && waitpid(released[i].pid, NULL, WNOHANG) != 0)
                        released[i].pid = 0;
}

void helper_release(Helper *h) {
        h->sock = safe_close(h->sock);
        if (h->pid <= 0)
                return;
        reap_exited();
        for (size_t i = 0; i < ELEMENTSOF(released); i++)
                if (released[i].pid <= 0) {
                        released[i].pid = h->pid;
                        released[i].deadline = h->deadline;
                        h->pid = 0;
                        return;
                }
        /* All slots taken (a caller that never reaps): bounded, at the cost of waiting now. */
        reap_by_deadline(h->pid, &h->deadline);
        h->pid = 0;
}

/* The one word of a started helper (and its fd); then the helper is released, or on failure killed. */
static int last_word(Helper *h, int *ret_status, int *ret_fd) {
        _cleanup_(closep) int fd = -EBADF;
        int status = 0, r;

        r = helper_recv(h, &status, &fd);
        if (r < 0) {
                helper_stop(h);
                return r;
        }
        helper_release(h);
        *ret_status = status;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int helper_run(int *keep, size_t n_keep, HelperBody body, const void *userdata, int *ret_status, int *ret_fd) {
        Helper h = HELPER_NULL;
        int r;

        r = start_forked(keep, n_keep, body, userdata, &h);
        if (r < 0)
                return r;
        return last_word(&h, ret_status, ret_fd);
}

int helper_run_job(int *keep, size_t n_keep, HelperBody body, const void *userdata, size_t size, int *ret_status,
                   int *ret_fd) {
        Helper h = HELPER_NULL;
        int r;

        r = helper_start_job(keep, n_keep, body, userdata, size, &h);
        if (r < 0)
                return r;
        return last_word(&h, ret_status, ret_fd);
}
