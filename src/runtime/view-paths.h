/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The files procviewd serves under its mount point. Each one is bound over
 * the file or directory of the same path inside a container.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Where procviewd is mounted unless an option names another directory. */
#define DEFAULT_VIEWS_DIR "/var/lib/procview"

/* Relative paths under the mount point; each is bind-mounted at "/" + path in the container. */
#define N_VIEW_PATHS 8
extern const char *const view_paths[N_VIEW_PATHS];
extern const size_t n_view_paths;

/* Whether dir/path exists, so a view the daemon lacks is skipped. */
bool view_present(const char *dir, const char *path);
