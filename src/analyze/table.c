/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <libsmartcols.h>
#include <string.h>
#include <unistd.h>

#include "table.h"
#include "terminal-util.h"

typedef enum CellType {
        CELL_EMPTY,
        CELL_STRING,
        CELL_UINT64,
        CELL_INT64,
        CELL_BOOLEAN,
        CELL_HEX,
        CELL_STRV,
        CELL_JSON,
} CellType;

typedef struct Cell {
        CellType type;
        char *text;             /* escaped, as printed */
        char *raw;              /* CELL_STRING: as given, for JSON (NULL if not valid UTF-8) */
        char *orig;             /* CELL_STRING: as given, for libsmartcols, which escapes it itself */
        json_object *json;      /* for CELL_STRV and CELL_JSON */
        uint64_t u;
        int64_t i;
        bool b;
} Cell;

typedef struct Column {
        char *header;
        char *json_key;
        int align_right;        /* -1: automatic (numbers right) */
        bool hidden;            /* JSON only */
} Column;

struct Table {
        Column *columns;
        size_t n_columns;
        Cell *cells;
        size_t n_cells;
        size_t allocated;
        bool legend;
        bool header;
        bool colors;
};

static const char *const json_mode_table[_TABLE_JSON_MODE_MAX] = {
        [TABLE_JSON_OFF]    = "off",
        [TABLE_JSON_PRETTY] = "pretty",
        [TABLE_JSON_SHORT]  = "short",
};

TableJsonMode table_json_mode_from_string(const char *s) {
        if (!s)
                return _TABLE_JSON_MODE_INVALID;
        for (size_t i = 0; i < _TABLE_JSON_MODE_MAX; i++)
                if (streq(s, json_mode_table[i]))
                        return (TableJsonMode) i;
        return _TABLE_JSON_MODE_INVALID;
}

int table_json_mode_flags(TableJsonMode m) {
        int flags = JSON_C_TO_STRING_NOSLASHESCAPE;

        if (m == TABLE_JSON_PRETTY)
                flags |= JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED;
        else
                flags |= JSON_C_TO_STRING_PLAIN;
        return flags;
}

static void cell_done(Cell *c) {
        free(c->text);
        free(c->raw);
        free(c->orig);
        if (c->json)
                json_object_put(c->json);
        *c = (Cell) {};
}

Table *table_free(Table *t) {
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->n_columns; i++) {
                free(t->columns[i].header);
                free(t->columns[i].json_key);
        }
        free(t->columns);
        for (size_t i = 0; i < t->n_cells; i++)
                cell_done(&t->cells[i]);
        free(t->cells);
        free(t);
        return NULL;
}

static char *make_json_key(const char *header) {
        char *k = strdup(header);

        if (!k)
                return NULL;
        for (char *p = k; *p; p++) {
                if (*p == ' ' || *p == '-')
                        *p = '_';
                else
                        *p = (char) tolower((unsigned char) *p);
        }
        return k;
}

int table_new(const char *const *headers, Table **ret) {
        _cleanup_(table_freep) Table *t = NULL;
        size_t n = 0;

        if (!headers || !ret)
                return -EINVAL;
        while (headers[n])
                n++;
        if (n == 0)
                return -EINVAL;

        t = calloc(1, sizeof *t);
        if (!t)
                return -ENOMEM;
        t->legend = true;
        t->header = true;
        t->colors = colors_enabled();
        t->columns = calloc(n, sizeof *t->columns);
        if (!t->columns)
                return -ENOMEM;
        t->n_columns = n;
        for (size_t i = 0; i < n; i++) {
                t->columns[i].header = strdup(headers[i]);
                t->columns[i].json_key = make_json_key(headers[i]);
                t->columns[i].align_right = -1;
                if (!t->columns[i].header || !t->columns[i].json_key)
                        return -ENOMEM;
        }

        *ret = TAKE_PTR(t);
        return 0;
}

