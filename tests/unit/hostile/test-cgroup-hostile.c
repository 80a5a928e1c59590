/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cgroup readers on trees a container could create: odd names, deep
 * nesting, extreme limit values and missing files. Each case must give the
 * right value or a clean error (-EINVAL, -ENOENT, -ERANGE, -E2BIG), never a
 * crash or a wrong number.
 */
#include <errno.h>

#include "tree.h"

#define MIB (UINT64_C(1) << 20)

/* "a b:c\d" followed by "ü": a space, a colon, a backslash and UTF-8. */
#define ODD_NAME "a b:c\\d\xc3\xbc"
/* The same name as mountinfo escapes it: space and backslash in octal, the rest raw. */
#define ODD_NAME_ESCAPED "a\\040b:c\\134d\xc3\xbc"

TEST(hostile_name_with_space_colon_backslash) {
        _cleanup_free_ char *tree = tree_new_v2();
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_memory m;

        ASSERT_TRUE(tree);
        ASSERT_OK(tree_write(tree, "sys/fs/cgroup/" ODD_NAME "/memory.max", "52428800\n"));
        ASSERT_OK(tree_write(tree, "sys/fs/cgroup/" ODD_NAME "/memory.current", "1048576\n"));
        ASSERT_OK(tree_write(tree, "sys/fs/cgroup/" ODD_NAME "/memory.stat", "anon 4096\n"));

        /* /proc/PID/cgroup prints the name raw; the colon belongs to the path, not to the line's fields. */
        ASSERT_OK(tree_open_v2(tree, V2_MOUNTINFO, "0::/" ODD_NAME "\n", &layout, &cg));
        ASSERT_STREQ(cgroup_path(cg, CG_MEMORY), "/" ODD_NAME);
        ASSERT_OK(cgroup_read_memory(cg, &m));
        ASSERT_EQ_U64(m.limit, 50 * MIB);
        ASSERT_EQ_U64(m.usage, 1 * MIB);
}

TEST(hostile_escaped_mount_root) {
        _cleanup_free_ char *tree = tree_new_v2();
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_memory m;

        /* Inside the container the mount shows only the subtree ODD_NAME, whose child is "sub". */
        ASSERT_TRUE(tree);
        ASSERT_OK(tree_write(tree, "sys/fs/cgroup/cgroup.controllers", "memory\n"));
        ASSERT_OK(tree_write(tree, "sys/fs/cgroup/memory.max", "104857600\n"));
        ASSERT_OK(tree_write(tree, "sys/fs/cgroup/sub/memory.current", "4096\n"));
        ASSERT_OK(tree_write(tree, "sys/fs/cgroup/sub/memory.stat", ""));

        ASSERT_OK(tree_open_v2(tree, "30 23 0:26 /" ODD_NAME_ESCAPED " /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
                               "0::/" ODD_NAME "/sub\n", &layout, &cg));
        ASSERT_STREQ(cgroup_path(cg, CG_MEMORY), "/sub");
        ASSERT_OK(cgroup_read_memory(cg, &m));
        ASSERT_EQ_U64(m.limit, 100 * MIB);
}

TEST(hostile_escaped_mount_point) {
        _cleanup_free_ char *tree = tree_new();
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_cpu cpu;

        /* A mount point with a space, a tab and a newline, each escaped in mountinfo. */
        ASSERT_TRUE(tree);
        ASSERT_OK(tree_write(tree, "c g\t\n/cgroup.controllers", "cpu\n"));
        ASSERT_OK(tree_write(tree, "c g\t\n/x/cpu.max", "50000 100000\n"));

        ASSERT_OK(tree_open_v2(tree, "30 23 0:26 / /c\\040g\\011\\012 rw - cgroup2 cgroup2 rw\n", "0::/x\n", &layout,
                               &cg));
        ASSERT_TRUE(cgroup_layout_has(layout, CG_CPU));
        ASSERT_TRUE(!cgroup_layout_has(layout, CG_MEMORY));
        ASSERT_STREQ(cgroup_path(cg, CG_CPU), "/x");

        ASSERT_OK(cgroup_read_cpu(cg, &cpu));
        ASSERT_EQ_U64(cpu.quota_us, 50000);
}

