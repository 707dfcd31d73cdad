/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * 'explain': turns what a failing program printed (an errno, a libbpf message, a whole log on
 * stdin) into the likely missing delegation and what to change.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "token-errors.h"

#define EXPLAIN_INPUT_MAX (1024U * 1024U)

/* What the libbpf probes and most loaders need, as unit settings. */
#define BASELINE_SETTINGS \
        "BPFDelegateCommands=BPFMapCreate,BPFProgLoad,BPFBtfLoad, BPFDelegateMaps=BPFMapTypeArray, " \
        "BPFDelegatePrograms=BPFProgTypeSocketFilter and BPFDelegateAttachments=any (or X-BPFTokenPreset=libbpf)"

/* What verify says about capabilities for User= units, in the same words: bpftoken-generator grants
 * them inside the unit's user namespace. */
#define USER_CAPS_ADVICE(caps) \
        "for User= units bpftoken-generator grants " caps " inside the unit's user namespace by itself (do " \
        "not add AmbientCapabilities=" caps " without PrivateUsers=yes: on systemd < 258 it would apply on the host)"

typedef struct Rule {
        const char *id;
        const char *const *patterns;    /* any of these, case-insensitive; NULL: errno only */
        int error;                      /* only with this errno; 0: any (or none) */
        const char *cause;
        const char *fix;
        const char *missing[_BPF_KIND_MAX]; /* kernel names the fix delegates, for JSON */
} Rule;

static const char *const p_probe[] = {
        "bpf_object__probe_loading", "couldn't load trivial bpf program", "failed to load trivial", NULL
};
static const char *const p_token[] = {
        "failed to create bpf token", "bpf_token_create", "bpf token", "token_create", NULL
};
static const char *const p_token_path[] = { "libbpf_bpf_token_path", "bpf_token_path", NULL };
static const char *const p_map[] = {
        "failed to create map", "bpf_map_create", "map_create", "error in bpf_create_map", "failed to create: ",
        "bpf_object__create_map", NULL
};
static const char *const p_prog[] = {
        "bpf program load failed", "failed to load program", "failed to load bpf program", "load bpf program failed",
        "error loading bpf program", "prog_load", "bpf_prog_load", "program load failed", NULL
};
static const char *const p_btf[] = {
        "error loading .btf", "btf loading error", "failed to load btf", "btf_load", "error loading btf",
        "failed to upload btf", NULL
};
static const char *const p_perf[] = {
        "perf_event_open", "failed to create kprobe", "failed to create uprobe", "attach_kprobe", "attach_uprobe",
        "create perf event", NULL
};
static const char *const p_pin[] = { "failed to pin", "obj_pin", "bpf_obj_pin", NULL };
static const char *const p_list[] = {
        "get_next_id", "can't get next", "map list", "prog list", "prog show", "map show", NULL
};
static const char *const p_helper[] = {
        "unknown func bpf_probe_read", "helper call is not allowed", "program of this type cannot use helper",
        "bpf_probe_read_kernel", "bpf_get_current_task", NULL
};
static const char *const p_memlock[] = { "memlock", "rlimit", NULL };
static const char *const p_verifier[] = {
        "-- begin prog load log --", "invalid bpf_context access", "r0 !read_ok", "unreachable insn",
        "back-edge", "invalid mem access", "processed ", NULL
};
static const char *const p_exec[] = { "bpftoken-exec", "publisher", NULL };

