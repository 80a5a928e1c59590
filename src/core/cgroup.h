/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cgroup readers for v1, v2 and hybrid layouts behind one interface.
 *
 * A layout records where each controller's hierarchy is mounted; it is
 * detected once from mountinfo text. A struct cgroup is one process's
 * membership in that layout: for every controller the directory fd of its
 * cgroup (opened once), its path relative to the hierarchy root, and a fd of
 * the hierarchy root for reading ancestors.
 *
 * The read functions compute *effective* values: the minimum of a limit over
 * the cgroup and all its ancestors, and the cpuset of the nearest cgroup that
 * sets one. They return 0 or a negative errno and write *ret only on success;
 * -ENOENT means the controller or file does not exist for this cgroup, so the
 * caller shows the host's value. Nothing here needs root: tests run them on
 * recorded trees under a prefix directory.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cpuset.h"

/* A limit that is not set ("max", -1, or the v1 page-counter maximum). */
#define CG_UNLIMITED UINT64_MAX

enum cg_controller {
        CG_MEMORY,
        CG_CPU,
        CG_CPUACCT,
        CG_CPUSET,
        CG_BLKIO,
        CG_PIDS,
        _CG_CONTROLLER_MAX,
};

const char *cg_controller_name(enum cg_controller c);

struct cgroup_layout;
struct cgroup;

/*
 * Detect the layout from mountinfo text (as /proc/self/mountinfo shows it).
 * prefix is prepended to every mount point before it is opened: "" on a real
 * host, a fixture directory in tests. Returns -ENOMEDIUM when no cgroup
 * hierarchy is mounted.
 */
int cgroup_layout_new(const char *mountinfo, const char *prefix, struct cgroup_layout **ret);
struct cgroup_layout *cgroup_layout_free(struct cgroup_layout *layout);

/* True when a controller is served by the unified (v2) hierarchy. */
bool cgroup_layout_is_unified(const struct cgroup_layout *layout, enum cg_controller c);
bool cgroup_layout_has(const struct cgroup_layout *layout, enum cg_controller c);

/*
 * Open the root directory of the hierarchy serving controller c (the mount
 * point, under the prefix), O_DIRECTORY|O_CLOEXEC. The caller closes it.
 * Paths from cgroup_path() are relative to this directory.
 */
int cgroup_layout_open_root(const struct cgroup_layout *layout, enum cg_controller c, int *ret_fd);

/*
 * Open the cgroups named in /proc/PID/cgroup text. Controllers whose
 * hierarchy is not mounted, or whose directory is gone, are left out and
 * their reads return -ENOENT. A trailing "/init.scope" of a v2 path is
 * dropped, because systemd inside a container moves its init there.
 */
int cgroup_open(const struct cgroup_layout *layout, const char *proc_pid_cgroup, struct cgroup **ret);
struct cgroup *cgroup_free(struct cgroup *cg);

/*
 * Whether any of the cgroup's directories was removed (or removed and made
 * again under the same name) since cgroup_open(): its open fds then no
 * longer refer to the directory at its path.
 */
bool cgroup_is_stale(const struct cgroup *cg);

/* The cgroup's path for a controller relative to its hierarchy, or NULL. */
const char *cgroup_path(const struct cgroup *cg, enum cg_controller c);

/* Values from memory.stat (v1 "total_*" keys, v2 plain keys), in bytes. */
struct cg_memory_stat {
        uint64_t cache; /* v1 total_cache, v2 file */
        uint64_t active_anon;
        uint64_t inactive_anon;
        uint64_t active_file;
        uint64_t inactive_file;
        uint64_t unevictable;
        uint64_t shmem;
        uint64_t mapped; /* v1 total_mapped_file, v2 file_mapped */
        uint64_t dirty; /* v1 total_dirty, v2 file_dirty */
        uint64_t writeback; /* v1 total_writeback, v2 file_writeback */
        uint64_t anon; /* v1 total_rss, v2 anon */
        uint64_t anon_thp; /* v1 total_rss_huge, v2 anon_thp */
        uint64_t slab; /* v2 slab; 0 on v1 */
        uint64_t slab_reclaimable; /* v2 slab_reclaimable; 0 on v1 */
        uint64_t slab_unreclaimable; /* v2 slab_unreclaimable; 0 on v1 */
};

struct cg_memory {
        uint64_t limit; /* effective memory limit, bytes, or CG_UNLIMITED */
        uint64_t usage; /* memory.current / memory.usage_in_bytes */
        bool swap_accounting; /* v1 memsw files or v2 memory.swap.* exist */
        uint64_t swap_limit; /* effective swap-only limit, bytes, or CG_UNLIMITED */
        uint64_t swap_usage; /* swap-only usage, bytes */
        struct cg_memory_stat stat;
};

int cgroup_read_memory(const struct cgroup *cg, struct cg_memory *ret);

struct cg_cpu {
        bool has_cpuset; /* false when the cpuset controller is missing */
        struct cpuset cpuset; /* effective cpuset, host numbering */
        uint64_t quota_us; /* effective quota; CG_UNLIMITED when none */
        uint64_t period_us; /* period that goes with quota_us */
};

/*
 * The effective quota is the smallest quota/period ratio over the cgroup and
 * its ancestors.
 */
int cgroup_read_cpu(const struct cgroup *cg, struct cg_cpu *ret);

/* CPU time a cgroup used, in nanoseconds. */
struct cg_cpuacct {
        uint64_t user_ns;
        uint64_t system_ns;
        /*
         * Per host CPU, when the hierarchy accounts per CPU (v1 cpuacct);
         * n_cpus is 0 on v2, where only the totals exist.
         */
        unsigned n_cpus;
        uint64_t *percpu_user_ns;
        uint64_t *percpu_system_ns;
};

int cgroup_read_cpuacct(const struct cgroup *cg, struct cg_cpuacct *ret);
void cg_cpuacct_done(struct cg_cpuacct *acct);

/* One block device's I/O as a cgroup accounted it. */
struct cg_io_device {
        unsigned major;
        unsigned minor;
        uint64_t rios, wios, dios;
        uint64_t rbytes, wbytes, dbytes;
};

struct cg_io {
        size_t n_devices;
        struct cg_io_device *devices;
};

/*
 * v1: blkio.throttle.io_serviced_recursive and io_service_bytes_recursive,
 * or the blkio.bfq.* recursive files when the throttle files show nothing.
 * v2: io.stat.
 */
int cgroup_read_io(const struct cgroup *cg, struct cg_io *ret);
void cg_io_done(struct cg_io *io);

/*
 * Thread ids of every task in the cgroup and its descendants (v1 "tasks",
 * v2 "cgroup.threads"), read from the CPU hierarchy (pids when CPU is not
 * mounted). The caller frees *ret.
 */
int cgroup_read_tasks(const struct cgroup *cg, pid_t **ret, size_t *ret_n);

/* Parsers of single cgroup files, exposed for tests and fuzzers. */
int cg_parse_memory_stat(const char *text, bool v1, struct cg_memory_stat *ret);
int cg_parse_cpu_max(const char *text, uint64_t *ret_quota_us, uint64_t *ret_period_us);
int cg_parse_cpuacct_usage_all(const char *text, struct cg_cpuacct *ret);
int cg_parse_cpu_stat(const char *text, struct cg_cpuacct *ret);
int cg_parse_io_stat(const char *text, struct cg_io *ret);
/* Adds one blkio file ("8:0 Read 123" lines) to io; bytes selects the field set. */
int cg_parse_blkio(const char *text, bool bytes, struct cg_io *io);
