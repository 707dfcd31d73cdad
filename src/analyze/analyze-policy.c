/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyze-policy.h"
#include "config.h"
#include "fileio.h"
#include "ini-parse.h"
#include "macro.h"
#include "strv.h"

#define POLICY_TEXT_MAX (64 * 1024)

void policy_file_state_done(PolicyFileState *s) {
        if (!s)
                return;
        free(s->path);
        policy_free(s->policy);
        free(s->unit);
        free(s->message);
        *s = (PolicyFileState) {};
}

void policy_files_done(PolicyFiles *l) {
        for (size_t i = 0; l && i < l->n; i++)
                policy_file_state_done(&l->files[i]);
        free(l->files);
        *l = (PolicyFiles) {};
}

/* Unit= as written, from a file that may not parse as a whole. */
static int find_unit(const char *section, const char *key, const char *value, unsigned line, void *userdata) {
        char **unit = userdata;

        if (key && streq(section, POLICY_SECTION_MATCH) && streq(key, POLICY_KEY_UNIT) && !*unit) {
                *unit = strdup(value);
                if (!*unit)
                        return -ENOMEM;
        }
        return 0;
}

/* "PATH:LINE: ..." -> LINE */
static unsigned line_of(const char *path, const char *message) {
        const char *p = startswith(message, path);
        unsigned long l;
        char *end;

        if (!p || *p != ':')
                return 0;
        l = strtoul(p + 1, &end, 10);
        return end > p + 1 && *end == ':' && l < UINT32_MAX ? (unsigned) l : 0;
}

static int ownership_problem(const char *path, char **ret) {
        struct stat st;

        *ret = NULL;
        if (lstat(path, &st) < 0)
                return asprintf(ret, "%s: cannot be opened: %s.", path, strerror(errno)) < 0 ? -ENOMEM : 1;
        if (S_ISLNK(st.st_mode))
                return asprintf(ret, "%s: is a symbolic link, which the publisher ignores; copy the file instead.",
                                path) < 0 ? -ENOMEM : 1;
        if (!S_ISREG(st.st_mode))
                return asprintf(ret, "%s: not a regular file.", path) < 0 ? -ENOMEM : 1;
        if (st.st_uid != 0 || (st.st_mode & (S_IWGRP|S_IWOTH)))
                return asprintf(ret, "%s: must be owned by root and writable by root only, else the publisher "
                                "ignores it: chown root:root and chmod 0644 it.", path) < 0 ? -ENOMEM : 1;
        return 0;
}

int policy_file_load(const BpfNames *names, const char *path, PolicyFileState *ret) {
        _cleanup_(policy_file_state_done) PolicyFileState s = {};
        _cleanup_(freep) char *text = NULL;
        char error[512] = "";
        size_t size;
        int r;

        s.path = strdup(path);
        if (!s.path)
                return -ENOMEM;

        r = ownership_problem(path, &s.message);
        if (r < 0)
                return r;
        if (r > 0)
                s.error = -EPERM;

        r = read_full_file_at(AT_FDCWD, path, POLICY_TEXT_MAX, &text, &size);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || memchr(text, '\0', size)) {
                if (!s.message && asprintf(&s.message, "%s: unreadable, binary, or larger than %d bytes.", path,
                                           POLICY_TEXT_MAX) < 0)
                        return -ENOMEM;
                s.error = r < 0 ? r : -EBADMSG;
                *ret = s;
                s = (PolicyFileState) {};
                return 0;
        }
        r = ini_parse(text, size, 0, find_unit, &s.unit, NULL);
        if (r == -ENOMEM)
                return r;

        r = policy_parse(names, path, text, &s.policy, error, sizeof error);
        if (r == -ENOMEM)
                return r;
        if (r < 0 && !s.message) {
                s.message = strdup(error);
                if (!s.message)
                        return -ENOMEM;
                s.line = line_of(path, error);
                s.error = r;
        } else if (s.error < 0)
                s.policy = policy_free(s.policy); /* the publisher does not read it */
        *ret = s;
        s = (PolicyFileState) {};
        return 0;
}

