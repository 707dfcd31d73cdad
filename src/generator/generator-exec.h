/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * ExecStart=-style command lines, split only as far as wrapping them needs: the prefix characters,
 * the executable word and (with '@') the argv[0] word. Everything else is kept byte for byte as
 * written, so quoting, escapes, specifiers and $VARIABLES reach systemd unchanged. No logging.
 */

#include <stdbool.h>
#include <stddef.h>

typedef enum ExecFlags {
        EXEC_IGNORE_FAILURE = 1 << 0, /* '-' */
        EXEC_ARGV0          = 1 << 1, /* '@' */
        EXEC_NO_ENV_EXPAND  = 1 << 2, /* ':' */
        EXEC_PRIVILEGED     = 1 << 3, /* '+': outside the sandbox */
        EXEC_NO_SETUID      = 1 << 4, /* '!': User=/Group= not applied */
        EXEC_AMBIENT_MAGIC  = 1 << 5, /* '!!' */
} ExecFlags;

typedef struct ExecCommand {
        ExecFlags flags;
        char *prefix;   /* the prefix characters as written, "" if none */
        char *path;     /* the executable word as written (may be quoted) */
        char *argv0;    /* with '@': the argv[0] word as written; else NULL */
        char *rest;     /* the arguments as written, with their leading whitespace; may be "" */
} ExecCommand;

void exec_commands_free(ExecCommand *c, size_t n);

/* Splits one ExecStart= value into its commands (an unquoted ";" word separates commands). -EINVAL
 * with a sentence in error for what systemd refuses too (unbalanced quotes, a trailing backslash, a
 * missing executable, '@' without argv[0], '+' with '!') or what cannot be wrapped faithfully (prefix
 * characters inside quotes). -E2BIG for more than EXEC_COMMANDS_MAX commands. */
#define EXEC_COMMANDS_MAX 256
int exec_value_parse(const char *value, ExecCommand **ret, size_t *ret_n, char *error, size_t error_size);

/* Whether the command already runs bpftoken-exec (its executable's file name is "bpftoken-exec"). */
bool exec_command_is_wrapped(const ExecCommand *c);

/* The command as written (prefix, executable, argv[0], arguments). */
int exec_command_format(const ExecCommand *c, char **ret);

/* The command run through exec_path:
 *     PREFIX exec_path [--argv0 ARGV0] -- EXECUTABLE ARGUMENTS
 * PREFIX is the original prefix without '@' (bpftoken-exec applies argv[0] itself); '$' in the
 * executable word is doubled unless ':' is given, because systemd expands variables in arguments but
 * not in the executable. Not for EXEC_PRIVILEGED commands (-EINVAL). */
int exec_command_wrap(const ExecCommand *c, const char *exec_path, char **ret);
