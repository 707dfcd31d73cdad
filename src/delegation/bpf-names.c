/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bpf-names-table.h"
#include "bpf-names.h"
#include "btf-enums.h"
#include "macro.h"

#define BTF_VMLINUX_PATH "/sys/kernel/btf/vmlinux"
#define BPF_NAMES_BITS 64U
/* Names longer than this are never suggested for (nor looked up in a meaningful way). */
#define SUGGEST_NAME_MAX 128U

typedef struct BpfNameEntry {
        char *kernel;   /* "prog_load" */
        char *systemd;  /* "BPFProgLoad" */
        unsigned value;
        bool alias;     /* shares its value with an earlier name */
} BpfNameEntry;

typedef struct BpfNamesKind {
        BpfNameEntry *entries;  /* in declaration order */
        size_t n_entries;
        unsigned count;         /* __MAX_*, at most 64 */
        int canonical[BPF_NAMES_BITS]; /* index into entries, or -1 */
} BpfNamesKind;

struct BpfNames {
        BpfNamesSource source;
        BpfNamesKind kinds[_BPF_KIND_MAX];
};

typedef struct BpfKindInfo {
        const char *string;
        const char *mount_option;
        const char *directive;
        const char *noun;
        const char *enum_name;    /* BTF enum */
        const char *enum_prefix;  /* stripped for the kernel spelling */
        const char *max_name;     /* "__MAX_BPF_CMD" */
        const char *aliases[6];   /* more names bpf_kind_from_string() accepts */
} BpfKindInfo;

static const BpfKindInfo kind_info[_BPF_KIND_MAX] = {
        [BPF_KIND_COMMAND] = {
                .string = "commands",
                .mount_option = "delegate_cmds",
                .directive = "BPFDelegateCommands",
                .noun = "BPF command",
                .enum_name = "bpf_cmd",
                .enum_prefix = "BPF_",
                .max_name = "__MAX_BPF_CMD",
                .aliases = { "command", "cmds", "cmd" },
        },
        [BPF_KIND_MAP] = {
                .string = "maps",
                .mount_option = "delegate_maps",
                .directive = "BPFDelegateMaps",
                .noun = "BPF map type",
                .enum_name = "bpf_map_type",
                .enum_prefix = "BPF_MAP_TYPE_",
                .max_name = "__MAX_BPF_MAP_TYPE",
                .aliases = { "map" },
        },
        [BPF_KIND_PROGRAM] = {
                .string = "programs",
                .mount_option = "delegate_progs",
                .directive = "BPFDelegatePrograms",
                .noun = "BPF program type",
                .enum_name = "bpf_prog_type",
                .enum_prefix = "BPF_PROG_TYPE_",
                .max_name = "__MAX_BPF_PROG_TYPE",
                .aliases = { "program", "progs", "prog" },
        },
        [BPF_KIND_ATTACHMENT] = {
                .string = "attachments",
                .mount_option = "delegate_attachs",
                .directive = "BPFDelegateAttachments",
                .noun = "BPF attach type",
                .enum_name = "bpf_attach_type",
                .enum_prefix = "BPF_",
                .max_name = "__MAX_BPF_ATTACH_TYPE",
                .aliases = { "attachment", "attachs", "attach" },
        },
};

static bool kind_valid(BpfKind k) {
        return k >= 0 && k < _BPF_KIND_MAX;
}

const char *bpf_kind_to_string(BpfKind k) {
        return kind_valid(k) ? kind_info[k].string : NULL;
}

BpfKind bpf_kind_from_string(const char *s) {
        if (!s)
                return _BPF_KIND_INVALID;

        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++) {
                const BpfKindInfo *i = &kind_info[k];

                if (strcaseeq(s, i->string) ||
                    strcaseeq(s, i->mount_option) ||
                    strcaseeq(s, i->directive))
                        return k;
                for (size_t j = 0; j < ELEMENTSOF(i->aliases) && i->aliases[j]; j++)
                        if (strcaseeq(s, i->aliases[j]))
                                return k;
        }

        return _BPF_KIND_INVALID;
}

