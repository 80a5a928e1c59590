/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The files procviewd serves under its mount point, and the check that the
 * daemon is running there.
 */
#pragma once

#include "view-paths.h"

/*
 * Check that dir is a FUSE mount with proc/meminfo in it. Logs an error that
 * names the command to start the daemon, followed by alternative (such as
 * ", or pass --no-views"; NULL for none), and returns a negative errno when not.
 */
int views_check_mounted(const char *dir, const char *alternative);
