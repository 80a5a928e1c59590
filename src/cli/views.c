/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>

#include "log.h"
#include "views.h"

const char *const view_paths[] = {
        "proc/meminfo",   "proc/cpuinfo", "proc/stat",    "proc/uptime",
        "proc/diskstats", "proc/swaps",   "proc/loadavg", "sys/devices/system/cpu",
};

const size_t n_view_paths = sizeof(view_paths) / sizeof(view_paths[0]);

bool view_present(const char *dir, const char *path) {
        _cleanup_close_ int dir_fd = -1;

        dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                return false;
        return faccessat(dir_fd, path, F_OK, 0) >= 0;
}

static int log_not_mounted(const char *dir, int err, const char *reason) {
        return log_error_errno(err,
                               "The procview files are not mounted at '%s' (%s). Start the daemon with 'procviewd %s', "
                               "or pass --no-views.",
                               dir, reason, dir);
}

int views_check_mounted(const char *dir) {
        struct statfs sfs;

        if (statfs(dir, &sfs) < 0)
                return log_not_mounted(dir, errno, strerror(errno));
        if ((unsigned long) sfs.f_type != FUSE_SUPER_MAGIC)
                return log_not_mounted(dir, -ENOTCONN, "not a FUSE file system");
        if (!view_present(dir, "proc/meminfo"))
                return log_not_mounted(dir, -ENOENT, "proc/meminfo is missing");
        return 0;
}
