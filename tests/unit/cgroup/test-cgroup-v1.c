/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The v1 readers on tests/fixtures/v1, a Docker host with cpu and cpuacct
 * co-mounted. See tests/fixtures/README.md for what each cgroup models.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>

#include "fixture.h"

#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)

TEST(v1_layout_controllers) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;

        ASSERT_OK(fixture_layout("v1", "mountinfo", &layout));

        for (int c = 0; c < _CG_CONTROLLER_MAX; c++) {
                ASSERT_TRUE(cgroup_layout_has(layout, c));
                ASSERT_TRUE(!cgroup_layout_is_unified(layout, c));
        }
}

TEST(v1_hybrid_layout_uses_v1) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_memory m;

        ASSERT_OK(fixture_layout("v1", "mountinfo.hybrid", &layout));

        for (int c = 0; c < _CG_CONTROLLER_MAX; c++) {
                ASSERT_TRUE(cgroup_layout_has(layout, c));
                ASSERT_TRUE(!cgroup_layout_is_unified(layout, c));
        }

        ASSERT_OK(open_v1(layout, "/docker/c1", &cg));
        ASSERT_STREQ(cgroup_path(cg, CG_MEMORY), "/docker/c1");
        ASSERT_OK(cgroup_read_memory(cg, &m));
        ASSERT_EQ_U64(m.limit, GIB);
}

TEST(v1_comounted_cpu_cpuacct) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;

        ASSERT_OK(fixture_layout("v1", "mountinfo", &layout));
        ASSERT_OK(cgroup_open(layout, "4:cpuacct,cpu:/docker/c2\n", &cg));

        ASSERT_STREQ(cgroup_path(cg, CG_CPU), "/docker/c2");
        ASSERT_STREQ(cgroup_path(cg, CG_CPUACCT), "/docker/c2");
        ASSERT_TRUE(cgroup_path(cg, CG_MEMORY) == NULL);
}

TEST(v1_memory_limit_on_parent) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_memory m;

        ASSERT_OK(fixture_layout("v1", "mountinfo", &layout));
        ASSERT_OK(open_v1(layout, "/docker/c1", &cg));
        ASSERT_OK(cgroup_read_memory(cg, &m));

        ASSERT_EQ_U64(m.limit, GIB);
        ASSERT_EQ_U64(m.usage, 100 * MIB);
        ASSERT_TRUE(m.swap_accounting);
        /* memsw 2 GiB on docker minus the 1 GiB memory limit. */
        ASSERT_EQ_U64(m.swap_limit, GIB);
        ASSERT_EQ_U64(m.swap_usage, 105 * MIB - 100 * MIB);
}

TEST(v1_memory_stat_total_keys) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_memory m;

        ASSERT_OK(fixture_layout("v1", "mountinfo", &layout));
        ASSERT_OK(open_v1(layout, "/docker/c1", &cg));
        ASSERT_OK(cgroup_read_memory(cg, &m));

        /* The file lists the cgroup's own values (half of these) before the total_* keys, which include descendants. */
        ASSERT_EQ_U64(m.stat.cache, 50 * MIB);
        ASSERT_EQ_U64(m.stat.anon, 40 * MIB);
        ASSERT_EQ_U64(m.stat.anon_thp, 2 * MIB);
        ASSERT_EQ_U64(m.stat.shmem, 1 * MIB);
        ASSERT_EQ_U64(m.stat.mapped, 8 * MIB);
        ASSERT_EQ_U64(m.stat.dirty, 122880);
        ASSERT_EQ_U64(m.stat.writeback, 4096);
        ASSERT_EQ_U64(m.stat.inactive_anon, 1310720);
        ASSERT_EQ_U64(m.stat.active_anon, 40960000);
        ASSERT_EQ_U64(m.stat.inactive_file, 25 * MIB);
        ASSERT_EQ_U64(m.stat.active_file, 20 * MIB);
        ASSERT_EQ_U64(m.stat.unevictable, 65536);
        ASSERT_EQ_U64(m.stat.slab, 0);
        ASSERT_EQ_U64(m.stat.slab_reclaimable, 0);
}

