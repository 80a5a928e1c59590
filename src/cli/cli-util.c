/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>

#include "cli-util.h"
#include "log.h"
#include "verbs.h"

int log_option_error(int c, char *const argv[], const char *command) {
        const char *option = argv[optind - 1];
        char short_option[3] = { '-', (char) optopt, '\0' };

        /* In a cluster such as "-xv" argv[optind - 1] is the whole cluster, so name the letter. */
        if (optopt > 0 && optopt < 0x100 && !startswith(option, "--"))
                option = short_option;

        if (c == ':')
                log_error("Option '%s' requires an argument. See '%s --help'.", option, command);
        else
                log_error("Unknown option '%s'. See '%s --help'.", option, command);

        return EXIT_USAGE;
}

char *format_string(const char *format, ...) {
        va_list ap;
        char *s;
        int r;

        va_start(ap, format);
        r = vasprintf(&s, format, ap);
        va_end(ap);

        return r < 0 ? NULL : s;
}
