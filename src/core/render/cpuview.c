/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The visible CPU set V of a container and its CPU times per CPU of V, shared
 * by the cpuinfo, stat, uptime and sys/devices/system/cpu renderers.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "cpuview.h"
#include "macro.h"

#define NSEC_PER_SEC UINT64_C(1000000000)

/* USER_HZ on almost every Linux architecture (alpha uses 1024), for when sysconf() fails. */
#define USER_HZ_DEFAULT 100

int cpu_view_mode_from_string(const char *s, enum cpu_view_mode *ret) {
        if (!s)
                return -EINVAL;

        if (streq(s, "quota"))
                *ret = CPU_VIEW_QUOTA;
        else if (streq(s, "cpuset"))
                *ret = CPU_VIEW_CPUSET;
        else
                return -EINVAL;

        return 0;
}

void cpuview_visible(const struct cpuset *host_online, const struct cg_cpu *cpu, enum cpu_view_mode mode,
                     struct cpuset *ret) {
        struct cpuset visible = *host_online;
        unsigned n;

        if (!cpu) {
                *ret = visible;
                return;
        }

        if (cpu->has_cpuset)
                cpuset_intersect(&visible, &cpu->cpuset);

        /*
         * A cpuset that shares no CPU with the online ones (a stale
         * cpuset.cpus read while CPUs go offline) would hide every CPU, so
         * the container sees the host's online CPUs instead.
         */
        if (cpuset_is_empty(&visible))
                visible = *host_online;

        if (mode != CPU_VIEW_QUOTA || cpu->quota_us == CG_UNLIMITED || cpu->period_us == 0) {
                *ret = visible;
                return;
        }

        /* ceil(Q/P) CPUs are enough to run the quota, and a quota below one period still needs one. */
        n = (unsigned) u64_min(cpu->quota_us / cpu->period_us + (cpu->quota_us % cpu->period_us != 0),
                               cpuset_count(&visible));
        cpuset_keep_first(&visible, n > 0 ? n : 1);
        *ret = visible;
}

uint64_t mono_counter_update(struct mono_counter *c, uint64_t raw) {
        uint64_t out;

        /*
         * On a decrease, continue from the last output. Counting the new raw
         * value on top of it would make a slightly shrinking idle time jump.
         */
        if (raw < c->last_raw)
                c->offset = c->last_out - raw;

        c->last_raw = raw;
        out = raw + c->offset;
        if (out < raw)
                out = UINT64_MAX; /* saturate rather than wrap */
        else if (out < c->last_out)
                out = c->last_out; /* state not produced by this function */

        c->last_out = out;
        return out;
}

void mono_counter_merge(struct mono_counter *c, const struct mono_counter *other) {
        if (other->last_out > c->last_out)
                *c = *other;
}

void cpu_history_done(struct cpu_history *h) {
        if (!h)
                return;

        free(h->user);
        free(h->system);
        free(h->idle);
        *h = (struct cpu_history){};
}

static int grow_counters(struct mono_counter **counters, unsigned old_n, unsigned new_n) {
        struct mono_counter *grown;

        grown = reallocarray(*counters, new_n, sizeof(**counters));
        if (!grown)
                return -ENOMEM;

        memset(grown + old_n, 0, (size_t) (new_n - old_n) * sizeof(*grown));
        *counters = grown;
        return 0;
}

/* Make room for host CPU numbers below n_cpus. Counters of new CPUs start from zero. */
int cpu_history_reserve(struct cpu_history *h, unsigned n_cpus) {
        int r;

        if (n_cpus <= h->n_cpus)
                return 0;

        r = grow_counters(&h->user, h->n_cpus, n_cpus);
        if (r < 0)
                return r;
        r = grow_counters(&h->system, h->n_cpus, n_cpus);
        if (r < 0)
                return r;
        r = grow_counters(&h->idle, h->n_cpus, n_cpus);
        if (r < 0)
                return r;

        h->n_cpus = n_cpus;
        return 0;
}

static uint64_t user_hz(void) {
        long hz = sysconf(_SC_CLK_TCK);

        return hz > 0 ? (uint64_t) hz : USER_HZ_DEFAULT;
}

