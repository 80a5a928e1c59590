/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <unistd.h>

#include "cpuview.h"
#include "render-test.h"
#include "test.h"

static struct cpuset set_of(const char *list) {
        struct cpuset s;

        if (cpuset_parse(list, &s) < 0) {
                fprintf(stderr, "# invalid CPU list '%s'\n", list);
                cpuset_clear(&s);
        }
        return s;
}

/* The view of a cgroup with a cpuset and a quota of quota_us per 100 ms. */
static struct cg_cpu cpu_limits(const char *cpuset, uint64_t quota_us) {
        return (struct cg_cpu){
                .has_cpuset = true,
                .cpuset = set_of(cpuset),
                .quota_us = quota_us,
                .period_us = 100000,
        };
}

static const char *visible_list(const struct cpuset *visible, struct strbuf *buf) {
        strbuf_reset(buf);
        cpuset_format(visible, buf);
        return buf->data ? buf->data : "";
}

static uint64_t ns_per_tick(void) {
        return UINT64_C(1000000000) / (uint64_t) sysconf(_SC_CLK_TCK);
}

TEST(cpu_view_mode_parses_names) {
        enum cpu_view_mode mode = CPU_VIEW_CPUSET;

        ASSERT_OK(cpu_view_mode_from_string("quota", &mode));
        ASSERT_EQ_INT(mode, CPU_VIEW_QUOTA);
        ASSERT_OK(cpu_view_mode_from_string("cpuset", &mode));
        ASSERT_EQ_INT(mode, CPU_VIEW_CPUSET);
        ASSERT_EQ_INT(cpu_view_mode_from_string("Quota", &mode), -EINVAL);
        ASSERT_EQ_INT(cpu_view_mode_from_string("", &mode), -EINVAL);
        ASSERT_EQ_INT(cpu_view_mode_from_string(NULL, &mode), -EINVAL);
        ASSERT_EQ_INT(mode, CPU_VIEW_CPUSET);
}

TEST(cpuview_visible_cpuset_only) {
        _cleanup_strbuf_ struct strbuf buf = STRBUF_INIT;
        struct cpuset online = set_of("0-7"), visible;
        struct cg_cpu cpu = cpu_limits("0-1,4", CG_UNLIMITED);

        cpuview_visible(&online, &cpu, CPU_VIEW_QUOTA, &visible);
        ASSERT_STREQ(visible_list(&visible, &buf), "0-1,4");
}

TEST(cpuview_visible_intersects_online) {
        _cleanup_strbuf_ struct strbuf buf = STRBUF_INIT;
        struct cpuset online = set_of("0-3"), visible;
        struct cg_cpu cpu = cpu_limits("2-5", CG_UNLIMITED);

        cpuview_visible(&online, &cpu, CPU_VIEW_QUOTA, &visible);
        ASSERT_STREQ(visible_list(&visible, &buf), "2-3");
}

TEST(cpuview_visible_half_cpu_quota) {
        _cleanup_strbuf_ struct strbuf buf = STRBUF_INIT;
        struct cpuset online = set_of("0-7"), visible;
        struct cg_cpu cpu = cpu_limits("0-1,4", 50000);

        cpuview_visible(&online, &cpu, CPU_VIEW_QUOTA, &visible);
        ASSERT_STREQ(visible_list(&visible, &buf), "0");
}

TEST(cpuview_visible_one_and_half_cpu_quota) {
        _cleanup_strbuf_ struct strbuf buf = STRBUF_INIT;
        struct cpuset online = set_of("0-7"), visible;
        struct cg_cpu cpu = cpu_limits("0-1,4", 150000);

        cpuview_visible(&online, &cpu, CPU_VIEW_QUOTA, &visible);
        ASSERT_STREQ(visible_list(&visible, &buf), "0-1");
}

TEST(cpuview_visible_quota_keeps_cpuset_order) {
        _cleanup_strbuf_ struct strbuf buf = STRBUF_INIT;
        struct cpuset online = set_of("0-7"), visible;
        struct cg_cpu cpu = cpu_limits("2,5-6", 200000);

        cpuview_visible(&online, &cpu, CPU_VIEW_QUOTA, &visible);
        ASSERT_STREQ(visible_list(&visible, &buf), "2,5");
}

TEST(cpuview_visible_exact_quota) {
        _cleanup_strbuf_ struct strbuf buf = STRBUF_INIT;
        struct cpuset online = set_of("0-7"), visible;
        struct cg_cpu cpu = cpu_limits("0-7", 300000);

        cpuview_visible(&online, &cpu, CPU_VIEW_QUOTA, &visible);
        ASSERT_STREQ(visible_list(&visible, &buf), "0-2");
}

