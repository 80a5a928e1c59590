/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "parse.h"

int parse_u64_prefix(const char *s, uint64_t *ret, const char **ret_end) {
        unsigned long long value;
        char *end;

        if (!s || !isdigit((unsigned char) *s))
                return -EINVAL;

        errno = 0;
        value = strtoull(s, &end, 10);
        if (errno == ERANGE)
                return -ERANGE;

        *ret = value;
        if (ret_end)
                *ret_end = end;
        return 0;
}

int safe_atou64(const char *s, uint64_t *ret) {
        const char *end;
        uint64_t value;
        int r;

        r = parse_u64_prefix(s, &value, &end);
        if (r < 0)
                return r;
        if (*end != '\0')
                return -EINVAL;

        *ret = value;
        return 0;
}

int safe_atou(const char *s, unsigned *ret) {
        uint64_t value;
        int r;

        r = safe_atou64(s, &value);
        if (r < 0)
                return r;
        if (value > UINT_MAX)
                return -ERANGE;

        *ret = (unsigned) value;
        return 0;
}

int safe_atoi(const char *s, int *ret) {
        bool negative = false;
        uint64_t value;
        int r;

        if (s && *s == '-') {
                negative = true;
                s++;
        }

        r = safe_atou64(s, &value);
        if (r < 0)
                return r;
        if (value > (uint64_t) INT_MAX + negative)
                return -ERANGE;

        *ret = negative ? (int) -(int64_t) value : (int) value;
        return 0;
}

int parse_size(const char *s, uint64_t *ret) {
        static const struct {
                char suffix;
                unsigned shift;
        } units[] = {
                { 'k', 10 },
                { 'm', 20 },
                { 'g', 30 },
                { 't', 40 },
        };
        const char *end;
        uint64_t value;
        unsigned shift = 0;
        int r;

        r = parse_u64_prefix(s, &value, &end);
        if (r < 0)
                return r;

        if (*end != '\0') {
                char c = (char) tolower((unsigned char) *end);
                bool found = false;

                for (size_t i = 0; i < ELEMENTSOF(units); i++)
                        if (units[i].suffix == c) {
                                shift = units[i].shift;
                                found = true;
                        }
                if (!found && c != 'b')
                        return -EINVAL;

                end++;
                if (found && (*end == 'b' || *end == 'B'))
                        end++;
                if (*end != '\0')
                        return -EINVAL;
        }

        if (shift > 0 && value > (UINT64_MAX >> shift))
                return -ERANGE;

        *ret = value << shift;
        return 0;
}

int parse_millicpus(const char *s, uint64_t *ret) {
        const char *end;
        uint64_t whole, fraction = 0;
        unsigned digits = 0;
        int r;

        r = parse_u64_prefix(s, &whole, &end);
        if (r < 0)
                return r;
        if (whole > UINT64_MAX / 1000)
                return -ERANGE;

        if (*end == '.') {
                for (end++; isdigit((unsigned char) *end); end++, digits++) {
                        /* Digits past the third only need to be valid. */
                        if (digits < 3)
                                fraction = fraction * 10 + (uint64_t) (*end - '0');
                }
                if (digits == 0)
                        return -EINVAL;
                for (; digits < 3; digits++)
                        fraction *= 10;
        }

        if (*end != '\0')
                return -EINVAL;
        if (whole * 1000 > UINT64_MAX - fraction)
                return -ERANGE;

        *ret = whole * 1000 + fraction;
        return 0;
}
