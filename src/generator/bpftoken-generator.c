/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bpftoken-generator: a systemd generator (systemd.generator(7)) that turns systemd 258's
 * PrivateBPF= and BPFDelegate*= directives into a working BPF token on older systemd, and adds what
 * the native implementation needs on newer ones. See bpftoken-generator(8).
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "bpf-names.h"
#include "fileio.h"
#include "generator-unit.h"
#include "systemd-version.h"
#include "log.h"
#include "macro.h"
#include "strv.h"
#include "unit-file.h"

#ifndef BUILD_SYSTEMD_VERSION
#  define BUILD_SYSTEMD_VERSION 0
#endif

#define NAMES_MAX 65536u

static const char *arg_root = NULL;
static unsigned arg_systemd_version = 0;
static const char *arg_btf = NULL;
static LogTarget arg_log_target = LOG_TARGET_KMSG;
static const char *arg_dest = NULL;
static const char *arg_dest_early = NULL;
static const char *arg_dest_late = NULL;

/* --- small helpers --------------------------------------------------------------------------- */

static bool endswith_str(const char *s, const char *suffix) {
        size_t ls = strlen(s), lx = strlen(suffix);
        return ls >= lx && streq(s + ls - lx, suffix);
}

/* Adds a unit name to a list, once, and at most NAMES_MAX of them. */
static int names_add(char ***l, const char *s) {
        if (strv_contains(*l, s))
                return 0;
        if (strv_length(*l) >= NAMES_MAX)
                return -E2BIG;
        return strv_extend(l, s);
}

/* foo@bar.service, with a non-empty instance */
static bool is_instance_service(const char *n) {
        return unit_name_classify(n) == UNIT_NAME_INSTANCE && streq(unit_name_type(n), "service");
}

static char *path_join2(const char *a, const char *b) {
        char *p;

        if (asprintf(&p, "%s/%s", a, b) < 0)
                return NULL;
        return p;
}

static bool same_dir(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b);

        while (la > 1 && a[la - 1] == '/')
                la--;
        while (lb > 1 && b[lb - 1] == '/')
                lb--;
        return la == lb && strncmp(a, b, la) == 0;
}

/* --- input ----------------------------------------------------------------------------------- */

/* The unit search path without any generator output directory: ours (the three we were given) and
 * those of the tree we read (other generators run in parallel with us, their output is not ready). */
static int build_search_path(char ***ret) {
        static const char *const gen_dirs[] = {
                "/run/systemd/generator.early", "/run/systemd/generator", "/run/systemd/generator.late",
        };
        _cleanup_(strv_freep) char **sp = NULL, **out = NULL;
        int r;

        r = unit_search_path(arg_root, arg_dest, &sp);
        if (r < 0)
                return r;

        for (char **d = sp; *d; d++) {
                bool skip = same_dir(*d, arg_dest) || same_dir(*d, arg_dest_early) || same_dir(*d, arg_dest_late);

                for (size_t i = 0; i < ELEMENTSOF(gen_dirs) && !skip; i++) {
                        _cleanup_(freep) char *p = NULL;

                        if (asprintf(&p, "%s%s", arg_root ?: "", gen_dirs[i]) < 0)
                                return -ENOMEM;
                        skip = same_dir(*d, p);
                }
                if (skip)
                        continue;
                r = names_add(&out, *d);
                if (r < 0)
                        return r;
        }
        return strv_take_nonnull(&out, ret);
}

typedef int (*search_path_entry_func_t)(const char *path, DIR *dir, const char *name, void *userdata);

/* Calls f for every entry but the "." ones of every directory on the search path; directories that
 * cannot be opened are skipped. f returns < 0 to fail, > 0 to stop early (returned as it is). */
static int foreach_search_path_entry(char *const *sp, search_path_entry_func_t f, void *userdata) {
        int r;

        for (char *const *d = sp; *d; d++) {
                _cleanup_(closedirp) DIR *dir = NULL;
                struct dirent *de;

                dir = opendir(*d);
                if (!dir)
                        continue;
                while ((de = readdir(dir))) {
                        if (de->d_name[0] == '.')
                                continue;
                        r = f(*d, dir, de->d_name, userdata);
                        if (r != 0)
                                return r;
                }
        }
        return 0;
}

