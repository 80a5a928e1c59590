/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The renderers on host files and container values at their extremes:
 * limits of 0 and above the host's memory, usage above the limit, host files
 * far larger than a page, and numbers at UINT64_MAX and beyond. Each gives a
 * well-formed file or -EINVAL (so the daemon serves the host's file).
 */
#include <errno.h>
#include <inttypes.h>

#include "cpuview.h"
#include "fileio.h"
#include "render.h"
#include "tree.h"

#define MIB (UINT64_C(1) << 20)

static const char host_meminfo[] = "MemTotal:        8000000 kB\n"
                                   "MemFree:         1000000 kB\n"
                                   "MemAvailable:    2000000 kB\n"
                                   "Cached:           500000 kB\n"
                                   "AnonPages:        300000 kB\n"
                                   "SwapTotal:       1000000 kB\n"
                                   "SwapFree:         900000 kB\n"
                                   "VmallocTotal:   34359738367 kB\n";

static uint64_t rendered_kb(const char *text, const char *key) {
        uint64_t kb = UINT64_MAX;

        (void) meminfo_get_kb(text, key, &kb);
        return kb;
}

TEST(hostile_meminfo_limit_zero) {
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cg_memory mem = { .limit = 0, .usage = 4096, .stat = { .cache = 8192, .active_file = 4096 } };

        ASSERT_OK(render_meminfo(host_meminfo, &mem, &out));
        ASSERT_EQ_U64(rendered_kb(out.data, "MemTotal"), 0);
        ASSERT_EQ_U64(rendered_kb(out.data, "MemFree"), 0);
        ASSERT_EQ_U64(rendered_kb(out.data, "MemAvailable"), 0);
        ASSERT_EQ_U64(rendered_kb(out.data, "Cached"), 0);
        ASSERT_EQ_U64(rendered_kb(out.data, "VmallocTotal"), UINT64_C(34359738367));
}

TEST(hostile_meminfo_limit_above_host) {
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cg_memory mem = { .limit = UINT64_C(64) << 40, .usage = 10 * MIB };

        /* A limit of 64 TiB on an 8 GB host: the host's MemTotal, and never more free memory than the host has. */
        ASSERT_OK(render_meminfo(host_meminfo, &mem, &out));
        ASSERT_EQ_U64(rendered_kb(out.data, "MemTotal"), 8000000);
        ASSERT_EQ_U64(rendered_kb(out.data, "MemFree"), 1000000);
        ASSERT_EQ_U64(rendered_kb(out.data, "MemAvailable"), 2000000);
}

TEST(hostile_meminfo_usage_above_limit) {
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cg_memory mem = {
                .limit = 50 * MIB,
                .usage = 60 * MIB,
                .stat = { .active_file = 30 * MIB, .inactive_file = 30 * MIB, .anon = 70 * MIB },
        };

        ASSERT_OK(render_meminfo(host_meminfo, &mem, &out));
        ASSERT_EQ_U64(rendered_kb(out.data, "MemTotal"), 51200);
        ASSERT_EQ_U64(rendered_kb(out.data, "MemFree"), 0);
        ASSERT_EQ_U64(rendered_kb(out.data, "MemAvailable"), 51200);
        ASSERT_EQ_U64(rendered_kb(out.data, "AnonPages"), 51200);
}

TEST(hostile_meminfo_u64_max_everywhere) {
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cg_memory mem = {
                .limit = CG_UNLIMITED,
                .usage = UINT64_MAX,
                .swap_accounting = true,
                .swap_limit = UINT64_MAX - 1,
                .swap_usage = UINT64_MAX,
                .stat = { .active_file = UINT64_MAX, .inactive_file = UINT64_MAX, .slab_reclaimable = UINT64_MAX },
        };
        static const char host[] = "MemTotal:       18446744073709551615 kB\n"
                                   "MemFree:        18446744073709551615 kB\n"
                                   "MemAvailable:   18446744073709551615 kB\n"
                                   "SwapTotal:      18446744073709551615 kB\n"
                                   "SwapFree:              0 kB\n";

        /*
         * MemAvailable = MemFree + the reclaimable sizes. The sum is beyond
         * UINT64_MAX and must stop there, not wrap to less than MemFree.
         */
        ASSERT_OK(render_meminfo(host, &mem, &out));
        ASSERT_EQ_U64(rendered_kb(out.data, "MemTotal"), UINT64_MAX);
        ASSERT_EQ_U64(rendered_kb(out.data, "MemFree"), UINT64_MAX - UINT64_MAX / 1024);
        ASSERT_EQ_U64(rendered_kb(out.data, "MemAvailable"), UINT64_MAX);
        ASSERT_EQ_U64(rendered_kb(out.data, "SwapTotal"), (UINT64_MAX - 1) / 1024);
        ASSERT_EQ_U64(rendered_kb(out.data, "SwapFree"), 0);
}

TEST(hostile_meminfo_number_beyond_u64) {
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cg_memory mem = { .limit = 50 * MIB };
        uint64_t kb;

        ASSERT_EQ_INT(meminfo_get_kb("MemTotal: 18446744073709551616 kB\n", "MemTotal", &kb), -EINVAL);
        ASSERT_EQ_INT(render_meminfo("MemTotal: 18446744073709551616 kB\n", &mem, &out), -EINVAL);
        ASSERT_EQ_INT(render_meminfo("MemTotal:\n", &mem, &out), -EINVAL);
        ASSERT_EQ_INT(render_meminfo("", &mem, &out), -EINVAL);
}

/* A host cpuinfo of n_cpus blocks of about 600 bytes each. */
static char *big_cpuinfo(unsigned n_cpus) {
        struct strbuf b = STRBUF_INIT;

        for (unsigned cpu = 0; cpu < n_cpus; cpu++) {
                strbuf_printf(&b, "processor\t: %u\nvendor_id\t: GenuineIntel\nmodel name\t: Hostile CPU\n", cpu);
                strbuf_puts(&b, "flags\t\t:");
                for (unsigned i = 0; i < 64; i++)
                        strbuf_puts(&b, " flag_xx");
                strbuf_puts(&b, "\n\n");
        }
        return strbuf_steal(&b, NULL);
}

TEST(hostile_cpuinfo_of_2_mib) {
        _cleanup_free_ char *host = big_cpuinfo(4096), *tree = tree_new(), *read_back = NULL;
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT, path = STRBUF_INIT;
        struct cpuset visible;
        size_t size;

        ASSERT_TRUE(host);
        ASSERT_TRUE(strlen(host) > 2 * MIB);

        /* The daemon reads host files whole, whatever their size. */
        ASSERT_TRUE(tree);
        ASSERT_OK(tree_write(tree, "cpuinfo", host));
        strbuf_printf(&path, "%s/cpuinfo", tree);
        ASSERT_OK(read_full_file_at(AT_FDCWD, path.data, &read_back, &size));
        ASSERT_EQ_U64(size, strlen(host));

        ASSERT_OK(cpuset_parse("0,4095", &visible));
        ASSERT_OK(render_cpuinfo(read_back, &visible, &out));
        ASSERT_TRUE(startswith(out.data, "processor\t: 0\n"));
        ASSERT_TRUE(strstr(out.data, "\n\nprocessor\t: 4095\n"));
        ASSERT_TRUE(!strstr(out.data, "processor\t: 1\n"));
        ASSERT_EQ_U64(out.len,
                      (size_t) (strstr(host, "processor\t: 1\n") - host) + strlen(strstr(host, "processor\t: 4095\n")));
}

TEST(hostile_cpuinfo_cpu_beyond_cpuset_max) {
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cpuset visible;

        ASSERT_OK(cpuset_parse("0", &visible));
        ASSERT_EQ_INT(render_cpuinfo("processor\t: 8192\n\n", &visible, &out), -EINVAL);
        strbuf_reset(&out);
        ASSERT_EQ_INT(render_cpuinfo("processor\t: 18446744073709551616\n\n", &visible, &out), -EINVAL);
}

TEST(hostile_stat_times_saturate) {
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        uint64_t percpu_user[2] = { UINT64_MAX, UINT64_MAX }, percpu_system[2] = { 0, 0 };
        struct cg_cpuacct acct = {
                .user_ns = UINT64_MAX,
                .n_cpus = 2,
                .percpu_user_ns = percpu_user,
                .percpu_system_ns = percpu_system,
        };
        struct cpu_history history = {};
        struct cpu_times percpu[2], total;
        struct cpuset visible;
        char line[256];

        /* An uptime near UINT64_MAX ticks on two CPUs: the idle sum saturates instead of wrapping. */
        ASSERT_OK(cpuset_parse("0-1", &visible));
        ASSERT_OK(cpuview_times(&visible, &acct, UINT64_MAX - 5, &history, percpu, &total));
        ASSERT_TRUE(percpu[0].idle > UINT64_MAX / 2);
        ASSERT_EQ_U64(total.idle, UINT64_MAX);
        ASSERT_EQ_U64(total.user, percpu[0].user + percpu[1].user);

        ASSERT_OK(render_stat("cpu  1 2 3 4 5 6 7 8 9 10\nintr 1\n", &visible, percpu, &total, &out));
        snprintf(line, sizeof(line), "cpu  %" PRIu64 " 0 %" PRIu64 " %" PRIu64 " 0 0 0 0 0 0", total.user, total.system,
                 total.idle);
        ASSERT_TRUE(startswith(out.data, line));
        cpu_history_done(&history);
}

TEST(hostile_diskstats_extremes) {
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cg_io_device device = { .major = 8, .rios = UINT64_MAX, .rbytes = UINT64_MAX };
        struct cg_io io = { .n_devices = 1, .devices = &device };

        ASSERT_OK(render_diskstats("   8       0 sda 1 2 3 4 5 6 7 8 9 10 11\n", &io, &out));
        ASSERT_STREQ(out.data, "   8       0 sda 18446744073709551615 0 36028797018963967 0 0 0 0 0 0 0 0\n");

        /* Device numbers above 32 bits, a number beyond UINT64_MAX and a short line are not the kernel's format. */
        strbuf_reset(&out);
        ASSERT_EQ_INT(render_diskstats("4294967296 0 sda 1 2 3 4 5 6 7 8 9 10 11\n", &io, &out), -EINVAL);
        ASSERT_EQ_INT(render_diskstats("18446744073709551616 0 sda 1 2 3 4 5 6 7 8 9 10 11\n", &io, &out), -EINVAL);
        ASSERT_EQ_INT(render_diskstats("8 0 sda 1 2 3\n", &io, &out), -EINVAL);
}
