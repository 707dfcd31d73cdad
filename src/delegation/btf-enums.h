/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A small reader for raw BTF (the format of /sys/kernel/btf/vmlinux) that extracts named enums and
 * nothing else, without indexing the whole file the way libbpf's btf__parse() does. The input is
 * not trusted: the header is checked (magic, version 1, sections inside the data, type section
 * aligned and before the strings, string section starting and ending with NUL), the whole type
 * section is walked with each type's size taken from its kind (an unknown kind, or a type running
 * past the section, rejects the data), and the name of every type and of every enumerator of every
 * enum is checked to be inside the string section. Native byte order only. No logging.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Files larger than this are refused with -EFBIG (a distribution kernel's vmlinux BTF is 5-10 MiB). */
#define BTF_ENUMS_FILE_MAX (64U * 1024U * 1024U)

typedef struct BtfEnumValue {
        const char *name;       /* "BPF_PROG_LOAD"; "" for an anonymous enumerator */
        uint64_t value;         /* ENUM: the 32-bit value sign-extended if the enum is signed, else
                                 * zero-extended; ENUM64: as stored */
} BtfEnumValue;

typedef struct BtfEnum {
        bool found;
        bool is_enum64;         /* BTF_KIND_ENUM64, else BTF_KIND_ENUM */
        bool is_signed;         /* the kind flag */
        uint32_t type_id;
        uint32_t size;          /* byte size of the enum type */
        BtfEnumValue *values;   /* in declaration order */
        size_t n_values;
} BtfEnum;

typedef struct BtfEnums {
        size_t n_enums;
        /* what the names point into and the values are stored in; not for callers */
        void *map;              /* btf_enums_load(): the file's contents, a mapping of the file
                                 * itself or an anonymous one it was read into; else NULL */
        size_t map_size;
        bool file_mapped;       /* map is the file itself (sysfs) */
        BtfEnumValue *values;   /* storage for all enums[].values */
        BtfEnum enums[];        /* one per requested name, in request order */
} BtfEnums;

/* Reads the enums called names[0..n_names-1] from raw BTF data. For each name this is the first
 * BTF_KIND_ENUM of that name, or if there is none the first BTF_KIND_ENUM64 (the order of libbpf's
 * btf__find_by_name_kind() tried with both kinds); an enum whose name is empty never matches. A
 * name that is absent leaves its entry with found == false: that is not an error. The names in the result point into data, which must outlive
 * it. -EBADMSG for malformed BTF, -EPROTONOSUPPORT for BTF of the other byte order or another
 * version, -EINVAL for bad arguments, -ENOMEM. */
int btf_enums_parse(const void *data, size_t size, const char *const *names, size_t n_names, BtfEnums **ret);

/* The same from a file (read whole, at most BTF_ENUMS_FILE_MAX bytes; under /sys/kernel/btf/ on
 * sysfs mapped instead where the kernel allows it); the result holds the file's contents. Also
 * -EFBIG, -EISDIR or -EBADFD for something that is not a regular file, and the errors of open()
 * and read(). */
int btf_enums_load(const char *path, const char *const *names, size_t n_names, BtfEnums **ret);

BtfEnums *btf_enums_free(BtfEnums *e);
static inline void btf_enums_freep(BtfEnums **e) {
        if (*e)
                btf_enums_free(*e);
}
