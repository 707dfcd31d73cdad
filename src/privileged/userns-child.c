/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "macro.h"
#include "namespace-util.h"
#include "socket-util.h"
#include "userns-child.h"

/* The child reports each step with one status word: 0 when done, else (step << 16 | errno). */
#define STATUS(step, error) ((int) ((unsigned) (step) << 16 | (unsigned) (error)))
#define STATUS_STEP(s) ((UsernsChildStep) ((unsigned) (s) >> 16))
#define STATUS_ERRNO(s) ((int) ((unsigned) (s) & 0xffffu))

static _noreturn_ void child_fail(int sock, UsernsChildStep step, int error) {
        (void) send_status_fd(sock, STATUS(step, error), -EBADF);
        _exit(EXIT_FAILURE);
}

/* In the child: returns once both namespaces are in place, exits otherwise. */
static void child_setup(int sock, UsernsChildFlags flags) {
        int status = 0, fd = -EBADF;

        if ((flags & USERNS_CHILD_DIE_WITH_PARENT) && prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
                child_fail(sock, USERNS_CHILD_STEP_FORK, errno);
        if (unshare(CLONE_NEWUSER) < 0)
                child_fail(sock, USERNS_CHILD_STEP_USERNS, errno);

        /* The parent writes the id maps. */
        if (send_status_fd(sock, 0, -EBADF) < 0 || recv_status_fd(sock, &status, &fd) < 0 || status != 0)
                _exit(EXIT_FAILURE);
        safe_close(fd);

        if (unshare(CLONE_NEWNS) < 0 ||
            mount(NULL, "/", NULL, MS_REC|((flags & USERNS_CHILD_MOUNTS_SLAVE) ? MS_SLAVE : MS_PRIVATE), NULL) < 0)
                child_fail(sock, USERNS_CHILD_STEP_MNTNS, errno);
        if (send_status_fd(sock, 0, -EBADF) < 0)
                _exit(EXIT_FAILURE);
}

/* In the parent: the child's word on its last step. */
static int parent_wait(int sock, UsernsChildStep *ret_step) {
        _cleanup_(closep) int fd = -EBADF;
        int status = 0, r;

        r = recv_status_fd(sock, &status, &fd);
        if (r < 0) {
                *ret_step = USERNS_CHILD_STEP_FORK;
                return r == -ECONNRESET ? -EPROTO : r;
        }
        if (status != 0) {
                *ret_step = STATUS_STEP(status);
                return -STATUS_ERRNO(status);
        }
        return 0;
}

int userns_child_fork(UsernsChildFlags flags, pid_t *ret_pid, int *ret_sock, UsernsChildStep *ret_step) {
        _cleanup_(closep) int parent_sock = -EBADF, child_sock = -EBADF;
        UsernsChildStep step = USERNS_CHILD_STEP_FORK;
        int pair[2], r;
        pid_t pid;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC, 0, pair) < 0) {
                r = -errno;
                goto fail;
        }
        parent_sock = pair[0];
        child_sock = pair[1];

        pid = fork();
        if (pid < 0) {
                r = -errno;
                goto fail;
        }
        if (pid == 0) {
                parent_sock = safe_close(parent_sock);
                child_setup(child_sock, flags);
                *ret_pid = 0;
                *ret_sock = TAKE_FD(child_sock);
                return 0;
        }
        child_sock = safe_close(child_sock);

        r = parent_wait(parent_sock, &step);
        if (r >= 0) {
                step = USERNS_CHILD_STEP_MAPS;
                r = userns_write_id_maps(pid, 0, 0, ID_MAP_ROOT, NULL);
                if (r >= 0)
                        r = send_status_fd(parent_sock, 0, -EBADF);
        }
        if (r >= 0)
                r = parent_wait(parent_sock, &step);
        if (r < 0) {
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                goto fail;
        }

        *ret_pid = pid;
        *ret_sock = TAKE_FD(parent_sock);
        if (ret_step)
                *ret_step = USERNS_CHILD_STEP_NONE;
        return 1;

fail:
        if (ret_step)
                *ret_step = step;
        return r;
}

int userns_child_get_namespaces(pid_t pid, int *ret_userns_fd, int *ret_mntns_fd) {
        return pid_get_namespaces(pid, ret_userns_fd, ret_mntns_fd);
}