TEST(cpuview_visible_tiny_quota_keeps_one_cpu) {
        _cleanup_strbuf_ struct strbuf buf = STRBUF_INIT;
        struct cpuset online = set_of("0-7"), visible;
        struct cg_cpu cpu = cpu_limits("3-7", 1000);

        cpuview_visible(&online, &cpu, CPU_VIEW_QUOTA, &visible);
        ASSERT_STREQ(visible_list(&visible, &buf), "3");
}

TEST(cpuview_visible_quota_above_cpuset) {
        _cleanup_strbuf_ struct strbuf buf = STRBUF_INIT;
        struct cpuset online = set_of("0-7"), visible;
        struct cg_cpu cpu = cpu_limits("0-1,4", 800000);

        cpuview_visible(&online, &cpu, CPU_VIEW_QUOTA, &visible);
        ASSERT_STREQ(visible_list(&visible, &buf), "0-1,4");
}

TEST(cpuview_visible_quota_rule_off) {
        _cleanup_strbuf_ struct strbuf buf = STRBUF_INIT;
        struct cpuset online = set_of("0-7"), visible;
        struct cg_cpu cpu = cpu_limits("0-1,4", 50000);

        cpuview_visible(&online, &cpu, CPU_VIEW_CPUSET, &visible);
        ASSERT_STREQ(visible_list(&visible, &buf), "0-1,4");
}

TEST(cpuview_visible_without_cpuset) {
        _cleanup_strbuf_ struct strbuf buf = STRBUF_INIT;
        struct cpuset online = set_of("0-5"), visible;
        struct cg_cpu cpu = cpu_limits("", 250000);

        cpu.has_cpuset = false;
        cpuview_visible(&online, &cpu, CPU_VIEW_QUOTA, &visible);
        ASSERT_STREQ(visible_list(&visible, &buf), "0-2");

        cpuview_visible(&online, NULL, CPU_VIEW_QUOTA, &visible);
        ASSERT_STREQ(visible_list(&visible, &buf), "0-5");
}

TEST(cpuview_visible_disjoint_cpuset) {
        _cleanup_strbuf_ struct strbuf buf = STRBUF_INIT;
        struct cpuset online = set_of("0-3"), visible;
        struct cg_cpu cpu = cpu_limits("8-9", CG_UNLIMITED);

        cpuview_visible(&online, &cpu, CPU_VIEW_QUOTA, &visible);
        ASSERT_STREQ(visible_list(&visible, &buf), "0-3");
}

TEST(mono_counter_rises_with_source) {
        struct mono_counter c = {};

        ASSERT_EQ_U64(mono_counter_update(&c, 0), 0);
        ASSERT_EQ_U64(mono_counter_update(&c, 100), 100);
        ASSERT_EQ_U64(mono_counter_update(&c, 100), 100);
        ASSERT_EQ_U64(mono_counter_update(&c, 250), 250);
}

TEST(mono_counter_continues_after_reset) {
        struct mono_counter c = {};

        ASSERT_EQ_U64(mono_counter_update(&c, 1000), 1000);
        ASSERT_EQ_U64(mono_counter_update(&c, 10), 1000);
        ASSERT_EQ_U64(mono_counter_update(&c, 30), 1020);
        ASSERT_EQ_U64(mono_counter_update(&c, 5), 1020);
        ASSERT_EQ_U64(mono_counter_update(&c, 6), 1021);
}

TEST(mono_counter_saturates) {
        struct mono_counter c = {};

        ASSERT_EQ_U64(mono_counter_update(&c, UINT64_MAX - 1), UINT64_MAX - 1);
        ASSERT_EQ_U64(mono_counter_update(&c, 1), UINT64_MAX - 1);
        ASSERT_EQ_U64(mono_counter_update(&c, 5), UINT64_MAX);
        ASSERT_EQ_U64(mono_counter_update(&c, 7), UINT64_MAX);
}

/*
 * A new worker takes over a counter early, and the old one goes on serving
 * through a drop of the raw value. Merging the old worker's counter keeps
 * the new one from showing less than the old one did.
 */
TEST(mono_counter_merge_keeps_two_workers_monotonic) {
        struct mono_counter old_worker = {}, new_worker, unmerged;

        ASSERT_EQ_U64(mono_counter_update(&old_worker, 800), 800);
        new_worker = old_worker;
        ASSERT_EQ_U64(mono_counter_update(&old_worker, 1000), 1000);
        ASSERT_EQ_U64(mono_counter_update(&old_worker, 900), 1000);
        ASSERT_EQ_U64(mono_counter_update(&old_worker, 950), 1050);

        unmerged = new_worker;
        ASSERT_EQ_U64(mono_counter_update(&unmerged, 960), 960);

        mono_counter_merge(&new_worker, &old_worker);
        ASSERT_EQ_U64(mono_counter_update(&new_worker, 960), 1060);
}