const char *bpf_kind_mount_option(BpfKind k) {
        return kind_valid(k) ? kind_info[k].mount_option : NULL;
}

const char *bpf_kind_directive(BpfKind k) {
        return kind_valid(k) ? kind_info[k].directive : NULL;
}

const char *bpf_kind_noun(BpfKind k) {
        return kind_valid(k) ? kind_info[k].noun : NULL;
}

/* Python's str.capitalize() of one '_'-separated word, appended at *p. */
static char *append_capitalized(char *p, const char *word, size_t len) {
        for (size_t i = 0; i < len; i++)
                *p++ = i == 0 ? (char) toupper((unsigned char) word[i]) : (char) tolower((unsigned char) word[i]);
        return p;
}

/* systemd's spelling of a full enum name: split on '_', keep the first word as is, capitalize the
 * others. BPF_MAP_TYPE_LRU_PERCPU_HASH -> BPFMapTypeLruPercpuHash. */
static char *systemd_spelling(const char *prefix, const char *kernel_name) {
        size_t lp = strlen(prefix), lk = strlen(kernel_name);
        _cleanup_(freep) char *full = NULL;
        char *ret, *p;
        const char *w;
        bool first = true;

        full = malloc(lp + lk + 1);
        if (!full)
                return NULL;
        memcpy(full, prefix, lp);
        memcpy(full + lp, kernel_name, lk + 1);

        ret = malloc(lp + lk + 1);
        if (!ret)
                return NULL;

        p = ret;
        w = full;
        for (;;) {
                size_t n = strcspn(w, "_");

                if (first) {
                        memcpy(p, w, n);
                        p += n;
                        first = false;
                } else
                        p = append_capitalized(p, w, n);

                if (w[n] == '\0')
                        break;
                w += n + 1;
        }
        *p = '\0';

        return ret;
}

static void kind_done(BpfNamesKind *k) {
        for (size_t i = 0; i < k->n_entries; i++) {
                free(k->entries[i].kernel);
                free(k->entries[i].systemd);
        }
        free(k->entries);
        *k = (BpfNamesKind) {};
}

static void kind_init(BpfNamesKind *k) {
        *k = (BpfNamesKind) {};
        for (unsigned b = 0; b < BPF_NAMES_BITS; b++)
                k->canonical[b] = -1;
}

/* Adds a name (kernel spelling, any case) with its value. The first name of a value is
 * canonical, later ones are aliases. Values of 64 and above cannot be delegated: ignored. */
static int kind_add(BpfNamesKind *k, BpfKind kind, const char *kernel_name, uint64_t value) {
        _cleanup_(freep) char *kname = NULL, *sname = NULL;
        BpfNameEntry *e;

        if (value >= BPF_NAMES_BITS || isempty(kernel_name))
                return 0;

        kname = strdup(kernel_name);
        if (!kname)
                return -ENOMEM;
        for (char *c = kname; *c; c++)
                *c = (char) tolower((unsigned char) *c);

        sname = systemd_spelling(kind_info[kind].enum_prefix, kname);
        if (!sname)
                return -ENOMEM;

        e = reallocarray(k->entries, k->n_entries + 1, sizeof(BpfNameEntry));
        if (!e)
                return -ENOMEM;
        k->entries = e;

        k->entries[k->n_entries] = (BpfNameEntry) {
                .kernel = TAKE_PTR(kname),
                .systemd = TAKE_PTR(sname),
                .value = (unsigned) value,
                .alias = k->canonical[value] >= 0,
        };
        if (k->canonical[value] < 0)
                k->canonical[value] = (int) k->n_entries;
        k->n_entries++;

        return 0;
}

static BpfNames *names_new(BpfNamesSource source) {
        BpfNames *n;

        n = calloc(1, sizeof(BpfNames));
        if (!n)
                return NULL;
        n->source = source;
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                kind_init(&n->kinds[k]);
        return n;
}

BpfNames *bpf_names_free(BpfNames *n) {
        if (!n)
                return NULL;
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                kind_done(&n->kinds[k]);
        free(n);
        return NULL;
}

