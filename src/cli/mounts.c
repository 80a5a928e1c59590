/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * "procview mounts": print the bind mounts of the views for tools that start
 * containers themselves, Docker and Podman (as -v flags) or any OCI runtime
 * (as the "mounts" entries of config.json).
 */
#include <ctype.h>
#include <getopt.h>

#include "cli-util.h"
#include "json-util.h"
#include "verbs.h"
#include "view-mounts.h"
#include "view-paths.h"

enum mounts_format {
        FORMAT_NONE,
        FORMAT_VOLUME_FLAGS,
        FORMAT_OCI,
};

static void print_help(void) {
        printf("Usage: procview mounts --docker|--podman|--oci [--views DIR]\n"
               "\n"
               "Print the bind mounts that put the procview files into a container:\n"
               "  --docker, --podman  one line of '-v SRC:DST:ro' flags, to paste or to use\n"
               "                      as: docker run $(procview mounts --docker) IMAGE\n"
               "  --oci               a JSON array of mounts for an OCI config.json; put\n"
               "                      them after the /proc and /sys mounts\n"
               "\n"
               "Options:\n"
               "  -h --help        Show this help and exit\n"
               "     --views DIR   Where procviewd serves the files (default: " DEFAULT_VIEWS_DIR ")\n");
}

static int parse_options(int argc, char *argv[], enum mounts_format *ret_format, const char **ret_views_dir) {
        enum { ARG_DOCKER = 0x100, ARG_PODMAN, ARG_OCI, ARG_VIEWS };
        static const struct option options[] = { { "help", no_argument, NULL, 'h' },
                                                 { "docker", no_argument, NULL, ARG_DOCKER },
                                                 { "podman", no_argument, NULL, ARG_PODMAN },
                                                 { "oci", no_argument, NULL, ARG_OCI },
                                                 { "views", required_argument, NULL, ARG_VIEWS },
                                                 {} };
        int c;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, "+:h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        print_help();
                        return 0;
                case ARG_DOCKER:
                case ARG_PODMAN:
                        *ret_format = FORMAT_VOLUME_FLAGS;
                        break;
                case ARG_OCI:
                        *ret_format = FORMAT_OCI;
                        break;
                case ARG_VIEWS:
                        *ret_views_dir = optarg;
                        break;
                default:
                        return log_option_error(c, argv, "procview mounts");
                }

        if (optind < argc) {
                log_error("Unexpected argument '%s'. See 'procview mounts --help'.", argv[optind]);
                return EXIT_USAGE;
        }
        if (*ret_format == FORMAT_NONE) {
                log_error("Missing output format: pass --docker, --podman or --oci.");
                return EXIT_USAGE;
        }
        return 1;
}

/* Docker and Podman take the same flag. Docker's -v has no nosuid or nodev option, so only ":ro" is portable. */
static void print_volume_flags(const char *views_dir, const bool selected[]) {
        const char *separator = "";

        for (size_t i = 0; i < n_view_paths; i++) {
                if (!selected[i])
                        continue;
                printf("%s-v %s/%s:/%s:ro", separator, views_dir, view_paths[i], view_paths[i]);
                separator = " ";
        }
        printf("\n");
}

static int print_oci(const char *views_dir, const bool selected[]) {
        _cleanup_json_ struct json_object *mounts = json_object_new_array();

        if (!mounts || view_mounts_append(mounts, views_dir, selected) < 0)
                return log_oom();

        printf("%s\n",
               json_object_to_json_string_ext(mounts, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        return 0;
}

/*
 * Return the first character of path that the volume flags cannot carry, or 0.
 * The flags are meant for an unquoted $(...), which splits at whitespace and
 * expands glob characters, and -v takes ':' as its separator.
 */
static char volume_flag_unsafe_char(const char *path) {
        for (const char *p = path; *p; p++)
                if (isspace((unsigned char) *p) || strchr(":*?[]'\"\\$`", *p))
                        return *p;
        return 0;
}

int verb_mounts(int argc, char *argv[]) {
        enum mounts_format format = FORMAT_NONE;
        const char *views_option = DEFAULT_VIEWS_DIR;
        _cleanup_free_ char *views_dir = NULL;
        bool selected[N_VIEW_PATHS];
        int r;

        r = parse_options(argc, argv, &format, &views_option);
        if (r != 1)
                return r;

        views_dir = realpath(views_option, NULL) ?: strdup(views_option);
        if (!views_dir)
                return log_oom(), EXIT_FAILURE;
        if (views_dir[0] != '/') {
                log_error("Invalid views directory '%s': it does not exist, so it must be an absolute path.",
                          views_dir);
                return EXIT_USAGE;
        }

        if (format == FORMAT_VOLUME_FLAGS && volume_flag_unsafe_char(views_dir)) {
                log_error("Invalid views directory '%s' for -v flags: it contains '%c', which the flags cannot "
                          "carry. Serve the views from a path without it, or use --oci.",
                          views_dir, volume_flag_unsafe_char(views_dir));
                return EXIT_USAGE;
        }

        view_mounts_select(views_dir, selected);

        if (format == FORMAT_VOLUME_FLAGS)
                print_volume_flags(views_dir, selected);
        else if (print_oci(views_dir, selected) < 0)
                return EXIT_FAILURE;
        return EXIT_SUCCESS;
}
