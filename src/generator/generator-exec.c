/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generator-exec.h"
#include "macro.h"

#define WHITESPACE " \t\n\r"

static void set_error(char *error, size_t size, const char *fmt, ...) _printf_(3, 4);
static void set_error(char *error, size_t size, const char *fmt, ...) {
        va_list ap;

        if (!error || size == 0)
                return;
        va_start(ap, fmt);
        (void) vsnprintf(error, size, fmt, ap);
        va_end(ap);
}

void exec_commands_free(ExecCommand *c, size_t n) {
        if (!c)
                return;
        for (size_t i = 0; i < n; i++) {
                free(c[i].prefix);
                free(c[i].path);
                free(c[i].argv0);
                free(c[i].rest);
        }
        free(c);
}

/* Finds the end of the word starting at p (which is not whitespace), the way systemd's unquoting
 * splitter does: quotes may start anywhere in a word, a backslash escapes the next character inside
 * and outside quotes. -EINVAL on unbalanced quotes or a trailing backslash. */
static int word_end(const char *p, const char **ret) {
        char quote = 0;

        for (; *p; p++) {
                if (*p == '\\') {
                        if (p[1] == '\0')
                                return -EINVAL;
                        p++;
                        continue;
                }
                if (quote) {
                        if (*p == quote)
                                quote = 0;
                        continue;
                }
                if (*p == '\'' || *p == '"')
                        quote = *p;
                else if (strchr(WHITESPACE, *p))
                        break;
        }
        if (quote)
                return -EINVAL;
        *ret = p;
        return 0;
}

static int parse_one(const char *start, const char *end, ExecCommand *c, char *error, size_t error_size) {
        const char *p = start, *w, *we, *last;
        int r;

        *c = (ExecCommand) {};

        /* Prefix characters, in any order, as systemd accepts them. */
        for (;; p++) {
                if (*p == '-')
                        c->flags |= EXEC_IGNORE_FAILURE;
                else if (*p == '@')
                        c->flags |= EXEC_ARGV0;
                else if (*p == ':')
                        c->flags |= EXEC_NO_ENV_EXPAND;
                else if (*p == '+')
                        c->flags |= EXEC_PRIVILEGED;
                else if (*p == '!' && p[1] == '!' && !(c->flags & (EXEC_NO_SETUID|EXEC_AMBIENT_MAGIC))) {
                        c->flags |= EXEC_AMBIENT_MAGIC;
                        p++;
                } else if (*p == '!' && !(c->flags & (EXEC_NO_SETUID|EXEC_AMBIENT_MAGIC)))
                        c->flags |= EXEC_NO_SETUID;
                else
                        break;
        }
        if ((c->flags & EXEC_PRIVILEGED) && (c->flags & (EXEC_NO_SETUID|EXEC_AMBIENT_MAGIC))) {
                set_error(error, error_size, "the prefixes '+' and '!' cannot be combined");
                return -EINVAL;
        }
        c->prefix = strndup(start, (size_t) (p - start));
        if (!c->prefix)
                return -ENOMEM;

        if (p >= end || strchr(WHITESPACE, *p)) {
                set_error(error, error_size, "no executable after the prefix '%s'", c->prefix);
                return -EINVAL;
        }
        if ((*p == '"' || *p == '\'') && p[1] && strchr("-@:+!", p[1])) {
                set_error(error, error_size, "prefix characters inside quotes cannot be wrapped; write them "
                          "before the quote");
                return -EINVAL;
        }

        r = word_end(p, &we);
        if (r < 0 || we > end) {
                set_error(error, error_size, "unbalanced quotes or a trailing backslash");
                return -EINVAL;
        }
        c->path = strndup(p, (size_t) (we - p));
        if (!c->path)
                return -ENOMEM;
        p = we;

        if (c->flags & EXEC_ARGV0) {
                w = p + strspn(p, WHITESPACE);
                if (w >= end) {
                        set_error(error, error_size, "the prefix '@' needs an argv[0] word after the executable");
                        return -EINVAL;
                }
                r = word_end(w, &we);
                if (r < 0 || we > end) {
                        set_error(error, error_size, "unbalanced quotes or a trailing backslash");
                        return -EINVAL;
                }
                c->argv0 = strndup(w, (size_t) (we - w));
                if (!c->argv0)
                        return -ENOMEM;
                p = we;
        }

        /* The arguments, up to the end of the last word: without the whitespace before a following ";"
         * or the end of the line, but with an escaped space ("a\\ ") that ends the last word. */
        last = p;
        for (const char *q = p;;) {
                q += strspn(q, WHITESPACE);
                if (q >= end)
                        break;
                r = word_end(q, &we);
                if (r < 0 || we > end) {
                        set_error(error, error_size, "unbalanced quotes or a trailing backslash");
                        return -EINVAL;
                }
                last = q = we;
        }
        c->rest = strndup(p, (size_t) (last - p));
        return c->rest ? 0 : -ENOMEM;
}