static const Rule rules[] = {
        { "libbpf-probe", p_probe, 0,
          "libbpf (1.4 to 1.7) loads a trivial socket filter, expected attach type 0, through the token before "
          "anything else; the kernel ignores a token that does not cover it.",
          "Delegate what libbpf's probes need: " BASELINE_SETTINGS ". The program also needs CAP_BPF inside "
          "its user namespace.",
          { "map_create,prog_load,btf_load", "array", "socket_filter", "cgroup_inet_ingress" } },
        { "token-path", p_token_path, 0,
          "libbpf was told where the token is (LIBBPF_BPF_TOKEN_PATH or bpf_token_path), which makes any "
          "failure to create it fatal.",
          "Check that the path is the root of a delegated bpffs in the program's mount namespace "
          "(bpftoken-analyze mounts); an empty LIBBPF_BPF_TOKEN_PATH disables tokens.", {} },
        { "token-create", p_token, 0, NULL, NULL, {} },   /* cause from token_create_error_sentence() */
        { "btf-load", p_btf, 0,
          "Uploading BTF failed: the token does not delegate btf_load, so the kernel ignored it.",
          "Add BPFDelegateCommands=BPFBtfLoad (kernel spelling btf_load).", { "btf_load" } },
        { "map-create", p_map, EPERM,
          "Creating a map failed with EPERM: the token lacks the map_create command or this map's type (the "
          "kernel then ignores the token), or the program lacks CAP_BPF in its user namespace (some map types "
          "need CAP_NET_ADMIN: sockmap, sockhash, devmap, xskmap).",
          "Add BPFDelegateCommands=BPFMapCreate and the map's type to BPFDelegateMaps= (bpftoken-analyze names "
          "maps); " USER_CAPS_ADVICE("CAP_BPF") ".", { "map_create" } },
        { "map-create-invalid", p_map, EINVAL,
          "Creating a map failed with EINVAL: the kernel refused the map's definition (key or value size, "
          "max_entries, flags, or a map type this kernel does not know). This is not the delegation: a token "
          "that lacks the command or the type gives EPERM.",
          "Check the map's definition against the kernel ('bpftoken-analyze names maps' lists the types it "
          "knows), and the libbpf log above the error.", {} },
        { "verifier", p_verifier, EACCES,
          "The verifier rejected the program (EACCES): this is about the program's code, not the delegation.",
          "Read the verifier log libbpf printed between BEGIN and END PROG LOAD LOG.", {} },
        { "helper-perfmon", p_helper, 0,
          "The program uses helpers that need CAP_PERFMON (reading kernel memory, current task) and the "
          "process holds no CAP_PERFMON in its user namespace, or the program type is not delegated.",
          "Delegate the tracing program type and grant CAP_PERFMON inside the namespace "
          "(" USER_CAPS_ADVICE("CAP_PERFMON") "); see bpftoken-analyze security for what that exposes.",
          {} },
        { "prog-load", p_prog, EPERM,
          "Loading a program failed with EPERM: the token lacks prog_load, the program's type, or its expected "
          "attach type (the kernel needs both type bits, and then ignores a token that lacks either), or the "
          "program lacks CAP_BPF (CAP_PERFMON for tracing, CAP_NET_ADMIN for networking types) in its user "
          "namespace.",
          "Add BPFDelegateCommands=BPFProgLoad, the program type to BPFDelegatePrograms= and its attach type to "
          "BPFDelegateAttachments= (any is simplest); " USER_CAPS_ADVICE("CAP_BPF") ".",
          { "prog_load", NULL, NULL, NULL } },
        { "prog-load-invalid", p_prog, EINVAL,
          "Loading a program failed with EINVAL: the kernel refused the program's attributes (an unknown "
          "program or expected attach type, bad flags, or BTF it cannot use). This is not the delegation: a token "
          "that lacks the command or the types gives EPERM.",
          "Read the verifier and libbpf log; 'bpftoken-analyze names programs' lists the types this kernel knows.",
          {} },
        { "perf-attach", p_perf, 0,
          "Attaching kprobes, uprobes or tracepoints through perf_event_open() follows the initial namespace's "
          "perf rules (kernel.perf_event_paranoid, CAP_PERFMON on the host): a token does not help there.",
          "Attach through BPF links instead (fentry/fexit, raw tracepoints), or run the loader outside the user "
          "namespace.", {} },
        { "pin", p_pin, 0,
          "Pinning failed: /sys/fs/bpf/token is a read-only view of the instance, and a token itself cannot "
          "be pinned.",
          "Pin below /sys/fs/bpf (the writable instance), not below /sys/fs/bpf/token.", {} },
        { "list-ids", p_list, EPERM,
          "Listing or opening programs and maps by ID (*_GET_NEXT_ID, *_GET_FD_BY_ID) takes no token and needs "
          "CAP_SYS_ADMIN on the host: 'bpftool map list' fails inside a user namespace by design.",
          "Inspect from the host, or keep the fds your program created.", {} },
        { "memlock", p_memlock, 0,
          "An old libbpf (< 1.0) raises RLIMIT_MEMLOCK before loading; kernels >= 5.11 account BPF memory to "
          "the cgroup instead, so this is unrelated to the token.",
          "Use libbpf >= 1.4 (it also picks up the token by itself), or LimitMEMLOCK=infinity.", {} },
        { "bpftoken-exec", p_exec, 0,
          "bpftoken itself reported the failure: its message names the step and what to change.",
          "Run 'bpftoken-analyze status UNIT' for the unit's requested and effective delegation.", {} },
};

