/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "analyze.h"
#include "systemd-version.h"
#include "bpf-token-uapi.h"
#include "log.h"
#include "macro.h"

TableJsonMode arg_json = TABLE_JSON_OFF;
bool arg_legend = true;
bool arg_pager = true;
bool arg_all = false;
bool arg_policy = false;
unsigned arg_threshold = 100;
int arg_systemd_version = -1;
int arg_token_support = -1;
const char *arg_root = NULL;
const char *arg_btf = NULL;

static BpfNames *cached_names = NULL;
static pid_t pager_pid = 0;

static void names_cleanup(void) {
        cached_names = bpf_names_free(cached_names);
}

int analyze_names(const BpfNames **ret) {
        int r;

        if (!cached_names) {
                r = bpf_names_load(arg_btf, &cached_names);
                if (r < 0)
                        return log_error_errno(r, "Failed to load BPF names%s%s: %m",
                                               arg_btf ? " from " : "", arg_btf ?: "");
                atexit(names_cleanup);
                if (bpf_names_source(cached_names) == BPF_NAMES_SOURCE_BUILTIN)
                        log_debug("No usable kernel BTF, using the built-in name table.");
        }
        *ret = cached_names;
        return 0;
}

int require_root(const char *verb) {
        if (geteuid() == 0)
                return 0;
        log_error("The '%s' verb needs root privileges, since it reads other processes' %s.", verb,
                  streq(verb, "tokens") ? "file descriptors" : "namespaces");
        return -EPERM;
}

void pager_open(void) {
        _cleanup_(freep) char *cmd = NULL;
        const char *pager;
        int fds[2];
        pid_t pid;

        if (!arg_pager || pager_pid > 0 || !isatty(STDOUT_FILENO))
                return;

        pager = secure_getenv("BPFTOKEN_PAGER") ?: secure_getenv("SYSTEMD_PAGER") ?: secure_getenv("PAGER");
        if (pager && (isempty(pager) || streq(pager, "cat")))
                return;

        fflush(stdout);
        if (pipe2(fds, O_CLOEXEC) < 0)
                return;

        pid = fork();
        if (pid < 0) {
                close(fds[0]);
                close(fds[1]);
                return;
        }
        if (pid == 0) {
                if (dup2(fds[0], STDIN_FILENO) < 0)
                        _exit(EXIT_FAILURE);
                (void) setenv("LESS", "FRSXMK", 0);
                if (pager)
                        execl("/bin/sh", "sh", "-c", pager, (char *) NULL);
                execlp("less", "less", (char *) NULL);
                execlp("more", "more", (char *) NULL);
                /* No pager: copy through. */
                {
                        char buf[4096];
                        ssize_t n;

                        while ((n = read(STDIN_FILENO, buf, sizeof buf)) > 0)
                                if (write(STDOUT_FILENO, buf, (size_t) n) != n)
                                        break;
                }
                _exit(EXIT_SUCCESS);
        }

        if (dup2(fds[1], STDOUT_FILENO) < 0) {
                close(fds[0]);
                close(fds[1]);
                (void) kill(pid, SIGTERM);
                (void) waitpid(pid, NULL, 0);
                return;
        }
        close(fds[0]);
        close(fds[1]);
        pager_pid = pid;
        (void) signal(SIGPIPE, SIG_IGN);
}

void pager_close(void) {
        if (pager_pid <= 0)
                return;
        fflush(stdout);
        (void) close(STDOUT_FILENO);
        (void) waitpid(pager_pid, NULL, 0);
        pager_pid = 0;
}

int analyze_print_table(Table *t) {
        int r;

        table_set_legend(t, arg_legend);
        table_set_header(t, arg_legend);
        pager_open();
        r = table_print_mode(t, arg_json, stdout);
        if (r < 0)
                return log_error_errno(r, "Failed to print the table: %m");
        return 0;
}

static bool usage_error = false;

int log_usage_error(const char *fmt, ...) {
        char msg[1024];
        va_list ap;

        usage_error = true;
        va_start(ap, fmt);
        (void) vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        return log_error_errno(-EINVAL, "%s", msg);
}

bool analyze_usage_error(void) {
        return usage_error;
}

int analyze_scan_prepare(const char *verb, int argc, const BpfNames **ret_names) {
        int r;

        if (argc > 1)
                return log_usage_error("The '%s' verb takes no arguments.", verb);
        r = require_root(verb);
        if (r < 0)
                return r;
        return analyze_names(ret_names);
}

