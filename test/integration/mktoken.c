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
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpf-token-uapi.h"

#define EXIT_SKIP 77

static const char *arg_masks[4] = { "0x0", "0x0", "0x0", "0x0" };
static const char *const mask_keys[4] = { "delegate_cmds", "delegate_maps", "delegate_progs", "delegate_attachs" };
static int arg_token = 1;
static int arg_mount = 1;
static unsigned arg_timeout = 300;
static int arg_foreground = 0;

static int sys_fsopen(const char *fs, unsigned flags) {
        return (int) syscall(__NR_fsopen, fs, flags);
}

static int sys_fsconfig(int fd, unsigned cmd, const char *key, const void *value, int aux) {
        return (int) syscall(__NR_fsconfig, fd, cmd, key, value, aux);
}

static int sys_fsmount(int fd, unsigned flags, unsigned attr) {
        return (int) syscall(__NR_fsmount, fd, flags, attr);
}

static int sys_move_mount(int from_dfd, const char *from, int to_dfd, const char *to, unsigned flags) {
        return (int) syscall(__NR_move_mount, from_dfd, from, to_dfd, to, flags);
}

static int sys_bpf(int cmd, void *attr, unsigned size) {
        return (int) syscall(__NR_bpf, cmd, attr, size);
}

static int send_msg(int sock, char code, int fd) {
        char cbuf[CMSG_SPACE(sizeof(int))] = {};
        struct iovec iov = { .iov_base = &code, .iov_len = 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

        if (fd >= 0) {
                struct cmsghdr *c;

                mh.msg_control = cbuf;
                mh.msg_controllen = sizeof cbuf;
                c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &fd, sizeof(int));
        }
        return sendmsg(sock, &mh, MSG_NOSIGNAL) == 1 ? 0 : -errno;
}

static int recv_msg(int sock, char *ret_code, int *ret_fd) {
        char cbuf[CMSG_SPACE(sizeof(int))] = {};
        char code = 0;
        struct iovec iov = { .iov_base = &code, .iov_len = 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
        struct cmsghdr *c;
        ssize_t n;

        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        if (n < 0)
                return -errno;
        if (n == 0)
                return -ECONNRESET;
        *ret_code = code;
        if (ret_fd) {
                *ret_fd = -1;
                c = CMSG_FIRSTHDR(&mh);
                if (c && c->cmsg_type == SCM_RIGHTS)
                        memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
        }
        return 0;
}

static int write_file(const char *path, const char *text) {
        int fd, r = 0;

        fd = open(path, O_WRONLY|O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (write(fd, text, strlen(text)) != (ssize_t) strlen(text))
                r = -errno ?: -EIO;
        close(fd);
        return r;
}

static _Noreturn void child(int sock) {
        char code;
        int fs_fd, mnt_fd, bpffs_fd, token_fd = -1;

        if (unshare(CLONE_NEWUSER|CLONE_NEWNS) < 0) {
                (void) send_msg(sock, 'U', -1);
                _exit(1);
        }
        if (send_msg(sock, 'u', -1) < 0 || recv_msg(sock, &code, NULL) < 0 || code != 'm')
                _exit(1);
        if (setresuid(0, 0, 0) < 0 || setresgid(0, 0, 0) < 0)
                _exit(1);
        if (mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL) < 0)
                _exit(1);

        fs_fd = sys_fsopen("bpf", BPFTOKEN_FSOPEN_CLOEXEC);
        if (fs_fd < 0) {
                (void) send_msg(sock, 'F', -1);
                _exit(1);
        }
        if (send_msg(sock, 'f', fs_fd) < 0 || recv_msg(sock, &code, NULL) < 0 || code != 'c')
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
                struct bpftoken_attr_token_create attr = { .flags = 0, .bpffs_fd = (uint32_t) bpffs_fd };

                token_fd = sys_bpf(BPFTOKEN_CMD_TOKEN_CREATE, &attr, sizeof attr);
                if (token_fd < 0) {
                        (void) send_msg(sock, errno == EINVAL ? 'N' : 'T', -1);
                        _exit(1);
                }
        }
        /* Keep the mount attached (or the detached mount alive) and the token open. */
        if (arg_mount)
                close(mnt_fd);
        close(bpffs_fd);

        if (send_msg(sock, 'r', -1) < 0)
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
        char path[64], code;
        int sv[2], fs_fd;
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
        if (socketpair(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC, 0, sv) < 0)
                return 1;

        pid = fork();
        if (pid < 0)
                return 1;
        if (pid == 0) {
                close(sv[0]);
                if (!arg_foreground)
                        (void) setsid();
                child(sv[1]);
        }
        close(sv[1]);

        if (recv_msg(sv[0], &code, NULL) < 0 || code != 'u')
                goto fail;
        snprintf(path, sizeof path, "/proc/%d/uid_map", (int) pid);
        if (write_file(path, "0 0 1\n") < 0)
                goto fail;
        snprintf(path, sizeof path, "/proc/%d/gid_map", (int) pid);
        if (write_file(path, "0 0 1\n") < 0)
                goto fail;
        if (send_msg(sv[0], 'm', -1) < 0)
                goto fail;

        if (recv_msg(sv[0], &code, &fs_fd) < 0 || code != 'f' || fs_fd < 0)
                goto fail;
        for (unsigned i = 0; i < 4; i++)
                if (sys_fsconfig(fs_fd, BPFTOKEN_FSCONFIG_SET_STRING, mask_keys[i], arg_masks[i], 0) < 0) {
                        fprintf(stderr, "mktoken: fsconfig(%s=%s): %m\n", mask_keys[i], arg_masks[i]);
                        goto fail;
                }
        if (sys_fsconfig(fs_fd, BPFTOKEN_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
                fprintf(stderr, "mktoken: FSCONFIG_CMD_CREATE: %m\n");
                goto fail;
        }
        close(fs_fd);
        if (send_msg(sv[0], 'c', -1) < 0)
                goto fail;

        if (recv_msg(sv[0], &code, NULL) < 0 || code != 'r') {
                if (code == 'N') {
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
                int status = 0;

                (void) waitpid(pid, &status, 0);
        }
        return 0;

fail:
        fprintf(stderr, "mktoken: setting up the delegated bpffs failed (step '%c').\n", code);
        kill(pid, SIGKILL);
        (void) waitpid(pid, NULL, 0);
        return 1;
}
