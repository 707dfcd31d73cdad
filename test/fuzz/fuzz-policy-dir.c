/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The publisher's policy decision, policy_find(), on a whole policy tree: files in an /etc and a
 * /run directory (the record format of fuzz-tree.h, E/ and R/), names masking each other, bad
 * modes, symlinks, directories, and a caller. Line 1 is the caller:
 *
 *   UNIT UID GID [GROUP...]        UNIT "-" for a caller in no unit
 *   --- R/a.conf
 *   [Match]
 *   Unit=a.service
 *   --- E/w.conf 0666              world-writable: refused
 *
 * User=/Group= names resolve through the fixed user database of fuzz-users.h. The decision is
 * checked against the documented rule, computed here from policy_load_file() on each file: the
 * file names of both directories in name order, one in /etc masking the same name in /run; a
 * Unit= match wins over User=, which wins over Group=; an exact unit name wins over a template;
 * otherwise the first file in name order.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf-names.h"
#include "fuzz-tree.h"
#include "fuzz-users.h"
#include "macro.h"
#include "policy.h"

#define FUZZ_INPUT_MAX (64 * 1024)
#define FUZZ_GROUPS_MAX 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const FuzzTreeDir fuzz_dirs[] = {
        { 'E', "etc" },
        { 'R', "run" },
};

static FuzzTree tree;
static BpfNames *names;

static void fuzz_cleanup(void) {
        fuzz_tree_done(&tree);
}

typedef struct Caller {
        char unit[256];
        PolicyCaller c;
        gid_t groups[FUZZ_GROUPS_MAX];
} Caller;

static void parse_caller(const char *line, Caller *ret) {
        unsigned long v[2 + FUZZ_GROUPS_MAX] = {};
        const char *p = line;
        size_t n = 0;
        int k = 0;

        *ret = (Caller) {};
        if (sscanf(p, "%255s%n", ret->unit, &k) == 1)
                p += k;
        for (; n < ELEMENTSOF(v) && sscanf(p, "%lu%n", &v[n], &k) == 1; n++)
                p += k;
        ret->c.unit = ret->unit[0] && !streq(ret->unit, "-") ? ret->unit : NULL;
        ret->c.uid = (uid_t) v[0];
        ret->c.gid = (gid_t) v[1];
        for (size_t i = 2; i < n; i++)
                ret->groups[i - 2] = (gid_t) v[i];
        ret->c.groups = ret->groups;
        ret->c.n_groups = n > 2 ? n - 2 : 0;
}

static int match_rank(const Policy *p, const PolicyCaller *c) {
        switch (p->match) {
        case POLICY_MATCH_UNIT:
                if (!c->unit)
                        return 0;
                return streq(p->unit, c->unit) ? 2 : policy_unit_matches(p->unit, c->unit) ? 1 : 0;
        case POLICY_MATCH_USER:
                return p->uid == c->uid;
        case POLICY_MATCH_GROUP:
                if (p->gid == c->gid)
                        return 1;
                for (size_t i = 0; i < c->n_groups; i++)
                        if (c->groups[i] == p->gid)
                                return 1;
                return 0;
        default:
                abort();
        }
}

typedef struct Entry {
        char *name;
        size_t dir;
} Entry;

static int cmp_entry(const void *a, const void *b) {
        return strcmp(((const Entry *) a)->name, ((const Entry *) b)->name);
}

/* The documented decision; returns the winning file's path (malloc'ed) or NULL. */
static char *expected_winner(const char *const *dirs, const PolicyCaller *c) {
        Entry entries[2 * FUZZ_TREE_RECORDS_MAX];
        char *best[_POLICY_MATCH_MAX] = {}, *winner = NULL;
        int best_rank[_POLICY_MATCH_MAX] = {};
        size_t n = 0;

        for (size_t d = 0; dirs[d]; d++) {
                DIR *dir = opendir(dirs[d]);
                struct dirent *de;

                if (!dir)
                        abort();
                while ((de = readdir(dir)) && n < ELEMENTSOF(entries)) {
                        const char *dot = strrchr(de->d_name, '.');
                        bool seen = false;

                        if (de->d_name[0] == '.' || !dot || !streq(dot, ".conf"))
                                continue;
                        for (size_t i = 0; i < n; i++)
                                seen = seen || streq(entries[i].name, de->d_name);
                        if (seen)
                                continue;
                        entries[n] = (Entry) { .name = strdup(de->d_name), .dir = d };
                        if (!entries[n++].name)
                                abort();
                }
                closedir(dir);
        }
        qsort(entries, n, sizeof(Entry), cmp_entry);

        for (size_t i = 0; i < n; i++) {
                const char *dir = dirs[entries[i].dir];
                char error[512];
                Policy *p = NULL;
                int dfd;

                dfd = open(dir, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
                if (dfd < 0)
                        abort();
                if (policy_load_file(names, dfd, dir, entries[i].name, &p, error, sizeof error) >= 0) {
                        int r = match_rank(p, c);

                        if (r > best_rank[p->match]) {
                                free(best[p->match]);
                                best[p->match] = strdup(p->path);
                                best_rank[p->match] = r;
                        }
                        policy_free(p);
                }
                close(dfd);
                free(entries[i].name);
        }
        for (PolicyMatchKind k = 0; k < _POLICY_MATCH_MAX; k++) {
                if (!winner)
                        winner = TAKE_PTR(best[k]);
                free(best[k]);
        }
        return winner;
}

/* Every file or directory that was passed over is reported with its path; the refusal of a broken
 * matching file (fail closed, policy.h) is reported once more without one. */
typedef struct Reports {
        unsigned files;
        unsigned refusals;
} Reports;

static void count_report(const char *path, int error, const char *message, void *userdata) {
        Reports *r = userdata;

        if (error >= 0 || !message)
                abort();
        if (!path) {
                if (error != -EBADMSG)
                        abort();
                r->refusals++;
        } else
                r->files++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(freep) char *line = NULL, *etc = NULL, *run = NULL, *want = NULL;
        _cleanup_(policy_freep) Policy *p = NULL;
        Reports reports = {};
        Caller caller;
        int r;

        if (size > FUZZ_INPUT_MAX)
                return 0;
        if (!tree.root) {
                if (bpf_names_new_builtin(&names) < 0)
                        abort();
                policy_set_name_resolver(&fuzz_name_resolver);
                fuzz_tree_init(&tree, "fuzz-policy-dir", fuzz_dirs, ELEMENTSOF(fuzz_dirs));
                atexit(fuzz_cleanup);
        }
        if (mkdirat(tree.root_fd, "etc", 0755) < 0 || mkdirat(tree.root_fd, "run", 0755) < 0)
                abort();

        line = fuzz_tree_build(&tree, data, size, NULL, NULL);
        parse_caller(line, &caller);
        if (asprintf(&etc, "%s/etc", tree.root) < 0 || asprintf(&run, "%s/run", tree.root) < 0)
                abort();
        const char *const dirs[] = { etc, run, NULL };

        r = policy_find(names, dirs, &caller.c, &p, count_report, &reports);
        want = expected_winner(dirs, &caller.c);
        if (r == 0) {
                if (!p || !want || !streq(p->path, want) || match_rank(p, &caller.c) == 0 || reports.refusals)
                        abort();
        } else if (r == -EBADMSG) {
                /* Refused for a broken file that would match: there is one, and it was said once. */
                if (reports.files == 0 || reports.refusals != 1)
                        abort();
        } else if ((r != -ENOENT || want) && r != -ENOMEM)
                abort();

        fuzz_tree_clear(&tree);
        return 0;
}
