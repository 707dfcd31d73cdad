/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <syslog.h>

#include "macro.h"

/*
 * Logging for the binaries (library modules under src/ other than this one never log).
 * Messages go to stderr, prefixed with the program name, or to /dev/kmsg (generators), or to the
 * journal (log-journal.c: only the daemons link libsystemd, so that bpftoken-exec, which every
 * delegated start executes, loads nothing but libc). log_*_errno() return the negative errno they were given, so that a caller can write
 *         return log_error_errno(r, "Failed to frobnicate '%s': %m", p);
 * "%m" is replaced by strerror(-r).
 */

typedef enum LogTarget {
        LOG_TARGET_STDERR,
        LOG_TARGET_KMSG,
        LOG_TARGET_JOURNAL, /* journal, with stderr as fallback; see log_setup_journal() */
} LogTarget;

/* Writes one message to the journal; < 0 makes log_internal() fall back to stderr. */
typedef int (*LogJournalSink)(int level, int error, const char *file, int line, const char *msg);

void log_setup(const char *program_name, LogTarget target);
/* log-journal.c: log_setup(program_name, LOG_TARGET_JOURNAL) with the sd-journal sink installed. */
void log_setup_journal(const char *program_name);
void log_set_journal_sink(LogJournalSink sink);
const char *log_get_program(void);
/* sd_journal_send() reports success when no journal is listening: check for its socket first. */
bool log_journal_available(void);
void log_set_max_level(int level);
int log_get_max_level(void);

int log_internal(int level, int error, const char *file, int line, const char *fmt, ...) _printf_(5, 6);

#define log_full_errno(level, error, ...) log_internal((level), (error), __FILE__, __LINE__, __VA_ARGS__)
#define log_debug(...)   log_full_errno(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...)    log_full_errno(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...)  log_full_errno(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...)   log_full_errno(LOG_ERR, 0, __VA_ARGS__)
#define log_debug_errno(e, ...)   log_full_errno(LOG_DEBUG, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, (e), __VA_ARGS__)
#define log_error_errno(e, ...)   log_full_errno(LOG_ERR, (e), __VA_ARGS__)

/* For out-of-memory, the one message everybody prints the same way. */
#define log_oom() log_error_errno(-ENOMEM, "Out of memory.")
