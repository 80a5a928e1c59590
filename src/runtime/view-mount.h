/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Binding the views into a running or starting container with the new mount
 * API (Linux 5.12 for mount_setattr()): each view is cloned from the
 * procviewd mount in the caller's mount namespace with open_tree(), made
 * read-only, nosuid, nodev and noexec while it is still detached, and then
 * attached with move_mount() by a child process that has joined the
 * container's mount namespace. So the container needs no shared mount
 * propagation and no mount binary, and the daemon may be multithreaded: the
 * child makes system calls only.
 *
 * Targets are resolved inside the container's root without following any
 * symbolic link, so a root file system cannot redirect a bind onto a host
 * file.
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* More views than procviewd serves, so the child can keep per-view state on its stack. */
#define VIEW_TREES_MAX 16

struct view_tree {
        char *target; /* absolute path inside the container, such as "/proc/meminfo" */
        int fd; /* detached clone from open_tree(), -1 once closed */
};

struct view_trees {
        struct view_tree trees[VIEW_TREES_MAX];
        size_t n;
        dev_t dev; /* st_dev of the procviewd mount, to recognize views bound already */
};

void view_trees_done(struct view_trees *t);

/*
 * Clone the views under views_dir that targets names (absolute paths inside
 * the container; NULL for every view procviewd serves). Views missing from
 * views_dir are left out. Returns -ENOTCONN when views_dir is not a live
 * procviewd mount.
 */
int view_trees_open(const char *views_dir, char *const *targets, size_t n_targets, struct view_trees *ret);

/* Outcome of one view in view_trees_attach(), or a negative errno. */
enum {
        VIEW_ATTACHED = 0,
        VIEW_ALREADY_BOUND = 1, /* a view of the same procviewd mount is there already */
        VIEW_TARGET_MISSING = 2, /* the container has no such file, so nothing was bound */
};

/*
 * Attach the trees in the mount namespace ns_fd (-1 for the caller's own),
 * resolving targets in root_path (looked up after joining ns_fd), or in the
 * directory root_fd when root_path is NULL or missing in that namespace, as
 * a bundle's rootfs is once the container has called pivot_root(). Dead FUSE mounts found on a target
 * (stat fails with ENOTCONN after a daemon restart) are detached first.
 * results[i] receives the outcome of t->trees[i].
 *
 * Returns -ELOOP without mounting anything when the path to any target
 * contains a symbolic link, and another negative errno when the child
 * could not join the namespace or the root.
 */
int view_trees_attach(struct view_trees *t, int ns_fd, int root_fd, const char *root_path, int results[]);

/* State of one bound view, as "procview ps" shows it. */
enum view_state {
        VIEW_STATE_OK, /* a live procviewd mount serves it */
        VIEW_STATE_STALE, /* the procviewd that served it is gone: stat fails with ENOTCONN */
        VIEW_STATE_UNBOUND, /* the target is the container's own file again */
        VIEW_STATE_MISSING, /* the container has no such path */
};

/* Look at target inside the container whose root directory is root_fd, from any mount namespace. */
enum view_state view_target_state(int root_fd, const char *target);
