/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Strict parsing of numbers (for the decoders of untrusted kernel text: mountinfo, fdinfo) and of
 * systemd's booleans. No logging. */

#include <stddef.h>
#include <stdint.h>

/* An unsigned number of exactly [s, s+len) (need not be NUL-terminated) in base 8, 10 or 16; base 16
 * needs the "0x" or "0X" prefix. No sign, no whitespace, no overflow, not empty: -EBADMSG otherwise. */
int parse_u64_exact(const char *s, size_t len, unsigned base, uint64_t *ret);

/* A boolean the way systemd parses one: 1, yes, y, true, t, on / 0, no, n, false, f, off, in any case.
 * 1 or 0, -EINVAL otherwise (also for NULL). */
int parse_boolean(const char *v);