/* floor(ns * hz / 1e9) without overflowing 64 bits. */
static uint64_t ns_to_ticks(uint64_t ns, uint64_t hz) {
        return ns / NSEC_PER_SEC * hz + ns % NSEC_PER_SEC * hz / NSEC_PER_SEC;
}

/* Share of the i-th of n CPUs when ticks are spread evenly, the remainder going to the first CPUs. */
static uint64_t spread_share(uint64_t ticks, unsigned i, unsigned n) {
        return ticks / n + (i < ticks % n);
}

/* Busy ticks per CPU of V, before the monotonic step. */
static void cpuview_busy(const struct cpuset *visible, unsigned n_visible, const struct cg_cpuacct *acct, uint64_t hz,
                         struct cpu_times *percpu) {
        uint64_t outside_user_ns = 0, outside_system_ns = 0, outside_user, outside_system;
        unsigned i = 0;

        if (acct->n_cpus == 0) {
                uint64_t user = ns_to_ticks(acct->user_ns, hz), system = ns_to_ticks(acct->system_ns, hz);

                for (i = 0; i < n_visible; i++)
                        percpu[i] = (struct cpu_times){
                                .user = spread_share(user, i, n_visible),
                                .system = spread_share(system, i, n_visible),
                        };
                return;
        }

        /* The container may have run on CPUs outside V, and that time still counts. */
        for (unsigned cpu = 0; cpu < acct->n_cpus; cpu++) {
                if (cpuset_has(visible, cpu))
                        continue;
                outside_user_ns = u64_add_saturate(outside_user_ns, acct->percpu_user_ns[cpu]);
                outside_system_ns = u64_add_saturate(outside_system_ns, acct->percpu_system_ns[cpu]);
        }
        outside_user = ns_to_ticks(outside_user_ns, hz);
        outside_system = ns_to_ticks(outside_system_ns, hz);

        CPUSET_FOREACH(cpu, visible) {
                bool accounted = (unsigned) cpu < acct->n_cpus;

                percpu[i] = (struct cpu_times){
                        .user = (accounted ? ns_to_ticks(acct->percpu_user_ns[cpu], hz) : 0) +
                                spread_share(outside_user, i, n_visible),
                        .system = (accounted ? ns_to_ticks(acct->percpu_system_ns[cpu], hz) : 0) +
                                  spread_share(outside_system, i, n_visible),
                };
                i++;
        }
}

int cpuview_times(const struct cpuset *visible, const struct cg_cpuacct *acct, uint64_t uptime_ticks,
                  struct cpu_history *history, struct cpu_times *ret_percpu, struct cpu_times *ret_total) {
        static const struct cg_cpuacct no_usage = {};
        struct cpu_times total = {};
        unsigned n_visible, i = 0;
        int last = 0;
        int r;

        if (!visible || !ret_percpu || !ret_total)
                return -EINVAL;

        n_visible = cpuset_count(visible);
        if (n_visible == 0)
                return -EINVAL;

        if (history) {
                /* The highest CPU of V decides how many counters the history needs. */
                CPUSET_FOREACH(cpu, visible)
                last = cpu;
                r = cpu_history_reserve(history, (unsigned) last + 1);
                if (r < 0)
                        return r;
        }

        cpuview_busy(visible, n_visible, acct ? acct : &no_usage, user_hz(), ret_percpu);

        CPUSET_FOREACH(cpu, visible) {
                struct cpu_times *t = &ret_percpu[i++];

                t->idle = u64_sub_floor(uptime_ticks, t->user + t->system);

                if (history) {
                        t->user = mono_counter_update(&history->user[cpu], t->user);
                        t->system = mono_counter_update(&history->system[cpu], t->system);
                        t->idle = mono_counter_update(&history->idle[cpu], t->idle);
                }

                /*
                 * The total is summed after the monotonic step so it equals
                 * the sum of the lines. NOTE: the total can still drop when
                 * V loses a CPU, because that CPU's counters leave the sum.
                 */
                total.user = u64_add_saturate(total.user, t->user);
                total.system = u64_add_saturate(total.system, t->system);
                total.idle = u64_add_saturate(total.idle, t->idle);
        }

        *ret_total = total;
        return 0;
}
