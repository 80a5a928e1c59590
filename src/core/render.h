/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One renderer per virtual file. Each takes the host's file text (where the
 * container view keeps host lines) and parsed container values, and appends
 * the file's bytes to out. They return 0 or a negative errno (-ENOMEM, or
 * -EINVAL for host text they cannot parse, so the caller serves the host file).
 * After an error out may hold part of the file, so the caller resets it.
 */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "cpuset.h"
#include "cpuview.h"
#include "loadavg.h"
#include "strbuf.h"

/* Swap as a container sees it, in kB. */
struct swap_view {
        uint64_t total_kb;
        uint64_t used_kb;
};

/*
 * SwapTotal = min(effective swap limit, host SwapTotal); no swap without
 * swap accounting. host_meminfo provides the host's SwapTotal.
 */
int swap_view_compute(const char *host_meminfo, const struct cg_memory *mem, struct swap_view *ret);

int render_meminfo(const char *host_meminfo, const struct cg_memory *mem, struct strbuf *out);

/* The container's main memory figures, in kB, by the same rules as its meminfo. */
struct memory_view {
        uint64_t total_kb;
        uint64_t free_kb;
        uint64_t available_kb;
        uint64_t shared_kb;
        uint64_t swap_total_kb;
        uint64_t swap_free_kb;
};

int memory_view_compute(const char *host_meminfo, const struct cg_memory *mem, struct memory_view *ret);
int render_swaps(const struct swap_view *swap, struct strbuf *out);
int render_cpuinfo(const char *host_cpuinfo, const struct cpuset *visible, struct strbuf *out);

/* percpu has one entry per CPU of visible, in order; total is their sum. */
int render_stat(const char *host_stat, const struct cpuset *visible, const struct cpu_times *percpu,
                const struct cpu_times *total, struct strbuf *out);

/* Seconds, printed as "%.2f %.2f\n". */
int render_uptime(double uptime_sec, double idle_sec, struct strbuf *out);

struct loadavg_view {
        struct loadavg avg;
        unsigned running;
        unsigned total;
        pid_t last_pid; /* in the container's pid namespace */
};

int render_loadavg(const struct loadavg_view *view, struct strbuf *out);
int render_diskstats(const char *host_diskstats, const struct cg_io *io, struct strbuf *out);

/* A CPU list file of sys/devices/system/cpu (online, present, possible): "0-1\n". */
int render_cpulist(const struct cpuset *visible, struct strbuf *out);

/* The value of one "Key:   N kB" line of a meminfo text, in kB. */
int meminfo_get_kb(const char *meminfo, const char *key, uint64_t *ret);
