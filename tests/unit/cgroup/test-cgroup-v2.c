/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The v2 readers on tests/fixtures/v2, a unified host with a "kubepods"
 * parent that limits memory, swap and CPU. See tests/fixtures/README.md.
 */
#include <errno.h>
#include <stdlib.h>

#include "fixture.h"

#define MIB (UINT64_C(1) << 20)

TEST(v2_layout_controllers) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;

        ASSERT_OK(fixture_layout("v2", "mountinfo", &layout));

        for (int c = 0; c < _CG_CONTROLLER_MAX; c++) {
                ASSERT_TRUE(cgroup_layout_has(layout, c));
                ASSERT_TRUE(cgroup_layout_is_unified(layout, c));
        }
}

TEST(v2_layout_no_cgroup_mounts) {
        struct cgroup_layout *layout = NULL;

        ASSERT_EQ_INT(cgroup_layout_new("22 28 0:20 / /sys rw,relatime shared:7 - sysfs sysfs rw\n", "", &layout),
                      -ENOMEDIUM);
        ASSERT_TRUE(layout == NULL);
}

TEST(v2_init_scope_dropped) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL, *root = NULL;

        ASSERT_OK(fixture_layout("v2", "mountinfo", &layout));

        ASSERT_OK(open_v2(layout, "/kubepods/pod1/init.scope", &cg));
        ASSERT_STREQ(cgroup_path(cg, CG_MEMORY), "/kubepods/pod1");
        ASSERT_STREQ(cgroup_path(cg, CG_CPU), "/kubepods/pod1");

        ASSERT_OK(open_v2(layout, "/init.scope", &root));
        ASSERT_STREQ(cgroup_path(root, CG_MEMORY), "/");
}

TEST(v2_memory_max_under_limited_parent) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_memory m;

        ASSERT_OK(fixture_layout("v2", "mountinfo", &layout));
        ASSERT_OK(open_v2(layout, "/kubepods/pod1", &cg));
        ASSERT_OK(cgroup_read_memory(cg, &m));

        /* pod1 has memory.max and memory.swap.max "max", and kubepods sets 512 MiB and 256 MiB. */
        ASSERT_EQ_U64(m.limit, 512 * MIB);
        ASSERT_EQ_U64(m.usage, 100 * MIB);
        ASSERT_TRUE(m.swap_accounting);
        ASSERT_EQ_U64(m.swap_limit, 256 * MIB);
        ASSERT_EQ_U64(m.swap_usage, 1 * MIB);
}

TEST(v2_memory_stat_prefix_keys) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_memory m;

        ASSERT_OK(fixture_layout("v2", "mountinfo", &layout));
        ASSERT_OK(open_v2(layout, "/kubepods/pod1", &cg));
        ASSERT_OK(cgroup_read_memory(cg, &m));

        /* "file" comes before file_mapped, file_dirty, file_writeback and file_thp. */
        ASSERT_EQ_U64(m.stat.cache, 50 * MIB);
        ASSERT_EQ_U64(m.stat.mapped, 8 * MIB);
        ASSERT_EQ_U64(m.stat.dirty, 122880);
        ASSERT_EQ_U64(m.stat.writeback, 4096);
        ASSERT_EQ_U64(m.stat.anon, 40 * MIB);
        ASSERT_EQ_U64(m.stat.anon_thp, 2 * MIB);
        ASSERT_EQ_U64(m.stat.shmem, 1 * MIB);
        ASSERT_EQ_U64(m.stat.inactive_anon, 1310720);
        ASSERT_EQ_U64(m.stat.active_anon, 40632320);
        ASSERT_EQ_U64(m.stat.inactive_file, 25 * MIB);
        ASSERT_EQ_U64(m.stat.active_file, 20 * MIB);
        ASSERT_EQ_U64(m.stat.unevictable, 65536);
        ASSERT_EQ_U64(m.stat.slab_reclaimable, 3 * MIB);
        ASSERT_EQ_U64(m.stat.slab_unreclaimable, 1 * MIB);
        ASSERT_EQ_U64(m.stat.slab, 4 * MIB);
}

TEST(v2_memory_usage_above_limit) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_memory m;

        ASSERT_OK(fixture_layout("v2", "mountinfo", &layout));
        ASSERT_OK(open_v2(layout, "/kubepods/over", &cg));
        ASSERT_OK(cgroup_read_memory(cg, &m));

        /* The reader reports both as they are, and the renderer clamps. */
        ASSERT_EQ_U64(m.limit, 50 * MIB);
        ASSERT_EQ_U64(m.usage, 60000000);
        ASSERT_TRUE(!m.swap_accounting);
        ASSERT_EQ_U64(m.swap_limit, 0);
        /* Without a "slab" key the two parts add up. */
        ASSERT_EQ_U64(m.stat.slab, 1024);
}

