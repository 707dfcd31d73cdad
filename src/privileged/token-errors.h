/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * One sentence per failure, saying what was wrong and what to change. Pure functions.
 */

#include "bpffs.h"

/* Why BPF_TOKEN_CREATE on a bpffs failed (DESIGN "The handoff", step 7). */
const char *token_create_error_sentence(int error);

/* Why creating or attaching a delegated instance failed, by step. */
const char *bpffs_error_sentence(BpffsStep step, int error);

/* Why the publisher could not be reached (connect() errno). */
const char *publisher_connect_error_sentence(int error);
