/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The virtual files: for one reader, gather the host's file and the reader's
 * container values, and render the file. Whenever the container cannot be
 * found or its cgroups cannot be read, the host's file is served instead, so
 * a reader never sees an error or a made-up number.
 */
#pragma once

#include <sys/sysinfo.h>
#include <sys/types.h>

#include "cgroup.h"
#include "container.h"
#include "cpuview.h"
#include "sampler.h"
#include "strbuf.h"

enum view_file {
        VIEW_MEMINFO,
        VIEW_CPUINFO,
        VIEW_STAT,
        VIEW_UPTIME,
        VIEW_DISKSTATS,
        VIEW_SWAPS,
        VIEW_LOADAVG,
        VIEW_CPU_ONLINE,
        VIEW_CPU_PRESENT,
        VIEW_CPU_POSSIBLE,
        VIEW_CPU_OFFLINE,
        _VIEW_FILE_MAX,
};

struct handover;

struct views {
        const struct cgroup_layout *layout;
        struct handover *handover; /* NULL when no state is kept across restarts */
        struct container_cache *cache;
        struct loadavg_sampler *sampler;
        enum cpu_view_mode cpu_view;
};

/* The file's name in its directory ("meminfo", "online"). */
const char *view_file_name(enum view_file f);

/* The host file it replaces. */
const char *view_file_host_path(enum view_file f);

/* Render file f as reader sees it. Returns 0, or -ENOMEM. */
int views_render(struct views *v, enum view_file f, pid_t reader, struct strbuf *out);

/*
 * Fill struct sysinfo for the container of caller. Returns -EOPNOTSUPP for a
 * caller that should get the kernel's answer (a host process), or another
 * negative errno when the container cannot be read.
 */
int views_sysinfo(struct views *v, pid_t caller, struct sysinfo *ret);

/* The CPUs reader may see (V), for listing sys/devices/system/cpu. */
void views_visible_cpus(struct views *v, pid_t reader, struct cpuset *ret);
