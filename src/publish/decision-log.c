/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <syslog.h>
#include <systemd/sd-journal.h>

#include "decision-log.h"
#include "log.h"
#include "macro.h"

static const char *const result_table[_DECISION_RESULT_MAX] = {
        [DECISION_GRANTED] = "granted",
        [DECISION_REFUSED] = "refused",
        [DECISION_FAILED] = "failed",
};

static const char *const message_id_table[_DECISION_RESULT_MAX] = {
        [DECISION_GRANTED] = BPFTOKEN_MESSAGE_GRANTED,
        [DECISION_REFUSED] = BPFTOKEN_MESSAGE_REFUSED,
        [DECISION_FAILED] = BPFTOKEN_MESSAGE_FAILED,
};

void decision_log(DecisionResult result, const Peer *peer, const char *policy_path, const BpfNames *names,
                  const Delegation *d, int error, const char *message) {
        char *text[_BPF_KIND_MAX] = {};
        char summary[2048] = "", hex[_BPF_KIND_MAX][24];
        int priority = result == DECISION_GRANTED ? LOG_INFO : result == DECISION_REFUSED ? LOG_WARNING : LOG_ERR;
        const char *unit = peer && peer->unit ? peer->unit : "-";
        int r;

        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                uint64_t m = d ? d->masks[k] : 0;

                snprintf(hex[k], sizeof hex[k], "0x%" PRIx64, m);
                if (names && delegation_format(names, k, m, DELEGATION_STYLE_KERNEL, &text[k]) < 0)
                        text[k] = NULL;
        }
        if (d)
                snprintf(summary, sizeof summary, "commands=%s maps=%s programs=%s attachments=%s",
                         text[0] && *text[0] ? text[0] : hex[0], text[1] && *text[1] ? text[1] : hex[1],
                         text[2] && *text[2] ? text[2] : hex[2], text[3] && *text[3] ? text[3] : hex[3]);

        r = !log_journal_available() ? -ENOENT : sd_journal_send("MESSAGE_ID=%s", message_id_table[result],
                            "MESSAGE=bpftoken: %s for %s (pid %d, uid %u): %s%s%s", result_table[result], unit,
                            peer ? (int) peer->pid : 0, peer ? (unsigned) peer->uid : 0U, message,
                            *summary ? " " : "", summary,
                            "PRIORITY=%d", priority,
                            "SYSLOG_IDENTIFIER=bpftoken-publish",
                            "BPFTOKEN_RESULT=%s", result_table[result],
                            "BPFTOKEN_UNIT=%s", unit,
                            "BPFTOKEN_UID=%u", peer ? (unsigned) peer->uid : 0U,
                            "BPFTOKEN_PID=%d", peer ? (int) peer->pid : 0,
                            "OBJECT_PID=%d", peer ? (int) peer->pid : 0,
                            "BPFTOKEN_POLICY=%s", policy_path ?: "-",
                            "BPFTOKEN_COMMANDS=%s", hex[0],
                            "BPFTOKEN_MAPS=%s", hex[1],
                            "BPFTOKEN_PROGRAMS=%s", hex[2],
                            "BPFTOKEN_ATTACHMENTS=%s", hex[3],
                            "BPFTOKEN_DELEGATION=%s", summary,
                            "ERRNO=%d", error < 0 ? -error : error,
                            NULL);
        if (r < 0 || isatty(STDERR_FILENO))
                fprintf(stderr, "bpftoken-publish: %s for %s (pid %d, uid %u): %s%s%s\n", result_table[result], unit,
                        peer ? (int) peer->pid : 0, peer ? (unsigned) peer->uid : 0U, message,
                        *summary ? " " : "", summary);

        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                free(text[k]);
}
