/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Load averages per cgroup, sampled in a background thread.
 *
 * Every 5 s the sampler walks the CPU hierarchy (pids when CPU is not
 * mounted), counts the runnable and uninterruptible threads of each cgroup
 * and folds the count into that cgroup's averages. A cgroup is sampled from
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
int loadavg_sampler_start(const struct cgroup_layout *layout, struct handover *handover,
                          struct loadavg_sampler **ret);
void loadavg_sampler_stop(struct loadavg_sampler *s);

/*
 * The summed averages of the cgroup at path (relative to the sampled
 * hierarchy, as cgroup_path() gives it) and its descendants. Returns -ENOENT
 * when nothing under path has been sampled yet.
 */
int loadavg_sampler_get(struct loadavg_sampler *s, const char *path, struct loadavg *ret);

/* The controller whose hierarchy the sampler walks. */
enum cg_controller loadavg_sampler_controller(const struct cgroup_layout *layout);

/* Run one walk now; for tests and the first sample. */
void loadavg_sampler_tick(struct loadavg_sampler *s);
