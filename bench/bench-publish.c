/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-publish: what a delegated instance costs, measured side by side in one run (root, kernel
 * >= 6.9). Prints the median and p90 of each way and its ratio to the floor:
 *   floor        instance_publish() in this process, into a fresh root-owned user + mount
 *                namespace (the helpers, fsconfig x4, create, attach): the kernel work itself
 *   standalone   "bpftoken-exec --preset=libbpf -- true" as a whole (namespaces, instance,
 *                checks, exec)
 *   pool         the handoff as a unit sees it: a process already in a root-owned user namespace
 *                and a mount namespace of its own (what systemd's PrivateUsers=/PrivateMounts=
 *                make) execs "bpftoken-exec -- /bin/true", which asks the long-lived publisher
 *                (systemd-socket-activate without --accept: bpftoken-publish.socket's Accept=no),
 *                checks the instance and execs the target; timed from the exec to the target's exit
 *   per-conn     the same through a publisher started per connection (--accept, the old
 *                Accept=yes model): adds a fork+exec of the publisher and a BTF names load
 *   direct       the same child execing /bin/true alone: subtracted from pool and per-conn, it
 *                leaves the handoff itself (exec of bpftoken-exec to the exec of the target)
 *   refused-*    a request of a uid no policy matches (a forked child, no exec), answered with
 *                EPERM, through each publisher: what a refusal costs
 * Usage: bench-publish BPFTOKEN-EXEC BPFTOKEN-PUBLISH [ITERATIONS]
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-util.h"
#include "delegation.h"
#include "helper.h"
#include "instance.h"
#include "macro.h"
#include "protocol.h"
#include "socket-util.h"
#include "userns-child.h"

extern char **environ;

static int run_cmd(char *const argv[]) {
        pid_t pid;
        int status;

        if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0)
                return -1;
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return -1;
        return 0;
}

static int floor_once(const Delegation *d, double *ret_ms) {
        _cleanup_(closep) int release = -EBADF, userns = -EBADF, mntns = -EBADF;
        BpffsStep step;
        double t0;
        pid_t pid;
        int r;

        /* A target in a fresh root-owned user namespace and mount namespace, waiting until we close
         * our end of the socket. */
        r = userns_child_fork(USERNS_CHILD_MOUNTS_SLAVE, &pid, &release, NULL);
        if (r < 0)
                return r;
        if (r == 0) {
                int status, unused;

                (void) recv_status_fd(release, &status, &unused);
                _exit(EXIT_SUCCESS);
        }

        r = userns_child_get_namespaces(pid, &userns, &mntns);
        if (r >= 0) {
                t0 = now_ms();
                r = instance_publish(userns, mntns, 0, 0, d, &step);
                *ret_ms = now_ms() - t0;
                helper_reap_released(); /* as the publisher's workers do, after the reply ... */
                (void) helper_prepare_spares(); /* ... and before the next request */
        }
        release = safe_close(release);
        (void) waitpid(pid, NULL, 0);
        return r;
}

/* Exec "bpftoken-exec --socket=SOCK -q -- /bin/true" (sock NULL: /bin/true alone) in a fresh
 * root-owned user + mount namespace and time it from the go signal to the exit. */
static int handoff_once(const char *exec_path, const char *sock, double *ret_ms) {
        _cleanup_(closep) int go = -EBADF;
        int status = 0, r;
        double t0;
        pid_t pid;

        r = userns_child_fork(USERNS_CHILD_MOUNTS_SLAVE|USERNS_CHILD_DIE_WITH_PARENT, &pid, &go, NULL);
        if (r < 0)
                return r;
        if (r == 0) {
                int word, unused;

                if (recv_status_fd(go, &word, &unused) < 0)
                        _exit(EXIT_FAILURE);
                if (sock)
                        execl(exec_path, exec_path, "-q", "--socket", sock, "--", "/bin/true", (char *) NULL);
                else
                        execl("/bin/true", "/bin/true", (char *) NULL);
                _exit(127);
        }
        t0 = now_ms();
        r = send_status_fd(go, 0, -EBADF);
        if (waitpid(pid, &status, 0) < 0 || r < 0)
                return -ECHILD;
        *ret_ms = now_ms() - t0;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EPROTO;
}

