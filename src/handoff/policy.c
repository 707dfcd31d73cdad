/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "fileio.h"
#include "ini-parse.h"
#include "macro.h"
#include "policy.h"
#include "unit-name.h"

#define POLICY_FILE_MAX (64 * 1024)
#define POLICY_FILES_MAX 4096

static const char *const match_kind_table[_POLICY_MATCH_MAX] = {
        [POLICY_MATCH_UNIT] = "unit",
        [POLICY_MATCH_USER] = "user",
        [POLICY_MATCH_GROUP] = "group",
};

const char *policy_match_kind_to_string(PolicyMatchKind k) {
        if (k < 0 || k >= _POLICY_MATCH_MAX)
                return NULL;
        return match_kind_table[k];
}

Policy *policy_free(Policy *p) {
        if (!p)
                return NULL;
        free(p->path);
        free(p->unit);
        free(p);
        return NULL;
}

static _printf_(4, 5) int fail(int r, char *error, size_t size, const char *fmt, ...) {
        va_list ap;

        if (error && size > 0) {
                va_start(ap, fmt);
                vsnprintf(error, size, fmt, ap);
                va_end(ap);
        }
        return r;
}

bool policy_unit_matches(const char *pattern, const char *unit) {
        return unit_name_matches(pattern, unit);
}

/* A uid or gid given as a number: decimal, below 2^32 - 1 (which means "invalid"). */
static int parse_id_number(const char *v, uint32_t *ret) {
        unsigned long u;
        char *end;

        errno = 0;
        u = strtoul(v, &end, 10);
        if (errno || *end || u >= UINT32_MAX)
                return -EINVAL;
        *ret = (uint32_t) u;
        return 0;
}

static const PolicyNameResolver *name_resolver = NULL;

void policy_set_name_resolver(const PolicyNameResolver *resolver) {
        name_resolver = resolver;
}

static int parse_uid(const char *v, uid_t *ret) {
        struct passwd pw, *res = NULL;
        char buf[4096];

        if (isdigit((unsigned char) v[0]))
                return parse_id_number(v, ret);
        if (name_resolver)
                return name_resolver->user(v, ret, name_resolver->userdata);
        if (getpwnam_r(v, &pw, buf, sizeof buf, &res) != 0 || !res)
                return -ESRCH;
        *ret = res->pw_uid;
        return 0;
}

static int parse_gid(const char *v, gid_t *ret) {
        struct group gr, *res = NULL;
        char buf[8192];

        if (isdigit((unsigned char) v[0]))
                return parse_id_number(v, ret);
        if (name_resolver)
                return name_resolver->group(v, ret, name_resolver->userdata);
        if (getgrnam_r(v, &gr, buf, sizeof buf, &res) != 0 || !res)
                return -ESRCH;
        *ret = res->gr_gid;
        return 0;
}

static const char *const delegation_keys[_BPF_KIND_MAX] = {
        [BPF_KIND_COMMAND]    = "Commands",
        [BPF_KIND_MAP]        = "Maps",
        [BPF_KIND_PROGRAM]    = "Programs",
        [BPF_KIND_ATTACHMENT] = "Attachments",
};

const char *policy_delegation_key(BpfKind k) {
        return k >= 0 && k < _BPF_KIND_MAX ? delegation_keys[k] : NULL;
}

static BpfKind delegation_key_kind(const char *key) {
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                if (streq(key, delegation_keys[k]))
                        return k;
        return _BPF_KIND_INVALID;
}

int policy_format_body(const BpfNames *names, const char *unit, const Delegation *d, FILE *f) {
        fprintf(f, "\n[%s]\n%s=%s\n\n[%s]\n", POLICY_SECTION_MATCH, POLICY_KEY_UNIT, unit, POLICY_SECTION_DELEGATION);
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                _cleanup_(freep) char *hex = NULL;
                int r;

                r = delegation_format(names, k, d->masks[k], DELEGATION_STYLE_HEX, &hex);
                if (r < 0)
                        return r;
                fprintf(f, "%s=%s\n", delegation_keys[k], hex);
        }
        return 0;
}

typedef struct PolicyParser {
        const BpfNames *names;
        const char *path;
        Policy *policy;
        char *preset;
        unsigned n_match;
        bool in_match;
        char *error;
        size_t error_size;
} PolicyParser;

