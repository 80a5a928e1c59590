/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A minimal unit test harness that prints TAP.
 *
 *   TEST(meminfo_limit_on_parent) {
 *           ASSERT_EQ_U64(value, 51200);
 *   }
 *
 * A failed ASSERT prints the file, line, expression and both values, marks the
 * test "not ok" and returns from it. main() is provided by test-main.c.
 */
#pragma once

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct test_case {
        const char *name;
        void (*func)(void);
};

void test_register(const char *name, void (*func)(void));
void test_fail(const char *file, int line, const char *format, ...) __attribute__((format(printf, 3, 4)));

/* The directory of tests/fixtures, passed by meson as a define. */
const char *test_fixture_dir(void);

#define TEST(name)                                                                                                     \
        static void test_##name(void);                                                                                 \
        __attribute__((constructor)) static void test_register_##name(void) {                                          \
                test_register(#name, test_##name);                                                                     \
        }                                                                                                              \
        static void test_##name(void)

#define ASSERT_TRUE(expr)                                                                                              \
        do {                                                                                                           \
                if (!(expr)) {                                                                                         \
                        test_fail(__FILE__, __LINE__, "expected true: %s", #expr);                                     \
                        return;                                                                                        \
                }                                                                                                      \
        } while (0)

#define ASSERT_OK(expr)                                                                                                \
        do {                                                                                                           \
                long long _r_ = (long long) (expr);                                                                    \
                if (_r_ < 0) {                                                                                         \
                        test_fail(__FILE__, __LINE__, "%s failed: %s", #expr, strerror((int) -_r_));                   \
                        return;                                                                                        \
                }                                                                                                      \
        } while (0)

#define ASSERT_EQ_U64(a, b)                                                                                            \
        do {                                                                                                           \
                uint64_t _a_ = (uint64_t) (a), _b_ = (uint64_t) (b);                                                   \
                if (_a_ != _b_) {                                                                                      \
                        test_fail(__FILE__, __LINE__, "%s == %s: %" PRIu64 " != %" PRIu64, #a, #b, _a_, _b_);          \
                        return;                                                                                        \
                }                                                                                                      \
        } while (0)

#define ASSERT_EQ_INT(a, b)                                                                                            \
        do {                                                                                                           \
                long long _a_ = (long long) (a), _b_ = (long long) (b);                                                \
                if (_a_ != _b_) {                                                                                      \
                        test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, _a_, _b_);                     \
                        return;                                                                                        \
                }                                                                                                      \
        } while (0)

#define ASSERT_STREQ(a, b)                                                                                             \
        do {                                                                                                           \
                const char *_a_ = (a), *_b_ = (b);                                                                     \
                if (!_a_ || !_b_ || strcmp(_a_, _b_) != 0) {                                                           \
                        test_fail(__FILE__, __LINE__, "%s == %s:\n--- got\n%s\n--- expected\n%s", #a, #b,              \
                                  _a_ ? _a_ : "(null)", _b_ ? _b_ : "(null)");                                         \
                        return;                                                                                        \
                }                                                                                                      \
        } while (0)
