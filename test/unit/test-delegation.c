/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The delegation specification: parsing, printing, presets, capabilities. Most tests run twice,
 * "[btf]" (names of the running kernel, or the built-in table where it has no BTF) and
 * "[builtin]". Expected masks are written as names and resolved through the name table, so that
 * nothing but stable UAPI values is hard-coded.
 */

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/btf.h>

#include "delegation.h"
#include "macro.h"
#include "test-util.h"


#define BIT(b) (UINT64_C(1) << (b))
#define CAPS_BPF       BIT(CAP_BPF)
#define CAPS_PERFMON   BIT(CAP_PERFMON)
#define CAPS_NET_ADMIN BIT(CAP_NET_ADMIN)

static uint64_t known_mask(const BpfNames *n, BpfKind kind) {
        unsigned c = bpf_names_count(n, kind);
        return c >= 64 ? UINT64_MAX : BIT(c) - 1;
}

static uint64_t named_mask(const BpfNames *n, BpfKind kind) {
        uint64_t m = 0;
        for (unsigned b = 0; b < 64; b++)
                if (bpf_names_kernel(n, kind, b))
                        m |= BIT(b);
        return m;
}

/* "*": any; "0x..": literal; "~a,b": known minus a and b; "a,b": names. */
static uint64_t expected_mask(const BpfNames *n, BpfKind kind, const char *spec) {
        bool invert = false;
        uint64_t m = 0;
        char buf[512], *save = NULL;

        if (streq(spec, "*"))
                return UINT64_MAX;
        if (startswith(spec, "0x"))
                return strtoull(spec, NULL, 16);
        if (spec[0] == '~') {
                invert = true;
                spec++;
        }

        snprintf(buf, sizeof(buf), "%s", spec);
        for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
                unsigned bit;

                if (bpf_names_lookup(n, kind, w, &bit) < 0)
                        fail_msg("test table: unknown name '%s'", w);
                m |= BIT(bit);
        }

        return invert ? known_mask(n, kind) & ~m : m;
}

/* --- parsing ------------------------------------------------------------------------------------ */

enum {
        F_SPACES = 1 << 0,
        F_KERNEL = 1 << 1,
        F_HEX    = 1 << 2,
        F_INVERT = 1 << 3,
        F_ANY    = 1 << 4,
        F_COLONS = 1 << 5,
        F_NONSD  = 1 << 6,  /* used_non_systemd_names */
        F_WARN   = 1 << 7,  /* a warning */
};

typedef struct ParseCase {
        BpfKind kind;
        const char *value;
        int r;
        const char *expect;     /* for r == 0, see expected_mask() */
        unsigned flags;
        const char *text;       /* a substring of the error (r < 0) or warning */
} ParseCase;

#define C BPF_KIND_COMMAND
#define M BPF_KIND_MAP
#define P BPF_KIND_PROGRAM
#define A BPF_KIND_ATTACHMENT

