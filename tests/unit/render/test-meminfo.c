/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "render-test.h"
#include "render.h"
#include "test.h"

#define MiB (UINT64_C(1024) * 1024)

/* The lines render_meminfo() replaces; every other line must stay the host's. */
static const char *const replaced_keys[] = {
        "MemTotal",    "MemFree",   "MemAvailable", "Buffers",        "Cached",       "SwapCached",
        "Active",      "Inactive",  "Active(anon)", "Inactive(anon)", "Active(file)", "Inactive(file)",
        "Unevictable", "SwapTotal", "SwapFree",     "Dirty",          "Writeback",    "AnonPages",
        "Mapped",      "Shmem",     "Slab",         "SReclaimable",   "SUnreclaim",   "AnonHugePages",
};

static struct cg_memory memory_limited(uint64_t limit, uint64_t usage) {
        return (struct cg_memory) {
                .limit = limit,
                .usage = usage,
                .swap_limit = CG_UNLIMITED,
                .stat = {
                        .cache = 9 * MiB,
                        .active_anon = 2 * MiB,
                        .inactive_anon = 4 * MiB,
                        .active_file = 5 * MiB,
                        .inactive_file = 3 * MiB,
                        .unevictable = 1 * MiB,
                        .shmem = 1 * MiB,
                        .mapped = 2 * MiB,
                        .dirty = 64 * 1024,
                        .writeback = 32 * 1024,
                        .anon = 6 * MiB,
                        .anon_thp = 2 * MiB,
                        .slab = 3 * MiB,
                        .slab_reclaimable = 1 * MiB,
                        .slab_unreclaimable = 2 * MiB,
                },
        };
}

static uint64_t kb(const char *text, const char *key) {
        uint64_t value = UINT64_MAX;

        if (meminfo_get_kb(text, key, &value) < 0)
                fprintf(stderr, "# '%s' not found\n", key);
        return value;
}

TEST(meminfo_limit_below_host) {
        _cleanup_free_ char *host = host_fixture("meminfo");
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cg_memory mem = memory_limited(50 * MiB, 20 * MiB);
        char line[256];

        ASSERT_TRUE(host);
        ASSERT_OK(render_meminfo(host, &mem, &out));

        ASSERT_STREQ(find_line(out.data, "MemTotal:", line, sizeof(line)), "MemTotal:          51200 kB");
        ASSERT_EQ_U64(kb(out.data, "MemTotal"), 51200);
        ASSERT_EQ_U64(kb(out.data, "MemFree"), 30 * 1024);
        /* MemFree + active_file + inactive_file + slab_reclaimable */
        ASSERT_EQ_U64(kb(out.data, "MemAvailable"), 30 * 1024 + 5 * 1024 + 3 * 1024 + 1 * 1024);
        ASSERT_EQ_U64(kb(out.data, "Buffers"), 0);
        ASSERT_EQ_U64(kb(out.data, "SwapCached"), 0);
        ASSERT_EQ_U64(kb(out.data, "Cached"), 9 * 1024);
        ASSERT_EQ_U64(kb(out.data, "Active"), 7 * 1024);
        ASSERT_EQ_U64(kb(out.data, "Inactive"), 7 * 1024);
        ASSERT_EQ_U64(kb(out.data, "Active(anon)"), 2 * 1024);
        ASSERT_EQ_U64(kb(out.data, "Inactive(anon)"), 4 * 1024);
        ASSERT_EQ_U64(kb(out.data, "Active(file)"), 5 * 1024);
        ASSERT_EQ_U64(kb(out.data, "Inactive(file)"), 3 * 1024);
        ASSERT_EQ_U64(kb(out.data, "Unevictable"), 1024);
        ASSERT_EQ_U64(kb(out.data, "Shmem"), 1024);
        ASSERT_EQ_U64(kb(out.data, "Mapped"), 2 * 1024);
        ASSERT_EQ_U64(kb(out.data, "Dirty"), 64);
        ASSERT_EQ_U64(kb(out.data, "Writeback"), 32);
        ASSERT_EQ_U64(kb(out.data, "AnonPages"), 6 * 1024);
        ASSERT_EQ_U64(kb(out.data, "AnonHugePages"), 2 * 1024);
        ASSERT_EQ_U64(kb(out.data, "Slab"), 3 * 1024);
        ASSERT_EQ_U64(kb(out.data, "SReclaimable"), 1024);
        ASSERT_EQ_U64(kb(out.data, "SUnreclaim"), 2 * 1024);
}