int table_set_json_key(Table *t, size_t column, const char *key) {
        char *k;

        if (!t || column >= t->n_columns || isempty(key))
                return -EINVAL;
        k = strdup(key);
        if (!k)
                return -ENOMEM;
        free(t->columns[column].json_key);
        t->columns[column].json_key = k;
        return 0;
}

int table_set_align_right(Table *t, size_t column, bool right) {
        if (!t || column >= t->n_columns)
                return -EINVAL;
        t->columns[column].align_right = right;
        return 0;
}

int table_set_hidden(Table *t, size_t column, bool hidden) {
        if (!t || column >= t->n_columns)
                return -EINVAL;
        t->columns[column].hidden = hidden;
        return 0;
}

void table_set_legend(Table *t, bool show) {
        if (t)
                t->legend = show;
}

void table_set_colors(Table *t, bool colors) {
        if (t)
                t->colors = colors;
}

void table_set_header(Table *t, bool show) {
        if (t)
                t->header = show;
}

size_t table_get_columns(const Table *t) {
        return t ? t->n_columns : 0;
}

size_t table_get_rows(const Table *t) {
        return t ? t->n_cells / t->n_columns : 0;
}

/* Length of a valid UTF-8 sequence starting at s (1..4), or 0 if invalid. */
static size_t utf8_sequence_len(const unsigned char *s) {
        size_t n;
        uint32_t cp;

        if (s[0] < 0x80)
                return 1;
        if ((s[0] & 0xe0) == 0xc0) {
                n = 2;
                cp = s[0] & 0x1f;
        } else if ((s[0] & 0xf0) == 0xe0) {
                n = 3;
                cp = s[0] & 0x0f;
        } else if ((s[0] & 0xf8) == 0xf0) {
                n = 4;
                cp = s[0] & 0x07;
        } else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        /* overlong forms, surrogates, beyond Unicode */
        if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
                return 0;
        /* C1 control characters */
        if (cp >= 0x80 && cp < 0xa0)
                return 0;
        return n;
}

static bool utf8_is_valid(const char *s) {
        for (const unsigned char *p = (const unsigned char *) s; *p;) {
                size_t n = utf8_sequence_len(p);

                if (n == 0)
                        return false;
                p += n;
        }
        return true;
}

int table_escape_text(const char *s, char **ret) {
        const unsigned char *p;
        size_t len;
        char *buf, *t;

        if (!s || !ret)
                return -EINVAL;
        len = strlen(s);
        if (len > (SIZE_MAX - 1) / 4)
                return -ENOMEM;
        buf = malloc(len * 4 + 1);
        if (!buf)
                return -ENOMEM;

        t = buf;
        for (p = (const unsigned char *) s; *p;) {
                size_t n;

                if (*p < 0x20 || *p == 0x7f) {
                        t += sprintf(t, "\\x%02x", *p);
                        p++;
                        continue;
                }
                if (*p == '\\') {
                        *t++ = '\\';
                        *t++ = '\\';
                        p++;
                        continue;
                }
                n = utf8_sequence_len(p);
                if (n == 0) {
                        t += sprintf(t, "\\x%02x", *p);
                        p++;
                        continue;
                }
                memcpy(t, p, n);
                t += n;
                p += n;
        }
        *t = '\0';
        *ret = buf;
        return 0;
}

static int table_add_cell(Table *t, Cell *c) {
        if (!t) {
                cell_done(c);
                return -EINVAL;
        }
        if (t->n_cells >= t->allocated) {
                size_t n = t->allocated ? t->allocated * 2 : t->n_columns * 16;
                Cell *cells = reallocarray(t->cells, n, sizeof *cells);

                if (!cells) {
                        cell_done(c);
                        return -ENOMEM;
                }
                t->cells = cells;
                t->allocated = n;
        }
        t->cells[t->n_cells++] = *c;
        *c = (Cell) {};
        return 0;
}