static const ParseCase parse_cases[] = {
        /* empty */
        { C, "",                                        0, "0x0" },
        /* spellings */
        { C, "BPFProgLoad",                             0, "prog_load" },
        { C, "prog_load",                               0, "prog_load", F_KERNEL | F_NONSD },
        { C, "PROG_LOAD",                               0, "prog_load", F_KERNEL | F_NONSD },
        { C, "Prog_load",                               0, "prog_load", F_KERNEL | F_NONSD },
        { C, "bpfprogload",                             0, "prog_load", F_NONSD },
        { C, "BpfProgLoad",                             0, "prog_load", F_NONSD },
        { C, "BPFProgRun",                              0, "prog_test_run", F_NONSD },
        { C, "prog_run",                                0, "prog_test_run", F_KERNEL | F_NONSD },
        { C, "BPFProgTestRun",                          0, "prog_test_run" },
        { C, "BPFMapCreate,BPFProgLoad,BPFBtfLoad",     0, "map_create,prog_load,btf_load" },
        { C, "BPFMapCreate,prog_load,BpfBtfLoad",       0, "map_create,prog_load,btf_load", F_KERNEL | F_NONSD },
        /* separators */
        { C, "map_create prog_load btf_load",           0, "map_create,prog_load,btf_load", F_SPACES | F_KERNEL | F_NONSD },
        { C, "map_create, prog_load,\tbtf_load",        0, "map_create,prog_load,btf_load", F_SPACES | F_KERNEL | F_NONSD },
        { C, "BPFMapCreate\n\nBPFProgLoad",             0, "map_create,prog_load", F_SPACES },
        { C, "BPFMapCreate,,BPFProgLoad",               0, "map_create,prog_load" },
        { C, ",,BPFMapCreate,",                         0, "map_create" },
        { C, "  BPFProgLoad\n",                         0, "prog_load" },
        { C, "map_create:prog_load:btf_load",           0, "map_create,prog_load,btf_load", F_COLONS | F_KERNEL | F_NONSD },
        { C, "map_create : prog_load",                  0, "map_create,prog_load", F_COLONS | F_SPACES | F_KERNEL | F_NONSD },
        { C, "BPFMapCreate,\v\f\rBPFProgLoad",          0, "map_create,prog_load", F_SPACES },
        /* duplicates */
        { C, "BPFProgLoad,BPFProgLoad",                 0, "prog_load", F_WARN, "'BPFProgLoad'" },
        { C, "BPFProgLoad,prog_load,PROG_LOAD",         0, "prog_load", F_WARN | F_KERNEL | F_NONSD, "'prog_load', 'PROG_LOAD'" },
        { C, "prog_run,prog_test_run",                  0, "prog_test_run", F_WARN | F_KERNEL | F_NONSD, "more than once: 'prog_test_run'" },
        /* any */
        { C, "any",                                     0, "*", F_ANY },
        { C, "  any  ",                                 0, "*", F_ANY },
        { C, "ANY",                                     0, "*", F_ANY | F_NONSD },
        { C, "Any",                                     0, "*", F_ANY | F_NONSD },
        { C, ",any,",                                   0, "*", F_ANY },
        { C, "any,prog_load",                           -EINVAL, NULL, 0, "cannot be combined" },
        { C, "prog_load any",                           -EINVAL, NULL, 0, "cannot be combined" },
        { C, "any,any",                                 -EINVAL, NULL, 0, "cannot be combined" },
        { C, "anything",                                -EINVAL, NULL, 0, "Unknown BPF command 'anything'" },
        /* hex */
        { C, "0x20",                                    0, "0x20", F_HEX },
        { C, "0X20",                                    0, "0x20", F_HEX },
        { C, "0x0",                                     0, "0x0", F_HEX },
        { C, "0x00",                                    0, "0x0", F_HEX },
        { C, " 0x21 ",                                  0, "0x21", F_HEX },
        { C, "0xffffffffffffffff",                      0, "*", F_HEX },
        { C, "0xFFFFFFFFFFFFFFFF",                      0, "*", F_HEX },
        { C, "0x8000000000000000",                      0, "0x8000000000000000", F_HEX },
        { C, "0x0000000000000001",                      0, "0x1", F_HEX },
        { C, "0x00000000000000001",                     -ERANGE, NULL, 0, "17 digits" },
        { C, "0x10000000000000000",                     -ERANGE, NULL, 0, "at most 16 hex digits" },
        { C, "0x1ffffffffffffffff",                     -ERANGE },
        { C, "0xfg",                                    -EINVAL, NULL, 0, "not a valid hex mask" },
        { C, "0x",                                      -EINVAL, NULL, 0, "no digits" },
        { C, "0x-1",                                    -EINVAL },
        { C, "0x 1",                                    -EINVAL },
        { C, "0x20,prog_load",                          -EINVAL, NULL, 0, "overwrite" },
        { C, "prog_load 0x20",                          -EINVAL, NULL, 0, "either one hex mask or names" },
        { C, "0x1,0x2",                                 -EINVAL, NULL, 0, "overwrite" },
        { C, "prog_load:0x20",                          -EINVAL, NULL, 0, "overwrite" },
        /* decimal */
        { C, "5",                                       -EINVAL, NULL, 0, "0x5 if 5 is a mask, 0x20 if it is a bit number" },
        { C, "32",                                      -EINVAL, NULL, 0, "0x20 if 32 is a mask" },
        { C, "64",                                      -EINVAL, NULL, 0, "hex mask instead: 0x40." },
        { C, "0",                                       -EINVAL, NULL, 0, "Decimal numbers are not accepted" },
        { C, "18446744073709551616",                    -EINVAL, NULL, 0, "hex mask" },
        { C, "5abc",                                    -EINVAL, NULL, 0, "hex mask (0x...)" },
        { C, "prog_load,5",                             -EINVAL, NULL, 0, "Decimal" },
        /* ~ */
        { C, "~BPFProgLoad",                            0, "~prog_load", F_INVERT },
        { C, "~ prog_load,map_create",                  0, "~prog_load,map_create", F_INVERT | F_KERNEL | F_NONSD },
        { C, "  ~map_create",                           0, "~map_create", F_INVERT | F_KERNEL | F_NONSD },
        { C, "~prog_load,prog_load",                    0, "~prog_load", F_INVERT | F_KERNEL | F_NONSD | F_WARN, "'prog_load'" },
        { C, "~",                                       -EINVAL, NULL, 0, "must be followed" },
        { C, "~,,",                                     -EINVAL, NULL, 0, "must be followed" },
        { C, "~any",                                    -EINVAL, NULL, 0, "'~any'" },
        { C, "~0x1",                                    -EINVAL, NULL, 0, "cannot be inverted" },
        { C, "prog_load,~map_create",                   -EINVAL, NULL, 0, "very beginning" },
        { C, "~~prog_load",                             -EINVAL, NULL, 0, "very beginning" },
        { C, "prog_load~",                              -EINVAL, NULL, 0, "very beginning" },
        /* separators only */
        { C, ",",                                       -EINVAL, NULL, 0, "no names" },
        { C, " , ",                                     -EINVAL, NULL, 0, "empty item" },
        { C, "   ",                                     -EINVAL, NULL, 0, "no names" },
        { C, ":",                                       -EINVAL, NULL, 0, "no names" },
        { C, "\t\n",                                    -EINVAL, NULL, 0, "no names" },
        /* unknown names */
        { C, "-1",                                      -EINVAL, NULL, 0, "Unknown BPF command '-1' in BPFDelegateCommands=" },
        { C, "prog_laod",                               -EINVAL, NULL, 0, "did you mean 'prog_load' (BPFProgLoad)?" },
        { C, "BPFProgLaod",                             -EINVAL, NULL, 0, "did you mean 'prog_load' (BPFProgLoad)?" },
        { C, "BPF_PROG_LOAD",                           -EINVAL, NULL, 0, "did you mean 'prog_load' (BPFProgLoad)?" },
        { C, "array",                                   -EINVAL, NULL, 0, "it is a BPF map type, for BPFDelegateMaps=" },
        { C, "\x01\xff",                                -EINVAL, NULL, 0, "'\\x01\\xff'" },
        { C, "prog_load,\x1b[31m",                      -EINVAL, NULL, 0, "'\\x1b[31m'" },
        { C, "prog_load;btf_load",                      -EINVAL, NULL, 0, "'prog_load;btf_load'" },
        { C, "zzzzzzzzzzzzzzzz",                        -EINVAL, NULL, 0, "Unknown BPF command 'zzzzzzzzzzzzzzzz' in BPFDelegateCommands=" },
        /* maps */
        { M, "BPFMapTypeArray,BPFMapTypeRingbuf",       0, "array,ringbuf" },
        { M, "array ringbuf hash",                      0, "array,ringbuf,hash", F_SPACES | F_KERNEL | F_NONSD },
        { M, "cgroup_storage",                          0, "cgroup_storage_deprecated", F_KERNEL | F_NONSD },
        { M, "BPFMapTypeCgroupStorageDeprecated",       0, "cgroup_storage_deprecated" },
        { M, "BPFMapTypeCgroupStorage",                 0, "cgroup_storage_deprecated", F_NONSD },
        { M, "ringbufx",                                -EINVAL, NULL, 0, "Unknown BPF map type 'ringbufx' in BPFDelegateMaps=; did you mean 'ringbuf' (BPFMapTypeRingbuf)?" },
        { M, "xdp",                                     -EINVAL, NULL, 0, "it is a BPF program type, for BPFDelegatePrograms=" },
        { M, "BPFProgLoad",                             -EINVAL, NULL, 0, "it is a BPF command" },
        /* programs */
        { P, "BPFProgTypeSocketFilter,BPFProgTypeXdp",  0, "socket_filter,xdp" },
        { P, "xdp",                                     0, "xdp", F_KERNEL | F_NONSD },
        { P, "BPFProgTypeNetfilter",                    0, "netfilter", F_NONSD },  /* systemd: bit 31 */
        { P, "BPFProgTypeSyscall",                      0, "syscall", F_NONSD },    /* not in systemd */
        { P, "BPFProgTypeSkLookup",                     0, "sk_lookup" },
        { P, "BPFXdp",                                  -EINVAL, NULL, 0, "it is a BPF attach type, for BPFDelegateAttachments=" },
        { P, "BPFProgTypeXdpp",                         -EINVAL, NULL, 0, "did you mean 'xdp' (BPFProgTypeXdp)?" },
        /* attachments */
        { A, "BPFCgroupInetIngress",                    0, "cgroup_inet_ingress" },
        { A, "BPFCgroupInetIngress BPFXdp",             0, "cgroup_inet_ingress,xdp", F_SPACES },
        { A, "any",                                     0, "*", F_ANY },
        { A, "~cgroup_inet_ingress",                    0, "~cgroup_inet_ingress", F_INVERT | F_KERNEL | F_NONSD },
        { A, "BPFProgTypeXdp",                          -EINVAL, NULL, 0, "it is a BPF program type" },
        { A, "cgroup_inet_ingres",                      -EINVAL, NULL, 0, "did you mean 'cgroup_inet_ingress' (BPFCgroupInetIngress)?" },
};

