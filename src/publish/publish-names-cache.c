/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>

#include "macro.h"
#include "publish-names-cache.h"

#define DEFAULT_BTF_PATH "/sys/kernel/btf/vmlinux"

static bool same_identity(const NamesCache *c, bool present, const struct stat *st) {
        if (!c->loaded || c->btf_present != present)
                return false;
        if (!present)
                return true;
        return c->dev == st->st_dev && c->ino == st->st_ino && c->size == st->st_size &&
               c->mtime.tv_sec == st->st_mtim.tv_sec && c->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

int names_cache_refresh(NamesCache *c) {
        const char *path = c->btf_path ?: DEFAULT_BTF_PATH;
        BpfNames *fresh = NULL;
        struct stat st = {};
        bool present;
        int r;

        if (stat(path, &st) >= 0)
                present = true;
        else if (errno == ENOENT)
                present = false;
        else
                return -errno;

        if (same_identity(c, present, &st))
                return 0;

        /* The identity is taken before the load: a file that changes while it is read is read again
         * at the next refresh. */
        r = bpf_names_load(path, &fresh);
        if (r < 0)
                return r;

        bpf_names_free(c->names);
        c->names = fresh;
        c->loaded = true;
        c->btf_present = present;
        c->dev = st.st_dev;
        c->ino = st.st_ino;
        c->size = st.st_size;
        c->mtime = st.st_mtim;
        c->generation++;
        return 1;
}

void names_cache_done(NamesCache *c) {
        c->names = bpf_names_free(c->names);
        c->loaded = false;
}
