/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "monitor.h"

#define CGROUP2_SUPER_MAGIC 0x63677270

int cgroup2_root(const char **ret) {
        static const char *const candidates[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
        struct statfs sfs;

        for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++)
                if (statfs(candidates[i], &sfs) == 0 && (uint32_t) sfs.f_type == CGROUP2_SUPER_MAGIC) {
                        *ret = candidates[i];
                        return 0;
                }
        return -ENOMEDIUM;
}

int cgroup_id_of_path(const char *path, uint64_t *ret) {
        struct statfs sfs;
        struct stat st;
        int fd, r = 0;

        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstatfs(fd, &sfs) < 0 || fstat(fd, &st) < 0)
                r = -errno;
        else if ((uint32_t) sfs.f_type != CGROUP2_SUPER_MAGIC)
                r = -ENOMEDIUM;
        else
                *ret = (uint64_t) st.st_ino;
        (void) close(fd);
        return r;
}

int monitor_cgroup_new(const char *name, char **ret_path, uint64_t *ret_id) {
        const char *root;
        char *path;
        int r;

        if (!name || !*name || strchr(name, '/') || name[0] == '.')
                return -EINVAL;
        r = cgroup2_root(&root);
        if (r < 0)
                return r;
        if (asprintf(&path, "%s/%s", root, name) < 0)
                return -ENOMEM;
        if (mkdir(path, 0755) < 0) {
                r = -errno;
                free(path);
                return r;
        }
        r = cgroup_id_of_path(path, ret_id);
        if (r < 0) {
                (void) rmdir(path);
                free(path);
                return r;
        }
        *ret_path = path;
        return 0;
}

int monitor_cgroup_enter(const char *path) {
        char *procs;
        int fd, r = 0;

        if (asprintf(&procs, "%s/cgroup.procs", path) < 0)
                return -ENOMEM;
        fd = open(procs, O_WRONLY | O_CLOEXEC);
        free(procs);
        if (fd < 0)
                return -errno;
        if (write(fd, "0", 1) != 1)
                r = -errno;
        (void) close(fd);
        return r;
}

int monitor_cgroup_remove(const char *path) {
        for (int i = 0; i < 100; i++) {
                if (rmdir(path) == 0 || errno == ENOENT)
                        return 0;
                if (errno != EBUSY)
                        return -errno;
                (void) usleep(10 * 1000);
        }
        return -EBUSY;
}

uint64_t monitor_ns_to_realtime_usec(uint64_t monotonic_ns) {
        struct timespec mono, real;
        int64_t delta_ns;

        (void) clock_gettime(CLOCK_MONOTONIC, &mono);
        (void) clock_gettime(CLOCK_REALTIME, &real);
        delta_ns = ((int64_t) mono.tv_sec * 1000000000 + mono.tv_nsec) - (int64_t) monotonic_ns;
        return (uint64_t) (((int64_t) real.tv_sec * 1000000000 + real.tv_nsec - delta_ns) / 1000);
}

#if HAVE_BPF_FRAMEWORK

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpftoken-monitor.skel.h"

struct Monitor {
        struct bpftoken_monitor *skel;
        struct ring_buffer *rb;
        MonitorEventFunc func;
        void *userdata;
        int stop;               /* the callback's negative return */
        size_t n;
};

bool monitor_built(void) {
        return true;
}

/* libbpf prints to stderr by default; a library does not, the caller reports the errno. */
static int silent_print(enum libbpf_print_level level, const char *fmt, va_list ap) {
        return 0;
}

static int ringbuf_event(void *ctx, void *data, size_t size) {
        Monitor *m = ctx;
        MonitorEvent e = {};
        int r;

        if (m->stop < 0)
                return 0;
        memcpy(&e, data, size < sizeof e ? size : sizeof e);
        e.comm[sizeof e.comm - 1] = 0;
        e.obj_name[sizeof e.obj_name - 1] = 0;
        e.cgroup_name[sizeof e.cgroup_name - 1] = 0;
        m->n++;
        r = m->func ? m->func(&e, m->userdata) : 0;
        if (r < 0)
                m->stop = r;
        return 0;
}

/* Leave out our own calls; report PIDs as our PID namespace sees them. */
static int monitor_configure(Monitor *m) {
        struct bpftoken_monitor_config cfg = { .ignore_tgid = (uint32_t) getpid() };
        struct stat st;
        uint32_t zero = 0;

        if (stat("/proc/self/ns/pid", &st) == 0) {
                cfg.pidns_dev = (uint64_t) st.st_dev;
                cfg.pidns_ino = (uint64_t) st.st_ino;
        }
        if (bpf_map_update_elem(bpf_map__fd(m->skel->maps.config), &zero, &cfg, BPF_ANY) < 0)
                return -errno;
        return 0;
}