static void check_case(const BpfNames *n, const ParseCase *c) {
        uint64_t mask = 0x5a5a5a5a5a5a5a5a;
        DelegationDiag diag;
        unsigned flags;
        int r;

        r = delegation_parse_list(n, c->kind, c->value, &mask, &diag);
        if (r != c->r)
                fail_msg("%s '%s': returned %d, expected %d (error: %s)",
                         bpf_kind_to_string(c->kind), c->value, r, c->r, diag.error);

        if (r < 0) {
                if (mask != 0x5a5a5a5a5a5a5a5a)
                        fail_msg("'%s': mask written on failure", c->value);
                if (isempty(diag.error))
                        fail_msg("'%s': no error text", c->value);
                if (!isempty(diag.warning))
                        fail_msg("'%s': warning on failure: %s", c->value, diag.warning);
                if (c->text && !strstr(diag.error, c->text))
                        fail_msg("'%s': error \"%s\" lacks \"%s\"", c->value, diag.error, c->text);
                return;
        }

        if (!isempty(diag.error))
                fail_msg("'%s': error text on success: %s", c->value, diag.error);
        if (mask != expected_mask(n, c->kind, c->expect))
                fail_msg("'%s': mask 0x%" PRIx64 ", expected 0x%" PRIx64 " (%s)",
                         c->value, mask, expected_mask(n, c->kind, c->expect), c->expect);

        flags = (diag.used_spaces ? F_SPACES : 0) |
                (diag.used_kernel_names ? F_KERNEL : 0) |
                (diag.used_hex ? F_HEX : 0) |
                (diag.used_invert ? F_INVERT : 0) |
                (diag.used_any ? F_ANY : 0) |
                (diag.used_colons ? F_COLONS : 0) |
                (diag.used_non_systemd_names ? F_NONSD : 0) |
                (!isempty(diag.warning) ? F_WARN : 0);
        if (flags != c->flags)
                fail_msg("'%s': flags %#x, expected %#x (warning: %s)", c->value, flags, c->flags, diag.warning);
        if (c->text && !strstr(diag.warning, c->text))
                fail_msg("'%s': warning \"%s\" lacks \"%s\"", c->value, diag.warning, c->text);
}

static void test_parse_table(void **state) {
        BpfNames *n = state_names(state);

        for (size_t i = 0; i < ELEMENTSOF(parse_cases); i++)
                check_case(n, &parse_cases[i]);
}

static void test_parse_exact_messages(void **state) {
        BpfNames *n = state_names(state);
        DelegationDiag diag;
        uint64_t mask;

        assert_int_equal(delegation_parse_list(n, BPF_KIND_MAP, "ringbufx", &mask, &diag), -EINVAL);
        assert_string_equal(diag.error,
                            "Unknown BPF map type 'ringbufx' in BPFDelegateMaps=; did you mean 'ringbuf' (BPFMapTypeRingbuf)?");

        assert_int_equal(delegation_parse_list(n, BPF_KIND_COMMAND, "BPFProgLoad,BPFProgLoad", &mask, &diag), 0);
        assert_string_equal(diag.warning,
                            "BPFDelegateCommands= lists the same BPF command more than once: 'BPFProgLoad'.");

        assert_int_equal(delegation_parse_list(n, BPF_KIND_PROGRAM, "0x3,xdp", &mask, &diag), -EINVAL);
        assert_string_equal(diag.error,
                            "BPFDelegatePrograms= mixes the hex mask '0x3' with names; use either one hex mask or names only (the kernel lets a number overwrite the bits named before it).");

        assert_int_equal(delegation_parse_list(n, BPF_KIND_ATTACHMENT, "any,xdp", &mask, &diag), -EINVAL);
        assert_string_equal(diag.error,
                            "'any' in BPFDelegateAttachments= stands for everything and cannot be combined with other names.");
}

