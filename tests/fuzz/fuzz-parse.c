/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The checked number parsers: parse_size (procview run -m), parse_millicpus
 * (--cpus), safe_atou64, safe_atou and safe_atoi. Results are compared with
 * a slow reference computed digit by digit.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>

#include "fuzz.h"
#include "parse.h"

int fuzz_parse(const uint8_t *data, size_t size);

/* Decimal digits of s to *ret; -EINVAL for anything else, -ERANGE above UINT64_MAX. */
static int reference_u64(const char *s, uint64_t *ret) {
        uint64_t value = 0;

        if (!isdigit((unsigned char) *s))
                return -EINVAL;
        for (; isdigit((unsigned char) *s); s++)
                if (__builtin_mul_overflow(value, 10, &value) || __builtin_add_overflow(value, *s - '0', &value))
                        return -ERANGE;
        if (*s != '\0')
                return -EINVAL;

        *ret = value;
        return 0;
}

static void check_u64(const char *text) {
        uint64_t value, expected;
        int r = safe_atou64(text, &value), expected_r = reference_u64(text, &expected);

        FUZZ_CHECK(r == expected_r);
        if (r == 0)
                FUZZ_CHECK(value == expected);
}

static void check_unsigned(const char *text) {
        unsigned value;
        uint64_t wide;

        if (safe_atou(text, &value) == 0) {
                FUZZ_CHECK(reference_u64(text, &wide) == 0);
                FUZZ_CHECK(wide == value);
        }
}

static void check_int(const char *text) {
        int value;
        uint64_t magnitude;

        if (safe_atoi(text, &value) == 0) {
                FUZZ_CHECK(reference_u64(text + (text[0] == '-'), &magnitude) == 0);
                FUZZ_CHECK(text[0] == '-' ? magnitude <= (uint64_t) INT_MAX + 1 : magnitude <= INT_MAX);
                FUZZ_CHECK(text[0] == '-' ? value == (int) -(int64_t) magnitude : value == (int) magnitude);
        }
}

static void check_size(const char *text) {
        uint64_t value, number;
        size_t digits = strspn(text, "0123456789");
        char *copy;

        if (parse_size(text, &value) < 0)
                return;

        /* The value is the digits shifted by the suffix's power of 1024, and the suffix is one of the units. */
        copy = strndup(text, digits);
        FUZZ_CHECK(copy);
        FUZZ_CHECK(reference_u64(copy, &number) == 0);
        free(copy);

        switch (tolower((unsigned char) text[digits])) {
        case '\0':
        case 'b':
                FUZZ_CHECK(value == number);
                break;
        case 'k':
                FUZZ_CHECK(value >> 10 == number && value % 1024 == 0);
                break;
        case 'm':
                FUZZ_CHECK(value >> 20 == number && value % (1u << 20) == 0);
                break;
        case 'g':
                FUZZ_CHECK(value >> 30 == number && value % (1u << 30) == 0);
                break;
        case 't':
                FUZZ_CHECK(value >> 40 == number && value % (UINT64_C(1) << 40) == 0);
                break;
        default:
                FUZZ_CHECK(!"parse_size accepted an unknown suffix");
        }
}

static void check_millicpus(const char *text) {
        uint64_t value, whole;
        size_t digits = strspn(text, "0123456789");
        char *copy;

        if (parse_millicpus(text, &value) < 0)
                return;

        copy = strndup(text, digits);
        FUZZ_CHECK(copy);
        FUZZ_CHECK(reference_u64(copy, &whole) == 0);
        free(copy);

        /* Digits past the third decimal are dropped, never rounded up into the next CPU. */
        FUZZ_CHECK(value / 1000 == whole);
        FUZZ_CHECK(text[digits] == '\0' || text[digits] == '.');
}

int fuzz_parse(const uint8_t *data, size_t size) {
        char *text = fuzz_strndup(data, size);

        check_u64(text);
        check_unsigned(text);
        check_int(text);
        check_size(text);
        check_millicpus(text);

        free(text);
        return 0;
}

FUZZ_DEFINE_ENTRY(fuzz_parse)