TEST(mono_counter_merge_ignores_smaller) {
        struct mono_counter c = { .last_raw = 500, .offset = 40, .last_out = 540 };
        struct mono_counter older = { .last_raw = 490, .offset = 40, .last_out = 530 };

        mono_counter_merge(&c, &older);
        ASSERT_EQ_U64(c.last_out, 540);
        ASSERT_EQ_U64(mono_counter_update(&c, 510), 550);
}

/* Fill acct with the v1 per-CPU accounting of an 8-CPU host, from values in ticks. */
static void acct_set(struct cg_cpuacct *acct, uint64_t *user, uint64_t *system, const uint64_t user_ticks[8],
                     const uint64_t system_ticks[8]) {
        *acct = (struct cg_cpuacct){ .n_cpus = 8, .percpu_user_ns = user, .percpu_system_ns = system };
        for (unsigned i = 0; i < 8; i++) {
                user[i] = user_ticks[i] * ns_per_tick();
                system[i] = system_ticks[i] * ns_per_tick();
                acct->user_ns += user[i];
                acct->system_ns += system[i];
        }
}

TEST(cpuview_times_per_cpu) {
        static const uint64_t user_ticks[8] = { 100, 200, 0, 0, 400, 0, 0, 0 };
        static const uint64_t system_ticks[8] = { 10, 20, 0, 0, 40, 0, 0, 0 };
        uint64_t user[8], system[8];
        struct cpuset visible = set_of("0-1,4");
        struct cg_cpuacct acct;
        struct cpu_times percpu[3], total;

        acct_set(&acct, user, system, user_ticks, system_ticks);
        ASSERT_OK(cpuview_times(&visible, &acct, 1000, NULL, percpu, &total));

        ASSERT_EQ_U64(percpu[0].user, 100);
        ASSERT_EQ_U64(percpu[0].system, 10);
        ASSERT_EQ_U64(percpu[0].idle, 890);
        ASSERT_EQ_U64(percpu[1].user, 200);
        ASSERT_EQ_U64(percpu[1].system, 20);
        ASSERT_EQ_U64(percpu[1].idle, 780);
        ASSERT_EQ_U64(percpu[2].user, 400);
        ASSERT_EQ_U64(percpu[2].system, 40);
        ASSERT_EQ_U64(percpu[2].idle, 560);
        ASSERT_EQ_U64(total.user, 700);
        ASSERT_EQ_U64(total.system, 70);
        ASSERT_EQ_U64(total.idle, 890 + 780 + 560);
}

TEST(cpuview_times_folds_usage_outside_view) {
        /* CPUs 2, 3 and 7 are outside V: 10 + 0 + 1 user ticks, 2 + 3 + 0 system ticks. */
        static const uint64_t user_ticks[8] = { 100, 200, 10, 0, 400, 0, 0, 1 };
        static const uint64_t system_ticks[8] = { 10, 20, 2, 3, 40, 0, 0, 0 };
        uint64_t user[8], system[8];
        struct cpuset visible = set_of("0-1,4");
        struct cg_cpuacct acct;
        struct cpu_times percpu[3], total;

        acct_set(&acct, user, system, user_ticks, system_ticks);
        ASSERT_OK(cpuview_times(&visible, &acct, 1000, NULL, percpu, &total));

        /* 11 user ticks over 3 CPUs give 4, 4 and 3, and 5 system ticks give 2, 2 and 1. */
        ASSERT_EQ_U64(percpu[0].user, 104);
        ASSERT_EQ_U64(percpu[1].user, 204);
        ASSERT_EQ_U64(percpu[2].user, 403);
        ASSERT_EQ_U64(percpu[0].system, 12);
        ASSERT_EQ_U64(percpu[1].system, 22);
        ASSERT_EQ_U64(percpu[2].system, 41);
        ASSERT_EQ_U64(total.user, 711);
        ASSERT_EQ_U64(total.system, 75);
        ASSERT_EQ_U64(total.idle, percpu[0].idle + percpu[1].idle + percpu[2].idle);
}

TEST(cpuview_times_without_per_cpu_accounting) {
        struct cpuset visible = set_of("1,3");
        struct cg_cpuacct acct = {
                .user_ns = 301 * ns_per_tick(),
                .system_ns = 51 * ns_per_tick() + 1,
        };
        struct cpu_times percpu[2], total;

        ASSERT_OK(cpuview_times(&visible, &acct, 500, NULL, percpu, &total));

        ASSERT_EQ_U64(percpu[0].user, 151);
        ASSERT_EQ_U64(percpu[1].user, 150);
        ASSERT_EQ_U64(percpu[0].system, 26);
        ASSERT_EQ_U64(percpu[1].system, 25);
        ASSERT_EQ_U64(percpu[0].idle, 500 - 151 - 26);
        ASSERT_EQ_U64(percpu[1].idle, 500 - 150 - 25);
        ASSERT_EQ_U64(total.user, 301);
        ASSERT_EQ_U64(total.system, 51);
        ASSERT_EQ_U64(total.idle, percpu[0].idle + percpu[1].idle);
}

