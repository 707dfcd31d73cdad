/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The raw BTF enum reader: against libbpf's btf__parse() on the running kernel's
 * /sys/kernel/btf/vmlinux (skipped where there is none), and on tiny hand-made BTF blobs, valid and
 * broken, each read both from memory and from a file.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <linux/btf.h>

#include "bpf-names.h"
#include "btf-enums.h"
#include "macro.h"
#include "test-util.h"

#define VMLINUX "/sys/kernel/btf/vmlinux"

static const char *const bpf_enums[] = { "bpf_cmd", "bpf_map_type", "bpf_prog_type", "bpf_attach_type" };

/* --- against libbpf on the real thing ---------------------------------------------------------- */

static bool have_vmlinux(void) {
        if (access(VMLINUX, R_OK) < 0) {
                print_message("# no %s here, nothing to compare\n", VMLINUX);
                return false;
        }
        return true;
}

/* The enum libbpf finds: ENUM first, then ENUM64, as bpf-names.c used to ask. */
static int libbpf_find_enum(const struct btf *btf, const char *name, const struct btf_type **ret) {
        static const int kinds[] = { BTF_KIND_ENUM, BTF_KIND_ENUM64 };

        for (size_t i = 0; i < ELEMENTSOF(kinds); i++) {
                int id = btf__find_by_name_kind(btf, name, kinds[i]);
                if (id > 0) {
                        *ret = btf__type_by_id(btf, id);
                        assert_non_null(*ret);
                        return id;
                }
        }
        return -ENOENT;
}

static uint64_t libbpf_enum_value(const struct btf_type *t, uint16_t i) {
        if (btf_is_enum64(t))
                return btf_enum64_value(&btf_enum64(t)[i]);
        if (btf_kflag(t))
                return (uint64_t) (int64_t) btf_enum(t)[i].val;
        return (uint32_t) btf_enum(t)[i].val;
}

static void compare_with_libbpf(const BtfEnums *e, const struct btf *btf) {
        assert_int_equal(e->n_enums, ELEMENTSOF(bpf_enums));

        for (size_t k = 0; k < ELEMENTSOF(bpf_enums); k++) {
                const BtfEnum *be = &e->enums[k];
                const struct btf_type *t;
                int id;

                id = libbpf_find_enum(btf, bpf_enums[k], &t);
                if (id < 0) {
                        assert_false(be->found);
                        continue;
                }

                assert_true(be->found);
                assert_int_equal(be->type_id, id);
                assert_int_equal(be->is_enum64, btf_is_enum64(t));
                assert_int_equal(be->is_signed, btf_kflag(t));
                assert_int_equal(be->size, t->size);
                assert_int_equal(be->n_values, btf_vlen(t));
                /* the kernel has had these enums for years: they are not empty */
                assert_true(be->n_values > 0);

                for (uint16_t i = 0; i < btf_vlen(t); i++) {
                        uint32_t name_off = btf_is_enum64(t) ? btf_enum64(t)[i].name_off : btf_enum(t)[i].name_off;
                        const char *name = btf__name_by_offset(btf, name_off);

                        assert_non_null(name);
                        if (!streq(be->values[i].name, name) || be->values[i].value != libbpf_enum_value(t, i))
                                fail_msg("%s[%u]: reader '%s' = %llu, libbpf '%s' = %llu", bpf_enums[k], i,
                                         be->values[i].name, (unsigned long long) be->values[i].value,
                                         name, (unsigned long long) libbpf_enum_value(t, i));
                }
        }
}

static void test_vmlinux_matches_libbpf(void **state) {
        _cleanup_(btf_enums_freep) BtfEnums *e = NULL;
        struct btf *btf;

        if (!have_vmlinux())
                return;

        assert_int_equal(btf_enums_load(VMLINUX, bpf_enums, ELEMENTSOF(bpf_enums), &e), 0);
        assert_non_null(e->map);

        btf = btf__parse(VMLINUX, NULL);
        assert_non_null(btf);
        compare_with_libbpf(e, btf);
        btf__free(btf);
}

static void assert_same_enums(const BtfEnums *a, const BtfEnums *b) {
        assert_int_equal(a->n_enums, b->n_enums);
        for (size_t k = 0; k < a->n_enums; k++) {
                assert_int_equal(a->enums[k].found, b->enums[k].found);
                assert_int_equal(a->enums[k].type_id, b->enums[k].type_id);
                assert_int_equal(a->enums[k].is_enum64, b->enums[k].is_enum64);
                assert_int_equal(a->enums[k].is_signed, b->enums[k].is_signed);
                assert_int_equal(a->enums[k].n_values, b->enums[k].n_values);
                for (size_t i = 0; i < a->enums[k].n_values; i++) {
                        assert_string_equal(a->enums[k].values[i].name, b->enums[k].values[i].name);
                        assert_int_equal(a->enums[k].values[i].value, b->enums[k].values[i].value);
                }
        }
}

