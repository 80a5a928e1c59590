/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Identifying a container's init process across time. A pid alone can be
 * reused once the process is reaped, so a recorded pid is trusted only
 * together with the process's start time (field 22 of /proc/PID/stat, in
 * clock ticks since boot).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Read the start time of pid in clock ticks since boot. -ESRCH when pid does not exist. */
int process_start_time(pid_t pid, uint64_t *ret);

/*
 * Open a pidfd for pid and check that it still is the process that started
 * at start_time. Returns the pidfd, or -ESRCH when that process is gone
 * (exited, or its pid now belongs to another process).
 */
int process_open_checked(pid_t pid, uint64_t start_time);

/* Whether the process behind pidfd has exited; a pidfd becomes readable then. */
bool process_exited(int pidfd);

/* Read the parent pid of pid (0 for the caller) in the pid numbers of the /proc mount. */
int process_parent(pid_t pid, pid_t *ret);

/* Read the pid that pid has in its own, innermost pid namespace (the last NSpid value). */
int process_innermost_pid(pid_t pid, pid_t *ret);
