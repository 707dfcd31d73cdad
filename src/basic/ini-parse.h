/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The one tokenizer for the INI-style files bpftoken reads: systemd unit files and drop-ins
 * (systemd.syntax(7)) and the publisher's policy files. [Section] headers; KEY=VALUE with whitespace
 * around both stripped; '#' and ';' comment lines, ignored even inside a continuation; a trailing
 * unescaped backslash joins the next line (the backslash becomes a space); lines end at \n, \r\n, \r
 * or NUL; a UTF-8 byte order mark is skipped. Values are passed on as written (no unquoting).
 * Line numbers count every physical line, blank ones included; a continued assignment is reported at
 * the line where it starts. No logging.
 */

#include <stdbool.h>
#include <stddef.h>

#define INI_LINE_MAX (1024u * 1024u)    /* systemd's LONG_LINE_MAX */

typedef enum IniFlags {
        /* A line without '=', an empty key or an assignment before the first section header is an
         * error (policy files). Without it they are skipped, as systemd does with a warning. */
        INI_STRICT = 1 << 0,
} IniFlags;

typedef enum IniError {
        INI_ERROR_NONE,
        INI_ERROR_SECTION_UNTERMINATED, /* "[Service" */
        INI_ERROR_MISSING_EQUALS,       /* INI_STRICT only */
        INI_ERROR_EMPTY_KEY,            /* INI_STRICT only */
        INI_ERROR_OUTSIDE_SECTION,      /* INI_STRICT only */
        INI_ERROR_LINE_TOO_LONG,        /* longer than INI_LINE_MAX, continuations included */
        INI_ERROR_HANDLER,              /* the handler returned an error */
        _INI_ERROR_MAX,
} IniError;

/* A sentence for an error, without file and line: "line is longer than 1048576 bytes". */
const char *ini_error_to_string(IniError e);

/* Called for a section header (key and value NULL, section the new name) and for every assignment.
 * A negative return stops the parse and is returned by ini_parse(). */
typedef int (*ini_handler_t)(const char *section, const char *key, const char *value, unsigned line,
                             void *userdata);

typedef struct IniLocation {
        unsigned line;  /* where parsing stopped, 0 if it did not */
        IniError error;
} IniLocation;

/* Parses size bytes of text (need not be NUL-terminated). Returns 0, -EBADMSG for a syntax error,
 * -ENOBUFS for an over-long line, -ENOMEM, or what the handler returned; ret_location (may be NULL)
 * tells which line and why. */
int ini_parse(const char *text, size_t size, IniFlags flags, ini_handler_t handler, void *userdata,
              IniLocation *ret_location);
