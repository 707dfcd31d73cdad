/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Paths in the unit's mount namespace: whether InaccessiblePaths=/TemporaryFileSystem= hide one and
 * BindPaths=/BindReadOnlyPaths= do not bring it back (unit-model.h). */
#include <string.h>
#include <sys/types.h>

#include "macro.h"
#include "unit-model.h"

#define WHITESPACE " \t\n\r"

/* Iterates whitespace-separated words: returns the next word's start and length, or NULL. */
static const char *next_word(const char **p, size_t *ret_len) {
        const char *s = *p + strspn(*p, WHITESPACE);
        size_t n;

        if (*s == '\0') {
                *p = s;
                return NULL;
        }
        n = strcspn(s, WHITESPACE);
        *p = s + n;
        *ret_len = n;
        return s;
}

static bool path_covers(const char *dir, size_t n, const char *path) {
        while (n > 1 && dir[n - 1] == '/')
                n--;
        if (n == 1 && dir[0] == '/')
                return true;
        return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

typedef bool (*word_matches_func_t)(size_t key_index, const char *w, size_t n, const char *path);

/* The index of the last empty assignment to key (a reset), or -1. */
static ssize_t last_reset(const UnitModel *m, const char *key) {
        ssize_t last = -1;

        for (size_t i = 0; i < m->config->n_settings; i++) {
                const UnitSetting *s = &m->config->settings[i];

                if (streq(s->section, m->section) && streq(s->key, key) && isempty(s->value))
                        last = (ssize_t) i;
        }
        return last;
}

/* The first effective assignment (after the last reset) to one of keys with a word that f matches:
 * the index of its key in keys, or -1 if there is none. */
static int find_word(const UnitModel *m, const char *const *keys, size_t n_keys, word_matches_func_t f,
                     const char *path) {
        for (size_t i = 0; i < m->config->n_settings; i++) {
                const UnitSetting *s = &m->config->settings[i];

                if (!streq(s->section, m->section))
                        continue;
                for (size_t k = 0; k < n_keys; k++) {
                        const char *p = s->value, *w;
                        size_t n;

                        if (!streq(s->key, keys[k]) || (ssize_t) i <= last_reset(m, keys[k]))
                                continue;
                        while ((w = next_word(&p, &n)))
                                if (f(k, w, n, path))
                                        return (int) k;
                }
        }
        return -1;
}

static const char *const hiding_keys[] = { "InaccessiblePaths", "TemporaryFileSystem" };
static const char *const binding_keys[] = { "BindPaths", "BindReadOnlyPaths" };

/* A word of one of hiding_keys that covers path. */
static bool word_hides(size_t k, const char *w, size_t n, const char *path) {
        while (n > 0 && (*w == '-' || *w == '+')) {
                w++;
                n--;
        }
        if (k == 1) /* TemporaryFileSystem=PATH[:OPTIONS] */
                n = strcspn(w, ":" WHITESPACE) < n ? strcspn(w, ":" WHITESPACE) : n;
        return n > 0 && *w == '/' && path_covers(w, n, path);
}

/* A word of one of binding_keys whose destination covers path. */
static bool word_binds(size_t k, const char *w, size_t n, const char *path) {
        const char *colon, *dst = w;
        size_t dn = n;

        if (*dst == '-') {
                dst++;
                dn--;
        }
        colon = memchr(dst, ':', dn);
        if (colon) {
                const char *c2;

                dn -= (size_t) (colon + 1 - dst);
                dst = colon + 1;
                c2 = memchr(dst, ':', dn);
                if (c2)
                        dn = (size_t) (c2 - dst);
        }
        return dn > 0 && *dst == '/' && path_covers(dst, dn, path);
}

/* Whether path is hidden by InaccessiblePaths= or TemporaryFileSystem= and not bound
 * back in with BindPaths=/BindReadOnlyPaths=. Writes the hiding setting to *ret_key. */
bool unit_model_path_hidden(const UnitModel *m, const char *path, const char **ret_key) {
        int k;

        k = find_word(m, hiding_keys, ELEMENTSOF(hiding_keys), word_hides, path);
        if (k < 0)
                return false;
        if (find_word(m, binding_keys, ELEMENTSOF(binding_keys), word_binds, path) >= 0)
                return false;
        *ret_key = hiding_keys[k];
        return true;
}

