/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A small table in the manner of systemd's: upper-case headers, columns padded to their widest cell
 * and truncated to the terminal's width (libsmartcols renders the text), "-" for empty cells, a
 * legend "N entries listed." unless turned off, and the same data as JSON (an array of objects,
 * through json-c). Cells are typed so
 * that JSON gets numbers, booleans, null and arrays, while text gets their usual spelling. Control
 * characters in text cells are escaped (\x1b), so a hostile process name cannot drive the
 * terminal. No logging.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "macro.h"

typedef enum TableJsonMode {
        TABLE_JSON_OFF,
        TABLE_JSON_PRETTY,
        TABLE_JSON_SHORT,
        _TABLE_JSON_MODE_MAX,
        _TABLE_JSON_MODE_INVALID = -EINVAL,
} TableJsonMode;

/* "off", "pretty", "short" */
TableJsonMode table_json_mode_from_string(const char *s);
/* json-c's to_string flags for a mode (never escapes '/') */
int table_json_mode_flags(TableJsonMode m);

typedef struct Table Table;

/* headers: NULL-terminated list of header texts, shown as given (write them upper-case). Each
 * column's JSON key is its header in lower case with spaces and '-' turned into '_'. */
int table_new(const char *const *headers, Table **ret);
Table *table_free(Table *t);
static inline void table_freep(Table **t) {
        if (*t)
                table_free(*t);
}

/* Override the JSON key of a column. */
int table_set_json_key(Table *t, size_t column, const char *key);
/* Right-align a column in text output (numbers are right-aligned by default). */
int table_set_align_right(Table *t, size_t column, bool right);
/* Leave a column out of the text rendering (it stays in JSON). */
int table_set_hidden(Table *t, size_t column, bool hidden);
/* Show or hide the legend line (default: shown). */
void table_set_legend(Table *t, bool show);
/* Underline the header (default: colors_enabled()). */
void table_set_colors(Table *t, bool colors);
/* Show or hide the header line (default: shown). */
void table_set_header(Table *t, bool show);

/* Cells are added row by row, left to right; a row is complete when every column has a cell. */
int table_add_string(Table *t, const char *s);                 /* NULL or "" shows "-", JSON null */
int table_add_stringf(Table *t, const char *fmt, ...) _printf_(2, 3);
int table_add_uint64(Table *t, uint64_t v);
int table_add_int64(Table *t, int64_t v);
int table_add_boolean(Table *t, bool b);                        /* "yes"/"no", JSON true/false */
int table_add_hex(Table *t, uint64_t v);                        /* "0x21", JSON string "0x21" */
int table_add_empty(Table *t);                                  /* "-", JSON null */
/* A list: text joined with sep (empty list "-"), JSON array of strings. */
int table_add_strv(Table *t, char *const *l, const char *sep);
/* Any JSON value for the JSON rendering (ownership taken, even on failure), with its text form. */
int table_add_json(Table *t, const char *text, json_object *j);

size_t table_get_rows(const Table *t);
size_t table_get_columns(const Table *t);

/* Sort the rows by the text of a column (then by the following columns); numbers numerically. */
int table_sort(Table *t, size_t column);

/* Text rendering. */
int table_print(Table *t, FILE *f);
/* JSON: an array with one object per row. */
int table_to_json(Table *t, json_object **ret);
/* Print in the given mode (TABLE_JSON_OFF: text). */
int table_print_mode(Table *t, TableJsonMode mode, FILE *f);

/* Escape control characters and invalid UTF-8 for terminal output ("\x1b"). Returns a new string. */
int table_escape_text(const char *s, char **ret);
