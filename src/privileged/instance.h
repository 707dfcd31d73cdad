/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The privileged half of the handoff, shared by bpftoken-publish and bpftoken-exec (standalone):
 * create a delegated bpffs instance owned by a given user namespace and attach it in a given mount
 * namespace. The caller runs as root in the initial user namespace and has already validated both
 * namespace fds; nothing here trusts the program the instance is for.
 *
 *  1. a helper (non-dumpable, no stray fds) joins userns_fd, unshares a fresh mount namespace
 *     there and calls fsopen("bpf"): the superblock will belong to that user namespace;
 *  2. the caller sets the delegate_* options as hex masks, creates the superblock and mounts it;
 *  3. a second helper joins mntns_fd and attaches the instance at /sys/fs/bpf, plus the read-only
 *     bind at /sys/fs/bpf/token.
 * No log output; the step that failed comes back in *ret_step.
 */

#include <sys/types.h>

#include "bpffs.h"
#include "delegation.h"

/* 0: attached; 1: a delegated instance was already there, nothing stacked; -errno.
 * owner_uid/owner_gid: ids mapped in userns_fd, for the one directory the publisher creates inside
 * the instance (/sys/fs/bpf/token) when root is not mapped there. */
int instance_publish(int userns_fd, int mntns_fd, uid_t owner_uid, gid_t owner_gid, const Delegation *d,
                     BpffsStep *ret_step);

/* The same, with every attach option (the host's peer groups, see bpffs_attach()). */
int instance_publish_full(int userns_fd, int mntns_fd, const BpffsAttachOptions *o, const Delegation *d,
                          BpffsStep *ret_step);
