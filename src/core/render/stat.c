/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/stat as a container sees it. The "cpu" line and one "cpuN" line per
 * visible CPU carry the container's own times. Every other line (intr, ctxt,
 * btime, processes, procs_running, procs_blocked, softirq) is the host's.
 */
#include <errno.h>
#include <inttypes.h>

#include "hosttext.h"
#include "macro.h"
#include "render.h"

/* user nice system idle iowait irq softirq steal guest guest_nice */
#define STAT_CPU_MAX_FIELDS 10
/* Kernels before 2.6.11 print only user nice system idle. */
#define STAT_CPU_MIN_FIELDS 4

/* The kind of a /proc/stat line. */
enum stat_line_kind {
        STAT_LINE_CPU_TOTAL,
        STAT_LINE_CPU_N,
        STAT_LINE_OTHER,
};

static enum stat_line_kind stat_line_kind(const struct text_line *line) {
        if (line->len < 4 || !startswith(line->start, "cpu"))
                return STAT_LINE_OTHER;
        if (line->start[3] == ' ' || line->start[3] == '\t')
                return STAT_LINE_CPU_TOTAL;
        if (line->start[3] >= '0' && line->start[3] <= '9')
                return STAT_LINE_CPU_N;
        return STAT_LINE_OTHER;
}

/* Append the values of one cpu line: the container's times and zeros for what it does not account. */
static void stat_put_times(const struct cpu_times *t, unsigned n_fields, struct strbuf *out) {
        uint64_t fields[STAT_CPU_MAX_FIELDS] = {
                [0] = t->user,
                [2] = t->system,
                [3] = t->idle,
        };

        for (unsigned i = 0; i < n_fields; i++)
                strbuf_printf(out, " %" PRIu64, fields[i]);
        strbuf_puts(out, "\n");
}

static void stat_put_cpu_lines(const struct cpuset *visible, const struct cpu_times *percpu,
                               const struct cpu_times *total, unsigned n_fields, struct strbuf *out) {
        size_t i = 0;

        /* The kernel pads "cpu" to the width of "cpuN" with a second space. */
        strbuf_puts(out, "cpu ");
        stat_put_times(total, n_fields, out);

        CPUSET_FOREACH(cpu, visible) {
                strbuf_printf(out, "cpu%d", cpu);
                stat_put_times(&percpu[i++], n_fields, out);
        }
}

int render_stat(const char *host_stat, const struct cpuset *visible, const struct cpu_times *percpu,
                const struct cpu_times *total, struct strbuf *out) {
        const char *cursor = host_stat;
        struct text_line line;
        bool found_total = false;

        if (!host_stat || !visible || !percpu || !total)
                return -EINVAL;

        while (text_next_line(&cursor, &line)) {
                unsigned n_fields;

                switch (stat_line_kind(&line)) {
                case STAT_LINE_OTHER:
                        strbuf_append(out, line.start, line.size);
                        break;

                case STAT_LINE_CPU_N:
                        break;

                case STAT_LINE_CPU_TOTAL:
                        /* Print as many fields as the host's kernel does. */
                        n_fields = line_count_fields(&line) - 1;
                        if (found_total || n_fields < STAT_CPU_MIN_FIELDS)
                                return -EINVAL;

                        found_total = true;
                        stat_put_cpu_lines(visible, percpu, total, (unsigned) u64_min(n_fields, STAT_CPU_MAX_FIELDS),
                                           out);
                        break;
                }
        }

        if (!found_total)
                return -EINVAL;

        return strbuf_error(out);
}
