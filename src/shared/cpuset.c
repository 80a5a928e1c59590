/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "cpuset.h"
#include "parse.h"

void cpuset_clear(struct cpuset *s) {
        memset(s, 0, sizeof(*s));
}

void cpuset_add(struct cpuset *s, unsigned cpu) {
        if (cpu < CPUSET_MAX)
                s->words[cpu / 64] |= UINT64_C(1) << (cpu % 64);
}

bool cpuset_has(const struct cpuset *s, unsigned cpu) {
        return cpu < CPUSET_MAX && (s->words[cpu / 64] >> (cpu % 64)) & 1;
}

unsigned cpuset_count(const struct cpuset *s) {
        unsigned n = 0;

        /* Most words are 0: skip them rather than call libgcc's popcount 128 times. */
        for (size_t i = 0; i < ELEMENTSOF(s->words); i++)
                if (s->words[i] != 0)
                        n += (unsigned) __builtin_popcountll(s->words[i]);
        return n;
}

bool cpuset_is_empty(const struct cpuset *s) {
        return cpuset_next(s, 0) < 0;
}

bool cpuset_equal(const struct cpuset *a, const struct cpuset *b) {
        return memcmp(a->words, b->words, sizeof(a->words)) == 0;
}

void cpuset_intersect(struct cpuset *s, const struct cpuset *other) {
        for (size_t i = 0; i < ELEMENTSOF(s->words); i++)
                s->words[i] &= other->words[i];
}

void cpuset_keep_first(struct cpuset *s, unsigned n) {
        unsigned kept = 0;

        CPUSET_FOREACH(cpu, s) {
                if (kept < n) {
                        kept++;
                        continue;
                }
                s->words[cpu / 64] &= ~(UINT64_C(1) << (cpu % 64));
        }
}

int cpuset_next(const struct cpuset *s, unsigned from) {
        for (unsigned i = from / 64; i < ELEMENTSOF(s->words); i++) {
                uint64_t word = s->words[i];

                if (i == from / 64)
                        word &= ~UINT64_C(0) << (from % 64);
                if (word != 0)
                        return (int) (i * 64 + (unsigned) __builtin_ctzll(word));
        }
        return -1;
}

static int parse_cpu_number(const char **p, unsigned *ret) {
        const char *end;
        uint64_t value;
        int r;

        r = parse_u64_prefix(*p, &value, &end);
        if (r < 0)
                return r;
        if (value >= CPUSET_MAX)
                return -ERANGE;

        *ret = (unsigned) value;
        *p = end;
        return 0;
}

int cpuset_parse(const char *text, struct cpuset *ret) {
        struct cpuset set;
        const char *p = text;

        cpuset_clear(&set);

        while (isspace((unsigned char) *p))
                p++;

        while (*p != '\0' && !isspace((unsigned char) *p)) {
                unsigned first, last;
                int r;

                r = parse_cpu_number(&p, &first);
                if (r < 0)
                        return r;

                last = first;
                if (*p == '-') {
                        p++;
                        r = parse_cpu_number(&p, &last);
                        if (r < 0)
                                return r;
                        if (last < first)
                                return -EINVAL;
                }

                for (unsigned cpu = first; cpu <= last; cpu++)
                        cpuset_add(&set, cpu);

                if (*p == ',') {
                        p++;
                        if (*p == '\0' || isspace((unsigned char) *p))
                                return -EINVAL;
                } else if (*p != '\0' && !isspace((unsigned char) *p))
                        return -EINVAL;
        }

        while (isspace((unsigned char) *p))
                p++;
        if (*p != '\0')
                return -EINVAL;

        *ret = set;
        return 0;
}

void cpuset_format(const struct cpuset *s, struct strbuf *out) {
        bool first = true;
        int cpu = cpuset_next(s, 0);

        while (cpu >= 0) {
                int last = cpu;

                while (cpuset_has(s, (unsigned) last + 1))
                        last++;

                strbuf_printf(out, first ? "%d" : ",%d", cpu);
                if (last > cpu)
                        strbuf_printf(out, "-%d", last);

                first = false;
                cpu = cpuset_next(s, (unsigned) last + 1);
        }
}