static void test_parse_limits(void **state) {
        BpfNames *n = state_names(state);
        char item[DELEGATION_ITEM_MAX + 2], value[DELEGATION_VALUE_MAX + 2], hex[80];
        _cleanup_(freep) char *huge = NULL;
        DelegationDiag diag;
        uint64_t mask;
        size_t l;

        /* an item of exactly the limit is looked up (and unknown), one more byte is too long */
        memset(item, 'a', DELEGATION_ITEM_MAX);
        item[DELEGATION_ITEM_MAX] = '\0';
        assert_int_equal(delegation_parse_list(n, BPF_KIND_MAP, item, &mask, &diag), -EINVAL);
        assert_non_null(strstr(diag.error, "Unknown BPF map type"));
        item[DELEGATION_ITEM_MAX] = 'a';
        item[DELEGATION_ITEM_MAX + 1] = '\0';
        assert_int_equal(delegation_parse_list(n, BPF_KIND_MAP, item, &mask, &diag), -E2BIG);
        assert_non_null(strstr(diag.error, "longer than the 64 bytes allowed"));

        /* a hex mask with many leading zeros is an over-long item first */
        l = (size_t) snprintf(hex, sizeof(hex), "0x");
        while (l < 70)
                hex[l++] = '0';
        hex[l++] = '1';
        hex[l] = '\0';
        assert_int_equal(delegation_parse_list(n, BPF_KIND_MAP, hex, &mask, &diag), -E2BIG);

        /* a value of exactly the limit parses (with duplicate warnings), one more byte is too long */
        l = 0;
        while (l + strlen("BPFProgLoad,") <= DELEGATION_VALUE_MAX) {
                memcpy(value + l, "BPFProgLoad,", strlen("BPFProgLoad,"));
                l += strlen("BPFProgLoad,");
        }
        while (l < DELEGATION_VALUE_MAX)
                value[l++] = ' ';
        value[l] = '\0';
        assert_int_equal(strlen(value), DELEGATION_VALUE_MAX);
        assert_int_equal(delegation_parse_list(n, BPF_KIND_COMMAND, value, &mask, &diag), 0);
        assert_int_equal(mask, BIT(5));
        assert_true(strlen(diag.warning) > 0);
        assert_true(strlen(diag.warning) < sizeof(diag.warning));
        value[l++] = ' ';
        value[l] = '\0';
        assert_int_equal(delegation_parse_list(n, BPF_KIND_COMMAND, value, &mask, &diag), -E2BIG);
        assert_non_null(strstr(diag.error, "longer than the 4096 bytes allowed"));

        huge = malloc(1 << 20);
        assert_non_null(huge);
        memset(huge, ',', (1 << 20) - 1);
        huge[(1 << 20) - 1] = '\0';
        assert_int_equal(delegation_parse_list(n, BPF_KIND_COMMAND, huge, &mask, &diag), -E2BIG);
}

static void test_parse_arguments(void **state) {
        BpfNames *n = state_names(state);
        DelegationDiag diag;
        uint64_t mask = 1;

        /* NULL value is "", NULL diag is fine */
        assert_int_equal(delegation_parse_list(n, BPF_KIND_COMMAND, NULL, &mask, NULL), 0);
        assert_int_equal(mask, 0);
        assert_int_equal(delegation_parse_list(n, BPF_KIND_COMMAND, "BPFProgLoad", &mask, NULL), 0);
        assert_int_equal(mask, BIT(5));
        assert_int_equal(delegation_parse_list(n, BPF_KIND_COMMAND, "nope", &mask, NULL), -EINVAL);

        assert_int_equal(delegation_parse_list(NULL, BPF_KIND_COMMAND, "prog_load", &mask, &diag), -EINVAL);
        assert_int_equal(delegation_parse_list(n, _BPF_KIND_MAX, "prog_load", &mask, &diag), -EINVAL);
        assert_int_equal(delegation_parse_list(n, _BPF_KIND_INVALID, "prog_load", &mask, &diag), -EINVAL);
        assert_int_equal(delegation_parse_list(n, BPF_KIND_COMMAND, "prog_load", NULL, &diag), -EINVAL);

        /* diag is reset by every call */
        assert_int_equal(delegation_parse_list(n, BPF_KIND_COMMAND, "prog_load prog_load", &mask, &diag), 0);
        assert_true(diag.used_spaces && !isempty(diag.warning));
        assert_int_equal(delegation_parse_list(n, BPF_KIND_COMMAND, "BPFProgLoad", &mask, &diag), 0);
        assert_false(diag.used_spaces || diag.used_kernel_names || !isempty(diag.warning));
}

/* ~ is relative to the names the kernel knows, never all 64 bits. */
static void test_invert(void **state) {
        BpfNames *n = state_names(state);

        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                const char *first = bpf_names_kernel(n, k, 0), *second = bpf_names_kernel(n, k, 1);
                char value[256];
                uint64_t mask;

                assert_non_null(first);
                assert_non_null(second);
                snprintf(value, sizeof(value), "~%s", first);
                assert_int_equal(delegation_parse_list(n, k, value, &mask, NULL), 0);
                assert_int_equal(mask, known_mask(n, k) & ~BIT(0));
                assert_true(mask != UINT64_MAX);
                assert_int_equal(mask & ~known_mask(n, k), 0);

                snprintf(value, sizeof(value), "~%s %s", first, second);
                assert_int_equal(delegation_parse_list(n, k, value, &mask, NULL), 0);
                assert_int_equal(mask, known_mask(n, k) & ~(BIT(0) | BIT(1)));
        }
}

/* --- printing --------------------------------------------------------------------------------- */

typedef struct FormatCase {
        BpfKind kind;
        const char *mask;               /* expected_mask() spec */
        const char *out[_DELEGATION_STYLE_MAX];
} FormatCase;