int bpf_names_new_builtin(BpfNames **ret) {
        _cleanup_(bpf_names_freep) BpfNames *n = NULL;
        int r;

        if (!ret)
                return -EINVAL;

        n = names_new(BPF_NAMES_SOURCE_BUILTIN);
        if (!n)
                return -ENOMEM;

        for (BpfKind kind = 0; kind < _BPF_KIND_MAX; kind++) {
                const BpfBuiltinTable *t = bpf_builtin_table(kind);
                BpfNamesKind *k = &n->kinds[kind];

                /* Declaration order: an alias comes right after the name it duplicates. */
                for (unsigned v = 0; v < t->n_names; v++) {
                        r = kind_add(k, kind, t->names[v], v);
                        if (r < 0)
                                return r;
                        for (size_t a = 0; a < t->n_aliases; a++)
                                if (t->aliases[a].value == v) {
                                        r = kind_add(k, kind, t->aliases[a].name, v);
                                        if (r < 0)
                                                return r;
                                }
                }
                k->count = t->n_names < BPF_NAMES_BITS ? t->n_names : BPF_NAMES_BITS;
        }

        *ret = TAKE_PTR(n);
        return 0;
}

static int names_add_btf_member(BpfNamesKind *k, BpfKind kind, const char *name, int64_t value,
                                bool *have_max, uint64_t *max_value) {
        const char *stripped;

        if (!name)
                return 0;

        if (startswith(name, "__")) {
                if (streq(name, kind_info[kind].max_name) && value >= 0) {
                        *have_max = true;
                        *max_value = (uint64_t) value;
                }
                return 0;
        }

        stripped = startswith(name, kind_info[kind].enum_prefix);
        if (!stripped || value < 0)
                return 0;

        return kind_add(k, kind, stripped, (uint64_t) value);
}

/* 0 on success, -ENODATA if the BTF lacks the enum or it is unusable, -ENOMEM. */
static int names_fill_from_btf(BpfNames *n, const BtfEnum *e, BpfKind kind) {
        BpfNamesKind *k = &n->kinds[kind];
        bool have_max = false;
        uint64_t max_value = 0;
        unsigned highest = 0;
        int r;

        if (!e->found)
                return -ENODATA;

        for (size_t i = 0; i < e->n_values; i++) {
                uint64_t v = e->values[i].value;
                int64_t value;

                /* ENUM: sign- or zero-extended by the reader, as the kind flag says. These are all
                 * small and non-negative anyway. ENUM64: signed or not, a value above INT64_MAX
                 * cannot be a bit: ignored. */
                if (e->is_enum64)
                        value = v > INT64_MAX ? -1 : (int64_t) v;
                else
                        value = (int64_t) v;

                r = names_add_btf_member(k, kind, e->values[i].name, value, &have_max, &max_value);
                if (r < 0)
                        return r;
        }

        for (unsigned b = 0; b < BPF_NAMES_BITS; b++)
                if (k->canonical[b] >= 0)
                        highest = b + 1;
        if (highest == 0)
                return -ENODATA;

        if (have_max)
                k->count = max_value < BPF_NAMES_BITS ? (unsigned) max_value : BPF_NAMES_BITS;
        else
                k->count = highest;
        if (k->count < highest)
                k->count = highest;

        return 0;
}

int bpf_names_load(const char *btf_path, BpfNames **ret) {
        _cleanup_(bpf_names_freep) BpfNames *n = NULL;
        _cleanup_(btf_enums_freep) BtfEnums *enums = NULL;
        const char *enum_names[_BPF_KIND_MAX];
        int r;

        if (!ret)
                return -EINVAL;

        if (!btf_path)
                btf_path = BTF_VMLINUX_PATH;

        for (BpfKind kind = 0; kind < _BPF_KIND_MAX; kind++)
                enum_names[kind] = kind_info[kind].enum_name;

        /* Only these four enums are needed: read them straight from the raw BTF instead of having
         * libbpf validate and index all of it. Missing, unreadable, not BTF, malformed, of the other
         * byte order: the built-in table. */
        r = btf_enums_load(btf_path, enum_names, _BPF_KIND_MAX, &enums);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return bpf_names_new_builtin(ret);

        n = names_new(BPF_NAMES_SOURCE_BTF);
        if (!n)
                return -ENOMEM;

        for (BpfKind kind = 0; kind < _BPF_KIND_MAX; kind++) {
                r = names_fill_from_btf(n, &enums->enums[kind], kind);
                if (r < 0)
                        break;
        }

        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return bpf_names_new_builtin(ret);

        *ret = TAKE_PTR(n);
        return 0;
}

