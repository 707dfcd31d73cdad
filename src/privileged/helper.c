/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helper.h"
#include "process-util.h"
#include "socket-util.h"

void helper_stop(Helper *h) {
        if (h->pid > 0) {
                (void) kill(h->pid, SIGKILL);
                while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        h->pid = 0;
        h->sock = safe_close(h->sock);
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

int helper_start(int *keep, size_t n_keep, Helper *h) {
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
        (void) clock_gettime(CLOCK_MONOTONIC, &h->deadline);
        h->deadline.tv_sec += HELPER_TIMEOUT_MS / 1000;
        h->deadline.tv_nsec += (long) (HELPER_TIMEOUT_MS % 1000) * 1000000L;
        if (h->deadline.tv_nsec >= 1000000000L) {
                h->deadline.tv_sec++;
                h->deadline.tv_nsec -= 1000000000L;
        }
        return 1;
}

int helper_recv(Helper *h, int *ret_status, int *ret_fd) {
        for (;;) {
                struct pollfd p = { .fd = h->sock, .events = POLLIN };
                struct timespec now;
                long ms;
                int r;

                (void) clock_gettime(CLOCK_MONOTONIC, &now);
                ms = (long) (h->deadline.tv_sec - now.tv_sec) * 1000L + (h->deadline.tv_nsec - now.tv_nsec) / 1000000L;
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

int helper_finish(Helper *h) {
        int status = 0, fd = -EBADF, r;

        /* Its socket closes when it exits: EOF (or a stray word) ends the wait. */
        r = helper_recv(h, &status, &fd);
        safe_close(fd);
        if (r == -ETIME) {
                helper_stop(h);
                return r;
        }
        r = wait_for_helper(h->pid);
        h->pid = 0;
        helper_stop(h);
        return r;
}

int helper_run(int *keep, size_t n_keep, void (*body)(int sock, const int *keep, const void *userdata),
               const void *userdata, int *ret_status, int *ret_fd) {
        _cleanup_(closep) int fd = -EBADF;
        Helper h = HELPER_NULL;
        int status = 0, r;

        r = helper_start(keep, n_keep, &h);
        if (r < 0)
                return r;
        if (r == 0) {
                body(h.sock, keep, userdata);
                _exit(EXIT_FAILURE);
        }
        r = helper_recv(&h, &status, &fd);
        if (r < 0) {
                helper_stop(&h);
                return r;
        }
        r = helper_finish(&h);
        if (r < 0 && status == 0)
                return r;
        *ret_status = status;
        *ret_fd = TAKE_FD(fd);
        return 0;
}
