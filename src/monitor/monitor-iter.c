/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "monitor-iter.h"

#define PROC_PID_INIT_INO 0xEFFFFFFCU /* the initial PID namespace's inode (include/linux/proc_ns.h) */

#if HAVE_BPF_FRAMEWORK

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpftoken-iter.h"
#include "bpftoken-iter.skel.h"

static int silent_print(enum libbpf_print_level level, const char *fmt, va_list ap) {
        return 0;
}

static int cmp_pid(const void *a, const void *b) {
        pid_t x = *(const pid_t *) a, y = *(const pid_t *) b;

        return (x > y) - (x < y);
}

/* Reads the iterator's records into a sorted, unique PID list. */
static int read_holders(int iter_fd, pid_t **ret, size_t *ret_n) {
        struct bpftoken_iter_token recs[256];
        pid_t *pids = NULL;
        size_t n = 0, allocated = 0, k = 0;
        ssize_t l;

        while ((l = read(iter_fd, recs, sizeof recs)) > 0) {
                for (size_t i = 0; i < (size_t) l / sizeof recs[0]; i++) {
                        if (n == allocated) {
                                size_t a = allocated ? allocated * 2 : 64;
                                pid_t *p = reallocarray(pids, a, sizeof *p);

                                if (!p) {
                                        free(pids);
                                        return -ENOMEM;
                                }
                                pids = p;
                                allocated = a;
                        }
                        pids[n++] = (pid_t) recs[i].tgid;
                }
        }
        if (l < 0) {
                int r = -errno;

                free(pids);
                return r;
        }
        if (n > 0) {
                qsort(pids, n, sizeof *pids, cmp_pid);
                for (size_t i = 0; i < n; i++)
                        if (k == 0 || pids[k - 1] != pids[i])
                                pids[k++] = pids[i];
        }
        *ret = pids;
        *ret_n = k;
        return 0;
}

int monitor_token_holders(pid_t **ret, size_t *ret_n) {
        struct bpftoken_iter *skel = NULL;
        struct bpf_link *link = NULL;
        libbpf_print_fn_t old;
        struct stat st;
        int fd = -1, r;

        if (stat("/proc/self/ns/pid", &st) < 0 || st.st_ino != PROC_PID_INIT_INO)
                return -EOPNOTSUPP;
        old = libbpf_set_print(silent_print);
        skel = bpftoken_iter__open_and_load();
        if (!skel) {
                r = -errno;
                goto finish;
        }
        link = bpf_program__attach_iter(skel->progs.bpftoken_token_files, NULL);
        if (!link) {
                r = -errno;
                goto finish;
        }
        fd = bpf_iter_create(bpf_link__fd(link));
        if (fd < 0) {
                r = -errno;
                goto finish;
        }
        r = read_holders(fd, ret, ret_n);
finish:
        if (fd >= 0)
                (void) close(fd);
        bpf_link__destroy(link);
        bpftoken_iter__destroy(skel);
        (void) libbpf_set_print(old);
        return r < 0 ? r : 0;
}

#else

int monitor_token_holders(pid_t **ret, size_t *ret_n) {
        return -EOPNOTSUPP;
}

#endif
