/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fileio.h"
#include "handover.h"
#include "hostfiles.h"
#include "log.h"
#include "procfs.h"
#include "render.h"
#include "views-internal.h"

struct view_file_info {
        const char *name;
        const char *host_path;
};

static const struct view_file_info view_files[_VIEW_FILE_MAX] = {
        [VIEW_MEMINFO] = { "meminfo", "/proc/meminfo" },
        [VIEW_CPUINFO] = { "cpuinfo", "/proc/cpuinfo" },
        [VIEW_STAT] = { "stat", "/proc/stat" },
        [VIEW_UPTIME] = { "uptime", "/proc/uptime" },
        [VIEW_DISKSTATS] = { "diskstats", "/proc/diskstats" },
        [VIEW_SWAPS] = { "swaps", "/proc/swaps" },
        [VIEW_LOADAVG] = { "loadavg", "/proc/loadavg" },
        [VIEW_CPU_ONLINE] = { "online", "/sys/devices/system/cpu/online" },
        [VIEW_CPU_PRESENT] = { "present", "/sys/devices/system/cpu/present" },
        [VIEW_CPU_POSSIBLE] = { "possible", "/sys/devices/system/cpu/possible" },
        [VIEW_CPU_OFFLINE] = { "offline", "/sys/devices/system/cpu/offline" },
};

const char *view_file_name(enum view_file f) {
        return view_files[f].name;
}

const char *view_file_host_path(enum view_file f) {
        return view_files[f].host_path;
}

static int render_host_file(enum view_file f, struct strbuf *out) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r;

        strbuf_reset(out);

        r = read_full_file_at(AT_FDCWD, view_files[f].host_path, &text, &len);
        if (r < 0) {
                log_ratelimited(LOG_WARNING, r, "Failed to read '%s': %m", view_files[f].host_path);
                /* An empty file is still well-formed; an error would break the reader. */
                return strbuf_error(out);
        }

        strbuf_append(out, text, len);
        return strbuf_error(out);
}

/*
 * Return how old a host file may be when a view uses it: /proc/cpuinfo and the CPU
 * list change only with hotplug, the counters of meminfo and stat constantly.
 */
static unsigned host_file_max_age_ms(const char *path) {
        if (streq(path, "/proc/cpuinfo") || startswith(path, "/sys/"))
                return 1000;
        return 100;
}

/* Read a host file through the cache, with the version of its content. */
static int read_host_file(const char *path, char **ret, uint64_t *ret_version) {
        int r;

        r = hostfile_read_versioned(path, host_file_max_age_ms(path), ret, ret_version);
        if (r < 0)
                return log_ratelimited(LOG_WARNING, r, "Failed to read '%s': %m", path);
        return 0;
}

uint64_t views_clock_ticks_per_sec(void) {
        static long hz;

        if (hz <= 0)
                hz = sysconf(_SC_CLK_TCK);
        return hz > 0 ? (uint64_t) hz : 100;
}

static uint64_t boottime_ticks(void) {
        struct timespec ts;

        clock_gettime(CLOCK_BOOTTIME, &ts);
        return (uint64_t) ts.tv_sec * views_clock_ticks_per_sec() +
               (uint64_t) ts.tv_nsec * views_clock_ticks_per_sec() / 1000000000u;
}

/* Find the host's online CPUs, and the version of what they were read from (0 when unknown). */
static void host_online_cpus(struct cpuset *ret, uint64_t *ret_version) {
        _cleanup_free_ char *text = NULL;

        if (hostfile_read_versioned("/sys/devices/system/cpu/online", 1000, &text, ret_version) >= 0 &&
            cpuset_parse(text, ret) >= 0)
                return;

        /* Without sysfs, number the CPUs from 0 up to glibc's count of online CPUs. */
        *ret_version = 0;
        cpuset_clear(ret);
        for (long i = 0; i < sysconf(_SC_NPROCESSORS_ONLN); i++)
                cpuset_add(ret, (unsigned) i);
}

/*
 * How long cgroup values are reused. Usage and counters move constantly (like the
 * host files, reused 100 ms), limits, quotas and cpusets only when an operator changes them.
 */
#define USAGE_MAX_AGE_MS 100
#define CPU_MAX_AGE_MS 1000

uint64_t views_now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

