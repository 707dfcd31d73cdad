/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The journal sink of log.c, in a file of its own: a binary that never calls log_setup_journal()
 * does not link libsystemd (meson links --as-needed). */
#include <systemd/sd-journal.h>

#include "log.h"

static int journal_sink(int level, int error, const char *file, int line, const char *msg) {
        return sd_journal_send("MESSAGE=%s", msg,
                               "PRIORITY=%d", level,
                               "SYSLOG_IDENTIFIER=%s", log_get_program(),
                               "CODE_FILE=%s", file,
                               "CODE_LINE=%d", line,
                               error > 0 ? "ERRNO=%d" : NULL, error,
                               NULL);
}

void log_setup_journal(const char *program_name) {
        log_set_journal_sink(journal_sink);
        log_setup(program_name, LOG_TARGET_JOURNAL);
}
