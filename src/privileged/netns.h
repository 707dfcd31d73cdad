/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A network namespace owned by a unit's user namespace (issue 8). systemd < 258 creates the
 * PrivateNetwork= namespace before the PrivateUsers= one, so it belongs to the initial user namespace
 * and rtnetlink refuses CAP_NET_ADMIN from inside the unit: every netlink attach (ip link ... xdp,
 * tc filter, xdp-loader, bpf_xdp_attach()) fails with EPERM. The publisher's helper, which holds every
 * capability inside the unit's user namespace, creates a fresh one there (with lo up, as systemd does)
 * and hands its fd back; bpftoken-exec joins it before it executes the program. No logging.
 */

typedef enum NetnsStep {
        NETNS_STEP_NONE,
        NETNS_STEP_NOT_PRIVATE,  /* the caller shares the host's network namespace: nothing to replace */
        NETNS_STEP_USERNS,       /* joining the unit's user namespace */
        NETNS_STEP_UNSHARE,      /* unshare(CLONE_NEWNET) there */
        NETNS_STEP_LOOPBACK,     /* bringing lo up */
        NETNS_STEP_HELPER,
        _NETNS_STEP_MAX,
} NetnsStep;

const char *netns_step_to_string(NetnsStep s);

/* Creates a network namespace owned by the user namespace userns_fd, with lo up, and returns an fd for
 * it. The caller's current network namespace (peer_netns_fd) must not be the host's (host_netns_fd):
 * a unit without PrivateNetwork= keeps the host's network (-EXDEV at NOT_PRIVATE). */
int netns_create_owned(int userns_fd, int peer_netns_fd, int host_netns_fd, int *ret_fd, NetnsStep *ret_step);

/* In the caller's network namespace: bring lo up (SIOCSIFFLAGS through an AF_UNIX socket, which
 * works under RestrictAddressFamilies=AF_UNIX). */
int netns_loopback_up(void);