static int parse_match(PolicyParser *pp, const char *key, const char *value, unsigned line) {
        Policy *p = pp->policy;
        int r;

        if (++pp->n_match > 1)
                return fail(-EINVAL, pp->error, pp->error_size,
                            "%s:%u: only one of Unit=, User=, Group= may be set per file.", pp->path, line);
        if (streq(key, POLICY_KEY_UNIT)) {
                if (!unit_name_is_valid(value))
                        return fail(-EINVAL, pp->error, pp->error_size, "%s:%u: '%s' is not a valid unit name.",
                                    pp->path, line, value);
                p->unit = strdup(value);
                if (!p->unit)
                        return -ENOMEM;
                p->match = POLICY_MATCH_UNIT;
        } else if (streq(key, POLICY_KEY_USER)) {
                r = parse_uid(value, &p->uid);
                if (r < 0)
                        return fail(-EINVAL, pp->error, pp->error_size, "%s:%u: unknown user '%s'.", pp->path,
                                    line, value);
                p->match = POLICY_MATCH_USER;
        } else if (streq(key, POLICY_KEY_GROUP)) {
                r = parse_gid(value, &p->gid);
                if (r < 0)
                        return fail(-EINVAL, pp->error, pp->error_size, "%s:%u: unknown group '%s'.", pp->path,
                                    line, value);
                p->match = POLICY_MATCH_GROUP;
        } else
                return fail(-EINVAL, pp->error, pp->error_size,
                            "%s:%u: unknown key %s= in [Match]; expected Unit=, User= or Group=.", pp->path, line,
                            key);
        return 0;
}

static int parse_delegation(PolicyParser *pp, const char *key, const char *value, unsigned line) {
        DelegationDiag diag = {};
        BpfKind k;
        int r;

        if (streq(key, POLICY_KEY_PRESET)) {
                char *v = strdup(value);

                if (!v)
                        return -ENOMEM;
                free(pp->preset);
                pp->preset = v;
                return 0;
        }

        k = delegation_key_kind(key);
        if (k < 0)
                return fail(-EINVAL, pp->error, pp->error_size,
                            "%s:%u: unknown key %s= in [Delegation]; expected Commands=, Maps=, Programs=, "
                            "Attachments= or Preset=.", pp->path, line, key);
        r = delegation_parse_list(pp->names, k, value, &pp->policy->delegation.masks[k], &diag);
        if (r < 0)
                return fail(r, pp->error, pp->error_size, "%s:%u: %s", pp->path, line, diag.error);
        return 0;
}

static int policy_parse_item(const char *section, const char *key, const char *value, unsigned line,
                             void *userdata) {
        PolicyParser *pp = userdata;

        if (!key) {
                pp->in_match = streq(section, POLICY_SECTION_MATCH);
                if (!pp->in_match && !streq(section, POLICY_SECTION_DELEGATION))
                        return fail(-EINVAL, pp->error, pp->error_size,
                                    "%s:%u: unknown section [%s]; expected [Match] or [Delegation].", pp->path,
                                    line, section);
                return 0;
        }
        return pp->in_match ? parse_match(pp, key, value, line) : parse_delegation(pp, key, value, line);
}

static int policy_finish(PolicyParser *pp) {
        DelegationDiag diag = {};
        int r;

        if (pp->policy->match < 0)
                return fail(-EINVAL, pp->error, pp->error_size, "%s: no [Match] Unit=, User= or Group= set.",
                            pp->path);
        if (isempty(pp->preset))
                return 0;
        r = delegation_apply_preset(pp->names, pp->preset, &pp->policy->delegation, &diag);
        if (r < 0)
                return fail(r == -ENOENT ? -EINVAL : r, pp->error, pp->error_size, "%s: %s", pp->path, diag.error);
        return 0;
}

