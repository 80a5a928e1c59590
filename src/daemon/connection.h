/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The FUSE connection as the supervisor handles it: mounting, the kernel's
 * FUSE_INIT request, and the requests a dead worker left unanswered. This is
 * the only protocol data the supervisor reads.
 */
#pragma once

#include <stdbool.h>

#include "handover.h"

/* Open /dev/fuse and mount it at mountpoint (ro, nosuid, nodev, allow_other). */
int connection_mount(const char *mountpoint, int *ret_fd);

/* Read the kernel's FUSE_INIT request, the first message of a new connection, into the handover region. */
int connection_read_init(int fuse_fd, struct handover *handover);

/* Whether the saved FUSE_INIT offers FUSE_NOTIFY_RESEND (Linux 6.9 and later); logs when it does not. */
bool connection_can_resend(struct handover *handover);

/*
 * Requests a dead worker had read, recorded in the in-flight slots from
 * slot_base: have the kernel send them again, or answer them with EIO.
 */
void connection_recover(int fuse_fd, struct handover *handover, bool resend, unsigned slot_base);