TEST(v1_memory_own_limit_below_parent) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_memory m;

        ASSERT_OK(fixture_layout("v1", "mountinfo", &layout));
        ASSERT_OK(open_v1(layout, "/docker/c2", &cg));
        ASSERT_OK(cgroup_read_memory(cg, &m));

        ASSERT_EQ_U64(m.limit, 50 * MIB);
        ASSERT_EQ_U64(m.usage, 30 * MIB);
        /* Its own memsw is unset, so docker's 2 GiB applies. */
        ASSERT_EQ_U64(m.swap_limit, 2 * GIB - 50 * MIB);
        ASSERT_EQ_U64(m.swap_usage, 0);
}

TEST(v1_memory_root_unlimited) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_memory m;

        ASSERT_OK(fixture_layout("v1", "mountinfo", &layout));
        ASSERT_OK(open_v1(layout, "/", &cg));
        ASSERT_OK(cgroup_read_memory(cg, &m));

        /* 9223372036854771712 is the page counter's maximum: no limit. */
        ASSERT_EQ_U64(m.limit, CG_UNLIMITED);
        ASSERT_TRUE(m.swap_accounting);
        ASSERT_EQ_U64(m.swap_limit, CG_UNLIMITED);
        ASSERT_EQ_U64(m.usage, 3 * GIB);
}

TEST(v1_memory_missing_stat) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_memory m = { .limit = 7 };

        ASSERT_OK(fixture_layout("v1", "mountinfo", &layout));
        ASSERT_OK(open_v1(layout, "/docker/nostat", &cg));

        ASSERT_EQ_INT(cgroup_read_memory(cg, &m), -ENOENT);
        ASSERT_EQ_U64(m.limit, 7);
}

TEST(v1_memory_malformed_usage) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_memory m;

        ASSERT_OK(fixture_layout("v1", "mountinfo", &layout));
        ASSERT_OK(open_v1(layout, "/docker/bad", &cg));

        ASSERT_EQ_INT(cgroup_read_memory(cg, &m), -EINVAL);
}

TEST(v1_vanished_cgroup_left_out) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_memory m;
        struct cg_cpu cpu;
        struct cg_io io;
        pid_t *tids;
        size_t n;

        ASSERT_OK(fixture_layout("v1", "mountinfo", &layout));
        ASSERT_OK(open_v1(layout, "/docker/gone", &cg));

        ASSERT_TRUE(cgroup_path(cg, CG_MEMORY) == NULL);
        ASSERT_EQ_INT(cgroup_read_memory(cg, &m), -ENOENT);
        ASSERT_EQ_INT(cgroup_read_cpu(cg, &cpu), -ENOENT);
        ASSERT_EQ_INT(cgroup_read_io(cg, &io), -ENOENT);
        ASSERT_EQ_INT(cgroup_read_tasks(cg, &tids, &n), -ENOENT);
}

TEST(v1_cpu_half_quota_and_cpuset) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cpuset expected;
        struct cg_cpu cpu;

        ASSERT_OK(fixture_layout("v1", "mountinfo", &layout));
        ASSERT_OK(open_v1(layout, "/docker/c1", &cg));
        ASSERT_OK(cgroup_read_cpu(cg, &cpu));

        ASSERT_EQ_U64(cpu.quota_us, 50000);
        ASSERT_EQ_U64(cpu.period_us, 100000);
        ASSERT_TRUE(cpu.has_cpuset);
        ASSERT_OK(cpuset_parse("0-1,4", &expected));
        ASSERT_TRUE(cpuset_equal(&cpu.cpuset, &expected));
        ASSERT_EQ_U64(cpuset_count(&cpu.cpuset), 3);
}