int exec_value_parse(const char *value, ExecCommand **ret, size_t *ret_n, char *error, size_t error_size) {
        ExecCommand *cmds = NULL;
        const char *p, *start;
        size_t n = 0;
        int r;

        if (!value || !ret || !ret_n)
                return -EINVAL;
        if (error && error_size > 0)
                error[0] = '\0';

        p = value + strspn(value, WHITESPACE);
        if (*p == '\0') {
                set_error(error, error_size, "empty command line");
                return -EINVAL;
        }

        start = p;
        for (;;) {
                const char *we = NULL;
                bool sep;

                p += strspn(p, WHITESPACE);
                if (*p != '\0') {
                        r = word_end(p, &we);
                        if (r < 0) {
                                set_error(error, error_size, "unbalanced quotes or a trailing backslash");
                                goto fail;
                        }
                }
                sep = *p != '\0' && we == p + 1 && *p == ';';
                if (*p != '\0' && !sep) {
                        p = we;
                        continue;
                }

                /* End of one command: at a ";" word or at the end. */
                if (p == start || (sep && strspn(start, WHITESPACE) >= (size_t) (p - start))) {
                        set_error(error, error_size, "empty command before ';'");
                        r = -EINVAL;
                        goto fail;
                }
                if (n >= EXEC_COMMANDS_MAX) {
                        set_error(error, error_size, "more than %d commands on one line", EXEC_COMMANDS_MAX);
                        r = -E2BIG;
                        goto fail;
                }
                ExecCommand *nc = reallocarray(cmds, n + 1, sizeof(ExecCommand));
                if (!nc) {
                        r = -ENOMEM;
                        goto fail;
                }
                cmds = nc;
                r = parse_one(start, p, &cmds[n], error, error_size);
                n++;
                if (r < 0)
                        goto fail;
                if (!sep)
                        break;

                p = we;
                p += strspn(p, WHITESPACE);
                if (*p == '\0') {
                        /* A trailing ";" ends the list, as systemd takes it. */
                        break;
                }
                start = p;
        }

        *ret = cmds;
        *ret_n = n;
        return 0;

fail:
        exec_commands_free(cmds, n);
        return r;
}

bool exec_command_is_wrapped(const ExecCommand *c) {
        const char *s;

        if (!c || !c->path)
                return false;
        s = strrchr(c->path, '/');
        return streq(s ? s + 1 : c->path, "bpftoken-exec");
}

int exec_command_format(const ExecCommand *c, char **ret) {
        int r;

        if (!c || !ret)
                return -EINVAL;
        if (c->argv0)
                r = asprintf(ret, "%s%s %s%s", c->prefix, c->path, c->argv0, c->rest);
        else
                r = asprintf(ret, "%s%s%s", c->prefix, c->path, c->rest);
        return r < 0 ? -ENOMEM : 0;
}

int exec_command_wrap(const ExecCommand *c, const char *exec_path, char **ret) {
        _cleanup_(freep) char *prefix = NULL, *path = NULL;
        size_t j = 0, dollars = 0;
        int r;

        if (!c || !exec_path || !ret || (c->flags & EXEC_PRIVILEGED))
                return -EINVAL;

        prefix = malloc(strlen(c->prefix) + 1);
        if (!prefix)
                return -ENOMEM;
        for (const char *s = c->prefix; *s; s++)
                if (*s != '@')
                        prefix[j++] = *s;
        prefix[j] = '\0';

        if (!(c->flags & EXEC_NO_ENV_EXPAND))
                for (const char *s = c->path; *s; s++)
                        dollars += *s == '$';
        path = malloc(strlen(c->path) + dollars + 1);
        if (!path)
                return -ENOMEM;
        j = 0;
        for (const char *s = c->path; *s; s++) {
                path[j++] = *s;
                if (*s == '$' && dollars > 0)
                        path[j++] = '$';
        }
        path[j] = '\0';

        /* "!;" is a command named ";" after its prefix; standing alone, ";" would separate commands. */
        if (streq(path, ";")) {
                free(path);
                path = strdup("\\;");
                if (!path)
                        return -ENOMEM;
        }

        if (c->argv0)
                r = asprintf(ret, "%s%s --argv0 %s -- %s%s", prefix, exec_path, c->argv0, path, c->rest);
        else
                r = asprintf(ret, "%s%s -- %s%s", prefix, exec_path, path, c->rest);
        return r < 0 ? -ENOMEM : 0;
}
