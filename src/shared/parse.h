/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Checked number parsing. Every function returns 0 or a negative errno
 * (-EINVAL for text that is not a number, -ERANGE for overflow) and writes
 * *ret only on success. Leading and trailing white space is rejected except
 * where a function says otherwise.
 */
#pragma once

#include <stdint.h>

int safe_atou64(const char *s, uint64_t *ret);
int safe_atou(const char *s, unsigned *ret);
int safe_atoi(const char *s, int *ret);

/* Parse "123", "64k", "50m", "2g" (binary units, case-insensitive, optional "b"). */
int parse_size(const char *s, uint64_t *ret);

/* Parse a decimal CPU count such as "1", "0.5" or "1.25" into millicpus. */
int parse_millicpus(const char *s, uint64_t *ret);

/* Parse the first token of s as u64; *ret_end points after it. */
int parse_u64_prefix(const char *s, uint64_t *ret, const char **ret_end);
