/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The CPU view end to end: the visible set, the CPU times and /proc/stat,
 * sys/devices/system/cpu/online and /proc/uptime. The input starts with a
 * mode byte and two 64-bit uptimes in ticks, followed by five NUL-separated
 * texts: the host's online CPU list, the cgroup's cpuset, its cpu.max, its
 * cpuacct.usage_all (or cpu.stat) and the host's /proc/stat.
 */
#include <errno.h>
#include <inttypes.h>

#include "cpuview.h"
#include "fuzz.h"
#include "render.h"

int fuzz_stat(const uint8_t *data, size_t size);

enum { PART_ONLINE, PART_CPUSET, PART_CPU_MAX, PART_CPUACCT, PART_HOST_STAT, N_PARTS };

/* Parse " N N N..." after a cpu label; returns the number of values. */
static unsigned parse_times(const char *p, uint64_t values[static 10]) {
        unsigned n = 0;

        while (n < 10 && *p == ' ') {
                char *end;

                values[n++] = strtoull(p + 1, &end, 10);
                p = end;
        }
        FUZZ_CHECK(*p == '\n');
        return n;
}

/* The "cpu" line is the sum of the "cpuN" lines, and there is one cpuN line per visible CPU, in order. */
static void check_stat(const char *out, const struct cpuset *visible) {
        uint64_t total[10] = {}, sum[10] = {}, values[10];
        unsigned n_total = 0, n_lines = 0;
        int expected_cpu = cpuset_next(visible, 0);
        const char *line;

        for (line = out; *line != '\0'; line = strchr(line, '\n') + 1) {
                if (startswith(line, "cpu ")) {
                        FUZZ_CHECK(n_total == 0);
                        n_total = parse_times(line + 3, total);
                        FUZZ_CHECK(n_total >= 4);
                } else if (startswith(line, "cpu") && line[3] >= '0' && line[3] <= '9') {
                        char *end;
                        unsigned long cpu = strtoul(line + 3, &end, 10);

                        FUZZ_CHECK(n_total > 0);
                        FUZZ_CHECK((int) cpu == expected_cpu);
                        FUZZ_CHECK(parse_times(end, values) == n_total);
                        for (unsigned i = 0; i < n_total; i++)
                                sum[i] = __builtin_add_overflow(sum[i], values[i], &sum[i]) ? UINT64_MAX : sum[i];
                        expected_cpu = cpuset_next(visible, (unsigned) cpu + 1);
                        n_lines++;
                }
                if (!strchr(line, '\n'))
                        break;
        }

        FUZZ_CHECK(n_lines == cpuset_count(visible));
        FUZZ_CHECK(memcmp(total, sum, sizeof(total)) == 0);
}

static void read_cpu(const struct fuzz_parts *parts, struct cg_cpu *ret) {
        *ret = (struct cg_cpu){ .quota_us = CG_UNLIMITED, .period_us = 100000 };

        if (parts->part[PART_CPUSET])
                ret->has_cpuset = cpuset_parse(parts->part[PART_CPUSET], &ret->cpuset) == 0;
        if (parts->part[PART_CPU_MAX] &&
            cg_parse_cpu_max(parts->part[PART_CPU_MAX], &ret->quota_us, &ret->period_us) < 0)
                *ret = (struct cg_cpu){ .has_cpuset = ret->has_cpuset,
                                        .cpuset = ret->cpuset,
                                        .quota_us = CG_UNLIMITED,
                                        .period_us = 100000 };
}

/* Compute the times twice, the second time later, and check the counters never go back. */
static int compute_times(const struct cpuset *visible, const struct cg_cpuacct *acct, uint64_t uptime1,
                         uint64_t uptime2, struct cpu_times *percpu, struct cpu_times *total) {
        struct cpu_history history = {};
        unsigned n = cpuset_count(visible);
        struct cpu_times *first = calloc(n, sizeof(*first)), first_total;
        int r;

        FUZZ_CHECK(first);
        r = cpuview_times(visible, acct, uptime1, &history, first, &first_total);
        if (r < 0)
                goto finish;
        r = cpuview_times(visible, acct, uptime2, &history, percpu, total);
        if (r < 0)
                goto finish;

        for (unsigned i = 0; i < n; i++) {
                FUZZ_CHECK(percpu[i].user >= first[i].user);
                FUZZ_CHECK(percpu[i].system >= first[i].system);
                FUZZ_CHECK(percpu[i].idle >= first[i].idle);
        }

finish:
        cpu_history_done(&history);
        free(first);
        return r;
}

static void render_all(const char *host_stat, const struct cpuset *visible, const struct cpu_times *percpu,
                       const struct cpu_times *total, uint64_t uptime) {
        struct strbuf out = STRBUF_INIT;
        struct cpuset listed;
        int r;

        r = render_stat(host_stat, visible, percpu, total, &out);
        if (r == 0)
                check_stat(out.data ?: "", visible);
        else
                FUZZ_CHECK(r == -EINVAL);

        strbuf_reset(&out);
        FUZZ_CHECK(render_cpulist(visible, &out) == 0);
        FUZZ_CHECK(cpuset_parse(out.data, &listed) == 0 && cpuset_equal(&listed, visible));

        strbuf_reset(&out);
        FUZZ_CHECK(render_uptime((double) uptime / 100, (double) total->idle / 100, &out) == 0);

        strbuf_free(&out);
}

int fuzz_stat(const uint8_t *data, size_t size) {
        enum cpu_view_mode mode = fuzz_take_u8(&data, &size) & 1 ? CPU_VIEW_CPUSET : CPU_VIEW_QUOTA;
        uint64_t uptime1 = fuzz_take_u64(&data, &size), uptime2 = fuzz_take_u64(&data, &size);
        struct fuzz_parts parts = fuzz_split(data, size, N_PARTS);
        struct cg_cpuacct acct = {};
        struct cpu_times *percpu = NULL, total;
        struct cpuset online, visible;
        bool has_acct = false;
        struct cg_cpu cpu;

        if (!parts.part[PART_ONLINE] || cpuset_parse(parts.part[PART_ONLINE], &online) < 0 || cpuset_is_empty(&online))
                goto finish;

        read_cpu(&parts, &cpu);
        cpuview_visible(&online, &cpu, mode, &visible);
        FUZZ_CHECK(!cpuset_is_empty(&visible));
        for (int c = cpuset_next(&visible, 0); c >= 0; c = cpuset_next(&visible, (unsigned) c + 1))
                FUZZ_CHECK(cpuset_has(&online, (unsigned) c));

        if (parts.part[PART_CPUACCT])
                has_acct = cg_parse_cpuacct_usage_all(parts.part[PART_CPUACCT], &acct) == 0 ||
                           cg_parse_cpu_stat(parts.part[PART_CPUACCT], &acct) == 0;

        percpu = calloc(cpuset_count(&visible), sizeof(*percpu));
        FUZZ_CHECK(percpu);
        if (compute_times(&visible, has_acct ? &acct : NULL, uptime1, u64_max(uptime1, uptime2), percpu, &total) < 0)
                goto finish;

        if (parts.part[PART_HOST_STAT])
                render_all(parts.part[PART_HOST_STAT], &visible, percpu, &total, uptime2);

finish:
        free(percpu);
        cg_cpuacct_done(&acct);
        fuzz_parts_free(&parts);
        return 0;
}

FUZZ_DEFINE_ENTRY(fuzz_stat)