TEST(hostile_name_of_255_bytes) {
        _cleanup_free_ char *tree = tree_new_v2();
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        _cleanup_strbuf_ struct strbuf file = STRBUF_INIT, membership = STRBUF_INIT;
        char name[256];
        struct cg_memory m;

        /* NAME_MAX: the longest name a cgroup directory can have. */
        memset(name, 'n', 255);
        name[255] = '\0';
        ASSERT_TRUE(tree);

        strbuf_printf(&file, "sys/fs/cgroup/%s/memory.max", name);
        ASSERT_OK(tree_write(tree, file.data, "max\n"));
        strbuf_reset(&file);
        strbuf_printf(&file, "sys/fs/cgroup/%s/memory.current", name);
        ASSERT_OK(tree_write(tree, file.data, "8192\n"));
        strbuf_reset(&file);
        strbuf_printf(&file, "sys/fs/cgroup/%s/memory.stat", name);
        ASSERT_OK(tree_write(tree, file.data, "file 4096\n"));

        strbuf_printf(&membership, "0::/%s\n", name);
        ASSERT_OK(tree_open_v2(tree, V2_MOUNTINFO, membership.data, &layout, &cg));
        ASSERT_EQ_U64(strlen(cgroup_path(cg, CG_MEMORY)), 256);
        ASSERT_OK(cgroup_read_memory(cg, &m));
        ASSERT_EQ_U64(m.limit, CG_UNLIMITED);
        ASSERT_EQ_U64(m.stat.cache, 4096);
}

TEST(hostile_name_with_newline_rejected) {
        _cleanup_free_ char *tree = tree_new_v2();
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        struct cgroup *cg = NULL;

        /*
         * A container that may create cgroups names one "x\n0::/other". Its
         * /proc/PID/cgroup then has a second v2 line, which must not point
         * the view at another container's cgroup.
         */
        ASSERT_TRUE(tree);
        ASSERT_OK(tree_write(tree, "sys/fs/cgroup/mine/x\n0::/other/memory.current", "0\n"));
        ASSERT_OK(tree_write(tree, "sys/fs/cgroup/other/memory.max", "1073741824\n"));
        ASSERT_OK(cgroup_layout_new(V2_MOUNTINFO, tree, &layout));

        ASSERT_EQ_INT(cgroup_open(layout, "0::/mine/x\n0::/other\n", &cg), -EINVAL);
        ASSERT_TRUE(cg == NULL);
        ASSERT_EQ_INT(cgroup_open(layout, "10:memory:/a\n10:memory:/b\n", &cg), -EINVAL);
}

TEST(hostile_path_outside_namespace_root) {
        _cleanup_free_ char *tree = tree_new_v2();
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cgroup *bad = NULL;
        struct cg_memory m;

        /*
         * Read from another cgroup namespace, a cgroup outside its root
         * shows as "/../..". It lies outside the mount, so the memory
         * controller is left out instead of being opened above the mount.
         */
        ASSERT_TRUE(tree);
        ASSERT_OK(tree_write(tree, "sys/memory.max", "1\n"));
        ASSERT_OK(tree_write(tree, "sys/memory.current", "1\n"));
        ASSERT_OK(tree_write(tree, "sys/memory.stat", ""));
        ASSERT_OK(tree_open_v2(tree, V2_MOUNTINFO, "0::/../..\n", &layout, &cg));
        ASSERT_TRUE(cgroup_path(cg, CG_MEMORY) == NULL);
        ASSERT_EQ_INT(cgroup_read_memory(cg, &m), -ENOENT);

        /* Empty and "." components never come from the kernel; "//" would resolve from "/". */
        ASSERT_EQ_INT(cgroup_open(layout, "0:://etc\n", &bad), -EINVAL);
        ASSERT_EQ_INT(cgroup_open(layout, "0::/a/./b\n", &bad), -EINVAL);
        ASSERT_EQ_INT(cgroup_open(layout, "0::/a/\n", &bad), -EINVAL);
        ASSERT_TRUE(bad == NULL);
}

