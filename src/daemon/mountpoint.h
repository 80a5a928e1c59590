/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Check that path can take the mount: FUSE is available, and path is an
 * existing directory that is not a mount point already. A dead FUSE mount
 * left there by a crashed daemon is lazily unmounted first. Logs one line
 * that says what to do and returns a negative errno otherwise.
 */
int mountpoint_prepare(const char *path);
