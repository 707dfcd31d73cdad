/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * 'probe': what this kernel and host support. Everything is read-only, except that as root a
 * throwaway child process creates a user and mount namespace of its own, a detached delegated bpffs
 * and a token from it, to prove the whole chain works; all of it vanishes with the child.
 */
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analyze.h"
#include "bpf-token-uapi.h"
#include "config.h"
#include "log.h"
#include "macro.h"
#include "socket-util.h"
#include "syscalls.h"
#include "userns-child.h"

typedef struct Row {
        const char *feature;
        char *status;
        char *detail;
} Row;

typedef struct Rows {
        Row *rows;
        size_t n;
} Rows;

static int add_row(Rows *rows, const char *feature, const char *status, const char *fmt, ...) _printf_(4, 5);
static int add_row(Rows *rows, const char *feature, const char *status, const char *fmt, ...) {
        Row *l = reallocarray(rows->rows, rows->n + 1, sizeof *l);
        va_list ap;
        char *d = NULL;
        int r;

        if (!l)
                return -ENOMEM;
        rows->rows = l;
        if (fmt) {
                va_start(ap, fmt);
                r = vasprintf(&d, fmt, ap);
                va_end(ap);
                if (r < 0)
                        return -ENOMEM;
        }
        l[rows->n] = (Row) { .feature = feature, .status = strdup(status), .detail = d };
        if (!l[rows->n].status) {
                free(d);
                return -ENOMEM;
        }
        rows->n++;
        return 0;
}

static void rows_done(Rows *rows) {
        for (size_t i = 0; i < rows->n; i++) {
                free(rows->rows[i].status);
                free(rows->rows[i].detail);
        }
        free(rows->rows);
}

static int read_sysctl(const char *path, char *buf, size_t size) {
        _cleanup_(fclosep) FILE *f = NULL;

        f = fopen(path, "re");
        if (!f)
                return -errno;
        if (!fgets(buf, (int) size, f))
                return -EIO;
        buf[strcspn(buf, "\n")] = '\0';
        return 0;
}

/* ---- the end-to-end token check (root only) ---- */

typedef struct TokenResult {
        int step;       /* 0 ok, else which step failed */
        int error;      /* errno of that step */
        int info;       /* BPF_OBJ_GET_INFO_BY_FD on the token: 1 works, 0 not, -errno */
} TokenResult;

enum {
        STEP_OK,
        STEP_USERNS,
        STEP_MAPS,
        STEP_MOUNTNS,
        STEP_FSOPEN,
        STEP_DELEGATE,
        STEP_CREATE,
        STEP_FSMOUNT,
        STEP_OPEN,
        STEP_TOKEN,
        STEP_INTERNAL,
};

static const char *const step_names[] = {
        [STEP_OK]       = "ok",
        [STEP_USERNS]   = "creating a user namespace",
        [STEP_MAPS]     = "writing the uid/gid maps",
        [STEP_MOUNTNS]  = "creating a mount namespace",
        [STEP_FSOPEN]   = "fsopen(\"bpf\") in the user namespace",
        [STEP_DELEGATE] = "setting delegate_cmds",
        [STEP_CREATE]   = "creating the bpffs superblock",
        [STEP_FSMOUNT]  = "fsmount()",
        [STEP_OPEN]     = "opening the bpffs root",
        [STEP_TOKEN]    = "BPF_TOKEN_CREATE",
        [STEP_INTERNAL] = "running the check",
};

/* In the throwaway child, in its own user and mount namespace: open an fs context for a bpffs (its
 * superblock will belong to the child's user namespace) and hand it to the parent, which delegates
 * and creates it; then a token from the detached mount. The result goes back as a TokenResult. */
