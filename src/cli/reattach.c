/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * "procview reattach": bind fresh views into running containers after
 * procviewd was restarted, replacing the dead mounts the old daemon left
 * ("Transport endpoint is not connected"). procviewd does the same for all
 * its containers when it starts; this verb is for doing it by hand.
 */
#include <getopt.h>

#include "cli-util.h"
#include "reattach.h"
#include "registry.h"
#include "verbs.h"
#include "view-paths.h"
#include "views.h"

struct reattach_options {
        bool all;
        const char *views_dir; /* NULL: each record's own */
        char **ids;
        int n_ids;
};

static void print_help(void) {
        printf("Usage: procview reattach [--views DIR] --all\n"
               "       procview reattach [--views DIR] ID...\n"
               "\n"
               "Bind the procview files again inside running containers, after procviewd\n"
               "was restarted and their views fail with 'Transport endpoint is not\n"
               "connected'. Containers that have exited are forgotten.\n"
               "\n"
               "Options:\n"
               "  -h --help        Show this help and exit\n"
               "     --all         Every recorded container whose views come from DIR\n"
               "     --views DIR   Where procviewd serves the files (default with --all:\n"
               "                   " DEFAULT_VIEWS_DIR "; with IDs: where each container's\n"
               "                   views came from)\n");
}

static int parse_options(int argc, char *argv[], struct reattach_options *ret) {
        enum { ARG_VIEWS = 0x100, ARG_ALL };
        static const struct option options[] = { { "help", no_argument, NULL, 'h' },
                                                 { "all", no_argument, NULL, ARG_ALL },
                                                 { "views", required_argument, NULL, ARG_VIEWS },
                                                 {} };
        int c;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        print_help();
                        return 0;
                case ARG_ALL:
                        ret->all = true;
                        break;
                case ARG_VIEWS:
                        ret->views_dir = optarg;
                        break;
                default:
                        return log_option_error(c, argv, "procview reattach");
                }

        ret->ids = argv + optind;
        ret->n_ids = argc - optind;
        if (ret->all == (ret->n_ids > 0)) {
                log_error("Pass either --all or container IDs. See 'procview reattach --help'.");
                return EXIT_USAGE;
        }
        return 1;
}

/* Returns 0 when the container's views work again or it is gone, a negative errno otherwise. */
static int reattach_one(struct registry_entry *e, const char *views_dir) {
        unsigned attached;
        int r;

        r = reattach_container(e, views_dir, &attached);
        if (r == -ESRCH) {
                log_info("Container '%s' has exited; forgetting it.", e->id);
                (void) registry_remove(e->id);
                return 0;
        }
        if (r < 0)
                return log_error_errno(r, "Failed to reattach the views of container '%s' from '%s': %m", e->id,
                                       views_dir ?: e->views_dir);

        printf("%s: %u views reattached\n", e->id, attached);

        /* Keep the record pointing at the mount the views now come from. */
        if (views_dir && !streq(views_dir, e->views_dir)) {
                free(e->views_dir);
                e->views_dir = strdup(views_dir);
                if (e->views_dir)
                        (void) registry_save(e);
        }
        return 0;
}

static int reattach_listed(char **ids, int n_ids, const char *views_dir) {
        int result = 0;

        for (int i = 0; i < n_ids; i++) {
                _cleanup_(registry_entry_done) struct registry_entry e = {};
                int r;

                r = registry_load(ids[i], &e);
                if (r < 0) {
                        log_error_errno(r, "Container '%s' is not recorded in '%s': %m", ids[i], REGISTRY_DIR);
                        result = r;
                        continue;
                }

                r = reattach_one(&e, views_dir);
                if (r < 0)
                        result = r;
        }
        return result;
}

static int reattach_every(const char *views_dir) {
        struct registry_entry *entries = NULL;
        int result = 0;
        size_t n;
        int r;

        r = registry_list(&entries, &n);
        if (r < 0)
                return log_error_errno(r, "Failed to read the registry '%s': %m", REGISTRY_DIR);

        for (size_t i = 0; i < n; i++) {
                if (!streq(entries[i].views_dir, views_dir))
                        continue;
                r = reattach_one(&entries[i], NULL);
                if (r < 0)
                        result = r;
        }

        registry_entries_free(entries, n);
        return result;
}

int verb_reattach(int argc, char *argv[]) {
        struct reattach_options o = {};
        _cleanup_free_ char *views_dir = NULL;
        int r;

        r = parse_options(argc, argv, &o);
        if (r != 1)
                return r;

        if (o.all && !o.views_dir)
                o.views_dir = DEFAULT_VIEWS_DIR;
        if (o.views_dir) {
                views_dir = realpath(o.views_dir, NULL) ?: strdup(o.views_dir);
                if (!views_dir)
                        return log_oom(), EXIT_FAILURE;
                if (views_check_mounted(views_dir, NULL) < 0)
                        return EXIT_FAILURE;
        }

        r = o.all ? reattach_every(views_dir) : reattach_listed(o.ids, o.n_ids, views_dir);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
