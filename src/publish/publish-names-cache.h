/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The kernel's BPF names, loaded once by the long-lived publisher and kept as long as the BTF file
 * they came from is the same file: its identity (device, inode, size, modification time) is
 * compared before each use, so a replaced or changed file is read again. A missing file is an
 * identity too (the built-in table). No logging.
 */

#include <stdbool.h>
#include <sys/stat.h>

#include "bpf-names.h"

typedef struct NamesCache {
        const char *btf_path;     /* NULL: /sys/kernel/btf/vmlinux */
        BpfNames *names;
        bool loaded;
        bool btf_present;
        dev_t dev;
        ino_t ino;
        off_t size;
        struct timespec mtime;
        unsigned generation;      /* counts loads; 1 after the first */
} NamesCache;

/* Load the names if they were never loaded or the BTF file's identity changed since.
 * 0 unchanged, 1 (re)loaded, -errno (the previous names, if any, stay in place). */
int names_cache_refresh(NamesCache *c);

void names_cache_done(NamesCache *c);