/* Write a chain of depth cgroups "d/d/.../d" below sys/fs/cgroup/top and return the leaf's path. */
static char *deep_chain(const char *tree, unsigned depth, const char *leaf_file, const char *leaf_text) {
        _cleanup_strbuf_ struct strbuf path = STRBUF_INIT;

        strbuf_puts(&path, "sys/fs/cgroup/top");
        for (unsigned i = 0; i < depth; i++)
                strbuf_puts(&path, "/d");
        strbuf_printf(&path, "/%s", leaf_file);
        if (strbuf_error(&path) < 0 || tree_write(tree, path.data, leaf_text) < 0)
                return NULL;

        /* The cgroup path is what follows sys/fs/cgroup, without the file name. */
        path.data[path.len - strlen(leaf_file) - 1] = '\0';
        return strdup(path.data + strlen("sys/fs/cgroup"));
}

TEST(hostile_200_levels_limit_at_top) {
        _cleanup_free_ char *tree = tree_new_v2(), *leaf = NULL;
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        _cleanup_strbuf_ struct strbuf membership = STRBUF_INIT;
        struct cg_memory m;
        struct cg_cpu cpu;

        ASSERT_TRUE(tree);
        ASSERT_OK(tree_write(tree, "sys/fs/cgroup/top/memory.max", "67108864\n"));
        ASSERT_OK(tree_write(tree, "sys/fs/cgroup/top/cpu.max", "25000 100000\n"));
        ASSERT_OK(tree_write(tree, "sys/fs/cgroup/top/cpuset.cpus.effective", "2-3\n"));
        leaf = deep_chain(tree, 200, "memory.current", "4096\n");
        ASSERT_TRUE(leaf);
        ASSERT_OK(tree_write(tree, "sys/fs/cgroup/memory.stat", "anon 1\n"));

        /* The leaf has memory.current but no memory.stat: it is read from the leaf only. */
        strbuf_printf(&membership, "0::%s\n", leaf);
        ASSERT_OK(tree_open_v2(tree, V2_MOUNTINFO, membership.data, &layout, &cg));
        ASSERT_EQ_INT(cgroup_read_memory(cg, &m), -ENOENT);

        free(leaf);
        leaf = deep_chain(tree, 200, "memory.stat", "anon 8192\n");
        ASSERT_TRUE(leaf);
        ASSERT_OK(cgroup_read_memory(cg, &m));
        ASSERT_EQ_U64(m.limit, 64 * MIB);
        ASSERT_EQ_U64(m.usage, 4096);

        ASSERT_OK(cgroup_read_cpu(cg, &cpu));
        ASSERT_EQ_U64(cpu.quota_us, 25000);
        ASSERT_EQ_U64(cpu.period_us, 100000);
        ASSERT_TRUE(cpu.has_cpuset);
        ASSERT_EQ_U64(cpuset_count(&cpu.cpuset), 2);
}

TEST(hostile_200_levels_tasks_bounded) {
        _cleanup_free_ char *tree = tree_new_v2();
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        _cleanup_strbuf_ struct strbuf path = STRBUF_INIT;
        pid_t *tids = NULL;
        size_t n;

        /* Every level has a cgroup.threads file, so the walk down goes on until its depth bound. */
        ASSERT_TRUE(tree);
        strbuf_puts(&path, "sys/fs/cgroup/top");
        for (unsigned i = 0; i <= 200; i++) {
                size_t len = path.len;

                strbuf_puts(&path, "/cgroup.threads");
                ASSERT_OK(tree_write(tree, path.data, "7\n"));
                path.len = len;
                path.data[len] = '\0';
                strbuf_puts(&path, "/d");
        }

        ASSERT_OK(tree_open_v2(tree, V2_MOUNTINFO, "0::/top\n", &layout, &cg));
        ASSERT_EQ_INT(cgroup_read_tasks(cg, &tids, &n), -E2BIG);
        ASSERT_TRUE(tids == NULL);
}

/* A v2 cgroup /c under a parent /p, with the files of one case written. */
static int open_case(const char *tree, struct cgroup_layout **ret_layout, struct cgroup **ret_cg) {
        return tree_open_v2(tree, V2_MOUNTINFO, "0::/p/c\n", ret_layout, ret_cg);
}

