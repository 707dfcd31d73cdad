/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The unit file loader, on a whole tree: fragments on several search path entries, NAME.d/ *.conf
 * drop-ins, templates and instances, aliases, masks. The input describes the tree and the unit to
 * load:
 *
 *   app@blue.service                   line 1: the unit to load
 *   --- U/app@.service                 a file; its contents are the lines up to the next "\n--- "
 *   [Service]
 *   ExecStart=/bin/app
 *   --- E/app@blue.service.d/10.conf
 *   [Service]
 *   Nice=2
 *   --- E/alias.service -> /usr/lib/systemd/system/app@.service    a symlink
 *   --- R/masked.service -> /dev/null
 *   --- E/dir.service/                 a directory
 *
 * (the record format: fuzz-tree.h). E/, R/, U/, L/, G/, T/, C/ stand for the root's
 * etc/systemd/system, run/systemd/system, usr/lib/systemd/system, lib/systemd/system,
 * run/systemd/generator, run/systemd/transient and etc/systemd/system.control.
 *
 * The unit is loaded through the search path (unit_config_load), every unit the tree holds is
 * enumerated and loaded too, and the first file is loaded as "verify FILE" does
 * (unit_config_load_file). Whatever loads must be consistent: settings are single lines with
 * every field set, they come from the fragment and the drop-ins in the order the drop-ins are
 * listed, drop-ins are listed in strictly increasing file name order, every path is inside the
 * root, a masked unit has no settings, and list lookups agree with single lookups.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-tree.h"
#include "macro.h"
#include "strv.h"
#include "unit-file.h"

#define FUZZ_INPUT_MAX (64 * 1024)
#define FUZZ_ENUMERATED_MAX 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const FuzzTreeDir fuzz_dirs[] = {
        { 'E', "etc/systemd/system" },
        { 'R', "run/systemd/system" },
        { 'U', "usr/lib/systemd/system" },
        { 'L', "lib/systemd/system" },
        { 'G', "run/systemd/generator" },
        { 'T', "run/systemd/transient" },
        { 'C', "etc/systemd/system.control" },
};

static FuzzTree tree;
static const char *fuzz_root;

static void fuzz_cleanup(void) {
        fuzz_tree_done(&tree);
}

typedef struct TreeFacts {
        char *first_file;     /* absolute path of the first regular file */
        bool absolute_links;  /* unit_config_load_file() would resolve those against the real root */
} TreeFacts;

static void note_record(FuzzRecordKind kind, const char *rel, void *userdata) {
        TreeFacts *facts = userdata;

        if (kind & FUZZ_RECORD_ABSOLUTE_LINK)
                facts->absolute_links = true;
        if ((kind & FUZZ_RECORD_FILE) && !facts->first_file &&
            asprintf(&facts->first_file, "%s/%s", tree.root, rel) < 0)
                abort();
}

static bool path_inside_root(const char *p) {
        size_t l = strlen(fuzz_root);

        return p && strncmp(p, fuzz_root, l) == 0 && p[l] == '/';
}

static void check_lookups(const UnitConfig *c, const char *section, const char *key) {
        _cleanup_(freep) const UnitSetting **l = NULL;
        const char *v;
        int n;

        n = unit_config_get_all(c, section, key, &l);
        if (n < 0)
                abort();
        v = unit_config_get(c, section, key);
        /* The last effective assignment is what a single lookup returns. */
        if ((n == 0) != (v == NULL))
                abort();
        if (n > 0 && l[n - 1]->value != v)
                abort();
        for (int i = 0; i < n; i++)
                if (isempty(l[i]->value))
                        abort();
}

/* Index of the file a setting came from: 0 the fragment, 1.. the drop-ins in their order. */
static size_t source_index(const UnitConfig *c, const char *file) {
        if (c->fragment_path && streq(file, c->fragment_path))
                return 0;
        for (size_t i = 0; c->dropin_paths && c->dropin_paths[i]; i++)
                if (streq(file, c->dropin_paths[i]))
                        return i + 1;
        abort();
}

static void check_config(const UnitConfig *c, bool inside_root) {
        size_t last_source = 0;
        const char *prev = NULL;

        if (!c || isempty(c->name))
                abort();
        if (c->masked && (c->n_settings > 0 || c->fragment_path))
                abort();
        if (inside_root && c->fragment_path && !path_inside_root(c->fragment_path))
                abort();
        for (char **d = c->dropin_paths; d && *d; d++) {
                const char *base = strrchr(*d, '/');

                if (!path_inside_root(*d) || !base)
                        abort();
                /* one drop-in per file name, applied in file name order */
                if (prev && strcmp(prev, base + 1) >= 0)
                        abort();
                prev = base + 1;
        }

        for (size_t i = 0; i < c->n_settings; i++) {
                const UnitSetting *s = &c->settings[i];
                size_t src;

                if (!s->section || !s->key || !s->value || !s->file || s->line == 0)
                        abort();
                if (s->key[0] == '\0' || strpbrk(s->key, "=\n\r") || strpbrk(s->value, "\n\r") ||
                    strpbrk(s->section, "\n\r"))
                        abort();
                src = source_index(c, s->file);
                if (src < last_source)
                        abort();
                last_source = src;
                check_lookups(c, s->section, s->key);
        }
        check_lookups(c, "Service", "ExecStart");
}

static void load_and_check(char *const *sp, const char *name) {
        _cleanup_(unit_config_freep) UnitConfig *c = NULL;
        int r;

        r = unit_config_load(sp, name, NULL, &c);
        if (r < 0) {
                if (c)
                        abort();
                return;
        }
        check_config(c, true);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(strv_freep) char **sp = NULL, **names = NULL;
        _cleanup_(freep) char *name = NULL;
        TreeFacts facts = {};
        int r;

        if (size > FUZZ_INPUT_MAX)
                return 0;
        if (!tree.root) {
                fuzz_tree_init(&tree, "fuzz-unit-file", fuzz_dirs, ELEMENTSOF(fuzz_dirs));
                fuzz_root = tree.root;
                atexit(fuzz_cleanup);
        }

        name = fuzz_tree_build(&tree, data, size, note_record, &facts);
        if (unit_search_path(fuzz_root, NULL, &sp) < 0)
                abort();

        load_and_check(sp, name);

        r = unit_enumerate(sp, &names);
        if (r < 0 && r != -ENOMEM)
                abort();
        for (size_t i = 0; names && names[i] && i < FUZZ_ENUMERATED_MAX; i++)
                if (!streq(names[i], name))
                        load_and_check(sp, names[i]);

        if (facts.first_file && !facts.absolute_links) {
                _cleanup_(unit_config_freep) UnitConfig *c = NULL;

                if (unit_config_load_file(facts.first_file, NULL, &c) >= 0) {
                        if (!c->masked && !streq_ptr(c->fragment_path, facts.first_file))
                                abort();
                        check_config(c, false);
                }
        }
        free(facts.first_file);

        fuzz_tree_clear(&tree);
        return 0;
}
