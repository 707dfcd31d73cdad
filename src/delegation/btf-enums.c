/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/btf.h>
#include <linux/magic.h>

#include "btf-enums.h"
#include "fileio.h"
#include "macro.h"

/* The on-disk layout (include/uapi/linux/btf.h), read field by field with memcpy(): the data may
 * be at any alignment (a fuzzer's buffer, a header of odd length), and its fields are not to be
 * trusted before they were checked. */
#define BTF_HEADER_SIZE 24U     /* magic u16, version u8, flags u8, hdr_len, type_off, type_len, str_off, str_len */
#define BTF_TYPE_SIZE 12U       /* name_off, info, size/type */
#define BTF_ENUM_SIZE 8U        /* name_off, val */
#define BTF_ENUM64_SIZE 12U     /* name_off, val_lo32, val_hi32 */
#define BTF_MAGIC_SWAPPED 0x9FEBU

#define NO_TYPE SIZE_MAX

#define BTF_SYSFS_DIR "/sys/kernel/btf/"

static uint16_t read_u16(const uint8_t *p) {
        uint16_t v;
        memcpy(&v, p, sizeof(v));
        return v;
}

static uint32_t read_u32(const uint8_t *p) {
        uint32_t v;
        memcpy(&v, p, sizeof(v));
        return v;
}

typedef struct BtfData {
        const uint8_t *types;   /* the type section */
        size_t types_size;
        const char *strings;    /* the string section: starts and ends with NUL */
        size_t strings_size;
} BtfData;

/* The first ENUM and the first ENUM64 of a requested name: offsets into the type section. */
typedef struct Candidate {
        size_t enum_offset, enum64_offset;
        uint32_t enum_id, enum64_id;
} Candidate;

static int parse_header(const uint8_t *data, size_t size, BtfData *ret) {
        uint32_t hdr_len, type_off, type_len, str_off, str_len;
        const char *strings;
        uint16_t magic;
        size_t left;

        if (size < BTF_HEADER_SIZE)
                return -EBADMSG;

        magic = read_u16(data);
        if (magic == BTF_MAGIC_SWAPPED)
                return -EPROTONOSUPPORT;
        if (magic != BTF_MAGIC)
                return -EBADMSG;
        if (data[2] != BTF_VERSION)
                return -EPROTONOSUPPORT;

        hdr_len = read_u32(data + 4);
        type_off = read_u32(data + 8);
        type_len = read_u32(data + 12);
        str_off = read_u32(data + 16);
        str_len = read_u32(data + 20);

        /* A longer header (a later version's) is fine: its fields are not ours to read. */
        if (hdr_len < BTF_HEADER_SIZE || hdr_len > size)
                return -EBADMSG;
        left = size - hdr_len;

        /* Both sections are relative to the end of the header; types first, aligned, then strings
         * (what libbpf and the kernel's own BTF writers produce). 64-bit sums: no overflow. */
        if ((uint64_t) str_off + str_len > left)
                return -EBADMSG;
        if ((uint64_t) type_off + type_len > str_off)
                return -EBADMSG;
        if (type_off % 4 != 0)
                return -EBADMSG;

        /* Offset 0 is the empty name, and every string ends inside the section. */
        if (str_len == 0)
                return -EBADMSG;
        strings = (const char *) data + (size_t) hdr_len + str_off;
        if (strings[0] != '\0' || strings[str_len - 1] != '\0')
                return -EBADMSG;

        *ret = (BtfData) {
                .types = data + (size_t) hdr_len + type_off,
                .types_size = type_len,
                .strings = strings,
                .strings_size = str_len,
        };
        return 0;
}

