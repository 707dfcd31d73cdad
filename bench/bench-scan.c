/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How fast do 'bpftoken-analyze mounts' and 'tokens' scan a busy host? Forks N idle processes (default
 * 5000), M of which (default 50; root only) each hold a BPF token and a delegated bpffs in a user and
 * mount namespace of their own, then times the very scan functions the verbs use, before and after,
 * and prints the figures side by side: total time, time per process, time per mount namespace.
 *
 *   bench-scan [--processes=N] [--tokens=M] [--rounds=R]
 *
 * Only prints numbers; it asserts nothing about time. It does check that the scans find the M
 * instances and tokens, and exits non-zero if they do not.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analyze-scan.h"
#include "bpf-names.h"
#include "bpf-token-uapi.h"

static unsigned arg_processes = 5000;
static unsigned arg_tokens = 50;
static unsigned arg_rounds = 5;

static pid_t *children;
static size_t n_children;

static void kill_children(void) {
        for (size_t i = 0; i < n_children; i++)
                (void) kill(children[i], SIGKILL);
        for (size_t i = 0; i < n_children; i++)
                (void) waitpid(children[i], NULL, 0);
        n_children = 0;
}

static _Noreturn void idle_child(void) {
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (;;)
                pause();
}

static int send_fd(int sock, int fd) {
        char cbuf[CMSG_SPACE(sizeof(int))] = {}, c = 'f';
        struct iovec iov = { .iov_base = &c, .iov_len = 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &fd, sizeof(int));
        return sendmsg(sock, &mh, MSG_NOSIGNAL) == 1 ? 0 : -errno;
}

static int recv_fd(int sock) {
        char cbuf[CMSG_SPACE(sizeof(int))] = {}, c;
        struct iovec iov = { .iov_base = &c, .iov_len = 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
        struct cmsghdr *cm;
        int fd = -1;

        if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) <= 0)
                return -EIO;
        cm = CMSG_FIRSTHDR(&mh);
        if (!cm || cm->cmsg_type != SCM_RIGHTS)
                return -EIO;
        memcpy(&fd, CMSG_DATA(cm), sizeof(int));
        return fd;
}

/* A child in its own user+mount namespace that attaches a delegated bpffs at /sys/fs/bpf, holds a
 * token from it and idles. */
static _Noreturn void token_child(int sock) {
        char c;
        int fs_fd, mnt_fd, root_fd;
        struct bpftoken_attr_token_create attr = {};

        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (unshare(CLONE_NEWUSER|CLONE_NEWNS) < 0)
                _exit(1);
        c = 'u';
        if (write(sock, &c, 1) != 1 || read(sock, &c, 1) != 1)
                _exit(1);
        if (mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL) < 0)
                _exit(1);
        fs_fd = (int) syscall(__NR_fsopen, "bpf", BPFTOKEN_FSOPEN_CLOEXEC);
        if (fs_fd < 0 || send_fd(sock, fs_fd) < 0 || read(sock, &c, 1) != 1 || c != 'c')
                _exit(1);
        mnt_fd = (int) syscall(__NR_fsmount, fs_fd, BPFTOKEN_FSMOUNT_CLOEXEC, 0);
        if (mnt_fd < 0)
                _exit(1);
        if (syscall(__NR_move_mount, mnt_fd, "", AT_FDCWD, "/sys/fs/bpf", BPFTOKEN_MOVE_MOUNT_F_EMPTY_PATH) < 0)
                _exit(1);
        root_fd = open("/sys/fs/bpf", O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (root_fd < 0)
                _exit(1);
        attr.bpffs_fd = (uint32_t) root_fd;
        if (syscall(__NR_bpf, BPFTOKEN_CMD_TOKEN_CREATE, &attr, sizeof attr) < 0)
                _exit(1);
        c = 'r';
        if (write(sock, &c, 1) != 1)
                _exit(1);
        close(sock);
        idle_child();
}