BpfNamesSource bpf_names_source(const BpfNames *n) {
        return n ? n->source : BPF_NAMES_SOURCE_BUILTIN;
}

static const BpfNamesKind *names_kind(const BpfNames *n, BpfKind kind) {
        if (!n || !kind_valid(kind))
                return NULL;
        return &n->kinds[kind];
}

unsigned bpf_names_count(const BpfNames *n, BpfKind kind) {
        const BpfNamesKind *k = names_kind(n, kind);
        return k ? k->count : 0;
}

static const BpfNameEntry *names_canonical(const BpfNames *n, BpfKind kind, unsigned bit) {
        const BpfNamesKind *k = names_kind(n, kind);

        if (!k || bit >= BPF_NAMES_BITS || k->canonical[bit] < 0)
                return NULL;
        return &k->entries[k->canonical[bit]];
}

const char *bpf_names_kernel(const BpfNames *n, BpfKind kind, unsigned bit) {
        const BpfNameEntry *e = names_canonical(n, kind, bit);
        return e ? e->kernel : NULL;
}

const char *bpf_names_systemd(const BpfNames *n, BpfKind kind, unsigned bit) {
        const BpfNameEntry *e = names_canonical(n, kind, bit);
        return e ? e->systemd : NULL;
}

int bpf_names_lookup_full(const BpfNames *n, BpfKind kind, const char *name, unsigned *ret_bit,
                          BpfNameMatch *ret_match) {
        const BpfNamesKind *k = names_kind(n, kind);

        if (!k || !name)
                return -ENOENT;

        for (size_t i = 0; i < k->n_entries; i++) {
                const BpfNameEntry *e = &k->entries[i];
                BpfNameMatch m;

                if (strcaseeq(name, e->kernel))
                        m = BPF_NAME_MATCH_KERNEL | (streq(name, e->kernel) ? 0 : BPF_NAME_MATCH_CASE_DIFFERS);
                else if (strcaseeq(name, e->systemd))
                        m = BPF_NAME_MATCH_SYSTEMD | (streq(name, e->systemd) ? 0 : BPF_NAME_MATCH_CASE_DIFFERS);
                else
                        continue;

                if (e->alias)
                        m |= BPF_NAME_MATCH_ALIAS;
                if (ret_bit)
                        *ret_bit = e->value;
                if (ret_match)
                        *ret_match = m;
                return 0;
        }

        return -ENOENT;
}

int bpf_names_lookup(const BpfNames *n, BpfKind kind, const char *name, unsigned *ret_bit) {
        return bpf_names_lookup_full(n, kind, name, ret_bit, NULL);
}

/* Optimal string alignment distance (Levenshtein plus adjacent transpositions), ASCII case
 * insensitive. Both strings at most SUGGEST_NAME_MAX long, else UINT32_MAX. */
