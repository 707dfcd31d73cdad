/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What a unit's delegation lets it attach to (issue 8), for 'verify' and 'security': whether its
 * cgroup programs are confined to its own cgroup subtree, and whether netlink attaches can work in its
 * network namespace. Decided by bpftoken-generator's own rules (generator-attach.c), which match what
 * the publisher enforces (cgroup-confine.c, netns.c).
 */

#include "analyze-unit.h"

/* NULL if the unit's cgroup program types (if any) are confined to its own cgroup subtree on
 * systemd_version (-1: unknown, then the stricter reading of both paths), else why they are not. */
const char *unit_cgroup_unconfined(const BpfNames *names, const UnitBpf *u, int systemd_version);

/* Adds verify's findings about attaching: "cgroup-unconfined" and "netlink-attach" (warnings, each
 * naming the setting that prevents it). */
int unit_attach_check(const UnitBpf *u, const BpfNames *names, const CheckContext *ctx, Findings *f);