static const FormatCase format_cases[] = {
        { C, "map_create,prog_load",  { "BPFMapCreate,BPFProgLoad", "map_create,prog_load", "map_create:prog_load", "0x21" } },
        { C, "map_create,prog_load,btf_load", { "BPFMapCreate,BPFProgLoad,BPFBtfLoad", "map_create,prog_load,btf_load",
                                          "map_create:prog_load:btf_load", "0x40021" } },
        { C, "prog_run",              { "BPFProgTestRun", "prog_test_run", "prog_test_run", "0x400" } },
        { C, "*",                     { "any", "any", "any", "0xffffffffffffffff" } },
        { C, "0x0",                   { "", "", "", "0x0" } },
        { C, "0x8000000000000001",    { "0x8000000000000001", "0x8000000000000001", "0x8000000000000001", "0x8000000000000001" } },
        { M, "array",                 { "BPFMapTypeArray", "array", "array", "0x4" } },
        { M, "hash,array,ringbuf",    { "BPFMapTypeHash,BPFMapTypeArray,BPFMapTypeRingbuf", "hash,array,ringbuf", "hash:array:ringbuf", "0x8000006" } },
        { P, "socket_filter,xdp",     { "BPFProgTypeSocketFilter,BPFProgTypeXdp", "socket_filter,xdp", "socket_filter:xdp", "0x42" } },
        { P, "0x8000000000000000",    { "0x8000000000000000", "0x8000000000000000", "0x8000000000000000", "0x8000000000000000" } },
        { A, "cgroup_inet_ingress",   { "BPFCgroupInetIngress", "cgroup_inet_ingress", "cgroup_inet_ingress", "0x1" } },
        { A, "*",                     { "any", "any", "any", "0xffffffffffffffff" } },
};

static void test_format_table(void **state) {
        BpfNames *n = state_names(state);

        for (size_t i = 0; i < ELEMENTSOF(format_cases); i++) {
                uint64_t mask = expected_mask(n, format_cases[i].kind, format_cases[i].mask);

                for (DelegationStyle s = 0; s < _DELEGATION_STYLE_MAX; s++) {
                        _cleanup_(freep) char *out = NULL;

                        assert_int_equal(delegation_format(n, format_cases[i].kind, mask, s, &out), 0);
                        if (!streq(out, format_cases[i].out[s]))
                                fail_msg("0x%" PRIx64 " style %d: '%s', expected '%s'", mask, s, out, format_cases[i].out[s]);
                }
        }
}

static void test_format_arguments(void **state) {
        BpfNames *n = state_names(state);
        _cleanup_(freep) char *out = NULL;

        assert_int_equal(delegation_format(n, BPF_KIND_COMMAND, 1, DELEGATION_STYLE_KERNEL, NULL), -EINVAL);
        assert_int_equal(delegation_format(n, _BPF_KIND_MAX, 1, DELEGATION_STYLE_KERNEL, &out), -EINVAL);
        assert_int_equal(delegation_format(n, BPF_KIND_COMMAND, 1, _DELEGATION_STYLE_MAX, &out), -EINVAL);
        assert_null(out);

        /* without names: hex */
        assert_int_equal(delegation_format(NULL, BPF_KIND_COMMAND, 0x21, DELEGATION_STYLE_SYSTEMD, &out), 0);
        assert_string_equal(out, "0x21");
}

/* xorshift64*, fixed seed: deterministic */
static uint64_t rnd(uint64_t *s) {
        *s ^= *s >> 12;
        *s ^= *s << 25;
        *s ^= *s >> 27;
        return *s * UINT64_C(2685821657736338717);
}

static void round_trip(const BpfNames *n, BpfKind k, uint64_t mask) {
        for (DelegationStyle s = 0; s < _DELEGATION_STYLE_MAX; s++) {
                _cleanup_(freep) char *out = NULL;
                DelegationDiag diag;
                uint64_t back = 0;
                int r;

                assert_int_equal(delegation_format(n, k, mask, s, &out), 0);
                r = delegation_parse_list(n, k, out, &back, &diag);
                if (r < 0 || back != mask)
                        fail_msg("%s 0x%" PRIx64 " style %d: '%s' parses as %d 0x%" PRIx64 " (%s)",
                                 bpf_kind_to_string(k), mask, s, out, r, back, diag.error);
                assert_true(isempty(diag.warning));
                if (s == DELEGATION_STYLE_SYSTEMD && mask != UINT64_MAX &&
                    (mask & ~named_mask(n, k)) == 0)
                        assert_false(diag.used_kernel_names || diag.used_spaces || diag.used_colons || diag.used_hex);
        }
}

static void test_round_trip(void **state) {
        BpfNames *n = state_names(state);
        uint64_t seed = UINT64_C(0x9e3779b97f4a7c15);

        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                uint64_t named = named_mask(n, k);

                round_trip(n, k, 0);
                round_trip(n, k, UINT64_MAX);
                round_trip(n, k, named);
                round_trip(n, k, known_mask(n, k));
                for (unsigned b = 0; b < 64; b++)
                        round_trip(n, k, BIT(b));

                for (unsigned i = 0; i < 300; i++) {
                        uint64_t r = rnd(&seed);

                        round_trip(n, k, r & named);            /* names */
                        round_trip(n, k, r & rnd(&seed) & named);
                        round_trip(n, k, r);                    /* any bits: hex where unnamed */
                }
        }
}

/* --- presets ------------------------------------------------------------------------------------ */

static void test_presets_list(void **state) {
        const DelegationPreset *p;
        size_t n_presets = 0;

        p = delegation_presets(&n_presets);
        assert_non_null(p);
        assert_int_equal(n_presets, 6);
        assert_string_equal(p[0].name, "libbpf");
        assert_string_equal(p[1].name, "networking");
        assert_string_equal(p[2].name, "xdp");
        assert_string_equal(p[3].name, "tc");
        assert_string_equal(p[4].name, "cgroup-net");
        assert_string_equal(p[5].name, "tracing");
        assert_non_null(delegation_presets(NULL));

        for (size_t i = 0; i < n_presets; i++) {
                assert_false(isempty(p[i].description));
                assert_ptr_equal(delegation_preset_find(p[i].name), &p[i]);

                /* every name of every preset is in the built-in table */
                for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                        DelegationDiag diag;
                        uint64_t mask;

                        assert_non_null(p[i].lists[k]);
                        if (delegation_parse_list(names_builtin, k, p[i].lists[k], &mask, &diag) < 0)
                                fail_msg("preset %s, %s: %s", p[i].name, bpf_kind_to_string(k), diag.error);
                        assert_true(isempty(diag.warning));
                }
        }

        assert_non_null(delegation_preset_find("LIBBPF"));
        assert_non_null(delegation_preset_find("Networking"));
        assert_null(delegation_preset_find("all"));
        assert_null(delegation_preset_find("any"));
        assert_null(delegation_preset_find(""));
        assert_null(delegation_preset_find(NULL));
}

