/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The host files every view starts from, read through a short cache: when
 * many containers read at once, the kernel generates /proc/meminfo or
 * /proc/stat once per interval instead of once per read.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/*
 * A copy of path's content, at most max_age_ms old. The caller frees *ret.
 * Returns 0 or a negative errno from reading the file.
 */
int hostfile_read(const char *path, unsigned max_age_ms, char **ret);

/*
 * Read like hostfile_read(), and return the version of the content, a number
 * that changes whenever the file is read again (0 when the file is not cached).
 */
int hostfile_read_versioned(const char *path, unsigned max_age_ms, char **ret, uint64_t *ret_version);
