/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The single-file cgroup parsers, on text written out here.
 */
#include <errno.h>

#include "cgroup.h"
#include "macro.h"
#include "test.h"

TEST(memory_stat_v2_file_not_file_mapped) {
        static const char *const texts[] = {
                "file 7\nfile_mapped 5\nfile_dirty 3\nfile_writeback 2\nfile_thp 1\n",
                "file_thp 1\nfile_writeback 2\nfile_dirty 3\nfile_mapped 5\nfile 7\n",
        };

        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                struct cg_memory_stat stat;

                ASSERT_OK(cg_parse_memory_stat(texts[i], false, &stat));
                ASSERT_EQ_U64(stat.cache, 7);
                ASSERT_EQ_U64(stat.mapped, 5);
                ASSERT_EQ_U64(stat.dirty, 3);
                ASSERT_EQ_U64(stat.writeback, 2);
        }
}

TEST(memory_stat_v1_rss_not_rss_huge) {
        static const char *const texts[] = {
                "rss 1\nrss_huge 2\ntotal_rss 10\ntotal_rss_huge 20\n",
                "total_rss_huge 20\ntotal_rss 10\nrss 1\n",
        };

        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                struct cg_memory_stat stat;

                ASSERT_OK(cg_parse_memory_stat(texts[i], true, &stat));
                ASSERT_EQ_U64(stat.anon, 10);
                ASSERT_EQ_U64(stat.anon_thp, 20);
        }
}

TEST(memory_stat_v1_ignores_v2_keys) {
        struct cg_memory_stat stat;

        ASSERT_OK(cg_parse_memory_stat("cache 5\nfile 6\nanon 7\ntotal_cache 8\n", true, &stat));
        ASSERT_EQ_U64(stat.cache, 8);
        ASSERT_EQ_U64(stat.anon, 0);
}

TEST(memory_stat_v2_slab_from_parts) {
        struct cg_memory_stat stat;

        ASSERT_OK(cg_parse_memory_stat("slab_reclaimable 30\nslab_unreclaimable 12\n", false, &stat));
        ASSERT_EQ_U64(stat.slab, 42);

        ASSERT_OK(cg_parse_memory_stat("slab_reclaimable 30\nslab_unreclaimable 12\nslab 50\n", false, &stat));
        ASSERT_EQ_U64(stat.slab, 50);
}

TEST(memory_stat_malformed) {
        struct cg_memory_stat stat = { .cache = 99 };

        ASSERT_EQ_INT(cg_parse_memory_stat("file 12abc\n", false, &stat), -EINVAL);
        ASSERT_EQ_INT(cg_parse_memory_stat("file -1\n", false, &stat), -EINVAL);
        ASSERT_EQ_INT(cg_parse_memory_stat("file\n", false, &stat), -EINVAL);
        ASSERT_EQ_INT(cg_parse_memory_stat("total_rss 99999999999999999999\n", true, &stat), -ERANGE);
        ASSERT_EQ_U64(stat.cache, 99);

        /* A malformed value of a key that is not read does not matter. */
        ASSERT_OK(cg_parse_memory_stat("pgfault x\nfile 1\n", false, &stat));
        ASSERT_EQ_U64(stat.cache, 1);
}

TEST(cpu_max_values) {
        uint64_t quota, period;

        ASSERT_OK(cg_parse_cpu_max("max 100000\n", &quota, &period));
        ASSERT_EQ_U64(quota, CG_UNLIMITED);
        ASSERT_EQ_U64(period, 100000);

        ASSERT_OK(cg_parse_cpu_max("50000 100000\n", &quota, &period));
        ASSERT_EQ_U64(quota, 50000);
        ASSERT_EQ_U64(period, 100000);

        ASSERT_OK(cg_parse_cpu_max("150000 100000", &quota, &period));
        ASSERT_EQ_U64(quota, 150000);
}

TEST(cpu_max_malformed) {
        static const char *const texts[] = {
                "", "max\n", "50000\n", "abc 100000\n", "50000 0\n", "50000 max\n", "-1 100000\n", "50000  100000\n",
        };

        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                uint64_t quota = 1, period = 2;

                ASSERT_EQ_INT(cg_parse_cpu_max(texts[i], &quota, &period), -EINVAL);
                ASSERT_EQ_U64(quota, 1);
                ASSERT_EQ_U64(period, 2);
        }
}

TEST(cpuacct_usage_all_sparse_cpus) {
        _cleanup_(cg_cpuacct_done) struct cg_cpuacct acct = {};

        ASSERT_OK(cg_parse_cpuacct_usage_all("cpu user system\n0 10 1\n3 30 3\n", &acct));

        ASSERT_EQ_U64(acct.n_cpus, 4);
        ASSERT_EQ_U64(acct.percpu_user_ns[0], 10);
        ASSERT_EQ_U64(acct.percpu_user_ns[1], 0);
        ASSERT_EQ_U64(acct.percpu_system_ns[2], 0);
        ASSERT_EQ_U64(acct.percpu_system_ns[3], 3);
        ASSERT_EQ_U64(acct.user_ns, 40);
        ASSERT_EQ_U64(acct.system_ns, 4);
}