TEST(meminfo_no_limit_keeps_host_total) {
        _cleanup_free_ char *host = host_fixture("meminfo");
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cg_memory mem = memory_limited(CG_UNLIMITED, 10 * MiB);

        ASSERT_TRUE(host);
        ASSERT_OK(render_meminfo(host, &mem, &out));

        ASSERT_EQ_U64(kb(out.data, "MemTotal"), kb(host, "MemTotal"));
        ASSERT_TRUE(kb(out.data, "MemFree") <= kb(host, "MemFree"));
        ASSERT_TRUE(kb(out.data, "MemAvailable") <= kb(host, "MemAvailable"));
        /* MemTotal - 10 MiB is more than the host has free, so the host's value wins. */
        ASSERT_EQ_U64(kb(out.data, "MemFree"), u64_min(kb(host, "MemTotal") - 10 * 1024, kb(host, "MemFree")));
}

TEST(meminfo_limit_above_host) {
        _cleanup_free_ char *host = host_fixture("meminfo");
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        uint64_t host_total_kb;
        struct cg_memory mem;

        ASSERT_TRUE(host);
        host_total_kb = kb(host, "MemTotal");
        mem = memory_limited((host_total_kb + 1024 * 1024) * 1024, 10 * MiB);
        ASSERT_OK(render_meminfo(host, &mem, &out));

        ASSERT_EQ_U64(kb(out.data, "MemTotal"), host_total_kb);
        ASSERT_TRUE(kb(out.data, "MemFree") <= kb(host, "MemFree"));
        ASSERT_TRUE(kb(out.data, "MemAvailable") <= kb(host, "MemAvailable"));
}

TEST(meminfo_usage_above_limit) {
        _cleanup_free_ char *host = host_fixture("meminfo");
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cg_memory mem = memory_limited(50 * MiB, 60 * MiB);
        char line[256];

        ASSERT_TRUE(host);
        ASSERT_OK(render_meminfo(host, &mem, &out));

        ASSERT_EQ_U64(kb(out.data, "MemTotal"), 51200);
        ASSERT_EQ_U64(kb(out.data, "MemFree"), 0);
        ASSERT_STREQ(find_line(out.data, "MemFree:", line, sizeof(line)), "MemFree:               0 kB");
        ASSERT_EQ_U64(kb(out.data, "MemAvailable"), 5 * 1024 + 3 * 1024 + 1 * 1024);
}

TEST(meminfo_values_clamped_to_total) {
        _cleanup_free_ char *host = host_fixture("meminfo");
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cg_memory mem = memory_limited(4 * MiB, 1 * MiB);

        ASSERT_TRUE(host);
        ASSERT_OK(render_meminfo(host, &mem, &out));

        ASSERT_EQ_U64(kb(out.data, "MemTotal"), 4096);
        ASSERT_EQ_U64(kb(out.data, "MemFree"), 3072);
        /* 3 MiB free + 9 MiB reclaimable file and slab memory exceeds MemTotal. */
        ASSERT_EQ_U64(kb(out.data, "MemAvailable"), 4096);
        ASSERT_EQ_U64(kb(out.data, "Cached"), 4096);
        ASSERT_EQ_U64(kb(out.data, "Active"), 4096);
        ASSERT_EQ_U64(kb(out.data, "AnonPages"), 4096);
        ASSERT_EQ_U64(kb(out.data, "Inactive(anon)"), 4096);
        ASSERT_EQ_U64(kb(out.data, "Active(anon)"), 2048);
}

