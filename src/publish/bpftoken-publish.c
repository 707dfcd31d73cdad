/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bpftoken-publish: the privileged half of the handoff. For each request it identifies the peer
 * (pidfd, cgroup, namespaces), finds its policy in root-owned files, checks its namespaces, creates a
 * delegated bpffs inside the peer's user namespace and attaches it in the peer's mount namespace
 * (publish-request.c). Two ways to be started, told apart by what fd 3 is:
 *   - a listening socket (bpftoken-publish.socket, Accept=no): the long-lived publisher, a manager
 *     with a pool of forked workers (publish-manager.h);
 *   - a connected socket (Accept=yes, systemd-socket-activate --accept): answer that one request.
 * See bpftoken-publish(8).
 */
#include <getopt.h>
#include <signal.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>

#include "bpffs.h"
#include "config.h"
#include "log.h"
#include "macro.h"
#include "process-util.h"
#include "parse-util.h"
#include "publish-manager.h"
#include "publish-request.h"
#include "publish-worker.h"

#define POLICY_DIRS_MAX 8

static const char *arg_policy_dirs[POLICY_DIRS_MAX + 1] = {};
static size_t arg_n_policy_dirs = 0;
static pid_t arg_host_pid = 1;
static unsigned arg_idle_exit_sec = PUBLISH_IDLE_EXIT_SEC_DEFAULT;
static const char *arg_btf_path = NULL;

static void help(void) {
        printf("%s [OPTIONS...]\n\n"
               "Publish delegated bpffs instances to the callers of bpftoken-publish.socket.\n"
               "Started by bpftoken-publish.socket: fd 3 is the listening socket (Accept=no, a\n"
               "long-lived publisher with a pool of workers) or one connection (Accept=yes).\n\n"
               "  -h --help               Show this help\n"
               "     --version            Show package version\n"
               "     --policy-dir=DIR     Read policy from DIR instead of the default directories\n"
               "                          (may be repeated; highest precedence first)\n"
               "     --host-pid=PID       The process whose mount namespace is the host's (default 1)\n"
               "     --idle-exit-sec=SEC  Exit after SEC seconds without connections (Accept=no;\n"
               "                          default %u, 0: never)\n"
               "     --btf=PATH           Read the kernel's BPF names from PATH (default\n"
               "                          /sys/kernel/btf/vmlinux)\n",
               program_invocation_short_name, PUBLISH_IDLE_EXIT_SEC_DEFAULT);
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_VERSION = 0x100, ARG_POLICY_DIR, ARG_HOST_PID, ARG_IDLE_EXIT_SEC, ARG_BTF };
        static const struct option options[] = {
                { "help",       no_argument,       NULL, 'h'            },
                { "version",    no_argument,       NULL, ARG_VERSION    },
                { "policy-dir", required_argument, NULL, ARG_POLICY_DIR },
                { "host-pid",   required_argument, NULL, ARG_HOST_PID   },
                { "idle-exit-sec", required_argument, NULL, ARG_IDLE_EXIT_SEC },
                { "btf",        required_argument, NULL, ARG_BTF        },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("bpftoken-publish %s\n", PROJECT_VERSION);
                        return 0;
                case ARG_POLICY_DIR:
                        if (arg_n_policy_dirs >= POLICY_DIRS_MAX)
                                return log_error_errno(-E2BIG, "Too many --policy-dir= options (at most %d).",
                                                       POLICY_DIRS_MAX);
                        if (optarg[0] != '/')
                                return log_error_errno(-EINVAL, "--policy-dir= takes an absolute path: %s", optarg);
                        arg_policy_dirs[arg_n_policy_dirs++] = optarg;
                        break;
                case ARG_HOST_PID: {
                        char *end;
                        long v;

                        errno = 0;
                        v = strtol(optarg, &end, 10);
                        if (errno || *end || v <= 0 || v > INT32_MAX)
                                return log_error_errno(-EINVAL, "--host-pid= takes a process ID: %s", optarg);
                        arg_host_pid = (pid_t) v;
                        break;
                }
                case ARG_IDLE_EXIT_SEC: {
                        uint64_t v;

                        if (parse_u64_exact(optarg, strlen(optarg), 10, &v) < 0 || v > 86400)
                                return log_error_errno(-EINVAL, "--idle-exit-sec= takes seconds (0-86400): %s", optarg);
                        arg_idle_exit_sec = (unsigned) v;
                        break;
                }
                case ARG_BTF:
                        if (optarg[0] != '/')
                                return log_error_errno(-EINVAL, "--btf= takes an absolute path: %s", optarg);
                        arg_btf_path = optarg;
                        break;
                case '?':
                        return -EINVAL;
                default:
                        return -EINVAL;
                }

        if (optind < argc)
                return log_error_errno(-EINVAL, "%s takes no positional arguments.", program_invocation_short_name);

        if (arg_n_policy_dirs == 0) {
                arg_policy_dirs[arg_n_policy_dirs++] = BPFTOKEN_POLICY_DIR;
                arg_policy_dirs[arg_n_policy_dirs++] = BPFTOKEN_GENERATOR_POLICY_DIR;
        }
        return 1;
}

static int run(int argc, char *argv[]) {
        int n, r;

        log_setup_journal("bpftoken-publish");

        r = ensure_stdio_open();
        if (r < 0)
                return r;

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r;

        n = sd_listen_fds(true);
        if (n < 0)
                return log_error_errno(n, "Failed to read the sockets passed by systemd: %m");
        if (n != 1)
                return log_error_errno(-EBADF, "Expected exactly one socket from systemd, got %d; start me through "
                                       "bpftoken-publish.socket.", n);

        PublishConfig config = {
                .policy_dirs = arg_policy_dirs,
                .host_pid = arg_host_pid,
        };

        r = sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_SEQPACKET, /* listening= */ 1, NULL, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to check the passed socket: %m");
        if (r > 0) {
                _cleanup_(names_cache_done) NamesCache names = { .btf_path = arg_btf_path };
                PublishLimits limits = PUBLISH_LIMITS_DEFAULT;

                limits.idle_exit_sec = arg_idle_exit_sec;
                /* Once, before any worker is forked: a kernel fact the requests need not probe again. A
                 * failure is left for each request to report in its own words. */
                r = bpffs_probe_support();
                if (r == -EOPNOTSUPP)
                        log_warning("This kernel ignores delegate_* options on a bpffs (Linux >= 6.9 takes them): "
                                    "every request will be refused.");
                else if (r < 0)
                        log_debug_errno(r, "The kernel's delegation support could not be probed now, each "
                                        "request probes it: %m");
                return publish_manager_run(SD_LISTEN_FDS_START, &config, &names, &limits);
        }

        r = sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_SEQPACKET, /* listening= */ 0, NULL, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to check the passed socket: %m");
        if (r == 0)
                return log_error_errno(-ENOTSOCK, "The passed fd is not an AF_UNIX SOCK_SEQPACKET socket, neither "
                                       "listening (Accept=no) nor connected (Accept=yes).");

        /* One connection (Accept=yes): never run for longer than a request may take, whatever happens
         * in the kernel. The names are loaded only once the request has been read. */
        alarm(PUBLISH_REQUEST_DEADLINE_SEC);
        return publish_handle_connection(SD_LISTEN_FDS_START, &config);
}

int main(int argc, char *argv[]) {
        return run(argc, argv) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
