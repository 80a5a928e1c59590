/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The seccomp agent: answers sysinfo(2) for containers whose seccomp filter
 * sends that call to procview (SCMP_ACT_NOTIFY with runc's or crun's
 * listenerPath). The supervisor keeps the notification fds, so they outlive
 * a worker, and passes each one to the worker over a socket pair as a
 * message of a 4-byte id with the fd attached.
 *
 * Every notification is answered: with the container's values written into
 * the caller's struct sysinfo, or, for anything unexpected or on any error,
 * with "continue", which lets the kernel run the call as usual.
 */
#pragma once

#include "handover.h"
#include "views.h"

struct sysinfo_agent;

/* Serve notification fds that arrive on control_fd. slot is this worker's handover seccomp slot. */
int sysinfo_agent_start(struct views *views, struct handover *handover, int control_fd, unsigned slot,
                        struct sysinfo_agent **ret);
