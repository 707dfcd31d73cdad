/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Leave exactly the capabilities a delegation needs (a 1ULL << CAP_x mask) in every set, the
 * bounding set included, raised as ambient so that they survive execve() for a non-root user.
 * Called inside a user namespace, where these capabilities grant nothing on the host. If
 * change_user is set, switches to uid/gid first (supplementary groups are dropped: they are not
 * mapped into the namespace).
 */
int caps_restrict_to(uint64_t needed, bool change_user, uid_t uid, gid_t gid);
