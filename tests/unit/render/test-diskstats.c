/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "render-test.h"
#include "render.h"
#include "test.h"

TEST(diskstats_maps_fields) {
        _cleanup_free_ char *host = host_fixture("diskstats");
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cg_io_device devices[] = {
                { .major = 254,
                  .minor = 0,
                  .rios = 10,
                  .wios = 20,
                  .dios = 3,
                  .rbytes = 4096,
                  .wbytes = 8192 + 511,
                  .dbytes = 1024 },
        };
        struct cg_io io = { .n_devices = ELEMENTSOF(devices), .devices = devices };

        ASSERT_TRUE(host);
        ASSERT_OK(render_diskstats(host, &io, &out));

        /* reads, sectors read, writes, sectors written, discards and sectors discarded, with 0 elsewhere */
        ASSERT_STREQ(out.data, " 254       0 vda 10 0 8 0 20 0 16 0 0 0 0 3 0 2 0 0 0\n");
}

TEST(diskstats_old_kernel_field_count) {
        _cleanup_free_ char *host = host_fixture("diskstats-14");
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cg_io_device devices[] = {
                { .major = 254,
                  .minor = 0,
                  .rios = 10,
                  .wios = 20,
                  .dios = 3,
                  .rbytes = 4096,
                  .wbytes = 8192,
                  .dbytes = 1024 },
        };
        struct cg_io io = { .n_devices = ELEMENTSOF(devices), .devices = devices };

        ASSERT_TRUE(host);
        ASSERT_OK(render_diskstats(host, &io, &out));

        /* Kernels before 4.18 have no discard fields, so dios and dbytes cannot be shown. */
        ASSERT_STREQ(out.data, " 254       0 vda 10 0 8 0 20 0 16 0 0 0 0\n");
}

TEST(diskstats_omits_idle_and_unknown_devices) {
        _cleanup_free_ char *host = host_fixture("diskstats");
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cg_io_device devices[] = {
                { .major = 7, .minor = 1 }, /* loop1: no I/O */
                { .major = 8, .minor = 0, .rios = 5 }, /* not in the host file */
                { .major = 254, .minor = 0, .wios = 1, .wbytes = 512 },
        };
        struct cg_io io = { .n_devices = ELEMENTSOF(devices), .devices = devices };

        ASSERT_TRUE(host);
        ASSERT_OK(render_diskstats(host, &io, &out));
        ASSERT_STREQ(out.data, " 254       0 vda 0 0 0 0 1 0 1 0 0 0 0 0 0 0 0 0 0\n");
}

TEST(diskstats_keeps_host_order) {
        _cleanup_free_ char *host = host_fixture("diskstats");
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cg_io_device devices[] = {
                { .major = 253, .minor = 0, .rios = 2, .rbytes = 1024 },
                { .major = 254, .minor = 0, .rios = 1, .rbytes = 512 },
                { .major = 7, .minor = 3, .dios = 4, .dbytes = 4096 },
        };
        struct cg_io io = { .n_devices = ELEMENTSOF(devices), .devices = devices };

        ASSERT_TRUE(host);
        ASSERT_OK(render_diskstats(host, &io, &out));
        ASSERT_STREQ(out.data, "   7       3 loop3 0 0 0 0 0 0 0 0 0 0 0 4 0 8 0 0 0\n"
                               " 254       0 vda 1 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
                               " 253       0 zram0 2 0 2 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
}

TEST(diskstats_no_io) {
        _cleanup_free_ char *host = host_fixture("diskstats");
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cg_io io = {};

        ASSERT_TRUE(host);
        ASSERT_OK(render_diskstats(host, &io, &out));
        ASSERT_EQ_U64(out.len, 0);
}

TEST(diskstats_huge_counters) {
        static const char host[] = "   8       0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17";
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cg_io_device devices[] = {
                { .major = 8, .minor = 0, .rios = UINT64_MAX, .rbytes = UINT64_MAX },
        };
        struct cg_io io = { .n_devices = ELEMENTSOF(devices), .devices = devices };

        ASSERT_OK(render_diskstats(host, &io, &out));
        ASSERT_STREQ(out.data,
                     "   8       0 sda 18446744073709551615 0 36028797018963967 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
}

TEST(diskstats_rejects_bad_host_text) {
        static const char *const bad[] = {
                "sda 1 2 3\n",
                "   8       0 sda 1 2 3\n",
                "   8 x sda 1 2 3 4 5 6 7 8 9 10 11\n",
                "   8       0 sda 1 2 3 4 5 6 7 8 9 10 11\ngarbage\n",
                "99999999999 0 sda 1 2 3 4 5 6 7 8 9 10 11\n",
        };
        struct cg_io_device devices[] = { { .major = 8, .minor = 0, .rios = 1 } };
        struct cg_io io = { .n_devices = ELEMENTSOF(devices), .devices = devices };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;

                ASSERT_EQ_INT(render_diskstats(bad[i], &io, &out), -EINVAL);
        }
}