/* Bytes that follow the common struct btf_type for a kind, or -EBADMSG for a kind not known. */
static int type_extra_size(uint32_t kind, uint32_t vlen, size_t *ret) {
        switch (kind) {
        case BTF_KIND_INT:
        case BTF_KIND_VAR:
        case BTF_KIND_DECL_TAG:
                *ret = 4;
                return 0;
        case BTF_KIND_PTR:
        case BTF_KIND_FWD:
        case BTF_KIND_TYPEDEF:
        case BTF_KIND_VOLATILE:
        case BTF_KIND_CONST:
        case BTF_KIND_RESTRICT:
        case BTF_KIND_FUNC:
        case BTF_KIND_FLOAT:
        case BTF_KIND_TYPE_TAG:
                *ret = 0;
                return 0;
        case BTF_KIND_ARRAY:
                *ret = 12;
                return 0;
        case BTF_KIND_STRUCT:
        case BTF_KIND_UNION:
        case BTF_KIND_DATASEC:
                *ret = (size_t) vlen * 12;
                return 0;
        case BTF_KIND_ENUM:
        case BTF_KIND_FUNC_PROTO:
                *ret = (size_t) vlen * 8;
                return 0;
        case BTF_KIND_ENUM64:
                *ret = (size_t) vlen * 12;
                return 0;
        default:
                return -EBADMSG;
        }
}

static bool string_valid(const BtfData *btf, uint32_t offset) {
        /* The section ends with NUL (parse_header()): any offset inside it is terminated. */
        return offset < btf->strings_size;
}

/* Walks the whole type section: every type must be a known kind and fit, every type name and
 * every enumerator name must be a valid string offset. Notes the first ENUM and ENUM64 of each
 * requested name. */
static int walk_types(const BtfData *btf, const char *const *names, size_t n_names, Candidate *candidates) {
        size_t offset = 0;
        uint32_t id = 1;        /* 0 is void */

        while (offset < btf->types_size) {
                const uint8_t *t = btf->types + offset;
                uint32_t name_off, info, kind, vlen;
                size_t extra;
                int r;

                if (btf->types_size - offset < BTF_TYPE_SIZE)
                        return -EBADMSG;

                name_off = read_u32(t);
                info = read_u32(t + 4);
                kind = BTF_INFO_KIND(info);
                vlen = BTF_INFO_VLEN(info);

                r = type_extra_size(kind, vlen, &extra);
                if (r < 0)
                        return r;
                if (extra > btf->types_size - offset - BTF_TYPE_SIZE)
                        return -EBADMSG;
                if (!string_valid(btf, name_off))
                        return -EBADMSG;

                if (kind == BTF_KIND_ENUM || kind == BTF_KIND_ENUM64) {
                        size_t member_size = kind == BTF_KIND_ENUM ? BTF_ENUM_SIZE : BTF_ENUM64_SIZE;

                        for (uint32_t i = 0; i < vlen; i++)
                                if (!string_valid(btf, read_u32(t + BTF_TYPE_SIZE + i * member_size)))
                                        return -EBADMSG;

                        /* anonymous: offset 0, or any other empty string */
                        if (btf->strings[name_off] != '\0')
                                for (size_t i = 0; i < n_names; i++) {
                                        Candidate *c = &candidates[i];

                                        if (!streq(btf->strings + name_off, names[i]))
                                                continue;
                                        if (kind == BTF_KIND_ENUM && c->enum_offset == NO_TYPE) {
                                                c->enum_offset = offset;
                                                c->enum_id = id;
                                        } else if (kind == BTF_KIND_ENUM64 && c->enum64_offset == NO_TYPE) {
                                                c->enum64_offset = offset;
                                                c->enum64_id = id;
                                        }
                                }
                }

                offset += BTF_TYPE_SIZE + extra;
                /* Every type takes at least 12 bytes of at most 4 GiB: the id cannot wrap. */
                id++;
        }

        return 0;
}

