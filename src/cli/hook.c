/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * "procview hook": an OCI hook for the createContainer stage that binds the
 * views over the container's /proc files and /sys/devices/system/cpu, and
 * records the container in the registry.
 *
 * What the runtimes pass, found by running runc 1.1.5 and crun 1.8.1: both
 * run createContainer hooks from the container's init, inside the
 * container's new mount namespace before pivot_root(), so /proc is still the
 * host's procfs and ROOTFS/proc is already the container's procfs mount.
 * runc reports "pid": 1, the init's pid in its own pid namespace, and crun
 * reports "pid": 0. In both cases the hook's parent is the init, so the
 * parent (in the host's pid numbers) is taken as the init whenever the state
 * pid is 0 or equals the parent's innermost pid. Any other pid is taken as a
 * host pid, for runtimes that run the hook outside the container.
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "cli-util.h"
#include "fileio.h"
#include "oci.h"
#include "process.h"
#include "registry.h"
#include "verbs.h"
#include "view-mount.h"
#include "view-paths.h"

static void print_help(void) {
        printf("Usage: procview hook [--views DIR]\n"
               "\n"
               "OCI createContainer hook: read the container state from stdin, bind the\n"
               "procview files over the container's /proc files and /sys/devices/system/cpu\n"
               "(read-only, nosuid, nodev, noexec), and record the container for\n"
               "'procview ps' and 'procview reattach'. When procviewd is not running the\n"
               "container starts without the files, with a warning.\n"
               "\n"
               "Options:\n"
               "  -h --help        Show this help and exit\n"
               "     --views DIR   Where procviewd serves the files (default: " DEFAULT_VIEWS_DIR ")\n");
}

static int read_state(struct oci_state *ret) {
        _cleanup_free_ char *data = NULL;
        struct json_error error;
        size_t size;
        int r;

        r = read_full_fd(STDIN_FILENO, &data, &size);
        if (r < 0)
                return log_error_errno(r, "Failed to read the container state from stdin: %m");

        r = oci_state_parse(data, size, &error, ret);
        if (r < 0)
                return log_error_errno(r, "Failed to parse the container state on stdin: %s.", error.message);
        return 0;
}

/* The root file system from BUNDLE/config.json, made absolute. */
static int read_rootfs(const char *bundle, char **ret) {
        _cleanup_(oci_config_done) struct oci_config config = {};
        _cleanup_free_ char *path = format_string("%s/config.json", bundle), *data = NULL;
        struct json_error error;
        char *rootfs;
        size_t size;
        int r;

        if (!path)
                return log_oom();

        r = read_full_file_at(AT_FDCWD, path, &data, &size);
        if (r < 0)
                return log_error_errno(r, "Failed to read '%s': %m", path);

        r = oci_config_parse(data, size, &error, &config);
        if (r < 0)
                return log_error_errno(r, "Failed to parse '%s': %s.", path, error.message);

        rootfs = config.root_path[0] == '/' ? strdup(config.root_path)
                                            : format_string("%s/%s", bundle, config.root_path);
        if (!rootfs)
                return log_oom();

        *ret = rootfs;
        return 0;
}

static int find_container_init(pid_t state_pid, pid_t *ret) {
        pid_t parent, parent_inner;
        int r;

        r = process_parent(0, &parent);
        if (r < 0)
                return log_error_errno(r, "Failed to read the parent of the hook: %m");

        if (state_pid == 0 || (process_innermost_pid(parent, &parent_inner) >= 0 && parent_inner == state_pid)) {
                *ret = parent;
                return 0;
        }

        *ret = state_pid;
        return 0;
}

/* Set *ret_fd to a descriptor of pid's mount namespace, or -1 when the hook runs in it already. */
static int open_other_mount_namespace(pid_t pid, int *ret_fd) {
        _cleanup_close_ int fd = -1;
        struct stat own, other;
        char path[64];

        snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int) pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(errno, "Failed to open '%s': %m", path);

        if (fstat(fd, &other) < 0 || stat("/proc/self/ns/mnt", &own) < 0)
                return log_error_errno(errno, "Failed to compare mount namespaces: %m");

        *ret_fd = own.st_dev == other.st_dev && own.st_ino == other.st_ino ? -1 : TAKE_FD(fd);
        return 0;
}

static int open_process_root(pid_t pid, int *ret_fd) {
        char path[64];
        int fd;

        snprintf(path, sizeof(path), "/proc/%d/root", (int) pid);
        fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(errno, "Failed to open '%s': %m", path);

        *ret_fd = fd;
        return 0;
}