int table_add_string(Table *t, const char *s) {
        Cell c = { .type = CELL_STRING };
        int r;

        if (isempty(s))
                return table_add_empty(t);
        r = table_escape_text(s, &c.text);
        if (r < 0)
                return r;
        c.orig = strdup(s);
        if (!c.orig) {
                cell_done(&c);
                return -ENOMEM;
        }
        if (utf8_is_valid(s)) {
                c.raw = strdup(s);
                if (!c.raw) {
                        cell_done(&c);
                        return -ENOMEM;
                }
        }
        return table_add_cell(t, &c);
}

int table_add_stringf(Table *t, const char *fmt, ...) {
        _cleanup_(freep) char *s = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return table_add_string(t, s);
}

/* Adds c with its text formatted from fmt (c has no text yet; on failure it is released). */
_printf_(3, 4)
static int table_add_cell_textf(Table *t, Cell c, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&c.text, fmt, ap);
        va_end(ap);
        if (r < 0) {
                c.text = NULL;
                cell_done(&c);
                return -ENOMEM;
        }
        return table_add_cell(t, &c);
}

int table_add_uint64(Table *t, uint64_t v) {
        return table_add_cell_textf(t, (Cell) { .type = CELL_UINT64, .u = v }, "%" PRIu64, v);
}

int table_add_int64(Table *t, int64_t v) {
        return table_add_cell_textf(t, (Cell) { .type = CELL_INT64, .i = v }, "%" PRIi64, v);
}

int table_add_boolean(Table *t, bool b) {
        return table_add_cell_textf(t, (Cell) { .type = CELL_BOOLEAN, .b = b }, "%s", b ? "yes" : "no");
}

int table_add_hex(Table *t, uint64_t v) {
        return table_add_cell_textf(t, (Cell) { .type = CELL_HEX, .u = v }, "0x%" PRIx64, v);
}

int table_add_empty(Table *t) {
        return table_add_cell_textf(t, (Cell) { .type = CELL_EMPTY }, "-");
}

int table_add_strv(Table *t, char *const *l, const char *sep) {
        Cell c = { .type = CELL_STRV };
        size_t len = 0, n = 0;
        char *p;

        c.json = json_object_new_array();
        if (!c.json)
                return -ENOMEM;
        if (!sep)
                sep = ",";

        for (char *const *i = l; i && *i; i++) {
                json_object *s = json_object_new_string(*i);

                if (!s || json_object_array_add(c.json, s) < 0) {
                        json_object_put(s);
                        cell_done(&c);
                        return -ENOMEM;
                }
                len += strlen(*i) + strlen(sep);
                n++;
        }

        if (n == 0)
                return table_add_cell_textf(t, c, "-");

        {
                _cleanup_(freep) char *joined = malloc(len + 1);

                if (!joined) {
                        cell_done(&c);
                        return -ENOMEM;
                }
                p = joined;
                for (char *const *i = l; *i; i++) {
                        if (i != l)
                                p = stpcpy(p, sep);
                        p = stpcpy(p, *i);
                }
                if (table_escape_text(joined, &c.text) < 0) {
                        cell_done(&c);
                        return -ENOMEM;
                }
        }
        return table_add_cell(t, &c);
}

int table_add_json(Table *t, const char *text, json_object *j) {
        Cell c = { .type = CELL_JSON, .json = j };
        int r;

        if (isempty(text))
                c.text = strdup("-");
        else {
                r = table_escape_text(text, &c.text);
                if (r < 0) {
                        cell_done(&c);
                        return r;
                }
        }
        if (!c.text) {
                cell_done(&c);
                return -ENOMEM;
        }
        return table_add_cell(t, &c);
}

static bool cell_is_number(const Cell *c) {
        return c->type == CELL_UINT64 || c->type == CELL_INT64;
}

