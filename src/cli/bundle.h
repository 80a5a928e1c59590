/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The OCI bundle directory of one container run: creating it, building a
 * busybox root filesystem in it, and removing it afterwards.
 */
#pragma once

/*
 * Create a fresh bundle directory for container id, run by a runtime with
 * --root runtime_root; *ret_path is its absolute path. *ret_lock_fd holds the
 * bundle's lock and is inherited by the runtime: close it after bundle_remove().
 * Removes the bundles that killed procview runs left first.
 */
int bundle_create(const char *id, const char *runtime_root, char **ret_path, int *ret_lock_fd);

/* Remove each bundle that no process has locked and whose container the runtime has deleted. */
void bundle_sweep(void);

/*
 * Build BUNDLE/rootfs from the host's static /bin/busybox: bin/busybox, one
 * symlink per applet, and the directories and /etc files a shell expects.
 */
int bundle_build_busybox_rootfs(const char *bundle, char **ret_rootfs);

/* Remove the bundle directory recursively, without crossing into other mounts. */
int bundle_remove(const char *path);