/* The same three ways: the sysfs file itself (mapped where the kernel allows), a copy of it in a
 * plain file (read), and in memory at an odd address (nothing in the reader may assume alignment). */
static void test_vmlinux_copies(void **state) {
        _cleanup_(btf_enums_freep) BtfEnums *a = NULL, *b = NULL, *c = NULL;
        _cleanup_(freep) uint8_t *copy = NULL;
        _cleanup_(freep) char *path = NULL;
        size_t size = 0;
        int fd;

        if (!have_vmlinux())
                return;

        assert_int_equal(btf_enums_load(VMLINUX, bpf_enums, ELEMENTSOF(bpf_enums), &a), 0);
        print_message("# %s %s\n", VMLINUX, a->file_mapped ? "mapped" : "read (no mmap() on this kernel)");

        fd = open(VMLINUX, O_RDONLY|O_CLOEXEC);
        assert_true(fd >= 0);
        copy = malloc(BTF_ENUMS_FILE_MAX + 1);
        assert_non_null(copy);
        for (;;) {
                ssize_t n = read(fd, copy + 1 + size, BTF_ENUMS_FILE_MAX - size);
                assert_true(n >= 0);
                if (n == 0)
                        break;
                size += (size_t) n;
        }
        close(fd);

        path = write_temp(copy + 1, size);
        assert_int_equal(btf_enums_load(path, bpf_enums, ELEMENTSOF(bpf_enums), &b), 0);
        (void) unlink(path);
        assert_false(b->file_mapped);
        assert_same_enums(a, b);

        assert_int_equal(btf_enums_parse(copy + 1, size, bpf_enums, ELEMENTSOF(bpf_enums), &c), 0);
        assert_null(c->map);
        assert_same_enums(a, c);
        /* names point into the caller's data */
        for (size_t k = 0; k < c->n_enums; k++)
                for (size_t i = 0; i < c->enums[k].n_values; i++)
                        assert_true((const uint8_t *) c->enums[k].values[i].name > copy &&
                                    (const uint8_t *) c->enums[k].values[i].name < copy + 1 + size);
}

/* Through the public API: the names come from the kernel, and say what libbpf says. */
static void test_vmlinux_bpf_names(void **state) {
        static const char *const prefixes[_BPF_KIND_MAX] = {
                [BPF_KIND_COMMAND] = "BPF_",
                [BPF_KIND_MAP] = "BPF_MAP_TYPE_",
                [BPF_KIND_PROGRAM] = "BPF_PROG_TYPE_",
                [BPF_KIND_ATTACHMENT] = "BPF_",
        };
        _cleanup_(bpf_names_freep) BpfNames *n = NULL;
        struct btf *btf;

        if (!have_vmlinux())
                return;

        assert_int_equal(bpf_names_load(NULL, &n), 0);
        assert_int_equal(bpf_names_source(n), BPF_NAMES_SOURCE_BTF);

        btf = btf__parse(VMLINUX, NULL);
        assert_non_null(btf);

        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                const char *canonical[64] = {};
                const struct btf_type *t;
                uint64_t max = 0;

                assert_true(libbpf_find_enum(btf, bpf_enums[k], &t) > 0);
                for (uint16_t i = 0; i < btf_vlen(t); i++) {
                        uint32_t name_off = btf_is_enum64(t) ? btf_enum64(t)[i].name_off : btf_enum(t)[i].name_off;
                        const char *name = btf__name_by_offset(btf, name_off);
                        uint64_t v = libbpf_enum_value(t, i);

                        assert_non_null(name);
                        if (strncmp(name, "__MAX_", 6) == 0)
                                max = v;
                        else if (v < 64 && !canonical[v] && strncmp(name, prefixes[k], strlen(prefixes[k])) == 0)
                                canonical[v] = name + strlen(prefixes[k]);
                }

                assert_int_equal(bpf_names_count(n, k), max < 64 ? max : 64);
                for (unsigned b = 0; b < 64; b++) {
                        const char *kn = bpf_names_kernel(n, k, b);

                        if (!canonical[b]) {
                                assert_null(kn);
                                continue;
                        }
                        assert_non_null(kn);
                        if (strcasecmp(kn, canonical[b]) != 0)
                                fail_msg("%s bit %u: '%s', libbpf '%s'", bpf_kind_to_string(k), b, kn, canonical[b]);
                }
        }

        btf__free(btf);
}

/* --- hand-made blobs -------------------------------------------------------------------------- */

typedef struct Blob {
        uint8_t types[4096];
        size_t types_size;
        char strings[1024];
        size_t strings_size;
        uint32_t n_types;
} Blob;

static void blob_init(Blob *b) {
        *b = (Blob) {};
        b->strings_size = 1;    /* "" at offset 0 */
}

