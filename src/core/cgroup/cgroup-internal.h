/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared between the cgroup readers: the opened cgroup of one controller, the
 * walk from a cgroup up to its hierarchy root, and the per-version readers
 * behind struct cg_ops (v1.c, v2.c).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgroup.h"

/* The CFS period the kernel uses when none is set, in microseconds. */
#define CG_DEFAULT_PERIOD_US UINT64_C(100000)

/* One mounted hierarchy. */
struct cg_hierarchy {
        char *root; /* the mount's root inside the hierarchy (mountinfo field 4) */
        int fd; /* the mount point */
        bool unified;
};

struct cgroup_layout {
        struct cg_hierarchy *hierarchies;
        size_t n_hierarchies;
        int v1_index[_CG_CONTROLLER_MAX]; /* the v1 mount of each controller, or -1 */
        int v2_index; /* the cgroup2 mount, or -1 */
        int index[_CG_CONTROLLER_MAX]; /* the hierarchy that serves each controller, or -1 */
};

/* The hierarchy serving a controller, or NULL. */
const struct cg_hierarchy *cgroup_layout_hierarchy(const struct cgroup_layout *layout, enum cg_controller c);

/* The controller with this v1 name ("memory", "cpuacct"), or -EINVAL. */
int cg_controller_from_name(const char *name);

/* One controller's cgroup of a process. */
struct cg_node {
        int dir_fd; /* the cgroup's directory; -1 when the controller is left out */
        int root_fd; /* the hierarchy's directory as mounted */
        char *path; /* relative to the mounted root, "/" for the root itself */
        bool unified;
};

struct cgroup {
        struct cg_node nodes[_CG_CONTROLLER_MAX];
};

/* Close a node's fds and free its path; the node is then empty. */
void cg_node_done(struct cg_node *node);

/*
 * Open the cgroup or its nearest ancestor that has file, as a node of its
 * own that the caller releases with cg_node_done(). -ENOENT when no level up
 * to the mounted root has it.
 */
int cg_node_find_up(const struct cg_node *node, const char *file, struct cg_node *ret);

/* The node of a controller, or NULL when the controller is left out. */
const struct cg_node *cg_node_get(const struct cgroup *cg, enum cg_controller c);

/*
 * Call fn with a directory fd for the cgroup, then for each ancestor up to
 * the mounted root. fn returns a negative errno to stop with that error, 0 to
 * go on, or a positive value to stop with success. The fd is only valid
 * during the call.
 */
typedef int (*cg_level_fn)(int dirfd, void *userdata);
int cg_walk_up(const struct cg_node *node, cg_level_fn fn, void *userdata);

/*
 * The minimum of a limit file ("max", a number, or the v1 page-counter
 * maximum) over the cgroup and its ancestors. Levels without the file are
 * skipped; -ENOENT when no level has it.
 */
int cg_read_effective_limit(const struct cg_node *node, const char *file, uint64_t *ret);

/* A CPU quota; quota_us is CG_UNLIMITED when none is set. */
struct cg_quota {
        uint64_t quota_us;
        uint64_t period_us;
};

/*
 * The smallest quota/period ratio over the cgroup and its ancestors, with
 * read_level reading one level's quota. Levels where it returns -ENOENT are
 * skipped; -ENOENT when no level has a quota file.
 */
int cg_read_effective_quota(const struct cg_node *node, int (*read_level)(int dirfd, struct cg_quota *ret),
                            struct cg_quota *ret);

/* Keep in *acc the smaller of the two quota/period ratios. */
void cg_quota_take_min(struct cg_quota *acc, const struct cg_quota *q);

/*
 * The effective cpuset: from the cgroup or its nearest ancestor that has a
 * non-empty effective_file (cpuset.cpus.effective, cpuset.effective_cpus) or,
 * failing that, a non-empty cpuset.cpus. A v2 cgroup without the cpuset
 * controller has neither file and uses its parent's CPUs.
 */
int cg_read_cpuset(const struct cg_node *node, const char *effective_file, struct cpuset *ret);

/* Parse white-space separated numbers ("1 2 3 "), as cpuacct.usage_percpu_* contain. */
int cg_parse_u64_list(const char *text, uint64_t **ret, size_t *ret_n);

/* The entry of a device in io, added with zero counters when missing. */
struct cg_io_device *cg_io_device_get(struct cg_io *io, unsigned major, unsigned minor);

/* The readers that differ between cgroup v1 and v2. */
struct cg_ops {
        int (*read_memory)(const struct cg_node *node, struct cg_memory *ret);
        int (*read_quota)(const struct cg_node *node, struct cg_quota *ret);
        int (*read_cpuacct)(const struct cg_node *node, struct cg_cpuacct *ret);
        int (*read_io)(const struct cg_node *node, struct cg_io *ret);
        const char *cpuset_effective_file;
        const char *tasks_file;
};

extern const struct cg_ops cg_v1_ops;
extern const struct cg_ops cg_v2_ops;

static inline const struct cg_ops *cg_node_ops(const struct cg_node *node) {
        return node->unified ? &cg_v2_ops : &cg_v1_ops;
}
