/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

static const char *log_program = "bpftoken";
static LogTarget log_target = LOG_TARGET_STDERR;
static int log_max_level = LOG_INFO;
static LogJournalSink log_journal_sink = NULL;

void log_setup(const char *program_name, LogTarget target) {
        const char *e;

        log_program = program_name;
        log_target = target;

        /* Only the level is read from the environment, and only as a verbosity knob. */
        e = secure_getenv("BPFTOKEN_LOG_LEVEL");
        if (e && streq(e, "debug"))
                log_max_level = LOG_DEBUG;
}

void log_set_journal_sink(LogJournalSink sink) {
        log_journal_sink = sink;
}

const char *log_get_program(void) {
        return log_program;
}

bool log_journal_available(void) {
        return access("/run/systemd/journal/socket", F_OK) >= 0;
}

void log_set_max_level(int level) {
        log_max_level = level;
}

int log_get_max_level(void) {
        return log_max_level;
}

static void write_kmsg(int level, const char *msg) {
        _cleanup_(closep) int fd = -EBADF;
        char buf[1024];
        int n;

        fd = open("/dev/kmsg", O_WRONLY|O_NOCTTY|O_CLOEXEC);
        if (fd < 0) {
                fprintf(stderr, "%s: %s\n", log_program, msg);
                return;
        }
        n = snprintf(buf, sizeof buf, "<%d>%s[%d]: %s\n", level, log_program, (int) getpid(), msg);
        if (n > 0)
                (void) !write(fd, buf, (size_t) n < sizeof buf ? (size_t) n : sizeof buf - 1);
}

int log_internal(int level, int error, const char *file, int line, const char *fmt, ...) {
        char msg[2048], fmt2[1024];
        const char *src = fmt;
        size_t j = 0;
        va_list ap;
        int saved_errno = errno;

        if (error < 0)
                error = -error;
        if (level > log_max_level)
                goto finish;

        /* Expand %m ourselves so that it refers to the error passed in, not to errno. */
        for (; *src && j + 1 < sizeof fmt2; src++) {
                if (src[0] == '%' && src[1] == '%') {
                        if (j + 2 >= sizeof fmt2)
                                break;
                        fmt2[j++] = '%';
                        fmt2[j++] = '%';
                        src++;
                } else if (src[0] == '%' && src[1] == 'm') {
                        const char *s = strerror(error ?: saved_errno);
                        for (; *s && j + 2 < sizeof fmt2; s++) {
                                if (*s == '%')
                                        fmt2[j++] = '%';
                                fmt2[j++] = *s;
                        }
                        src++;
                } else
                        fmt2[j++] = *src;
        }
        fmt2[j] = '\0';

        va_start(ap, fmt);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        vsnprintf(msg, sizeof msg, fmt2, ap);
#pragma GCC diagnostic pop
        va_end(ap);

        switch (log_target) {
        case LOG_TARGET_KMSG:
                write_kmsg(level, msg);
                break;
        case LOG_TARGET_JOURNAL:
                if (log_journal_sink && log_journal_available() &&
                    log_journal_sink(level, error, file, line, msg) >= 0)
                        break;
                _fallthrough_;
        case LOG_TARGET_STDERR:
        default:
                fprintf(stderr, "%s: %s\n", log_program, msg);
        }

finish:
        errno = saved_errno;
        return -error;
}
