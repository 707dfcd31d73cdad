/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "analyze-monitor.h"
#include "analyze.h"
#include "config.h"
#include "log.h"
#include "macro.h"

/* 1: a check failed, a unit is unknown, or anything else went wrong; 2: a usage error only. */
#define EXIT_USAGE 2

static const struct {
        const char *name;
        int (*func)(int argc, char *argv[]);
} verbs[] = {
        { "names",    verb_names    },
        { "units",    verb_units    },
        { "status",   verb_status   },
        { "mounts",   verb_mounts   },
        { "tokens",   verb_tokens   },
        { "verify",   verb_verify   },
        { "security", verb_security },
        { "probe",    verb_probe    },
        { "explain",  verb_explain  },
        { "monitor",  verb_monitor  },
        { "learn",    verb_learn    },
        /* not in --help: for debugging and the golden test against systemd (bpftoken-analyze(1)) */
        { "model",         verb_model         },
        { "model-compare", verb_model_compare },
};

static int help(void) {
        printf("%s [OPTIONS...] COMMAND ...\n"
               "\n"
               "Inspect, verify and explain BPF token delegation on this host.\n"
               "\n"
               "Commands:\n"
               "  names [KIND [NAME...]]   List the BPF names the running kernel knows, in systemd and\n"
               "                           kernel spellings (KIND: commands, maps, programs, attachments)\n"
               "  units                    List units with BPF delegation and who serves them\n"
               "  status UNIT...           Requested against effective delegation, live tokens, warnings\n"
               "  mounts                   List delegated bpffs instances in all mount namespaces\n"
               "  tokens                   List live BPF token file descriptors of all processes\n"
               "  verify FILE|UNIT|POLICY.conf...\n"
               "                           Check units' BPF delegation settings and policy files\n"
               "  security FILE|UNIT...    Assess what a unit's BPF delegation exposes\n"
               "  probe                    Show what this kernel and host support\n"
               "  explain ERRNO|MESSAGE... Explain an error a BPF program printed ('-': read stdin)\n"
               "  monitor [UNIT...]        Show every bpf() call of the units live, with what a refusal lacked\n"
               "  learn -- CMD [ARG...]    Run CMD with a wide delegation and print the minimal one it needs\n"
               "  learn UNIT               The same for a service, through a restart\n"
               "                           (monitor, learn: --duration=, --since=, --until=, --user=,\n"
               "                           --no-verify after the verb; see the man page)\n"
               "\n"
               "Options:\n"
               "  -h --help                Show this help\n"
               "     --version             Show package version\n"
               "     --no-pager            Do not pipe output into a pager\n"
               "     --no-legend           Do not show the headers and footers\n"
               "     --json=pretty|short|off\n"
               "                           Generate JSON output\n"
               "  -a --all                 mounts: also list bpffs instances without delegation\n"
               "     --systemd-version=N   Assume systemd version N instead of the installed one\n"
               "     --token-support=auto|yes|no\n"
               "                           Assume the kernel does (not) support BPF tokens\n"
               "     --root=PATH           Read unit files below PATH\n"
               "     --btf=PATH            Read BPF names from this BTF file, not the running kernel's\n"
               "     --policy              verify: also check every policy file the publisher reads\n"
               "     --threshold=N         security: exit 1 if a unit's exposure level times ten exceeds N\n"
               "                           (0..100, default 100)\n"
               "\n"
               "See the bpftoken-analyze(1) man page for details.\n",
               program_invocation_short_name);
        return 0;
}

/* The long options without a short one. */
enum {
        ARG_VERSION = 0x100,
        ARG_NO_PAGER,
        ARG_NO_LEGEND,
        ARG_JSON,
        ARG_SYSTEMD_VERSION,
        ARG_TOKEN_SUPPORT,
        ARG_ROOT,
        ARG_BTF,
        ARG_POLICY,
        ARG_THRESHOLD,
};

/* The options that take a value that needs parsing: sets the arg_ variable c stands for. */
static int parse_option_value(int c, const char *value) {
        switch (c) {
        case ARG_JSON: {
                TableJsonMode m = table_json_mode_from_string(value);

                if (m < 0)
                        return log_error_errno(-EINVAL, "Invalid --json= mode '%s': use pretty, short or off.",
                                               value);
                arg_json = m;
                break;
        }
        case ARG_SYSTEMD_VERSION: {
                char *end;
                long v;

                errno = 0;
                v = strtol(value, &end, 10);
                if (errno != 0 || end == value || *end != '\0' || v < 1 || v > 100000)
                        return log_error_errno(-EINVAL, "Invalid --systemd-version= value '%s': expected a number such as 257.",
                                               value);
                arg_systemd_version = (int) v;
                break;
        }
        case ARG_TOKEN_SUPPORT:
                if (streq(value, "auto"))
                        arg_token_support = -1;
                else if (streq(value, "yes"))
                        arg_token_support = 1;
                else if (streq(value, "no"))
                        arg_token_support = 0;
                else
                        return log_error_errno(-EINVAL, "Invalid --token-support= value '%s': use auto, yes or no.",
                                               value);
                break;
        case ARG_THRESHOLD: {
                char *end;
                long v;

                errno = 0;
                v = strtol(value, &end, 10);
                if (errno != 0 || end == value || *end != '\0' || v < 0 || v > 100)
                        return log_error_errno(-EINVAL, "Invalid --threshold= value '%s': expected a number "
                                               "from 0 to 100 (the exposure level times ten).", value);
                arg_threshold = (unsigned) v;
                break;
        }
        default:
                return log_error_errno(-EINVAL, "Unhandled option.");
        }
        return 0;
}

