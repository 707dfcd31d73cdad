/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bpftoken-exec: run a program with a BPF token. Inside a unit it is a thin client of
 * bpftoken-publish; run by root with --delegate-* options it does the whole setup itself.
 * Either way it ends by execve()ing the program, so the exit status is the program's own.
 * See bpftoken-exec(8).
 */
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <sys/prctl.h>

#include "bpf-names.h"
#include "bpffs.h"
#include "config.h"
#include "delegation.h"
#include "exec-caps.h"
#include "exec-native.h"
#include "exec-netns.h"
#include "exec-setup.h"
#include "log.h"
#include "macro.h"
#include "namespace-util.h"
#include "process-util.h"
#include "protocol.h"
#include "syscalls.h"
#include "token-errors.h"

#define EXIT_EXEC_FAILED 127

static const char *arg_user = NULL;
static const char *arg_lists[_BPF_KIND_MAX] = {};
static const char *arg_preset = NULL;
static const char *arg_token_path = BPFFS_TOKEN_PATH;
static const char *arg_socket = BPFTOKEN_PUBLISH_SOCKET;
static bool arg_quiet = false;
static const char *arg_argv0 = NULL;
static bool arg_own_netns = false;
static bool arg_drop_cap_sys_admin = false;
static char **arg_cmd = NULL;

static void help(void) {
        printf("%s [OPTIONS...] -- COMMAND [ARGUMENTS...]\n\n"
               "Run COMMAND with a delegated bpffs at /sys/fs/bpf from which libbpf creates a BPF token.\n\n"
               "  -h --help                        Show this help\n"
               "     --version                     Show package version\n"
               "     --user=USER                   Run COMMAND as USER (standalone mode)\n"
               "     --delegate-commands=LIST      Delegate these bpf() commands (standalone mode)\n"
               "     --delegate-maps=LIST          Delegate these map types\n"
               "     --delegate-programs=LIST      Delegate these program types\n"
               "     --delegate-attachments=LIST   Delegate these attach types\n"
               "     --preset=NAME                 Add a preset (libbpf, networking, xdp, tc,\n"
               "                                   cgroup-net, tracing)\n"
               "     --token-path=PATH             Value for LIBBPF_BPF_TOKEN_PATH (default %s;\n"
               "                                   empty: leave the environment alone)\n"
               "     --socket=PATH                 The publisher's socket (default %s)\n"
               "     --argv0=NAME                  argv[0] for COMMAND (systemd's '@' prefix)\n"
               "     --own-netns[=drop-cap-sys-admin]\n"
               "                                   Replace the unit's private network namespace by one\n"
               "                                   its user namespace owns (netlink XDP/tc attach)\n"
               "  -q --quiet                       Do not warn about missing libbpf prerequisites\n\n"
               "Without --delegate-*/--preset options it asks bpftoken-publish for the delegation\n"
               "configured for the calling unit or user. See bpftoken-exec(8) and bpftoken(7).\n",
               program_invocation_short_name, BPFFS_TOKEN_PATH, BPFTOKEN_PUBLISH_SOCKET);
}

