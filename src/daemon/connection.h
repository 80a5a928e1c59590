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

/* Whether the saved FUSE_INIT offers FUSE_NOTIFY_RESEND (Linux 6.9 and later). */
bool connection_offers_resend(struct handover *handover);

/* Like connection_offers_resend(), and logs a warning when the kernel cannot resend. */
bool connection_can_resend(struct handover *handover);

/*
 * Open a second device of the connection on fuse_fd. A request read from it
 * gets its reply through it, and when its last copy is closed the kernel
 * fails the requests read from it that have no reply yet.
 */
int connection_clone(int fuse_fd, int *ret_fd);

/*
 * Requests a dead worker had read, recorded in the in-flight slots from
 * slot_base: have the kernel send them again, or answer them with EIO.
 */
void connection_recover(int fuse_fd, struct handover *handover, bool resend, unsigned slot_base);