int analyze_for_each_argument(int argc, char *argv[], AnalyzeOneFunc one) {
        _cleanup_(json_object_putp) json_object *all = NULL;
        const BpfNames *names;
        bool failed = false;
        int r;

        r = analyze_names(&names);
        if (r < 0)
                return r;
        if (arg_json != TABLE_JSON_OFF) {
                all = json_object_new_array();
                if (!all)
                        return log_oom();
        }

        pager_open();
        for (int i = 1; i < argc; i++) {
                r = one(names, argv[i], all, i == 1);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        failed = true;
        }
        if (all) {
                r = json_print(TAKE_PTR(all));
                if (r < 0)
                        return r;
        }
        return failed ? -ENOENT : 0;
}

int systemd_version(int *ret, const char **ret_source) {
        static int cached = -1;
        static const char *cached_source = NULL;
        int r;

        if (arg_systemd_version >= 0) {
                *ret = arg_systemd_version;
                if (ret_source)
                        *ret_source = "--systemd-version=";
                return 0;
        }
        if (cached < 0) {
                unsigned v;

                r = systemd_version_detect(arg_root, &v, &cached_source);
                if (r < 0)
                        return -ENOENT;
                cached = (int) v;
        }
        *ret = cached;
        if (ret_source)
                *ret_source = cached_source;
        return 0;
}

bool systemd_is_running(void) {
        return sd_booted() > 0;
}

int kernel_token_support(void) {
        struct bpftoken_attr_token_create attr = { .flags = 0, .bpffs_fd = UINT32_MAX };
        static int cached = -2;
        long r;

        if (arg_token_support >= 0)
                return arg_token_support;
        if (cached != -2)
                return cached;

        /* A kernel that knows BPF_TOKEN_CREATE checks the fd first (EBADF); an older one rejects the
         * command (EINVAL). Nothing is created either way. */
        r = syscall(__NR_bpf, BPFTOKEN_CMD_TOKEN_CREATE, &attr, sizeof attr);
        if (r >= 0) {
                (void) close((int) r);
                cached = 1;
                return cached;
        }
        if (errno == ENOSYS || errno == EINVAL) {
                cached = 0;
                return cached;
        }
        if (errno != EBADF) {
                cached = -errno;
                return cached;
        }

        /* As root also check that bpffs takes delegate options: a kernel >= 6.9 rejects a bogus
         * name; an older one ignores unknown keys. The fs context is dropped without creating. */
        if (geteuid() == 0) {
                _cleanup_(closep) int fs_fd = -EBADF;

                fs_fd = (int) syscall(__NR_fsopen, "bpf", BPFTOKEN_FSOPEN_CLOEXEC);
                if (fs_fd >= 0) {
                        r = syscall(__NR_fsconfig, fs_fd, BPFTOKEN_FSCONFIG_SET_STRING, "delegate_cmds",
                                    "bpftoken_analyze_probe", 0);
                        if (r >= 0) {
                                cached = 0;
                                return cached;
                        }
                }
        }

        cached = 1;
        return cached;
}

int json_print(json_object *j) {
        const char *s;
        int r = 0;

        s = json_object_to_json_string_ext(j, table_json_mode_flags(arg_json == TABLE_JSON_SHORT ?
                                                                    TABLE_JSON_SHORT : TABLE_JSON_PRETTY));
        if (!s)
                r = log_oom();
        else
                printf("%s\n", s);
        json_object_put(j);
        return r;
}