static int cell_compare(const Cell *a, const Cell *b) {
        if (a->type == CELL_EMPTY || b->type == CELL_EMPTY)
                return (a->type != CELL_EMPTY) - (b->type != CELL_EMPTY);
        if (a->type == CELL_UINT64 && b->type == CELL_UINT64)
                return (a->u > b->u) - (a->u < b->u);
        if (a->type == CELL_INT64 && b->type == CELL_INT64)
                return (a->i > b->i) - (a->i < b->i);
        if (a->type == CELL_HEX && b->type == CELL_HEX)
                return (a->u > b->u) - (a->u < b->u);
        return strcmp(a->text, b->text);
}

int table_sort(Table *t, size_t column) {
        size_t rows, nc;
        Cell *tmp;

        if (!t || column >= t->n_columns)
                return -EINVAL;
        if (t->n_cells % t->n_columns != 0)
                return -EBUSY;
        rows = table_get_rows(t);
        nc = t->n_columns;
        if (rows < 2)
                return 0;

        tmp = malloc(nc * sizeof *tmp);
        if (!tmp)
                return -ENOMEM;

        /* Insertion sort on whole rows: stable, and tables are short. */
        for (size_t i = 1; i < rows; i++) {
                size_t j = i;

                memcpy(tmp, &t->cells[i * nc], nc * sizeof *tmp);
                while (j > 0) {
                        Cell *prev = &t->cells[(j - 1) * nc];
                        int c = 0;

                        for (size_t k = column; k < nc && c == 0; k++)
                                c = cell_compare(&prev[k], &tmp[k]);
                        if (c <= 0)
                                break;
                        memcpy(&t->cells[j * nc], prev, nc * sizeof *tmp);
                        j--;
                }
                memcpy(&t->cells[j * nc], tmp, nc * sizeof *tmp);
        }
        free(tmp);
        return 0;
}

static bool column_right_aligned(const Table *t, size_t col) {
        size_t rows = table_get_rows(t);
        bool any = false;

        if (t->columns[col].align_right >= 0)
                return t->columns[col].align_right;
        for (size_t r = 0; r < rows; r++) {
                const Cell *c = &t->cells[r * t->n_columns + col];

                if (c->type == CELL_EMPTY)
                        continue;
                if (!cell_is_number(c))
                        return false;
                any = true;
        }
        return any;
}

static void scols_table_unrefp(struct libscols_table **tb) {
        scols_unref_table(*tb);
}

/* The columns, as libsmartcols columns: hidden ones left out, numbers right-aligned, text columns
 * after the first truncated when the terminal is too narrow (as systemd's tables are). */