TEST(hostile_memory_max_values) {
        static const struct {
                const char *text;
                int expected_r;
                uint64_t expected_limit;
        } cases[] = {
                { "max\n", 0, CG_UNLIMITED },
                { "0\n", 0, 0 },
                { "18446744073709551615\n", 0, CG_UNLIMITED },
                /* v1's page-counter maximum on 4 KiB pages means no limit too. */
                { "9223372036854771712\n", 0, CG_UNLIMITED },
                { "18446744073709551616\n", -ERANGE, 0 },
                { "99999999999999999999999\n", -ERANGE, 0 },
                { "-1\n", -EINVAL, 0 },
                { "\n", -EINVAL, 0 },
                { "12abc\n", -EINVAL, 0 },
                { " 5\n", -EINVAL, 0 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *tree = tree_new_v2();
                _cleanup_layout_ struct cgroup_layout *layout = NULL;
                _cleanup_cgroup_ struct cgroup *cg = NULL;
                struct cg_memory m = {};

                printf("# memory.max '%.*s'\n", (int) strcspn(cases[i].text, "\n"), cases[i].text);
                ASSERT_TRUE(tree);
                ASSERT_OK(tree_write(tree, "sys/fs/cgroup/p/memory.max", cases[i].text));
                ASSERT_OK(tree_write(tree, "sys/fs/cgroup/p/c/memory.current", "4096\n"));
                ASSERT_OK(tree_write(tree, "sys/fs/cgroup/p/c/memory.stat", ""));
                ASSERT_OK(open_case(tree, &layout, &cg));

                ASSERT_EQ_INT(cgroup_read_memory(cg, &m), cases[i].expected_r);
                if (cases[i].expected_r == 0)
                        ASSERT_EQ_U64(m.limit, cases[i].expected_limit);
        }
}

TEST(hostile_memory_missing_files) {
        _cleanup_free_ char *tree = tree_new_v2();
        _cleanup_layout_ struct cgroup_layout *layout = NULL;
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct cg_memory m;

        /* No memory.current: the memory controller is not enabled for the cgroup. */
        ASSERT_TRUE(tree);
        ASSERT_OK(tree_write(tree, "sys/fs/cgroup/p/c/memory.stat", ""));
        ASSERT_OK(open_case(tree, &layout, &cg));
        ASSERT_EQ_INT(cgroup_read_memory(cg, &m), -ENOENT);

        /* memory.current without memory.stat. */
        ASSERT_OK(tree_write(tree, "sys/fs/cgroup/p/c/memory.current", "1\n"));
        ASSERT_OK(tree_unlink(tree, "sys/fs/cgroup/p/c/memory.stat"));
        ASSERT_EQ_INT(cgroup_read_memory(cg, &m), -ENOENT);

        /* No memory.max and no swap files anywhere: no limit and no swap. */
        ASSERT_OK(tree_write(tree, "sys/fs/cgroup/p/c/memory.stat", "anon 1\n"));
        ASSERT_OK(cgroup_read_memory(cg, &m));
        ASSERT_EQ_U64(m.limit, CG_UNLIMITED);
        ASSERT_TRUE(!m.swap_accounting);
        ASSERT_EQ_U64(m.swap_limit, 0);
}

TEST(hostile_cpu_values) {
        static const struct {
                const char *cpu_max;
                int expected_r;
                uint64_t quota_us, period_us;
        } cases[] = {
                { "max 100000\n", 0, CG_UNLIMITED, 100000 },
                { "0 100000\n", 0, 0, 100000 },
                { "18446744073709551615 1\n", 0, UINT64_MAX, 1 },
                { "max 0\n", -EINVAL, 0, 0 },
                { "1 18446744073709551616\n", -ERANGE, 0, 0 },
                { "50000\n", -EINVAL, 0, 0 },
                { "\n", -EINVAL, 0, 0 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *tree = tree_new_v2();
                _cleanup_layout_ struct cgroup_layout *layout = NULL;
                _cleanup_cgroup_ struct cgroup *cg = NULL;
                struct cg_cpu cpu = {};

                printf("# cpu.max '%.*s'\n", (int) strcspn(cases[i].cpu_max, "\n"), cases[i].cpu_max);
                ASSERT_TRUE(tree);
                ASSERT_OK(tree_write(tree, "sys/fs/cgroup/p/c/cpu.max", cases[i].cpu_max));
                ASSERT_OK(open_case(tree, &layout, &cg));

                ASSERT_EQ_INT(cgroup_read_cpu(cg, &cpu), cases[i].expected_r);
                if (cases[i].expected_r < 0)
                        continue;
                ASSERT_EQ_U64(cpu.quota_us, cases[i].quota_us);
                ASSERT_EQ_U64(cpu.period_us, cases[i].period_us);
                ASSERT_TRUE(!cpu.has_cpuset);
        }
}

TEST(hostile_cpuset_values) {
        static const struct {
                const char *text;
                int expected_r;
                unsigned count;
        } cases[] = {
                { "8191\n", 0, 1 },       { "0-8191\n", 0, 8192 },
                { "8192\n", -ERANGE, 0 }, { "0-18446744073709551616\n", -ERANGE, 0 },
                { "3-1\n", -EINVAL, 0 },  { "0-\n", -EINVAL, 0 },
                { "1,,2\n", -EINVAL, 0 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *tree = tree_new_v2();
                _cleanup_layout_ struct cgroup_layout *layout = NULL;
                _cleanup_cgroup_ struct cgroup *cg = NULL;
                struct cg_cpu cpu = {};

                printf("# cpuset.cpus.effective '%.*s'\n", (int) strcspn(cases[i].text, "\n"), cases[i].text);
                ASSERT_TRUE(tree);
                ASSERT_OK(tree_write(tree, "sys/fs/cgroup/p/c/cpuset.cpus.effective", cases[i].text));
                ASSERT_OK(open_case(tree, &layout, &cg));

                ASSERT_EQ_INT(cgroup_read_cpu(cg, &cpu), cases[i].expected_r);
                if (cases[i].expected_r == 0)
                        ASSERT_EQ_U64(cpuset_count(&cpu.cpuset), cases[i].count);
        }
}

TEST(hostile_usage_sums_saturate) {
        struct cg_cpuacct acct = {};
        struct cg_io io = {};
        struct cg_memory_stat stat;

        /* Per-CPU usage near UINT64_MAX: the totals stop at UINT64_MAX instead of wrapping to a small number. */
        ASSERT_OK(cg_parse_cpuacct_usage_all("cpu user system\n"
                                             "0 18446744073709551615 1\n"
                                             "1 18446744073709551615 2\n",
                                             &acct));
        ASSERT_EQ_U64(acct.user_ns, UINT64_MAX);
        ASSERT_EQ_U64(acct.system_ns, 3);
        cg_cpuacct_done(&acct);

        /* The kernel prints each CPU once; a repeated one would be counted twice. */
        ASSERT_EQ_INT(cg_parse_cpuacct_usage_all("cpu user system\n0 5 5\n0 5 5\n", &acct), -EINVAL);

        ASSERT_OK(cg_parse_blkio("8:0 Read 18446744073709551615\n8:0 Read 2\nTotal 1\n", false, &io));
        ASSERT_OK(cg_parse_blkio("8:0 Read 5\n", false, &io));
        ASSERT_EQ_U64(io.n_devices, 1);
        ASSERT_EQ_U64(io.devices[0].rios, UINT64_MAX);
        cg_io_done(&io);

        ASSERT_OK(cg_parse_memory_stat("slab_reclaimable 18446744073709551615\nslab_unreclaimable 2\n", false, &stat));
        ASSERT_EQ_U64(stat.slab, UINT64_MAX);

        ASSERT_EQ_INT(cg_parse_memory_stat("anon 18446744073709551616\n", false, &stat), -ERANGE);
        ASSERT_EQ_INT(cg_parse_io_stat("8:0 rbytes=18446744073709551616\n", &io), -ERANGE);
        ASSERT_EQ_INT(cg_parse_cpu_stat("user_usec 18446744073709552\nsystem_usec 0\n", &acct), -ERANGE);
}
