/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-attach: what a network namespace of the unit's own (issue 8, netns.c) adds to a request,
 * measured side by side in one run (root): for each iteration, a fresh root-owned user + mount
 * namespace gets
 *   instance   instance_publish() alone (the publisher's kernel work for every request), and
 *   +netns     the same plus netns_create_owned() (a helper that joins the user namespace, unshares a
 *              network namespace and brings lo up),
 * interleaved. Prints min, median, p90 of each and the ratio of the medians; asserts nothing.
 *   bench-attach [ITERATIONS]
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-util.h"
#include "helper.h"
#include "instance.h"
#include "macro.h"
#include "namespace-util.h"
#include "netns.h"
#include "socket-util.h"
#include "userns-child.h"

static int once(const Delegation *d, bool with_netns, double *ret_ms) {
        _cleanup_(closep) int release = -EBADF, userns = -EBADF, mntns = -EBADF, own_net = -EBADF, host_net = -EBADF,
                              netns = -EBADF;
        NetnsStep nstep;
        BpffsStep step;
        double t0;
        pid_t pid;
        int r;

        r = userns_child_fork(USERNS_CHILD_MOUNTS_SLAVE, &pid, &release, NULL);
        if (r < 0)
                return r;
        if (r == 0) {
                int status, unused;

                /* A private network namespace, as PrivateNetwork= gives (the host's cannot be replaced). */
                if (unshare(CLONE_NEWNET) < 0 || send_status_fd(release, 0, -EBADF) < 0)
                        _exit(EXIT_FAILURE);
                (void) recv_status_fd(release, &status, &unused);
                _exit(EXIT_SUCCESS);
        }

        {
                int status = -1, unused = -EBADF;

                /* the child left the host's network namespace */
                r = recv_status_fd(release, &status, &unused);
                safe_close(unused);
                if (r >= 0 && status != 0)
                        r = -EPROTO;
        }
        if (r >= 0)
                r = userns_child_get_namespaces(pid, &userns, &mntns);
        host_net = open("/proc/self/ns/net", O_RDONLY|O_CLOEXEC);
        if (r >= 0 && host_net < 0)
                r = -errno;
        if (r >= 0) {
                char path[64];

                snprintf(path, sizeof path, "/proc/%d/ns/net", (int) pid);
                own_net = open(path, O_RDONLY|O_CLOEXEC);
                if (own_net < 0)
                        r = -errno;
        }
        if (r >= 0) {
                t0 = now_ms();
                r = instance_publish(userns, mntns, 0, 0, d, &step);
                if (r >= 0 && with_netns)
                        r = netns_create_owned(userns, own_net, host_net, &netns, &nstep);
                *ret_ms = now_ms() - t0;
                helper_reap_released(); /* as the publisher's workers do, after the reply ... */
                (void) helper_prepare_spares(); /* ... and before the next request */
        }
        release = safe_close(release);
        (void) waitpid(pid, NULL, 0);
        return r;
}

static void report(const char *name, double *v, int n) {
        sort_doubles(v, n);
        printf("%-9s min %6.2f ms  median %6.2f ms  p90 %6.2f ms\n", name, v[0], percentile(v, n, 0.5),
               percentile(v, n, 0.9));
}

int main(int argc, char *argv[]) {
        int n = argc > 1 ? atoi(argv[1]) : 30;
        Delegation d = { .masks = { 0x40021, 0x4, 0x2, 0x1 } };
        double *a, *b, ma, mb;

        if (n < 5 || geteuid() != 0) {
                fprintf(stderr, "usage: %s [ITERATIONS>=5] (as root)\n", argv[0]);
                return 2;
        }
        a = calloc((size_t) n, sizeof *a);
        b = calloc((size_t) n, sizeof *b);
        if (!a || !b)
                return 1;
        for (int i = 0; i < n; i++) {
                int r = once(&d, false, &a[i]);

                if (r >= 0)
                        r = once(&d, true, &b[i]);
                if (r < 0) {
                        fprintf(stderr, "bench-attach: iteration %d failed: %s\n", i, strerror(-r));
                        return 1;
                }
        }
        report("instance", a, n);
        report("+netns", b, n);
        ma = percentile(a, n, 0.5);
        mb = percentile(b, n, 0.5);
        printf("ratio of medians (+netns / instance): %.2f, the namespace adds %.2f ms\n", mb / ma, mb - ma);
        free(a);
        free(b);
        return 0;
}