/* Explanations of a bare errno in the context of BPF tokens. */
static const struct {
        int error;
        const char *cause;
        const char *fix;
} errno_rules[] = {
        { EPERM,
          "EPERM from BPF_TOKEN_CREATE: the bpffs belongs to another user namespace, or the process lacks "
          "CAP_BPF in its own. EPERM from a map create, program load or BTF load: the token does not cover that "
          "command or type (the kernel then ignores the token and applies the host's rules), or CAP_BPF, "
          "CAP_PERFMON or CAP_NET_ADMIN is missing inside the namespace.",
          "Run 'bpftoken-analyze tokens' or 'status UNIT' to see the delegated masks, and add the missing command, "
          "map type, program type and attach type; " USER_CAPS_ADVICE("CAP_BPF") "." },
        { ENOENT, NULL, NULL },
        { EOPNOTSUPP, NULL, NULL },
        { EINVAL,
          "EINVAL from BPF_TOKEN_CREATE: the directory is not the root of a bpffs (a subdirectory, or no "
          "delegated instance attached); from fsconfig(): an unknown delegate_* name on this kernel.",
          "Check 'bpftoken-analyze mounts' for the unit's instance; use names from 'bpftoken-analyze names'." },
        { EBADF, NULL, NULL },
        { EACCES,
          "EACCES from a program load is the verifier rejecting the program; from perf_event_open() it is the "
          "host's perf policy, which tokens do not change.",
          "Read the verifier log; attach through BPF links (fentry, raw tracepoints) instead of perf events." },
        { ENOSYS, NULL, NULL },
        { E2BIG,
          "E2BIG from bpf(): the program's libbpf or kernel headers are newer than the kernel and pass fields it "
          "does not know.",
          "Use a libbpf that matches the kernel, or a newer kernel." },
};

typedef struct Explanation {
        const char *id;
        const char *cause;
        const char *fix;
        const Rule *rule;
} Explanation;

static bool contains_ci(const char *haystack, const char *needle) {
        return strcasestr(haystack, needle) != NULL;
}

/* Find an errno in free text: strerror() texts, E-names, or negative numbers as libbpf prints them
 * ("-1", "err=-13", "(-1)", "error -1"). 0 if none. */
static int find_errno(const char *s) {
        static const int interesting[] = {
                EPERM, EACCES, ENOENT, EOPNOTSUPP, EINVAL, EBADF, ENOSYS, E2BIG, EROFS, EEXIST, ENOMEM, EFAULT,
        };
        const char *p;

        for (size_t i = 0; i < ELEMENTSOF(interesting); i++)
                if (contains_ci(s, strerror(interesting[i])))
                        return interesting[i];

        /* "EPERM" as a word */
        for (p = s; *p; p++) {
                char word[32];
                size_t l = 0;
                int e;

                if (*p != 'E' || (p > s && (isalnum((unsigned char) p[-1]) || p[-1] == '_')))
                        continue;
                while (l < sizeof word - 1 && (isupper((unsigned char) p[l]) || isdigit((unsigned char) p[l])))
                        word[l] = p[l], l++;
                word[l] = '\0';
                if (l < 3 || isalnum((unsigned char) p[l]) || p[l] == '_')
                        continue;
                e = errno_from_string(word);
                if (e > 0)
                        return e;
        }

        /* "-1", "-13": a minus sign not preceded by a word character, then digits, then not a word
         * character */
        for (p = s; *p; p++) {
                long v;
                char *end;

                if (*p != '-' || !isdigit((unsigned char) p[1]))
                        continue;
                if (p > s && (isalnum((unsigned char) p[-1]) || p[-1] == '_' || p[-1] == '-'))
                        continue;
                v = strtol(p + 1, &end, 10);
                if (isalnum((unsigned char) *end) || (*end == '.' && isdigit((unsigned char) end[1])))
                        continue;
                if (v > 0 && v < 134)
                        return (int) v;
        }
        return 0;
}