TEST(v1_cpu_quota_on_parent_only) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cpuset expected;
        struct cg_cpu cpu;

        ASSERT_OK(fixture_layout("v1", "mountinfo", &layout));
        ASSERT_OK(open_v1(layout, "/docker/limited/child", &cg));
        ASSERT_OK(cgroup_read_cpu(cg, &cpu));

        ASSERT_EQ_U64(cpu.quota_us, 150000);
        ASSERT_EQ_U64(cpu.period_us, 100000);
        ASSERT_OK(cpuset_parse("2-3", &expected));
        ASSERT_TRUE(cpuset_equal(&cpu.cpuset, &expected));
}

TEST(v1_cpu_smallest_ratio_wins) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_cpu cpu;

        ASSERT_OK(fixture_layout("v1", "mountinfo", &layout));
        ASSERT_OK(open_v1(layout, "/docker/limited/tight", &cg));
        ASSERT_OK(cgroup_read_cpu(cg, &cpu));

        /* 20000/50000 = 0.4 CPUs is below the parent's 1.5, and quota and period come from the same level. */
        ASSERT_EQ_U64(cpu.quota_us, 20000);
        ASSERT_EQ_U64(cpu.period_us, 50000);
}

TEST(v1_cpuset_from_parent) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cpuset expected;
        struct cg_cpu cpu;

        ASSERT_OK(fixture_layout("v1", "mountinfo", &layout));
        ASSERT_OK(open_v1(layout, "/docker/c2", &cg));
        ASSERT_OK(cgroup_read_cpu(cg, &cpu));

        ASSERT_TRUE(cpu.has_cpuset);
        ASSERT_OK(cpuset_parse("0-1,4", &expected));
        ASSERT_TRUE(cpuset_equal(&cpu.cpuset, &expected));
        ASSERT_EQ_U64(cpu.quota_us, CG_UNLIMITED);
        ASSERT_EQ_U64(cpu.period_us, 100000);
}

TEST(v1_cpu_malformed_quota) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_cpu cpu;

        ASSERT_OK(fixture_layout("v1", "mountinfo", &layout));
        ASSERT_OK(open_v1(layout, "/docker/bad", &cg));

        ASSERT_EQ_INT(cgroup_read_cpu(cg, &cpu), -EINVAL);
}

TEST(v1_cpuacct_usage_all) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        _cleanup_(cg_cpuacct_done) struct cg_cpuacct acct = {};

        ASSERT_OK(fixture_layout("v1", "mountinfo", &layout));
        ASSERT_OK(open_v1(layout, "/docker/c1", &cg));
        ASSERT_OK(cgroup_read_cpuacct(cg, &acct));

        ASSERT_EQ_U64(acct.n_cpus, 4);
        ASSERT_EQ_U64(acct.user_ns, UINT64_C(6000000000));
        ASSERT_EQ_U64(acct.system_ns, UINT64_C(875000000));
        ASSERT_EQ_U64(acct.percpu_user_ns[1], UINT64_C(2000000000));
        ASSERT_EQ_U64(acct.percpu_system_ns[3], UINT64_C(125000000));
        ASSERT_EQ_U64(acct.percpu_user_ns[2], 0);
}

TEST(v1_cpuacct_percpu_fallback) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        _cleanup_(cg_cpuacct_done) struct cg_cpuacct acct = {};

        ASSERT_OK(fixture_layout("v1", "mountinfo", &layout));
        ASSERT_OK(open_v1(layout, "/docker/c2", &cg));
        ASSERT_OK(cgroup_read_cpuacct(cg, &acct));

        ASSERT_EQ_U64(acct.n_cpus, 2);
        ASSERT_EQ_U64(acct.user_ns, 15000);
        ASSERT_EQ_U64(acct.system_ns, 1500);
        ASSERT_EQ_U64(acct.percpu_user_ns[1], 8000);
        ASSERT_EQ_U64(acct.percpu_system_ns[0], 700);
}

TEST(v1_cpuacct_malformed) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_cpuacct acct;

        ASSERT_OK(fixture_layout("v1", "mountinfo", &layout));
        ASSERT_OK(open_v1(layout, "/docker/bad", &cg));

        ASSERT_EQ_INT(cgroup_read_cpuacct(cg, &acct), -EINVAL);
}

