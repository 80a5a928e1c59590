/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Starting helper programs (the OCI runtime, busybox) and collecting their
 * exit status. Children start with an empty signal mask and default signal
 * dispositions, whatever the parent blocked.
 */
#pragma once

#include <sys/types.h>

/* Runs in the child right before exec; a negative errno makes the child exit with 127. */
typedef int (*spawn_setup_t)(void);

/* Start path with argv; the child keeps the caller's stdin, stdout and stderr. */
int spawn_process(const char *path, char *const argv[], spawn_setup_t setup, pid_t *ret_pid);

/*
 * Run path with argv to completion, reading what it writes to capture_fd
 * (STDOUT_FILENO or STDERR_FILENO) into *ret_output. *ret_status is the exit
 * status as wait_for_exit() reports it.
 */
int spawn_capture(const char *path, char *const argv[], spawn_setup_t setup, int capture_fd, char **ret_output,
                  int *ret_status);

/* Wait for pid and return its exit status, or 128+N when signal N ended it, in *ret_status. */
int wait_for_exit(pid_t pid, int *ret_status);

/* Convert a waitpid() status into an exit status in the shell's convention. */
int exit_status_from_wait(int wait_status);
