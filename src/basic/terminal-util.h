/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Colour on a terminal, decided as systemd's tools decide it. No logging. */

#include <stdbool.h>

#define ANSI_NORMAL           "\x1b[0m"
#define ANSI_HIGHLIGHT        "\x1b[0;1;39m"
#define ANSI_HIGHLIGHT_RED    "\x1b[0;1;31m"
#define ANSI_HIGHLIGHT_GREEN  "\x1b[0;1;32m"
#define ANSI_HIGHLIGHT_YELLOW "\x1b[0;1;38;5;185m"
#define ANSI_UNDERLINE        "\x1b[0;4m"

/* $SYSTEMD_COLORS (a boolean, or 16, 256, 24bit: on) wins; then $NO_COLOR (set: off); then colour
 * if standard output is a terminal and $TERM is not "dumb". Decided once. */
bool colors_enabled(void);

/* s if colours are enabled, else "". */
static inline const char *ansi(const char *s) {
        return colors_enabled() ? s : "";
}
