/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers for the cgroup tests: a layout built from a recorded tree under
 * tests/fixtures, and /proc/PID/cgroup text that places a process in it.
 */
#pragma once

#include <fcntl.h>
#include <stdlib.h>

#include "cgroup.h"
#include "fileio.h"
#include "macro.h"
#include "strbuf.h"
#include "test.h"

static inline void cgroup_layout_freep(struct cgroup_layout **layout) {
        cgroup_layout_free(*layout);
}

static inline void cgroup_freep(struct cgroup **cg) {
        cgroup_free(*cg);
}

#define _cleanup_layout_ _cleanup_(cgroup_layout_freep)
#define _cleanup_cgroup_ _cleanup_(cgroup_freep)

/* Build the layout of tests/fixtures/TREE from its mountinfo file of that name. */
static inline int fixture_layout(const char *tree, const char *mountinfo, struct cgroup_layout **ret) {
        _cleanup_strbuf_ struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT;
        _cleanup_free_ char *text = NULL;
        int r;

        strbuf_printf(&dir, "%s/%s", test_fixture_dir(), tree);
        strbuf_printf(&path, "%s/%s", dir.data, mountinfo);
        if (strbuf_error(&dir) < 0 || strbuf_error(&path) < 0)
                return -ENOMEM;

        r = read_full_file_at(AT_FDCWD, path.data, &text, NULL);
        if (r < 0)
                return r;

        return cgroup_layout_new(text, dir.data, ret);
}

/* /proc/PID/cgroup text of a v1 process whose every controller is in path. */
static inline char *v1_membership(const char *path) {
        struct strbuf b = STRBUF_INIT;

        strbuf_printf(&b,
                      "12:pids:%1$s\n"
                      "11:blkio:%1$s\n"
                      "10:memory:%1$s\n"
                      "9:devices:%1$s\n"
                      "8:cpuset:%1$s\n"
                      "4:cpu,cpuacct:%1$s\n"
                      "1:name=systemd:/init.scope\n"
                      "0::/system.slice/containerd.service\n",
                      path);
        return strbuf_steal(&b, NULL);
}

/* Open the v1 fixture's cgroup at path. */
static inline int open_v1(const struct cgroup_layout *layout, const char *path, struct cgroup **ret) {
        _cleanup_free_ char *membership = v1_membership(path);

        if (!membership)
                return -ENOMEM;
        return cgroup_open(layout, membership, ret);
}

/* Open the v2 fixture's cgroup at path. */
static inline int open_v2(const struct cgroup_layout *layout, const char *path, struct cgroup **ret) {
        _cleanup_strbuf_ struct strbuf b = STRBUF_INIT;

        strbuf_printf(&b, "0::%s\n", path);
        if (strbuf_error(&b) < 0)
                return -ENOMEM;
        return cgroup_open(layout, b.data, ret);
}

static inline int compare_pids(const void *a, const void *b) {
        pid_t x = *(const pid_t *) a, y = *(const pid_t *) b;

        return (x > y) - (x < y);
}
