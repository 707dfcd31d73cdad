/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * verify's check of one BPFDelegate*= value: unknown names (with suggestions), hex mixed with names,
 * spellings native systemd would not take (analyze-checks.c runs it).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze-unit.h"
#include "macro.h"

/* How a value is written, beyond its names. */
typedef struct ValueSyntax {
        bool space, colon, hex, invert, not_native;
} ValueSyntax;

/* Skips leading whitespace and then a '~', if there is one; *ret_invert says whether there was. */
static const char *skip_invert(const char *v, bool *ret_invert) {
        while (*v && isspace((unsigned char) *v))
                v++;
        *ret_invert = *v == '~';
        return *ret_invert ? v + 1 : v;
}

static bool is_separator(char c) {
        return c == ',' || c == ':' || isspace((unsigned char) c);
}

/* One name of a BPFDelegate*= value: unknown (with suggestions), or one native systemd reads
 * differently. 1 if an error about the name was reported. */
static int check_value_name(const UnitSetting *s, const BpfNames *names, BpfKind kind, const char *item, bool native,
                            Findings *f, bool *not_native) {
        const char *key = bpf_kind_directive(kind);
        int r;

        BpfNameMatch m = 0;
        unsigned bit, sbit;

        if (bpf_names_lookup_full(names, kind, item, &bit, &m) < 0) {
                const char *sugg[3];
                size_t n = bpf_names_suggest(names, kind, item, sugg, ELEMENTSOF(sugg));
                bool camel = strncmp(item, "BPF", 3) == 0;
                char hint[256] = "";

                for (size_t i = 0; i < n; i++) {
                        unsigned b;
                        const char *sn = sugg[i];

                        if (camel && bpf_names_lookup(names, kind, sugg[i], &b) >= 0)
                                sn = bpf_names_systemd(names, kind, b) ?: sugg[i];
                        snprintf(hint + strlen(hint), sizeof hint - strlen(hint), "%s'%s'",
                                 i == 0 ? "" : (i + 1 == n ? " or " : ", "), sn);
                }
                r = findings_add(f, SEVERITY_ERROR, "unknown-name", s->file, s->line,
                                 "Unknown %s '%s' in %s=.%s%s%s Run 'bpftoken-analyze names %s' for the full list.",
                                 bpf_kind_noun(kind), item, key,
                                 n > 0 ? " Did you mean " : "", hint, n > 0 ? "?" : "",
                                 bpf_kind_to_string(kind));
                if (r < 0)
                        return r;
                return 1;
        }

        if (!(m & BPF_NAME_MATCH_SYSTEMD) || (m & (BPF_NAME_MATCH_CASE_DIFFERS | BPF_NAME_MATCH_ALIAS)))
                *not_native = true;
        if (bpf_names_systemd_table_bit(kind, bpf_names_kernel(names, kind, bit) ?: item, &sbit) < 0) {
                r = findings_add(f, native ? SEVERITY_ERROR : SEVERITY_WARNING, "not-in-systemd",
                                 s->file, s->line,
                                 "%s=: systemd >= 258 does not know '%s' and ignores it%s.",
                                 key, item,
                                 native ? "; this unit gets no such delegation" :
                                          "; bpftoken delegates it, but native systemd will not");
                if (r < 0)
                        return r;
        } else if (sbit != bit) {
                const char *other = bpf_names_kernel(names, kind, sbit);

                r = findings_add(f, native ? SEVERITY_ERROR : SEVERITY_WARNING, "systemd-bit-mismatch",
                                 s->file, s->line,
                                 "%s=: systemd >= 258 sets bit %u (%s) for '%s', not bit %u: natively "
                                 "the unit gets %s instead.",
                                 key, sbit, other ?: "?", item, bit, other ?: "another type");
                if (r < 0)
                        return r;
        }
        return 0;
}