/* A host line in kB whose number fits in the host's MemTotal but not in 51200 kB: it gets clamped. */
static bool host_line_is_clamped(const char *start, const char *end, uint64_t host_total) {
        const char *colon = memchr(start, ':', (size_t) (end - start));
        unsigned long long value;

        if (!colon || !memmem(colon, (size_t) (end - colon), " kB", 3))
                return false;
        if (sscanf(colon + 1, "%llu", &value) != 1)
                return false;
        return value <= host_total && value > 51200;
}

TEST(meminfo_other_lines_unchanged) {
        _cleanup_free_ char *host = host_fixture("meminfo");
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cg_memory mem = memory_limited(50 * MiB, 20 * MiB);
        const char *host_line, *out_line;
        uint64_t host_total;

        ASSERT_TRUE(host);
        ASSERT_OK(render_meminfo(host, &mem, &out));
        ASSERT_EQ_U64(count_lines(out.data), count_lines(host));
        host_total = kb(host, "MemTotal");

        /* Walk both texts line by line: same keys in the same order. */
        host_line = host;
        out_line = out.data;
        while (*host_line) {
                const char *host_end = strchrnul(host_line, '\n'), *out_end = strchrnul(out_line, '\n');
                size_t key_len = strcspn(host_line, ":");
                bool replaced = false;

                ASSERT_TRUE(strncmp(host_line, out_line, key_len + 1) == 0);

                for (size_t i = 0; i < ELEMENTSOF(replaced_keys); i++)
                        if (strlen(replaced_keys[i]) == key_len && strncmp(host_line, replaced_keys[i], key_len) == 0)
                                replaced = true;

                if (!replaced && !host_line_is_clamped(host_line, host_end, host_total)) {
                        ASSERT_EQ_U64(out_end - out_line, host_end - host_line);
                        ASSERT_TRUE(memcmp(host_line, out_line, (size_t) (host_end - host_line)) == 0);
                }

                host_line = *host_end ? host_end + 1 : host_end;
                out_line = *out_end ? out_end + 1 : out_end;
        }
        ASSERT_TRUE(*out_line == '\0');
}

TEST(meminfo_replaced_lines_keep_columns) {
        _cleanup_free_ char *host = host_fixture("meminfo");
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cg_memory mem = memory_limited(50 * MiB, 20 * MiB);
        char host_line[256], out_line[256];

        ASSERT_TRUE(host);
        ASSERT_OK(render_meminfo(host, &mem, &out));

        /* Values of up to 8 digits end in the same column as the host's, as the kernel prints them. */
        for (size_t i = 0; i < ELEMENTSOF(replaced_keys); i++) {
                char prefix[64];

                snprintf(prefix, sizeof(prefix), "%s:", replaced_keys[i]);
                if (!find_line(host, prefix, host_line, sizeof(host_line)))
                        continue;
                ASSERT_TRUE(find_line(out.data, prefix, out_line, sizeof(out_line)));
                ASSERT_EQ_U64(strlen(out_line), strlen(host_line));
                ASSERT_TRUE(strstr(out_line, " kB"));
        }
}

TEST(meminfo_wide_values_follow_kernel_layout) {
        static const char host[] = "MemTotal:       24683792 kB\n"
                                   "MemFree:        24520084 kB\n"
                                   "Cached:            29780 kB\n";
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cg_memory mem = memory_limited(CG_UNLIMITED, 0);

        mem.stat.cache = UINT64_C(123456789) * 1024;
        ASSERT_OK(render_meminfo(host, &mem, &out));

        /* Cached is clamped to MemTotal, which has 8 digits. */
        ASSERT_STREQ(out.data, "MemTotal:       24683792 kB\n"
                               "MemFree:        24520084 kB\n"
                               "Cached:         24683792 kB\n");
}

