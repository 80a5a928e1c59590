/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "cpuset.h"
#include "macro.h"
#include "test.h"

static const char *format(const struct cpuset *s, struct strbuf *buf) {
        strbuf_reset(buf);
        cpuset_format(s, buf);
        return buf->data ? buf->data : "";
}

TEST(cpuset_parse_and_format_round_trip) {
        static const struct {
                const char *text;
                const char *formatted;
                unsigned count;
        } cases[] = {
                { "0", "0", 1 },         { "0-3", "0-3", 4 },
                { "0-1,4", "0-1,4", 3 }, { "2,5-6", "2,5-6", 3 },
                { "0,1,2,3", "0-3", 4 }, { "3,1,2", "1-3", 3 },
                { "0-3,2-5", "0-5", 6 }, { "63-64", "63-64", 2 },
                { "8191", "8191", 1 },   { "0-8191", "0-8191", 8192 },
                { "0-1\n", "0-1", 2 },   { "  5\n", "5", 1 },
                { "", "", 0 },           { "\n", "", 0 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_strbuf_ struct strbuf buf = STRBUF_INIT;
                struct cpuset s;

                ASSERT_OK(cpuset_parse(cases[i].text, &s));
                ASSERT_STREQ(format(&s, &buf), cases[i].formatted);
                ASSERT_EQ_U64(cpuset_count(&s), cases[i].count);
                ASSERT_EQ_INT(cpuset_is_empty(&s), cases[i].count == 0);
        }
}

TEST(cpuset_parse_rejects_invalid) {
        static const char *const invalid[] = {
                "a", "1-", "-1", "3-1", "1,", "1,,2", ",1", "1 2", "1-2-3", "1;2", "0x1", "1,\n",
        };
        struct cpuset s;

        cpuset_clear(&s);
        cpuset_add(&s, 7);

        for (size_t i = 0; i < ELEMENTSOF(invalid); i++)
                ASSERT_EQ_INT(cpuset_parse(invalid[i], &s), -EINVAL);
        ASSERT_EQ_INT(cpuset_parse("8192", &s), -ERANGE);
        ASSERT_EQ_INT(cpuset_parse("0-8192", &s), -ERANGE);
        ASSERT_EQ_INT(cpuset_parse("99999999999999999999", &s), -ERANGE);

        /* *ret is untouched on failure. */
        ASSERT_EQ_U64(cpuset_count(&s), 1);
        ASSERT_TRUE(cpuset_has(&s, 7));
}

TEST(cpuset_add_has_bounds) {
        struct cpuset s;

        cpuset_clear(&s);
        cpuset_add(&s, 0);
        cpuset_add(&s, 64);
        cpuset_add(&s, CPUSET_MAX - 1);
        cpuset_add(&s, CPUSET_MAX);

        ASSERT_TRUE(cpuset_has(&s, 0));
        ASSERT_TRUE(cpuset_has(&s, 64));
        ASSERT_TRUE(cpuset_has(&s, CPUSET_MAX - 1));
        ASSERT_TRUE(!cpuset_has(&s, 1));
        ASSERT_TRUE(!cpuset_has(&s, 63));
        ASSERT_TRUE(!cpuset_has(&s, CPUSET_MAX));
        ASSERT_EQ_U64(cpuset_count(&s), 3);
}

TEST(cpuset_next_and_foreach) {
        _cleanup_strbuf_ struct strbuf seen = STRBUF_INIT;
        struct cpuset s;

        ASSERT_OK(cpuset_parse("1,63-65,8191", &s));
        ASSERT_EQ_INT(cpuset_next(&s, 0), 1);
        ASSERT_EQ_INT(cpuset_next(&s, 1), 1);
        ASSERT_EQ_INT(cpuset_next(&s, 2), 63);
        ASSERT_EQ_INT(cpuset_next(&s, 66), 8191);
        ASSERT_EQ_INT(cpuset_next(&s, 8192), -1);
        ASSERT_EQ_INT(cpuset_next(&s, 100000), -1);

        CPUSET_FOREACH(cpu, &s)
        strbuf_printf(&seen, "%d ", cpu);
        ASSERT_STREQ(seen.data, "1 63 64 65 8191 ");
}

TEST(cpuset_intersect_and_equal) {
        _cleanup_strbuf_ struct strbuf buf = STRBUF_INIT;
        struct cpuset a, b, expected;

        ASSERT_OK(cpuset_parse("0-7", &a));
        ASSERT_OK(cpuset_parse("2-3,6,100", &b));
        ASSERT_OK(cpuset_parse("2-3,6", &expected));

        cpuset_intersect(&a, &b);
        ASSERT_STREQ(format(&a, &buf), "2-3,6");
        ASSERT_TRUE(cpuset_equal(&a, &expected));
        ASSERT_TRUE(!cpuset_equal(&a, &b));
}

TEST(cpuset_keep_first_lowest) {
        _cleanup_strbuf_ struct strbuf buf = STRBUF_INIT;
        struct cpuset s;

        ASSERT_OK(cpuset_parse("0-1,4,70-71", &s));
        cpuset_keep_first(&s, 4);
        ASSERT_STREQ(format(&s, &buf), "0-1,4,70");

        cpuset_keep_first(&s, 10);
        ASSERT_STREQ(format(&s, &buf), "0-1,4,70");

        cpuset_keep_first(&s, 1);
        ASSERT_STREQ(format(&s, &buf), "0");

        cpuset_keep_first(&s, 0);
        ASSERT_TRUE(cpuset_is_empty(&s));
}
