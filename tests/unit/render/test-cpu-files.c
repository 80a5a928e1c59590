/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <unistd.h>

#include "render-test.h"
#include "render.h"
#include "test.h"

static struct cpuset set_of(const char *list) {
        struct cpuset s;

        if (cpuset_parse(list, &s) < 0) {
                fprintf(stderr, "# invalid CPU list '%s'\n", list);
                cpuset_clear(&s);
        }
        return s;
}

/* The block of processor N of a cpuinfo text, including the blank line after it. */
static char *cpuinfo_block(const char *cpuinfo, unsigned n) {
        char header[64];
        const char *start, *end;

        snprintf(header, sizeof(header), "processor\t: %u\n", n);
        start = strstr(cpuinfo, header);
        if (!start)
                return NULL;
        end = strstr(start, "\n\n");
        end = end ? end + 2 : start + strlen(start);
        return strndup(start, (size_t) (end - start));
}

TEST(cpuinfo_selects_visible_blocks) {
        _cleanup_free_ char *host = host_fixture("cpuinfo-8cpu");
        _cleanup_free_ char *block0 = NULL, *block1 = NULL, *block4 = NULL;
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT, expected = STRBUF_INIT;
        struct cpuset visible = set_of("0-1,4");

        ASSERT_TRUE(host);
        block0 = cpuinfo_block(host, 0);
        block1 = cpuinfo_block(host, 1);
        block4 = cpuinfo_block(host, 4);
        ASSERT_TRUE(block0);
        ASSERT_TRUE(block1);
        ASSERT_TRUE(block4);

        ASSERT_OK(render_cpuinfo(host, &visible, &out));

        strbuf_puts(&expected, block0);
        strbuf_puts(&expected, block1);
        strbuf_puts(&expected, block4);
        ASSERT_STREQ(out.data, expected.data);
        ASSERT_TRUE(strstr(out.data, "processor\t: 4\n"));
        ASSERT_TRUE(!strstr(out.data, "processor\t: 2\n"));
}

TEST(cpuinfo_recorded_host_keeps_all) {
        _cleanup_free_ char *host = host_fixture("cpuinfo");
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cpuset visible = set_of("0-8191");

        ASSERT_TRUE(host);
        ASSERT_OK(render_cpuinfo(host, &visible, &out));
        ASSERT_STREQ(out.data, host);
}

TEST(cpuinfo_single_cpu_of_recorded_host) {
        _cleanup_free_ char *host = host_fixture("cpuinfo");
        _cleanup_free_ char *block1 = NULL;
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cpuset visible = set_of("1");

        ASSERT_TRUE(host);
        block1 = cpuinfo_block(host, 1);
        ASSERT_TRUE(block1);
        ASSERT_OK(render_cpuinfo(host, &visible, &out));
        ASSERT_STREQ(out.data, block1);
}

TEST(cpuinfo_keeps_trailing_machine_block) {
        static const char host[] = "processor\t: 0\nBogoMIPS\t: 100.00\n\n"
                                   "processor\t: 1\nBogoMIPS\t: 100.00\n\n"
                                   "Hardware\t: Example board\nRevision\t: 0000";
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cpuset visible = set_of("1");

        ASSERT_OK(render_cpuinfo(host, &visible, &out));
        ASSERT_STREQ(out.data, "processor\t: 1\nBogoMIPS\t: 100.00\n\n"
                               "Hardware\t: Example board\nRevision\t: 0000");
}

TEST(cpuinfo_rejects_unknown_layout) {
        /*
         * The first text is s390's layout: one line per processor inside a
         * single block, which cannot be narrowed.
         */
        static const char *const bad[] = {
                "vendor_id       : IBM/S390\n"
                "# processors    : 2\n"
                "processor 0: version = FF,  identification = 0133E8,  machine = 2964\n"
                "processor 1: version = FF,  identification = 0133E8,  machine = 2964\n",
                "processor\t: x\n\n",
                "processor\t: 99999\n\n",
                "",
        };
        struct cpuset visible = set_of("0");

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;

                ASSERT_EQ_INT(render_cpuinfo(bad[i], &visible, &out), -EINVAL);
        }
}

static void times_for(const struct cpuset *visible, struct cpu_times *percpu, struct cpu_times *total) {
        unsigned i = 0;

        *total = (struct cpu_times){};
        CPUSET_FOREACH(cpu, visible) {
                percpu[i] = (struct cpu_times){
                        .user = 100 + (uint64_t) cpu,
                        .system = 10 + (uint64_t) cpu,
                        .idle = 1000 + (uint64_t) cpu,
                };
                total->user += percpu[i].user;
                total->system += percpu[i].system;
                total->idle += percpu[i].idle;
                i++;
        }
}

