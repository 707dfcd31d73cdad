/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sandbox-run: stand in for systemd when it starts a unit with PrivateUsers=yes, PrivateMounts=yes,
 * User= and AmbientCapabilities=, so that the publisher can be tested without a systemd PID 1.
 * Run as root:
 *   sandbox-run [--cgroup=DIR] [--uid=N --gid=N] [--caps=HEXMASK] [--variant=V] -- CMD...
 * Variants (the hostile cases the publisher must refuse):
 *   unit        (default) user namespace created by root, child of the initial one; own mount ns
 *   no-userns   stay in the initial user namespace (own mount namespace)
 *   no-mntns    root-owned user namespace, but the host's mount namespace
 *   self-userns the user namespace is created by --uid (owned by it), not by root
 *   nested      a second user namespace (owned by root) nested inside the first
 *   systemd     like systemd < 258: the mount namespace first (owned by the initial user namespace),
 *               made a slave and then shared again (a peer group of its own), then the user namespace
 *   leaky       the mount namespace first, left in the host's peer groups (mounts propagate back)
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "delegation.h"
#include "exec-caps.h"
#include "namespace-util.h"

static void die(const char *what) {
        fprintf(stderr, "sandbox-run: %s: %s\n", what, strerror(errno));
        exit(125);
}

static void write_file(const char *path, const char *text) {
        int fd = open(path, O_WRONLY|O_CLOEXEC);
        if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t) strlen(text))
                die(path);
        close(fd);
}

/* The id maps of target's user namespace (0: our own); dies naming the file that could not be written. */
static void map_ids(pid_t target, unsigned uid, unsigned gid, IdMapFlags flags) {
        const char *file = NULL;
        char path[64];
        int r;

        r = userns_write_id_maps(target, uid, gid, flags, &file);
        if (r >= 0)
                return;
        if (target == 0)
                snprintf(path, sizeof path, "/proc/self/%s", file);
        else
                snprintf(path, sizeof path, "/proc/%d/%s", (int) target, file);
        errno = -r;
        die(path);
}

static void new_userns_mapped_by_helper(unsigned uid, unsigned gid) {
        int p1[2], p2[2];
        pid_t self = getpid(), pid;
        char c;

        if (pipe2(p1, O_CLOEXEC) < 0 || pipe2(p2, O_CLOEXEC) < 0)
                die("pipe");
        pid = fork();
        if (pid < 0)
                die("fork");
        if (pid == 0) {
                if (read(p1[0], &c, 1) != 1)
                        _exit(1);
                /* Like systemd's (sd-userns) helper: a process in the parent namespace writes the maps. */
                map_ids(self, uid, gid, ID_MAP_ROOT);
                if (write(p2[1], "x", 1) != 1)
                        _exit(1);
                _exit(0);
        }
        if (unshare(CLONE_NEWUSER) < 0)
                die("unshare(CLONE_NEWUSER)");
        if (write(p1[1], "x", 1) != 1 || read(p2[0], &c, 1) != 1)
                die("id map helper");
        waitpid(pid, NULL, 0);
        close(p1[0]); close(p1[1]); close(p2[0]); close(p2[1]);
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "cgroup",  required_argument, NULL, 'c' },
                { "uid",     required_argument, NULL, 'u' },
                { "gid",     required_argument, NULL, 'g' },
                { "caps",    required_argument, NULL, 'p' },
                { "variant", required_argument, NULL, 'v' },
                {}
        };
        const char *cgroup = NULL, *variant = "unit";
        unsigned uid = 0, gid = 0;
        unsigned long long caps = 1ULL << CAP_BPF;
        int c;

        while ((c = getopt_long(argc, argv, "+", options, NULL)) >= 0)
                switch (c) {
                case 'c': cgroup = optarg; break;
                case 'u': uid = (unsigned) strtoul(optarg, NULL, 10); break;
                case 'g': gid = (unsigned) strtoul(optarg, NULL, 10); break;
                case 'p': caps = strtoull(optarg, NULL, 16); break;
                case 'v': variant = optarg; break;
                default: return 125;
                }
        if (optind >= argc) {
                fprintf(stderr, "sandbox-run: no command\n");
                return 125;
        }

        if (cgroup) {
                char path[4096], pid[32];

                snprintf(path, sizeof path, "%s/cgroup.procs", cgroup);
                snprintf(pid, sizeof pid, "%d", (int) getpid());
                write_file(path, pid);
        }

        if (strcmp(variant, "systemd") == 0 || strcmp(variant, "leaky") == 0) {
                if (unshare(CLONE_NEWNS) < 0)
                        die("unshare(CLONE_NEWNS)");
                if (strcmp(variant, "systemd") == 0 &&
                    (mount(NULL, "/", NULL, MS_REC|MS_SLAVE, NULL) < 0 || mount(NULL, "/", NULL, MS_REC|MS_SHARED, NULL) < 0))
                        die("mount propagation");
                new_userns_mapped_by_helper(uid, gid);
        } else if (strcmp(variant, "self-userns") == 0) {
                if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
                        die("setresuid");
                (void) prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);      /* so that /proc/self is ours again */
                if (unshare(CLONE_NEWUSER) < 0)
                        die("unshare(CLONE_NEWUSER)");
                map_ids(0, uid, gid, ID_MAP_DENY_SETGROUPS);
        } else if (strcmp(variant, "no-userns") != 0) {
                new_userns_mapped_by_helper(uid, gid);
                if (strcmp(variant, "nested") == 0) {
                        /* root inside the first namespace makes a second one, owned by (mapped) root */
                        if (unshare(CLONE_NEWUSER) < 0)
                                die("unshare(nested)");
                        map_ids(0, 0, 0, ID_MAP_DENY_SETGROUPS);
                }
        }

        if (strcmp(variant, "no-mntns") != 0 && strcmp(variant, "systemd") != 0 && strcmp(variant, "leaky") != 0) {
                if (unshare(CLONE_NEWNS) < 0)
                        die("unshare(CLONE_NEWNS)");
                if (mount(NULL, "/", NULL, MS_REC|MS_SLAVE, NULL) < 0)
                        die("mount(MS_SLAVE)");
        }

        if (strcmp(variant, "self-userns") != 0 && strcmp(variant, "no-userns") != 0 && strcmp(variant, "nested") != 0) {
                int r = caps_restrict_to(caps, uid != 0, uid, gid);
                if (r < 0) {
                        errno = -r;
                        die("capabilities");
                }
        } else if (strcmp(variant, "no-userns") == 0 && uid != 0) {
                if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
                        die("setresuid");
        }

        execvp(argv[optind], argv + optind);
        die(argv[optind]);
}