/* Fills e from the (already checked) enum type at offset, its values into values[]. */
static void read_enum(const BtfData *btf, size_t offset, uint32_t id, BtfEnum *e, BtfEnumValue *values) {
        const uint8_t *t = btf->types + offset;
        uint32_t info, vlen;
        bool is64, is_signed;

        info = read_u32(t + 4);
        vlen = BTF_INFO_VLEN(info);
        is64 = BTF_INFO_KIND(info) == BTF_KIND_ENUM64;
        is_signed = BTF_INFO_KFLAG(info);

        for (uint32_t i = 0; i < vlen; i++) {
                const uint8_t *m = t + BTF_TYPE_SIZE + (size_t) i * (is64 ? BTF_ENUM64_SIZE : BTF_ENUM_SIZE);
                uint64_t v;

                if (is64)
                        v = (uint64_t) read_u32(m + 4) | (uint64_t) read_u32(m + 8) << 32;
                else if (is_signed)
                        v = (uint64_t) (int64_t) (int32_t) read_u32(m + 4);
                else
                        v = read_u32(m + 4);

                values[i] = (BtfEnumValue) {
                        .name = btf->strings + read_u32(m),
                        .value = v,
                };
        }

        *e = (BtfEnum) {
                .found = true,
                .is_enum64 = is64,
                .is_signed = is_signed,
                .type_id = id,
                .size = read_u32(t + 8),
                .values = vlen > 0 ? values : NULL,
                .n_values = vlen,
        };
}

int btf_enums_parse(const void *data, size_t size, const char *const *names, size_t n_names, BtfEnums **ret) {
        _cleanup_(freep) Candidate *candidates = NULL;
        _cleanup_(btf_enums_freep) BtfEnums *e = NULL;
        size_t n_values = 0, next = 0;
        BtfData btf;
        int r;

        if (!data && size > 0)
                return -EINVAL;
        if (!names && n_names > 0)
                return -EINVAL;
        if (!ret)
                return -EINVAL;
        for (size_t i = 0; i < n_names; i++)
                if (!names[i])
                        return -EINVAL;
        if (n_names > (SIZE_MAX - sizeof(BtfEnums)) / sizeof(BtfEnum))
                return -ENOMEM;

        r = parse_header(data, size, &btf);
        if (r < 0)
                return r;

        if (n_names > 0) {
                candidates = calloc(n_names, sizeof(Candidate));
                if (!candidates)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < n_names; i++)
                candidates[i] = (Candidate) { .enum_offset = NO_TYPE, .enum64_offset = NO_TYPE };

        r = walk_types(&btf, names, n_names, candidates);
        if (r < 0)
                return r;

        e = calloc(1, sizeof(BtfEnums) + n_names * sizeof(BtfEnum));
        if (!e)
                return -ENOMEM;
        e->n_enums = n_names;

        /* ENUM first, as libbpf is asked for it first. */
        for (size_t i = 0; i < n_names; i++) {
                Candidate *c = &candidates[i];

                if (c->enum_offset == NO_TYPE) {
                        c->enum_offset = c->enum64_offset;
                        c->enum_id = c->enum64_id;
                }
                if (c->enum_offset != NO_TYPE)
                        n_values += BTF_INFO_VLEN(read_u32(btf.types + c->enum_offset + 4));
        }

        if (n_values > 0) {
                e->values = calloc(n_values, sizeof(BtfEnumValue));
                if (!e->values)
                        return -ENOMEM;
        }

        for (size_t i = 0; i < n_names; i++) {
                const Candidate *c = &candidates[i];

                if (c->enum_offset == NO_TYPE)
                        continue;
                /* no values anywhere: no storage either, and NULL + 0 is not to be computed */
                read_enum(&btf, c->enum_offset, c->enum_id, &e->enums[i], e->values ? e->values + next : NULL);
                next += e->enums[i].n_values;
        }

        *ret = TAKE_PTR(e);
        return 0;
}

/* The file's contents, always in a mapping of their own: the file itself (sysfs), or an anonymous
 * one read into. data is inside map; data and size are what the parser gets. */
typedef struct FileData {
        void *map;
        size_t map_size;
        void *data;
        size_t size;
        bool file_mapped;
} FileData;

static void file_data_done(FileData *f) {
        if (f->map)
                (void) munmap(f->map, f->map_size);
        *f = (FileData) {};
}

