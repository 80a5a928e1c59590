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

int parse_views_option_only(int argc, char *argv[], const char *command, void (*print_help)(void),
                            const char **ret_views_dir) {
        enum { ARG_VIEWS = 0x100 };
        static const struct option options[] = { { "help", no_argument, NULL, 'h' },
                                                 { "views", required_argument, NULL, ARG_VIEWS },
                                                 {} };
        int c;

        /* Reset getopt, because main() already ran it over the global options. */
        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        print_help();
                        return 0;
                case ARG_VIEWS:
                        *ret_views_dir = optarg;
                        break;
                default:
                        return log_option_error(c, argv, command);
                }

        if (optind < argc) {
                log_error("Unexpected argument '%s'. See '%s --help'.", argv[optind], command);
                return EXIT_USAGE;
        }
        return 1;
}
