/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The OCI bundle directory of one container run: creating it, building a
 * busybox root filesystem in it, and removing it afterwards.
 */
#pragma once

/* Create a fresh bundle directory for container id; *ret_path is its absolute path. */
int bundle_create(const char *id, char **ret_path);

/*
 * Build BUNDLE/rootfs from the host's static /bin/busybox: bin/busybox, one
 * symlink per applet, and the directories and /etc files a shell expects.
 */
int bundle_build_busybox_rootfs(const char *bundle, char **ret_rootfs);

/* Remove the bundle directory recursively, without crossing into other mounts. */
int bundle_remove(const char *path);
