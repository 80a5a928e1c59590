/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A set of CPUs in host numbering, as the kernel's list format describes it
 * ("0-3,8,10-11"). Fixed size so it can live on the stack and be copied.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "strbuf.h"

/* Linux's largest NR_CPUS on x86_64 distribution kernels. */
#define CPUSET_MAX 8192

struct cpuset {
        uint64_t words[CPUSET_MAX / 64];
};

void cpuset_clear(struct cpuset *s);
void cpuset_add(struct cpuset *s, unsigned cpu);
bool cpuset_has(const struct cpuset *s, unsigned cpu);
unsigned cpuset_count(const struct cpuset *s);
bool cpuset_is_empty(const struct cpuset *s);
bool cpuset_equal(const struct cpuset *a, const struct cpuset *b);
void cpuset_intersect(struct cpuset *s, const struct cpuset *other);

/* Keep only the n lowest-numbered CPUs. */
void cpuset_keep_first(struct cpuset *s, unsigned n);

/* The first CPU >= from, or -1 when there is none. Iterate with CPUSET_FOREACH. */
int cpuset_next(const struct cpuset *s, unsigned from);

#define CPUSET_FOREACH(cpu, set)                                                                                       \
        for (int cpu = cpuset_next((set), 0); cpu >= 0; cpu = cpuset_next((set), (unsigned) cpu + 1))

/*
 * Parse the kernel's list format. An empty string (or only white space) is an
 * empty set. Returns -EINVAL for malformed text and -ERANGE for CPUs at or
 * above CPUSET_MAX.
 */
int cpuset_parse(const char *text, struct cpuset *ret);

/* Append the list format ("0-2,5"), without a newline; nothing for an empty set. */
void cpuset_format(const struct cpuset *s, struct strbuf *out);
