/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Readers of the cgroup v2 (unified) hierarchy. The root cgroup has no
 * memory.max, memory.swap.max or cpu.max, so walks up to the root skip it.
 */
#include <errno.h>
#include <stdlib.h>

#include "cgroup-internal.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"

/*
 * memory.swap.* exist only with swap accounting (CONFIG_MEMCG_SWAP, not
 * turned off with swapaccount=0). Without them the container has no swap to
 * show.
 */
static int v2_read_swap(const struct cg_node *node, struct cg_memory *m) {
        uint64_t usage, limit;
        int r;

        r = read_u64_at(node->dir_fd, "memory.swap.current", &usage);
        if (r == -ENOENT) {
                m->swap_accounting = false;
                m->swap_limit = 0;
                m->swap_usage = 0;
                return 0;
        }
        if (r < 0)
                return r;

        r = cg_read_effective_limit(node, "memory.swap.max", &limit);
        if (r == -ENOENT)
                limit = CG_UNLIMITED;
        else if (r < 0)
                return r;

        m->swap_accounting = true;
        m->swap_usage = usage;
        m->swap_limit = limit;
        return 0;
}

static int v2_read_memory(const struct cg_node *cgroup, struct cg_memory *ret) {
        _cleanup_(cg_node_done) struct cg_node node = { .dir_fd = -1, .root_fd = -1 };
        _cleanup_free_ char *stat = NULL;
        struct cg_memory m = {};
        int r;

        /*
         * A cgroup whose parent does not enable the memory controller for it
         * has no memory.* files: its memory is charged to, and limited by, the
         * nearest ancestor that has them. The root cgroup has no
         * memory.current, so a cgroup without any such ancestor has no
         * memory figures.
         */
        r = cg_node_find_up(cgroup, "memory.current", &node);
        if (r < 0)
                return log_debug_errno(r, "Failed to find memory.current above '%s': %m", cgroup->path);

        r = read_u64_at(node.dir_fd, "memory.current", &m.usage);
        if (r < 0)
                return log_debug_errno(r, "Failed to read memory.current: %m");

        r = cg_read_effective_limit(&node, "memory.max", &m.limit);
        if (r == -ENOENT)
                m.limit = CG_UNLIMITED;
        else if (r < 0)
                return r;

        r = v2_read_swap(&node, &m);
        if (r < 0)
                return r;

        r = read_full_file_at(node.dir_fd, "memory.stat", &stat, NULL);
        if (r < 0)
                return log_debug_errno(r, "Failed to read memory.stat: %m");

        r = cg_parse_memory_stat(stat, false, &m.stat);
        if (r < 0)
                return r;

        *ret = m;
        return 0;
}

static int v2_read_level_quota(int dirfd, struct cg_quota *ret) {
        _cleanup_free_ char *text = NULL;
        struct cg_quota q;
        int r;

        r = read_full_file_at(dirfd, "cpu.max", &text, NULL);
        if (r < 0)
                return r;

        r = cg_parse_cpu_max(text, &q.quota_us, &q.period_us);
        if (r < 0)
                return log_debug_errno(r, "Invalid cpu.max: %m");

        *ret = q;
        return 0;
}

/*
 * A parent's cpu.max also limits children that do not enable the cpu
 * controller themselves, so a cgroup without cpu.max still walks up.
 */
static int v2_read_quota(const struct cg_node *node, struct cg_quota *ret) {
        return cg_read_effective_quota(node, v2_read_level_quota, ret);
}

/* cpu.stat's usage fields exist in every cgroup, with or without the cpu controller. */
static int v2_read_cpuacct(const struct cg_node *node, struct cg_cpuacct *ret) {
        _cleanup_free_ char *text = NULL;
        int r;

        r = read_full_file_at(node->dir_fd, "cpu.stat", &text, NULL);
        if (r < 0)
                return r;

        return cg_parse_cpu_stat(text, ret);
}

static int v2_read_io(const struct cg_node *node, struct cg_io *ret) {
        _cleanup_free_ char *text = NULL;
        int r;

        r = read_full_file_at(node->dir_fd, "io.stat", &text, NULL);
        if (r < 0)
                return r;

        return cg_parse_io_stat(text, ret);
}

const struct cg_ops cg_v2_ops = {
        .read_memory = v2_read_memory,
        .read_quota = v2_read_quota,
        .read_cpuacct = v2_read_cpuacct,
        .read_io = v2_read_io,
        .cpuset_effective_file = "cpuset.cpus.effective",
        .tasks_file = "cgroup.threads",
};