static void test_presets_apply(void **state) {
        BpfNames *n = state_names(state);
        DelegationDiag diag;
        Delegation d = {};
        unsigned bit;

        /* libbpf: exactly the baseline */
        assert_int_equal(delegation_apply_preset(n, "libbpf", &d, &diag), 0);
        assert_memory_equal(&d, &delegation_libbpf_baseline, sizeof(d));
        assert_true(delegation_covers_libbpf_baseline(n, &d, NULL, 0));
        assert_int_equal(delegation_needed_capabilities(n, &d), CAPS_BPF);

        /* presets OR into what is there */
        d = (Delegation) {};
        d.masks[BPF_KIND_COMMAND] = BIT(6);
        assert_int_equal(delegation_apply_preset(n, "networking", &d, &diag), 0);
        assert_int_equal(d.masks[BPF_KIND_COMMAND], BIT(6) | delegation_libbpf_baseline.masks[BPF_KIND_COMMAND]);
        assert_int_equal(d.masks[BPF_KIND_ATTACHMENT], DELEGATION_ANY);
        assert_true(d.masks[BPF_KIND_PROGRAM] & BIT(6));  /* xdp */
        assert_true(d.masks[BPF_KIND_PROGRAM] & BIT(1));  /* socket_filter */
        assert_int_equal(bpf_names_lookup(n, BPF_KIND_MAP, "sockmap", &bit), 0);
        assert_true(d.masks[BPF_KIND_MAP] & BIT(bit));
        assert_int_equal(bpf_names_lookup(n, BPF_KIND_PROGRAM, "kprobe", &bit), 0);
        assert_false(d.masks[BPF_KIND_PROGRAM] & BIT(bit));
        assert_true(delegation_covers_libbpf_baseline(n, &d, NULL, 0));
        assert_int_equal(delegation_needed_capabilities(n, &d), CAPS_BPF | CAPS_NET_ADMIN);

        d = (Delegation) {};
        assert_int_equal(delegation_apply_preset(n, "TRACING", &d, &diag), 0);
        assert_int_equal(d.masks[BPF_KIND_ATTACHMENT], DELEGATION_ANY);
        assert_int_equal(bpf_names_lookup(n, BPF_KIND_PROGRAM, "kprobe", &bit), 0);
        assert_true(d.masks[BPF_KIND_PROGRAM] & BIT(bit));
        assert_false(d.masks[BPF_KIND_PROGRAM] & BIT(6));
        assert_true(delegation_covers_libbpf_baseline(n, &d, NULL, 0));
        assert_int_equal(delegation_needed_capabilities(n, &d), CAPS_BPF | CAPS_PERFMON);

        /* the attach presets (issue 8): what XDP, tc and cgroup socket clients need, and no more */
        {
                static const struct {
                        const char *preset;
                        const char *progs[4], *attachs[4], *not_progs[3];
                } cases[] = {
                        { "xdp", { "xdp", "socket_filter" }, { "xdp", "cgroup_inet_ingress" },
                          { "sched_cls", "cgroup_skb", "kprobe" } },
                        { "tc", { "sched_cls", "sched_act" }, { "tcx_ingress", "tcx_egress", "cgroup_inet_ingress" },
                          { "xdp", "cgroup_skb", "kprobe" } },
                        { "cgroup-net", { "cgroup_skb", "cgroup_sock", "cgroup_sock_addr", "sock_ops" },
                          { "cgroup_inet_ingress", "cgroup_inet_egress", "cgroup_inet4_connect" },
                          { "xdp", "sched_cls", "kprobe" } },
                };

                for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                        d = (Delegation) {};
                        assert_int_equal(delegation_apply_preset(n, cases[i].preset, &d, &diag), 0);
                        assert_true(delegation_covers_libbpf_baseline(n, &d, NULL, 0));
                        assert_int_equal(delegation_needed_capabilities(n, &d), CAPS_BPF | CAPS_NET_ADMIN);
                        assert_true(d.masks[BPF_KIND_ATTACHMENT] != DELEGATION_ANY);
                        for (size_t j = 0; j < 4 && cases[i].progs[j]; j++) {
                                assert_int_equal(bpf_names_lookup(n, BPF_KIND_PROGRAM, cases[i].progs[j], &bit), 0);
                                assert_true(d.masks[BPF_KIND_PROGRAM] & BIT(bit));
                        }
                        for (size_t j = 0; j < 4 && cases[i].attachs[j]; j++) {
                                assert_int_equal(bpf_names_lookup(n, BPF_KIND_ATTACHMENT, cases[i].attachs[j], &bit), 0);
                                assert_true(d.masks[BPF_KIND_ATTACHMENT] & BIT(bit));
                        }
                        for (size_t j = 0; j < 3; j++) {
                                assert_int_equal(bpf_names_lookup(n, BPF_KIND_PROGRAM, cases[i].not_progs[j], &bit), 0);
                                assert_false(d.masks[BPF_KIND_PROGRAM] & BIT(bit));
                        }
                        /* only cgroup-net has cgroup program types, which bpftoken then confines */
                        assert_int_equal(delegation_cgroup_program_mask(n, &d) != 0, streq(cases[i].preset, "cgroup-net"));
                }
                /* the libbpf baseline's socket_filter is no cgroup type; cgroup_skb is */
                assert_int_equal(delegation_cgroup_program_mask(n, &delegation_libbpf_baseline), 0);
                d = (Delegation) {};
                assert_int_equal(bpf_names_lookup(n, BPF_KIND_PROGRAM, "cgroup_skb", &bit), 0);
                d.masks[BPF_KIND_PROGRAM] = BIT(bit) | BIT(1);
                assert_int_equal(delegation_cgroup_program_mask(n, &d), BIT(bit));
        }

        /* unknown presets */
        d = (Delegation) {};
        assert_int_equal(delegation_apply_preset(n, "netwrking", &d, &diag), -ENOENT);
        assert_string_equal(diag.error, "Unknown delegation preset 'netwrking'; did you mean 'networking'?");
        assert_true(delegation_is_empty(&d));
        assert_int_equal(delegation_apply_preset(n, "libpbf", &d, &diag), -ENOENT);
        assert_non_null(strstr(diag.error, "did you mean 'libbpf'?"));
        assert_int_equal(delegation_apply_preset(n, "zzz", &d, &diag), -ENOENT);
        assert_string_equal(diag.error, "Unknown delegation preset 'zzz'; known presets: libbpf, networking, xdp, tc, "
                                        "cgroup-net, tracing.");
        assert_int_equal(delegation_apply_preset(n, "all", &d, &diag), -ENOENT);
        assert_int_equal(delegation_apply_preset(n, "any", NULL, &diag), -EINVAL);
        assert_int_equal(delegation_apply_preset(n, NULL, &d, NULL), -EINVAL);
        assert_int_equal(delegation_apply_preset(NULL, "libbpf", &d, NULL), -EINVAL);
        assert_true(delegation_is_empty(&d));
}

