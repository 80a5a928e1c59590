/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <math.h>

#include "loadavg.h"
#include "render-test.h"
#include "render.h"
#include "test.h"

static const double window_sec[3] = { 60, 300, 900 };

/* The kernel's EXP_1, EXP_5 and EXP_15: e^(-5 s / window) rounded to 11-bit fixed point. */
static const double kernel_decay[3] = { 1884, 2014, 2037 };

static void render(const struct loadavg_view *view, char *buf, size_t size) {
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;

        buf[0] = '\0';
        if (render_loadavg(view, &out) >= 0 && out.data)
                snprintf(buf, size, "%s", out.data);
}

TEST(loadavg_first_sample_kernel_values) {
        struct loadavg l = {};

        loadavg_update(&l, 1);

        /* (FIXED_1 * (FIXED_1 - EXP_n) + FIXED_1 - 1) / FIXED_1 with EXP_n 1884, 2014, 2037 */
        ASSERT_EQ_U64(l.avg[0], 164);
        ASSERT_EQ_U64(l.avg[1], 34);
        ASSERT_EQ_U64(l.avg[2], 11);
}

TEST(loadavg_one_task_for_a_minute) {
        struct loadavg l = {};
        struct loadavg_view view = { .running = 1, .total = 12, .last_pid = 40 };
        char text[128];

        /* 12 samples at 5 s intervals. */
        for (unsigned i = 0; i < 12; i++)
                loadavg_update(&l, 1);

        /* The kernel formula in floating point: 1 - e^(-60 s / window). */
        for (size_t i = 0; i < 3; i++) {
                double expected = (1 - exp(-60.0 / window_sec[i])) * LOADAVG_FIXED_1;

                ASSERT_TRUE(fabs((double) l.avg[i] - expected) <= 8);
        }

        view.avg = l;
        render(&view, text, sizeof(text));
        ASSERT_STREQ(text, "0.63 0.18 0.06 1/12 40\n");
}

TEST(loadavg_update_n_matches_one_step) {
        struct loadavg a = { { 1000, 2000, 3000 } }, b = a;

        loadavg_update(&a, 3);
        loadavg_update_n(&b, 3, 1);
        for (size_t i = 0; i < 3; i++)
                ASSERT_EQ_U64(a.avg[i], b.avg[i]);

        loadavg_update_n(&b, 3, 0);
        for (size_t i = 0; i < 3; i++)
                ASSERT_EQ_U64(a.avg[i], b.avg[i]);
}

TEST(loadavg_update_n_close_to_steps) {
        struct loadavg stepped = {}, jumped = {};

        for (unsigned i = 0; i < 36; i++)
                loadavg_update(&stepped, 2);
        loadavg_update_n(&jumped, 2, 36);

        /*
         * Against 2 * (1 - EXP^36) in floating point: one step with EXP^36 is
         * off only by the rounding of the power, 36 steps by up to one unit
         * per step because each step rounds up while the load rises.
         */
        for (size_t i = 0; i < 3; i++) {
                double expected = 2 * (1 - pow(kernel_decay[i] / LOADAVG_FIXED_1, 36)) * LOADAVG_FIXED_1;

                ASSERT_TRUE(fabs((double) jumped.avg[i] - expected) <= 16);
                ASSERT_TRUE(fabs((double) stepped.avg[i] - expected) <= 36);
                ASSERT_TRUE(stepped.avg[i] >= jumped.avg[i]);
        }
}

TEST(loadavg_converges_to_active) {
        struct loadavg l = {};

        loadavg_update_n(&l, 4, 100000);
        for (size_t i = 0; i < 3; i++)
                ASSERT_EQ_U64(l.avg[i], 4 * LOADAVG_FIXED_1);

        /* Rounding up while rising reaches the value exactly, step by step too. */
        l = (struct loadavg){};
        for (unsigned i = 0; i < 2000; i++)
                loadavg_update(&l, 1);
        for (size_t i = 0; i < 3; i++)
                ASSERT_EQ_U64(l.avg[i], LOADAVG_FIXED_1);
}

TEST(loadavg_decays_to_zero) {
        struct loadavg l = { { 5 * LOADAVG_FIXED_1, 5 * LOADAVG_FIXED_1, 5 * LOADAVG_FIXED_1 } };
        unsigned long previous = l.avg[0];

        loadavg_update(&l, 0);
        ASSERT_TRUE(l.avg[0] < previous);
        for (unsigned i = 0; i < 5000; i++)
                loadavg_update(&l, 0);
        for (size_t i = 0; i < 3; i++)
                ASSERT_EQ_U64(l.avg[i], 0);
}

TEST(loadavg_huge_active_does_not_wrap) {
        struct loadavg l = {};

        loadavg_update_n(&l, (unsigned long) -1, 100000);
        ASSERT_EQ_U64(l.avg[0], (UINT64_C(1) << 32) * LOADAVG_FIXED_1);
}

TEST(loadavg_add_sums) {
        struct loadavg a = { { 1, 2, 3 } }, b = { { 10, 20, 30 } };

        loadavg_add(&a, &b);
        ASSERT_EQ_U64(a.avg[0], 11);
        ASSERT_EQ_U64(a.avg[1], 22);
        ASSERT_EQ_U64(a.avg[2], 33);
}

TEST(loadavg_format_rounding) {
        struct loadavg_view view = {
                /* 1.0, 0.5, 0.0097 (rounds up to 0.01), then 2047/2048 (rounds up to 1.00) */
                .avg = { { LOADAVG_FIXED_1, LOADAVG_FIXED_1 / 2, 20 } },
                .running = 2,
                .total = 57,
                .last_pid = 1234,
        };
        char text[128];

        render(&view, text, sizeof(text));
        ASSERT_STREQ(text, "1.00 0.50 0.01 2/57 1234\n");

        view.avg = (struct loadavg){ { LOADAVG_FIXED_1 - 1, 0, 123 * LOADAVG_FIXED_1 + LOADAVG_FIXED_1 / 4 } };
        view.running = 0;
        view.total = 0;
        view.last_pid = 0;
        render(&view, text, sizeof(text));
        ASSERT_STREQ(text, "1.00 0.00 123.25 0/0 0\n");
}

TEST(loadavg_render_rejects_null) {
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;

        ASSERT_EQ_INT(render_loadavg(NULL, &out), -EINVAL);
}

TEST(uptime_format) {
        static const struct {
                double uptime, idle;
                const char *expected;
        } cases[] = {
                { 345.27, 652.49, "345.27 652.49\n" }, { 0, 0, "0.00 0.00\n" },
                { 12.006, 0.004, "12.01 0.00\n" },     { -3, 5, "0.00 5.00\n" },
                { NAN, INFINITY, "0.00 0.00\n" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;

                ASSERT_OK(render_uptime(cases[i].uptime, cases[i].idle, &out));
                ASSERT_STREQ(out.data, cases[i].expected);
        }
}