int views_container_memory(struct container *c, struct cg_memory *ret, uint64_t *ret_version) {
        uint64_t now = views_now_ms();
        int r = 0;

        pthread_mutex_lock(&c->lock);
        if (container_value_due(c, now, c->memory_until_ms)) {
                r = cgroup_read_memory(c->cgroup, &c->memory);
                c->memory_until_ms = r >= 0 ? now + USAGE_MAX_AGE_MS : 0;
                c->memory_version++;
        }
        if (r >= 0)
                *ret = c->memory;
        if (ret_version)
                *ret_version = c->memory_version;
        pthread_mutex_unlock(&c->lock);

        return r;
}

int views_container_cpu(struct container *c, struct cg_cpu *ret, uint64_t *ret_version) {
        uint64_t now = views_now_ms();
        int r = 0;

        pthread_mutex_lock(&c->lock);
        if (container_value_due(c, now, c->cpu_until_ms)) {
                r = cgroup_read_cpu(c->cgroup, &c->cpu);
                c->cpu_until_ms = r >= 0 ? now + CPU_MAX_AGE_MS : 0;
                c->cpu_version++;
        }
        if (r >= 0)
                *ret = c->cpu;
        if (ret_version)
                *ret_version = c->cpu_version;
        pthread_mutex_unlock(&c->lock);

        return r;
}

/*
 * Reread c's CPU usage once it is USAGE_MAX_AGE_MS old, with the uptime of the same
 * moment, because idle time is uptime minus usage. Called with c->lock held.
 */
static int refresh_cpuacct_locked(struct container *c) {
        uint64_t now = views_now_ms();
        struct cg_cpuacct acct = {};
        int r;

        if (!container_value_due(c, now, c->cpuacct_until_ms))
                return 0;

        r = cgroup_read_cpuacct(c->cgroup, &acct);
        if (r < 0) {
                c->cpuacct_until_ms = 0;
                return r;
        }

        cg_cpuacct_done(&c->cpuacct);
        c->cpuacct = acct;
        c->cpuacct_version++;
        c->cpuacct_uptime_ticks = views_container_uptime_ticks(c);
        c->cpuacct_until_ms = now + USAGE_MAX_AGE_MS;
        return 0;
}

static int io_copy(const struct cg_io *src, struct cg_io *ret) {
        struct cg_io_device *devices = NULL;

        if (src->n_devices > 0) {
                devices = malloc(src->n_devices * sizeof(*devices));
                if (!devices)
                        return -ENOMEM;
                memcpy(devices, src->devices, src->n_devices * sizeof(*devices));
        }

        *ret = (struct cg_io){ .n_devices = src->n_devices, .devices = devices };
        return 0;
}

/* A copy of the container's I/O counters, reused like its memory usage. Free it with cg_io_done(). */
static int container_io(struct container *c, struct cg_io *ret) {
        uint64_t now = views_now_ms();
        struct cg_io io = {};
        int r = 0;

        pthread_mutex_lock(&c->lock);
        if (container_value_due(c, now, c->io_until_ms)) {
                r = cgroup_read_io(c->cgroup, &io);
                if (r >= 0) {
                        cg_io_done(&c->io);
                        c->io = io;
                }
                c->io_until_ms = r >= 0 ? now + USAGE_MAX_AGE_MS : 0;
        }
        if (r >= 0)
                r = io_copy(&c->io, ret);
        pthread_mutex_unlock(&c->lock);

        return r;
}

/* Find the CPUs visible to c, and the versions of the host's and c's files they come from (0 when unknown). */
static void compute_visible(struct views *v, struct container *c, struct cpuset *ret, uint64_t ret_versions[2]) {
        struct cpuset online;
        struct cg_cpu cpu;

        host_online_cpus(&online, &ret_versions[0]);

        if (!c || c->root_cgroup || views_container_cpu(c, &cpu, &ret_versions[1]) < 0) {
                ret_versions[1] = 0;
                cpuview_visible(&online, NULL, v->cpu_view, ret);
                return;
        }

        cpuview_visible(&online, &cpu, v->cpu_view, ret);
}

uint64_t views_container_uptime_ticks(const struct container *c) {
        uint64_t now = boottime_ticks();

        if (c->host_pidns)
                return now;
        return u64_sub_floor(now, c->start_ticks);
}

/*
 * Memos of rendered files. A container that reads a file again before any of
 * its inputs is read again gets the same bytes without a new render.
 */
enum { MEMO_MEMINFO, MEMO_STAT, MEMO_CPUINFO };

/* A key part for an input the file does not have. */
#define MEMO_NO_INPUT UINT64_MAX

