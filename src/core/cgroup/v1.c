/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Readers of cgroup v1 hierarchies, one per controller.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-internal.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "parse.h"

/*
 * memory.memsw.* count memory plus swap, so swap alone is the difference.
 * The files exist only with swap accounting (CONFIG_MEMCG_SWAP, not turned
 * off with swapaccount=0). Without them the container has no swap to show.
 */
static int v1_read_swap(const struct cg_node *node, struct cg_memory *m) {
        uint64_t memsw_usage, memsw_limit;
        int r;

        r = read_u64_at(node->dir_fd, "memory.memsw.usage_in_bytes", &memsw_usage);
        if (r == -ENOENT) {
                m->swap_accounting = false;
                m->swap_limit = 0;
                m->swap_usage = 0;
                return 0;
        }
        if (r < 0)
                return r;

        r = cg_read_effective_limit(node, "memory.memsw.limit_in_bytes", &memsw_limit);
        if (r < 0)
                return r;

        m->swap_accounting = true;
        m->swap_usage = u64_sub_floor(memsw_usage, m->usage);
        if (memsw_limit == CG_UNLIMITED)
                m->swap_limit = CG_UNLIMITED;
        else if (m->limit == CG_UNLIMITED)
                m->swap_limit = memsw_limit;
        else
                m->swap_limit = u64_sub_floor(memsw_limit, m->limit);
        return 0;
}

static int v1_read_memory(const struct cg_node *node, struct cg_memory *ret) {
        _cleanup_free_ char *stat = NULL;
        struct cg_memory m = {};
        int r;

        r = read_u64_at(node->dir_fd, "memory.usage_in_bytes", &m.usage);
        if (r < 0)
                return log_debug_errno(r, "Failed to read memory.usage_in_bytes: %m");

        r = cg_read_effective_limit(node, "memory.limit_in_bytes", &m.limit);
        if (r < 0)
                return r;

        r = v1_read_swap(node, &m);
        if (r < 0)
                return r;

        r = read_full_file_at(node->dir_fd, "memory.stat", &stat, NULL);
        if (r < 0)
                return log_debug_errno(r, "Failed to read memory.stat: %m");

        r = cg_parse_memory_stat(stat, true, &m.stat);
        if (r < 0)
                return r;

        *ret = m;
        return 0;
}

/* cpu.cfs_quota_us is -1 when no quota is set. */
static int v1_read_level_quota(int dirfd, struct cg_quota *ret) {
        _cleanup_free_ char *quota = NULL;
        uint64_t quota_us, period_us;
        int r;

        r = read_one_line_at(dirfd, "cpu.cfs_quota_us", &quota);
        if (r < 0)
                return r;

        r = read_u64_at(dirfd, "cpu.cfs_period_us", &period_us);
        if (r < 0)
                return r;
        if (period_us == 0)
                return -EINVAL;

        if (streq(quota, "-1"))
                quota_us = CG_UNLIMITED;
        else {
                r = safe_atou64(quota, &quota_us);
                if (r < 0)
                        return log_debug_errno(r, "Invalid cpu.cfs_quota_us '%s': %m", quota);
        }

        *ret = (struct cg_quota){ .quota_us = quota_us, .period_us = period_us };
        return 0;
}

static int v1_read_quota(const struct cg_node *node, struct cg_quota *ret) {
        return cg_read_effective_quota(node, v1_read_level_quota, ret);
}

/* cpuacct.usage_percpu_user and _sys hold the values of usage_all, one list each. */
static int v1_read_percpu(const struct cg_node *node, struct cg_cpuacct *ret) {
        _cleanup_free_ char *user_text = NULL, *system_text = NULL;
        _cleanup_(cg_cpuacct_done) struct cg_cpuacct acct = {};
        size_t n_user, n_system;
        int r;

        r = read_full_file_at(node->dir_fd, "cpuacct.usage_percpu_user", &user_text, NULL);
        if (r < 0)
                return r;
        r = read_full_file_at(node->dir_fd, "cpuacct.usage_percpu_sys", &system_text, NULL);
        if (r < 0)
                return r;

        r = cg_parse_u64_list(user_text, &acct.percpu_user_ns, &n_user);
        if (r < 0)
                return r;
        r = cg_parse_u64_list(system_text, &acct.percpu_system_ns, &n_system);
        if (r < 0)
                return r;
        if (n_user != n_system || n_user == 0)
                return -EINVAL;

        acct.n_cpus = (unsigned) n_user;
        for (unsigned i = 0; i < acct.n_cpus; i++) {
                acct.user_ns = u64_add_saturate(acct.user_ns, acct.percpu_user_ns[i]);
                acct.system_ns = u64_add_saturate(acct.system_ns, acct.percpu_system_ns[i]);
        }

        *ret = acct;
        acct = (struct cg_cpuacct){};
        return 0;
}

static int v1_read_cpuacct(const struct cg_node *node, struct cg_cpuacct *ret) {
        _cleanup_free_ char *text = NULL;
        int r;

        r = read_full_file_at(node->dir_fd, "cpuacct.usage_all", &text, NULL);
        if (r == -ENOENT)
                return v1_read_percpu(node, ret);
        if (r < 0)
                return r;

        return cg_parse_cpuacct_usage_all(text, ret);
}

/*
 * Read one policy's pair of recursive files into io. -ENOENT when the
 * policy's files do not exist.
 */
static int v1_read_blkio_files(const struct cg_node *node, const char *serviced, const char *service_bytes,
                               struct cg_io *io) {
        _cleanup_free_ char *ios_text = NULL, *bytes_text = NULL;
        int r;

        r = read_full_file_at(node->dir_fd, serviced, &ios_text, NULL);
        if (r < 0)
                return r;
        r = read_full_file_at(node->dir_fd, service_bytes, &bytes_text, NULL);
        if (r < 0)
                return r;

        r = cg_parse_blkio(ios_text, false, io);
        if (r < 0)
                return r;
        return cg_parse_blkio(bytes_text, true, io);
}

/*
 * Read the throttle files, or the bfq files when the throttle files list no
 * device. Where both are filled they count the same I/O, so adding them
 * would count it twice.
 */
static int v1_read_io(const struct cg_node *node, struct cg_io *ret) {
        _cleanup_(cg_io_done) struct cg_io io = {};
        int r, r_bfq;

        r = v1_read_blkio_files(node, "blkio.throttle.io_serviced_recursive",
                                "blkio.throttle.io_service_bytes_recursive", &io);
        if (r < 0 && r != -ENOENT)
                return r;

        if (io.n_devices == 0) {
                cg_io_done(&io);
                r_bfq = v1_read_blkio_files(node, "blkio.bfq.io_serviced_recursive",
                                            "blkio.bfq.io_service_bytes_recursive", &io);
                if (r_bfq < 0 && r_bfq != -ENOENT)
                        return r_bfq;
                if (r_bfq == -ENOENT && r == -ENOENT)
                        return -ENOENT;
        }

        *ret = io;
        io = (struct cg_io){};
        return 0;
}

const struct cg_ops cg_v1_ops = {
        .read_memory = v1_read_memory,
        .read_quota = v1_read_quota,
        .read_cpuacct = v1_read_cpuacct,
        .read_io = v1_read_io,
        .cpuset_effective_file = "cpuset.effective_cpus",
        .tasks_file = "tasks",
};