TEST(v2_memory_controller_on_parent_only) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_memory m;

        ASSERT_OK(fixture_layout("v2", "mountinfo", &layout));
        ASSERT_OK(open_v2(layout, "/kubepods/nomem", &cg));
        ASSERT_OK(cgroup_read_memory(cg, &m));

        /* nomem has no memory.* files: kubepods accounts and limits its memory. */
        ASSERT_EQ_U64(m.limit, 512 * MIB);
        ASSERT_EQ_U64(m.usage, 200 * MIB);
        ASSERT_TRUE(m.swap_accounting);
        ASSERT_EQ_U64(m.swap_limit, 256 * MIB);
        ASSERT_EQ_U64(m.swap_usage, 0);
}

TEST(v2_memory_controller_nowhere) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_memory m;

        ASSERT_OK(fixture_layout("v2", "mountinfo", &layout));
        ASSERT_OK(open_v2(layout, "/system.slice", &cg));

        /* Neither system.slice nor the root has memory.current. */
        ASSERT_EQ_INT(cgroup_read_memory(cg, &m), -ENOENT);
}

TEST(v2_memory_malformed_max) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_memory m;

        ASSERT_OK(fixture_layout("v2", "mountinfo", &layout));
        ASSERT_OK(open_v2(layout, "/kubepods/bad", &cg));

        ASSERT_EQ_INT(cgroup_read_memory(cg, &m), -EINVAL);
}

TEST(v2_cpu_quota_on_parent_only) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cpuset expected;
        struct cg_cpu cpu;

        ASSERT_OK(fixture_layout("v2", "mountinfo", &layout));
        ASSERT_OK(open_v2(layout, "/kubepods/pod1", &cg));
        ASSERT_OK(cgroup_read_cpu(cg, &cpu));

        /* 1.5 CPUs come from kubepods, because pod1's own cpu.max is "max 100000". */
        ASSERT_EQ_U64(cpu.quota_us, 150000);
        ASSERT_EQ_U64(cpu.period_us, 100000);
        ASSERT_TRUE(cpu.has_cpuset);
        ASSERT_OK(cpuset_parse("0-1,4", &expected));
        ASSERT_TRUE(cpuset_equal(&cpu.cpuset, &expected));
}

TEST(v2_cpu_half_quota) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_cpu cpu;

        ASSERT_OK(fixture_layout("v2", "mountinfo", &layout));
        ASSERT_OK(open_v2(layout, "/kubepods/half", &cg));
        ASSERT_OK(cgroup_read_cpu(cg, &cpu));

        ASSERT_EQ_U64(cpu.quota_us, 50000);
        ASSERT_EQ_U64(cpu.period_us, 100000);
        ASSERT_EQ_U64(cpuset_count(&cpu.cpuset), 8);
}

TEST(v2_cpu_without_controllers) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cpuset expected;
        struct cg_cpu cpu;

        ASSERT_OK(fixture_layout("v2", "mountinfo", &layout));
        ASSERT_OK(open_v2(layout, "/kubepods/nomem", &cg));
        ASSERT_OK(cgroup_read_cpu(cg, &cpu));

        /* No cpu.max or cpuset files of its own: the parent's quota and CPUs apply. */
        ASSERT_EQ_U64(cpu.quota_us, 150000);
        ASSERT_TRUE(cpu.has_cpuset);
        ASSERT_OK(cpuset_parse("0-7", &expected));
        ASSERT_TRUE(cpuset_equal(&cpu.cpuset, &expected));
}

TEST(v2_cpu_root_unlimited) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_cpu cpu;

        ASSERT_OK(fixture_layout("v2", "mountinfo", &layout));
        ASSERT_OK(open_v2(layout, "/", &cg));
        ASSERT_OK(cgroup_read_cpu(cg, &cpu));

        ASSERT_EQ_U64(cpu.quota_us, CG_UNLIMITED);
        ASSERT_EQ_U64(cpu.period_us, 100000);
        ASSERT_EQ_U64(cpuset_count(&cpu.cpuset), 8);
}

TEST(v2_cpu_malformed_max) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_cpu cpu;

        ASSERT_OK(fixture_layout("v2", "mountinfo", &layout));
        ASSERT_OK(open_v2(layout, "/kubepods/bad", &cg));

        ASSERT_EQ_INT(cgroup_read_cpu(cg, &cpu), -EINVAL);
}