static uint32_t blob_string(Blob *b, const char *s) {
        size_t l, offset;

        if (!s)
                return 0;
        l = strlen(s) + 1;
        assert_true(b->strings_size + l <= sizeof(b->strings));
        offset = b->strings_size;
        memcpy(b->strings + offset, s, l);
        b->strings_size += l;
        return (uint32_t) offset;
}

static void blob_u32(Blob *b, uint32_t v) {
        assert_true(b->types_size + 4 <= sizeof(b->types));
        memcpy(b->types + b->types_size, &v, 4);
        b->types_size += 4;
}

/* A struct btf_type; the kind's extra data is for the caller to add. Returns the type's id. */
static uint32_t blob_type(Blob *b, const char *name, uint32_t kind, uint32_t vlen, bool kflag, uint32_t size) {
        blob_u32(b, blob_string(b, name));
        blob_u32(b, (uint32_t) kflag << 31 | kind << 24 | vlen);
        blob_u32(b, size);
        return ++b->n_types;
}

static void blob_enum_value(Blob *b, const char *name, int32_t v) {
        blob_u32(b, blob_string(b, name));
        blob_u32(b, (uint32_t) v);
}

static void blob_enum64_value(Blob *b, const char *name, uint64_t v) {
        blob_u32(b, blob_string(b, name));
        blob_u32(b, (uint32_t) v);
        blob_u32(b, (uint32_t) (v >> 32));
}

/* Header (hdr_len bytes, the rest zero), type section, string section. */
static uint8_t *blob_finish_hdr(const Blob *b, uint32_t hdr_len, size_t *ret_size) {
        size_t size = hdr_len + b->types_size + b->strings_size;
        uint8_t *buf = calloc(1, size);
        uint32_t v;

        assert_non_null(buf);
        v = BTF_MAGIC;
        memcpy(buf, &v, 2);
        buf[2] = BTF_VERSION;
        memcpy(buf + 4, &hdr_len, 4);
        v = 0;
        memcpy(buf + 8, &v, 4);                 /* type_off */
        v = (uint32_t) b->types_size;
        memcpy(buf + 12, &v, 4);                /* type_len */
        memcpy(buf + 16, &v, 4);                /* str_off */
        v = (uint32_t) b->strings_size;
        memcpy(buf + 20, &v, 4);                /* str_len */
        memcpy(buf + hdr_len, b->types, b->types_size);
        memcpy(buf + hdr_len + b->types_size, b->strings, b->strings_size);

        *ret_size = size;
        return buf;
}

static uint8_t *blob_finish(const Blob *b, size_t *ret_size) {
        return blob_finish_hdr(b, 24, ret_size);
}

static void set_u32(uint8_t *buf, size_t offset, uint32_t v) {
        memcpy(buf + offset, &v, 4);
}

static uint32_t get_u32(const uint8_t *buf, size_t offset) {
        uint32_t v;
        memcpy(&v, buf + offset, 4);
        return v;
}

/* Reads data from memory and from a file, the same way both times; returns the result (from memory)
 * on success, NULL on the expected error. */
static BtfEnums *read_blob(const uint8_t *data, size_t size, int expected) {
        _cleanup_(btf_enums_freep) BtfEnums *from_file = NULL;
        _cleanup_(freep) char *path = NULL;
        BtfEnums *e = NULL;

        assert_int_equal(btf_enums_parse(data, size, bpf_enums, ELEMENTSOF(bpf_enums), &e), expected);

        path = write_temp(data, size);
        assert_int_equal(btf_enums_load(path, bpf_enums, ELEMENTSOF(bpf_enums), &from_file), expected);
        (void) unlink(path);

        if (expected < 0) {
                assert_null(e);
                assert_null(from_file);
                return NULL;
        }

        assert_non_null(e);
        assert_non_null(from_file);
        assert_int_equal(e->n_enums, from_file->n_enums);
        for (size_t k = 0; k < e->n_enums; k++) {
                assert_int_equal(e->enums[k].found, from_file->enums[k].found);
                assert_int_equal(e->enums[k].n_values, from_file->enums[k].n_values);
                for (size_t i = 0; i < e->enums[k].n_values; i++) {
                        assert_string_equal(e->enums[k].values[i].name, from_file->enums[k].values[i].name);
                        assert_int_equal(e->enums[k].values[i].value, from_file->enums[k].values[i].value);
                }
        }
        return e;
}