static _noreturn_ void token_child(int sock) {
        TokenResult res = {};
        int fs_fd, mnt_fd, root_fd, token_fd, status = 0, unused = -EBADF;

        fs_fd = sys_fsopen("bpf", BPFTOKEN_FSOPEN_CLOEXEC);
        if (fs_fd < 0) {
                (void) send_status_fd(sock, -fs_fd, -EBADF);
                _exit(EXIT_FAILURE);
        }
        if (send_status_fd(sock, 0, fs_fd) < 0 || recv_status_fd(sock, &status, &unused) < 0 || status != 0)
                _exit(EXIT_FAILURE);
        mnt_fd = sys_fsmount(fs_fd, BPFTOKEN_FSMOUNT_CLOEXEC, 0);
        if (mnt_fd < 0) {
                res = (TokenResult) { STEP_FSMOUNT, -mnt_fd, 0 };
                goto out;
        }
        root_fd = openat(mnt_fd, ".", O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (root_fd < 0) {
                res = (TokenResult) { STEP_OPEN, errno, 0 };
                goto out;
        }
        token_fd = bpf_token_create_fd(root_fd);
        if (token_fd < 0) {
                res = (TokenResult) { STEP_TOKEN, -token_fd, 0 };
                goto out;
        }
        {
                struct bpftoken_token_info info = {};
                struct {
                        uint32_t bpf_fd;
                        uint32_t info_len;
                        uint64_t info;
                } attr = { .bpf_fd = (uint32_t) token_fd, .info_len = sizeof info, .info = (uint64_t) (uintptr_t) &info };
                int r;

                r = sys_bpf(BPFTOKEN_CMD_OBJ_GET_INFO_BY_FD, &attr, sizeof attr);
                res.info = r < 0 ? r : info.allowed_cmds == 1 ? 1 : -EBADMSG;
        }
out:
        (void) !write(sock, &res, sizeof res);
        _exit(EXIT_SUCCESS);
}

static int check_token_end_to_end(TokenResult *ret) {
        static const int steps[] = {
                [USERNS_CHILD_STEP_USERNS] = STEP_USERNS,
                [USERNS_CHILD_STEP_MAPS]   = STEP_MAPS,
                [USERNS_CHILD_STEP_MNTNS]  = STEP_MOUNTNS,
        };
        _cleanup_(closep) int sock = -EBADF, fs_fd = -EBADF;
        TokenResult res = { STEP_INTERNAL, EIO, 0 };
        UsernsChildStep ns_step;
        int status = 0, r;
        pid_t pid;

        r = userns_child_fork(USERNS_CHILD_DIE_WITH_PARENT, &pid, &sock, &ns_step);
        if (r == 0)
                token_child(sock);
        if (r < 0) {
                /* Failing to fork is failing to run the check; the rest are results. */
                if ((size_t) ns_step >= ELEMENTSOF(steps) || steps[ns_step] == STEP_OK)
                        return r;
                *ret = (TokenResult) { steps[ns_step], -r, 0 };
                return 0;
        }

        r = recv_status_fd(sock, &status, &fs_fd);
        if (r < 0)
                goto finish;
        if (status != 0) {
                res = (TokenResult) { STEP_FSOPEN, status, 0 };
                goto finish;
        }
        if (fs_fd < 0)
                goto finish;
        r = sys_fsconfig(fs_fd, BPFTOKEN_FSCONFIG_SET_STRING, "delegate_cmds", "0x1", 0);
        if (r < 0) {
                res = (TokenResult) { STEP_DELEGATE, -r, 0 };
                goto finish;
        }
        r = sys_fsconfig(fs_fd, BPFTOKEN_FSCONFIG_CMD_CREATE, NULL, NULL, 0);
        if (r < 0) {
                res = (TokenResult) { STEP_CREATE, -r, 0 };
                goto finish;
        }
        if (send_status_fd(sock, 0, -EBADF) < 0 || read(sock, &res, sizeof res) != sizeof res)
                res = (TokenResult) { STEP_INTERNAL, EIO, 0 };
finish:
        (void) kill(pid, SIGKILL);
        (void) waitpid(pid, NULL, 0);
        *ret = res;
        return 0;
}

/* ---- the rows ---- */

static int probe_kernel(Rows *rows) {
        struct utsname u;
        int support, r;

        if (uname(&u) < 0)
                return -errno;
        r = add_row(rows, "kernel", u.release, "%s %s", u.sysname, u.machine);
        if (r < 0)
                return r;

        support = kernel_token_support();
        if (support > 0)
                r = add_row(rows, "bpf-token", "yes", "BPF_TOKEN_CREATE is known%s",
                            geteuid() == 0 ? " and bpffs rejects unknown delegate_cmds values" : "");
        else if (support == 0)
                r = add_row(rows, "bpf-token", "no",
                            "This kernel does not support BPF token delegation (Linux >= 6.9 is needed)");
        else
                r = add_row(rows, "bpf-token", "unknown", "bpf() failed: %s", strerror(-support));
        if (r < 0)
                return r;

        if (geteuid() != 0)
                return add_row(rows, "token-create", "unknown", "Run as root to create a throwaway token");
        {
                TokenResult t = {};

                r = check_token_end_to_end(&t);
                if (r < 0)
                        return add_row(rows, "token-create", "unknown", "The check could not run: %s", strerror(-r));
                if (t.step == STEP_OK)
                        r = add_row(rows, "token-create", "yes",
                                    "A throwaway user+mount namespace got a token from a delegated bpffs");
                else
                        r = add_row(rows, "token-create", "no", "Failed at %s: %s",
                                    step_names[t.step < STEP_INTERNAL ? t.step : STEP_INTERNAL], strerror(t.error));
                if (r < 0)
                        return r;
                if (t.step == STEP_OK)
                        r = add_row(rows, "token-info", t.info > 0 ? "yes" : "no",
                                    t.info > 0 ? "BPF_OBJ_GET_INFO_BY_FD returns a token's masks (Linux >= 6.17)" :
                                                 "Token masks only through /proc/PID/fdinfo (Linux < 6.17)");
                return r;
        }
}

static int probe_names(Rows *rows) {
        const BpfNames *names;
        struct stat st;
        int r;

        r = analyze_names(&names);
        if (r < 0)
                return r;
        if (stat("/sys/kernel/btf/vmlinux", &st) < 0)
                return add_row(rows, "btf", "no",
                               "No /sys/kernel/btf/vmlinux: the kernel accepts only hex masks and 'any' in delegate_*; "
                               "names come from the built-in table");
        return add_row(rows, "btf", bpf_names_source(names) == BPF_NAMES_SOURCE_BTF ? "yes" : "unreadable",
                       "%u commands, %u map types, %u program types, %u attach types",
                       bpf_names_count(names, BPF_KIND_COMMAND), bpf_names_count(names, BPF_KIND_MAP),
                       bpf_names_count(names, BPF_KIND_PROGRAM), bpf_names_count(names, BPF_KIND_ATTACHMENT));
}

static int probe_sysctls(Rows *rows) {
        char v[64];
        int r;

        if (read_sysctl("/proc/sys/kernel/unprivileged_bpf_disabled", v, sizeof v) >= 0) {
                r = add_row(rows, "unprivileged-bpf", streq(v, "0") ? "enabled" : "disabled",
                            "kernel.unprivileged_bpf_disabled=%s%s", v,
                            streq(v, "0") ? "" : ": every map and program type must be delegated, socket_filter and array too");
                if (r < 0)
                        return r;
        }
        if (read_sysctl("/proc/sys/user/max_user_namespaces", v, sizeof v) >= 0) {
                r = add_row(rows, "user-namespaces", streq(v, "0") ? "no" : "yes", "user.max_user_namespaces=%s", v);
                if (r < 0)
                        return r;
        }
        if (read_sysctl("/proc/sys/kernel/unprivileged_userns_clone", v, sizeof v) >= 0) {
                r = add_row(rows, "unprivileged-userns", streq(v, "0") ? "restricted" : "allowed",
                            "kernel.unprivileged_userns_clone=%s (root-created namespaces are not affected)", v);
                if (r < 0)
                        return r;
        }
        if (read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", v, sizeof v) >= 0) {
                r = add_row(rows, "apparmor-userns", streq(v, "0") ? "allowed" : "restricted",
                            "kernel.apparmor_restrict_unprivileged_userns=%s", v);
                if (r < 0)
                        return r;
        }
        if (read_sysctl("/proc/sys/kernel/perf_event_paranoid", v, sizeof v) >= 0) {
                r = add_row(rows, "perf-events", v,
                            "kernel.perf_event_paranoid=%s: kprobe/uprobe attachment through perf_event_open() "
                            "follows the initial namespace's rules, tokens do not change that", v);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int probe_lsm(Rows *rows) {
        char v[512];

        if (read_sysctl("/sys/kernel/security/lsm", v, sizeof v) >= 0) {
                bool bpf = false;
                char *p = v, *tok;

                while ((tok = strsep(&p, ",")))
                        if (streq(tok, "bpf"))
                                bpf = true;
                return add_row(rows, "bpf-lsm", bpf ? "yes" : "no", "Active LSMs: %s", v);
        }
        return add_row(rows, "bpf-lsm", "unknown", "/sys/kernel/security/lsm is not readable (securityfs not mounted)");
}

static int probe_systemd(Rows *rows) {
        const char *source = NULL;
        int v, r;

        if (systemd_version(&v, &source) < 0)
                return add_row(rows, "systemd", "unknown", "No systemd installation found");

        r = add_row(rows, "systemd", "present", "systemd %d (from %s)%s", v, source,
                    systemd_is_running() ? ", running as PID 1" : ", not running as PID 1");
        if (r < 0)
                return r;
        return add_row(rows, "native-private-bpf", v >= SYSTEMD_NATIVE_PRIVATE_BPF ? "yes" : "no",
                       v >= SYSTEMD_NATIVE_PRIVATE_BPF ?
                       "systemd implements PrivateBPF= and BPFDelegate*= itself; bpftoken only completes the prerequisites" :
                       "systemd < 258 ignores PrivateBPF=; bpftoken-generator and the publisher serve it");
}

static int probe_host(Rows *rows) {
        struct statfs sfs;
        struct stat st;
        int r;

        r = add_row(rows, "libbpf", "linked", "bpftoken-analyze links libbpf %u.%u; programs need libbpf >= 1.4 "
                    "to pick up a token by themselves", libbpf_major_version(), libbpf_minor_version());
        if (r < 0)
                return r;

        if (statfs("/sys/fs/bpf", &sfs) >= 0 && (uint32_t) sfs.f_type == BPFTOKEN_BPF_FS_MAGIC)
                r = add_row(rows, "host-bpffs", "mounted", "/sys/fs/bpf is a bpffs in this mount namespace");
        else
                r = add_row(rows, "host-bpffs", "not mounted", "/sys/fs/bpf holds no bpffs in this mount namespace");
        if (r < 0)
                return r;

        r = add_row(rows, "bpftoken-exec", access(BPFTOKEN_EXEC_PATH, X_OK) >= 0 ? "installed" : "not installed",
                    "%s", BPFTOKEN_EXEC_PATH);
        if (r < 0)
                return r;
        return add_row(rows, "publisher-socket",
                       stat(BPFTOKEN_PUBLISH_SOCKET, &st) >= 0 && S_ISSOCK(st.st_mode) ? "present" : "absent",
                       "%s", BPFTOKEN_PUBLISH_SOCKET);
}

int verb_probe(int argc, char *argv[]) {
        _cleanup_(table_freep) Table *t = NULL;
        Rows rows = {};
        int r;

        if (argc > 1)
                return log_usage_error("The 'probe' verb takes no arguments.");

        r = probe_kernel(&rows);
        if (r >= 0)
                r = probe_names(&rows);
        if (r >= 0)
                r = probe_sysctls(&rows);
        if (r >= 0)
                r = probe_lsm(&rows);
        if (r >= 0)
                r = probe_systemd(&rows);
        if (r >= 0)
                r = probe_host(&rows);
        if (r < 0) {
                rows_done(&rows);
                return r == -ENOMEM ? log_oom() : log_error_errno(r, "Failed to probe: %m");
        }

        r = table_new((const char *const[]) { "FEATURE", "STATUS", "DETAIL", NULL }, &t);
        for (size_t i = 0; r >= 0 && i < rows.n; i++) {
                r = table_add_string(t, rows.rows[i].feature);
                if (r >= 0)
                        r = table_add_string(t, rows.rows[i].status);
                if (r >= 0)
                        r = table_add_string(t, rows.rows[i].detail);
        }
        rows_done(&rows);
        if (r < 0)
                return log_oom();

        return analyze_print_table(t);
}
