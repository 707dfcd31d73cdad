// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * e2e-loader: the plainest possible libbpf application, built inside each
 * test root filesystem against that distribution's libbpf (>= 1.4).
 *
 *   e2e-loader [--pin PATH] [--expect-token] [--hold] OBJECT
 *
 * bpf_object__open_file() + bpf_object__load(), nothing else: no token
 * option is passed, so libbpf decides by itself whether to use a BPF token
 * (from LIBBPF_BPF_TOKEN_PATH, else from /sys/fs/bpf).  That is exactly what
 * an unmodified application does.
 *
 * It prints the fds of the maps and programs it got, pins the first program
 * at PATH with --pin, and reports the BPF token libbpf holds (found through
 * /proc/self/fdinfo: a token's fdinfo has allowed_cmds/maps/progs/attachs
 * lines), so that a test can see which delegation the token carries even
 * where strace cannot run (a SystemCallFilter= without ptrace).
 * With --expect-token, finding no token is an error (exit 3).  With --hold it
 * keeps everything (objects and token) open until SIGTERM or SIGINT, like a
 * long-running BPF application, so its live token can be inspected.
 *
 * Exit status: 0 success, 1 open/load/pin failed, 2 usage, 3 no token.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

/* Print the fdinfo of every BPF token fd this process holds; return how many. */
static int report_tokens(void)
{
        DIR *d = opendir("/proc/self/fdinfo");
        struct dirent *de;
        int n = 0;

        if (!d) {
                fprintf(stderr, "e2e-loader: cannot list /proc/self/fdinfo: %s\n", strerror(errno));
                return 0;
        }
        while ((de = readdir(d))) {
                char line[256];
                bool is_token = false;
                FILE *f;
                int fd;

                if (de->d_name[0] == '.')
                        continue;
                fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                f = fdopen(fd, "r");
                if (!f) {
                        close(fd);
                        continue;
                }
                while (fgets(line, sizeof(line), f)) {
                        if (strncmp(line, "allowed_", 8) != 0)
                                continue;
                        if (!is_token)
                                printf("e2e-loader: token fd %s:", de->d_name);
                        is_token = true;
                        line[strcspn(line, "\n")] = '\0';
                        printf(" %s", line);
                }
                fclose(f);
                if (is_token) {
                        printf("\n");
                        n++;
                }
        }
        closedir(d);
        return n;
}

int main(int argc, char **argv)
{
        static const struct option options[] = {
                { "pin", required_argument, NULL, 'p' },
                { "expect-token", no_argument, NULL, 't' },
                { "hold", no_argument, NULL, 'h' },
                {}
        };
        const char *pin = NULL, *file;
        bool expect_token = false, hold = false;
        struct bpf_object *obj;
        struct bpf_program *prog;
        struct bpf_map *map;
        int c, err, tokens;

        /* Line-buffered, so our lines and libbpf's (stderr) keep their order in the journal. */
        setvbuf(stdout, NULL, _IOLBF, 0);

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                switch (c) {
                case 'p':
                        pin = optarg;
                        break;
                case 't':
                        expect_token = true;
                        break;
                case 'h':
                        hold = true;
                        break;
                default:
                        return 2;
                }
        }
        if (optind != argc - 1) {
                fprintf(stderr, "usage: %s [--pin PATH] [--expect-token] [--hold] OBJECT\n", argv[0]);
                return 2;
        }
        file = argv[optind];

        printf("e2e-loader: libbpf %u.%u, LIBBPF_BPF_TOKEN_PATH=%s\n",
               libbpf_major_version(), libbpf_minor_version(),
               getenv("LIBBPF_BPF_TOKEN_PATH") ?: "(unset)");

        obj = bpf_object__open_file(file, NULL);
        if (!obj) {
                err = -errno;
                fprintf(stderr, "e2e-loader: opening %s failed: %s\n", file, strerror(-err));
                return 1;
        }
        err = bpf_object__load(obj);
        if (err) {
                fprintf(stderr, "e2e-loader: loading %s failed: %s (errno %d)\n", file, strerror(-err), -err);
                bpf_object__close(obj);
                return 1;
        }

        bpf_object__for_each_map(map, obj)
                printf("e2e-loader: map %s fd %d\n", bpf_map__name(map), bpf_map__fd(map));
        bpf_object__for_each_program(prog, obj)
                printf("e2e-loader: prog %s fd %d\n", bpf_program__name(prog), bpf_program__fd(prog));

        tokens = report_tokens();
        if (tokens == 0)
                printf("e2e-loader: no BPF token held\n");

        if (pin) {
                prog = bpf_object__next_program(obj, NULL);
                err = prog ? bpf_program__pin(prog, pin) : -ENOENT;
                if (err) {
                        fprintf(stderr, "e2e-loader: pinning at %s failed: %s\n", pin, strerror(-err));
                        bpf_object__close(obj);
                        return 1;
                }
                printf("e2e-loader: pinned %s at %s\n", bpf_program__name(prog), pin);
        }

        if (hold) {
                sigset_t set;
                int sig;

                sigemptyset(&set);
                sigaddset(&set, SIGTERM);
                sigaddset(&set, SIGINT);
                sigprocmask(SIG_BLOCK, &set, NULL);
                printf("e2e-loader: holding the program, its map and the token until SIGTERM\n");
                fflush(stdout);
                sigwait(&set, &sig);
        }

        bpf_object__close(obj);
        if (expect_token && tokens == 0) {
                fprintf(stderr, "e2e-loader: loaded, but without a BPF token\n");
                return 3;
        }
        printf("e2e-loader: OK\n");
        return 0;
}