/* One type of every kind, the four enums in their various forms, decoys. */
static uint32_t build_valid(Blob *b) {
        uint32_t int_id, cmd_id;

        blob_init(b);
        int_id = blob_type(b, "int", BTF_KIND_INT, 0, false, 4);
        blob_u32(b, (uint32_t) BTF_INT_SIGNED << 24 | 32);   /* encoding, offset 0, 32 bits */
        blob_type(b, NULL, BTF_KIND_PTR, 0, false, int_id);
        blob_type(b, NULL, BTF_KIND_ARRAY, 0, false, 0);
        blob_u32(b, int_id);
        blob_u32(b, int_id);
        blob_u32(b, 16);
        blob_type(b, "s", BTF_KIND_STRUCT, 2, false, 8);
        for (uint32_t i = 0; i < 2; i++) {
                blob_u32(b, blob_string(b, i == 0 ? "a" : "b"));
                blob_u32(b, int_id);
                blob_u32(b, i * 32);
        }
        blob_type(b, "u", BTF_KIND_UNION, 1, false, 4);
        blob_u32(b, blob_string(b, "x"));
        blob_u32(b, int_id);
        blob_u32(b, 0);

        /* decoys: an ENUM64 "bpf_cmd" before the ENUM of that name, an anonymous enum, a prefix */
        blob_type(b, "bpf_cmd", BTF_KIND_ENUM64, 1, false, 8);
        blob_enum64_value(b, "BPF_DECOY", 7);
        blob_type(b, NULL, BTF_KIND_ENUM, 1, false, 4);
        blob_enum_value(b, "BPF_ANON", 1);
        blob_type(b, "bpf_cm", BTF_KIND_ENUM, 1, false, 4);
        blob_enum_value(b, "BPF_PREFIX", 1);

        /* signed ENUM, with a negative value */
        cmd_id = blob_type(b, "bpf_cmd", BTF_KIND_ENUM, 4, true, 4);
        blob_enum_value(b, "BPF_MAP_CREATE", 0);
        blob_enum_value(b, "BPF_PROG_LOAD", 5);
        blob_enum_value(b, "BPF_NEGATIVE", -2);
        blob_enum_value(b, "__MAX_BPF_CMD", 6);
        /* a second ENUM of the same name: libbpf takes the first */
        blob_type(b, "bpf_cmd", BTF_KIND_ENUM, 1, false, 4);
        blob_enum_value(b, "BPF_SECOND", 3);

        blob_type(b, "fwd", BTF_KIND_FWD, 0, false, 0);
        blob_type(b, "td", BTF_KIND_TYPEDEF, 0, false, int_id);
        blob_type(b, NULL, BTF_KIND_VOLATILE, 0, false, int_id);
        blob_type(b, NULL, BTF_KIND_CONST, 0, false, int_id);
        blob_type(b, NULL, BTF_KIND_RESTRICT, 0, false, int_id);
        blob_type(b, NULL, BTF_KIND_FUNC_PROTO, 2, false, int_id);
        for (uint32_t i = 0; i < 2; i++) {
                blob_u32(b, blob_string(b, "arg"));
                blob_u32(b, int_id);
        }
        blob_type(b, "f", BTF_KIND_FUNC, 0, false, b->n_types);
        blob_type(b, "v", BTF_KIND_VAR, 0, false, int_id);
        blob_u32(b, 1);
        blob_type(b, ".data", BTF_KIND_DATASEC, 1, false, 4);
        blob_u32(b, b->n_types - 1);
        blob_u32(b, 0);
        blob_u32(b, 4);
        blob_type(b, "float", BTF_KIND_FLOAT, 0, false, 4);
        blob_type(b, "tag", BTF_KIND_DECL_TAG, 0, false, int_id);
        blob_u32(b, UINT32_MAX);
        blob_type(b, "ttag", BTF_KIND_TYPE_TAG, 0, false, int_id);

        /* unsigned ENUM64 with a value past 32 bits */
        blob_type(b, "bpf_map_type", BTF_KIND_ENUM64, 3, false, 8);
        blob_enum64_value(b, "BPF_MAP_TYPE_UNSPEC", 0);
        blob_enum64_value(b, "BPF_MAP_TYPE_BIG", UINT64_C(1) << 40);
        blob_enum64_value(b, "BPF_MAP_TYPE_MAX", UINT64_MAX);
        /* unsigned ENUM with a value past INT32_MAX: zero-extended */
        blob_type(b, "bpf_prog_type", BTF_KIND_ENUM, 2, false, 4);
        blob_enum_value(b, "BPF_PROG_TYPE_XDP", 6);
        blob_enum_value(b, "BPF_PROG_TYPE_HIGH", (int32_t) UINT32_C(0xfffffffe));
        /* empty */
        blob_type(b, "bpf_attach_type", BTF_KIND_ENUM64, 0, true, 8);

        return cmd_id;
}