static const struct cg_io_device *find_device(const struct cg_io *io, unsigned major, unsigned minor) {
        for (size_t i = 0; i < io->n_devices; i++)
                if (io->devices[i].major == major && io->devices[i].minor == minor)
                        return &io->devices[i];
        return NULL;
}

TEST(v1_io_throttle_files) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        _cleanup_(cg_io_done) struct cg_io io = {};
        const struct cg_io_device *sda, *sdb;

        ASSERT_OK(fixture_layout("v1", "mountinfo", &layout));
        ASSERT_OK(open_v1(layout, "/docker/c1", &cg));
        ASSERT_OK(cgroup_read_io(cg, &io));

        ASSERT_EQ_U64(io.n_devices, 2);
        sda = find_device(&io, 8, 0);
        sdb = find_device(&io, 8, 16);
        ASSERT_TRUE(sda);
        ASSERT_TRUE(sdb);

        /* Sync, Async and Total repeat Read and Write, so they must not be added. */
        ASSERT_EQ_U64(sda->rios, 1234);
        ASSERT_EQ_U64(sda->wios, 567);
        ASSERT_EQ_U64(sda->dios, 3);
        ASSERT_EQ_U64(sda->rbytes, 5054464);
        ASSERT_EQ_U64(sda->wbytes, 2322432);
        ASSERT_EQ_U64(sda->dbytes, 1048576);
        ASSERT_EQ_U64(sdb->rios, 40);
        ASSERT_EQ_U64(sdb->wbytes, 49152);
}

TEST(v1_io_bfq_fallback) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        _cleanup_(cg_io_done) struct cg_io io = {};

        ASSERT_OK(fixture_layout("v1", "mountinfo", &layout));
        ASSERT_OK(open_v1(layout, "/docker/c2", &cg));
        ASSERT_OK(cgroup_read_io(cg, &io));

        ASSERT_EQ_U64(io.n_devices, 1);
        ASSERT_EQ_U64(io.devices[0].major, 259);
        ASSERT_EQ_U64(io.devices[0].minor, 0);
        ASSERT_EQ_U64(io.devices[0].rios, 10);
        ASSERT_EQ_U64(io.devices[0].wios, 20);
        ASSERT_EQ_U64(io.devices[0].rbytes, 40960);
        ASSERT_EQ_U64(io.devices[0].wbytes, 81920);
}

TEST(v1_io_no_devices) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        _cleanup_(cg_io_done) struct cg_io io = {};

        ASSERT_OK(fixture_layout("v1", "mountinfo", &layout));
        ASSERT_OK(open_v1(layout, "/", &cg));
        ASSERT_OK(cgroup_read_io(cg, &io));

        ASSERT_EQ_U64(io.n_devices, 0);
}

TEST(v1_io_missing_files) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_io io;

        ASSERT_OK(fixture_layout("v1", "mountinfo", &layout));
        ASSERT_OK(open_v1(layout, "/docker/nostat", &cg));

        ASSERT_EQ_INT(cgroup_read_io(cg, &io), -ENOENT);
}

TEST(v1_tasks_recursive) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        _cleanup_free_ pid_t *tids = NULL;
        static const pid_t expected[] = { 4242, 4243, 4300, 4301, 4302 };
        size_t n;

        ASSERT_OK(fixture_layout("v1", "mountinfo", &layout));
        ASSERT_OK(open_v1(layout, "/docker/c1", &cg));
        ASSERT_OK(cgroup_read_tasks(cg, &tids, &n));

        ASSERT_EQ_U64(n, ELEMENTSOF(expected));
        qsort(tids, n, sizeof(pid_t), compare_pids);
        for (size_t i = 0; i < n; i++)
                ASSERT_EQ_INT(tids[i], expected[i]);
}

