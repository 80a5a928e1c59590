/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * "procview spec add CONFIG": add the view mounts to an OCI config.json
 * before "runc create", for tools that write their own bundles. The file is
 * replaced atomically and everything else in it is kept. Running it twice
 * gives the same file, because earlier view mounts and procview hooks are
 * replaced, not repeated.
 *
 * runc 1.1 accepts bind mounts under /proc only at a fixed list of
 * destinations, which includes the seven /proc files procviewd serves.
 *
 * When procviewd listens on its seccomp socket, it also sends sysinfo(2)
 * to procviewd's agent, extending the config's seccomp profile rather than
 * replacing it.
 */
#include <fcntl.h>
#include <getopt.h>
#include <sys/stat.h>

#include "cli-util.h"
#include "fileio.h"
#include "json-util.h"
#include "seccomp-config.h"
#include "verbs.h"
#include "view-mounts.h"
#include "view-paths.h"

struct spec_options {
        const char *config;
        const char *views_dir;
        const char *seccomp_socket; /* NULL with --no-sysinfo */
        bool hook;
};

static void print_help(void) {
        printf("Usage: procview spec add CONFIG.json [--views DIR] [--no-hook] [--no-sysinfo]\n"
               "\n"
               "Add read-only bind mounts of the procview files to an OCI config.json, after\n"
               "its /proc and /sys mounts, and a createContainer hook that records the\n"
               "container for 'procview ps' and 'procview reattach'. When procviewd listens\n"
               "on its seccomp socket, add a seccomp rule that sends sysinfo() to it, keeping\n"
               "the rest of an existing seccomp profile.\n"
               "Running it again replaces what it added before.\n"
               "\n"
               "Options:\n"
               "  -h --help                 Show this help and exit\n"
               "     --views DIR            Where procviewd serves the files\n"
               "                            (default: " DEFAULT_VIEWS_DIR ")\n"
               "     --no-hook              Add only the mounts; the container is then not recorded\n"
               "     --seccomp-socket PATH  procviewd's seccomp socket, which answers sysinfo()\n"
               "                            (default: " DEFAULT_SECCOMP_SOCKET ")\n"
               "     --no-sysinfo           Leave the seccomp profile alone\n");
}

static int parse_options(int argc, char *argv[], struct spec_options *ret) {
        enum { ARG_VIEWS = 0x100, ARG_NO_HOOK, ARG_SECCOMP_SOCKET, ARG_NO_SYSINFO };
        static const struct option options[] = { { "help", no_argument, NULL, 'h' },
                                                 { "views", required_argument, NULL, ARG_VIEWS },
                                                 { "no-hook", no_argument, NULL, ARG_NO_HOOK },
                                                 { "seccomp-socket", required_argument, NULL, ARG_SECCOMP_SOCKET },
                                                 { "no-sysinfo", no_argument, NULL, ARG_NO_SYSINFO },
                                                 {} };
        bool sysinfo = true;
        int c;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        print_help();
                        return 0;
                case ARG_VIEWS:
                        ret->views_dir = optarg;
                        break;
                case ARG_NO_HOOK:
                        ret->hook = false;
                        break;
                case ARG_SECCOMP_SOCKET:
                        if (optarg[0] != '/') {
                                log_error("Invalid seccomp socket '%s': expected an absolute path.", optarg);
                                return EXIT_USAGE;
                        }
                        ret->seccomp_socket = optarg;
                        break;
                case ARG_NO_SYSINFO:
                        sysinfo = false;
                        break;
                default:
                        return log_option_error(c, argv, "procview spec");
                }

        if (optind >= argc || !streq(argv[optind], "add")) {
                log_error("Missing or unknown action: the only one is 'procview spec add CONFIG.json'.");
                return EXIT_USAGE;
        }
        if (argc - optind != 2) {
                log_error("Pass exactly one config.json to 'procview spec add'.");
                return EXIT_USAGE;
        }
        ret->config = argv[optind + 1];
        if (!sysinfo)
                ret->seccomp_socket = NULL;
        return 1;
}

/* Get the array under key in o, adding an empty one when it is missing. */
static struct json_object *get_or_add_array(struct json_object *o, const char *key) {
        struct json_object *array;

        if (json_object_object_get_ex(o, key, &array))
                return json_object_is_type(array, json_type_array) ? array : NULL;
        if (json_add(o, key, json_object_new_array()) < 0)
                return NULL;
        return json_object_object_get_ex(o, key, &array) ? array : NULL;
}

static void remove_matching(struct json_object *array, bool (*match)(struct json_object *)) {
        for (size_t i = json_object_array_length(array); i > 0; i--)
                if (match(json_object_array_get_idx(array, i - 1)))
                        json_object_array_del_idx(array, i - 1, 1);
}

static int add_hook(struct json_object *config, const char *views_dir) {
        struct json_object *hooks, *create;

        if (!json_object_object_get_ex(config, "hooks", &hooks)) {
                if (json_add(config, "hooks", json_object_new_object()) < 0)
                        return -ENOMEM;
                json_object_object_get_ex(config, "hooks", &hooks);
        }
        if (!json_object_is_type(hooks, json_type_object))
                return -EINVAL;

        create = get_or_add_array(hooks, "createContainer");
        if (!create)
                return -EINVAL;

        remove_matching(create, view_hook_is_ours);
        return json_append(create, view_hook_entry(views_dir));
}

