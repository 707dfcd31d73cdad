/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Timing and statistics for the benchmarks. */

#include <stdlib.h>
#include <time.h>

/* CLOCK_MONOTONIC in milliseconds. */
static inline double now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

/* For qsort() of doubles, ascending. */
static inline int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;

        return (x > y) - (x < y);
}

static inline void sort_doubles(double *v, int n) {
        qsort(v, (size_t) n, sizeof *v, cmp_double);
}

/* The p-th percentile (0 <= p <= 1) of n sorted values, rounded down. */
static inline double percentile(const double *sorted, int n, double p) {
        return sorted[(int) (p * (n - 1))];
}