int format_mask(const BpfNames *names, BpfKind kind, uint64_t mask, bool any, char **ret) {
        char *s;
        int r;

        if (any || mask == DELEGATION_ANY)
                s = strdup("any");
        else if (mask == 0)
                s = strdup("-");
        else {
                r = delegation_format(names, kind, mask, DELEGATION_STYLE_KERNEL, &s);
                if (r < 0)
                        return r;
        }
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int format_mask_brief(const BpfNames *names, BpfKind kind, uint64_t mask, bool any, size_t max_names, char **ret) {
        _cleanup_(freep) char *full = NULL;
        size_t n = 1;
        char *p;
        int r;

        r = format_mask(names, kind, mask, any, &full);
        if (r < 0)
                return r;
        for (p = full; *p; p++)
                if (*p == ',')
                        n++;
        if (n <= max_names) {
                *ret = TAKE_PTR(full);
                return 0;
        }
        /* cut after max_names names */
        p = full;
        for (size_t i = 0; i < max_names; i++)
                p = strchr(p, ',') + 1;
        p[-1] = '\0';
        if (asprintf(ret, "%s,... (%zu more)", full, n - max_names) < 0)
                return -ENOMEM;
        return 0;
}

json_object *mask_to_json(const BpfNames *names, BpfKind kind, uint64_t mask, bool any) {
        json_object *o, *a;
        char hex[32];

        o = json_object_new_object();
        a = json_object_new_array();
        if (!o || !a) {
                json_object_put(o);
                json_object_put(a);
                return NULL;
        }
        snprintf(hex, sizeof hex, "0x%llx", (unsigned long long) mask);
        json_object_object_add(o, "mask", json_object_new_string(hex));
        json_object_object_add(o, "any", json_object_new_boolean(any || mask == DELEGATION_ANY));
        for (unsigned bit = 0; bit < 64; bit++) {
                const char *n;

                if (!(mask & (UINT64_C(1) << bit)))
                        continue;
                if (any || mask == DELEGATION_ANY) {
                        if (bit >= bpf_names_count(names, kind))
                                break;
                }
                n = bpf_names_kernel(names, kind, bit);
                if (n)
                        json_object_array_add(a, json_object_new_string(n));
                else {
                        char b[32];

                        snprintf(b, sizeof b, "0x%llx", (unsigned long long) (UINT64_C(1) << bit));
                        json_object_array_add(a, json_object_new_string(b));
                }
        }
        json_object_object_add(o, "names", a);
        return o;
}

/* Errno names from glibc (strerrorname_np(), glibc >= 2.32), which replaced a hand-written table. */
#define ERRNO_MAX 4095

const char *errno_to_name(int error) {
        if (error < 0)
                error = -error;
        if (error == 0 || error > ERRNO_MAX)
                return NULL;
        return strerrorname_np(error);
}

int errno_from_string(const char *s) {
        char *end;
        long v;

        if (isempty(s))
                return -EINVAL;

        if (strcaseeq(s, "ENOTSUP"))
                return EOPNOTSUPP;
        for (int e = 1; e <= ERRNO_MAX; e++) {
                const char *n = strerrorname_np(e);

                if (n && strcaseeq(s, n))
                        return e;
        }

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno == 0 && *end == '\0' && end != s && v != 0 && v > -4096 && v < 4096)
                return (int) (v < 0 ? -v : v);

        for (int e = 1; e < 134; e++)
                if (strcaseeq(s, strerror(e)))
                        return e;

        return -EINVAL;
}

static const char *const bpftool_keys[_BPF_KIND_MAX] = {
        [BPF_KIND_COMMAND]    = "allowed_cmds",
        [BPF_KIND_MAP]        = "allowed_maps",
        [BPF_KIND_PROGRAM]    = "allowed_progs",
        [BPF_KIND_ATTACHMENT] = "allowed_attachs",
};

int table_set_bpftool_keys(Table *t, size_t token_info_column, size_t first_allowed_column) {
        int r;

        r = table_set_json_key(t, token_info_column, "token_info");
        for (BpfKind k = 0; r >= 0 && k < _BPF_KIND_MAX; k++)
                r = table_set_json_key(t, first_allowed_column + (size_t) k, bpftool_keys[k]);
        return r;
}

int table_add_bpftool_allowed(Table *t, const BpfNames *names, BpfKind kind, uint64_t mask, bool any) {
        json_object *a = json_object_new_array();

        if (!a)
                return -ENOMEM;
        if (any || mask == DELEGATION_ANY)
                json_object_array_add(a, json_object_new_string("any"));
        else
                for (unsigned bit = 0; bit < 64; bit++) {
                        const char *n;
                        char num[16];

                        if (!(mask & (UINT64_C(1) << bit)))
                                continue;
                        n = bpf_names_kernel(names, kind, bit);
                        if (!n) {
                                snprintf(num, sizeof num, "%u", bit);
                                n = num;
                        }
                        json_object_array_add(a, json_object_new_string(n));
                }
        return table_add_json(t, NULL, a);
}

int table_add_mask_brief(Table *t, const BpfNames *names, BpfKind kind, uint64_t mask, bool any, bool present,
                         size_t max_names) {
        _cleanup_(freep) char *text = NULL;
        json_object *j;
        int r;

        if (!present)
                return table_add_json(t, NULL, mask_to_json(names, kind, 0, false));

        r = format_mask_brief(names, kind, mask, any, max_names, &text);
        if (r < 0)
                return r;
        j = mask_to_json(names, kind, mask, any);
        if (!j)
                return -ENOMEM;
        return table_add_json(t, streq(text, "-") ? NULL : text, j);
}

int unit_active_state(const char *unit, char **ret) {
        sd_bus *bus = NULL;
        _cleanup_(freep) char *path = NULL;
        char *state = NULL;
        int r;

        if (!systemd_is_running())
                return -EHOSTDOWN;
        r = sd_bus_open_system(&bus);
        if (r < 0)
                return r;
        r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &path);
        if (r >= 0)
                r = sd_bus_get_property_string(bus, "org.freedesktop.systemd1", path, "org.freedesktop.systemd1.Unit",
                                               "ActiveState", NULL, &state);
        sd_bus_flush_close_unref(bus);
        if (r < 0)
                return r;
        *ret = state;
        return 0;
}

int table_add_mask(Table *t, const BpfNames *names, BpfKind kind, uint64_t mask, bool any, bool present) {
        return table_add_mask_brief(t, names, kind, mask, any, present, SIZE_MAX);
}