TEST(meminfo_nine_digit_total) {
        static const char host[] = "MemTotal:       1056768000 kB\n"
                                   "MemFree:          123456 kB\n"
                                   "Cached:            29780 kB\n";
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cg_memory mem = memory_limited(CG_UNLIMITED, 0);

        mem.stat.cache = UINT64_C(123456789) * 1024;
        ASSERT_OK(render_meminfo(host, &mem, &out));

        /* A value wider than 8 digits starts at column 16, like the kernel's. */
        ASSERT_STREQ(out.data, "MemTotal:       1056768000 kB\n"
                               "MemFree:          123456 kB\n"
                               "Cached:         123456789 kB\n");
}

TEST(meminfo_keys_matched_exactly) {
        static const char host[] = "MemTotal:        1000000 kB\n"
                                   "Active:           500000 kB\n"
                                   "Active(anon):     100000 kB\n"
                                   "ActiveX:              77 kB\n"
                                   "Mem:                  55 kB\n";
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cg_memory mem = memory_limited(CG_UNLIMITED, 0);

        ASSERT_OK(render_meminfo(host, &mem, &out));
        ASSERT_STREQ(out.data, "MemTotal:        1000000 kB\n"
                               "Active:             7168 kB\n"
                               "Active(anon):       2048 kB\n"
                               "ActiveX:              77 kB\n"
                               "Mem:                  55 kB\n");
}

TEST(meminfo_without_trailing_newline) {
        static const char host[] = "MemTotal:        1000000 kB\n"
                                   "Hugepagesize:       2048 kB\n"
                                   "MemFree:          900000 kB";
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cg_memory mem = memory_limited(100 * MiB, 40 * MiB);

        ASSERT_OK(render_meminfo(host, &mem, &out));
        ASSERT_STREQ(out.data, "MemTotal:         102400 kB\n"
                               "Hugepagesize:       2048 kB\n"
                               "MemFree:           61440 kB");
}

TEST(meminfo_rejects_bad_host_text) {
        struct cg_memory mem = memory_limited(50 * MiB, 20 * MiB);
        static const char *const bad[] = {
                "",
                "\n\n",
                "MemFree:          900000 kB\n",
                "MemTotal:\n",
                "MemTotal: kB\n",
                "MemTotal:       99999999999999999999999 kB\n",
                "MemTotal:        1000000 kB\nCached: lots\n",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;

                ASSERT_EQ_INT(render_meminfo(bad[i], &mem, &out), -EINVAL);
        }
}

TEST(meminfo_get_kb_parses_lines) {
        static const char text[] = "MemTotal:       24683792 kB\n"
                                   "HugePages_Total:       7\n"
                                   "Mem:                   5 kB\n"
                                   "Broken:      x kB\n";
        uint64_t value = 0;

        ASSERT_OK(meminfo_get_kb(text, "MemTotal", &value));
        ASSERT_EQ_U64(value, 24683792);
        ASSERT_OK(meminfo_get_kb(text, "HugePages_Total", &value));
        ASSERT_EQ_U64(value, 7);
        ASSERT_OK(meminfo_get_kb(text, "Mem", &value));
        ASSERT_EQ_U64(value, 5);
        ASSERT_EQ_INT(meminfo_get_kb(text, "MemFree", &value), -ENOENT);
        ASSERT_EQ_INT(meminfo_get_kb(text, "Broken", &value), -EINVAL);
        ASSERT_EQ_INT(meminfo_get_kb(text, "MemTot", &value), -ENOENT);
        ASSERT_EQ_U64(value, 5);
}

TEST(meminfo_swap_with_accounting) {
        _cleanup_free_ char *host = host_fixture("meminfo-swap");
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cg_memory mem = memory_limited(50 * MiB, 20 * MiB);

        ASSERT_TRUE(host);
        mem.swap_accounting = true;
        mem.swap_limit = 100 * MiB;
        mem.swap_usage = 10 * MiB;
        ASSERT_OK(render_meminfo(host, &mem, &out));

        /* Swap is not bounded by MemTotal (50 MiB). */
        ASSERT_EQ_U64(kb(out.data, "SwapTotal"), 102400);
        ASSERT_EQ_U64(kb(out.data, "SwapFree"), 92160);
}

