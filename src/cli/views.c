/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>

#include "log.h"
#include "views.h"

static int log_not_mounted(const char *dir, int err, const char *reason, const char *alternative) {
        return log_error_errno(
                err, "The procview files are not mounted at '%s' (%s). Start the daemon with 'procviewd %s'%s.", dir,
                reason, dir, alternative ?: "");
}

int views_check_mounted(const char *dir, const char *alternative) {
        struct statfs sfs;

        if (statfs(dir, &sfs) < 0)
                return log_not_mounted(dir, errno, strerror(errno), alternative);
        if ((unsigned long) sfs.f_type != FUSE_SUPER_MAGIC)
                return log_not_mounted(dir, -ENOTCONN, "not a FUSE file system", alternative);
        if (!view_present(dir, "proc/meminfo"))
                return log_not_mounted(dir, -ENOENT, "proc/meminfo is missing", alternative);
        return 0;
}
