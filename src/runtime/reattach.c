/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <limits.h>

#include "log.h"
#include "macro.h"
#include "process.h"
#include "reattach.h"
#include "view-mount.h"

/* Open the mount namespace and root of the container's init while its pidfd proves it is still that process. */
static int open_container(const struct registry_entry *e, int *ret_ns_fd, int *ret_root_fd) {
        _cleanup_close_ int pidfd = -1, ns_fd = -1, root_fd = -1;
        char path[64];

        pidfd = process_open_checked(e->pid, e->start_time);
        if (pidfd < 0)
                return pidfd;

        snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int) e->pid);
        ns_fd = open(path, O_RDONLY | O_CLOEXEC);
        if (ns_fd < 0)
                return errno == ENOENT ? -ESRCH : -errno;

        snprintf(path, sizeof(path), "/proc/%d/root", (int) e->pid);
        root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return errno == ENOENT ? -ESRCH : -errno;

        /*
         * The pid cannot be reused before the process is reaped, so while it
         * is still running both descriptors are known to be its own.
         */
        if (process_exited(pidfd))
                return -ESRCH;

        *ret_ns_fd = TAKE_FD(ns_fd);
        *ret_root_fd = TAKE_FD(root_fd);
        return 0;
}

int reattach_container(const struct registry_entry *e, const char *views_dir, unsigned *ret_attached) {
        _cleanup_close_ int ns_fd = -1, root_fd = -1;
        _cleanup_(view_trees_done) struct view_trees trees = { .n = 0 };
        int results[VIEW_TREES_MAX], first_error = 0, r;
        unsigned attached = 0;

        views_dir = views_dir ?: e->views_dir;

        r = open_container(e, &ns_fd, &root_fd);
        if (r < 0)
                return log_debug_errno(r, "Container '%s' (pid %d) is not running: %m", e->id, (int) e->pid);

        r = view_trees_open(views_dir, e->targets, e->n_targets, &trees);
        if (r < 0)
                return r;

        r = view_trees_attach(&trees, ns_fd, root_fd, NULL, results);
        if (r < 0) {
                /* A container that exits meanwhile takes its mount namespace with it. */
                if (process_start_time(e->pid, &(uint64_t){ 0 }) == -ESRCH)
                        return -ESRCH;
                return log_debug_errno(r, "Failed to enter container '%s' to bind the views: %m", e->id);
        }

        for (size_t i = 0; i < trees.n; i++) {
                if (results[i] == VIEW_ATTACHED || results[i] == VIEW_ALREADY_BOUND) {
                        attached++;
                        continue;
                }
                if (results[i] == VIEW_TARGET_MISSING)
                        continue;

                log_debug_errno(results[i], "Failed to bind '%s%s' at '%s' in container '%s': %m", views_dir,
                                trees.trees[i].target, trees.trees[i].target, e->id);
                if (first_error == 0)
                        first_error = results[i];
        }

        *ret_attached = attached;
        return first_error;
}

static bool same_dir(const char *a, const char *canonical_b) {
        _cleanup_free_ char *canonical_a = realpath(a, NULL);

        return streq(a, canonical_b) || (canonical_a && streq(canonical_a, canonical_b));
}

int reattach_all(const char *views_dir, unsigned *ret_ok, unsigned *ret_failed) {
        _cleanup_free_ char *canonical = realpath(views_dir, NULL);
        struct registry_entry *entries = NULL;
        unsigned ok = 0, failed = 0;
        size_t n;
        int r;

        r = registry_list(&entries, &n);
        if (r < 0)
                return r;

        for (size_t i = 0; i < n; i++) {
                const struct registry_entry *e = &entries[i];
                unsigned attached;

                if (!same_dir(e->views_dir, canonical ?: views_dir))
                        continue;

                r = reattach_container(e, views_dir, &attached);
                if (r == -ESRCH) {
                        log_debug("Container '%s' is gone, forgetting it.", e->id);
                        (void) registry_remove(e->id);
                        continue;
                }
                if (r < 0) {
                        failed++;
                        continue;
                }

                log_debug("Reattached %u views in container '%s'.", attached, e->id);
                ok++;
        }

        registry_entries_free(entries, n);
        *ret_ok = ok;
        *ret_failed = failed;
        return 0;
}
