/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include "log.h"
#include "macro.h"
#include "view-mount.h"
#include "view-paths.h"

/* Dead mounts stacked on one target that are detached before giving up. */
#define MAX_STACKED_MOUNTS 16

void view_trees_done(struct view_trees *t) {
        for (size_t i = 0; i < t->n; i++) {
                free(t->trees[i].target);
                if (t->trees[i].fd >= 0)
                        close(t->trees[i].fd);
        }
        t->n = 0;
}

static int clone_view(int dir_fd, const char *target, struct view_tree *ret) {
        struct mount_attr attr = {
                .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
        };
        _cleanup_close_ int fd = -1;
        char *copy;

        /* target is absolute inside the container and relative to the mount point. */
        fd = open_tree(dir_fd, target + 1, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (fd < 0)
                return -errno;

        if (mount_setattr(fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
                return -errno;

        copy = strdup(target);
        if (!copy)
                return -ENOMEM;

        *ret = (struct view_tree){ .target = copy, .fd = TAKE_FD(fd) };
        return 0;
}

static int open_views_dir(const char *views_dir, dev_t *ret_dev) {
        _cleanup_close_ int fd = -1;
        struct statfs sfs;
        struct stat st;

        fd = open(views_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;

        /* A dead FUSE mount fails with ENOTCONN here. */
        if (fstatfs(fd, &sfs) < 0)
                return -errno;
        if ((unsigned long) sfs.f_type != FUSE_SUPER_MAGIC)
                return -ENOTCONN;

        if (fstat(fd, &st) < 0)
                return -errno;

        *ret_dev = st.st_dev;
        return TAKE_FD(fd);
}

int view_trees_open(const char *views_dir, char *const *targets, size_t n_targets, struct view_trees *ret) {
        struct view_trees t = { .n = 0 };
        _cleanup_close_ int dir_fd = -1;
        size_t n = targets ? n_targets : n_view_paths;
        int r;

        if (n > VIEW_TREES_MAX)
                return -E2BIG;

        dir_fd = open_views_dir(views_dir, &t.dev);
        if (dir_fd < 0)
                return log_debug_errno(dir_fd, "No procviewd mount at '%s': %m", views_dir);

        for (size_t i = 0; i < n; i++) {
                char buf[PATH_MAX];
                const char *target = buf;

                if (targets)
                        target = targets[i];
                else
                        snprintf(buf, sizeof(buf), "/%s", view_paths[i]);

                if (target[0] != '/' || target[1] == '\0' || strstr(target, "..")) {
                        view_trees_done(&t);
                        return log_debug_errno(-EINVAL, "Invalid view target '%s'.", target);
                }

                r = clone_view(dir_fd, target, &t.trees[t.n]);
                if (r == -ENOENT) {
                        log_debug("View '%s' is missing in '%s', skipping.", target + 1, views_dir);
                        continue;
                }
                if (r < 0) {
                        view_trees_done(&t);
                        return log_debug_errno(r, "Failed to clone the view '%s%s': %m", views_dir, target);
                }
                t.n++;
        }

        *ret = t;
        return 0;
}

/*
 * Open target inside root_fd as an O_PATH descriptor. RESOLVE_IN_ROOT keeps
 * ".." inside the root, and RESOLVE_NO_SYMLINKS turns any symbolic link on
 * the way into ELOOP: /proc and /sys are never links in a sane root, and a
 * link there could only serve to aim the bind at a host file.
 */
static int resolve_target(int root_fd, const char *target) {
        struct open_how how = {
                .flags = O_PATH | O_CLOEXEC,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        long fd;

        fd = syscall(SYS_openat2, root_fd, target + 1, &how, sizeof(how));
        return fd < 0 ? -errno : (int) fd;
}

/*
 * Runs in the forked child, inside the container's mount namespace and
 * chrooted into its root, so target paths name the container's files.
 * Only system calls here: the parent may be multithreaded.
 */
static int attach_one(const struct view_trees *t, const struct view_tree *tree, int root_fd, int target_fd) {
        for (unsigned i = 0;; i++) {
                struct statfs sfs;
                struct stat st;

                if (fstatfs(target_fd, &sfs) >= 0) {
                        if (fstat(target_fd, &st) >= 0 && st.st_dev == t->dev)
                                return VIEW_ALREADY_BOUND;
                        break;
                }
                if (errno != ENOTCONN || i >= MAX_STACKED_MOUNTS)
                        return -errno;

                /* A view of a procviewd that is gone: detach it, and look at what it covered. */
                close(target_fd);
                if (umount2(tree->target, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
                        return -errno;
                target_fd = resolve_target(root_fd, tree->target);
                if (target_fd < 0)
                        return target_fd;
        }

        if (move_mount(tree->fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
                int r = -errno;

                close(target_fd);
                return r;
        }
        close(target_fd);
        return VIEW_ATTACHED;
}

static int attach_in_child(struct view_trees *t, int ns_fd, int root_fd, const char *root_path, int results[]) {
        int target_fds[VIEW_TREES_MAX];

        if (ns_fd >= 0 && setns(ns_fd, CLONE_NEWNS) < 0)
                return -errno;

        if (root_path) {
                int fd = open(root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);

                if (fd < 0 && (errno != ENOENT || root_fd < 0))
                        return -errno;
                if (fd >= 0)
                        root_fd = fd;
        }

        /* umount2() takes a path, so make the container's root the child's root. */
        if (fchdir(root_fd) < 0 || chroot(".") < 0)
                return -errno;

        /* Resolve every target before mounting anything, so a hostile root gets no bind at all. */
        for (size_t i = 0; i < t->n; i++) {
                target_fds[i] = resolve_target(root_fd, t->trees[i].target);
                if (target_fds[i] == -ELOOP || target_fds[i] == -EXDEV)
                        return -ELOOP;
        }

        for (size_t i = 0; i < t->n; i++) {
                if (target_fds[i] == -ENOENT)
                        results[i] = VIEW_TARGET_MISSING;
                else if (target_fds[i] < 0)
                        results[i] = target_fds[i];
                else
                        results[i] = attach_one(t, &t->trees[i], root_fd, target_fds[i]);
        }
        return 0;
}

static int read_exactly(int fd, void *buf, size_t size) {
        size_t done = 0;

        while (done < size) {
                ssize_t n = read(fd, (char *) buf + done, size - done);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return -EPIPE;
                done += (size_t) n;
        }
        return 0;
}

int view_trees_attach(struct view_trees *t, int ns_fd, int root_fd, const char *root_path, int results[]) {
        int report[1 + VIEW_TREES_MAX], pipe_fds[2], status, r;
        _cleanup_close_ int read_fd = -1;
        pid_t pid;

        if (pipe2(pipe_fds, O_CLOEXEC) < 0)
                return -errno;
        read_fd = pipe_fds[0];

        pid = fork();
        if (pid < 0) {
                r = -errno;
                close(pipe_fds[1]);
                return r;
        }
        if (pid == 0) {
                /* The report is one write smaller than PIPE_BUF, so it arrives whole or not at all. */
                report[0] = attach_in_child(t, ns_fd, root_fd, root_path, report + 1);
                (void) !write(pipe_fds[1], report, sizeof(int) * (1 + t->n));
                _exit(0);
        }
        close(pipe_fds[1]);

        r = read_exactly(read_fd, report, sizeof(int) * (1 + t->n));

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        break;

        if (r < 0)
                return log_debug_errno(r, "The child that attaches the views did not report: %m");
        if (report[0] < 0)
                return report[0];

        memcpy(results, report + 1, sizeof(int) * t->n);
        return 0;
}

enum view_state view_target_state(int root_fd, const char *target) {
        _cleanup_close_ int fd = -1;
        struct statfs sfs;

        fd = resolve_target(root_fd, target);
        if (fd < 0)
                return VIEW_STATE_MISSING;
        if (fstatfs(fd, &sfs) < 0)
                return errno == ENOTCONN ? VIEW_STATE_STALE : VIEW_STATE_MISSING;
        return (unsigned long) sfs.f_type == FUSE_SUPER_MAGIC ? VIEW_STATE_OK : VIEW_STATE_UNBOUND;
}