/* A kernel that lacks some names a preset lists: they are skipped. */
static void test_presets_old_kernel(void **state) {
        static const struct {
                const char *name;
                const char *members[6];
                int64_t values[6];
        } enums[] = {
                { "bpf_cmd", { "BPF_MAP_CREATE", "BPF_PROG_LOAD", "BPF_BTF_LOAD", "__MAX_BPF_CMD" }, { 0, 5, 18, 19 } },
                { "bpf_map_type", { "BPF_MAP_TYPE_HASH", "BPF_MAP_TYPE_ARRAY", "__MAX_BPF_MAP_TYPE" }, { 1, 2, 3 } },
                { "bpf_prog_type", { "BPF_PROG_TYPE_SOCKET_FILTER", "BPF_PROG_TYPE_XDP", "__MAX_BPF_PROG_TYPE" }, { 1, 6, 7 } },
                { "bpf_attach_type", { "BPF_CGROUP_INET_INGRESS", "__MAX_BPF_ATTACH_TYPE" }, { 0, 1 } },
        };
        _cleanup_(bpf_names_freep) BpfNames *n = NULL;
        _cleanup_(freep) char *path = NULL;
        struct btf *btf = btf__new_empty();
        DelegationDiag diag;
        Delegation d = {};
        const void *raw;
        uint32_t size;
        char buf[256];

        assert_non_null(btf);
        for (size_t i = 0; i < ELEMENTSOF(enums); i++) {
                assert_true(btf__add_enum(btf, enums[i].name, 4) > 0);
                for (size_t j = 0; j < ELEMENTSOF(enums[i].members) && enums[i].members[j]; j++)
                        assert_int_equal(btf__add_enum_value(btf, enums[i].members[j], enums[i].values[j]), 0);
        }
        raw = btf__raw_data(btf, &size);
        assert_non_null(raw);
        path = write_temp(raw, size);
        btf__free(btf);

        assert_int_equal(bpf_names_load(path, &n), 0);
        unlink(path);
        assert_int_equal(bpf_names_source(n), BPF_NAMES_SOURCE_BTF);

        assert_int_equal(delegation_apply_preset(n, "networking", &d, &diag), 0);
        assert_int_equal(d.masks[BPF_KIND_COMMAND], BIT(0) | BIT(5) | BIT(18));
        assert_int_equal(d.masks[BPF_KIND_MAP], BIT(1) | BIT(2));
        assert_int_equal(d.masks[BPF_KIND_PROGRAM], BIT(1) | BIT(6));
        assert_int_equal(d.masks[BPF_KIND_ATTACHMENT], DELEGATION_ANY);

        /* ~ is relative to what this kernel knows */
        assert_int_equal(delegation_parse_list(n, BPF_KIND_MAP, "~hash", &d.masks[BPF_KIND_MAP], &diag), 0);
        assert_int_equal(d.masks[BPF_KIND_MAP], 0x5);  /* bits 0..2 minus hash */
        assert_int_equal(delegation_parse_list(n, BPF_KIND_MAP, "ringbuf", &d.masks[BPF_KIND_MAP], &diag), -EINVAL);
        assert_non_null(strstr(diag.error, "the running kernel has no such name"));

        /* the baseline report names the bits from this kernel's names */
        assert_false(delegation_covers_libbpf_baseline(n, &(Delegation) {}, buf, sizeof(buf)));
        assert_string_equal(buf, "commands: map_create, commands: prog_load, commands: btf_load, maps: array, "
                                 "programs: socket_filter, attachments: cgroup_inet_ingress");
}

/* --- baseline, capabilities ---------------------------------------------------------------- */

static void test_baseline(void **state) {
        BpfNames *n = state_names(state);
        const Delegation *b = &delegation_libbpf_baseline;
        Delegation d = {};
        char buf[512], small[20];

        assert_int_equal(b->masks[BPF_KIND_COMMAND], expected_mask(n, BPF_KIND_COMMAND, "map_create,prog_load,btf_load"));
        assert_int_equal(b->masks[BPF_KIND_MAP], expected_mask(n, BPF_KIND_MAP, "array"));
        assert_int_equal(b->masks[BPF_KIND_PROGRAM], expected_mask(n, BPF_KIND_PROGRAM, "socket_filter"));
        assert_int_equal(b->masks[BPF_KIND_ATTACHMENT], expected_mask(n, BPF_KIND_ATTACHMENT, "cgroup_inet_ingress"));

        assert_false(delegation_covers_libbpf_baseline(n, &d, buf, sizeof(buf)));
        assert_string_equal(buf, "commands: map_create, commands: prog_load, commands: btf_load, maps: array, "
                                 "programs: socket_filter, attachments: cgroup_inet_ingress");

        /* the G1 trap: attach types without bit 0 */
        d = *b;
        d.masks[BPF_KIND_ATTACHMENT] = expected_mask(n, BPF_KIND_ATTACHMENT, "xdp");
        d.masks[BPF_KIND_COMMAND] &= ~BIT(18);
        assert_false(delegation_covers_libbpf_baseline(n, &d, buf, sizeof(buf)));
        assert_string_equal(buf, "commands: btf_load, attachments: cgroup_inet_ingress");

        /* truncation stays in bounds and terminated */
        assert_false(delegation_covers_libbpf_baseline(n, &d, small, sizeof(small)));
        assert_true(strlen(small) < sizeof(small));
        assert_false(delegation_covers_libbpf_baseline(n, &d, NULL, 0));
        assert_false(delegation_covers_libbpf_baseline(n, NULL, buf, sizeof(buf)));

        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                d.masks[k] = DELEGATION_ANY;
        buf[0] = 'x';
        assert_true(delegation_covers_libbpf_baseline(n, &d, buf, sizeof(buf)));
        assert_string_equal(buf, "");
        assert_true(delegation_covers_libbpf_baseline(n, b, buf, sizeof(buf)));
        assert_true(delegation_covers_libbpf_baseline(NULL, b, buf, sizeof(buf)));

        /* without names, from the built-in table */
        assert_false(delegation_covers_libbpf_baseline(NULL, &(Delegation) {}, buf, sizeof(buf)));
        assert_non_null(strstr(buf, "maps: array"));
}

