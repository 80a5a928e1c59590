/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The CPU set a container sees, and its CPU times per visible CPU.
 *
 * V = effective cpuset ∩ host online CPUs; with a quota Q/P (and the quota
 * rule on) only the first min(|V|, ceil(Q/P)) CPUs of it. CPUs keep their
 * host numbers. /proc/cpuinfo, /proc/stat, /proc/uptime and
 * sys/devices/system/cpu all use the same V for one read.
 */
#pragma once

#include <stdint.h>

#include "cgroup.h"
#include "cpuset.h"

enum cpu_view_mode {
        CPU_VIEW_QUOTA, /* cpuset, narrowed by the cpu quota */
        CPU_VIEW_CPUSET, /* cpuset only */
};

/* Parse "quota" or "cpuset". */
int cpu_view_mode_from_string(const char *s, enum cpu_view_mode *ret);

/* cpu may be NULL (no cgroup data): V is then the host's online set. */
void cpuview_visible(const struct cpuset *host_online, const struct cg_cpu *cpu, enum cpu_view_mode mode,
                     struct cpuset *ret);

/* CPU times in USER_HZ ticks, as /proc/stat counts them. */
struct cpu_times {
        uint64_t user;
        uint64_t system;
        uint64_t idle;
};

/*
 * A counter that never goes backwards: when the raw source is reset (a
 * recreated cgroup, a restarted daemon) it continues from its last output.
 */
struct mono_counter {
        uint64_t last_raw;
        uint64_t offset;
        uint64_t last_out;
};

uint64_t mono_counter_update(struct mono_counter *c, uint64_t raw);

/*
 * Take other's state into c when other has shown a larger value, so that two
 * workers serving one container in turn never show a smaller one.
 */
void mono_counter_merge(struct mono_counter *c, const struct mono_counter *other);

/*
 * Per-container history so /proc/stat counters stay monotonic across reads.
 * Indexed by host CPU number. Not thread-safe: the caller locks.
 */
struct cpu_history {
        unsigned n_cpus;
        struct mono_counter *user;
        struct mono_counter *system;
        struct mono_counter *idle;
};

void cpu_history_done(struct cpu_history *h);

/* Make room for host CPU numbers below n_cpus; new counters start from zero. */
int cpu_history_reserve(struct cpu_history *h, unsigned n_cpus);

/*
 * Compute the CPU times of every CPU in V (ret_percpu[i] belongs to the i-th
 * CPU of V, so the array needs cpuset_count(V) entries) and their sum.
 *
 * With per-CPU accounting, a CPU of V gets its own usage, and usage on CPUs
 * outside V is spread evenly over V; without it the totals are spread evenly.
 * idle per CPU is uptime - busy, never negative. uptime_ticks is the
 * container's uptime. history may be NULL (no monotonic guarantee).
 */
int cpuview_times(const struct cpuset *visible, const struct cg_cpuacct *acct, uint64_t uptime_ticks,
                  struct cpu_history *history, struct cpu_times *ret_percpu, struct cpu_times *ret_total);
