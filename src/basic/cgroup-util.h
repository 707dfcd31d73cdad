/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

/*
 * Which systemd unit a process belongs to, from its cgroup path: the first path component that is
 * not a slice ("/system.slice/foo.service/sub" -> "foo.service"). The unified hierarchy's "0::"
 * line is used; on hybrid hosts whose unified path is "/" the name=systemd line is used instead.
 */

/* Parse the contents of /proc/PID/cgroup. -ENXIO if the process is in no unit (root cgroup, or
 * only slices), -EBADMSG on garbage. */
int cgroup_text_get_unit(const char *text, char **ret_unit);

/* Read /proc/PID/cgroup and parse it. */
int cgroup_pid_get_unit(pid_t pid, char **ret_unit);

/* The unified hierarchy's path of the unit's own cgroup ("/system.slice/foo.service" for a process in
 * "/system.slice/foo.service/sub"). -ENOMEDIUM without a "0::" line (cgroup v1), -ENXIO if in no unit. */
int cgroup_text_get_unit_path(const char *text, char **ret_path);
int cgroup_pid_get_unit_path(pid_t pid, char **ret_path);
