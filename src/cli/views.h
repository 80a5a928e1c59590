/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The files procviewd serves under its mount point, and the check that the
 * daemon is running there.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Relative paths under the mount point; each is bind-mounted at "/" + path in the container. */
extern const char *const view_paths[];
extern const size_t n_view_paths;

/*
 * Check that dir is a FUSE mount with proc/meminfo in it. Logs an error that
 * names the command to start the daemon and returns a negative errno when not.
 */
int views_check_mounted(const char *dir);

/* Whether dir/path exists, so a view the daemon lacks is skipped. */
bool view_present(const char *dir, const char *path);
