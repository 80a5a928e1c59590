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
};

int view_loadavg(struct view_context *ctx, struct strbuf *out);

uint64_t views_clock_ticks_per_sec(void);

/* The container's uptime in clock ticks; the host's for readers in the daemon's pid namespace. */
uint64_t views_container_uptime_ticks(const struct container *c);
