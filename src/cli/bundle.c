/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "bundle.h"
#include "cli-util.h"
#include "fileio.h"
#include "runtime.h"

#define BUNDLES_DIR "/run/procview/bundles"

/* In each bundle: the runtime's --root and the container id, one per line. */
#define OWNER_FILE ".procview-owner"

static int mkdir_if_missing(const char *path, mode_t mode) {
        if (mkdir(path, mode) < 0 && errno != EEXIST)
                return log_error_errno(errno, "Failed to create directory '%s': %m", path);
        return 0;
}

/*
 * Lock the bundle directory at path for the life of this process. The fd is
 * inherited by the runtime, so the lock also lasts as long as a runtime
 * that outlives a killed procview.
 */
static int lock_bundle(const char *path, int *ret_fd) {
        int fd;

        fd = open(path, O_RDONLY | O_DIRECTORY);
        if (fd < 0)
                return log_error_errno(errno, "Failed to open bundle directory '%s': %m", path);
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                int r = log_error_errno(errno, "Failed to lock bundle directory '%s': %m", path);

                close(fd);
                return r;
        }

        *ret_fd = fd;
        return 0;
}

/* Record which container the bundle at path belongs to, for bundle_sweep(). */
static int write_owner(const char *path, const char *runtime_root, const char *id) {
        _cleanup_free_ char *owner = format_string("%s/" OWNER_FILE, path);
        _cleanup_fclose_ FILE *f = NULL;

        if (!owner)
                return log_oom();

        f = fopen(owner, "we");
        if (!f || fprintf(f, "%s\n%s\n", runtime_root, id) < 0 || fflush(f) != 0)
                return log_error_errno(errno ?: EIO, "Failed to write '%s': %m", owner);
        return 0;
}

int bundle_create(const char *id, const char *runtime_root, char **ret_path, int *ret_lock_fd) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int lock_fd = -1;
        int r;

        r = mkdir_if_missing("/run/procview", 0755);
        if (r < 0)
                return r;
        r = mkdir_if_missing(BUNDLES_DIR, 0700);
        if (r < 0)
                return r;

        bundle_sweep();

        /* A random suffix keeps a bundle left by a killed procview from blocking the name. */
        path = format_string(BUNDLES_DIR "/%s-XXXXXX", id);
        if (!path)
                return log_oom();
        if (!mkdtemp(path))
                return log_error_errno(errno, "Failed to create bundle directory '%s': %m", path);

        r = lock_bundle(path, &lock_fd);
        if (r >= 0)
                r = write_owner(path, runtime_root, id);
        if (r < 0) {
                (void) bundle_remove(path);
                return r;
        }

        *ret_path = TAKE_PTR(path);
        *ret_lock_fd = TAKE_FD(lock_fd);
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

/*
 * Return whether the bundle dir_fd, locked by this process, belongs to a
 * container that the runtime has deleted. A bundle without an owner file
 * counts as in use, because its container is unknown.
 */
static bool bundle_is_stale(int dir_fd) {
        _cleanup_free_ char *owner = NULL;
        char *id;

        if (read_full_file_at(dir_fd, OWNER_FILE, &owner, NULL) < 0)
                return false;

        id = strchr(owner, '\n');
        if (!id || id == owner || !strchr(id + 1, '\n'))
                return false;
        *id++ = '\0';
        id[strcspn(id, "\n")] = '\0';
        if (id[0] == '\0' || strchr(id, '/'))
                return false;

        return !runtime_container_exists(&(struct runtime){ .root = owner }, id);
}

void bundle_sweep(void) {
        _cleanup_(closedirp) DIR *dir = NULL;
        struct dirent *entry;

        dir = opendir(BUNDLES_DIR);
        if (!dir)
                return;

        while ((entry = readdir(dir))) {
                _cleanup_free_ char *path = NULL;
                _cleanup_close_ int fd = -1;

                if (entry->d_name[0] == '.')
                        continue;

                fd = openat(dirfd(dir), entry->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                /* A locked bundle belongs to a procview or a runtime that still runs. */
                if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0 || !bundle_is_stale(fd))
                        continue;

                path = format_string(BUNDLES_DIR "/%s", entry->d_name);
                if (path && bundle_remove(path) >= 0)
                        log_info("Removed bundle '%s', left by a procview run that was killed.", path);
        }
}