static int add_sysinfo_rule(struct json_object *config, const struct spec_options *o) {
        struct json_object *linux_section;

        if (!json_object_object_get_ex(config, "linux", &linux_section)) {
                if (json_add(config, "linux", json_object_new_object()) < 0)
                        return log_oom();
                json_object_object_get_ex(config, "linux", &linux_section);
        }
        if (!json_object_is_type(linux_section, json_type_object))
                return log_error_errno(-EINVAL, "Invalid '%s': \"linux\" is not an object.", o->config);

        /* Unlike a missing view, a listenerPath that nobody accepts makes runc and crun reject the container. */
        if (!seccomp_socket_is_listening(o->seccomp_socket)) {
                log_warning("No procviewd listens on '%s', so the seccomp profile is left alone and sysinfo() "
                            "shows the host's values. Start procviewd and run this again, or pass --no-sysinfo.",
                            o->seccomp_socket);
                return 0;
        }

        return seccomp_config_add_sysinfo(linux_section, o->seccomp_socket, o->config);
}

/* Give the new file fd the owner in st. A user other than root can keep only their own. */
static int keep_owner(int fd, const struct stat *st) {
        if (st->st_uid == geteuid() && st->st_gid == getegid())
                return 0;
        return fchown(fd, st->st_uid, st->st_gid);
}

/* Write text to a new file next to target and rename it over target, with target's mode and owner. */
static int replace_file(const char *target, const struct stat *st, const char *text) {
        _cleanup_free_ char *temp = format_string("%s.XXXXXX", target);
        _cleanup_close_ int fd = -1;
        size_t length = strlen(text);

        if (!temp)
                return log_oom();

        fd = mkostemp(temp, O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(errno, "Failed to create a temporary file next to '%s': %m", target);

        errno = 0;
        if (write(fd, text, length) != (ssize_t) length || write(fd, "\n", 1) != 1 ||
            fchmod(fd, st->st_mode & 07777) < 0 || keep_owner(fd, st) < 0 || fsync(fd) < 0 ||
            rename(temp, target) < 0) {
                int r = log_error_errno(errno ?: EIO, "Failed to write '%s': %m", target);

                (void) unlink(temp);
                return r;
        }
        return 0;
}

/* Replace path with config. A symbolic link stays one: the file it points to gets the new config. */
static int write_config(const char *path, struct json_object *config) {
        _cleanup_free_ char *target = NULL;
        struct stat st;

        target = realpath(path, NULL);
        if (!target)
                return log_error_errno(errno, "Failed to resolve '%s': %m", path);
        if (stat(target, &st) < 0)
                return log_error_errno(errno, "Failed to read the mode of '%s': %m", target);

        return replace_file(
                target, &st,
                json_object_to_json_string_ext(config, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* Read and parse the OCI config at path. */
static int read_config(const char *path, struct json_object **ret) {
        _cleanup_free_ char *text = NULL;
        struct json_error error;
        size_t size;
        int r;

        r = read_full_file_at(AT_FDCWD, path, &text, &size);
        if (r < 0)
                return log_error_errno(r, "Failed to read the OCI config '%s': %m", path);

        r = json_parse_object(text, size, &error, ret);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_error_errno(r, "Invalid OCI config '%s': %s", path, error.message);
        return 0;
}

static int spec_add(const struct spec_options *o, const char *views_dir) {
        _cleanup_json_ struct json_object *config = NULL;
        bool selected[N_VIEW_PATHS];
        struct json_object *mounts;
        int r;

        r = read_config(o->config, &config);
        if (r < 0)
                return r;

        mounts = get_or_add_array(config, "mounts");
        if (!mounts)
                return log_error_errno(-EINVAL, "Invalid '%s': \"mounts\" is not an array.", o->config);

        /* Appended last, so they come after the /proc and /sys mounts they cover. */
        view_mounts_select(views_dir, selected);
        remove_matching(mounts, view_mount_is_view);
        if (view_mounts_append(mounts, views_dir, selected) < 0)
                return log_oom();

        if (o->hook && add_hook(config, views_dir) < 0)
                return log_error_errno(
                        -EINVAL, "Invalid '%s': \"hooks\" or \"hooks.createContainer\" has the wrong type.", o->config);

        if (o->seccomp_socket && add_sysinfo_rule(config, o) < 0)
                return -EINVAL;

        return write_config(o->config, config);
}

int verb_spec(int argc, char *argv[]) {
        struct spec_options o = { .views_dir = DEFAULT_VIEWS_DIR,
                                  .seccomp_socket = DEFAULT_SECCOMP_SOCKET,
                                  .hook = true };
        _cleanup_free_ char *views_dir = NULL;
        int r;

        r = parse_options(argc, argv, &o);
        if (r != 1)
                return r;

        views_dir = realpath(o.views_dir, NULL) ?: strdup(o.views_dir);
        if (!views_dir)
                return log_oom(), EXIT_FAILURE;
        if (views_dir[0] != '/') {
                log_error("Invalid views directory '%s': it does not exist, so it must be an absolute path.",
                          views_dir);
                return EXIT_USAGE;
        }

        return spec_add(&o, views_dir) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
