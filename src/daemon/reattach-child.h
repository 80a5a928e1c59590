/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * After the mount serves again, bind fresh views into every registered
 * container whose views died with an earlier daemon. It runs in a child
 * process so the supervisor itself parses no container data.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

void reattach_child_start(const char *mountpoint);

/* Returns true when pid was the reattach child (and logs how it ended). */
bool reattach_child_exited(pid_t pid, int status);
