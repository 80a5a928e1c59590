/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>

#include "macro.h"
#include "view-paths.h"

const char *const view_paths[N_VIEW_PATHS] = {
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
