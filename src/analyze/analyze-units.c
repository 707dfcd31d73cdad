/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "analyze.h"
#include "log.h"
int verb_units(int argc, char *argv[]) {
        return log_error_errno(-EOPNOTSUPP, "not yet");
}