static void test_valid(void **state) {
        _cleanup_(btf_enums_freep) BtfEnums *e = NULL;
        _cleanup_(freep) uint8_t *data = NULL;
        const BtfEnum *cmd, *map, *prog, *attach;
        uint32_t cmd_id;
        size_t size;
        Blob b;

        cmd_id = build_valid(&b);
        data = blob_finish(&b, &size);
        e = read_blob(data, size, 0);
        assert_int_equal(e->n_enums, 4);
        assert_null(e->map);
        cmd = &e->enums[0];
        map = &e->enums[1];
        prog = &e->enums[2];
        attach = &e->enums[3];

        assert_true(cmd->found);
        assert_false(cmd->is_enum64);
        assert_true(cmd->is_signed);
        assert_int_equal(cmd->type_id, cmd_id);
        assert_int_equal(cmd->size, 4);
        assert_int_equal(cmd->n_values, 4);
        assert_string_equal(cmd->values[0].name, "BPF_MAP_CREATE");
        assert_int_equal(cmd->values[0].value, 0);
        assert_string_equal(cmd->values[1].name, "BPF_PROG_LOAD");
        assert_int_equal(cmd->values[1].value, 5);
        assert_string_equal(cmd->values[2].name, "BPF_NEGATIVE");
        assert_true(cmd->values[2].value == (uint64_t) INT64_C(-2));
        assert_string_equal(cmd->values[3].name, "__MAX_BPF_CMD");
        assert_int_equal(cmd->values[3].value, 6);

        assert_true(map->found);
        assert_true(map->is_enum64);
        assert_false(map->is_signed);
        assert_int_equal(map->size, 8);
        assert_int_equal(map->n_values, 3);
        assert_string_equal(map->values[1].name, "BPF_MAP_TYPE_BIG");
        assert_true(map->values[1].value == UINT64_C(1) << 40);
        assert_true(map->values[2].value == UINT64_MAX);

        assert_true(prog->found);
        assert_false(prog->is_enum64);
        assert_int_equal(prog->n_values, 2);
        assert_true(prog->values[1].value == UINT64_C(0xfffffffe));

        assert_true(attach->found);
        assert_true(attach->is_enum64);
        assert_true(attach->is_signed);
        assert_int_equal(attach->n_values, 0);
        assert_null(attach->values);
}

/* What libbpf writes (btf__raw_data()) is what the reader reads. */
static void test_libbpf_written(void **state) {
        _cleanup_(btf_enums_freep) BtfEnums *e = NULL;
        struct btf *btf = btf__new_empty();
        const void *raw;
        uint32_t size;

        assert_non_null(btf);
        assert_true(btf__add_int(btf, "int", 4, BTF_INT_SIGNED) > 0);
        assert_true(btf__add_enum(btf, "bpf_prog_type", 4) > 0);
        assert_int_equal(btf__add_enum_value(btf, "BPF_PROG_TYPE_XDP", 6), 0);
        assert_int_equal(btf__add_enum_value(btf, "BPF_PROG_TYPE_NEG", -1), 0);
        assert_true(btf__add_enum64(btf, "bpf_attach_type", 8, false) > 0);
        assert_int_equal(btf__add_enum64_value(btf, "BPF_BIG", UINT64_C(0x123456789)), 0);
        raw = btf__raw_data(btf, &size);
        assert_non_null(raw);

        e = read_blob(raw, size, 0);
        assert_false(e->enums[0].found);
        assert_false(e->enums[1].found);
        assert_true(e->enums[2].found);
        assert_int_equal(e->enums[2].type_id, 2);
        assert_true(e->enums[2].is_signed);
        assert_int_equal(e->enums[2].n_values, 2);
        assert_string_equal(e->enums[2].values[0].name, "BPF_PROG_TYPE_XDP");
        assert_int_equal(e->enums[2].values[0].value, 6);
        assert_true(e->enums[2].values[1].value == UINT64_MAX);
        assert_true(e->enums[3].found);
        assert_int_equal(e->enums[3].type_id, 3);
        assert_int_equal(e->enums[3].n_values, 1);
        assert_true(e->enums[3].values[0].value == UINT64_C(0x123456789));
        btf__free(btf);
}