/* A file is kept only when the container rendered it this recently before, so it is likely read again. */
#define MEMO_AFTER_RENDER_MS 1000

static bool memo_key_known(const uint64_t key[4]) {
        for (size_t i = 0; i < 4; i++)
                if (key[i] == 0)
                        return false;
        return true;
}

/* Append c's memo of file memo to out if it was rendered from the inputs of key. */
static bool memo_get(struct container *c, unsigned memo, const uint64_t key[4], struct strbuf *out) {
        const struct view_memo *m = &c->memos[memo];
        bool hit;

        if (!memo_key_known(key))
                return false;

        pthread_mutex_lock(&c->lock);
        hit = m->data && memcmp(m->key, key, sizeof(m->key)) == 0;
        if (hit)
                strbuf_append(out, m->data, m->len);
        pthread_mutex_unlock(&c->lock);

        return hit && strbuf_error(out) >= 0;
}

/* Whether every input of key is at least as new as in old. */
static bool memo_key_not_older(const uint64_t key[4], const uint64_t old[4]) {
        for (size_t i = 0; i < 4; i++)
                if (key[i] < old[i])
                        return false;
        return true;
}

/* Whether memo m should take a new render: the last one was recent, and the memo has no newer inputs. */
static bool memo_should_keep(const struct view_memo *m, const uint64_t key[4], uint64_t now) {
        if (m->rendered_ms == 0 || now - m->rendered_ms >= MEMO_AFTER_RENDER_MS)
                return false;
        return !m->data || memo_key_not_older(key, m->key);
}

/* Keep out as c's memo of file memo, rendered from the inputs of key, when memo_should_keep() agrees. */
static void memo_put(struct container *c, unsigned memo, const uint64_t key[4], const struct strbuf *out) {
        struct view_memo *m = &c->memos[memo];
        uint64_t now = views_now_ms();
        char *copy;

        if (!memo_key_known(key) || strbuf_error(out) < 0)
                return;

        pthread_mutex_lock(&c->lock);

        if (memo_should_keep(m, key, now)) {
                copy = realloc(m->data, out->len + 1);
                if (copy) {
                        memcpy(copy, out->data, out->len);
                        m->data = copy;
                        m->len = out->len;
                        memcpy(m->key, key, sizeof(m->key));
                }
        }
        m->rendered_ms = now;

        pthread_mutex_unlock(&c->lock);
}

/* Key of a container's CPU history in the handover region. */
static uint64_t history_key_a(const struct container *c) {
        return c->host_pidns ? handover_hash(c->cgroup_text) : c->pidns_ino;
}

static uint64_t history_key_b(const struct container *c) {
        return c->host_pidns ? UINT64_MAX : c->start_ticks;
}

/*
 * Continue from the counters another worker showed this container: an earlier
 * one, or the other one while both serve during a reload. Called with c->lock held.
 */
static void merge_history_locked(struct views *v, struct container *c) {
        if (v->handover)
                handover_merge_cpu(v->handover, history_key_a(c), history_key_b(c), &c->history, &c->history_seq);
}

/* Per-CPU times of the visible CPUs, kept monotonic through the container's history. */
static int compute_cpu_times(struct view_context *ctx, struct cpu_times **ret_percpu, struct cpu_times *ret_total,
                             uint64_t *ret_version) {
        _cleanup_free_ struct cpu_times *percpu = NULL;
        struct container *c = ctx->container;
        int r;

        percpu = calloc(cpuset_count(&ctx->visible) + 1, sizeof(*percpu));
        if (!percpu)
                return -ENOMEM;

        pthread_mutex_lock(&c->lock);
        r = refresh_cpuacct_locked(c);
        if (r >= 0) {
                merge_history_locked(ctx->views, c);
                r = cpuview_times(&ctx->visible, &c->cpuacct, c->cpuacct_uptime_ticks, &c->history, percpu, ret_total);
                *ret_version = c->cpuacct_version;
        }
        if (r >= 0 && ctx->views->handover)
                handover_save_cpu(ctx->views->handover, history_key_a(c), history_key_b(c), &c->history,
                                  &c->history_seq);
        pthread_mutex_unlock(&c->lock);
        if (r < 0)
                return r;

        *ret_percpu = TAKE_PTR(percpu);
        return 0;
}

