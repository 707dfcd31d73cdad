/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * publish-flood: load for bench/start-latency's flood mode, built inside the e2e containers with
 * their own gcc (no project headers: it speaks no protocol, it only occupies and floods).
 *   publish-flood SOCKET SECONDS IDLE
 * keeps IDLE connections open that send nothing (opening a new one whenever the publisher closes
 * one) and, in the same loop, connects, sends garbage and reads the reply as fast as it can, for
 * SECONDS or until SIGINT/SIGTERM; prints "reopened N garbage M".
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define IDLE_MAX 256

static int connect_to(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd;

        if (strlen(path) >= sizeof sa.sun_path)
                return -1;
        strcpy(sa.sun_path, path);
        fd = socket(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -1;
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
                close(fd);
                return -1;
        }
        return fd;
}

static volatile sig_atomic_t stop = 0;

static void on_signal(int sig) {
        stop = 1;
}

static double now_s(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

int main(int argc, char *argv[]) {
        struct pollfd idle[IDLE_MAX];
        unsigned long reopened = 0, garbage = 0;
        const char *path;
        double end;
        int n_idle;

        if (argc != 4 || (n_idle = atoi(argv[3])) < 0 || n_idle > IDLE_MAX) {
                fprintf(stderr, "usage: %s SOCKET SECONDS IDLE(<=%d)\n", argv[0], IDLE_MAX);
                return 2;
        }
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        path = argv[1];
        end = now_s() + atof(argv[2]);
        for (int i = 0; i < n_idle; i++)
                idle[i] = (struct pollfd) { .fd = connect_to(path), .events = POLLIN };

        while (!stop && now_s() < end) {
                static const char junk[] = "\x01garbage for the publisher\xff";
                char buf[1024];
                int fd;

                for (int i = 0; i < n_idle; i++)
                        if (idle[i].fd < 0)
                                idle[i].fd = connect_to(path);
                if (poll(idle, (nfds_t) n_idle, 0) > 0)
                        for (int i = 0; i < n_idle; i++)
                                if (idle[i].fd >= 0 && idle[i].revents) {
                                        close(idle[i].fd);
                                        idle[i].fd = connect_to(path);
                                        reopened++;
                                }
                fd = connect_to(path);
                if (fd < 0)
                        continue;
                if (send(fd, junk, sizeof junk, MSG_NOSIGNAL) > 0 && recv(fd, buf, sizeof buf, 0) > 0)
                        garbage++;
                close(fd);
        }
        printf("reopened %lu garbage %lu\n", reopened, garbage);
        return 0;
}
