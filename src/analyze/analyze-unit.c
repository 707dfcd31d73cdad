/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze-unit.h"
#include "analyze.h"
#include "macro.h"
#include "strv.h"
#include "terminal-util.h"


static const char *const severity_table[_SEVERITY_MAX] = {
        [SEVERITY_ERROR]   = "error",
        [SEVERITY_WARNING] = "warning",
        [SEVERITY_NOTICE]  = "notice",
};

const char *severity_to_string(Severity s) {
        return s >= 0 && s < _SEVERITY_MAX ? severity_table[s] : NULL;
}

void findings_done(Findings *f) {
        if (!f)
                return;
        for (size_t i = 0; i < f->n; i++) {
                free(f->list[i].code);
                free(f->list[i].file);
                free(f->list[i].message);
        }
        free(f->list);
        *f = (Findings) {};
}

int findings_add(Findings *f, Severity s, const char *code, const char *file, unsigned line, const char *fmt, ...) {
        Finding *l, n = { .severity = s, .line = line };
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&n.message, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        n.code = strdup(code);
        n.file = file ? strdup(file) : NULL;
        l = reallocarray(f->list, f->n + 1, sizeof *l);
        if (!n.code || (file && !n.file) || !l) {
                free(n.message);
                free(n.code);
                free(n.file);
                if (l)
                        f->list = l;
                return -ENOMEM;
        }
        f->list = l;
        f->list[f->n++] = n;
        return 0;
}

size_t findings_count(const Findings *f, Severity s) {
        size_t n = 0;

        for (size_t i = 0; i < f->n; i++)
                if (f->list[i].severity == s)
                        n++;
        return n;
}

void finding_print(const Finding *x, FILE *f) {
        static const char *const colors[_SEVERITY_MAX] = {
                [SEVERITY_ERROR]   = ANSI_HIGHLIGHT_RED,
                [SEVERITY_WARNING] = ANSI_HIGHLIGHT_YELLOW,
                [SEVERITY_NOTICE]  = ANSI_HIGHLIGHT,
        };

        if (x->file && x->line > 0)
                fprintf(f, "%s:%u: ", x->file, x->line);
        else if (x->file)
                fprintf(f, "%s: ", x->file);
        fprintf(f, "%s%s:%s %s [%s]\n", ansi(colors[x->severity]), severity_to_string(x->severity),
                ansi(ANSI_NORMAL), x->message, x->code);
}

void findings_drop(Findings *f, const char *code) {
        size_t j = 0;

        for (size_t i = 0; i < f->n; i++) {
                if (streq(f->list[i].code, code)) {
                        free(f->list[i].code);
                        free(f->list[i].file);
                        free(f->list[i].message);
                        continue;
                }
                f->list[j++] = f->list[i];
        }
        f->n = j;
}

json_object *findings_to_json(const Findings *f, const char *unit) {
        json_object *a = json_object_new_array();

        for (size_t i = 0; a && i < f->n; i++) {
                const Finding *x = &f->list[i];
                json_object *o = json_object_new_object();

                if (!o) {
                        json_object_put(a);
                        return NULL;
                }
                if (unit)
                        json_object_object_add(o, "unit", json_object_new_string(unit));
                json_object_object_add(o, "file", x->file ? json_object_new_string(x->file) : NULL);
                json_object_object_add(o, "line", x->line > 0 ? json_object_new_int((int) x->line) : NULL);
                json_object_object_add(o, "severity", json_object_new_string(severity_to_string(x->severity)));
                json_object_object_add(o, "code", json_object_new_string(x->code));
                json_object_object_add(o, "message", json_object_new_string(x->message));
                json_object_array_add(a, o);
        }
        return a;
}

UnitBpf *unit_bpf_free(UnitBpf *u) {
        if (!u)
                return NULL;
        unit_model_done(&u->model);
        unit_config_free(u->config);
        free(u);
        return NULL;
}

int unit_bpf_from_config(const BpfNames *names, UnitConfig *c, UnitBpf **ret) {
        _cleanup_(unit_bpf_freep) UnitBpf *u = NULL;
        int version = -1, r;

        u = calloc(1, sizeof *u);
        if (!u)
                return -ENOMEM;
        r = unit_model_build(c, NULL, systemd_version(&version, NULL) >= 0 && version > 0 ? (unsigned) version : 0,
                             &u->model);
        if (r < 0)
                return r;
        u->config = c;
        u->section = u->model.section;
        u->private_bpf = u->model.private_bpf.value;
        r = unit_model_requested(&u->model, names, &u->requested, u->unparsed);
        if (r < 0) {
                u->config = NULL; /* the caller still owns it */
                return r;
        }
        *ret = TAKE_PTR(u);
        return 0;
}

static bool is_file_here(const char *arg) {
        struct stat st;

        return stat(arg, &st) >= 0 && !S_ISDIR(st.st_mode);
}

int unit_bpf_load(const BpfNames *names, const char *root, const char *arg, UnitLoadFlags flags,
                  UnitLoadError *error, UnitBpf **ret) {
        _cleanup_(strv_freep) char **path = NULL;
        _cleanup_(freep) char *name = NULL;
        UnitConfig *c = NULL;
        int r;

        if (strchr(arg, '/') || ((flags & UNIT_LOAD_PREFER_FILE) && is_file_here(arg)))
                r = unit_config_load_file(arg, error, &c);
        else {
                r = unit_name_from_argument(arg, &name);
                if (r < 0)
                        return r;
                r = unit_search_path(root, NULL, &path);
                if (r < 0)
                        return r;
                r = unit_config_load(path, name, error, &c);
        }
        if (r < 0)
                return r;

        r = unit_bpf_from_config(names, c, ret);
        if (r < 0)
                unit_config_free(c);
        return r;
}

bool unit_bpf_wanted(const UnitBpf *u) {
        return u && unit_model_wants_bpf(&u->model);
}