TEST(cpuview_times_idle_never_negative) {
        struct cpuset visible = set_of("0");
        struct cg_cpuacct acct = { .user_ns = 900 * ns_per_tick(), .system_ns = 200 * ns_per_tick() };
        struct cpu_times percpu[1], total;

        ASSERT_OK(cpuview_times(&visible, &acct, 1000, NULL, percpu, &total));
        ASSERT_EQ_U64(percpu[0].idle, 0);
        ASSERT_EQ_U64(total.idle, 0);
}

TEST(cpuview_times_rejects_empty_view) {
        struct cpuset visible = set_of("");
        struct cg_cpuacct acct = {};
        struct cpu_times percpu[1], total;

        ASSERT_EQ_INT(cpuview_times(&visible, &acct, 1000, NULL, percpu, &total), -EINVAL);
}

TEST(cpuview_times_monotonic_after_reset) {
        struct cpu_history history = {};
        struct cpuset visible = set_of("0-1");
        struct cg_cpuacct acct = { .user_ns = 400 * ns_per_tick(), .system_ns = 200 * ns_per_tick() };
        struct cpu_times percpu[2], total, before[2], before_total;
        int r;

        r = cpuview_times(&visible, &acct, 1000, &history, before, &before_total);
        ASSERT_OK(r);
        ASSERT_EQ_U64(before_total.user, 400);

        /* The cgroup was recreated: usage starts again from a small value. */
        acct = (struct cg_cpuacct){ .user_ns = 20 * ns_per_tick(), .system_ns = 10 * ns_per_tick() };
        r = cpuview_times(&visible, &acct, 1100, &history, percpu, &total);
        cpu_history_done(&history);
        ASSERT_OK(r);

        for (unsigned i = 0; i < 2; i++) {
                ASSERT_TRUE(percpu[i].user >= before[i].user);
                ASSERT_TRUE(percpu[i].system >= before[i].system);
                ASSERT_TRUE(percpu[i].idle >= before[i].idle);
        }
        ASSERT_TRUE(total.user >= before_total.user);
        ASSERT_TRUE(total.system >= before_total.system);
        ASSERT_TRUE(total.idle >= before_total.idle);
        ASSERT_EQ_U64(total.user, percpu[0].user + percpu[1].user);
        ASSERT_EQ_U64(total.system, percpu[0].system + percpu[1].system);
        ASSERT_EQ_U64(total.idle, percpu[0].idle + percpu[1].idle);
}

TEST(cpuview_times_monotonic_counts_on) {
        struct cpu_history history = {};
        struct cpuset visible = set_of("0");
        struct cg_cpuacct acct = { .user_ns = 400 * ns_per_tick() };
        struct cpu_times percpu[1], total;
        uint64_t after_reset;

        ASSERT_OK(cpuview_times(&visible, &acct, 1000, &history, percpu, &total));
        acct.user_ns = 10 * ns_per_tick();
        ASSERT_OK(cpuview_times(&visible, &acct, 1000, &history, percpu, &total));
        after_reset = percpu[0].user;

        /* After the reset the counter grows with the new usage: 25 ticks more. */
        acct.user_ns = 35 * ns_per_tick();
        ASSERT_OK(cpuview_times(&visible, &acct, 1000, &history, percpu, &total));
        cpu_history_done(&history);
        ASSERT_EQ_U64(after_reset, 400);
        ASSERT_EQ_U64(percpu[0].user, 425);
        ASSERT_EQ_U64(total.user, 425);
}

TEST(cpuview_times_history_grows) {
        struct cpu_history history = {};
        struct cpuset small = set_of("0"), large = set_of("0,5");
        struct cg_cpuacct acct = { .user_ns = 100 * ns_per_tick() };
        struct cpu_times percpu[2], total;
        unsigned n_small;

        ASSERT_OK(cpuview_times(&small, &acct, 1000, &history, percpu, &total));
        n_small = history.n_cpus;
        ASSERT_OK(cpuview_times(&large, &acct, 1000, &history, percpu, &total));

        ASSERT_EQ_U64(n_small, 1);
        ASSERT_EQ_U64(history.n_cpus, 6);
        ASSERT_EQ_U64(history.user[5].last_out, 50);
        ASSERT_EQ_U64(percpu[0].user, 100);
        ASSERT_EQ_U64(percpu[1].user, 50);
        cpu_history_done(&history);
        ASSERT_EQ_U64(history.n_cpus, 0);
        ASSERT_TRUE(history.user == NULL);
}
