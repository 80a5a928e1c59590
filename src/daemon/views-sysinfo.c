/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * struct sysinfo as a container should see it, computed with the same rules
 * as its meminfo, uptime and loadavg.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>

#include "fileio.h"
#include "hostfiles.h"
#include "log.h"
#include "render.h"
#include "views-internal.h"

/* sysinfo(2) reports loads with 16 fractional bits; the averages keep LOADAVG_FSHIFT. */
#define SYSINFO_LOAD_SHIFT 16

static int fill_memory(struct view_context *ctx, struct sysinfo *si) {
        _cleanup_free_ char *host = NULL;
        struct memory_view view;
        struct cg_memory mem;
        int r;

        r = views_container_memory(ctx->container, &mem, NULL);
        if (r < 0)
                return r;
        r = hostfile_read("/proc/meminfo", 100, &host);
        if (r < 0)
                return r;
        r = memory_view_compute(host, &mem, &view);
        if (r < 0)
                return r;

        si->mem_unit = 1;
        si->totalram = view.total_kb * 1024;
        si->freeram = view.free_kb * 1024;
        si->sharedram = view.shared_kb * 1024;
        si->bufferram = 0;
        si->totalswap = view.swap_total_kb * 1024;
        si->freeswap = view.swap_free_kb * 1024;
        si->totalhigh = 0;
        si->freehigh = 0;
        return 0;
}

static void fill_load(struct view_context *ctx, struct sysinfo *si) {
        enum cg_controller controller = loadavg_sampler_controller(ctx->views->layout);
        const char *path = cgroup_path(ctx->container->cgroup, controller);
        struct load_sample sample = {};
        _cleanup_free_ pid_t *tids = NULL;
        size_t n = 0;

        if (path)
                (void) loadavg_sampler_get(ctx->views->sampler, path, &sample);
        for (size_t i = 0; i < 3; i++)
                si->loads[i] = sample.avg.avg[i] << (SYSINFO_LOAD_SHIFT - LOADAVG_FSHIFT);

        if (cgroup_read_tasks(ctx->container->cgroup, &tids, &n) >= 0)
                si->procs = (unsigned short) (n > USHRT_MAX ? USHRT_MAX : n);
}

int views_sysinfo(struct views *v, pid_t caller, struct sysinfo *ret) {
        struct view_context ctx = { .views = v, .reader = caller };
        struct sysinfo si = {};
        int r;

        r = container_lookup(v->cache, caller, &ctx.container);
        if (r < 0)
                return r;

        /* A caller on the host, or in the root cgroup, gets the kernel's own answer. */
        if (ctx.container->host_pidns || ctx.container->root_cgroup) {
                container_unref(v->cache, ctx.container);
                return -EOPNOTSUPP;
        }

        r = fill_memory(&ctx, &si);
        if (r >= 0) {
                si.uptime = (long) (views_container_uptime_ticks(ctx.container) / views_clock_ticks_per_sec());
                fill_load(&ctx, &si);
                *ret = si;
        }

        container_unref(v->cache, ctx.container);
        return r;
}
