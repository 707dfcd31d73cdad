/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "parse-util.h"
#include "terminal-util.h"

static int decide_colors(void) {
        const char *e = secure_getenv("SYSTEMD_COLORS");

        if (e) {
                int b = parse_boolean(e);

                if (b >= 0)
                        return b;
                if (streq(e, "16") || streq(e, "256") || streq(e, "24bit"))
                        return true;
        }
        if (getenv("NO_COLOR"))
                return false;
        e = getenv("TERM");
        if (e && streq(e, "dumb"))
                return false;
        return isatty(STDOUT_FILENO) > 0;
}

bool colors_enabled(void) {
        static int cached = -1;

        if (cached < 0)
                cached = decide_colors();
        return cached;
}
