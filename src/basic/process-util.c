/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "macro.h"
#include "process-util.h"
#include "syscalls.h"

static int cmp_int(const void *a, const void *b) {
        int x = *(const int *) a, y = *(const int *) b;
        return x < y ? -1 : x > y;
}

int close_all_fds_except(const int *keep_fds, size_t n_keep) {
        int sorted[16];
        unsigned start = 3;
        size_t n = 0;

        if (n_keep > ELEMENTSOF(sorted))
                return -E2BIG;
        for (size_t i = 0; i < n_keep; i++)
                if (keep_fds[i] >= 3)
                        sorted[n++] = keep_fds[i];
        qsort(sorted, n, sizeof(int), cmp_int);

        for (size_t i = 0; i < n; i++) {
                if ((unsigned) sorted[i] > start)
                        if (sys_close_range(start, (unsigned) sorted[i] - 1, 0) < 0)
                                return -errno;
                start = (unsigned) sorted[i] + 1;
        }
        return sys_close_range(start, ~0U, 0);
}

int fork_helper(const int *keep_fds, size_t n_keep, pid_t *ret_pid) {
        pid_t parent = getpid(), pid;
        sigset_t all;
        int r;

        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid > 0) {
                *ret_pid = pid;
                return 1;
        }

        /* In the helper. Any failure here is fatal for the helper only. */
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                _exit(EXIT_FAILURE);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
                _exit(EXIT_FAILURE);
        sigfillset(&all);
        (void) sigprocmask(SIG_UNBLOCK, &all, NULL);
        r = close_all_fds_except(keep_fds, n_keep);
        if (r < 0)
                _exit(EXIT_FAILURE);
        *ret_pid = 0;
        return 0;
}

int wait_for_helper(pid_t pid) {
        int status;

        for (;;) {
                if (waitpid(pid, &status, 0) >= 0)
                        break;
                if (errno != EINTR)
                        return -errno;
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        return -EPROTO;
}

int ensure_stdio_open(void) {
        for (int fd = 0; fd < 3; fd++) {
                int n;

                if (fcntl(fd, F_GETFD) >= 0)
                        continue;
                n = open("/dev/null", O_RDWR);
                if (n < 0)
                        return -errno;
                if (n != fd) {
                        /* Lower fds are open, so this cannot happen; be safe anyway. */
                        (void) close(n);
                        return -EBADF;
                }
        }
        return 0;
}
