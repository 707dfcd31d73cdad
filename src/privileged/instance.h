/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The privileged half of the handoff, shared by bpftoken-publish and bpftoken-exec (standalone):
 * create a delegated bpffs instance owned by a given user namespace and attach it in a given mount
 * namespace. The caller runs as root in the initial user namespace and has already validated both
 * namespace fds; nothing here trusts the program the instance is for, nor any file or path in its
 * namespaces:
 *
 *  1. a helper joins userns_fd, unshares a fresh mount namespace there and calls fsopen("bpf"): the
 *     superblock will belong to that user namespace;
 *  2. the caller sets the delegate_* options as hex masks, creates the superblock, mounts it
 *     (detached) and builds the whole tree on the detached mount: the token directory and the
 *     read-only bind of the instance on it (Linux < 6.15 cannot mount onto a detached tree: there
 *     the bind is made by the attach helper right after move_mount(), through the instance's fd);
 *  3. a second helper joins mntns_fd, opens /sys/fs/bpf once (no symlinks) and from then on works on
 *     that fd and on mount IDs: statmount() tells whether a delegated instance of this user namespace
 *     (proved by a BPF_TOKEN_CREATE from inside it) is already there with its token bind (then
 *     nothing is stacked), and whether a mount placed there would propagate to any other mount
 *     namespace (then it refuses); one move_mount() attaches the tree; statmount() then proves that
 *     our mount, by ID, sits on the mount that was checked, at /sys/fs/bpf, in that namespace, with
 *     its token bind. Any failure after move_mount() detaches our mount through its fd.
 *
 * Every helper is non-dumpable before it joins anything, holds no fds but the ones it needs, runs
 * under a memory bound (RLIMIT_AS) and a deadline (HELPER_TIMEOUT_MS, then SIGKILL; see helper.h); the
 * request then fails closed, and a mount that a killed helper may have attached is detached.
 *
 * Test hook: with BPFTOKEN_TEST_FAULT=POINT:ACTION in the environment (read with secure_getenv();
 * the installed units never pass it, and a caller of the publisher cannot set the publisher's
 * environment), the process reaching POINT kills itself (ACTION "kill"), stops forever ("stall") or
 * waits two seconds ("sleep", a window for a test to rearrange mounts mid-request); at
 * "bind-detached", ACTION "fail" takes the path of kernels that cannot mount onto a detached tree.
 * Points: userns-joined, fsopen-done, bind-detached, tree-built, mntns-joined, target-checked, attached, verified,
 * owner-checked, parent-attached. No log output; the step that failed comes back in *ret_step.
 */

#include <sys/types.h>

#include "bpffs.h"
#include "delegation.h"

/* How long one helper may live, and how much more address space than the publisher it may use. */

/* 0: attached; 1: an instance of this user namespace (delegated, or without delegation when d is
 * all zero) was already there with its token bind, nothing stacked; -errno.
 * owner_uid/owner_gid: ids mapped in userns_fd, for the one directory the publisher creates inside
 * the instance (/sys/fs/bpf/token) when root is not mapped there. */
int instance_publish(int userns_fd, int mntns_fd, uid_t owner_uid, gid_t owner_gid, const Delegation *d,
                     BpffsStep *ret_step);