/* Parses options from argv[optind] on; with stop_at_verb, stops at the first non-option. */
static int parse_options(int argc, char *argv[], bool stop_at_verb) {
        static const struct option options[] = {
                { "help",            no_argument,       NULL, 'h'                 },
                { "version",         no_argument,       NULL, ARG_VERSION         },
                { "no-pager",        no_argument,       NULL, ARG_NO_PAGER        },
                { "no-legend",       no_argument,       NULL, ARG_NO_LEGEND       },
                { "json",            required_argument, NULL, ARG_JSON            },
                { "all",             no_argument,       NULL, 'a'                 },
                { "systemd-version", required_argument, NULL, ARG_SYSTEMD_VERSION },
                { "token-support",   required_argument, NULL, ARG_TOKEN_SUPPORT   },
                { "root",            required_argument, NULL, ARG_ROOT            },
                { "btf",             required_argument, NULL, ARG_BTF             },
                { "policy",          no_argument,       NULL, ARG_POLICY          },
                { "threshold",       required_argument, NULL, ARG_THRESHOLD       },
                {}
        };
        int c, r;

        while ((c = getopt_long(argc, argv, stop_at_verb ? "+ha" : "ha", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        (void) help();
                        return 0;
                case ARG_VERSION:
                        printf("bpftoken-analyze %s\n", PROJECT_VERSION);
                        return 0;
                case ARG_NO_PAGER:
                        arg_pager = false;
                        break;
                case ARG_NO_LEGEND:
                        arg_legend = false;
                        break;
                case 'a':
                        arg_all = true;
                        break;
                case ARG_ROOT:
                        arg_root = optarg;
                        break;
                case ARG_BTF:
                        arg_btf = optarg;
                        break;
                case ARG_POLICY:
                        arg_policy = true;
                        break;
                case ARG_JSON:
                case ARG_SYSTEMD_VERSION:
                case ARG_TOKEN_SUPPORT:
                case ARG_THRESHOLD:
                        r = parse_option_value(c, optarg);
                        if (r < 0)
                                return r;
                        break;
                case '?':
                        return -EINVAL;
                default:
                        return log_error_errno(-EINVAL, "Unhandled option.");
                }

        return 1;
}

/* 'explain' takes what a program printed, which may start with '-' ("-1"): after that verb only
 * arguments that are exactly one of our options count as options. */
static int parse_explain_args(int *argc, char *argv[]) {
        int n = 1;

        for (int i = 1; i < *argc; i++) {
                const char *a = argv[i];

                if (streq(a, "--")) {
                        for (i++; i < *argc; i++)
                                argv[n++] = argv[i];
                        break;
                }
                if (streq(a, "--no-pager"))
                        arg_pager = false;
                else if (streq(a, "--no-legend"))
                        arg_legend = false;
                else if (startswith(a, "--json=")) {
                        TableJsonMode m = table_json_mode_from_string(a + 7);

                        if (m < 0)
                                return log_error_errno(-EINVAL, "Invalid --json= mode '%s': use pretty, short or off.", a + 7);
                        arg_json = m;
                } else
                        argv[n++] = argv[i];
        }
        argv[n] = NULL;
        *argc = n;
        return 0;
}

int main(int argc, char *argv[]) {
        char **verb_argv;
        int r, verb_argc;

        log_setup("bpftoken-analyze", LOG_TARGET_STDERR);
        /* libsmartcols measures and escapes text by the locale's character set. */
        (void) setlocale(LC_ALL, "");

        /* Options before the verb, then the verb, then (except for explain) options mixed with
         * the verb's arguments, as systemd-analyze takes them. */
        r = parse_options(argc, argv, true);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_SUCCESS;
        if (optind >= argc) {
                log_error("Missing command; see --help.");
                return EXIT_USAGE;
        }

        verb_argv = argv + optind;
        verb_argc = argc - optind;
        if (streq(verb_argv[0], "explain")) {
                r = parse_explain_args(&verb_argc, verb_argv);
                if (r < 0)
                        return EXIT_USAGE;
        } else if (streq(verb_argv[0], "monitor") || streq(verb_argv[0], "learn")) {
                /* These parse their own options (monitor_parse_argv()): 'learn -- CMD' must leave
                 * CMD's options alone. */
        } else {
                optind = 0; /* re-initialise getopt */
                r = parse_options(verb_argc, verb_argv, false);
                if (r <= 0)
                        return r < 0 ? EXIT_USAGE : EXIT_SUCCESS;
                /* getopt moved the non-options to the end, from optind on; the verb stays first */
                for (int i = optind; i < verb_argc; i++)
                        verb_argv[1 + i - optind] = verb_argv[i];
                verb_argc = 1 + verb_argc - optind;
                verb_argv[verb_argc] = NULL;
        }

        if (arg_root) {
                struct stat st;
                bool exists = stat(arg_root, &st) >= 0;

                if (!exists || !S_ISDIR(st.st_mode)) {
                        log_error("--root=%s: %s; give the directory that holds the tree's etc/ and usr/.", arg_root,
                                  exists ? "not a directory" : "no such directory or not accessible");
                        return EXIT_FAILURE;
                }
        }

        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                if (!streq(verb_argv[0], verbs[i].name))
                        continue;

                r = verbs[i].func(verb_argc, verb_argv);
                fflush(stdout);
                pager_close();
                if (r == ANALYZE_EXIT_FINDINGS)
                        return ANALYZE_EXIT_FINDINGS;
                if (r < 0)
                        return analyze_usage_error() ? EXIT_USAGE : EXIT_FAILURE;
                return EXIT_SUCCESS;
        }

        log_error("Unknown command '%s'; see --help.", verb_argv[0]);
        return EXIT_USAGE;
}