TEST(v1_tasks_from_pids_without_cpu) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        _cleanup_free_ pid_t *tids = NULL;
        size_t n;

        ASSERT_OK(fixture_layout("v1", "mountinfo", &layout));
        ASSERT_OK(cgroup_open(layout, "12:pids:/docker/c1\n", &cg));
        ASSERT_OK(cgroup_read_tasks(cg, &tids, &n));

        ASSERT_EQ_U64(n, 2);
        qsort(tids, n, sizeof(pid_t), compare_pids);
        ASSERT_EQ_INT(tids[0], 4242);
        ASSERT_EQ_INT(tids[1], 4243);
}

TEST(v1_subtree_mount_escaped_name) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_memory m;

        /* The memory hierarchy is mounted from "/docker/web app", written "web\040app" in mountinfo. */
        ASSERT_OK(fixture_layout("v1", "mountinfo.subtree", &layout));
        ASSERT_TRUE(cgroup_layout_has(layout, CG_MEMORY));
        ASSERT_TRUE(!cgroup_layout_has(layout, CG_CPU));

        ASSERT_OK(cgroup_open(layout, "10:memory:/docker/web app/sub\n", &cg));
        ASSERT_STREQ(cgroup_path(cg, CG_MEMORY), "/sub");
        ASSERT_OK(cgroup_read_memory(cg, &m));
        ASSERT_EQ_U64(m.limit, 768 * MIB);
        ASSERT_EQ_U64(m.usage, 4096);
}

TEST(v1_subtree_mount_root_itself) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;

        ASSERT_OK(fixture_layout("v1", "mountinfo.subtree", &layout));
        ASSERT_OK(cgroup_open(layout, "10:memory:/docker/web app\n", &cg));

        ASSERT_STREQ(cgroup_path(cg, CG_MEMORY), "/");
}

TEST(v1_subtree_mount_outside_left_out) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_memory m;

        ASSERT_OK(fixture_layout("v1", "mountinfo.subtree", &layout));

        /* "/docker/web application" shares a prefix with the mount root but lies outside it. */
        ASSERT_OK(cgroup_open(layout, "10:memory:/docker/web application\n", &cg));
        ASSERT_TRUE(cgroup_path(cg, CG_MEMORY) == NULL);
        ASSERT_EQ_INT(cgroup_read_memory(cg, &m), -ENOENT);
}

TEST(v1_layout_open_root) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_close_ int fd = -1;
        uint64_t usage;
        int missing = -1;

        ASSERT_OK(fixture_layout("v1", "mountinfo.subtree", &layout));

        /* The root is the mount point, so cgroup paths open relative to it. */
        ASSERT_OK(cgroup_layout_open_root(layout, CG_MEMORY, &fd));
        ASSERT_OK(read_u64_at(fd, "sub/memory.usage_in_bytes", &usage));
        ASSERT_EQ_U64(usage, 4096);

        ASSERT_EQ_INT(cgroup_layout_open_root(layout, CG_CPU, &missing), -ENOENT);
        ASSERT_EQ_INT(missing, -1);
}

static int count_open_fds(void) {
        DIR *dir = opendir("/proc/self/fd");
        struct dirent *de;
        int n = 0;

        if (!dir)
                return -errno;
        while ((de = readdir(dir)))
                if (de->d_name[0] != '.')
                        n++;
        closedir(dir);
        return n;
}

TEST(v1_free_closes_every_fd) {
        struct cgroup_layout *layout = NULL;
        struct cgroup *cg = NULL;
        struct cg_memory m;
        struct cg_cpu cpu;
        pid_t *tids;
        size_t n;
        int before, after;

        before = count_open_fds();
        ASSERT_OK(before);

        ASSERT_OK(fixture_layout("v1", "mountinfo", &layout));
        ASSERT_OK(open_v1(layout, "/docker/c1", &cg));
        ASSERT_OK(cgroup_read_memory(cg, &m));
        ASSERT_OK(cgroup_read_cpu(cg, &cpu));
        ASSERT_OK(cgroup_read_tasks(cg, &tids, &n));
        free(tids);
        cgroup_free(cg);
        cgroup_layout_free(layout);

        after = count_open_fds();
        ASSERT_EQ_INT(after, before);
}
