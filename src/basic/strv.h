/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * NULL-terminated lists of strings ("strv"). A NULL list is an empty one everywhere; strv_free() and
 * strv_freep() are in macro.h. No logging.
 */

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

size_t strv_length(char *const *l);
bool strv_contains(char *const *l, const char *s);

/* Appends s to *l, taking ownership of s (freed on failure; NULL is taken as a failed allocation). */
int strv_consume(char ***l, char *s);
/* Appends a copy of s. */
int strv_extend(char ***l, const char *s);
/* Appends a copy of s unless *l already contains it. */
int strv_extend_unique(char ***l, const char *s);
/* Appends a formatted string. */
int strv_extendf(char ***l, const char *fmt, ...) _printf_(2, 3);

/* Sorts in place with strcmp(); strv_sort_uniq() also drops (and frees) duplicates. */
void strv_sort(char **l);
void strv_sort_uniq(char **l);

/* The strings joined with sep into a new string ("" for an empty list). */
int strv_join(char *const *l, const char *sep, char **ret);

/* Moves *l to *ret, as an empty list if *l is NULL: for functions that promise a list. */
int strv_take_nonnull(char ***l, char ***ret);
