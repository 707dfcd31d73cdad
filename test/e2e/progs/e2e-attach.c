// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * e2e-attach: the libbpf program of the attach scenarios (issue 8), built in
 * each container against the distribution's libbpf.  It has no token code:
 * libbpf >= 1.4 finds the token by itself (LIBBPF_BPF_TOKEN_PATH or
 * /sys/fs/bpf).
 *
 *   e2e-attach OBJ MODE TARGET      load the one program MODE needs from OBJ,
 *                                   attach it, send UDP over 127.0.0.1, count
 *   e2e-attach udp                  only the UDP check (for programs that the
 *                                   distributions' own tools attached)
 *
 * MODE: xdp-link IFNAME | xdp-netlink IFNAME | tcx IFNAME |
 *       cgroup-link CGROUP_DIR | cgroup-attach CGROUP_DIR
 *
 * Prints one line "e2e-attach: ..." and exits 0 when the program ran on the
 * traffic (it saw the packets to E2E_PORT, the one to E2E_DROP_PORT never
 * arrived, the ring buffer had events); exits 2 with "attach failed: errno N
 * (NAME)" when the attach itself was refused, 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpf/libbpf_version.h>

#define E2E_PORT      47001
#define E2E_DROP_PORT 47002
#define N_PACKETS     3
#ifndef XDP_FLAGS_SKB_MODE
#define XDP_FLAGS_SKB_MODE (1U << 1)
#endif

static int udp_socket(int port) {
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        struct timeval tv = { .tv_usec = 300000 };
        int fd = socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, 0);

        if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                return -1;
        (void) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        return fd;
}

/* Sends n datagrams to port and returns how many arrived. */
static int send_and_count(int rx, int port, int n) {
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        int tx = socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, 0), got = 0;
        char buf[16];

        for (int i = 0; i < n; i++)
                (void) sendto(tx, "e2e", 3, 0, (struct sockaddr *) &sa, sizeof sa);
        while (got < n && recv(rx, buf, sizeof buf, 0) > 0)
                got++;
        close(tx);
        return got;
}

static int ringbuf_event(void *ctx, void *data, size_t size) {
        (*(int *) ctx)++;
        return 0;
}

static int udp_check(int *ret_pass, int *ret_drop) {
        int rx = udp_socket(E2E_PORT), rx_drop = udp_socket(E2E_DROP_PORT);

        if (rx < 0 || rx_drop < 0)
                return -errno;
        *ret_pass = send_and_count(rx, E2E_PORT, N_PACKETS);
        *ret_drop = send_and_count(rx_drop, E2E_DROP_PORT, 1);
        close(rx);
        close(rx_drop);
        return 0;
}

static const char *program_for(const char *mode) {
        if (!strncmp(mode, "xdp-", 4))
                return "e2e_xdp";
        if (!strcmp(mode, "tcx"))
                return "e2e_tcx";
        return "e2e_cgroup_skb";
}

static int attach(struct bpf_program *prog, const char *mode, const char *target, struct bpf_link **ret_link,
                  int *ret_cleanup) {
        int prog_fd = bpf_program__fd(prog), fd;
        unsigned ifindex = 0;

        if (!strncmp(mode, "xdp-", 4) || !strcmp(mode, "tcx")) {
                ifindex = if_nametoindex(target);
                if (ifindex == 0)
                        return -errno;
        }
        if (!strcmp(mode, "xdp-link"))
                *ret_link = bpf_program__attach_xdp(prog, (int) ifindex);
#if LIBBPF_MAJOR_VERSION > 1 || LIBBPF_MINOR_VERSION >= 3
        else if (!strcmp(mode, "tcx"))
                *ret_link = bpf_program__attach_tcx(prog, (int) ifindex, NULL);
#endif
        else if (!strcmp(mode, "xdp-netlink")) {
                *ret_cleanup = (int) ifindex;
                return bpf_xdp_attach((int) ifindex, prog_fd, XDP_FLAGS_SKB_MODE, NULL);
        } else {
                fd = open(target, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
                if (fd < 0)
                        return -errno;
                if (!strcmp(mode, "cgroup-link"))
                        *ret_link = bpf_program__attach_cgroup(prog, fd);
                else {
                        int r = bpf_prog_attach(prog_fd, fd, BPF_CGROUP_INET_INGRESS, 0);

                        if (r < 0) {
                                r = -errno;
                                close(fd);
                                return r;
                        }
                        *ret_cleanup = fd;
                        return 0;
                }
                close(fd);
        }
        if (!*ret_link)
                return -errno;
        return 0;
}

int main(int argc, char **argv) {
        struct bpf_object *obj;
        struct bpf_program *prog, *p;
        struct bpf_link *link = NULL;
        struct ring_buffer *rb;
        int r, pass = 0, drop = 0, events = 0, cleanup = -1;
        __u64 seen = 0, dropped = 0;
        __u32 k;

        if (argc == 2 && !strcmp(argv[1], "udp")) {
                if (udp_check(&pass, &drop) < 0)
                        return 1;
                printf("e2e-attach: udp delivered=%d/%d dropport_delivered=%d\n", pass, N_PACKETS, drop);
                return 0;
        }
        if (argc != 4) {
                fprintf(stderr, "usage: e2e-attach OBJ MODE TARGET | e2e-attach udp\n");
                return 1;
        }

        obj = bpf_object__open_file(argv[1], NULL);
        if (!obj) {
                printf("e2e-attach: open failed: errno %d (%s)\n", errno, strerror(errno));
                return 1;
        }
        prog = bpf_object__find_program_by_name(obj, program_for(argv[2]));
        if (!prog)
                return 1;
        bpf_object__for_each_program(p, obj)
                bpf_program__set_autoload(p, p == prog);
        if (bpf_object__load(obj) < 0) {
                printf("e2e-attach: load failed: errno %d (%s)\n", errno, strerror(errno));
                return 1;
        }

        r = attach(prog, argv[2], argv[3], &link, &cleanup);
        if (r < 0) {
                printf("e2e-attach: %s %s: attach failed: errno %d (%s)\n", argv[2], argv[3], -r, strerror(-r));
                return 2;
        }

        rb = ring_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(obj, "events")), ringbuf_event, &events,
                              NULL);
        if (udp_check(&pass, &drop) < 0)
                return 1;
        if (rb) {
                (void) ring_buffer__poll(rb, 100);
                ring_buffer__free(rb);
        }
        k = 0;
        (void) bpf_map_lookup_elem(bpf_map__fd(bpf_object__find_map_by_name(obj, "counts")), &k, &seen);
        k = 1;
        (void) bpf_map_lookup_elem(bpf_map__fd(bpf_object__find_map_by_name(obj, "counts")), &k, &dropped);

        if (!strcmp(argv[2], "xdp-netlink"))
                (void) bpf_xdp_detach(cleanup, XDP_FLAGS_SKB_MODE, NULL);
        else if (!strcmp(argv[2], "cgroup-attach"))
                (void) bpf_prog_detach2(bpf_program__fd(prog), cleanup, BPF_CGROUP_INET_INGRESS);
        bpf_link__destroy(link);
        bpf_object__close(obj);

        printf("e2e-attach: %s %s: attached; seen=%llu dropped=%llu ringbuf=%d delivered=%d/%d "
               "dropport_delivered=%d\n", argv[2], argv[3], (unsigned long long) seen,
               (unsigned long long) dropped, events, pass, N_PACKETS, drop);
        return seen >= N_PACKETS && dropped >= 1 && drop == 0 && pass == N_PACKETS && events > 0 ? 0 : 1;
}
