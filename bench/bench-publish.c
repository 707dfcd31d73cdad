/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-publish: what a delegated instance costs, measured side by side in one run (root, kernel
 * >= 6.9). Prints the median and p90 of each way and its ratio to the floor:
 *   floor        instance_publish() in this process, into a fresh root-owned user + mount
 *                namespace (the helpers, fsconfig x4, create, attach): the work itself
 *   standalone   "bpftoken-exec --preset=libbpf -- true" as a whole (namespaces, instance,
 *                checks, exec)
 *   per-request  "bpftoken-exec -- true" as an unprivileged user with a uid policy, through
 *                bpftoken-publish started per connection by systemd-socket-activate --accept
 *                (what bpftoken-publish.socket's Accept=yes does): adds a fork+exec of the
 *                publisher, its peer checks and policy reading
 * Usage: bench-publish BPFTOKEN-EXEC BPFTOKEN-PUBLISH [ITERATIONS]
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-util.h"
#include "delegation.h"
#include "instance.h"
#include "macro.h"
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
        }
        release = safe_close(release);
        (void) waitpid(pid, NULL, 0);
        return r;
}

int main(int argc, char *argv[]) {
        char dir[] = "/tmp/bench-publish.XXXXXX", sock[256], pol[256], polfile[300], policy_arg[300];
        int n = argc > 3 ? atoi(argv[3]) : 50;
        double *fl, *sa, *pr;
        Delegation d = { .masks = { 0x40021, 0x4, 0x2, 0x1 } };
        pid_t act;
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
        pr = calloc((size_t) n, sizeof *pr);
        if (!fl || !sa || !pr || !mkdtemp(dir) || chmod(dir, 0755) < 0)
                return 1;
        snprintf(sock, sizeof sock, "%s/publish.sock", dir);
        snprintf(pol, sizeof pol, "%s/policy", dir);
        snprintf(polfile, sizeof polfile, "%s/bench.conf", pol);
        snprintf(policy_arg, sizeof policy_arg, "--policy-dir=%s", pol);
        if (mkdir(pol, 0755) < 0 || !(f = fopen(polfile, "we")))
                return 1;
        fputs("[Match]\nUser=4242\n[Delegation]\nPreset=libbpf\n", f);
        fclose(f);

        act = fork();
        if (act == 0) {
                char host_pid[32];
                snprintf(host_pid, sizeof host_pid, "--host-pid=%d", (int) getppid());
                execlp("systemd-socket-activate", "systemd-socket-activate", "--seqpacket", "--accept", "-l", sock,
                       argv[2], policy_arg, host_pid, (char *) NULL);
                _exit(127);
        }
        for (int i = 0; i < 100 && access(sock, F_OK) < 0; i++)
                usleep(20000);
        if (chmod(sock, 0666) < 0) {
                fprintf(stderr, "bench-publish: systemd-socket-activate did not start.\n");
                return 1;
        }

        {
                char preset[] = "--preset=libbpf", quiet[] = "-q", dashes[] = "--", cmd[] = "/bin/true";
                char setpriv[] = "/usr/bin/setpriv", reuid[] = "--reuid=4242", regid[] = "--regid=4242";
                char clear[] = "--clear-groups", socket_opt[] = "--socket";
                char *standalone[] = { argv[1], preset, quiet, dashes, cmd, NULL };
                char *per_request[] = { setpriv, reuid, regid, clear, argv[1], quiet, socket_opt, sock, dashes, cmd,
                                        NULL };
                int devnull = open("/dev/null", O_WRONLY|O_CLOEXEC), saved = dup(2);

                /* Interleave the three ways so that drift on the machine hits them alike. */
                for (int i = 0; i < n; i++) {
                        double t0;

                        if (floor_once(&d, &fl[i]) < 0) {
                                fprintf(stderr, "bench-publish: the in-process publish failed.\n");
                                return 1;
                        }
                        dup2(devnull, 2);  /* bpftoken-exec's notice about the uid's namespace */
                        t0 = now_ms();
                        if (run_cmd(standalone) < 0)
                                return dup2(saved, 2), fprintf(stderr, "bench-publish: standalone run failed.\n"), 1;
                        sa[i] = now_ms() - t0;
                        t0 = now_ms();
                        if (run_cmd(per_request) < 0)
                                return dup2(saved, 2), fprintf(stderr, "bench-publish: per-request run failed.\n"), 1;
                        pr[i] = now_ms() - t0;
                        dup2(saved, 2);
                }
        }
        kill(act, SIGTERM);
        waitpid(act, NULL, 0);

        sort_doubles(fl, n);
        sort_doubles(sa, n);
        sort_doubles(pr, n);
        {
                double f50 = percentile(fl, n, 0.5), f90 = percentile(fl, n, 0.9);
                double s50 = percentile(sa, n, 0.5), s90 = percentile(sa, n, 0.9);
                double p50 = percentile(pr, n, 0.5), p90 = percentile(pr, n, 0.9);

                printf("%d iterations each, interleaved\n", n);
                printf("%-12s %10s %10s %8s\n", "WAY", "MEDIAN_MS", "P90_MS", "RATIO");
                printf("%-12s %10.3f %10.3f %8.2f\n", "floor", f50, f90, 1.0);
                printf("%-12s %10.3f %10.3f %8.2f\n", "standalone", s50, s90, s50 / f50);
                printf("%-12s %10.3f %10.3f %8.2f\n", "per-request", p50, p90, p50 / f50);
                printf("per-request costs %.2f ms over the floor per ExecStart= line (fork+exec of the publisher, "
                       "peer checks, policy)\n", p50 - f50);
        }
        {
                char cmd[512];
                snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
                if (system(cmd) != 0)
                        fprintf(stderr, "bench-publish: could not remove %s\n", dir);
        }
        return 0;
}