static void test_missing_enum(void **state) {
        _cleanup_(bpf_names_freep) BpfNames *n = NULL;
        _cleanup_(btf_enums_freep) BtfEnums *e = NULL, *none = NULL;
        _cleanup_(freep) uint8_t *data = NULL, *empty = NULL;
        _cleanup_(freep) char *path = NULL;
        size_t size;
        Blob b;

        blob_init(&b);
        blob_type(&b, "bpf_cmd", BTF_KIND_ENUM, 2, false, 4);
        blob_enum_value(&b, "BPF_MAP_CREATE", 0);
        blob_enum_value(&b, "__MAX_BPF_CMD", 1);
        blob_type(&b, "bpf_map_type", BTF_KIND_ENUM, 1, false, 4);
        blob_enum_value(&b, "BPF_MAP_TYPE_HASH", 1);
        blob_type(&b, "bpf_prog_type", BTF_KIND_ENUM, 1, false, 4);
        blob_enum_value(&b, "BPF_PROG_TYPE_XDP", 6);
        /* bpf_attach_type only as a struct: not an enum */
        blob_type(&b, "bpf_attach_type", BTF_KIND_STRUCT, 0, false, 0);
        data = blob_finish(&b, &size);

        e = read_blob(data, size, 0);
        assert_true(e->enums[0].found);
        assert_true(e->enums[1].found);
        assert_true(e->enums[2].found);
        assert_false(e->enums[3].found);
        assert_int_equal(e->enums[3].n_values, 0);

        /* through bpf-names: one enum missing, the built-in table */
        path = write_temp(data, size);
        assert_int_equal(bpf_names_load(path, &n), 0);
        (void) unlink(path);
        assert_int_equal(bpf_names_source(n), BPF_NAMES_SOURCE_BUILTIN);

        /* no types at all */
        blob_init(&b);
        empty = blob_finish(&b, &size);
        none = read_blob(empty, size, 0);
        for (size_t k = 0; k < 4; k++)
                assert_false(none->enums[k].found);

        /* enums without values, and no values anywhere */
        blob_init(&b);
        blob_type(&b, "bpf_cmd", BTF_KIND_ENUM, 0, false, 4);
        blob_type(&b, "bpf_attach_type", BTF_KIND_ENUM64, 0, true, 8);
        free(empty);
        empty = blob_finish(&b, &size);
        e = btf_enums_free(e);
        e = read_blob(empty, size, 0);
        assert_null(e->values);
        assert_true(e->enums[0].found);
        assert_int_equal(e->enums[0].n_values, 0);
        assert_null(e->enums[0].values);
        assert_false(e->enums[1].found);
        assert_true(e->enums[3].found);
        assert_true(e->enums[3].is_enum64);
}

static void test_header(void **state) {
        _cleanup_(btf_enums_freep) BtfEnums *e = NULL, *zero = NULL;
        _cleanup_(freep) uint8_t *data = NULL, *longer = NULL;
        size_t size, size_longer;
        uint8_t *copy;
        Blob b;

        build_valid(&b);
        data = blob_finish(&b, &size);
        copy = malloc(size);
        assert_non_null(copy);

        /* truncated header, truncated file */
        assert_null(read_blob(data, 0, -EBADMSG));
        assert_null(read_blob(data, 10, -EBADMSG));
        assert_null(read_blob(data, 23, -EBADMSG));
        assert_null(read_blob(data, 24, -EBADMSG));
        assert_null(read_blob(data, size - 1, -EBADMSG));

        /* magic, byte order, version */
        memcpy(copy, data, size);
        copy[0] = 0x9f;
        copy[1] = 0x9f;
        assert_null(read_blob(copy, size, -EBADMSG));
        copy[0] = 0xeb;
        assert_null(read_blob(copy, size, -EPROTONOSUPPORT));
        memcpy(copy, data, size);
        copy[2] = 2;
        assert_null(read_blob(copy, size, -EPROTONOSUPPORT));
        copy[2] = 0;
        assert_null(read_blob(copy, size, -EPROTONOSUPPORT));

        /* hdr_len too short, past the end */
        memcpy(copy, data, size);
        set_u32(copy, 4, 16);
        assert_null(read_blob(copy, size, -EBADMSG));
        set_u32(copy, 4, (uint32_t) size + 1);
        assert_null(read_blob(copy, size, -EBADMSG));
        set_u32(copy, 4, UINT32_MAX);
        assert_null(read_blob(copy, size, -EBADMSG));

        /* a longer header than ours is fine */
        longer = blob_finish_hdr(&b, 32, &size_longer);
        e = read_blob(longer, size_longer, 0);
        assert_true(e->enums[0].found);
        assert_int_equal(e->enums[0].n_values, 4);

        /* no names asked for: just a check */
        assert_int_equal(btf_enums_parse(data, size, NULL, 0, &zero), 0);
        assert_int_equal(zero->n_enums, 0);

        free(copy);
}