static int scan_instances_entry(const char *path, DIR *dir, const char *n, void *userdata) {
        char ***names = userdata;
        int r;

        if (endswith_str(n, ".wants") || endswith_str(n, ".requires") || endswith_str(n, ".upholds")) {
                _cleanup_(closedirp) DIR *sub = NULL;
                _cleanup_(freep) char *p = path_join2(path, n);
                struct dirent *se;

                if (!p)
                        return -ENOMEM;
                sub = opendir(p);
                if (!sub)
                        return 0;
                while ((se = readdir(sub)))
                        if (is_instance_service(se->d_name)) {
                                r = names_add(names, se->d_name);
                                if (r < 0)
                                        return r;
                        }
        } else if (endswith_str(n, ".service.d")) {
                _cleanup_(freep) char *stem = strndup(n, strlen(n) - 2);

                if (!stem)
                        return -ENOMEM;
                if (is_instance_service(stem))
                        return names_add(names, stem);
        }
        return 0;
}

/* Instances that exist only as .wants/.requires/.upholds symlinks or as NAME.d/ drop-in
 * directories: an instance's configuration can differ from its template's. */
static int scan_instances(char *const *sp, char ***names) {
        return foreach_search_path_entry(sp, scan_instances_entry, names);
}

/* The cheap first pass. Every unit file and drop-in is read once and searched for the directive names;
 * only the units such a file can apply to are loaded and merged afterwards. A hit in a drop-in
 * directory that applies to many units (service.d/, foo-.service.d/) makes every service a candidate. */
#define SCAN_FILE_MAX (16u * 1024u * 1024u)

static bool file_mentions_directives(int dir_fd, const char *name) {
        static const char *const needles[] = { "PrivateBPF", "BPFDelegate", "X-BPFToken" };
        _cleanup_(closep) int fd = -EBADF;
        _cleanup_(freep) char *buf = NULL;
        struct stat st;
        ssize_t size;

        fd = openat(dir_fd, name, O_RDONLY|O_CLOEXEC|O_NOCTTY|O_NONBLOCK);
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return false;
        if ((uint64_t) st.st_size > SCAN_FILE_MAX)
                return true; /* let the loader say what is wrong with it */
        buf = malloc((size_t) st.st_size + 1);
        if (!buf)
                return true;
        size = loop_read(fd, buf, (size_t) st.st_size);
        if (size < 0)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(needles); i++)
                if (memmem(buf, (size_t) size, needles[i], strlen(needles[i])))
                        return true;
        return false;
}

/* "service", "foo-.service", "foo-@.service", "foo-@bar.service": drop-in directories that apply to
 * more than one unit name we would otherwise find. */
static bool dropin_dir_is_generic(const char *stem) {
        const char *end;

        if (!strchr(stem, '.'))
                return true;
        end = strchr(stem, '@') ?: strrchr(stem, '.');
        return end > stem && end[-1] == '-';
}

