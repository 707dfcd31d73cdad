/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ini-parse.h"
#include "macro.h"

#define WHITESPACE " \t\n\r"
#define COMMENTS "#;"

static const char *const ini_error_table[_INI_ERROR_MAX] = {
        [INI_ERROR_NONE]                 = "no error",
        [INI_ERROR_SECTION_UNTERMINATED] = "section header without closing ']'",
        [INI_ERROR_MISSING_EQUALS]       = "expected KEY=VALUE",
        [INI_ERROR_EMPTY_KEY]            = "assignment without a key",
        [INI_ERROR_OUTSIDE_SECTION]      = "assignment outside of a section",
        [INI_ERROR_LINE_TOO_LONG]        = "line is longer than 1048576 bytes",
        [INI_ERROR_HANDLER]              = "the value was refused",
};

const char *ini_error_to_string(IniError e) {
        return e >= 0 && e < _INI_ERROR_MAX ? ini_error_table[e] : NULL;
}

typedef struct IniState {
        IniFlags flags;
        ini_handler_t handler;
        void *userdata;
        char *section;
        IniLocation *loc;
} IniState;

static char *strstrip(char *s) {
        char *e;

        s += strspn(s, WHITESPACE);
        e = s + strlen(s);
        while (e > s && strchr(WHITESPACE, e[-1]))
                e--;
        *e = '\0';
        return s;
}

static int fail(IniState *st, IniError e, unsigned line, int r) {
        if (st->loc)
                *st->loc = (IniLocation) { .line = line, .error = e };
        return r;
}

/* One logical line (continuations joined). */
static int parse_logical_line(IniState *st, char *l, unsigned line) {
        char *e, *key, *value;
        int r;

        l = strstrip(l);
        if (*l == '\0' || strchr(COMMENTS, *l))
                return 0;

        if (*l == '[') {
                size_t n = strlen(l);
                char *s;

                if (n < 2 || l[n - 1] != ']')
                        return fail(st, INI_ERROR_SECTION_UNTERMINATED, line, -EBADMSG);
                s = strndup(l + 1, n - 2);
                if (!s)
                        return -ENOMEM;
                free(st->section);
                st->section = s;
                r = st->handler(st->section, NULL, NULL, line, st->userdata);
                return r < 0 ? fail(st, INI_ERROR_HANDLER, line, r) : 0;
        }

        e = strchr(l, '=');
        if (!e)
                return st->flags & INI_STRICT ? fail(st, INI_ERROR_MISSING_EQUALS, line, -EBADMSG) : 0;
        *e = '\0';
        key = strstrip(l);
        value = strstrip(e + 1);
        if (*key == '\0')
                return st->flags & INI_STRICT ? fail(st, INI_ERROR_EMPTY_KEY, line, -EBADMSG) : 0;
        if (!st->section)
                return st->flags & INI_STRICT ? fail(st, INI_ERROR_OUTSIDE_SECTION, line, -EBADMSG) : 0;

        r = st->handler(st->section, key, value, line, st->userdata);
        return r < 0 ? fail(st, INI_ERROR_HANDLER, line, r) : 0;
}

static bool ends_in_continuation(const char *p) {
        bool escaped = false;

        for (; *p; p++)
                escaped = !escaped && *p == '\\';
        return escaped;
}

/* The next physical line of text, copied into *ret (NUL-terminated); advances *pos. */
static int next_line(const char *text, size_t size, size_t *pos, char **ret, size_t *ret_len) {
        const char *l = text + *pos;
        size_t len = 0;

        while (*pos + len < size && l[len] != '\n' && l[len] != '\r' && l[len] != '\0')
                len++;
        *pos += len;
        if (*pos < size) {
                if (text[*pos] == '\r' && *pos + 1 < size && text[*pos + 1] == '\n')
                        (*pos)++;
                (*pos)++;
        }
        if (len > INI_LINE_MAX)
                return -ENOBUFS;
        *ret = strndup(l, len);
        if (!*ret)
                return -ENOMEM;
        *ret_len = len;
        return 0;
}

static int parse_lines(IniState *st, const char *text, size_t size) {
        _cleanup_(freep) char *cont = NULL;
        size_t pos = 0, cont_len = 0;
        unsigned line = 0, cont_line = 0;
        int r;

        /* Skip a UTF-8 byte order mark. */
        if (size >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
                pos = 3;

        while (pos < size || cont) {
                _cleanup_(freep) char *l = NULL;
                bool at_eof = pos >= size;
                size_t len = 0;
                char *p;

                if (!at_eof) {
                        line++;
                        r = next_line(text, size, &pos, &l, &len);
                        if (r == -ENOBUFS)
                                return fail(st, INI_ERROR_LINE_TOO_LONG, line, r);
                        if (r < 0)
                                return r;

                        /* Comment lines are skipped, also in the middle of a continuation. */
                        const char *s = l + strspn(l, WHITESPACE);
                        if (*s != '\0' && strchr(COMMENTS, *s))
                                continue;
                }

                if (cont) {
                        char *n;

                        if (cont_len + len > INI_LINE_MAX)
                                return fail(st, INI_ERROR_LINE_TOO_LONG, cont_line, -ENOBUFS);
                        n = realloc(cont, cont_len + len + 1);
                        if (!n)
                                return -ENOMEM;
                        memcpy(n + cont_len, l ?: "", len + 1);
                        cont = n;
                        cont_len += len;
                        p = cont;
                } else {
                        p = l;
                        cont_line = line;
                }

                if (!at_eof && ends_in_continuation(p)) {
                        if (!cont) {
                                cont = TAKE_PTR(l);
                                cont_len = len;
                        }
                        cont[cont_len - 1] = ' ';
                        continue;
                }

                r = parse_logical_line(st, p, cont_line);
                cont = mfree(cont);
                cont_len = 0;
                if (r < 0)
                        return r;
        }
        return 0;
}

int ini_parse(const char *text, size_t size, IniFlags flags, ini_handler_t handler, void *userdata,
              IniLocation *ret_location) {
        IniState st = {
                .flags = flags,
                .handler = handler,
                .userdata = userdata,
                .loc = ret_location,
        };
        int r;

        if (!text || !handler)
                return -EINVAL;
        if (ret_location)
                *ret_location = (IniLocation) {};

        r = parse_lines(&st, text, size);
        free(st.section);
        return r;
}
