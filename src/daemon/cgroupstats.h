/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Task counts of a cgroup v1 directory from the kernel's taskstats netlink
 * family (CGROUPSTATS_CMD_GET): one request per cgroup instead of reading
 * /proc/TID/stat for every thread. The kernel answers it only for cgroup v1
 * directories; on v2 the caller counts the threads itself.
 */
#pragma once

#include <linux/cgroupstats.h>

struct cgroupstats_client;

/* Returns -EOPNOTSUPP when the kernel has no taskstats family. */
int cgroupstats_open(struct cgroupstats_client **ret);
void cgroupstats_close(struct cgroupstats_client *c);

/* Counts of the tasks directly in the cgroup directory dirfd (not its children). */
int cgroupstats_get(struct cgroupstats_client *c, int dirfd, struct cgroupstats *ret);
