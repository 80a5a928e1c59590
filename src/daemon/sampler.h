/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Load averages per cgroup, sampled in a background thread.
 *
 * Every 5 s the sampler walks the CPU hierarchy (pids when CPU is not
 * mounted), counts the runnable and uninterruptible threads of each cgroup
 * and folds the count into that cgroup's averages. On cgroup v1 the kernel
 * counts them (taskstats' CGROUPSTATS_CMD_GET, one netlink request per
 * cgroup); on v2 the sampler reads each thread's state from /proc. A cgroup is sampled from
 * the first walk after it appears, so a container's load is tracked from its
 * start, not from its first read. The load of a subtree is the sum of its
 * cgroups' averages; the averaging is linear, so this equals the average of
 * the subtree's counts up to fixed-point rounding. The hierarchy root (the
 * host itself) is not sampled.
 */
#pragma once

#include "cgroup.h"
#include "loadavg.h"

struct loadavg_sampler;

struct handover;

/*
 * Start the sampling thread. With a handover region (may be NULL), averages
 * and the sampling phase continue from an earlier worker; otherwise the first
 * walk runs before this returns.
 */
int loadavg_sampler_start(const struct cgroup_layout *layout, struct handover *handover, struct loadavg_sampler **ret);
void loadavg_sampler_stop(struct loadavg_sampler *s);

/* The load of a cgroup subtree: its averages and the running threads of the last sample. */
struct load_sample {
        struct loadavg avg;
        unsigned running;
};

/*
 * The summed averages and counts of the cgroup at path (relative to the
 * sampled hierarchy, as cgroup_path() gives it) and its descendants. Returns
 * -ENOENT when nothing under path has been sampled yet.
 */
int loadavg_sampler_get(struct loadavg_sampler *s, const char *path, struct load_sample *ret);

/*
 * How many walks over the hierarchy have completed. A sum from
 * loadavg_sampler_get() stays what it is until this count changes.
 */
unsigned loadavg_sampler_walks(struct loadavg_sampler *s);

/* The controller whose hierarchy the sampler walks. */
enum cg_controller loadavg_sampler_controller(const struct cgroup_layout *layout);

/* Run one walk now; for tests and the first sample. */
void loadavg_sampler_tick(struct loadavg_sampler *s);