TEST(stat_cpu_lines_for_view) {
        _cleanup_free_ char *host = host_fixture("stat-8cpu");
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cpuset visible = set_of("0-1,4");
        struct cpu_times percpu[3], total;
        const char *rest;

        ASSERT_TRUE(host);
        times_for(&visible, percpu, &total);
        ASSERT_OK(render_stat(host, &visible, percpu, &total, &out));

        ASSERT_TRUE(startswith(out.data, "cpu  305 0 35 3005 0 0 0 0 0 0\n"
                                         "cpu0 100 0 10 1000 0 0 0 0 0 0\n"
                                         "cpu1 101 0 11 1001 0 0 0 0 0 0\n"
                                         "cpu4 104 0 14 1004 0 0 0 0 0 0\n"
                                         "intr "));

        /* Everything after the cpu lines is the host's, unchanged. */
        rest = strstr(host, "\nintr ");
        ASSERT_TRUE(rest);
        ASSERT_STREQ(strstr(out.data, "\nintr "), rest);
}

TEST(stat_recorded_host_other_lines) {
        _cleanup_free_ char *host = host_fixture("stat");
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cpuset visible = set_of("1");
        struct cpu_times percpu[1], total;
        static const char *const keys[] = { "intr ",          "ctxt ",          "btime ",  "processes ",
                                            "procs_running ", "procs_blocked ", "softirq " };

        ASSERT_TRUE(host);
        times_for(&visible, percpu, &total);
        ASSERT_OK(render_stat(host, &visible, percpu, &total, &out));

        ASSERT_TRUE(startswith(out.data, "cpu  101 0 11 1001 0 0 0 0 0 0\ncpu1 101 0 11 1001 0 0 0 0 0 0\n"));
        ASSERT_TRUE(!strstr(out.data, "\ncpu0 "));
        ASSERT_EQ_U64(count_lines(out.data), count_lines(host) - 1);

        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                char host_line[8192], out_line[8192];

                ASSERT_TRUE(find_line(host, keys[i], host_line, sizeof(host_line)));
                ASSERT_STREQ(find_line(out.data, keys[i], out_line, sizeof(out_line)), host_line);
        }
}

TEST(stat_follows_host_field_count) {
        static const char host[] = "cpu  1 2 3 4\n"
                                   "cpu0 1 2 3 4\n"
                                   "ctxt 42";
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cpuset visible = set_of("0");
        struct cpu_times percpu[1] = { { .user = 5, .system = 6, .idle = 7 } }, total = percpu[0];

        ASSERT_OK(render_stat(host, &visible, percpu, &total, &out));
        ASSERT_STREQ(out.data, "cpu  5 0 6 7\ncpu0 5 0 6 7\nctxt 42");
}

TEST(stat_rejects_bad_host_text) {
        static const char *const bad[] = {
                "",
                "intr 1 2 3\nctxt 5\n",
                "cpu  1 2\nctxt 5\n",
                "cpu  1 2 3 4\ncpu  1 2 3 4\n",
        };
        struct cpuset visible = set_of("0");
        struct cpu_times percpu[1] = {}, total = {};

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;

                ASSERT_EQ_INT(render_stat(bad[i], &visible, percpu, &total, &out), -EINVAL);
        }
}

TEST(stat_from_cpuview_times) {
        _cleanup_free_ char *host = host_fixture("stat-8cpu");
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cpuset visible = set_of("2-3");
        struct cg_cpuacct acct = { .user_ns = UINT64_C(3000000000), .system_ns = UINT64_C(1000000000) };
        struct cpu_times percpu[2], total;
        uint64_t hz = (uint64_t) sysconf(_SC_CLK_TCK);
        char line[256], expected[256];

        ASSERT_TRUE(host);
        ASSERT_OK(cpuview_times(&visible, &acct, 10 * hz, NULL, percpu, &total));
        ASSERT_OK(render_stat(host, &visible, percpu, &total, &out));

        /* 3 s user and 1 s system over two CPUs, 10 s uptime: 20 s minus 4 s busy is idle. */
        snprintf(expected, sizeof(expected), "cpu  %" PRIu64 " 0 %" PRIu64 " %" PRIu64 " 0 0 0 0 0 0", 3 * hz, hz,
                 16 * hz);
        ASSERT_STREQ(find_line(out.data, "cpu ", line, sizeof(line)), expected);
        snprintf(expected, sizeof(expected), "cpu3 %" PRIu64 " 0 %" PRIu64 " %" PRIu64 " 0 0 0 0 0 0", 3 * hz / 2,
                 hz / 2, 8 * hz);
        ASSERT_STREQ(find_line(out.data, "cpu3 ", line, sizeof(line)), expected);
}

TEST(cpulist_formats) {
        static const struct {
                const char *list;
                const char *expected;
        } cases[] = {
                { "0-1", "0-1\n" }, { "0", "0\n" }, { "0-1,4", "0-1,4\n" }, { "2,5-6", "2,5-6\n" }, { "", "\n" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
                struct cpuset visible = set_of(cases[i].list);

                ASSERT_OK(render_cpulist(&visible, &out));
                ASSERT_STREQ(out.data, cases[i].expected);
        }
}