static int record_container(const struct oci_state *s, pid_t init, const char *rootfs, const char *views_dir,
                            const struct view_trees *trees, const int results[]) {
        char *targets[VIEW_TREES_MAX];
        struct registry_entry e = {
                .id = s->id,
                .pid = init,
                .rootfs = (char *) rootfs,
                .views_dir = (char *) views_dir,
                .targets = targets,
        };
        int r;

        for (size_t i = 0; i < trees->n; i++)
                if (results[i] == VIEW_ATTACHED || results[i] == VIEW_ALREADY_BOUND)
                        targets[e.n_targets++] = trees->trees[i].target;
        if (e.n_targets == 0)
                return 0;

        r = process_start_time(init, &e.start_time);
        if (r < 0)
                return log_warning_errno(r,
                                         "Failed to read the start time of process %d, not recording container "
                                         "'%s': %m",
                                         (int) init, s->id);

        r = registry_save(&e);
        if (r < 0)
                return log_warning_errno(r, "Failed to record container '%s' in '%s': %m", s->id, REGISTRY_DIR);
        return 0;
}

/* Returns 0, or a negative errno after logging when a view could not be bound. */
static int report_results(const char *id, const struct view_trees *trees, const int results[]) {
        int first_error = 0;

        for (size_t i = 0; i < trees->n; i++) {
                const char *target = trees->trees[i].target;

                if (results[i] == VIEW_TARGET_MISSING)
                        log_debug("Container '%s' has no '%s', skipping it.", id, target);
                else if (results[i] == VIEW_ALREADY_BOUND)
                        log_debug("'%s' in container '%s' is bound already.", target, id);
                else if (results[i] < 0) {
                        log_error_errno(results[i], "Failed to bind the procview file over '%s' in container '%s': %m",
                                        target, id);
                        first_error = first_error ?: results[i];
                }
        }
        return first_error;
}

int verb_hook(int argc, char *argv[]) {
        _cleanup_(oci_state_done) struct oci_state s = {};
        _cleanup_(view_trees_done) struct view_trees trees = { .n = 0 };
        _cleanup_free_ char *rootfs = NULL, *views_dir = NULL;
        const char *views_option = DEFAULT_VIEWS_DIR;
        _cleanup_close_ int ns_fd = -1, root_fd = -1;
        int results[VIEW_TREES_MAX];
        pid_t init = 0;
        int r;

        r = parse_views_option_only(argc, argv, "procview hook", print_help, &views_option);
        if (r != 1)
                return r;

        if (read_state(&s) < 0)
                return EXIT_FAILURE;

        views_dir = realpath(views_option, NULL) ?: strdup(views_option);
        if (!views_dir)
                return log_oom(), EXIT_FAILURE;

        /* Fail open: a container must still start while procviewd is stopped or restarting. */
        r = view_trees_open(views_dir, NULL, 0, &trees);
        if (r < 0) {
                log_warning_errno(r,
                                  "The procview files are not mounted at '%s' (%m). Container '%s' starts "
                                  "without them; start the daemon with 'procviewd %s'.",
                                  views_dir, s.id, views_dir);
                return EXIT_SUCCESS;
        }

        if (read_rootfs(s.bundle, &rootfs) < 0 || find_container_init(s.pid, &init) < 0)
                return EXIT_FAILURE;

        if (open_other_mount_namespace(init, &ns_fd) < 0)
                return EXIT_FAILURE;

        /* Run by hand on a running container, the bundle's rootfs is gone from its namespace after pivot_root(). */
        if (ns_fd >= 0 && open_process_root(init, &root_fd) < 0)
                return EXIT_FAILURE;

        r = view_trees_attach(&trees, ns_fd, root_fd, rootfs, results);
        if (r == -ELOOP) {
                log_error("Refusing to bind the procview files in container '%s': a path below '%s/proc' or "
                          "'%s/sys' is a symbolic link, which could point at a host file.",
                          s.id, rootfs, rootfs);
                return EXIT_FAILURE;
        }
        if (r < 0) {
                log_error_errno(r, "Failed to enter the root '%s' of container '%s': %m", rootfs, s.id);
                return EXIT_FAILURE;
        }

        r = report_results(s.id, &trees, results);
        (void) record_container(&s, init, rootfs, views_dir, &trees, results);

        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
