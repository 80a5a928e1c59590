/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "bundle.h"
#include "cli-util.h"

#define BUNDLES_DIR "/run/procview/bundles"

static int mkdir_if_missing(const char *path, mode_t mode) {
        if (mkdir(path, mode) < 0 && errno != EEXIST)
                return log_error_errno(errno, "Failed to create directory '%s': %m", path);
        return 0;
}

int bundle_create(const char *id, char **ret_path) {
        _cleanup_free_ char *path = NULL;
        int r;

        r = mkdir_if_missing("/run/procview", 0755);
        if (r < 0)
                return r;
        r = mkdir_if_missing(BUNDLES_DIR, 0700);
        if (r < 0)
                return r;

        /* A random suffix keeps a bundle left by a killed procview from blocking the name. */
        path = format_string(BUNDLES_DIR "/%s-XXXXXX", id);
        if (!path)
                return log_oom();
        if (!mkdtemp(path))
                return log_error_errno(errno, "Failed to create bundle directory '%s': %m", path);

        *ret_path = TAKE_PTR(path);
        return 0;
}

static int remove_tree_at(int parent_fd, const char *name, dev_t device);

static int remove_children(int dir_fd, dev_t device) {
        struct dirent *entry;
        int fd, r = 0;
        DIR *dir;

        /* fdopendir() takes over the fd, so hand it a copy. */
        fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;
        dir = fdopendir(fd);
        if (!dir) {
                close(fd);
                return -errno;
        }

        while ((entry = readdir(dir))) {
                int k;

                if (streq(entry->d_name, ".") || streq(entry->d_name, ".."))
                        continue;

                k = remove_tree_at(dir_fd, entry->d_name, device);
                if (k < 0 && r == 0)
                        r = k;
        }

        closedir(dir);
        return r;
}

/* Remove parent_fd/name and what is below it, but leave anything on another device alone. */
static int remove_tree_at(int parent_fd, const char *name, dev_t device) {
        _cleanup_close_ int fd = -1;
        struct stat st;
        int r;

        if (fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;

        if (!S_ISDIR(st.st_mode))
                return unlinkat(parent_fd, name, 0) < 0 ? -errno : 0;
        if (st.st_dev != device)
                return -EXDEV;

        fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;

        r = remove_children(fd, device);
        if (r < 0)
                return r;

        return unlinkat(parent_fd, name, AT_REMOVEDIR) < 0 ? -errno : 0;
}

int bundle_remove(const char *path) {
        struct stat st;
        int r;

        if (lstat(path, &st) < 0) {
                if (errno == ENOENT)
                        return 0;
                return log_error_errno(errno, "Failed to stat bundle directory '%s': %m", path);
        }

        r = remove_tree_at(AT_FDCWD, path, st.st_dev);
        if (r < 0)
                return log_error_errno(r, "Failed to remove bundle directory '%s': %m", path);
        return 0;
}