static int add_file(PolicyFiles *l, PolicyFileState *s) {
        PolicyFileState *n = reallocarray(l->files, l->n + 1, sizeof *n);

        if (!n)
                return -ENOMEM;
        l->files = n;
        l->files[l->n++] = *s;
        *s = (PolicyFileState) {};
        return 0;
}

static bool have_name(const PolicyFiles *l, const char *name) {
        for (size_t i = 0; i < l->n; i++) {
                const char *b = strrchr(l->files[i].path, '/');

                if (streq(b ? b + 1 : l->files[i].path, name))
                        return true;
        }
        return false;
}

static int scan_dir(const BpfNames *names, const char *root, const char *dir, bool generated, PolicyFiles *l) {
        _cleanup_(strv_freep) char **entries = NULL;
        _cleanup_(closedirp) DIR *d = NULL;
        _cleanup_(freep) char *full = NULL;
        struct dirent *de;
        int r;

        if (asprintf(&full, "%s%s%s", root ?: "", dir[0] == '/' ? "" : "/", dir) < 0)
                return -ENOMEM;
        d = opendir(full);
        if (!d)
                return 0;
        while ((de = readdir(d))) {
                size_t len = strlen(de->d_name);

                if (de->d_name[0] == '.' || len < 6 || !streq(de->d_name + len - 5, ".conf") ||
                    have_name(l, de->d_name))
                        continue;
                r = strv_extend(&entries, de->d_name);
                if (r < 0)
                        return r;
        }
        strv_sort(entries);
        for (char **e = entries; e && *e; e++) {
                _cleanup_(policy_file_state_done) PolicyFileState s = {};
                _cleanup_(freep) char *p = NULL;

                if (asprintf(&p, "%s/%s", full, *e) < 0)
                        return -ENOMEM;
                r = policy_file_load(names, p, &s);
                if (r < 0)
                        return r;
                s.generated = generated;
                r = add_file(l, &s);
                if (r < 0)
                        return r;
        }
        return 0;
}

int policy_files_scan(const BpfNames *names, const char *root, PolicyFiles *ret) {
        PolicyFiles l = {};
        int r;

        r = scan_dir(names, root, BPFTOKEN_POLICY_DIR, false, &l);
        if (r >= 0)
                r = scan_dir(names, root, BPFTOKEN_GENERATOR_POLICY_DIR, true, &l);
        if (r < 0) {
                policy_files_done(&l);
                return r;
        }
        *ret = l;
        return 0;
}

const PolicyFileState *policy_files_for_unit(const PolicyFiles *l, const char *unit, size_t *iter) {
        for (; *iter < l->n; (*iter)++) {
                const PolicyFileState *s = &l->files[*iter];

                if (s->unit && policy_unit_matches(s->unit, unit)) {
                        (*iter)++;
                        return s;
                }
        }
        return NULL;
}

int policy_file_check(const PolicyFileState *s, Findings *f) {
        const char *msg;

        if (s->error < 0) {
                /* The message starts with "PATH:LINE: " or "PATH: "; the finding carries those itself. */
                msg = startswith(s->message, s->path) ?: s->message;
                if (*msg == ':')
                        msg++;
                while (*msg >= '0' && *msg <= '9')
                        msg++;
                if (*msg == ':')
                        msg++;
                msg += strspn(msg, " ");
                return findings_add(f, SEVERITY_ERROR, "policy-invalid", s->path, s->line,
                                    "%s The publisher ignores this file%s%s.", msg,
                                    s->unit ? ", so it grants nothing to " : "", s->unit ?: "");
        }
        if (s->policy->match == POLICY_MATCH_UNIT)
                return findings_add(f, SEVERITY_NOTICE, "policy-ok", s->path, 0,
                                    "Policy for %s%s parses.", s->policy->unit,
                                    unit_name_classify(s->policy->unit) == UNIT_NAME_TEMPLATE ? " (every instance)" : "");
        return findings_add(f, SEVERITY_NOTICE, "policy-ok", s->path, 0, "Policy for %s %s parses.",
                            policy_match_kind_to_string(s->policy->match),
                            s->policy->match == POLICY_MATCH_USER ? "(by uid)" : "(by gid)");
}
