/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The bind mounts of the views in the forms other tools take: OCI mount
 * entries for config.json, and the createContainer hook entry that records
 * a container in the registry when it starts.
 */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

/* Mount options of every view: read-only, and nothing in a view is a device, setuid or program. */
#define VIEW_MOUNT_OPTIONS "bind", "ro", "nosuid", "nodev", "noexec"

/*
 * Select the views to bind from views_dir into selected[] (n_view_paths
 * entries): the ones procviewd serves, or all of them with a warning when
 * no procviewd is mounted there, so a config can be written before the
 * daemon runs.
 */
void view_mounts_select(const char *views_dir, bool selected[]);

/* Append one OCI mount entry per selected view to the mounts array. */
int view_mounts_append(struct json_object *mounts, const char *views_dir, const bool selected[]);

/* Whether the OCI mount entry m binds something at one of the view targets. */
bool view_mount_is_view(struct json_object *m);

/*
 * A hooks.createContainer entry that runs this procview binary as
 * "procview hook --views VIEWS_DIR", or NULL when out of memory.
 */
struct json_object *view_hook_entry(const char *views_dir);

/* Whether the hook entry h runs "procview hook". */
bool view_hook_is_ours(struct json_object *h);