static int parse_argv(int argc, char *argv[]) {
        enum {
                ARG_VERSION = 0x100,
                ARG_USER,
                ARG_DELEGATE_COMMANDS,
                ARG_DELEGATE_MAPS,
                ARG_DELEGATE_PROGRAMS,
                ARG_DELEGATE_ATTACHMENTS,
                ARG_PRESET,
                ARG_TOKEN_PATH,
                ARG_SOCKET,
                ARG_ARGV0,
                ARG_OWN_NETNS,
        };
        static const struct option options[] = {
                { "help",                 no_argument,       NULL, 'h'                      },
                { "version",              no_argument,       NULL, ARG_VERSION              },
                { "user",                 required_argument, NULL, ARG_USER                 },
                { "delegate-commands",    required_argument, NULL, ARG_DELEGATE_COMMANDS    },
                { "delegate-maps",        required_argument, NULL, ARG_DELEGATE_MAPS        },
                { "delegate-programs",    required_argument, NULL, ARG_DELEGATE_PROGRAMS    },
                { "delegate-attachments", required_argument, NULL, ARG_DELEGATE_ATTACHMENTS },
                { "preset",               required_argument, NULL, ARG_PRESET               },
                { "token-path",           required_argument, NULL, ARG_TOKEN_PATH           },
                { "socket",               required_argument, NULL, ARG_SOCKET               },
                { "argv0",                required_argument, NULL, ARG_ARGV0                },
                { "own-netns",            optional_argument, NULL, ARG_OWN_NETNS            },
                { "quiet",                no_argument,       NULL, 'q'                      },
                {}
        };
        int c;

        /* '+': stop at the first non-option, so that COMMAND's own options are never ours. */
        while ((c = getopt_long(argc, argv, "+hq", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("bpftoken-exec %s\n", PROJECT_VERSION);
                        return 0;
                case ARG_USER:
                        arg_user = optarg;
                        break;
                case ARG_DELEGATE_COMMANDS:
                        arg_lists[BPF_KIND_COMMAND] = optarg;
                        break;
                case ARG_DELEGATE_MAPS:
                        arg_lists[BPF_KIND_MAP] = optarg;
                        break;
                case ARG_DELEGATE_PROGRAMS:
                        arg_lists[BPF_KIND_PROGRAM] = optarg;
                        break;
                case ARG_DELEGATE_ATTACHMENTS:
                        arg_lists[BPF_KIND_ATTACHMENT] = optarg;
                        break;
                case ARG_PRESET:
                        arg_preset = optarg;
                        break;
                case ARG_TOKEN_PATH:
                        arg_token_path = optarg;
                        break;
                case ARG_SOCKET:
                        if (optarg[0] != '/')
                                return log_error_errno(-EINVAL, "--socket= takes an absolute path: %s", optarg);
                        arg_socket = optarg;
                        break;
                case ARG_ARGV0:
                        arg_argv0 = optarg;
                        break;
                case ARG_OWN_NETNS:
                        if (optarg && !streq(optarg, "drop-cap-sys-admin"))
                                return log_error_errno(-EINVAL, "--own-netns= takes only drop-cap-sys-admin: %s",
                                                       optarg);
                        arg_own_netns = true;
                        arg_drop_cap_sys_admin = !!optarg;
                        break;
                case 'q':
                        arg_quiet = true;
                        break;
                case '?':
                        return -EINVAL;
                default:
                        return -EINVAL;
                }

        if (optind >= argc)
                return log_error_errno(-EINVAL, "No command given: bpftoken-exec [OPTIONS...] -- COMMAND [ARGUMENTS...]");
        arg_cmd = argv + optind;
        return 1;
}

static bool standalone_requested(void) {
        if (arg_preset || arg_user)
                return true;
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                if (arg_lists[k])
                        return true;
        return false;
}

static int parse_delegation(const BpfNames *names, Delegation *ret) {
        Delegation d = {};
        int r;

        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                DelegationDiag diag = {};

                if (!arg_lists[k])
                        continue;
                r = delegation_parse_list(names, k, arg_lists[k], &d.masks[k], &diag);
                if (r < 0)
                        return log_error_errno(r, "--delegate-%s=: %s", bpf_kind_to_string(k), diag.error);
                if (diag.warning[0])
                        log_warning("--delegate-%s=: %s", bpf_kind_to_string(k), diag.warning);
        }
        if (arg_preset) {
                DelegationDiag diag = {};

                r = delegation_apply_preset(names, arg_preset, &d, &diag);
                if (r < 0)
                        return log_error_errno(r, "--preset=: %s", diag.error);
        }
        if (delegation_is_empty(&d))
                return log_error_errno(-EINVAL, "Nothing is delegated: give at least one non-empty --delegate-* "
                                       "option or --preset=.");
        *ret = d;
        return 0;
}

static int resolve_user(const char *name, uid_t *ret_uid, gid_t *ret_gid) {
        struct passwd pw, *res = NULL;
        char buf[4096];
        int r;

        r = getpwnam_r(name, &pw, buf, sizeof buf, &res);
        if (r != 0 || !res)
                return log_error_errno(r > 0 ? -r : -ESRCH, "Unknown user '%s' in --user=.", name);
        *ret_uid = res->pw_uid;
        *ret_gid = res->pw_gid;
        return 0;
}

/* After the setup, prove that a token can really be made here, so that a broken setup fails now
 * with a sentence rather than later inside the program with a bare EPERM. */
static int verify_instance(void) {
        _cleanup_(closep) int fd = -EBADF, token = -EBADF;
        int r;

        fd = open(BPFFS_PATH, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(-errno, "Cannot open %s after the setup: %m", BPFFS_PATH);
        r = fd_is_bpffs(fd);
        if (r < 0)
                return log_error_errno(r, "Cannot check %s: %m", BPFFS_PATH);
        if (r == 0)
                return log_error_errno(-EMEDIUMTYPE, "%s is not a bpffs after the setup: the publisher attached "
                                       "the instance in another mount namespace than this program's.", BPFFS_PATH);
        /* No need to read the mount table for the delegate_* options: BPF_TOKEN_CREATE fails with ENOENT
         * on a bpffs that delegates nothing, and token_create_error_sentence() says so. */
        token = bpf_token_create_fd(fd);
        if (token < 0)
                return log_error_errno(token, "%s (BPF_TOKEN_CREATE: %m)", token_create_error_sentence(token));
        return 0;
}

static void warn_libbpf_baseline(const BpfNames *names, const Delegation *d) {
        char missing[512];

        if (arg_quiet || delegation_covers_libbpf_baseline(names, d, missing, sizeof missing))
                return;
        log_warning("The delegation lacks what libbpf's own feature probes need (%s): unmodified libbpf programs "
                    "may fail with 'Operation not permitted'. Add them, or use the 'libbpf' preset.", missing);
}

static int run(int argc, char *argv[]) {
        _cleanup_(bpf_names_freep) BpfNames *names = NULL;
        _cleanup_(closep) int netns_fd = -EBADF;
        Delegation d = {};
        bool native = false;
        uid_t uid = 0;
        gid_t gid = 0;
        int r, initial;

        log_setup("bpftoken-exec", LOG_TARGET_STDERR);

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r;

        r = ensure_stdio_open();
        if (r < 0)
                return log_error_errno(r, "Failed to open /dev/null: %m");

        initial = running_in_initial_userns();
        if (initial < 0)
                return log_error_errno(initial, "Failed to read /proc/self/uid_map: %m");

        /* Inside a unit (every delegated start) the names serve only the libbpf baseline warning, whose
         * bits are old UAPI values: without names it uses the built-in table, and reads no BTF. On the
         * host they also decide the program's capabilities: the kernel's own names. */
        if (initial) {
                r = bpf_names_load(NULL, &names);
                if (r < 0)
                        return log_error_errno(r, "Failed to load the kernel's BPF names: %m");
        }

        if (standalone_requested()) {
                if (!initial || geteuid() != 0)
                        return log_error_errno(-EPERM, "--delegate-*, --preset= and --user= need root on the host "
                                               "(standalone mode). Inside a unit, or as an unprivileged user, run "
                                               "bpftoken-exec without them: the delegation then comes from the "
                                               "unit's BPFDelegate*= settings or from %s.", BPFTOKEN_POLICY_DIR);
                r = parse_delegation(names, &d);
                if (r < 0)
                        return r;
                if (arg_user) {
                        r = resolve_user(arg_user, &uid, &gid);
                        if (r < 0)
                                return r;
                }
                r = setup_standalone(&d, uid, gid);
        } else if (!initial && (r = native_instance_present()) != 0) {
                /* systemd >= 258 mounted the instance itself (issue 8): only the token path is ours. */
                if (r < 0)
                        return log_error_errno(r, "Cannot read the mount table: %m");
                native = true;
                r = native_token_path_setup();
        } else if (!initial) {
                r = setup_from_publisher_full(arg_socket, arg_own_netns ? PUBLISH_REQUEST_OWN_NETNS : 0, &d,
                                              &netns_fd);
                if (r >= 0 && arg_own_netns)
                        r = netns_fd < 0 ? log_error_errno(-EBADMSG, "The publisher sent no network namespace.")
                                         : exec_join_netns(netns_fd, arg_drop_cap_sys_admin);
                netns_fd = safe_close(netns_fd);
        }
        else if (geteuid() != 0)
                r = setup_own_namespace_then_publisher(arg_socket, &d);
        else
                return log_error_errno(-EINVAL, "Run by root on the host, bpftoken-exec needs the delegation on its "
                                       "command line (--delegate-commands= etc. or --preset=), and usually --user=.");
        if (r < 0)
                return r;

        if (native) {
                r = verify_instance();
                if (r < 0)
                        return r;
        } else if (delegation_is_empty(&d)) {
                /* PrivateBPF=yes without BPFDelegate*=: a private, empty bpffs hides the host's, and no
                 * token can be made from it, so libbpf must not be told to insist on one. */
                log_info("Nothing is delegated to this program: %s is a private bpffs without a token.",
                         BPFFS_PATH);
                arg_token_path = NULL;
        } else {
                r = verify_instance();
                if (r < 0)
                        return r;
                warn_libbpf_baseline(names, &d);
        }

        if (initial) {
                /* We made the namespaces: leave exactly the capabilities the delegation needs. Inside a
                 * unit the unit's own settings decide, untouched. */
                r = caps_restrict_to(delegation_needed_capabilities(names, &d), arg_user && uid != 0,
                                     uid, gid);
                if (r < 0)
                        return log_error_errno(r, "Failed to set the program's capabilities: %m");
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        return log_error_errno(-errno, "Failed to set no_new_privs: %m");
        }

        if (!isempty(arg_token_path) && setenv("LIBBPF_BPF_TOKEN_PATH", arg_token_path, 1) < 0)
                return log_oom();

        names = bpf_names_free(names);
        {
                /* With --argv0 the program is arg_cmd[0] and the name it sees is arg_argv0. */
                const char *path = arg_cmd[0];

                if (arg_argv0)
                        arg_cmd[0] = (char *) arg_argv0;
                execvp(path, arg_cmd);
                log_error_errno(-errno, "Failed to execute %s: %m", path);
        }
        _exit(EXIT_EXEC_FAILED);
}

int main(int argc, char *argv[]) {
        return run(argc, argv) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
