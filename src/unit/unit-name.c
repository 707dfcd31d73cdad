/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "unit-name.h"

#define UNIT_NAME_CHARS "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ:-_.\\"

static const char *const unit_types[] = {
        "service", "socket", "target", "device", "mount", "automount",
        "swap", "timer", "path", "slice", "scope",
};

bool unit_type_is_valid(const char *t) {
        for (size_t i = 0; i < ELEMENTSOF(unit_types); i++)
                if (streq(unit_types[i], t))
                        return true;
        return false;
}

UnitNameKind unit_name_classify(const char *n) {
        const char *dot, *at;
        size_t l;

        if (!n)
                return UNIT_NAME_INVALID;
        l = strlen(n);
        if (l == 0 || l > UNIT_NAME_MAX)
                return UNIT_NAME_INVALID;
        dot = strrchr(n, '.');
        if (!dot || dot == n || !unit_type_is_valid(dot + 1))
                return UNIT_NAME_INVALID;

        at = memchr(n, '@', (size_t) (dot - n));
        if (!at) {
                if (strspn(n, UNIT_NAME_CHARS) < (size_t) (dot - n))
                        return UNIT_NAME_INVALID;
                return UNIT_NAME_PLAIN;
        }
        if (at == n || strspn(n, UNIT_NAME_CHARS) != (size_t) (at - n))
                return UNIT_NAME_INVALID;
        if (at + 1 == dot)
                return UNIT_NAME_TEMPLATE;
        if (strspn(at + 1, UNIT_NAME_CHARS "@") < (size_t) (dot - at - 1))
                return UNIT_NAME_INVALID;
        return UNIT_NAME_INSTANCE;
}

bool unit_name_is_valid(const char *n) {
        return unit_name_classify(n) != UNIT_NAME_INVALID;
}

const char *unit_name_type(const char *n) {
        return strrchr(n, '.') + 1;
}

char *unit_name_template(const char *n) {
        const char *at = strchr(n, '@'), *dot = strrchr(n, '.');
        char *t;

        if (asprintf(&t, "%.*s%s", (int) (at - n + 1), n, dot) < 0)
                return NULL;
        return t;
}

const char *unit_name_instance(const char *n, size_t *ret_len) {
        const char *at = strchr(n, '@'), *dot = strrchr(n, '.');

        *ret_len = (size_t) (dot - at - 1);
        return at + 1;
}

char *unit_name_replace_instance(const char *template, const char *instance_of) {
        const char *at = strchr(template, '@'), *inst;
        size_t li;
        char *t;

        inst = unit_name_instance(instance_of, &li);
        if (asprintf(&t, "%.*s%.*s%s", (int) (at - template + 1), template, (int) li, inst,
                     strrchr(template, '.')) < 0)
                return NULL;
        return t;
}

bool unit_name_matches(const char *pattern, const char *unit) {
        _cleanup_(freep) char *t = NULL;

        if (!pattern || !unit)
                return false;
        if (streq(pattern, unit))
                return true;
        if (unit_name_classify(pattern) != UNIT_NAME_TEMPLATE || unit_name_classify(unit) != UNIT_NAME_INSTANCE)
                return false;
        t = unit_name_template(unit);
        return t && streq(t, pattern);
}

const char *unit_name_exec_section(const char *n) {
        static const struct {
                const char *type, *section;
        } t[] = {
                { "service", "Service" },
                { "socket",  "Socket"  },
                { "mount",   "Mount"   },
                { "swap",    "Swap"    },
        };

        if (!unit_name_is_valid(n))
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(t); i++)
                if (streq(unit_name_type(n), t[i].type))
                        return t[i].section;
        return NULL;
}

int unit_name_from_argument(const char *arg, char **ret) {
        char *n;

        if (!arg || !ret)
                return -EINVAL;
        if (unit_name_is_valid(arg))
                n = strdup(arg);
        else if (asprintf(&n, "%s.service", arg) < 0)
                n = NULL;
        if (!n)
                return -ENOMEM;
        if (!unit_name_is_valid(n)) {
                free(n);
                return -EINVAL;
        }
        *ret = n;
        return 0;
}
