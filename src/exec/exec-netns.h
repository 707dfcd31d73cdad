/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Joining the network namespace the publisher created inside the unit's user namespace (issue 8,
 * src/privileged/netns.h), before the program runs. setns(CLONE_NEWNET) needs CAP_SYS_ADMIN over the
 * namespace's owner, the unit's own user namespace: a root unit has it there; for a User= unit the
 * generator grants it as an ambient capability (inside the namespace it grants nothing on the host) and
 * passes --own-netns=drop-cap-sys-admin, so that it is dropped again from the ambient, inheritable,
 * effective and permitted sets before the program runs. Only setns() is needed: the unit's
 * RestrictNamespaces= must allow net and its SystemCallFilter= setns (bpftoken-generator asks for the
 * namespace only then).
 */

#include <stdbool.h>

int exec_join_netns(int netns_fd, bool drop_cap_sys_admin);
