/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <limits.h>

#include "macro.h"
#include "parse.h"
#include "test.h"

TEST(safe_atou64_accepts_numbers) {
        uint64_t value = 0;

        ASSERT_OK(safe_atou64("0", &value));
        ASSERT_EQ_U64(value, 0);
        ASSERT_OK(safe_atou64("42", &value));
        ASSERT_EQ_U64(value, 42);
        ASSERT_OK(safe_atou64("18446744073709551615", &value));
        ASSERT_EQ_U64(value, UINT64_MAX);
}

TEST(safe_atou64_rejects_invalid) {
        static const char *const invalid[] = { "", " 1", "1 ", "-1", "+1", "1x", "0x10", "max", "1.5", "\n1" };
        uint64_t value = 7;

        for (size_t i = 0; i < ELEMENTSOF(invalid); i++)
                ASSERT_EQ_INT(safe_atou64(invalid[i], &value), -EINVAL);
        ASSERT_EQ_INT(safe_atou64(NULL, &value), -EINVAL);
        ASSERT_EQ_INT(safe_atou64("18446744073709551616", &value), -ERANGE);
        ASSERT_EQ_INT(safe_atou64("99999999999999999999999", &value), -ERANGE);
        ASSERT_EQ_U64(value, 7);
}

TEST(safe_atou_range) {
        unsigned value = 3;

        ASSERT_OK(safe_atou("4294967295", &value));
        ASSERT_EQ_U64(value, UINT_MAX);
        ASSERT_EQ_INT(safe_atou("4294967296", &value), -ERANGE);
        ASSERT_EQ_INT(safe_atou("-1", &value), -EINVAL);
        ASSERT_EQ_U64(value, UINT_MAX);
}

TEST(safe_atoi_signs_and_range) {
        int value = 3;

        ASSERT_OK(safe_atoi("-5", &value));
        ASSERT_EQ_INT(value, -5);
        ASSERT_OK(safe_atoi("2147483647", &value));
        ASSERT_EQ_INT(value, INT_MAX);
        ASSERT_OK(safe_atoi("-2147483648", &value));
        ASSERT_EQ_INT(value, INT_MIN);
        ASSERT_OK(safe_atoi("-0", &value));
        ASSERT_EQ_INT(value, 0);
        ASSERT_EQ_INT(safe_atoi("2147483648", &value), -ERANGE);
        ASSERT_EQ_INT(safe_atoi("-2147483649", &value), -ERANGE);
        ASSERT_EQ_INT(safe_atoi("--1", &value), -EINVAL);
        ASSERT_EQ_INT(safe_atoi("-", &value), -EINVAL);
        ASSERT_EQ_INT(safe_atoi("", &value), -EINVAL);
        ASSERT_EQ_INT(value, 0);
}

TEST(parse_u64_prefix_stops_after_digits) {
        const char *end = NULL;
        uint64_t value = 0;

        ASSERT_OK(parse_u64_prefix("123 kB", &value, &end));
        ASSERT_EQ_U64(value, 123);
        ASSERT_STREQ(end, " kB");
        ASSERT_OK(parse_u64_prefix("7\nnext", &value, &end));
        ASSERT_EQ_U64(value, 7);
        ASSERT_STREQ(end, "\nnext");
        ASSERT_OK(parse_u64_prefix("9", &value, NULL));
        ASSERT_EQ_U64(value, 9);
        ASSERT_EQ_INT(parse_u64_prefix(" 1", &value, &end), -EINVAL);
        ASSERT_EQ_INT(parse_u64_prefix("-1", &value, &end), -EINVAL);
        ASSERT_EQ_INT(parse_u64_prefix("kB", &value, &end), -EINVAL);
        ASSERT_EQ_INT(parse_u64_prefix("", &value, &end), -EINVAL);
        ASSERT_EQ_INT(parse_u64_prefix(NULL, &value, &end), -EINVAL);
        ASSERT_EQ_INT(parse_u64_prefix("18446744073709551616 kB", &value, &end), -ERANGE);
        ASSERT_EQ_U64(value, 9);
}

TEST(parse_size_units) {
        static const struct {
                const char *text;
                uint64_t expected;
        } cases[] = {
                { "0", 0 },
                { "123", 123 },
                { "123b", 123 },
                { "64k", 64 * 1024 },
                { "64K", 64 * 1024 },
                { "64kb", 64 * 1024 },
                { "64KB", 64 * 1024 },
                { "50m", 50 * 1024 * 1024 },
                { "2g", UINT64_C(2) << 30 },
                { "1t", UINT64_C(1) << 40 },
                { "16777215t", UINT64_C(16777215) << 40 },
        };
        uint64_t value;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                ASSERT_OK(parse_size(cases[i].text, &value));
                ASSERT_EQ_U64(value, cases[i].expected);
        }
}

TEST(parse_size_rejects_invalid) {
        static const char *const invalid[] = { "", "k", "1x", "1kx", "1bb", "1 k", " 1k", "1.5g", "-1", "1e" };
        uint64_t value = 5;

        for (size_t i = 0; i < ELEMENTSOF(invalid); i++)
                ASSERT_EQ_INT(parse_size(invalid[i], &value), -EINVAL);
        ASSERT_EQ_INT(parse_size("16777216t", &value), -ERANGE);
        ASSERT_EQ_INT(parse_size("18446744073709551616", &value), -ERANGE);
        ASSERT_EQ_U64(value, 5);
}

TEST(parse_millicpus_values) {
        static const struct {
                const char *text;
                uint64_t expected;
        } cases[] = {
                { "0", 0 },
                { "1", 1000 },
                { "0.5", 500 },
                { "1.25", 1250 },
                { "1.5", 1500 },
                { "2.000", 2000 },
                { "0.0015", 1 },
                { "3.14159", 3141 },
                { "18446744073709551", UINT64_C(18446744073709551000) },
                { "18446744073709551.615", UINT64_MAX },
        };
        uint64_t value;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                ASSERT_OK(parse_millicpus(cases[i].text, &value));
                ASSERT_EQ_U64(value, cases[i].expected);
        }
}

TEST(parse_millicpus_rejects_invalid) {
        static const char *const invalid[] = { "", ".5", "1.", "1.5x", "1,5", "-1", "1 ", "1.-5" };
        uint64_t value = 9;

        for (size_t i = 0; i < ELEMENTSOF(invalid); i++)
                ASSERT_EQ_INT(parse_millicpus(invalid[i], &value), -EINVAL);
        ASSERT_EQ_INT(parse_millicpus("18446744073709552", &value), -ERANGE);
        /* The whole part fits, but whole * 1000 + fraction does not. */
        ASSERT_EQ_INT(parse_millicpus("18446744073709551.616", &value), -ERANGE);
        ASSERT_EQ_INT(parse_millicpus("18446744073709551.9", &value), -ERANGE);
        ASSERT_EQ_U64(value, 9);
}