static int add_explanation(Explanation **l, size_t *n, const char *id, const char *cause, const char *fix,
                           const Rule *rule) {
        Explanation *x;

        for (size_t i = 0; i < *n; i++)
                if (streq((*l)[i].id, id))
                        return 0;
        x = reallocarray(*l, *n + 1, sizeof *x);
        if (!x)
                return -ENOMEM;
        *l = x;
        x[(*n)++] = (Explanation) { .id = id, .cause = cause, .fix = fix, .rule = rule };
        return 0;
}

static int explain_text(const char *text, int error, Explanation **ret, size_t *ret_n) {
        Explanation *l = NULL;
        size_t n = 0;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(rules); i++) {
                const Rule *rule = &rules[i];
                bool match = false;

                for (const char *const *p = rule->patterns; p && *p; p++)
                        if (contains_ci(text, *p))
                                match = true;
                if (!match)
                        continue;
                if (rule->error != 0 && error != 0 && rule->error != error)
                        continue;

                if (streq(rule->id, "token-create")) {
                        if (error == 0)
                                r = add_explanation(&l, &n, rule->id,
                                                    "BPF_TOKEN_CREATE failed; the errno decides why.",
                                                    "Run 'bpftoken-analyze explain ERRNO' with the error it printed.",
                                                    rule);
                        else
                                r = add_explanation(&l, &n, rule->id, token_create_error_sentence(error),
                                                    "See 'bpftoken-analyze status UNIT' for the unit's namespaces "
                                                    "and instance.", rule);
                } else
                        r = add_explanation(&l, &n, rule->id, rule->cause, rule->fix, rule);
                if (r < 0)
                        goto fail;
        }

        /* Nothing specific: explain the errno in the token context. */
        if (n == 0 && error != 0)
                for (size_t i = 0; i < ELEMENTSOF(errno_rules); i++) {
                        if (errno_rules[i].error != error)
                                continue;
                        if (errno_rules[i].cause)
                                r = add_explanation(&l, &n, errno_to_name(error) ?: "errno", errno_rules[i].cause,
                                                    errno_rules[i].fix, NULL);
                        else
                                r = add_explanation(&l, &n, errno_to_name(error) ?: "errno",
                                                    token_create_error_sentence(error),
                                                    "See 'bpftoken-analyze status UNIT' or 'bpftoken-analyze mounts'.",
                                                    NULL);
                        if (r < 0)
                                goto fail;
                }

        *ret = l;
        *ret_n = n;
        return 0;
fail:
        free(l);
        return r;
}

static int read_stdin(char **ret) {
        char *buf;
        size_t size;
        int r;

        /* Less than EXPLAIN_INPUT_MAX bytes; any read error is EIO. */
        r = read_full_fd(STDIN_FILENO, EXPLAIN_INPUT_MAX - 1, &buf, &size);
        if (r < 0)
                return r == -E2BIG || r == -ENOMEM ? r : -EIO;
        /* NUL bytes would hide the rest from the string functions */
        for (size_t i = 0; i < size; i++)
                if (buf[i] == '\0')
                        buf[i] = ' ';
        *ret = buf;
        return 0;
}

static json_object *missing_to_json(const Rule *rule) {
        json_object *o;
        bool any = false;

        if (!rule)
                return NULL;
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                if (rule->missing[k])
                        any = true;
        if (!any)
                return NULL;
        o = json_object_new_object();
        for (BpfKind k = 0; o && k < _BPF_KIND_MAX; k++) {
                json_object *a = json_object_new_array();
                char *copy, *p, *tok;

                if (rule->missing[k] && (copy = strdup(rule->missing[k]))) {
                        for (p = copy; (tok = strsep(&p, ","));)
                                json_object_array_add(a, json_object_new_string(tok));
                        free(copy);
                }
                json_object_object_add(o, bpf_kind_to_string(k), a);
        }
        return o;
}