/* The kernel's BTF in sysfs (/sys/kernel/btf/vmlinux and the modules' next to it) can be mapped
 * since Linux 6.16: that maps the kernel's own read-only copy, where read() would hand out one page
 * per call into 5+ MiB of fresh memory. Only there: a sysfs file cannot be truncated under the
 * mapping (no SIGBUS), and mapping arbitrary sysfs files (device resources) is not something to do
 * for a name table. */
static bool may_map_file(const char *path, int fd) {
        struct statfs sfs;

        if (!startswith(path, BTF_SYSFS_DIR))
                return false;
        if (fstatfs(fd, &sfs) < 0)
                return false;
        return (uint64_t) sfs.f_type == SYSFS_MAGIC;
}

#define HUGE_PAGE_SIZE (2U * 1024U * 1024U)

/* Room for size bytes. Faulting in 5+ MiB of fresh memory a page at a time is what costs a new
 * process most (far more than walking the types, tens of milliseconds in a VM): a buffer of that
 * size is aligned to and asks for transparent huge pages, best effort. */
static int buffer_new(size_t size, FileData *ret) {
        size_t map_size;
        uint8_t *p;

        if (size < HUGE_PAGE_SIZE) {
                map_size = size > 0 ? size : 1;
                p = mmap(NULL, map_size, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
                if (p == MAP_FAILED)
                        return -ENOMEM;
                *ret = (FileData) { .map = p, .map_size = map_size, .data = p };
                return 0;
        }

        /* size is at most BTF_ENUMS_FILE_MAX: no overflow */
        map_size = size + HUGE_PAGE_SIZE;
        p = mmap(NULL, map_size, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return -ENOMEM;
        *ret = (FileData) {
                .map = p,
                .map_size = map_size,
                .data = p + (HUGE_PAGE_SIZE - (uintptr_t) p % HUGE_PAGE_SIZE) % HUGE_PAGE_SIZE,
        };
        (void) madvise(ret->data, size, MADV_HUGEPAGE);
        return 0;
}

static int read_file(const char *path, FileData *ret) {
        _cleanup_(closep) int fd = -EBADF;
        _cleanup_(file_data_done) FileData f = {};
        size_t want;
        struct stat st;
        ssize_t n;
        int r;

        fd = open(path, O_RDONLY|O_CLOEXEC|O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        if (st.st_size < 0 || (uint64_t) st.st_size > BTF_ENUMS_FILE_MAX)
                return -EFBIG;
        want = (size_t) st.st_size;

        if (want > 0 && may_map_file(path, fd)) {
                void *p = mmap(NULL, want, PROT_READ, MAP_PRIVATE, fd, 0);
                if (p != MAP_FAILED) {
                        *ret = (FileData) { .map = p, .map_size = want, .data = p, .size = want, .file_mapped = true };
                        return 0;
                }
                /* older kernel: read it */
        }

        r = buffer_new(want, &f);
        if (r < 0)
                return r;

        /* sysfs hands out at most a page a read(). A file that shrinks meanwhile is read to its end;
         * one that grows, to its size when we looked. */
        n = loop_read(fd, f.data, want);
        if (n < 0)
                return (int) n;
        f.size = (size_t) n;

        *ret = f;
        f = (FileData) {};
        return 0;
}

int btf_enums_load(const char *path, const char *const *names, size_t n_names, BtfEnums **ret) {
        _cleanup_(file_data_done) FileData f = {};
        BtfEnums *e;
        int r;

        if (!path || !ret)
                return -EINVAL;

        r = read_file(path, &f);
        if (r < 0)
                return r;

        r = btf_enums_parse(f.data, f.size, names, n_names, &e);
        if (r < 0)
                return r;

        e->map = f.map;
        e->map_size = f.map_size;
        e->file_mapped = f.file_mapped;
        f = (FileData) {};
        *ret = e;
        return 0;
}

BtfEnums *btf_enums_free(BtfEnums *e) {
        if (!e)
                return NULL;
        free(e->values);
        if (e->map)
                (void) munmap(e->map, e->map_size);
        free(e);
        return NULL;
}