int monitor_new(size_t ringbuf_size, Monitor **ret) {
        libbpf_print_fn_t old;
        Monitor *m;
        int r;

        m = calloc(1, sizeof *m);
        if (!m)
                return -ENOMEM;
        old = libbpf_set_print(silent_print);
        m->skel = bpftoken_monitor__open();
        if (!m->skel) {
                r = -errno;
                goto fail;
        }
        if (ringbuf_size > 0) {
                r = bpf_map__set_max_entries(m->skel->maps.events, (uint32_t) ringbuf_size);
                if (r < 0)
                        goto fail;
        }
        r = bpftoken_monitor__load(m->skel);
        if (r < 0)
                goto fail;
        r = monitor_configure(m);
        if (r < 0)
                goto fail;
        r = bpftoken_monitor__attach(m->skel);
        if (r < 0)
                goto fail;
        m->rb = ring_buffer__new(bpf_map__fd(m->skel->maps.events), ringbuf_event, m, NULL);
        if (!m->rb) {
                r = -errno;
                goto fail;
        }
        (void) libbpf_set_print(old);
        *ret = m;
        return 0;
fail:
        (void) libbpf_set_print(old);
        monitor_free(m);
        return r < 0 ? r : -EIO;
}

Monitor *monitor_free(Monitor *m) {
        if (!m)
                return NULL;
        ring_buffer__free(m->rb);
        bpftoken_monitor__destroy(m->skel);
        free(m);
        return NULL;
}

int monitor_watch_cgroup(Monitor *m, uint64_t cgroup_id) {
        uint8_t one = 1;

        if (bpf_map_update_elem(bpf_map__fd(m->skel->maps.watched_cgroups), &cgroup_id, &one, BPF_ANY) < 0)
                return -errno;
        return 0;
}

int monitor_unwatch_cgroup(Monitor *m, uint64_t cgroup_id) {
        if (bpf_map_delete_elem(bpf_map__fd(m->skel->maps.watched_cgroups), &cgroup_id) < 0)
                return -errno;
        return 0;
}

int monitor_fd(Monitor *m) {
        return ring_buffer__epoll_fd(m->rb);
}

int monitor_poll(Monitor *m, int timeout_ms, MonitorEventFunc func, void *userdata) {
        int r;

        m->func = func;
        m->userdata = userdata;
        m->stop = 0;
        m->n = 0;
        /* The recorder wakes us only when its buffer fills up (see bpftoken_sys_exit()): after the
         * wait, read whatever is there. */
        r = timeout_ms == 0 ? 0 : ring_buffer__poll(m->rb, timeout_ms);
        if (r >= 0 && m->stop >= 0)
                r = ring_buffer__consume(m->rb);
        if (m->stop < 0)
                return m->stop;
        if (r < 0)
                return r;
        return (int) m->n;
}

int monitor_get_stats(Monitor *m, MonitorStats *ret) {
        int n_cpus = libbpf_num_possible_cpus(), fd = bpf_map__fd(m->skel->maps.stats);
        uint64_t sums[_BPFTOKEN_MONITOR_STAT_MAX] = {};
        uint64_t *values;

        if (n_cpus <= 0)
                return n_cpus < 0 ? n_cpus : -EIO;
        values = calloc((size_t) n_cpus, sizeof *values);
        if (!values)
                return -ENOMEM;
        for (uint32_t i = 0; i < _BPFTOKEN_MONITOR_STAT_MAX; i++) {
                if (bpf_map_lookup_elem(fd, &i, values) < 0) {
                        int r = -errno;

                        free(values);
                        return r;
                }
                for (int c = 0; c < n_cpus; c++)
                        sums[i] += values[c];
        }
        free(values);
        *ret = (MonitorStats) {
                .seen = sums[BPFTOKEN_MONITOR_STAT_SEEN],
                .lost = sums[BPFTOKEN_MONITOR_STAT_LOST],
                .unpaired = sums[BPFTOKEN_MONITOR_STAT_UNPAIRED],
        };
        return 0;
}

#else /* !HAVE_BPF_FRAMEWORK */

struct Monitor {
        int unused;
};

bool monitor_built(void) {
        return false;
}

int monitor_new(size_t ringbuf_size, Monitor **ret) {
        return -EOPNOTSUPP;
}

Monitor *monitor_free(Monitor *m) {
        return NULL;
}

int monitor_watch_cgroup(Monitor *m, uint64_t cgroup_id) {
        return -EOPNOTSUPP;
}

int monitor_unwatch_cgroup(Monitor *m, uint64_t cgroup_id) {
        return -EOPNOTSUPP;
}

int monitor_fd(Monitor *m) {
        return -EOPNOTSUPP;
}

int monitor_poll(Monitor *m, int timeout_ms, MonitorEventFunc func, void *userdata) {
        return -EOPNOTSUPP;
}

int monitor_get_stats(Monitor *m, MonitorStats *ret) {
        return -EOPNOTSUPP;
}

#endif
