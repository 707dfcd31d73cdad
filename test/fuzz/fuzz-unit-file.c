/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The unit file parser. The input is the body of a unit file; it is written to a file in a private
 * temporary directory and loaded with unit_config_load_file(). Whatever parses must give settings
 * that are single lines with every field set, and list lookups that agree with single lookups.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "unit-file.h"

#define FUZZ_INPUT_MAX (256 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *fuzz_path;

static void fuzz_cleanup(void) {
        if (!fuzz_path)
                return;
        (void) unlink(fuzz_path);
        *strrchr(fuzz_path, '/') = '\0';
        (void) rmdir(fuzz_path);
        free(fuzz_path);
}

static const char *fuzz_file(void) {
        char dir[] = "/tmp/fuzz-unit-file.XXXXXX";

        if (fuzz_path)
                return fuzz_path;
        if (!mkdtemp(dir) || asprintf(&fuzz_path, "%s/fuzz.service", dir) < 0)
                abort();
        atexit(fuzz_cleanup);
        return fuzz_path;
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(unit_config_freep) UnitConfig *c = NULL;
        const char *p;
        int fd, r;

        if (size > FUZZ_INPUT_MAX)
                return 0;

        p = fuzz_file();
        fd = open(p, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0600);
        if (fd < 0)
                abort();
        if (size > 0 && write(fd, data, size) != (ssize_t) size)
                abort();
        close(fd);

        r = unit_config_load_file(p, NULL, &c);
        if (r < 0) {
                if (c)
                        abort();
                return 0;
        }
        if (!c || !c->name || !streq(c->name, "fuzz.service"))
                abort();
        if (c->masked != (size == 0))
                abort();

        for (size_t i = 0; i < c->n_settings; i++) {
                const UnitSetting *s = &c->settings[i];

                if (!s->section || !s->key || !s->value || !s->file || s->line == 0)
                        abort();
                if (s->key[0] == '\0' || strpbrk(s->key, "=\n\r") || strpbrk(s->value, "\n\r") ||
                    strpbrk(s->section, "\n\r"))
                        abort();
                check_lookups(c, s->section, s->key);
        }
        check_lookups(c, "Service", "ExecStart");
        return 0;
}