static int write_map(pid_t pid, const char *which) {
        char path[64];
        int fd, r = 0;

        snprintf(path, sizeof path, "/proc/%d/%s", (int) pid, which);
        fd = open(path, O_WRONLY|O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (write(fd, "0 0 1\n", 6) != 6)
                r = -errno;
        close(fd);
        return r;
}

static int start_token_child(pid_t *ret) {
        int sv[2], fs_fd = -1, r = -EIO;
        char c;
        pid_t pid;

        if (socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, sv) < 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                r = -errno;
                close(sv[0]);
                close(sv[1]);
                return r;
        }
        if (pid == 0) {
                close(sv[0]);
                token_child(sv[1]);
        }
        close(sv[1]);
        *ret = pid;

        if (read(sv[0], &c, 1) != 1 || c != 'u')
                goto out;
        if (write_map(pid, "uid_map") < 0 || write_map(pid, "gid_map") < 0)
                goto out;
        c = 'm';
        if (write(sv[0], &c, 1) != 1)
                goto out;
        fs_fd = recv_fd(sv[0]);
        if (fs_fd < 0)
                goto out;
        if (syscall(__NR_fsconfig, fs_fd, BPFTOKEN_FSCONFIG_SET_STRING, "delegate_cmds", "0x40021", 0) < 0 ||
            syscall(__NR_fsconfig, fs_fd, BPFTOKEN_FSCONFIG_SET_STRING, "delegate_maps", "0x4", 0) < 0 ||
            syscall(__NR_fsconfig, fs_fd, BPFTOKEN_FSCONFIG_SET_STRING, "delegate_progs", "0x2", 0) < 0 ||
            syscall(__NR_fsconfig, fs_fd, BPFTOKEN_FSCONFIG_SET_STRING, "delegate_attachs", "any", 0) < 0 ||
            syscall(__NR_fsconfig, fs_fd, BPFTOKEN_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
                r = -errno;
                goto out;
        }
        c = 'c';
        if (write(sv[0], &c, 1) != 1 || read(sv[0], &c, 1) != 1 || c != 'r')
                goto out;
        r = 0;
out:
        if (fs_fd >= 0)
                close(fs_fd);
        close(sv[0]);
        return r;
}

static double now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

typedef struct Figures {
        double mounts_ms, tokens_ms;    /* medians */
        unsigned processes, namespaces;
        size_t n_mounts, n_tokens;
} Figures;

static int measure(const BpfNames *names, Figures *ret) {
        double *m = calloc(arg_rounds, sizeof *m), *t = calloc(arg_rounds, sizeof *t);
        Figures f = {};

        if (!m || !t) {
                free(m);
                free(t);
                return -ENOMEM;
        }
        for (unsigned i = 0; i < arg_rounds; i++) {
                MountScan ms = {};
                TokenScan ts = {};
                double a;
                int r;

                a = now_ms();
                r = scan_mounts(names, NULL, false, &ms);
                m[i] = now_ms() - a;
                if (r < 0) {
                        free(m);
                        free(t);
                        return r;
                }
                a = now_ms();
                r = scan_tokens(NULL, &ts);
                t[i] = now_ms() - a;
                if (r < 0) {
                        mount_scan_done(&ms);
                        free(m);
                        free(t);
                        return r;
                }
                f.processes = ts.n_processes;
                f.namespaces = ms.n_namespaces;
                f.n_mounts = ms.n_entries;
                f.n_tokens = ts.n_entries;
                mount_scan_done(&ms);
                token_scan_done(&ts);
        }
        qsort(m, arg_rounds, sizeof *m, cmp_double);
        qsort(t, arg_rounds, sizeof *t, cmp_double);
        f.mounts_ms = m[arg_rounds / 2];
        f.tokens_ms = t[arg_rounds / 2];
        free(m);
        free(t);
        *ret = f;
        return 0;
}

static void print_row(const char *scan, double base_ms, unsigned base_procs, double ms, unsigned procs,
                      unsigned namespaces, size_t found) {
        printf("%-6s %11.2f %10.2f %14.2f %15.2f %12.1f %7zu\n", scan, base_ms, ms,
               base_procs ? base_ms * 1e3 / base_procs : 0.0, procs ? ms * 1e3 / procs : 0.0,
               namespaces ? ms * 1e3 / namespaces : 0.0, found);
}

static int parse_argv(int argc, char *argv[]) {
        static const struct option options[] = {
                { "processes", required_argument, NULL, 'p' },
                { "tokens",    required_argument, NULL, 't' },
                { "rounds",    required_argument, NULL, 'r' },
                { "help",      no_argument,       NULL, 'h' },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'p': arg_processes = (unsigned) strtoul(optarg, NULL, 10); break;
                case 't': arg_tokens = (unsigned) strtoul(optarg, NULL, 10); break;
                case 'r': arg_rounds = (unsigned) strtoul(optarg, NULL, 10); break;
                case 'h':
                        printf("%s [--processes=N] [--tokens=M] [--rounds=R]\n", argv[0]);
                        return 0;
                default:
                        return -EINVAL;
                }
        if (arg_rounds == 0)
                arg_rounds = 1;
        if (arg_tokens > arg_processes)
                arg_tokens = arg_processes;
        return 1;
}

int main(int argc, char *argv[]) {
        BpfNames *names = NULL;
        Figures base, loaded;
        unsigned tokens_started = 0;
        double t0, spawn_ms;
        int r, ret = EXIT_FAILURE;

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        if (geteuid() != 0 && arg_tokens > 0) {
                fprintf(stderr, "bench-scan: not root, so no token holders (--tokens=0).\n");
                arg_tokens = 0;
        }
        if (bpf_names_load(NULL, &names) < 0) {
                fprintf(stderr, "bench-scan: cannot load BPF names.\n");
                return EXIT_FAILURE;
        }
        children = calloc(arg_processes, sizeof *children);
        if (!children)
                return EXIT_FAILURE;

        if (measure(names, &base) < 0) {
                fprintf(stderr, "bench-scan: baseline scan failed.\n");
                goto finish;
        }

        t0 = now_ms();
        for (unsigned i = 0; i < arg_tokens; i++) {
                pid_t pid = 0;

                r = start_token_child(&pid);
                if (pid > 0)
                        children[n_children++] = pid;
                if (r < 0) {
                        fprintf(stderr, "bench-scan: creating token holder %u failed: %s\n", i, strerror(-r));
                        goto finish;
                }
                tokens_started++;
        }
        for (unsigned i = arg_tokens; i < arg_processes; i++) {
                pid_t pid = fork();

                if (pid < 0) {
                        fprintf(stderr, "bench-scan: fork failed after %zu processes: %m\n", n_children);
                        goto finish;
                }
                if (pid == 0)
                        idle_child();
                children[n_children++] = pid;
        }
        spawn_ms = now_ms() - t0;

        if (measure(names, &loaded) < 0) {
                fprintf(stderr, "bench-scan: scan failed.\n");
                goto finish;
        }

        printf("bench-scan: %u idle processes (%u holding a token and a delegated bpffs in their own user+mount "
               "namespace), set up in %.0f ms; median of %u rounds\n\n",
               arg_processes, tokens_started, spawn_ms, arg_rounds);
        printf("host: %u processes, %u mount namespaces before; %u processes, %u mount namespaces with the load\n\n",
               base.processes, base.namespaces, loaded.processes, loaded.namespaces);
        printf("%-6s %11s %10s %14s %15s %12s %7s\n", "SCAN", "BASELINE-MS", "LOADED-MS", "BASE-US/PROC",
               "LOADED-US/PROC", "US/MNTNS", "FOUND");
        print_row("mounts", base.mounts_ms, base.processes, loaded.mounts_ms, loaded.processes, loaded.namespaces,
                  loaded.n_mounts);
        print_row("tokens", base.tokens_ms, base.processes, loaded.tokens_ms, loaded.processes, loaded.namespaces,
                  loaded.n_tokens);

        if (loaded.n_mounts < base.n_mounts + tokens_started || loaded.n_tokens < base.n_tokens + tokens_started) {
                fprintf(stderr, "bench-scan: the scans missed instances or tokens (%zu mounts, %zu tokens, expected "
                        "at least %u more).\n", loaded.n_mounts, loaded.n_tokens, tokens_started);
                goto finish;
        }
        ret = EXIT_SUCCESS;
finish:
        kill_children();
        free(children);
        bpf_names_free(names);
        return ret;
}
