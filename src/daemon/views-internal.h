/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "container.h"
#include "cpuset.h"
#include "strbuf.h"
#include "views.h"

/* Everything one render needs about the reader's container. */
struct view_context {
        struct views *views;
        pid_t reader;
        struct container *container;
        struct cpuset visible;
        uint64_t visible_versions[2]; /* of the host's online CPUs and the container's CPU limits */
};

int view_loadavg(struct view_context *ctx, struct strbuf *out);

uint64_t views_clock_ticks_per_sec(void);

/* CLOCK_MONOTONIC in milliseconds, the clock of the per-container caches. */
uint64_t views_now_ms(void);

/* The container's uptime in clock ticks; the host's for readers in the daemon's pid namespace. */
uint64_t views_container_uptime_ticks(const struct container *c);

/*
 * The container's memory and CPU limits from its cgroup, reused for a short
 * time so that many reads of one container do not each walk its cgroup tree.
 */
int views_container_memory(struct container *c, struct cg_memory *ret, uint64_t *ret_version);
int views_container_cpu(struct container *c, struct cg_cpu *ret, uint64_t *ret_version);
