/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>

#include "strv.h"

size_t strv_length(char *const *l) {
        size_t n = 0;

        if (l)
                while (l[n])
                        n++;
        return n;
}

bool strv_contains(char *const *l, const char *s) {
        if (l)
                for (; *l; l++)
                        if (streq(*l, s))
                                return true;
        return false;
}

int strv_consume(char ***l, char *s) {
        size_t n;
        char **c;

        if (!s)
                return -ENOMEM;

        n = strv_length(*l);
        c = reallocarray(*l, n + 2, sizeof(char *));
        if (!c) {
                free(s);
                return -ENOMEM;
        }
        c[n] = s;
        c[n + 1] = NULL;
        *l = c;
        return 0;
}

int strv_extend(char ***l, const char *s) {
        return strv_consume(l, strdup(s));
}

int strv_extend_unique(char ***l, const char *s) {
        if (strv_contains(*l, s))
                return 0;
        return strv_extend(l, s);
}

int strv_extendf(char ***l, const char *fmt, ...) {
        va_list ap;
        char *s;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        return strv_consume(l, r < 0 ? NULL : s);
}

static int cmp_strp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

void strv_sort(char **l) {
        size_t n = strv_length(l);

        if (n > 0)
                qsort(l, n, sizeof(char *), cmp_strp);
}

void strv_sort_uniq(char **l) {
        size_t n = strv_length(l), j = 0;

        if (n == 0)
                return;
        strv_sort(l);
        for (size_t i = 1; i < n; i++) {
                if (streq(l[j], l[i])) {
                        free(l[i]);
                        continue;
                }
                l[++j] = l[i];
        }
        l[j + 1] = NULL;
}

int strv_take_nonnull(char ***l, char ***ret) {
        if (!*l) {
                *l = calloc(1, sizeof(char *));
                if (!*l)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(*l);
        return 0;
}

int strv_join(char *const *l, const char *sep, char **ret) {
        size_t n = 1, ls = strlen(sep);
        char *s, *p;

        for (char *const *i = l; i && *i; i++)
                n += strlen(*i) + ls;
        s = malloc(n);
        if (!s)
                return -ENOMEM;
        p = s;
        for (char *const *i = l; i && *i; i++) {
                if (i != l)
                        p = stpcpy(p, sep);
                p = stpcpy(p, *i);
        }
        *p = '\0';
        *ret = s;
        return 0;
}