int policy_parse(const BpfNames *names, const char *path, const char *text, Policy **ret, char *error,
                 size_t error_size) {
        _cleanup_(policy_freep) Policy *p = NULL;
        PolicyParser pp = { .names = names, .path = path, .error = error, .error_size = error_size };
        IniLocation loc;
        size_t n = strlen(text);
        int r;

        if (n > POLICY_FILE_MAX)
                return fail(-E2BIG, error, error_size, "%s: larger than %d bytes.", path, POLICY_FILE_MAX);

        p = calloc(1, sizeof *p);
        if (!p)
                return -ENOMEM;
        p->path = strdup(path);
        if (!p->path)
                return -ENOMEM;
        p->match = _POLICY_MATCH_INVALID;
        pp.policy = p;

        r = ini_parse(text, n, INI_STRICT, policy_parse_item, &pp, &loc);
        if (r >= 0)
                r = policy_finish(&pp);
        else if (r != -ENOMEM && loc.error != INI_ERROR_HANDLER) /* else the handler wrote the error */
                r = fail(-EINVAL, error, error_size, "%s:%u: %s%s", path, loc.line, ini_error_to_string(loc.error),
                         loc.error == INI_ERROR_OUTSIDE_SECTION ? "; start the file with [Match]." : ".");
        free(pp.preset);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(p);
        return 0;
}

static int read_fd_text(int fd, char **ret) {
        _cleanup_(freep) char *buf = NULL;
        size_t n;
        int r;

        r = read_full_fd(fd, POLICY_FILE_MAX, &buf, &n);
        if (r < 0)
                return r;
        if (memchr(buf, '\0', n))
                return -EBADMSG;
        *ret = TAKE_PTR(buf);
        return 0;
}

int policy_load_file(const BpfNames *names, int dir_fd, const char *dir, const char *filename, Policy **ret,
                     char *error, size_t error_size) {
        _cleanup_(closep) int fd = -EBADF;
        _cleanup_(freep) char *text = NULL, *path = NULL;
        struct stat st;
        int r;

        if (asprintf(&path, "%s/%s", dir, filename) < 0)
                return -ENOMEM;

        fd = openat(dir_fd, filename, O_RDONLY|O_CLOEXEC|O_NOFOLLOW|O_NOCTTY|O_NONBLOCK);
        if (fd < 0)
                return fail(-errno, error, error_size,
                            errno == ELOOP ? "%s: is a symbolic link, ignoring." : "%s: cannot be opened.", path);
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return fail(-EBADFD, error, error_size, "%s: not a regular file.", path);
        if (st.st_uid != 0 || (st.st_mode & (S_IWGRP|S_IWOTH)))
                return fail(-EPERM, error, error_size,
                            "%s: must be owned by root and writable by root only.", path);

        r = read_fd_text(fd, &text);
        if (r < 0)
                return fail(r, error, error_size, "%s: unreadable, or larger than %d bytes.", path, POLICY_FILE_MAX);

        return policy_parse(names, path, text, ret, error, error_size);
}

typedef struct PolicyFile {
        char *name;
        size_t dir_index;
} PolicyFile;

static int cmp_policy_file(const void *a, const void *b) {
        return strcmp(((const PolicyFile *) a)->name, ((const PolicyFile *) b)->name);
}

static bool policy_matches(const Policy *p, const PolicyCaller *c) {
        switch (p->match) {
        case POLICY_MATCH_UNIT:
                return c->unit && policy_unit_matches(p->unit, c->unit);
        case POLICY_MATCH_USER:
                return p->uid == c->uid;
        case POLICY_MATCH_GROUP:
                if (p->gid == c->gid)
                        return true;
                for (size_t i = 0; i < c->n_groups; i++)
                        if (c->groups[i] == p->gid)
                                return true;
                return false;
        default:
                return false;
        }
}

/* How well a policy matches: 0 not at all; for units, an exact name beats a template pattern. */
static int policy_match_rank(const Policy *p, const PolicyCaller *c) {
        if (p->match == POLICY_MATCH_UNIT && c->unit && streq(p->unit, c->unit))
                return 2;
        return policy_matches(p, c) ? 1 : 0;
}

/* Add the *.conf names of one policy directory to *files; a name already there (from a directory of
 * higher precedence) masks this one. */
static int policy_dir_collect(int dir_fd, size_t dir_index, PolicyFile **files, size_t *n_files) {
        struct dirent *de;
        DIR *d;
        int r = 0;

        d = fdopendir(fcntl(dir_fd, F_DUPFD_CLOEXEC, 3));
        if (!d)
                return 0;
        while ((de = readdir(d))) {
                const char *dot = strrchr(de->d_name, '.');
                bool dup_name = false;
                PolicyFile *nf;

                if (de->d_name[0] == '.' || !dot || !streq(dot, ".conf"))
                        continue;
                for (size_t j = 0; j < *n_files; j++)
                        if (streq((*files)[j].name, de->d_name)) {
                                dup_name = true;
                                break;
                        }
                if (dup_name)
                        continue;
                if (*n_files >= POLICY_FILES_MAX)
                        break;
                nf = realloc(*files, (*n_files + 1) * sizeof **files);
                if (!nf) {
                        r = -ENOMEM;
                        break;
                }
                *files = nf;
                nf[*n_files].name = strdup(de->d_name);
                nf[*n_files].dir_index = dir_index;
                if (!nf[*n_files].name) {
                        r = -ENOMEM;
                        break;
                }
                (*n_files)++;
        }
        closedir(d);
        return r;
}

