/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The grammar of unit names, as systemd.unit(5) gives it: NAME.TYPE, a template NAME@.TYPE, an
 * instance NAME@INSTANCE.TYPE; at most 255 bytes of ASCII letters, digits and ":-_.\" (and '@' for
 * the instance separator and inside instances). The one place that knows it: the unit loader, the
 * generator, the policy files and analyze use these. No logging, no allocation unless said.
 */

#include <stdbool.h>
#include <stddef.h>

#define UNIT_NAME_MAX 255u      /* systemd: 256 bytes including the NUL */

typedef enum UnitNameKind {
        UNIT_NAME_INVALID,
        UNIT_NAME_PLAIN,
        UNIT_NAME_TEMPLATE,
        UNIT_NAME_INSTANCE,
} UnitNameKind;

bool unit_type_is_valid(const char *t);
UnitNameKind unit_name_classify(const char *n);
bool unit_name_is_valid(const char *n);

/* For valid names only: "service" of "foo@bar.service". */
const char *unit_name_type(const char *n);

/* For instance names only: foo@bar.service -> foo@.service (allocated; NULL on OOM). */
char *unit_name_template(const char *n);

/* For instance names only: the instance, as pointer into n and length. */
const char *unit_name_instance(const char *n, size_t *ret_len);

/* template foo@.service and an instance name x@bar.service -> foo@bar.service (allocated). */
char *unit_name_replace_instance(const char *template, const char *instance_of);

/* Whether unit is pattern, or an instance of the template pattern ("foo@.service" matches
 * "foo@x.service"). */
bool unit_name_matches(const char *pattern, const char *unit);

/* The section that holds the execution settings of a unit of this name's type: "Service" for
 * .service, "Socket", "Mount", "Swap"; NULL for types without one. */
const char *unit_name_exec_section(const char *n);

/* A unit name from what a user typed, as systemctl does: a valid name is taken as it is, a name
 * without a valid type suffix gets ".service". -EINVAL if the result is still not a valid name
 * (then nothing is allocated). */
int unit_name_from_argument(const char *arg, char **ret);