static int add_scols_columns(const Table *t, struct libscols_table *tb, struct libscols_column **cols) {
        bool first = true;

        for (size_t c = 0; c < t->n_columns; c++) {
                int flags = 0;

                cols[c] = NULL;
                if (t->columns[c].hidden)
                        continue;
                if (column_right_aligned(t, c))
                        flags |= SCOLS_FL_RIGHT;
                else if (!first)
                        flags |= SCOLS_FL_TRUNC;
                first = false;
                cols[c] = scols_table_new_column(tb, t->columns[c].header, 0, flags);
                if (!cols[c])
                        return -ENOMEM;
                if (t->colors && scols_cell_set_color(scols_column_get_header(cols[c]), ANSI_UNDERLINE) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* libsmartcols escapes control characters and invalid UTF-8 itself (as \x1b), so it gets strings as
 * they were given; our own escaping would be escaped twice. */
static const char *cell_text_for_scols(const Cell *c) {
        return c->type == CELL_STRING && c->orig ? c->orig : c->text;
}

/* Text rendering through libsmartcols (util-linux), which replaced the hand-written padding and
 * width computation: it knows the terminal's width and truncates to it, and leaves pipes alone. */
int table_print(Table *t, FILE *f) {
        _cleanup_(scols_table_unrefp) struct libscols_table *tb = NULL;
        _cleanup_(freep) struct libscols_column **cols = NULL;
        size_t rows;
        int r;

        if (!t || !f)
                return -EINVAL;
        if (t->n_cells % t->n_columns != 0)
                return -EBUSY;
        rows = table_get_rows(t);

        tb = scols_new_table();
        cols = calloc(t->n_columns, sizeof *cols);
        if (!tb || !cols)
                return -ENOMEM;
        if (scols_table_set_stream(tb, f) < 0 || scols_table_enable_noheadings(tb, !t->header) < 0 ||
            scols_table_enable_colors(tb, t->colors) < 0)
                return -ENOMEM;
        if (!isatty(fileno(f)))
                (void) scols_table_set_termforce(tb, SCOLS_TERMFORCE_NEVER);
        r = add_scols_columns(t, tb, cols);
        if (r < 0)
                return r;

        for (size_t row = 0; row < rows; row++) {
                struct libscols_line *ln = scols_table_new_line(tb, NULL);

                if (!ln)
                        return -ENOMEM;
                for (size_t c = 0; c < t->n_columns; c++)
                        if (cols[c] && scols_line_set_column_data(ln, cols[c], cell_text_for_scols(&t->cells[row * t->n_columns + c])) < 0)
                                return -ENOMEM;
        }

        if (rows > 0 && scols_table_get_ncols(tb) > 0) {
                r = scols_print_table(tb);
                if (r < 0)
                        return r;
        }

        if (t->legend) {
                if (rows > 0)
                        fputc('\n', f);
                fprintf(f, "%zu %s listed.\n", rows, rows == 1 ? "entry" : "entries");
        }

        return ferror(f) ? -EIO : 0;
}

static json_object *cell_to_json(const Cell *c) {
        switch (c->type) {
        case CELL_EMPTY:
                return NULL;
        case CELL_STRING:
                return NULL; /* handled by the caller: needs the unescaped text */
        case CELL_UINT64:
                return json_object_new_uint64(c->u);
        case CELL_INT64:
                return json_object_new_int64(c->i);
        case CELL_BOOLEAN:
                return json_object_new_boolean(c->b);
        case CELL_HEX:
                return json_object_new_string(c->text);
        case CELL_STRV:
        case CELL_JSON:
                return c->json ? json_object_get(c->json) : NULL;
        }
        return NULL;
}

int table_to_json(Table *t, json_object **ret) {
        json_object *array;
        size_t rows;

        if (!t || !ret)
                return -EINVAL;
        if (t->n_cells % t->n_columns != 0)
                return -EBUSY;
        rows = table_get_rows(t);

        array = json_object_new_array();
        if (!array)
                return -ENOMEM;

        for (size_t r = 0; r < rows; r++) {
                json_object *o = json_object_new_object();

                if (!o || json_object_array_add(array, o) < 0) {
                        json_object_put(o);
                        json_object_put(array);
                        return -ENOMEM;
                }
                for (size_t c = 0; c < t->n_columns; c++) {
                        const Cell *cell = &t->cells[r * t->n_columns + c];
                        json_object *v = NULL;

                        if (cell->type == CELL_STRING) {
                                /* json-c escapes control characters itself; text that is not
                                 * valid UTF-8 goes out in its escaped form. */
                                v = json_object_new_string(cell->raw ?: cell->text);
                                if (!v) {
                                        json_object_put(array);
                                        return -ENOMEM;
                                }
                        } else
                                v = cell_to_json(cell);

                        if (json_object_object_add(o, t->columns[c].json_key, v) < 0) {
                                json_object_put(v);
                                json_object_put(array);
                                return -ENOMEM;
                        }
                }
        }

        *ret = array;
        return 0;
}

int table_print_mode(Table *t, TableJsonMode mode, FILE *f) {
        json_object *j = NULL;
        const char *s;
        int r;

        if (mode == TABLE_JSON_OFF)
                return table_print(t, f);

        r = table_to_json(t, &j);
        if (r < 0)
                return r;
        s = json_object_to_json_string_ext(j, table_json_mode_flags(mode));
        if (!s) {
                json_object_put(j);
                return -ENOMEM;
        }
        fputs(s, f);
        fputc('\n', f);
        json_object_put(j);
        return ferror(f) ? -EIO : 0;
}