/* A request from uid 4243, which no policy matches, answered with EPERM: what a refusal costs the
 * publisher (no exec on the caller's side; timed from fork to the caller's exit). */
static int refused_once(const char *sock, double *ret_ms) {
        double t0 = now_ms();
        int status = 0;
        pid_t pid;

        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                struct sockaddr_un sa = { .sun_family = AF_UNIX };
                PublishReply reply;
                int fd;

                if (setresgid(4243, 4243, 4243) < 0 || setresuid(4243, 4243, 4243) < 0)
                        _exit(EXIT_FAILURE);
                snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
                fd = socket(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC, 0);
                if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0 || publish_request_send(fd) < 0 ||
                    publish_reply_recv(fd, &reply) < 0)
                        _exit(EXIT_FAILURE);
                _exit(reply.error == EPERM ? EXIT_SUCCESS : EXIT_FAILURE);
        }
        if (waitpid(pid, &status, 0) < 0)
                return -ECHILD;
        *ret_ms = now_ms() - t0;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EPROTO;
}

/* systemd-socket-activate on sock, with --accept or not. */
static pid_t start_publisher(const char *publish, const char *sock, bool accept, const char *policy_arg) {
        char host_pid[32];
        pid_t pid;

        snprintf(host_pid, sizeof host_pid, "--host-pid=%d", (int) getpid());
        pid = fork();
        if (pid == 0) {
                int null = open("/dev/null", O_WRONLY|O_CLOEXEC);

                /* The decisions go to stderr without a journal: keep the figures readable. */
                if (null >= 0)
                        (void) dup2(null, STDERR_FILENO);
                if (accept)
                        execlp("systemd-socket-activate", "systemd-socket-activate", "--seqpacket", "--accept", "-l",
                               sock, publish, policy_arg, host_pid, (char *) NULL);
                else
                        execlp("systemd-socket-activate", "systemd-socket-activate", "--seqpacket", "-l", sock, publish,
                               policy_arg, host_pid, "--idle-exit-sec=0", (char *) NULL);
                _exit(127);
        }
        for (int i = 0; i < 100 && access(sock, F_OK) < 0; i++)
                usleep(20000);
        if (pid < 0 || chmod(sock, 0666) < 0)
                return -1;
        return pid;
}

static void print_way(const char *name, double *v, int n, double floor50) {
        sort_doubles(v, n);
        printf("%-12s %10.3f %10.3f %8.2f\n", name, percentile(v, n, 0.5), percentile(v, n, 0.9),
               percentile(v, n, 0.5) / floor50);
}