/* 1 if the entry is a generic drop-in directory with a mention: every service is a candidate. */
static int scan_candidates_entry(const char *path, DIR *dir, const char *n, void *userdata) {
        _cleanup_(closedirp) DIR *sub = NULL;
        _cleanup_(freep) char *stem = NULL;
        char ***names = userdata;
        struct dirent *se;
        int sub_fd;

        if (endswith_str(n, ".service"))
                return file_mentions_directives(dirfd(dir), n) ? names_add(names, n) : 0;
        if (!endswith_str(n, ".service.d") && !streq(n, "service.d"))
                return 0;

        sub_fd = openat(dirfd(dir), n, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (sub_fd < 0)
                return 0;
        sub = fdopendir(sub_fd);
        if (!sub) {
                safe_close(sub_fd);
                return 0;
        }
        stem = strndup(n, strlen(n) - 2);
        if (!stem)
                return -ENOMEM;
        while ((se = readdir(sub))) {
                if (se->d_name[0] == '.' || !endswith_str(se->d_name, ".conf") ||
                    !file_mentions_directives(dirfd(sub), se->d_name))
                        continue;
                if (dropin_dir_is_generic(stem))
                        return 1;
                return names_add(names, stem);
        }
        return 0;
}

static int scan_candidates(char *const *sp, char ***names, bool *ret_all) {
        int r;

        *ret_all = false;
        r = foreach_search_path_entry(sp, scan_candidates_entry, names);
        if (r < 0)
                return r;
        *ret_all = r > 0;
        return 0;
}

/* Whether an instance has configuration of its own: a unit file that is not its template's, or
 * drop-ins from a directory named after an instance. */
static bool instance_has_own_config(const UnitConfig *c) {
        _cleanup_(freep) char *t = unit_name_template(c->name);
        const char *base;

        if (!t)
                return true;
        if (c->fragment_path) {
                base = strrchr(c->fragment_path, '/');
                base = base ? base + 1 : c->fragment_path;
                if (!streq(base, t))
                        return true;
        }
        for (char **d = c->dropin_paths; d && *d; d++) {
                const char *end = strrchr(*d, '/'), *start;
                _cleanup_(freep) char *dirname = NULL;

                if (!end)
                        continue;
                for (start = end; start > *d && start[-1] != '/'; start--)
                        ;
                dirname = strndup(start, (size_t) (end - start));
                if (!dirname)
                        return true;
                if (endswith_str(dirname, ".d")) {
                        dirname[strlen(dirname) - 2] = '\0';
                        if (is_instance_service(dirname))
                                return true;
                }
        }
        return false;
}

/* --- output ---------------------------------------------------------------------------------- */

static int mkdir_one(const char *p) {
        if (mkdir(p, 0755) < 0 && errno != EEXIST)
                return negative_errno();
        return 0;
}

/* Writes DIR/SUBDIR/NAME, which must not exist yet ("wxe"), mode 0644. */
static int write_output(const char *subdir, const char *name, const char *contents, char **ret_path) {
        _cleanup_(fclosep) FILE *f = NULL;
        _cleanup_(freep) char *dir = NULL, *p = NULL;
        int r;

        dir = path_join2(arg_dest, subdir);
        if (!dir)
                return log_oom();
        r = mkdir_one(dir);
        if (r < 0)
                return log_error_errno(r, "Failed to create '%s': %m", dir);

        p = path_join2(dir, name);
        if (!p)
                return log_oom();
        f = fopen(p, "wxe");
        if (!f)
                return log_error_errno(negative_errno(), "Failed to create '%s': %m", p);
        if (fchmod(fileno(f), 0644) < 0)
                return log_error_errno(negative_errno(), "Failed to set the mode of '%s': %m", p);
        if (fputs(contents, f) < 0 || fflush(f) != 0 || ferror(f)) {
                r = negative_errno();
                (void) unlink(p);
                return log_error_errno(r, "Failed to write '%s': %m", p);
        }
        r = fclose(TAKE_PTR(f));
        if (r != 0) {
                r = negative_errno();
                (void) unlink(p);
                return log_error_errno(r, "Failed to write '%s': %m", p);
        }

        if (ret_path)
                *ret_path = TAKE_PTR(p);
        return 0;
}

/* The policy first: a drop-in without its policy would wrap commands that then get nothing. */
static int write_plan(const char *unit, const GeneratorPlan *plan) {
        _cleanup_(freep) char *policy_name = NULL, *dropin_dir = NULL, *policy_path = NULL;
        int r;

        if (plan->policy) {
                if (asprintf(&policy_name, "%s.conf", unit) < 0)
                        return log_oom();
                r = write_output(GENERATOR_POLICY_SUBDIR, policy_name, plan->policy, &policy_path);
                if (r < 0)
                        return r;
        }
        if (plan->dropin) {
                if (asprintf(&dropin_dir, "%s.d", unit) < 0)
                        return log_oom();
                r = write_output(dropin_dir, GENERATOR_DROPIN_NAME, plan->dropin, NULL);
                if (r < 0) {
                        if (policy_path)
                                (void) unlink(policy_path);
                        return r;
                }
        }
        return 0;
}

/* --- the run --------------------------------------------------------------------------------- */

typedef struct TemplateState {
        char *name;
        bool writes;   /* its plan writes a drop-in that applies to every instance */
} TemplateState;

typedef struct Run {
        GeneratorContext ctx;
        BpfNames *names_builtin;
        BpfNames *names_kernel;   /* loaded when a unit needs them */
        bool names_fixed;         /* --btf= given: ctx.names is all there is */
        bool names_kernel_failed;
        char **search_path;
        char **done;              /* canonical names handled */
        TemplateState *templates;
        size_t n_templates;
} Run;

static void run_done(Run *run) {
        bpf_names_free(run->names_builtin);
        bpf_names_free(run->names_kernel);
        strv_free(run->search_path);
        strv_free(run->done);
        for (size_t i = 0; i < run->n_templates; i++)
                free(run->templates[i].name);
        free(run->templates);
}

static void log_skip(const Run *run, const char *unit, const char *message) {
        size_t n = strlen(message);
        const char *stop = n > 0 && strchr(".?!", message[n - 1]) ? "" : ".";

        if (run->ctx.systemd_version >= SYSTEMD_NATIVE_BPF_VERSION)
                log_warning("%s: %s%s Leaving the unit to systemd as it is.", unit, message, stop);
        else
                log_warning("%s: %s%s Not setting up BPF token delegation for it.", unit, message, stop);
}

/* Plans with the built-in names, which decide the same as the kernel's for every name they have and
 * cost nothing to load; the kernel's names (parsing its BTF takes a while) only for a unit that
 * inverts a list or names something the built-in table lacks. */
static int plan_for(Run *run, const UnitConfig *c, GeneratorPlan *plan) {
        GeneratorContext ctx;
        int r;

        r = generator_plan_unit(&run->ctx, c, plan);
        if (r < 0)
                return log_error_errno(r, "%s: failed to decide what to do: %m", c->name);
        if (!plan->wants_kernel_names || run->names_fixed)
                return 0;

        if (!run->names_kernel && !run->names_kernel_failed) {
                r = bpf_names_load(NULL, &run->names_kernel);
                if (r < 0) {
                        log_warning_errno(r, "Failed to load the running kernel's BPF names, using the built-in "
                                          "table: %m");
                        run->names_kernel_failed = true;
                }
        }
        if (!run->names_kernel)
                return 0;

        generator_plan_done(plan);
        ctx = run->ctx;
        ctx.names = run->names_kernel;
        r = generator_plan_unit(&ctx, c, plan);
        if (r < 0)
                return log_error_errno(r, "%s: failed to decide what to do: %m", c->name);
        return 0;
}

/* Whether the template's drop-in (which applies to all its instances) is written. */
static int template_writes(Run *run, const char *template, bool *ret) {
        _cleanup_(unit_config_freep) UnitConfig *c = NULL;
        GeneratorPlan plan = {};
        TemplateState *n;
        bool writes = false;
        int r;

        for (size_t i = 0; i < run->n_templates; i++)
                if (streq(run->templates[i].name, template)) {
                        *ret = run->templates[i].writes;
                        return 0;
                }

        r = unit_config_load(run->search_path, template, NULL, &c);
        if (r >= 0) {
                r = plan_for(run, c, &plan);
                if (r < 0)
                        return r;
                writes = plan.result == PLAN_WRITE && plan.dropin;
                generator_plan_done(&plan);
        } else if (r == -ENOMEM)
                return log_oom();

        n = reallocarray(run->templates, run->n_templates + 1, sizeof(TemplateState));
        if (!n)
                return log_oom();
        run->templates = n;
        n[run->n_templates] = (TemplateState) { .name = strdup(template), .writes = writes };
        if (!n[run->n_templates].name)
                return log_oom();
        run->n_templates++;
        *ret = writes;
        return 0;
}

static int handle_unit(Run *run, const char *name) {
        _cleanup_(unit_config_freep) UnitConfig *c = NULL;
        GeneratorPlan plan = {};
        bool instance, mask = false;
        int r;

        r = unit_config_load(run->search_path, name, NULL, &c);
        if (r == -ENOENT)
                return 0;
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0) {
                log_warning_errno(r, "%s: failed to read its unit file or drop-ins, ignoring: %m", name);
                return 0;
        }

        if (strv_contains(run->done, c->name))
                return 0;
        r = names_add(&run->done, c->name);
        if (r < 0)
                return log_oom();

        if (c->masked) {
                if (generator_unit_has_directives(c))
                        log_debug("%s: masked, skipping.", c->name);
                return 0;
        }

        instance = is_instance_service(c->name);
        if (instance && !instance_has_own_config(c))
                return 0; /* the template's drop-in covers it */

        r = plan_for(run, c, &plan);
        if (r < 0)
                return r;

        switch (plan.result) {
        case PLAN_WRITE:
                for (char **n = plan.notes; n && *n; n++)
                        log_notice("%s: %s.", c->name, *n);
                r = write_plan(c->name, &plan);
                if (r >= 0 && plan.dropin)
                        log_debug("%s: wrote %s.d/%s%s.", c->name, c->name, GENERATOR_DROPIN_NAME,
                                  plan.policy ? " and its policy" : "");
                generator_plan_done(&plan);
                return r;
        case PLAN_SKIP:
                log_skip(run, c->name, plan.message);
                mask = instance;
                break;
        case PLAN_IGNORE:
        default:
                mask = instance;
        }
        generator_plan_done(&plan);

        if (mask) {
                _cleanup_(freep) char *t = unit_name_template(c->name);
                bool writes = false;

                if (!t)
                        return log_oom();
                r = template_writes(run, t, &writes);
                if (r < 0 || !writes)
                        return r;
                r = generator_plan_mask_instance(&run->ctx, c->name, t, &plan);
                if (r < 0)
                        return log_oom();
                r = write_plan(c->name, &plan);
                generator_plan_done(&plan);
                if (r >= 0)
                        log_debug("%s: masked the drop-in of %s.", c->name, t);
                return r;
        }
        return 0;
}