TEST(cpuacct_usage_all_malformed) {
        static const char *const texts[] = {
                "",
                "cpu user system\n",
                "cpu user\n0 1\n",
                "cpu user system\n0 1\n",
                "cpu user system\n0 1 2 3\n",
                "cpu user system\nx 1 2\n",
                "cpu user system\n0 1 two\n",
        };

        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                struct cg_cpuacct acct = { .n_cpus = 77 };

                ASSERT_EQ_INT(cg_parse_cpuacct_usage_all(texts[i], &acct), -EINVAL);
                ASSERT_EQ_U64(acct.n_cpus, 77);
        }
}

TEST(cpuacct_usage_all_cpu_out_of_range) {
        struct cg_cpuacct acct;

        ASSERT_EQ_INT(cg_parse_cpuacct_usage_all("cpu user system\n8192 1 2\n", &acct), -ERANGE);
}

TEST(cpu_stat_to_nanoseconds) {
        struct cg_cpuacct acct;

        ASSERT_OK(cg_parse_cpu_stat("usage_usec 30\nuser_usec 20\nsystem_usec 10\nnr_periods 4\n", &acct));
        ASSERT_EQ_U64(acct.user_ns, 20000);
        ASSERT_EQ_U64(acct.system_ns, 10000);
        ASSERT_EQ_U64(acct.n_cpus, 0);
}

TEST(cpu_stat_malformed) {
        struct cg_cpuacct acct;

        ASSERT_EQ_INT(cg_parse_cpu_stat("usage_usec 30\nuser_usec 20\n", &acct), -EINVAL);
        ASSERT_EQ_INT(cg_parse_cpu_stat("user_usec x\nsystem_usec 1\n", &acct), -EINVAL);
        ASSERT_EQ_INT(cg_parse_cpu_stat("user_usec 18446744073709552\nsystem_usec 1\n", &acct), -ERANGE);
}

TEST(io_stat_devices_and_unknown_keys) {
        _cleanup_(cg_io_done) struct cg_io io = {};

        ASSERT_OK(cg_parse_io_stat("8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=5 dios=6 cost.usage=9\n"
                                   "253:1 rbytes=512 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n",
                                   &io));

        ASSERT_EQ_U64(io.n_devices, 2);
        ASSERT_EQ_U64(io.devices[0].rbytes, 1);
        ASSERT_EQ_U64(io.devices[0].wbytes, 2);
        ASSERT_EQ_U64(io.devices[0].rios, 3);
        ASSERT_EQ_U64(io.devices[0].wios, 4);
        ASSERT_EQ_U64(io.devices[0].dbytes, 5);
        ASSERT_EQ_U64(io.devices[0].dios, 6);
        ASSERT_EQ_U64(io.devices[1].major, 253);
        ASSERT_EQ_U64(io.devices[1].minor, 1);
        ASSERT_EQ_U64(io.devices[1].rbytes, 512);
}

TEST(io_stat_malformed) {
        static const char *const texts[] = {
                "8-0 rbytes=1\n", "8:x rbytes=1\n", "8:0 rbytes\n", "8:0 rbytes=x\n", "rbytes=1\n",
        };

        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                struct cg_io io = { .n_devices = 5 };

                ASSERT_EQ_INT(cg_parse_io_stat(texts[i], &io), -EINVAL);
                ASSERT_EQ_U64(io.n_devices, 5);
        }
}

TEST(blkio_adds_across_files) {
        _cleanup_(cg_io_done) struct cg_io io = {};

        ASSERT_OK(cg_parse_blkio("8:0 Read 3\n8:0 Write 4\n8:0 Sync 5\n8:0 Async 2\n8:0 Discard 1\n"
                                 "8:0 Total 8\nTotal 8\n",
                                 false, &io));
        ASSERT_OK(cg_parse_blkio("8:0 Read 300\n8:0 Write 400\n8:0 Total 700\nTotal 700\n", true, &io));
        ASSERT_OK(cg_parse_blkio("8:0 Read 1\n", false, &io));

        ASSERT_EQ_U64(io.n_devices, 1);
        ASSERT_EQ_U64(io.devices[0].rios, 4);
        ASSERT_EQ_U64(io.devices[0].wios, 4);
        ASSERT_EQ_U64(io.devices[0].dios, 1);
        ASSERT_EQ_U64(io.devices[0].rbytes, 300);
        ASSERT_EQ_U64(io.devices[0].wbytes, 400);
        ASSERT_EQ_U64(io.devices[0].dbytes, 0);
}

TEST(blkio_malformed_leaves_io) {
        _cleanup_(cg_io_done) struct cg_io io = {};

        ASSERT_OK(cg_parse_blkio("8:0 Read 3\n", false, &io));

        ASSERT_EQ_INT(cg_parse_blkio("8:16 Read 5\n8:16 Write x\n", false, &io), -EINVAL);
        ASSERT_EQ_INT(cg_parse_blkio("8:16 Read\n", false, &io), -EINVAL);
        ASSERT_EQ_INT(cg_parse_blkio("8:16 Read 1 2\n", false, &io), -EINVAL);

        ASSERT_EQ_U64(io.n_devices, 1);
        ASSERT_EQ_U64(io.devices[0].rios, 3);
}
