/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/*
 * Read a whole file relative to dirfd (AT_FDCWD for plain paths) into a new
 * NUL-terminated buffer. Works for /proc and cgroup files whose st_size is 0
 * or a page. Returns 0 or a negative errno; writes *ret only on success.
 */
int read_full_file_at(int dirfd, const char *path, char **ret, size_t *ret_size);

/* Read fd to its end, such as a pipe on stdin, into a new NUL-terminated buffer, like read_full_file_at(). */
int read_full_fd(int fd, char **ret, size_t *ret_size);

/* Read a one-line file and strip the trailing newline. */
int read_one_line_at(int dirfd, const char *path, char **ret);

/* Read a file holding one unsigned number; "max" gives UINT64_MAX. */
int read_u64_at(int dirfd, const char *path, uint64_t *ret);

/* Write a string to an existing file, such as a cgroup control file. */
int write_string_at(int dirfd, const char *path, const char *value);