static int view_meminfo(struct view_context *ctx, struct strbuf *out) {
        uint64_t key[4] = { 0, 0, MEMO_NO_INPUT, MEMO_NO_INPUT };
        _cleanup_free_ char *host = NULL;
        struct cg_memory mem;
        int r;

        r = views_container_memory(ctx->container, &mem, &key[0]);
        if (r < 0)
                return r;
        r = read_host_file("/proc/meminfo", &host, &key[1]);
        if (r < 0)
                return r;

        if (memo_get(ctx->container, MEMO_MEMINFO, key, out))
                return 0;

        r = render_meminfo(host, &mem, out);
        if (r >= 0)
                memo_put(ctx->container, MEMO_MEMINFO, key, out);
        return r;
}

static int view_swaps(struct view_context *ctx, struct strbuf *out) {
        _cleanup_free_ char *host = NULL;
        struct swap_view swap;
        struct cg_memory mem;
        uint64_t version;
        int r;

        r = views_container_memory(ctx->container, &mem, NULL);
        if (r < 0)
                return r;
        r = read_host_file("/proc/meminfo", &host, &version);
        if (r < 0)
                return r;
        r = swap_view_compute(host, &mem, &swap);
        if (r < 0)
                return r;

        return render_swaps(&swap, out);
}

static int view_cpuinfo(struct view_context *ctx, struct strbuf *out) {
        uint64_t key[4] = { 0, ctx->visible_versions[0], ctx->visible_versions[1], MEMO_NO_INPUT };
        _cleanup_free_ char *host = NULL;
        int r;

        r = read_host_file("/proc/cpuinfo", &host, &key[0]);
        if (r < 0)
                return r;

        if (memo_get(ctx->container, MEMO_CPUINFO, key, out))
                return 0;

        r = render_cpuinfo(host, &ctx->visible, out);
        if (r >= 0)
                memo_put(ctx->container, MEMO_CPUINFO, key, out);
        return r;
}

/* Reread c's CPU usage if it is due, and return the version of the usage c contains now. */
static int current_cpuacct_version(struct container *c, uint64_t *ret) {
        int r;

        pthread_mutex_lock(&c->lock);
        r = refresh_cpuacct_locked(c);
        *ret = c->cpuacct_version;
        pthread_mutex_unlock(&c->lock);

        return r;
}

static int view_stat(struct view_context *ctx, struct strbuf *out) {
        uint64_t key[4] = { 0, ctx->visible_versions[0], ctx->visible_versions[1], 0 };
        _cleanup_free_ struct cpu_times *percpu = NULL;
        _cleanup_free_ char *host = NULL;
        struct cpu_times total;
        int r;

        r = read_host_file("/proc/stat", &host, &key[0]);
        if (r < 0)
                return r;
        r = current_cpuacct_version(ctx->container, &key[3]);
        if (r < 0)
                return r;

        if (memo_get(ctx->container, MEMO_STAT, key, out))
                return 0;

        /* The key takes the version this render used, which another thread may have made newer meanwhile. */
        r = compute_cpu_times(ctx, &percpu, &total, &key[3]);
        if (r < 0)
                return r;

        r = render_stat(host, &ctx->visible, percpu, &total, out);
        if (r >= 0)
                memo_put(ctx->container, MEMO_STAT, key, out);
        return r;
}

static int view_uptime(struct view_context *ctx, struct strbuf *out) {
        _cleanup_free_ struct cpu_times *percpu = NULL;
        struct container *c = ctx->container;
        double hz = (double) views_clock_ticks_per_sec();
        uint64_t uptime = views_container_uptime_ticks(c);
        struct cpu_times total;
        uint64_t version;
        double idle;
        int r;

        if (c->host_pidns)
                return -EOPNOTSUPP; /* readers sharing the host's pid namespace see the host's uptime */

        r = compute_cpu_times(ctx, &percpu, &total, &version);
        if (r >= 0)
                idle = (double) total.idle / hz;
        else
                /* No CPU accounting: count every visible CPU as idle. */
                idle = (double) cpuset_count(&ctx->visible) * (double) uptime / hz;

        return render_uptime((double) uptime / hz, idle, out);
}

static int view_diskstats(struct view_context *ctx, struct strbuf *out) {
        _cleanup_free_ char *host = NULL;
        struct cg_io io = {};
        uint64_t version;
        int r;

        r = container_io(ctx->container, &io);
        if (r < 0)
                return r;

        r = read_host_file("/proc/diskstats", &host, &version);
        if (r >= 0)
                r = render_diskstats(host, &io, out);

        cg_io_done(&io);
        return r;
}

