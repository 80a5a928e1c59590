/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Binding the views again inside running containers after procviewd was
 * restarted. A view bound from the old daemon's mount stays in the
 * container as a dead FUSE mount ("Transport endpoint is not connected")
 * until it is replaced; see view-mount.h for how that is done.
 */
#pragma once

#include "registry.h"

/*
 * Replace the views of the container e with fresh ones from views_dir (NULL
 * for e->views_dir). *ret_attached counts the views bound (those already
 * bound from the live mount count too).
 *
 * Returns 0 on success, -ESRCH when the container's init is gone (the
 * record is stale; the caller should drop it), or another negative errno
 * for the first view that could not be bound.
 */
int reattach_container(const struct registry_entry *e, const char *views_dir, unsigned *ret_attached);

/*
 * Reattach every registered container whose views come from views_dir (the
 * procviewd mount point), and forget the containers that are gone. Meant to
 * be called by procviewd as soon as its new mount serves requests, since the
 * children it forks read the views through that mount.
 *
 * *ret_ok counts the containers whose views all work again, *ret_failed the
 * ones where a view could not be bound (each logged at debug level). Gone
 * containers count in neither. Returns 0, or a negative errno when the
 * registry cannot be read.
 */
int reattach_all(const char *views_dir, unsigned *ret_ok, unsigned *ret_failed);
