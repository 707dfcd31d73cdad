/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What the 'monitor' and 'learn' verbs share: their own options (they take options the other verbs
 * do not, and 'learn -- CMD' must not have CMD's options parsed), opening the recorder with a
 * one-sentence error, and the delegation lines.
 */

#include <stdbool.h>
#include <stdint.h>

#include "delegation.h"
#include "monitor.h"

typedef struct MonitorArgs {
        uint64_t duration_usec;         /* 0: until Ctrl-C (monitor), until CMD exits (learn -- CMD) */
        uint64_t since_usec;            /* CLOCK_REALTIME; 0: from the start */
        uint64_t until_usec;            /* CLOCK_REALTIME; 0: no end */
        const char *user;               /* learn -- CMD: --user= for bpftoken-exec (default root) */
        bool no_verify;                 /* learn: skip the second run */
        char **args;                    /* the rest: UNIT... or CMD ARG... (points into argv) */
        int n_args;
        bool dashdash;                  /* the rest came after "--" */
} MonitorArgs;

/* Parses argv[1..] (argv[0] is the verb), global output options included. Logs. */
int monitor_parse_argv(const char *verb, int argc, char *argv[], MonitorArgs *ret);

/* "1h", "2min", "30s", "500ms", "10" (seconds) -> microseconds. */
int parse_timespan_usec(const char *s, uint64_t *ret);
/* "now", "+30s", "-5min", "@1700000000", "HH:MM[:SS]" (today), "YYYY-MM-DD[ HH:MM[:SS]]" -> realtime
 * microseconds. */
int parse_timestamp_usec(const char *s, uint64_t *ret);
uint64_t now_realtime_usec(void);

/* Loads the recorder; on failure logs one sentence saying why monitor/learn cannot work here. */
int monitor_open(const char *verb, size_t ringbuf_size, Monitor **ret);

/* Prints the four BPFDelegate*= lines of d (systemd spelling; an empty list as "BPFDelegateMaps=").
 * prefix goes before each line. */
int print_delegation_lines(const BpfNames *names, const Delegation *d, const char *prefix);

/* 'status UNIT': the unit's most recent refused calls (at most max) from bpftoken-monitor's audit
 * trail in the journal, oldest first, as a JSON array of {realtime_usec, pid, comm, command, type,
 * missing, fix}; an empty array if there are none or the journal cannot be read. NULL on OOM. */
struct json_object *recent_refusals(const char *unit, unsigned max);
/* Prints them ("Refused calls:" and a line each, or nothing if there are none). */
void print_recent_refusals(struct json_object *refusals);

int verb_monitor(int argc, char *argv[]);
int verb_learn(int argc, char *argv[]);
