/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "delegation.h"

/*
 * The three ways bpftoken-exec obtains its instance. Each returns 0 with the granted delegation,
 * or -errno after logging one sentence that says what to change.
 */

/* Root in the initial user namespace: create a root-owned user namespace and a mount namespace for
 * this very process, and the delegated instance in them, with no publisher. */
int setup_standalone(const Delegation *d, uid_t uid, gid_t gid);

/* Inside a unit's sandbox (a user namespace systemd created): ask the publisher. */
int setup_from_publisher(const char *socket_path, Delegation *ret_granted);
/* The same with request flags (PUBLISH_REQUEST_*); the network namespace fd of the reply, if any, goes to
 * *ret_netns_fd (-EBADF when none came). */
int setup_from_publisher_full(const char *socket_path, unsigned request_flags, Delegation *ret_granted,
                              int *ret_netns_fd);

/* An unprivileged user in the initial user namespace: create a user namespace owned by this user
 * (every process of the uid can join it), then ask the publisher, which grants by uid/gid policy. */
int setup_own_namespace_then_publisher(const char *socket_path, Delegation *ret_granted);