/* What policy_find() knows of a file that did not load: whether it is a policy at all (root-owned
 * regular file), and if so, how its [Match] section ranks against the caller. */
typedef struct BrokenMatch {
        bool found;
        PolicyMatchKind kind;
        int rank;
        char sentence[768];
} BrokenMatch;

typedef struct MatchScan {
        Policy *policy;
        unsigned n;             /* assignments in [Match] */
        unsigned line;          /* of the (last) one */
        bool bad;               /* an unknown key or an invalid unit name */
} MatchScan;

static int match_scan_handler(const char *section, const char *key, const char *value, unsigned line,
                              void *userdata) {
        MatchScan *m = userdata;
        Policy *p = m->policy;

        if (!key || !streq(section, "Match"))
                return 0;
        m->n++;
        m->line = line;
        if (m->n > 1)
                return 0;
        if (streq(key, "Unit") && unit_name_is_valid(value)) {
                p->unit = strdup(value);
                if (!p->unit)
                        return -ENOMEM;
                p->match = POLICY_MATCH_UNIT;
        } else if (streq(key, "User")) {
                if (parse_uid(value, &p->uid) < 0)
                        p->uid = (uid_t) -1; /* no such user: it matches nobody */
                p->match = POLICY_MATCH_USER;
        } else if (streq(key, "Group")) {
                if (parse_gid(value, &p->gid) < 0)
                        p->gid = (gid_t) -1;
                p->match = POLICY_MATCH_GROUP;
        } else
                m->bad = true;
        return 0;
}

/* Read only the [Match] section of a policy file that does not parse, through the one tokenizer in
 * its lenient mode, so that errors outside [Match] do not matter. Fills p->match/unit/uid/gid;
 * *ret_line is the line of the match key. -ENOENT if the section names no single valid Unit=, User=
 * or Group= (then nobody can tell whom the file was meant for), or the text does not tokenize. */
static int policy_text_read_match(const char *text, Policy *p, unsigned *ret_line) {
        MatchScan m = { .policy = p };
        int r;

        p->match = _POLICY_MATCH_INVALID;
        r = ini_parse(text, strlen(text), 0, match_scan_handler, &m, NULL);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || m.n != 1 || m.bad || p->match < 0)
                return -ENOENT;
        *ret_line = m.line;
        return 0;
}

/* For a file that failed to load with error: if it is root's (a root-owned regular file, as
 * policy_load_file() requires), read its [Match] and, if it would match the caller, record it in *b
 * when it outranks what *b holds. A file whose [Match] cannot be read counts as matching everyone. */
static int broken_file_match(int dir_fd, const char *dir, const char *filename, const char *error,
                             const PolicyCaller *caller, BrokenMatch *b) {
        _cleanup_(closep) int fd = -EBADF;
        _cleanup_(freep) char *text = NULL;
        Policy m = {};
        unsigned line = 0;
        struct stat st;
        int r, rank;

        fd = openat(dir_fd, filename, O_RDONLY|O_CLOEXEC|O_NOFOLLOW|O_NOCTTY|O_NONBLOCK);
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
            (st.st_mode & (S_IWGRP|S_IWOTH)))
                return 0; /* not root's policy: ignored, as policy_load_file() reported */

        r = read_fd_text(fd, &text);
        if (r >= 0)
                r = policy_text_read_match(text, &m, &line);
        if (r == -ENOMEM) {
                free(m.unit);
                return r;
        }
        if (r < 0) {
                m.match = POLICY_MATCH_UNIT; /* unknowable: the strongest kind, for everyone */
                rank = 3;
        } else
                rank = policy_match_rank(&m, caller);
        free(m.unit);
        if (rank == 0)
                return 0;
        if (b->found && (m.match > b->kind || (m.match == b->kind && rank <= b->rank)))
                return 0;

        b->found = true;
        b->kind = m.match;
        b->rank = rank;
        if (r < 0)
                snprintf(b->sentence, sizeof b->sentence,
                         "The policy file %s/%s does not parse (%s) and its [Match] section cannot be read, so it "
                         "may be meant for this caller: refusing rather than answering with another policy. "
                         "Fix or remove the file.", dir, filename, error);
        else
                snprintf(b->sentence, sizeof b->sentence,
                         "The policy file %s/%s matches this caller (line %u) but does not parse (%s): refusing "
                         "rather than answering with a broader policy. Fix the file (bpftoken-analyze verify).",
                         dir, filename, line, error);
        return 0;
}