static unsigned determine_systemd_version(void) {
        const char *source;
        unsigned v;
        int r;

        if (arg_systemd_version > 0)
                return arg_systemd_version;

        r = systemd_version_detect(arg_root, &v, &source);
        if (r >= 0) {
                log_debug("systemd %u, from %s.", v, source);
                return v;
        }

        log_debug("Cannot tell the systemd version, assuming %u (built against it).", BUILD_SYSTEMD_VERSION);
        return BUILD_SYSTEMD_VERSION;
}

static int run(void) {
        _cleanup_(strv_freep) char **units = NULL, **candidates = NULL, **everything = NULL;
        bool all = false;
        Run run = {};
        int r, ret = 0;

        r = build_search_path(&run.search_path);
        if (r < 0) {
                log_error_errno(r, "Failed to build the unit search path: %m");
                goto finish;
        }

        r = scan_candidates(run.search_path, &candidates, &all);
        if (r < 0) {
                log_error_errno(r, "Failed to read the unit files: %m");
                goto finish;
        }
        if (!all && !candidates) {
                log_debug("No unit mentions PrivateBPF=, BPFDelegate*= or X-BPFToken*=.");
                goto finish;
        }

        if (arg_btf && !streq(arg_btf, "builtin")) {
                r = bpf_names_load(arg_btf, &run.names_kernel);
                run.names_fixed = true;
        } else {
                r = bpf_names_new_builtin(&run.names_builtin);
                run.names_fixed = arg_btf != NULL;
        }
        if (r < 0) {
                log_error_errno(r, "Failed to load the BPF names: %m");
                goto finish;
        }

        run.ctx = (GeneratorContext) {
                .names = run.names_kernel ?: run.names_builtin,
                .systemd_version = determine_systemd_version(),
                .exec_path = BPFTOKEN_EXEC_PATH,
                .socket_unit = GENERATOR_PUBLISH_SOCKET_UNIT,
                .socket_path = BPFTOKEN_PUBLISH_SOCKET,
                .root = arg_root,
        };
        if (run.ctx.systemd_version == 0) {
                r = log_error_errno(-EINVAL, "Cannot tell the systemd version; pass --systemd-version=.");
                goto finish;
        }

        r = unit_enumerate(run.search_path, &everything);
        if (r < 0) {
                log_error_errno(r, "Failed to enumerate units: %m");
                goto finish;
        }
        r = scan_instances(run.search_path, &everything);
        if (r < 0) {
                log_error_errno(r, "Failed to enumerate instances: %m");
                goto finish;
        }

        if (all)
                units = TAKE_PTR(everything);
        else {
                /* The candidates, and the instances of candidate templates (their own drop-ins may
                 * turn the delegation off, then the template's drop-in must be masked for them). */
                units = TAKE_PTR(candidates);
                for (char **u = everything; *u; u++) {
                        _cleanup_(freep) char *t = NULL;

                        if (!is_instance_service(*u))
                                continue;
                        t = unit_name_template(*u);
                        if (!t) {
                                r = log_oom();
                                goto finish;
                        }
                        if (!strv_contains(units, t))
                                continue;
                        r = names_add(&units, *u);
                        if (r < 0) {
                                log_oom();
                                goto finish;
                        }
                }
        }
        strv_sort(units);

        for (char **u = units; u && *u; u++) {
                if (!endswith_str(*u, ".service"))
                        continue;
                r = handle_unit(&run, *u);
                if (r < 0 && ret == 0)
                        ret = r;
                if (r == -ENOMEM)
                        break;
        }
        r = ret;

finish:
        run_done(&run);
        return r;
}

