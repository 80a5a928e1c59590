/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Load averages computed the way the kernel computes them (kernel/sched/loadavg.c):
 * every 5 s the number of runnable plus uninterruptible tasks is folded into
 * three exponentially decaying averages kept in 11-bit fixed point.
 */
#pragma once

#include <stdint.h>

#define LOADAVG_FSHIFT 11
#define LOADAVG_FIXED_1 (1UL << LOADAVG_FSHIFT)
#define LOADAVG_INTERVAL_SEC 5

struct loadavg {
        unsigned long avg[3]; /* 1, 5 and 15 minutes, fixed point */
};

/* Fold one sample of active (running + uninterruptible) tasks into the averages. */
void loadavg_update(struct loadavg *l, unsigned long active);

/* Fold `missed` sampling periods with the same sample at once. */
void loadavg_update_n(struct loadavg *l, unsigned long active, unsigned missed);

/* Add b into a, for summing the averages of a cgroup subtree. */
void loadavg_add(struct loadavg *a, const struct loadavg *b);