int policy_find(const BpfNames *names, const char *const *dirs, const PolicyCaller *caller, Policy **ret,
                PolicyReport report, void *userdata) {
        Policy *best[_POLICY_MATCH_MAX] = {};
        int best_rank[_POLICY_MATCH_MAX] = {};
        BrokenMatch broken = {};
        PolicyFile *files = NULL;
        size_t n_files = 0, n_dirs = 0;
        int dir_fds[8] = { -EBADF, -EBADF, -EBADF, -EBADF, -EBADF, -EBADF, -EBADF, -EBADF };
        int r = 0;

        for (; dirs[n_dirs]; n_dirs++)
                if (n_dirs >= ELEMENTSOF(dir_fds))
                        return -E2BIG;

        /* Collect file names; a name in an earlier directory masks the same name later. */
        for (size_t i = 0; i < n_dirs; i++) {
                struct stat st;

                dir_fds[i] = open(dirs[i], O_RDONLY|O_DIRECTORY|O_CLOEXEC|O_NOFOLLOW);
                if (dir_fds[i] < 0)
                        continue;
                if (fstat(dir_fds[i], &st) < 0 || st.st_uid != 0 || (st.st_mode & (S_IWGRP|S_IWOTH))) {
                        if (report)
                                report(dirs[i], -EPERM, "policy directory must be owned by root and writable "
                                       "by root only, ignoring it.", userdata);
                        dir_fds[i] = safe_close(dir_fds[i]);
                        continue;
                }
                r = policy_dir_collect(dir_fds[i], i, &files, &n_files);
                if (r < 0)
                        goto finish;
        }

        if (n_files > 0) /* files is NULL then, and qsort()'s array must not be */
                qsort(files, n_files, sizeof *files, cmp_policy_file);

        for (size_t i = 0; i < n_files; i++) {
                size_t di = files[i].dir_index;
                char error[512] = "";
                Policy *p = NULL;
                int q;

                q = policy_load_file(names, dir_fds[di], dirs[di], files[i].name, &p, error, sizeof error);
                if (q == -ENOMEM) {
                        r = q;
                        goto finish;
                }
                if (q < 0) {
                        if (report)
                                report(dirs[di], q, error, userdata);
                        q = broken_file_match(dir_fds[di], dirs[di], files[i].name, error, caller, &broken);
                        if (q < 0) {
                                r = q;
                                goto finish;
                        }
                        continue;
                }
                q = policy_match_rank(p, caller);
                if (q > best_rank[p->match]) {
                        policy_free(best[p->match]);
                        best[p->match] = p;
                        best_rank[p->match] = q;
                } else
                        policy_free(p);
        }

        r = -ENOENT;
        for (PolicyMatchKind k = 0; k < _POLICY_MATCH_MAX; k++)
                if (best[k]) {
                        /* Fail closed: a broken file that would match at least as well as this one. */
                        if (broken.found && (broken.kind < k || (broken.kind == k && broken.rank >= best_rank[k])))
                                break;
                        *ret = TAKE_PTR(best[k]);
                        r = 0;
                        break;
                }
        if (r < 0 && broken.found) {
                if (report)
                        report(NULL, -EBADMSG, broken.sentence, userdata);
                r = -EBADMSG;
        }

finish:
        for (PolicyMatchKind k = 0; k < _POLICY_MATCH_MAX; k++)
                policy_free(best[k]);
        for (size_t i = 0; i < n_files; i++)
                free(files[i].name);
        free(files);
        for (size_t i = 0; i < n_dirs; i++)
                safe_close(dir_fds[i]);
        return r;
}
