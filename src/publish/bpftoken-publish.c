/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bpftoken-publish: the privileged half of the handoff. Started per connection by
 * bpftoken-publish.socket (Accept=yes), it answers exactly one request on fd 3: it identifies the
 * peer (pidfd, cgroup, namespaces), finds its policy in root-owned files, checks its namespaces,
 * creates a delegated bpffs inside the peer's user namespace and attaches it in the peer's mount
 * namespace. See bpftoken-publish(8).
 */
#include <getopt.h>
#include <signal.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>

#include "bpf-names.h"
#include "config.h"
#include "decision-log.h"
#include "delegation.h"
#include "instance.h"
#include "log.h"
#include "macro.h"
#include "peer.h"
#include "policy.h"
#include "process-util.h"
#include "protocol.h"
#include "token-errors.h"

#define POLICY_DIRS_MAX 8
#define REQUEST_TIMEOUT_SEC 10

static const char *arg_policy_dirs[POLICY_DIRS_MAX + 1] = {};
static size_t arg_n_policy_dirs = 0;
static pid_t arg_host_pid = 1;

static void help(void) {
        printf("%s [OPTIONS...]\n\n"
               "Publish delegated bpffs instances to the callers of bpftoken-publish.socket.\n"
               "Started by systemd per connection (Accept=yes); the connection is fd 3.\n\n"
               "  -h --help               Show this help\n"
               "     --version            Show package version\n"
               "     --policy-dir=DIR     Read policy from DIR instead of the default directories\n"
               "                          (may be repeated; highest precedence first)\n"
               "     --host-pid=PID       The process whose mount namespace is the host's (default 1)\n",
               program_invocation_short_name);
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_VERSION = 0x100, ARG_POLICY_DIR, ARG_HOST_PID };
        static const struct option options[] = {
                { "help",       no_argument,       NULL, 'h'            },
                { "version",    no_argument,       NULL, ARG_VERSION    },
                { "policy-dir", required_argument, NULL, ARG_POLICY_DIR },
                { "host-pid",   required_argument, NULL, ARG_HOST_PID   },
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

static void report_policy_file(const char *path, int error, const char *message, void *userdata) {
        log_warning_errno(error, "%s", message);
}

/* Reply and log; returns 0 so that a refusal is not an error of the publisher itself. */
static int answer(int sock, DecisionResult result, const Peer *peer, const Policy *policy, const BpfNames *names,
                  int error, unsigned flags, const char *message) {
        int r;

        decision_log(result, peer, policy ? policy->path : NULL, names, policy ? &policy->delegation : NULL, error,
                     message);
        r = publish_reply_send(sock, error, flags, result == DECISION_GRANTED && policy ? &policy->delegation : NULL,
                               message);
        if (r < 0)
                log_debug_errno(r, "Failed to send the reply, the caller is gone: %m");
        return 0;
}

static int handle_connection(int sock) {
        _cleanup_(peer_done) Peer peer = { .pidfd = -EBADF, .userns_fd = -EBADF, .mntns_fd = -EBADF };
        _cleanup_(bpf_names_freep) BpfNames *names = NULL;
        _cleanup_(policy_freep) Policy *policy = NULL;
        struct timeval tv = { .tv_sec = REQUEST_TIMEOUT_SEC };
        _cleanup_(freep) uint64_t *host_groups = NULL;
        size_t n_host_groups = 0;
        BpffsAttachOptions attach;
        const char *reason = NULL;
        PublishRequest req;
        PolicyCaller caller;
        char message[PUBLISH_MESSAGE_MAX];
        BpffsStep step;
        int r;

        (void) setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        (void) setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

        r = peer_identify(sock, &peer);
        if (r < 0)
                return answer(sock, DECISION_REFUSED, NULL, NULL, NULL, r, 0,
                              "The caller could not be identified (it exited, or its namespaces are unreadable).");

        r = publish_request_recv(sock, &req);
        if (r < 0)
                return answer(sock, DECISION_REFUSED, &peer, NULL, NULL, r == -EBADMSG ? EBADMSG : -r, 0,
                              r == -EBADMSG ? "Malformed request (wrong size, magic, version or type, or file "
                                              "descriptors attached): refused."
                                            : "The request could not be read.");

        r = bpf_names_load(NULL, &names);
        if (r < 0)
                return answer(sock, DECISION_FAILED, &peer, NULL, NULL, r, 0,
                              "The publisher could not load the kernel's BPF names.");

        caller = (PolicyCaller) {
                .unit = peer.unit,
                .uid = peer.uid,
                .gid = peer.gid,
                .groups = peer.groups,
                .n_groups = peer.n_groups,
        };
        r = policy_find(names, arg_policy_dirs, &caller, &policy, report_policy_file, NULL);
        if (r == -ENOENT) {
                snprintf(message, sizeof message,
                         "No BPF delegation is configured for %s%s (uid %u): add BPFDelegate*= settings to the unit "
                         "and run 'systemctl daemon-reload', or a policy in %s.",
                         peer.unit ? "unit " : "this caller", peer.unit ?: "", (unsigned) peer.uid, BPFTOKEN_POLICY_DIR);
                return answer(sock, DECISION_REFUSED, &peer, NULL, names, EPERM, 0, message);
        }
        if (r < 0)
                return answer(sock, DECISION_FAILED, &peer, NULL, names, r, 0, "The policy could not be read.");

        r = peer_check_namespaces(&peer,
                                  policy->match == POLICY_MATCH_UNIT ? PEER_USERNS_OWNED_BY_ROOT
                                                                     : PEER_USERNS_OWNED_BY_ROOT_OR_UID,
                                  arg_host_pid, &reason);
        if (r < 0)
                return answer(sock, DECISION_REFUSED, &peer, policy, names, r, 0, reason);

        r = mountinfo_shared_peer_groups(arg_host_pid, &host_groups, &n_host_groups);
        if (r < 0)
                return answer(sock, DECISION_FAILED, &peer, policy, names, r, 0,
                              "The host's mount table cannot be read (the publisher needs CAP_SYS_PTRACE).");
        attach = (BpffsAttachOptions) {
                .owner_uid = peer.uid,
                .owner_gid = peer.gid,
                .host_peer_groups_known = true,
                .host_peer_groups = host_groups,
                .n_host_peer_groups = n_host_groups,
        };
        r = instance_publish_full(peer.userns_fd, peer.mntns_fd, &attach, &policy->delegation, &step);
        if (r < 0) {
                snprintf(message, sizeof message, "%s (step %s: %s)", bpffs_error_sentence(step, r),
                         bpffs_step_to_string(step), strerror(-r));
                return answer(sock, DECISION_FAILED, &peer, policy, names, r, 0, message);
        }
        return answer(sock, DECISION_GRANTED, &peer, policy, names, 0,
                      r > 0 ? PUBLISH_REPLY_ALREADY_ATTACHED : 0,
                      r > 0 ? "A delegated bpffs is already attached at /sys/fs/bpf in this mount namespace; "
                              "nothing stacked."
                            : "Delegated bpffs attached at /sys/fs/bpf, token path /sys/fs/bpf/token.");
}

static int run(int argc, char *argv[]) {
        int n, r;

        log_setup("bpftoken-publish", LOG_TARGET_JOURNAL);

        r = ensure_stdio_open();
        if (r < 0)
                return r;

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r;

        /* Never run for longer than a request can take, whatever happens in the kernel. */
        alarm(REQUEST_TIMEOUT_SEC * 3);

        n = sd_listen_fds(true);
        if (n < 0)
                return log_error_errno(n, "Failed to read the sockets passed by systemd: %m");
        if (n != 1)
                return log_error_errno(-EBADF, "Expected exactly one connection socket from systemd (Accept=yes), "
                                       "got %d; start me through bpftoken-publish.socket.", n);

        r = sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_SEQPACKET, 0, NULL, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to check the passed socket: %m");
        if (r == 0)
                return log_error_errno(-ENOTSOCK, "The passed fd is not a connected AF_UNIX SOCK_SEQPACKET socket "
                                       "(the socket unit needs Accept=yes and SOCK_SEQPACKET).");

        return handle_connection(SD_LISTEN_FDS_START);
}

int main(int argc, char *argv[]) {
        return run(argc, argv) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