static void test_sections(void **state) {
        _cleanup_(btf_enums_freep) BtfEnums *e = NULL;
        _cleanup_(freep) uint8_t *data = NULL;
        uint32_t type_len, str_off, str_len;
        uint8_t *copy;
        size_t size;
        Blob b;

        build_valid(&b);
        data = blob_finish(&b, &size);
        type_len = get_u32(data, 12);
        str_off = get_u32(data, 16);
        str_len = get_u32(data, 20);
        copy = malloc(size);
        assert_non_null(copy);

        /* string section beyond EOF, by a byte and by wrapping around */
        memcpy(copy, data, size);
        set_u32(copy, 20, str_len + 1);
        assert_null(read_blob(copy, size, -EBADMSG));
        set_u32(copy, 20, UINT32_MAX);
        assert_null(read_blob(copy, size, -EBADMSG));
        memcpy(copy, data, size);
        set_u32(copy, 16, UINT32_MAX);
        assert_null(read_blob(copy, size, -EBADMSG));

        /* type section beyond EOF, into the strings, wrapping */
        memcpy(copy, data, size);
        set_u32(copy, 12, type_len + 4);
        assert_null(read_blob(copy, size, -EBADMSG));
        set_u32(copy, 12, UINT32_MAX);
        assert_null(read_blob(copy, size, -EBADMSG));
        memcpy(copy, data, size);
        set_u32(copy, 8, UINT32_MAX - 3);
        assert_null(read_blob(copy, size, -EBADMSG));

        /* unaligned type section */
        memcpy(copy, data, size);
        set_u32(copy, 8, 2);
        set_u32(copy, 12, type_len - 4);
        assert_null(read_blob(copy, size, -EBADMSG));

        /* a type section that ends inside a type (and one shorter than a type) */
        memcpy(copy, data, size);
        set_u32(copy, 12, type_len - 4);
        assert_null(read_blob(copy, size, -EBADMSG));
        set_u32(copy, 12, 8);
        assert_null(read_blob(copy, size, -EBADMSG));

        /* string section: empty, not starting with NUL, not ending with NUL */
        memcpy(copy, data, size);
        set_u32(copy, 20, 0);
        assert_null(read_blob(copy, size, -EBADMSG));
        memcpy(copy, data, size);
        copy[24 + str_off] = 'x';
        assert_null(read_blob(copy, size, -EBADMSG));
        memcpy(copy, data, size);
        copy[size - 1] = 'x';
        assert_null(read_blob(copy, size, -EBADMSG));
        /* one byte short: it now ends inside the last name */
        memcpy(copy, data, size);
        set_u32(copy, 20, str_len - 1);
        assert_null(read_blob(copy, size, -EBADMSG));
        free(copy);

        /* bytes after the string section are not looked at (libbpf does not mind them either) */
        copy = calloc(1, size + 5);
        assert_non_null(copy);
        memcpy(copy, data, size);
        memcpy(copy + size, "junk", 5);
        e = read_blob(copy, size + 5, 0);
        assert_true(e->enums[0].found);
        free(copy);
}

static void test_string_offsets(void **state) {
        _cleanup_(btf_enums_freep) BtfEnums *e = NULL;
        _cleanup_(freep) uint8_t *d1 = NULL, *d2 = NULL, *d3 = NULL;
        size_t s1, s2, s3;
        Blob b;

        /* a type's name one past the string section */
        blob_init(&b);
        blob_type(&b, "int", BTF_KIND_INT, 0, false, 4);
        blob_u32(&b, 0);
        d1 = blob_finish(&b, &s1);
        set_u32(d1, 24, get_u32(d1, 20));
        assert_null(read_blob(d1, s1, -EBADMSG));
        set_u32(d1, 24, get_u32(d1, 20) - 1);   /* the last byte: "" */
        e = read_blob(d1, s1, 0);
        assert_false(e->enums[0].found);

        /* an enumerator's name out of range, in an enum nobody asked for */
        blob_init(&b);
        blob_type(&b, "other", BTF_KIND_ENUM, 1, false, 4);
        blob_enum_value(&b, "A", 1);
        d2 = blob_finish(&b, &s2);
        set_u32(d2, 24 + 12, UINT32_MAX);
        assert_null(read_blob(d2, s2, -EBADMSG));

        /* ... and in an ENUM64 that is asked for */
        blob_init(&b);
        blob_type(&b, "bpf_cmd", BTF_KIND_ENUM64, 2, false, 8);
        blob_enum64_value(&b, "BPF_A", 1);
        blob_enum64_value(&b, "BPF_B", 2);
        d3 = blob_finish(&b, &s3);
        set_u32(d3, 24 + 12 + 12, get_u32(d3, 20) + 100);
        assert_null(read_blob(d3, s3, -EBADMSG));
}

/* Names are wherever name_off points: inside another string, at another string's NUL. */
static void test_shared_strings(void **state) {
        static const char *const wanted[] = { "bpf_prog_type", "" };
        _cleanup_(btf_enums_freep) BtfEnums *e = NULL;
        _cleanup_(freep) uint8_t *data = NULL;
        uint32_t off;
        size_t size;
        Blob b;

        blob_init(&b);
        off = blob_string(&b, "xbpf_prog_type");
        blob_u32(&b, off + strlen("xbpf_prog_type"));   /* "": anonymous, matches nothing */
        blob_u32(&b, (uint32_t) BTF_KIND_ENUM << 24 | 1);
        blob_u32(&b, 4);
        blob_enum_value(&b, "BPF_EMPTY", 1);
        blob_u32(&b, off + 1);                          /* "bpf_prog_type" */
        blob_u32(&b, (uint32_t) BTF_KIND_ENUM << 24 | 1);
        blob_u32(&b, 4);
        blob_u32(&b, off + 5);                          /* "prog_type" */
        blob_u32(&b, 6);
        data = blob_finish(&b, &size);

        assert_int_equal(btf_enums_parse(data, size, wanted, ELEMENTSOF(wanted), &e), 0);
        assert_true(e->enums[0].found);
        assert_int_equal(e->enums[0].type_id, 2);
        assert_int_equal(e->enums[0].n_values, 1);
        assert_string_equal(e->enums[0].values[0].name, "prog_type");
        assert_int_equal(e->enums[0].values[0].value, 6);
        assert_false(e->enums[1].found);
}

