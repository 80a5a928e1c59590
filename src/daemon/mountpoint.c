/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "log.h"
#include "mountpoint.h"

#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif

static int check_fuse_device(void) {
        if (access("/dev/fuse", R_OK | W_OK) >= 0)
                return 0;

        if (errno == ENOENT)
                return log_error_errno(
                        ENODEV, "FUSE is not available: /dev/fuse is missing. Load the module with 'modprobe fuse' "
                                "(in a container, pass the device with --device /dev/fuse).");
        return log_error_errno(errno, "Cannot open /dev/fuse: %m. Run procviewd as root.");
}

/* Kernels before 5.8 lack STATX_ATTR_MOUNT_ROOT: compare the device with the parent's. */
static int is_mount_root_by_device(const char *path, bool *ret) {
        _cleanup_free_ char *parent = NULL;
        struct stat a, b;

        if (asprintf(&parent, "%s/..", path) < 0)
                return -ENOMEM;
        if (stat(path, &a) < 0 || stat(parent, &b) < 0)
                return -errno;

        *ret = a.st_dev != b.st_dev || a.st_ino == b.st_ino;
        return 0;
}

static int is_mount_root(const char *path, bool *ret) {
        struct statx sx;

        if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx) < 0)
                return -errno;

        if (!(sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
                return is_mount_root_by_device(path, ret);

        *ret = sx.stx_attributes & STATX_ATTR_MOUNT_ROOT;
        return 0;
}

/*
 * stat() of a dead FUSE mount can still succeed from the kernel's attribute
 * cache, but statfs() always asks the server, so it tells a dead connection.
 */
static bool fuse_mount_is_dead(const char *path) {
        struct statfs sf;

        return statfs(path, &sf) < 0 && errno == ENOTCONN;
}

/* A daemon that died without unmounting leaves a mount whose every access fails with ENOTCONN. */
static int cleanup_dead_mount(const char *path) {
        if (umount2(path, MNT_DETACH) < 0)
                return log_error_errno(errno, "Mount point '%s' is a dead FUSE mount and unmounting it failed: %m",
                                       path);

        log_notice("Unmounted the dead FUSE mount that an earlier daemon left at '%s'.", path);
        return mountpoint_prepare(path);
}

int mountpoint_prepare(const char *path) {
        struct stat st;
        bool mounted = false;
        int r;

        r = check_fuse_device();
        if (r < 0)
                return r;

        if (stat(path, &st) < 0) {
                if (errno == ENOENT)
                        return log_error_errno(errno, "Mount point '%s' does not exist. Create it with 'mkdir -p %s'.",
                                               path, path);
                if (errno == ENOTCONN)
                        return cleanup_dead_mount(path);
                return log_error_errno(errno, "Cannot access mount point '%s': %m", path);
        }

        if (!S_ISDIR(st.st_mode))
                return log_error_errno(ENOTDIR, "Mount point '%s' is not a directory.", path);

        r = is_mount_root(path, &mounted);
        if (r < 0)
                return log_error_errno(r, "Failed to check whether '%s' is a mount point: %m", path);
        if (mounted && fuse_mount_is_dead(path))
                return cleanup_dead_mount(path);
        if (mounted)
                return log_error_errno(EBUSY,
                                       "'%s' is already a mount point. Unmount it ('umount %s') or choose another "
                                       "directory.",
                                       path, path);

        return 0;
}
