/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Test helper: creates a delegated bpffs instance the way the publisher does (a child in its own
 * user + mount namespace, owned by root, opens the fs context; the privileged parent sets the
 * delegate_* options as hex masks and creates the superblock), attaches it at /sys/fs/bpf in the
 * child's mount namespace, creates a BPF token from it and keeps holding both until killed (or
 * until --timeout= expires). Prints the holder's PID on stdout when it is ready.
 *
 *   mktoken [--cmds=MASK] [--maps=MASK] [--progs=MASK] [--attachs=MASK]
 *           [--no-token] [--no-mount] [--timeout=SEC] [--foreground]
 *
 * MASK is passed to fsconfig() unchanged ("0x21", "any", ...). Needs root. Exit status 77 if the
 * kernel has no BPF token support (so that test scripts can skip).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpf-token-uapi.h"
#include "socket-util.h"
#include "syscalls.h"
#include "userns-child.h"

#define EXIT_SKIP 77

static const char *arg_masks[4] = { "0x0", "0x0", "0x0", "0x0" };
static const char *const mask_keys[4] = { "delegate_cmds", "delegate_maps", "delegate_progs", "delegate_attachs" };
static int arg_token = 1;
static int arg_mount = 1;
static unsigned arg_timeout = 300;
static int arg_foreground = 0;

static _Noreturn void child(int sock) {
        int fs_fd, mnt_fd, bpffs_fd, token_fd, status = 0, unused = -EBADF;

        if (!arg_foreground)
                (void) setsid();

        fs_fd = sys_fsopen("bpf", BPFTOKEN_FSOPEN_CLOEXEC);
        if (fs_fd < 0) {
                (void) send_status_fd(sock, -fs_fd, -EBADF);
                _exit(1);
        }
        /* The parent sets the delegate_* options and creates the superblock. */
        if (send_status_fd(sock, 0, fs_fd) < 0 || recv_status_fd(sock, &status, &unused) < 0 || status != 0)
                _exit(1);

        mnt_fd = sys_fsmount(fs_fd, BPFTOKEN_FSMOUNT_CLOEXEC, 0);
        if (mnt_fd < 0)
                _exit(1);
        close(fs_fd);

        if (arg_mount) {
                if (sys_move_mount(mnt_fd, "", AT_FDCWD, "/sys/fs/bpf", BPFTOKEN_MOVE_MOUNT_F_EMPTY_PATH) < 0)
                        _exit(1);
                bpffs_fd = open("/sys/fs/bpf", O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        } else
                bpffs_fd = openat(mnt_fd, ".", O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (bpffs_fd < 0)
                _exit(1);

        if (arg_token) {
                token_fd = bpf_token_create_fd(bpffs_fd);
                if (token_fd < 0) {
                        (void) send_status_fd(sock, -token_fd, -EBADF);
                        _exit(1);
                }
        }
        /* Keep the mount attached (or the detached mount alive) and the token open. */
        if (arg_mount)
                close(mnt_fd);
        close(bpffs_fd);

        if (send_status_fd(sock, 0, -EBADF) < 0)
                _exit(1);
        close(sock);
        if (!arg_foreground) {
                int null = open("/dev/null", O_RDWR|O_CLOEXEC);

                if (null >= 0) {
                        dup2(null, 0);
                        dup2(null, 1);
                        dup2(null, 2);
                        close(null);
                }
        }
        alarm(arg_timeout);
        for (;;)
                pause();
}

static int parse_argv(int argc, char *argv[]) {
        static const struct option options[] = {
                { "cmds",       required_argument, NULL, 'c' },
                { "maps",       required_argument, NULL, 'm' },
                { "progs",      required_argument, NULL, 'p' },
                { "attachs",    required_argument, NULL, 'a' },
                { "no-token",   no_argument,       NULL, 'T' },
                { "no-mount",   no_argument,       NULL, 'M' },
                { "timeout",    required_argument, NULL, 't' },
                { "foreground", no_argument,       NULL, 'f' },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'c': arg_masks[0] = optarg; break;
                case 'm': arg_masks[1] = optarg; break;
                case 'p': arg_masks[2] = optarg; break;
                case 'a': arg_masks[3] = optarg; break;
                case 'T': arg_token = 0; break;
                case 'M': arg_mount = 0; break;
                case 't': arg_timeout = (unsigned) strtoul(optarg, NULL, 10); break;
                case 'f': arg_foreground = 1; break;
                default: return -EINVAL;
                }
        if (optind < argc)
                return -EINVAL;
        return 0;
}

int main(int argc, char *argv[]) {
        const char *step = "namespaces";
        int sock = -EBADF, fs_fd = -EBADF, unused = -EBADF, status = 0, r;
        pid_t pid;

        if (parse_argv(argc, argv) < 0) {
                fprintf(stderr, "usage: mktoken [--cmds=MASK] [--maps=MASK] [--progs=MASK] [--attachs=MASK] "
                                "[--no-token] [--no-mount] [--timeout=SEC] [--foreground]\n");
                return 2;
        }
        if (geteuid() != 0) {
                fprintf(stderr, "mktoken: needs root.\n");
                return EXIT_SKIP;
        }

        r = userns_child_fork(0, &pid, &sock, NULL);
        if (r < 0) {
                fprintf(stderr, "mktoken: setting up the delegated bpffs failed (step '%s'): %s\n", step, strerror(-r));
                return 1;
        }
        if (r == 0)
                child(sock);

        step = "fsopen";
        if (recv_status_fd(sock, &status, &fs_fd) < 0 || status != 0 || fs_fd < 0)
                goto fail;
        step = "fsconfig";
        for (unsigned i = 0; i < 4; i++) {
                r = sys_fsconfig(fs_fd, BPFTOKEN_FSCONFIG_SET_STRING, mask_keys[i], arg_masks[i], 0);
                if (r < 0) {
                        fprintf(stderr, "mktoken: fsconfig(%s=%s): %s\n", mask_keys[i], arg_masks[i], strerror(-r));
                        goto fail;
                }
        }
        r = sys_fsconfig(fs_fd, BPFTOKEN_FSCONFIG_CMD_CREATE, NULL, NULL, 0);
        if (r < 0) {
                fprintf(stderr, "mktoken: FSCONFIG_CMD_CREATE: %s\n", strerror(-r));
                goto fail;
        }
        close(fs_fd);
        if (send_status_fd(sock, 0, -EBADF) < 0)
                goto fail;

        step = "token";
        if (recv_status_fd(sock, &status, &unused) < 0 || status != 0) {
                if (status == EINVAL) {
                        fprintf(stderr, "mktoken: kernel has no BPF token support.\n");
                        kill(pid, SIGKILL);
                        (void) waitpid(pid, NULL, 0);
                        return EXIT_SKIP;
                }
                goto fail;
        }
        printf("%d\n", (int) pid);
        fflush(stdout);
        if (arg_foreground) {
                int wstatus = 0;

                (void) waitpid(pid, &wstatus, 0);
        }
        return 0;

fail:
        fprintf(stderr, "mktoken: setting up the delegated bpffs failed (step '%s').\n", step);
        kill(pid, SIGKILL);
        (void) waitpid(pid, NULL, 0);
        return 1;
}
