/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>

#include "cgroup-util.h"
#include "fileio.h"
#include "macro.h"

#define CGROUP_FILE_MAX (16 * 1024)

static bool component_is_unit(const char *s, size_t n) {
        const char *dot = NULL;

        if (n == 0 || n > 255)
                return false;
        for (size_t i = 0; i < n; i++) {
                if (!isalnum((unsigned char) s[i]) && !strchr(":-_.\\@", s[i]))
                        return false;
                if (s[i] == '.')
                        dot = s + i;
        }
        return dot && dot != s && dot < s + n - 1;
}

/* The unit's name, and with ret_prefix the path up to and including it ("/system.slice/foo.service"). */
static int path_get_unit_full(const char *path, char **ret_unit, char **ret_prefix) {
        const char *p = path;

        while (*p) {
                const char *e;
                size_t n;

                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                e = strchrnul(p, '/');
                n = (size_t) (e - p);
                if (!(n > 6 && strncmp(e - 6, ".slice", 6) == 0)) {
                        if (!component_is_unit(p, n))
                                return -EBADMSG;
                        if (ret_prefix) {
                                *ret_prefix = strndup(path, (size_t) (e - path));
                                return *ret_prefix ? 0 : -ENOMEM;
                        }
                        *ret_unit = strndup(p, n);
                        return *ret_unit ? 0 : -ENOMEM;
                }
                p = e;
        }
        return -ENXIO;
}

static int path_get_unit(const char *path, char **ret_unit) {
        return path_get_unit_full(path, ret_unit, NULL);
}

/* The "0::" line's path (NULL if none) and the name=systemd line's. */
static int cgroup_text_split(const char *text, char **ret_unified, char **ret_named) {
        _cleanup_(freep) char *unified = NULL, *named = NULL;
        const char *line = text;

        while (line && *line) {
                const char *nl = strchr(line, '\n');
                size_t n = nl ? (size_t) (nl - line) : strlen(line);
                const char *c1 = memchr(line, ':', n), *c2;

                if (c1) {
                        c2 = memchr(c1 + 1, ':', n - (size_t) (c1 + 1 - line));
                        if (c2) {
                                size_t cn = (size_t) (c2 - c1 - 1);
                                char **dst = NULL;

                                if (cn == 0 && c1 - line == 1 && line[0] == '0')
                                        dst = &unified;
                                else if (cn == strlen("name=systemd") && strncmp(c1 + 1, "name=systemd", cn) == 0)
                                        dst = &named;
                                if (dst && !*dst) {
                                        *dst = strndup(c2 + 1, n - (size_t) (c2 + 1 - line));
                                        if (!*dst)
                                                return -ENOMEM;
                                }
                        }
                }
                line = nl ? nl + 1 : NULL;
        }

        *ret_unified = TAKE_PTR(unified);
        *ret_named = TAKE_PTR(named);
        return 0;
}

int cgroup_text_get_unit(const char *text, char **ret_unit) {
        _cleanup_(freep) char *unified = NULL, *named = NULL;
        int r;

        r = cgroup_text_split(text, &unified, &named);
        if (r < 0)
                return r;
        if (unified && !streq(unified, "/"))
                return path_get_unit(unified, ret_unit);
        if (named)
                return path_get_unit(named, ret_unit);
        if (unified)
                return -ENXIO;
        return -EBADMSG;
}

/* /proc/PID/cgroup: less than CGROUP_FILE_MAX bytes, or -E2BIG. */
static int pid_read_cgroup(pid_t pid, char **ret) {
        char path[64];

        snprintf(path, sizeof path, "/proc/%d/cgroup", (int) pid);
        return read_full_file_at(AT_FDCWD, path, CGROUP_FILE_MAX - 1, ret, NULL);
}

int cgroup_pid_get_unit(pid_t pid, char **ret_unit) {
        _cleanup_(freep) char *buf = NULL;
        int r;

        r = pid_read_cgroup(pid, &buf);
        if (r < 0)
                return r;
        return cgroup_text_get_unit(buf, ret_unit);
}

int cgroup_text_get_unit_path(const char *text, char **ret_path) {
        _cleanup_(freep) char *unified = NULL, *named = NULL;
        int r;

        r = cgroup_text_split(text, &unified, &named);
        if (r < 0)
                return r;
        if (!unified || unified[0] != '/')
                return -ENOMEDIUM;
        return path_get_unit_full(unified, NULL, ret_path);
}

int cgroup_pid_get_unit_path(pid_t pid, char **ret_path) {
        _cleanup_(freep) char *buf = NULL;
        int r;

        r = pid_read_cgroup(pid, &buf);
        if (r < 0)
                return r;
        return cgroup_text_get_unit_path(buf, ret_path);
}