static void test_capabilities(void **state) {
        static const struct {
                const char *cmds, *maps, *progs, *attachs; /* expected_mask() specs, NULL: 0 */
                uint64_t caps;
        } table[] = {
                { NULL, NULL, NULL, NULL, 0 },
                { "prog_load", NULL, NULL, NULL, CAPS_BPF },
                { NULL, NULL, NULL, "*", CAPS_BPF },
                { "*", NULL, NULL, NULL, CAPS_BPF },
                { "map_create", "array,hash,ringbuf", "socket_filter", "cgroup_inet_ingress", CAPS_BPF },
                /* loads without CAP_NET_ADMIN, but attaching needs it (issue 8, measured) */
                { NULL, NULL, "cgroup_skb", NULL, CAPS_BPF | CAPS_NET_ADMIN },
                { NULL, NULL, "xdp", NULL, CAPS_BPF | CAPS_NET_ADMIN },
                { NULL, NULL, "sched_cls", NULL, CAPS_BPF | CAPS_NET_ADMIN },
                { NULL, NULL, "lwt_in", NULL, CAPS_BPF | CAPS_NET_ADMIN },
                { NULL, NULL, "lwt_seg6local", NULL, CAPS_BPF | CAPS_NET_ADMIN },
                { NULL, NULL, "cgroup_sock_addr", NULL, CAPS_BPF | CAPS_NET_ADMIN },
                { NULL, NULL, "netfilter", NULL, CAPS_BPF | CAPS_NET_ADMIN },
                { NULL, NULL, "sk_lookup", NULL, CAPS_BPF | CAPS_NET_ADMIN },
                { NULL, NULL, "kprobe", NULL, CAPS_BPF | CAPS_PERFMON },
                { NULL, NULL, "tracing", NULL, CAPS_BPF | CAPS_PERFMON },
                { NULL, NULL, "lsm", NULL, CAPS_BPF | CAPS_PERFMON },
                { NULL, NULL, "struct_ops", NULL, CAPS_BPF | CAPS_PERFMON },
                { NULL, NULL, "ext", NULL, CAPS_BPF | CAPS_PERFMON | CAPS_NET_ADMIN },
                { NULL, NULL, "kprobe,xdp", NULL, CAPS_BPF | CAPS_PERFMON | CAPS_NET_ADMIN },
                { NULL, NULL, "*", NULL, CAPS_BPF | CAPS_PERFMON | CAPS_NET_ADMIN },
                { NULL, "sockmap", NULL, NULL, CAPS_BPF | CAPS_NET_ADMIN },
                { NULL, "devmap_hash", NULL, NULL, CAPS_BPF | CAPS_NET_ADMIN },
                { NULL, "xskmap", NULL, NULL, CAPS_BPF | CAPS_NET_ADMIN },
                { NULL, "*", NULL, NULL, CAPS_BPF | CAPS_NET_ADMIN },
                { NULL, "perf_event_array,stack_trace", NULL, NULL, CAPS_BPF },
        };
        BpfNames *n = state_names(state);

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                Delegation d = {};
                uint64_t caps;

                if (table[i].cmds)
                        d.masks[BPF_KIND_COMMAND] = expected_mask(n, BPF_KIND_COMMAND, table[i].cmds);
                if (table[i].maps)
                        d.masks[BPF_KIND_MAP] = expected_mask(n, BPF_KIND_MAP, table[i].maps);
                if (table[i].progs)
                        d.masks[BPF_KIND_PROGRAM] = expected_mask(n, BPF_KIND_PROGRAM, table[i].progs);
                if (table[i].attachs)
                        d.masks[BPF_KIND_ATTACHMENT] = expected_mask(n, BPF_KIND_ATTACHMENT, table[i].attachs);

                caps = delegation_needed_capabilities(n, &d);
                if (caps != table[i].caps)
                        fail_msg("case %zu: caps 0x%" PRIx64 ", expected 0x%" PRIx64, i, caps, table[i].caps);
                /* same answer from the built-in table without names */
                assert_int_equal(delegation_needed_capabilities(NULL, &d), table[i].caps);
                assert_int_equal(delegation_is_empty(&d), table[i].caps == 0);
        }

        assert_int_equal(delegation_needed_capabilities(n, NULL), 0);
        assert_true(delegation_is_empty(NULL));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                BOTH(test_parse_table),
                BOTH(test_parse_exact_messages),
                BOTH(test_parse_limits),
                BOTH(test_parse_arguments),
                BOTH(test_invert),
                BOTH(test_format_table),
                BOTH(test_format_arguments),
                BOTH(test_round_trip),
                ONCE(test_presets_list),
                BOTH(test_presets_apply),
                ONCE(test_presets_old_kernel),
                BOTH(test_baseline),
                BOTH(test_capabilities),
        };

        return cmocka_run_group_tests(tests, names_setup, names_teardown);
}