TEST(meminfo_swap_limit_above_host) {
        _cleanup_free_ char *host = host_fixture("meminfo-swap");
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cg_memory mem = memory_limited(50 * MiB, 20 * MiB);

        ASSERT_TRUE(host);
        mem.swap_accounting = true;
        mem.swap_limit = CG_UNLIMITED;
        mem.swap_usage = 3000 * MiB;
        ASSERT_OK(render_meminfo(host, &mem, &out));

        ASSERT_EQ_U64(kb(out.data, "SwapTotal"), 2097148);
        ASSERT_EQ_U64(kb(out.data, "SwapFree"), 0);
}

TEST(meminfo_swap_without_accounting) {
        _cleanup_free_ char *host = host_fixture("meminfo-swap");
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cg_memory mem = memory_limited(50 * MiB, 20 * MiB);

        ASSERT_TRUE(host);
        mem.swap_accounting = false;
        mem.swap_limit = 100 * MiB;
        mem.swap_usage = 10 * MiB;
        ASSERT_OK(render_meminfo(host, &mem, &out));

        ASSERT_EQ_U64(kb(out.data, "SwapTotal"), 0);
        ASSERT_EQ_U64(kb(out.data, "SwapFree"), 0);
}

TEST(swap_view_host_without_swap) {
        _cleanup_free_ char *host = host_fixture("meminfo");
        struct cg_memory mem = memory_limited(50 * MiB, 20 * MiB);
        struct swap_view swap = { 1, 1 };

        ASSERT_TRUE(host);
        mem.swap_accounting = true;
        mem.swap_limit = 100 * MiB;
        ASSERT_OK(swap_view_compute(host, &mem, &swap));
        ASSERT_EQ_U64(swap.total_kb, kb(host, "SwapTotal"));
        ASSERT_EQ_U64(swap.used_kb, 0);
}

TEST(swaps_render_line) {
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct swap_view swap = { .total_kb = 102400, .used_kb = 10240 };

        ASSERT_OK(render_swaps(&swap, &out));
        ASSERT_STREQ(out.data, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
                               "none                                    virtual\t\t102400\t\t10240\t\t0\n");
}

TEST(swaps_render_wide_values) {
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct swap_view swap = { .total_kb = 16777216, .used_kb = 12345678 };

        ASSERT_OK(render_swaps(&swap, &out));
        ASSERT_STREQ(out.data, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
                               "none                                    virtual\t\t16777216\t12345678\t0\n");
}

TEST(swaps_render_no_swap) {
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct swap_view swap = {};

        ASSERT_OK(render_swaps(&swap, &out));
        ASSERT_STREQ(out.data, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
}

TEST(meminfo_no_line_above_total_that_fits_host) {
        _cleanup_free_ char *host = host_fixture("meminfo");
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        struct cg_memory mem = memory_limited(50 * MiB, 20 * MiB);
        uint64_t host_total;

        ASSERT_TRUE(host);
        ASSERT_OK(render_meminfo(host, &mem, &out));
        host_total = kb(host, "MemTotal");

        /* CommitLimit, KReclaimable and DirectMap2M fit in the host's MemTotal on the recorded host. */
        for (const char *key = "CommitLimit"; key; key = streq(key, "CommitLimit") ? "KReclaimable" : NULL) {
                ASSERT_TRUE(kb(host, key) <= host_total);
                ASSERT_TRUE(kb(host, key) > 51200);
                ASSERT_EQ_U64(kb(out.data, key), 51200);
        }

        /* VmallocTotal is larger than the host's MemTotal there too, so it stays. */
        ASSERT_EQ_U64(kb(out.data, "VmallocTotal"), kb(host, "VmallocTotal"));
}