/* One input's answers: printed, or as a JSON object added to all (an array) or printed alone. */
static int explain_one(const char *text, json_object *all, bool first) {
        _cleanup_(freep) Explanation *l = NULL;
        size_t n = 0;
        int error, r;

        /* A bare errno ("EPERM", "1", "-1", "Operation not permitted") or free text. */
        error = errno_from_string(text);
        if (error < 0)
                error = find_errno(text);

        r = explain_text(text, error, &l, &n);
        if (r < 0)
                return log_oom();

        if (arg_json != TABLE_JSON_OFF) {
                json_object *o = json_object_new_object(), *a = json_object_new_array();

                if (!o || !a) {
                        json_object_put(o);
                        json_object_put(a);
                        return log_oom();
                }
                json_object_object_add(o, "input", json_object_new_string(text));
                json_object_object_add(o, "errno", error > 0 ? json_object_new_int(error) : NULL);
                json_object_object_add(o, "errno_name",
                                       error > 0 && errno_to_name(error) ? json_object_new_string(errno_to_name(error)) : NULL);
                for (size_t i = 0; i < n; i++) {
                        json_object *x = json_object_new_object();

                        json_object_object_add(x, "id", json_object_new_string(l[i].id));
                        json_object_object_add(x, "cause", json_object_new_string(l[i].cause));
                        json_object_object_add(x, "fix", json_object_new_string(l[i].fix));
                        json_object_object_add(x, "delegation", missing_to_json(l[i].rule));
                        json_object_array_add(a, x);
                }
                json_object_object_add(o, "explanations", a);
                if (all)
                        return json_object_array_add(all, o) < 0 ? log_oom() : 0;
                return json_print(o);
        }

        pager_open();
        if (!first)
                printf("\n");
        if (error > 0)
                printf("%s (%s)\n\n", errno_to_name(error) ?: "?", strerror(error));
        else if (!first || all)
                printf("%s\n\n", text);
        if (n == 0) {
                printf("Nothing in this message points at BPF token delegation.\n");
                return 0;
        }
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        printf("\n");
                printf("Likely cause: %s\n", l[i].cause);
                printf("What to change: %s\n", l[i].fix);
        }
        return 0;
}

/* Several arguments that are each an errno ("EACCES EPERM") are several inputs; anything else is one
 * message the shell split into words. */
static bool arguments_are_errnos(int argc, char *argv[]) {
        for (int i = 1; i < argc; i++)
                if (errno_from_string(argv[i]) < 0)
                        return false;
        return argc > 2;
}

int verb_explain(int argc, char *argv[]) {
        _cleanup_(json_object_putp) json_object *all = NULL;
        _cleanup_(freep) char *text = NULL;
        size_t len = 0;
        int r;

        if (argc < 2)
                return log_usage_error("The 'explain' verb needs an errno, a message, or '-' to read stdin.");

        if (arguments_are_errnos(argc, argv)) {
                if (arg_json != TABLE_JSON_OFF) {
                        all = json_object_new_array();
                        if (!all)
                                return log_oom();
                }
                for (int i = 1; i < argc; i++) {
                        r = explain_one(argv[i], all, i == 1);
                        if (r < 0)
                                return r;
                }
                return all ? json_print(TAKE_PTR(all)) : 0;
        }

        if (argc == 2 && streq(argv[1], "-")) {
                r = read_stdin(&text);
                if (r < 0)
                        return log_error_errno(r, "Failed to read standard input: %m");
        } else {
                for (int i = 1; i < argc; i++)
                        len += strlen(argv[i]) + 1;
                text = malloc(len + 1);
                if (!text)
                        return log_oom();
                text[0] = '\0';
                for (int i = 1; i < argc; i++) {
                        if (i > 1)
                                strcat(text, " ");
                        strcat(text, argv[i]);
                }
        }
        return explain_one(text, NULL, true);
}
