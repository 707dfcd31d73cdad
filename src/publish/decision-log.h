/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "bpf-names.h"
#include "delegation.h"
#include "peer.h"

/*
 * One journal entry per publisher decision, with structured fields (see bpftoken-publish(8)):
 * MESSAGE_ID (granted / refused / failed), BPFTOKEN_RESULT, BPFTOKEN_UNIT, BPFTOKEN_UID,
 * BPFTOKEN_PID, OBJECT_PID (so that 'journalctl -u UNIT' shows it), BPFTOKEN_POLICY,
 * BPFTOKEN_{COMMANDS,MAPS,PROGRAMS,ATTACHMENTS} (hex, granted masks), BPFTOKEN_DELEGATION (names),
 * ERRNO. Also printed to stderr when the journal is not reachable.
 */

typedef enum DecisionResult {
        DECISION_GRANTED,
        DECISION_REFUSED,
        DECISION_FAILED,
        _DECISION_RESULT_MAX,
} DecisionResult;

#define BPFTOKEN_MESSAGE_GRANTED "2541bd94040a4a28aa76e76adb6afc46"
#define BPFTOKEN_MESSAGE_REFUSED "f5eef3c36b88449ea00addd97c8c6329"
#define BPFTOKEN_MESSAGE_FAILED  "9e6afc370c534146acfe0d0eb6eadf8c"

void decision_log(DecisionResult result, const Peer *peer, const char *policy_path, const BpfNames *names,
                  const Delegation *d, int error, const char *message);
