/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Inside a unit of systemd >= 258, whose native PrivateBPF= already mounted the delegated instance at
 * /sys/fs/bpf: bpftoken-exec only adds the well-known token path. systemd resolves BindReadOnlyPaths=
 * sources on the host (measured on 262: a bind of /sys/fs/bpf shows the host's bpffs, not the unit's
 * instance), so the path is a symbolic link "token" -> "." inside the instance itself: it resolves to
 * the instance's root, where BPF_TOKEN_CREATE works, and pins made through it land in the one place
 * pins live. Needs no privilege, no namespace or mount call, and no publisher.
 */

/* 1 if /sys/fs/bpf in this mount namespace is a delegated bpffs already that is not bpftoken's own (that
 * one has its read-only bind at /sys/fs/bpf/token): native PrivateBPF=. 0 if not, -errno. */
int native_instance_present(void);

/* Make /sys/fs/bpf/token resolve to the instance (a link, unless something is there already). */
int native_token_path_setup(void);
