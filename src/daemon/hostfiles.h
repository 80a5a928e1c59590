/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The host files every view starts from, read through a short cache: when
 * many containers read at once, the kernel generates /proc/meminfo or
 * /proc/stat once per interval instead of once per read.
 */
#pragma once

#include <stddef.h>

/*
 * A copy of path's content, at most max_age_ms old. The caller frees *ret.
 * Returns 0 or a negative errno from reading the file.
 */
int hostfile_read(const char *path, unsigned max_age_ms, char **ret);
