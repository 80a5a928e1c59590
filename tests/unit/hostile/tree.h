/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Temporary cgroup trees for the hostile-state tests: each test writes the
 * files it needs under a fresh directory, builds a layout on it with
 * cgroup_layout_new(mountinfo, prefix = that directory), and the directory
 * is removed when the test program exits.
 */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cgroup/fixture.h"
#include "cgroup.h"
#include "macro.h"
#include "strbuf.h"
#include "test.h"

/* A cgroup2 hierarchy mounted at sys/fs/cgroup, the whole hierarchy visible. */
#define V2_MOUNTINFO "30 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw\n"

static char tree_base[64];

static int tree_remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        remove(path);
        return 0;
}

static void tree_remove_all(void) {
        nftw(tree_base, tree_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Create a new empty directory for one tree and return its path (owned by the caller). */
static inline char *tree_new(void) {
        static unsigned n;
        struct strbuf path = STRBUF_INIT;

        if (tree_base[0] == '\0') {
                snprintf(tree_base, sizeof(tree_base), "/tmp/procview-hostile-XXXXXX");
                if (!mkdtemp(tree_base))
                        return NULL;
                atexit(tree_remove_all);
        }

        strbuf_printf(&path, "%s/%u", tree_base, n++);
        if (strbuf_error(&path) < 0 || mkdir(path.data, 0755) < 0) {
                strbuf_free(&path);
                return NULL;
        }
        return strbuf_steal(&path, NULL);
}

/* Write text to tree/name, creating the directories on the way. */
static inline int tree_write(const char *tree, const char *name, const char *text) {
        _cleanup_strbuf_ struct strbuf path = STRBUF_INIT;
        _cleanup_close_ int fd = -1;
        size_t len = strlen(text);

        strbuf_printf(&path, "%s/%s", tree, name);
        if (strbuf_error(&path) < 0)
                return -ENOMEM;

        for (char *slash = strchr(path.data + strlen(tree) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
                *slash = '\0';
                if (mkdir(path.data, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *slash = '/';
        }

        fd = open(path.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        if (write(fd, text, len) != (ssize_t) len)
                return -EIO;
        return 0;
}

/* Remove tree/name. */
static inline int tree_unlink(const char *tree, const char *name) {
        _cleanup_strbuf_ struct strbuf path = STRBUF_INIT;

        strbuf_printf(&path, "%s/%s", tree, name);
        if (strbuf_error(&path) < 0)
                return -ENOMEM;
        return unlink(path.data) < 0 ? -errno : 0;
}

/* A v2 tree with every controller enabled at the root. */
static inline char *tree_new_v2(void) {
        char *tree = tree_new();

        if (tree && tree_write(tree, "sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n") < 0) {
                free(tree);
                return NULL;
        }
        return tree;
}

/* Build the v2 layout of tree and open the cgroup that /proc/PID/cgroup text names. */
static inline int tree_open_v2(const char *tree, const char *mountinfo, const char *proc_pid_cgroup,
                               struct cgroup_layout **ret_layout, struct cgroup **ret_cg) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        int r;

        r = cgroup_layout_new(mountinfo, tree, &layout);
        if (r < 0)
                return r;

        r = cgroup_open(layout, proc_pid_cgroup, ret_cg);
        if (r < 0)
                return r;

        *ret_layout = TAKE_PTR(layout);
        return 0;
}