static void test_kinds(void **state) {
        static const uint32_t unknown[] = { 0 /* BTF_KIND_UNKN */, 20, 21, 31 };
        _cleanup_(freep) uint8_t *data = NULL;
        size_t size;
        Blob b;

        for (size_t i = 0; i < ELEMENTSOF(unknown); i++) {
                _cleanup_(freep) uint8_t *d = NULL;
                size_t s;

                blob_init(&b);
                blob_type(&b, "int", BTF_KIND_INT, 0, false, 4);
                blob_u32(&b, 0);
                blob_type(&b, "what", unknown[i], 0, false, 0);
                d = blob_finish(&b, &s);
                assert_null(read_blob(d, s, -EBADMSG));
        }

        /* vlen overflowing the section: the last type, and one in the middle with vlen 0xffff */
        blob_init(&b);
        blob_type(&b, "bpf_cmd", BTF_KIND_ENUM, 3, false, 4);
        blob_enum_value(&b, "BPF_A", 0);
        blob_enum_value(&b, "BPF_B", 1);
        data = blob_finish(&b, &size);
        assert_null(read_blob(data, size, -EBADMSG));
        free(data);

        blob_init(&b);
        blob_type(&b, "s", BTF_KIND_STRUCT, 0xffff, false, 4);
        blob_type(&b, "bpf_cmd", BTF_KIND_ENUM, 1, false, 4);
        blob_enum_value(&b, "BPF_A", 0);
        data = blob_finish(&b, &size);
        assert_null(read_blob(data, size, -EBADMSG));
        free(data);

        /* an ENUM64 whose values would fit as ENUM but not as ENUM64 */
        blob_init(&b);
        blob_type(&b, "bpf_cmd", BTF_KIND_ENUM64, 2, false, 8);
        blob_enum_value(&b, "BPF_A", 0);
        blob_enum_value(&b, "BPF_B", 1);
        data = blob_finish(&b, &size);
        assert_null(read_blob(data, size, -EBADMSG));
}

static void test_files(void **state) {
        _cleanup_(btf_enums_freep) BtfEnums *e = NULL;
        _cleanup_(freep) char *path = NULL;
        int fd;

        assert_int_equal(btf_enums_load("/nonexistent/btf", bpf_enums, 4, &e), -ENOENT);
        assert_int_equal(btf_enums_load("", bpf_enums, 4, &e), -ENOENT);
        assert_int_equal(btf_enums_load("/tmp", bpf_enums, 4, &e), -EISDIR);
        assert_int_equal(btf_enums_load("/dev/null", bpf_enums, 4, &e), -EBADFD);
        assert_null(e);

        /* over the cap: refused before anything is read (sparse, costs no space) */
        path = write_temp("", 0);
        fd = open(path, O_WRONLY|O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, (off_t) BTF_ENUMS_FILE_MAX + 1), 0);
        close(fd);
        assert_int_equal(btf_enums_load(path, bpf_enums, 4, &e), -EFBIG);
        (void) unlink(path);

        assert_int_equal(btf_enums_load(NULL, bpf_enums, 4, &e), -EINVAL);
        assert_int_equal(btf_enums_load("/dev/null", bpf_enums, 4, NULL), -EINVAL);
        assert_int_equal(btf_enums_parse(NULL, 10, bpf_enums, 4, &e), -EINVAL);
        assert_int_equal(btf_enums_parse("", 0, NULL, 4, &e), -EINVAL);
        assert_int_equal(btf_enums_parse("", 0, (const char *[]) { "a", NULL }, 2, &e), -EINVAL);
        assert_null(e);
        assert_null(btf_enums_free(NULL));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_vmlinux_matches_libbpf),
                cmocka_unit_test(test_vmlinux_copies),
                cmocka_unit_test(test_vmlinux_bpf_names),
                cmocka_unit_test(test_valid),
                cmocka_unit_test(test_libbpf_written),
                cmocka_unit_test(test_missing_enum),
                cmocka_unit_test(test_header),
                cmocka_unit_test(test_sections),
                cmocka_unit_test(test_string_offsets),
                cmocka_unit_test(test_shared_strings),
                cmocka_unit_test(test_kinds),
                cmocka_unit_test(test_files),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
