/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Parsers of per-process /proc files. Pure: each takes the file's text.
 */
#pragma once

#include <stdint.h>
#include <sys/types.h>

/* From /proc/PID/stat: the state letter and the start time in clock ticks since boot. */
struct proc_stat {
        char state;
        pid_t ppid;
        uint64_t starttime_ticks;
};

int procfs_parse_stat(const char *text, struct proc_stat *ret);

/*
 * The last field of the NSpid line of /proc/PID/status: the pid in the
 * innermost pid namespace. Returns -ENODATA when the text has no NSpid line
 * (kernels before 4.1).
 */
int procfs_parse_nspid(const char *text, pid_t *ret);