unsigned bpf_edit_distance(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b);
        unsigned rows[3][SUGGEST_NAME_MAX + 1];
        unsigned *prev2 = rows[0], *prev = rows[1], *cur = rows[2];

        if (la > SUGGEST_NAME_MAX || lb > SUGGEST_NAME_MAX)
                return UINT32_MAX;

        for (size_t j = 0; j <= lb; j++)
                prev[j] = (unsigned) j;

        for (size_t i = 1; i <= la; i++) {
                unsigned *t;

                cur[0] = (unsigned) i;
                for (size_t j = 1; j <= lb; j++) {
                        int ca = tolower((unsigned char) a[i - 1]), cb = tolower((unsigned char) b[j - 1]);
                        unsigned cost = ca == cb ? 0 : 1, d;

                        d = prev[j] + 1;                        /* deletion */
                        if (cur[j - 1] + 1 < d)
                                d = cur[j - 1] + 1;             /* insertion */
                        if (prev[j - 1] + cost < d)
                                d = prev[j - 1] + cost;         /* substitution */
                        if (i > 1 && j > 1 &&
                            ca == tolower((unsigned char) b[j - 2]) &&
                            tolower((unsigned char) a[i - 2]) == cb &&
                            prev2[j - 2] + 1 < d)
                                d = prev2[j - 2] + 1;           /* transposition */
                        cur[j] = d;
                }

                t = prev2;
                prev2 = prev;
                prev = cur;
                cur = t;
        }

        return prev[lb];
}

/* Close enough to be worth suggesting: a few edits, and fewer than half of the candidate. */
static bool distance_acceptable(unsigned d, const char *candidate) {
        return d <= 3 && (size_t) d * 2 < strlen(candidate);
}

size_t bpf_names_suggest(const BpfNames *n, BpfKind kind, const char *name, const char **ret, size_t max) {
        const BpfNamesKind *k = names_kind(n, kind);
        unsigned best[BPF_NAMES_BITS];
        size_t found = 0, len;

        if (!k || !name || !ret || max == 0)
                return 0;
        len = strlen(name);
        if (len > SUGGEST_NAME_MAX)
                return 0;

        for (unsigned b = 0; b < BPF_NAMES_BITS; b++)
                best[b] = UINT32_MAX;

        /* Best distance per bit, over both spellings of every name of that bit, aliases included. */
        for (size_t i = 0; i < k->n_entries; i++) {
                const BpfNameEntry *e = &k->entries[i];
                const char *spellings[] = { e->kernel, e->systemd };

                for (size_t s = 0; s < ELEMENTSOF(spellings); s++) {
                        size_t l = strlen(spellings[s]);
                        unsigned d;

                        /* the distance is at least the difference in length: skip the hopeless */
                        if ((len > l ? len - l : l - len) > 3)
                                continue;
                        d = bpf_edit_distance(name, spellings[s]);

                        if (distance_acceptable(d, spellings[s]) && d < best[e->value])
                                best[e->value] = d;
                }
        }

        /* Closest first; equal distances in enum order. */
        for (unsigned d = 0; d <= 3 && found < max; d++)
                for (unsigned b = 0; b < BPF_NAMES_BITS && found < max; b++)
                        if (best[b] == d && k->canonical[b] >= 0)
                                ret[found++] = k->entries[k->canonical[b]].kernel;

        return found;
}

bool bpf_names_in_systemd_table(BpfKind kind, const char *kernel_name) {
        return bpf_names_systemd_table_bit(kind, kernel_name, NULL) >= 0;
}

int bpf_names_systemd_table_bit(BpfKind kind, const char *kernel_name, unsigned *ret_bit) {
        const BpfBuiltinTable *t = bpf_builtin_table(kind);
        unsigned position = 0;

        if (!t || !kernel_name)
                return -ENOENT;

        for (unsigned v = 0; v < t->n_names; v++) {
                bool skipped = false;

                if (!t->names[v])
                        continue;
                for (const char *const *s = t->not_in_systemd; *s; s++)
                        if (streq(*s, t->names[v]))
                                skipped = true;
                if (skipped) {
                        if (strcaseeq(kernel_name, t->names[v]))
                                return -ENOENT;
                        continue;
                }

                if (strcaseeq(kernel_name, t->names[v])) {
                        if (ret_bit)
                                *ret_bit = position;
                        return 0;
                }
                position++;
        }

        return -ENOENT;
}

bool bpf_names_known_to_kernel(const BpfNames *n, BpfKind kind, unsigned bit) {
        const BpfNamesKind *k = names_kind(n, kind);

        /* With the built-in table this is what the table knows: the kernel was not asked. */
        return k && bit < k->count && k->canonical[bit] >= 0;
}
