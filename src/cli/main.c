/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Entry point of the procview command line: global options and the table
 * that dispatches to one function per subcommand. A new subcommand needs a
 * line in verbs[] and its own source file.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli-util.h"
#include "log.h"
#include "macro.h"
#include "verbs.h"

struct verb {
        const char *name;
        const char *summary;
        int (*run)(int argc, char *argv[]);
};

static const struct verb verbs[] = {
        { "run", "Start a container with the procview files bind-mounted", verb_run },
        { "hook", "OCI createContainer hook that binds the files into a container", verb_hook },
        { "spec", "Add the file mounts to an OCI config.json ('spec add')", verb_spec },
        { "mounts", "Print the file mounts for docker, podman or config.json", verb_mounts },
        { "ps", "List the containers that have the files bound", verb_ps },
        { "reattach", "Bind the files again after procviewd was restarted", verb_reattach },
};

static void print_help(void) {
        printf("Usage: procview [OPTIONS] COMMAND [ARGS...]\n"
               "\n"
               "Start containers whose /proc files show their own cgroup limits.\n"
               "\n"
               "Commands:\n");

        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                printf("  %-10s %s\n", verbs[i].name, verbs[i].summary);

        printf("\n"
               "Options:\n"
               "  -h --help     Show this help and exit\n"
               "     --version  Show the version and exit\n"
               "\n"
               "Run 'procview COMMAND --help' for the options of a command.\n");
}

static const struct verb *find_verb(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verbs[i].name, name))
                        return &verbs[i];
        return NULL;
}

enum {
        ARG_VERSION = 0x100,
};

/* Returns 1 to go on with a subcommand at argv[optind], 0 to exit successfully, or EXIT_USAGE. */
static int parse_global_options(int argc, char *argv[]) {
        static const struct option options[] = { { "help", no_argument, NULL, 'h' },
                                                 { "version", no_argument, NULL, ARG_VERSION },
                                                 {} };
        int c;

        /* "+" stops at the subcommand, so its own options are left for it. */
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+:h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        print_help();
                        return 0;
                case ARG_VERSION:
                        printf("procview %s\n", PROCVIEW_VERSION);
                        return 0;
                default:
                        return log_option_error(c, argv, "procview");
                }

        if (optind >= argc) {
                log_error("Missing command. See 'procview --help'.");
                return EXIT_USAGE;
        }

        return 1;
}

int main(int argc, char *argv[]) {
        const struct verb *verb;
        int r;

        log_set_program("procview");

        r = parse_global_options(argc, argv);
        if (r != 1)
                return r;

        verb = find_verb(argv[optind]);
        if (!verb) {
                log_error("Unknown command '%s'. See 'procview --help'.", argv[optind]);
                return EXIT_USAGE;
        }

        return verb->run(argc - optind, argv + optind);
}