int main(int argc, char *argv[]) {
        char dir[] = "/tmp/bench-publish.XXXXXX", sock_pool[256], sock_conn[256], pol[256], polfile[300];
        char policy_arg[300];
        int n = argc > 3 ? atoi(argv[3]) : 50;
        double *fl, *sa, *po, *pc, *di, *rp, *rc, f50, d50;
        Delegation d = { .masks = { 0x40021, 0x4, 0x2, 0x1 } };
        pid_t act_pool, act_conn;
        FILE *f;

        if (argc < 3 || n < 5) {
                fprintf(stderr, "usage: %s BPFTOKEN-EXEC BPFTOKEN-PUBLISH [ITERATIONS>=5]\n", argv[0]);
                return 2;
        }
        if (geteuid() != 0) {
                fprintf(stderr, "bench-publish: needs root.\n");
                return 2;
        }
        fl = calloc((size_t) n, sizeof *fl);
        sa = calloc((size_t) n, sizeof *sa);
        po = calloc((size_t) n, sizeof *po);
        pc = calloc((size_t) n, sizeof *pc);
        di = calloc((size_t) n, sizeof *di);
        rp = calloc((size_t) n, sizeof *rp);
        rc = calloc((size_t) n, sizeof *rc);
        if (!fl || !sa || !po || !pc || !di || !rp || !rc || !mkdtemp(dir) || chmod(dir, 0755) < 0)
                return 1;
        snprintf(sock_pool, sizeof sock_pool, "%s/pool.sock", dir);
        snprintf(sock_conn, sizeof sock_conn, "%s/conn.sock", dir);
        snprintf(pol, sizeof pol, "%s/policy", dir);
        snprintf(polfile, sizeof polfile, "%s/bench.conf", pol);
        snprintf(policy_arg, sizeof policy_arg, "--policy-dir=%s", pol);
        if (mkdir(pol, 0755) < 0 || !(f = fopen(polfile, "we")))
                return 1;
        /* The callers are uid 0 in a user namespace root made: a uid policy for root. */
        fputs("[Match]\nUser=0\n[Delegation]\nPreset=libbpf\n", f);
        fclose(f);

        act_pool = start_publisher(argv[2], sock_pool, false, policy_arg);
        act_conn = start_publisher(argv[2], sock_conn, true, policy_arg);
        if (act_pool < 0 || act_conn < 0) {
                fprintf(stderr, "bench-publish: systemd-socket-activate did not start.\n");
                return 1;
        }

        {
                char preset[] = "--preset=libbpf", quiet[] = "-q", dashes[] = "--", cmd[] = "/bin/true";
                char *standalone[] = { argv[1], preset, quiet, dashes, cmd, NULL };

                /* Interleave the ways so that drift on the machine hits them alike. */
                for (int i = 0; i < n; i++) {
                        double t0;

                        if (floor_once(&d, &fl[i]) < 0) {
                                fprintf(stderr, "bench-publish: the in-process publish failed.\n");
                                return 1;
                        }
                        t0 = now_ms();
                        if (run_cmd(standalone) < 0)
                                return fprintf(stderr, "bench-publish: standalone run failed.\n"), 1;
                        sa[i] = now_ms() - t0;
                        if (handoff_once(argv[1], NULL, &di[i]) < 0)
                                return fprintf(stderr, "bench-publish: running /bin/true failed.\n"), 1;
                        if (handoff_once(argv[1], sock_pool, &po[i]) < 0)
                                return fprintf(stderr, "bench-publish: the handoff through the pool failed.\n"), 1;
                        if (handoff_once(argv[1], sock_conn, &pc[i]) < 0)
                                return fprintf(stderr, "bench-publish: the per-connection handoff failed.\n"), 1;
                        if (refused_once(sock_pool, &rp[i]) < 0 || refused_once(sock_conn, &rc[i]) < 0)
                                return fprintf(stderr, "bench-publish: a refusal was not answered with EPERM.\n"), 1;
                }
        }
        kill(act_pool, SIGTERM);
        kill(act_conn, SIGTERM);
        waitpid(act_pool, NULL, 0);
        waitpid(act_conn, NULL, 0);

        sort_doubles(fl, n);
        f50 = percentile(fl, n, 0.5);
        printf("%d iterations each, interleaved\n", n);
        printf("%-12s %10s %10s %8s\n", "WAY", "MEDIAN_MS", "P90_MS", "RATIO");
        printf("%-12s %10.3f %10.3f %8.2f\n", "floor", f50, percentile(fl, n, 0.9), 1.0);
        print_way("standalone", sa, n, f50);
        print_way("direct", di, n, f50);
        print_way("pool", po, n, f50);
        print_way("per-conn", pc, n, f50);
        print_way("refused-pool", rp, n, f50);
        print_way("refused-conn", rc, n, f50);
        d50 = percentile(di, n, 0.5);
        printf("handoff (exec of bpftoken-exec to the target's exec: pool - direct) through the long-lived "
               "publisher: %.3f ms = %.2fx the floor (target <= 2x); through a publisher per connection: "
               "%.3f ms = %.2fx\n", percentile(po, n, 0.5) - d50, (percentile(po, n, 0.5) - d50) / f50,
               percentile(pc, n, 0.5) - d50, (percentile(pc, n, 0.5) - d50) / f50);
        {
                char cmd[512];
                snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
                if (system(cmd) != 0)
                        fprintf(stderr, "bench-publish: could not remove %s\n", dir);
        }
        return 0;
}
