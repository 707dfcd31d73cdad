/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ExecStart= values as the generator splits and wraps them. Whatever parses must print back to
 * something that parses to the same command, and its wrapped form must parse to one command that
 * runs bpftoken-exec.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "generator-exec.h"
#include "macro.h"

#define FUZZ_VALUE_MAX (64 * 1024)
#define EXEC "/usr/bin/bpftoken-exec"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_command(const ExecCommand *c) {
        ExecCommand *again = NULL, *wrapped = NULL;
        size_t n_again = 0, n_wrapped = 0;
        char *s = NULL, *w = NULL;

        if (exec_command_format(c, &s) < 0)
                abort();
        if (exec_value_parse(s, &again, &n_again, NULL, 0) < 0 || n_again != 1)
                abort();
        if (again[0].flags != c->flags || !streq(again[0].path, c->path) || !streq_ptr(again[0].argv0, c->argv0))
                abort();

        if (c->flags & EXEC_PRIVILEGED) {
                if (exec_command_wrap(c, EXEC, &w) != -EINVAL)
                        abort();
        } else {
                if (exec_command_wrap(c, EXEC, &w) < 0)
                        abort();
                if (exec_value_parse(w, &wrapped, &n_wrapped, NULL, 0) < 0 || n_wrapped != 1)
                        abort();
                if (!streq(wrapped[0].path, EXEC) || (wrapped[0].flags & (EXEC_ARGV0|EXEC_PRIVILEGED)) ||
                    (wrapped[0].flags | EXEC_ARGV0) != (c->flags | EXEC_ARGV0))
                        abort();
        }

        exec_commands_free(again, n_again);
        exec_commands_free(wrapped, n_wrapped);
        free(s);
        free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        ExecCommand *cmds = NULL;
        char error[256], *value;
        size_t n = 0;
        int r;

        if (size > FUZZ_VALUE_MAX)
                return 0;
        /* A unit file value is one line without NUL. */
        value = strndup((const char *) data, size);
        if (!value)
                abort();
        value[strcspn(value, "\n\r")] = '\0';

        r = exec_value_parse(value, &cmds, &n, error, sizeof error);
        if (r < 0) {
                if (cmds || strnlen(error, sizeof error) == 0 || strnlen(error, sizeof error) >= sizeof error)
                        abort();
        } else {
                if (n == 0 || n > EXEC_COMMANDS_MAX)
                        abort();
                for (size_t i = 0; i < n; i++)
                        check_command(&cmds[i]);
                exec_commands_free(cmds, n);
        }
        free(value);
        return 0;
}