TEST(v2_cpuacct_from_cpu_stat) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        _cleanup_(cg_cpuacct_done) struct cg_cpuacct acct = {};

        ASSERT_OK(fixture_layout("v2", "mountinfo", &layout));
        ASSERT_OK(open_v2(layout, "/kubepods/pod1", &cg));
        ASSERT_OK(cgroup_read_cpuacct(cg, &acct));

        ASSERT_EQ_U64(acct.user_ns, UINT64_C(3000000000));
        ASSERT_EQ_U64(acct.system_ns, UINT64_C(1000000000));
        ASSERT_EQ_U64(acct.n_cpus, 0);
        ASSERT_TRUE(acct.percpu_user_ns == NULL);
}

TEST(v2_cpuacct_missing_key) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_cpuacct acct;

        ASSERT_OK(fixture_layout("v2", "mountinfo", &layout));
        ASSERT_OK(open_v2(layout, "/kubepods/bad", &cg));

        ASSERT_EQ_INT(cgroup_read_cpuacct(cg, &acct), -EINVAL);
}

TEST(v2_io_stat) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        _cleanup_(cg_io_done) struct cg_io io = {};

        ASSERT_OK(fixture_layout("v2", "mountinfo", &layout));
        ASSERT_OK(open_v2(layout, "/kubepods/pod1", &cg));
        ASSERT_OK(cgroup_read_io(cg, &io));

        ASSERT_EQ_U64(io.n_devices, 2);
        ASSERT_EQ_U64(io.devices[0].major, 8);
        ASSERT_EQ_U64(io.devices[0].minor, 16);
        ASSERT_EQ_U64(io.devices[0].rios, 40);
        ASSERT_EQ_U64(io.devices[1].minor, 0);
        ASSERT_EQ_U64(io.devices[1].rbytes, 5054464);
        ASSERT_EQ_U64(io.devices[1].wbytes, 2322432);
        ASSERT_EQ_U64(io.devices[1].rios, 1234);
        ASSERT_EQ_U64(io.devices[1].wios, 567);
        ASSERT_EQ_U64(io.devices[1].dbytes, 1048576);
        ASSERT_EQ_U64(io.devices[1].dios, 3);
}

TEST(v2_io_missing_and_malformed) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *nomem = NULL, *bad = NULL;
        struct cg_io io;

        ASSERT_OK(fixture_layout("v2", "mountinfo", &layout));
        ASSERT_OK(open_v2(layout, "/kubepods/nomem", &nomem));
        ASSERT_OK(open_v2(layout, "/kubepods/bad", &bad));

        ASSERT_EQ_INT(cgroup_read_io(nomem, &io), -ENOENT);
        ASSERT_EQ_INT(cgroup_read_io(bad, &io), -EINVAL);
}

TEST(v2_tasks_recursive) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        _cleanup_free_ pid_t *tids = NULL;
        static const pid_t expected[] = { 1, 4242, 4300, 4301 };
        size_t n;

        ASSERT_OK(fixture_layout("v2", "mountinfo", &layout));
        ASSERT_OK(open_v2(layout, "/kubepods/pod1/init.scope", &cg));
        ASSERT_OK(cgroup_read_tasks(cg, &tids, &n));

        /* The walk starts at pod1, so init.scope's own thread is counted once. */
        ASSERT_EQ_U64(n, ELEMENTSOF(expected));
        qsort(tids, n, sizeof(pid_t), compare_pids);
        for (size_t i = 0; i < n; i++)
                ASSERT_EQ_INT(tids[i], expected[i]);
}

TEST(v2_tasks_malformed) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        pid_t *tids = NULL;
        size_t n = 99;

        ASSERT_OK(fixture_layout("v2", "mountinfo", &layout));
        ASSERT_OK(open_v2(layout, "/kubepods/bad", &cg));

        ASSERT_EQ_INT(cgroup_read_tasks(cg, &tids, &n), -EINVAL);
        ASSERT_TRUE(tids == NULL);
        ASSERT_EQ_U64(n, 99);
}

TEST(v2_cpuset_malformed) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_cpu cpu;

        ASSERT_OK(fixture_layout("v2", "mountinfo", &layout));
        ASSERT_OK(open_v2(layout, "/kubepods/badcpuset", &cg));

        ASSERT_EQ_INT(cgroup_read_cpu(cg, &cpu), -EINVAL);
}

TEST(v2_membership_malformed) {
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        struct cgroup *cg = NULL;

        ASSERT_OK(fixture_layout("v2", "mountinfo", &layout));

        ASSERT_EQ_INT(cgroup_open(layout, "0:/kubepods\n", &cg), -EINVAL);
        ASSERT_EQ_INT(cgroup_open(layout, "0::kubepods\n", &cg), -EINVAL);
        ASSERT_TRUE(cg == NULL);
}