/* --- command line ---------------------------------------------------------------------------- */

static void help(void) {
        printf("%s [OPTIONS...] NORMAL-DIR [EARLY-DIR LATE-DIR]\n\n"
               "Turn PrivateBPF= and BPFDelegate*= in service units into BPF token delegation.\n"
               "Run by systemd at boot and at every daemon-reload; see bpftoken-generator(8).\n\n"
               "  -h --help                 Show this help\n"
               "     --version              Show the version\n"
               "     --root=DIR             Read unit files below DIR\n"
               "     --systemd-version=N    Generate for systemd N instead of the running one\n"
               "     --btf=PATH|builtin     Take BPF names from PATH or the built-in table\n"
               "     --log-target=kmsg|stderr\n"
               "                            Where messages go (default: kmsg)\n",
               program_invocation_short_name);
}

static int parse_argv(int argc, char *argv[]) {
        enum {
                ARG_VERSION = 0x100,
                ARG_ROOT,
                ARG_SYSTEMD_VERSION,
                ARG_BTF,
                ARG_LOG_TARGET,
        };
        static const struct option options[] = {
                { "help",            no_argument,       NULL, 'h'                 },
                { "version",         no_argument,       NULL, ARG_VERSION         },
                { "root",            required_argument, NULL, ARG_ROOT            },
                { "systemd-version", required_argument, NULL, ARG_SYSTEMD_VERSION },
                { "btf",             required_argument, NULL, ARG_BTF             },
                { "log-target",      required_argument, NULL, ARG_LOG_TARGET      },
                {}
        };
        const char *e;
        int c, r;

        /* The environment is for tests and for running by hand; options win. */
        e = secure_getenv("BPFTOKEN_GENERATOR_ROOT");
        if (!isempty(e))
                arg_root = e;
        e = secure_getenv("BPFTOKEN_SYSTEMD_VERSION");
        if (!isempty(e)) {
                r = systemd_version_parse(e, &arg_systemd_version);
                if (r < 0)
                        return log_error_errno(r, "Invalid $BPFTOKEN_SYSTEMD_VERSION: '%s'.", e);
        }
        e = secure_getenv("BPFTOKEN_GENERATOR_BTF");
        if (!isempty(e))
                arg_btf = e;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("bpftoken-generator %s\n", PROJECT_VERSION);
                        return 0;
                case ARG_ROOT:
                        arg_root = optarg;
                        break;
                case ARG_SYSTEMD_VERSION:
                        r = systemd_version_parse(optarg, &arg_systemd_version);
                        if (r < 0)
                                return log_error_errno(r, "Invalid --systemd-version=: '%s'.", optarg);
                        break;
                case ARG_BTF:
                        arg_btf = optarg;
                        break;
                case ARG_LOG_TARGET:
                        if (streq(optarg, "kmsg"))
                                arg_log_target = LOG_TARGET_KMSG;
                        else if (streq(optarg, "stderr"))
                                arg_log_target = LOG_TARGET_STDERR;
                        else
                                return log_error_errno(-EINVAL, "Invalid --log-target=: '%s'.", optarg);
                        break;
                case '?':
                        return -EINVAL;
                default:
                        return log_error_errno(-EINVAL, "Unknown option code '%c'.", c);
                }

        if (arg_root && (isempty(arg_root) || streq(arg_root, "/")))
                arg_root = NULL;
        if (arg_root && arg_root[0] != '/')
                return log_error_errno(-EINVAL, "--root= takes an absolute path: '%s'.", arg_root);

        if (argc - optind != 1 && argc - optind != 3)
                return log_error_errno(-EINVAL, "Expected 1 or 3 directories, got %d.", argc - optind);
        for (int i = optind; i < argc; i++)
                if (argv[i][0] != '/')
                        return log_error_errno(-EINVAL, "Output directories must be absolute paths: '%s'.",
                                               argv[i]);

        arg_dest = argv[optind];
        arg_dest_early = argc - optind == 3 ? argv[optind + 1] : arg_dest;
        arg_dest_late = argc - optind == 3 ? argv[optind + 2] : arg_dest;
        return 1;
}

int main(int argc, char *argv[]) {
        int r;

        /* Options are read before logging is set up, so that --log-target= applies to everything. */
        for (int i = 1; i < argc; i++)
                if (streq(argv[i], "--log-target=stderr"))
                        arg_log_target = LOG_TARGET_STDERR;
                else if (streq(argv[i], "--"))
                        break;
        log_setup("bpftoken-generator", arg_log_target);

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;

        umask(0022);
        r = run();
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