static int view_cpulist(struct view_context *ctx, struct strbuf *out) {
        return render_cpulist(&ctx->visible, out);
}

static int view_cpu_offline(struct view_context *ctx, struct strbuf *out) {
        strbuf_puts(out, "\n");
        return strbuf_error(out);
}

typedef int (*view_render_fn)(struct view_context *ctx, struct strbuf *out);

static const view_render_fn view_renderers[_VIEW_FILE_MAX] = {
        [VIEW_MEMINFO] = view_meminfo,      [VIEW_CPUINFO] = view_cpuinfo,         [VIEW_STAT] = view_stat,
        [VIEW_UPTIME] = view_uptime,        [VIEW_DISKSTATS] = view_diskstats,     [VIEW_SWAPS] = view_swaps,
        [VIEW_LOADAVG] = view_loadavg,      [VIEW_CPU_ONLINE] = view_cpulist,      [VIEW_CPU_PRESENT] = view_cpulist,
        [VIEW_CPU_POSSIBLE] = view_cpulist, [VIEW_CPU_OFFLINE] = view_cpu_offline,
};

/*
 * A reader whose cgroup for the file's controller is the hierarchy's root is
 * the host for that file: the root cgroup's figures are the host's, and the
 * host file shows them with every field.
 */
static bool reader_is_host_for(struct views *v, const struct container *c, enum view_file f) {
        enum cg_controller controller;
        const char *path;

        switch (f) {
        case VIEW_MEMINFO:
        case VIEW_SWAPS:
                controller = CG_MEMORY;
                break;
        case VIEW_STAT:
                controller = CG_CPUACCT;
                break;
        case VIEW_DISKSTATS:
                controller = CG_BLKIO;
                break;
        case VIEW_LOADAVG:
                controller = loadavg_sampler_controller(v->layout);
                break;
        default:
                return false;
        }

        path = cgroup_path(c->cgroup, controller);
        return path && streq(path, "/");
}

/* The files whose content depends on the visible CPU set. */
static bool view_needs_cpus(enum view_file f) {
        switch (f) {
        case VIEW_CPUINFO:
        case VIEW_STAT:
        case VIEW_UPTIME:
        case VIEW_CPU_ONLINE:
        case VIEW_CPU_PRESENT:
        case VIEW_CPU_POSSIBLE:
                return true;
        default:
                return false;
        }
}

static int render_once(struct views *v, enum view_file f, pid_t reader, struct strbuf *out, bool may_retry) {
        struct view_context ctx = { .views = v, .reader = reader };
        int r;

        strbuf_reset(out);

        r = container_lookup(v->cache, reader, &ctx.container);
        if (r < 0) {
                log_ratelimited(LOG_DEBUG, r, "Serving the host's %s to pid %d, its container was not found: %m",
                                view_files[f].name, (int) reader);
                return render_host_file(f, out);
        }

        if (ctx.container->root_cgroup || reader_is_host_for(v, ctx.container, f)) {
                container_unref(v->cache, ctx.container);
                return render_host_file(f, out);
        }

        if (view_needs_cpus(f))
                compute_visible(v, ctx.container, &ctx.visible, ctx.visible_versions);

        r = view_renderers[f](&ctx, out);
        if (r < 0 && r != -ENOMEM && r != -EOPNOTSUPP && may_retry &&
            container_cache_drop_stale(v->cache, ctx.container)) {
                container_unref(v->cache, ctx.container);
                return -ESTALE;
        }
        container_unref(v->cache, ctx.container);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                if (r != -EOPNOTSUPP)
                        log_ratelimited(LOG_DEBUG, r, "Serving the host's %s to pid %d: %m", view_files[f].name,
                                        (int) reader);
                return render_host_file(f, out);
        }

        return strbuf_error(out);
}

/*
 * Render f for reader. When the container's cgroup was removed under it,
 * which makes the renderer fail, render once more from its new cgroups
 * rather than show the host's file between two container views.
 */
int views_render(struct views *v, enum view_file f, pid_t reader, struct strbuf *out) {
        int r;

        r = render_once(v, f, reader, out, true);
        if (r == -ESTALE)
                r = render_once(v, f, reader, out, false);
        return r;
}

void views_visible_cpus(struct views *v, pid_t reader, struct cpuset *ret) {
        struct container *c = NULL;
        uint64_t versions[2];

        if (container_lookup(v->cache, reader, &c) < 0)
                c = NULL;

        compute_visible(v, c, ret, versions);
        container_unref(v->cache, c);
}