static int report_syntax(const UnitSetting *s, const BpfNames *names, BpfKind kind, uint64_t mask,
                         const ValueSyntax *x, bool reported, bool native, bool version_known, Findings *f) {
        _cleanup_(freep) char *fixed = NULL, *advice = NULL;
        const char *key = bpf_kind_directive(kind);
        const char *what = x->space ? "separates names with spaces" :
                           x->colon ? "separates names with ':'" :
                           x->hex ? "is a hex mask" :
                           x->invert ? "uses '~'" : "uses names in a spelling other than systemd's";
        const char *code = x->space ? "space-separated" : "non-systemd-syntax";
        int r;

        /* The corrected value, when the value itself parsed. */
        if (!reported) {
                if (delegation_format(names, kind, mask, DELEGATION_STYLE_SYSTEMD, &fixed) < 0)
                        return -ENOMEM;
                if (asprintf(&advice, " Write %s=%s.", key, fixed) < 0)
                        return -ENOMEM;
        }
        if (native)
                r = findings_add(f, SEVERITY_ERROR, code, s->file, s->line,
                                 "%s= %s: systemd >= 258 accepts only comma-separated CamelCase names "
                                 "or 'any', and silently ignores the rest, so this unit gets %s.%s",
                                 key, what, x->space ? "none of these names" : "less than written",
                                 advice ?: " Use comma-separated CamelCase names (see 'bpftoken-analyze names').");
        else
                r = findings_add(f, SEVERITY_WARNING, code, s->file, s->line,
                                 "%s= %s: bpftoken accepts it, but systemd >= 258 (which serves "
                                 "PrivateBPF= natively) would silently ignore %s.%s%s",
                                 key, what, x->space ? "these names" : "it",
                                 advice ?: " Use comma-separated CamelCase names (see 'bpftoken-analyze names').",
                                 version_known ? "" : " (The systemd version could not be told.)");
        return r < 0 ? r : 0;
}

/* Looks at each item of one BPFDelegate*= value: unknown names (with suggestions), hex mixed
 * with names, spellings native systemd would not take. */
int unit_bpf_check_value(const UnitBpf *u, const BpfNames *names, BpfKind kind, bool native, bool version_known,
                         Findings *f) {
        const UnitSetting *s = u->model.delegate[kind];
        const char *key = bpf_kind_directive(kind), *v = s->value, *p;
        ValueSyntax syntax = {};
        bool has_name = false, reported = false;
        DelegationDiag diag = {};
        uint64_t mask = 0;
        int r;

        p = skip_invert(v, &syntax.invert);

        while (*p) {
                char item[DELEGATION_ITEM_MAX + 1];
                const char *start;
                size_t l;

                while (*p && is_separator(*p)) {
                        if (*p == ':')
                                syntax.colon = true;
                        p++;
                }
                if (!*p)
                        break;
                start = p;
                while (*p && !is_separator(*p))
                        p++;
                l = (size_t) (p - start);
                /* whitespace between two items */
                {
                        const char *q = p;
                        bool space = false;

                        while (*q && is_separator(*q)) {
                                if (isspace((unsigned char) *q))
                                        space = true;
                                q++;
                        }
                        if (space && *q && !memchr(p, ',', (size_t) (q - p)))
                                syntax.space = true;
                }
                if (l > DELEGATION_ITEM_MAX)
                        continue; /* delegation_parse_list() reports it */
                memcpy(item, start, l);
                item[l] = '\0';

                if (strncasecmp(item, "0x", 2) == 0) {
                        syntax.hex = true;
                        continue;
                }
                if (strcaseeq(item, "any")) {
                        if (!streq(item, "any"))
                                syntax.not_native = true;
                        continue;
                }
                if (isdigit((unsigned char) item[0]))
                        continue; /* decimal: delegation_parse_list() reports it */

                has_name = true;
                r = check_value_name(s, names, kind, item, native, f, &syntax.not_native);
                if (r < 0)
                        return r;
                if (r > 0)
                        reported = true;
        }

        bool hex_mixed = syntax.hex && has_name;
        if (hex_mixed) {
                r = findings_add(f, SEVERITY_ERROR, "hex-mixed", s->file, s->line,
                                 "%s= mixes a hex mask with names. Inside a name list the kernel lets a number "
                                 "overwrite the bits named before it; write either one hex mask or names only.", key);
                if (r < 0)
                        return r;
                reported = true;
        }

        r = delegation_parse_list(names, kind, v, &mask, &diag);
        if (r < 0 && !reported) {
                r = findings_add(f, SEVERITY_ERROR, "invalid-value", s->file, s->line, "%s=: %s", key,
                                 isempty(diag.error) ? "the value cannot be parsed." : diag.error);
                if (r < 0)
                        return r;
                reported = true;
        } else if (r < 0)
                reported = true;
        else if (!isempty(diag.warning)) {
                r = findings_add(f, SEVERITY_WARNING, "duplicate-name", s->file, s->line, "%s=: %s", key, diag.warning);
                if (r < 0)
                        return r;
        }

        if (!hex_mixed && (syntax.space || syntax.colon || syntax.hex || syntax.invert || syntax.not_native))
                return report_syntax(s, names, kind, mask, &syntax, reported, native, version_known, f);
        return 0;
}

