/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The record of containers that have the views bound: one JSON file per
 * container in REGISTRY_DIR, replaced atomically (written to a temporary
 * file, then renamed). "procview ps" lists it and "procview reattach" and
 * procviewd use it to bind the views again after a daemon restart.
 *
 * A record stores the container's init pid together with its start time,
 * so a pid that was reused by another process is never mistaken for the
 * container (see process.h).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define REGISTRY_DIR "/run/procview/containers"

struct registry_entry {
        char *id; /* the container id of the OCI runtime */
        pid_t pid; /* the container's init, in the host's pid numbers */
        uint64_t start_time; /* of pid, clock ticks since boot */
        char *rootfs; /* host path of the root file system when the views were bound */
        char *views_dir; /* the procviewd mount the views come from */
        char **targets; /* bound paths inside the container, such as "/proc/meminfo" */
        size_t n_targets;
};

void registry_entry_done(struct registry_entry *e);

/* Whether id can name a record file: not empty, no "/", not starting with ".". */
bool registry_id_valid(const char *id);

/* Write or replace the record of e->id. */
int registry_save(const struct registry_entry *e);

/* Read the record of id. -ENOENT when there is none, -EBADMSG when it is unreadable. */
int registry_load(const char *id, struct registry_entry *ret);

/* Delete the record of id; a missing record is not an error. */
int registry_remove(const char *id);

/*
 * Read every record, sorted by id. Records that cannot be parsed are skipped
 * (and logged at debug level). A missing registry directory gives no entries.
 */
int registry_list(struct registry_entry **ret_entries, size_t *ret_n);

void registry_entries_free(struct registry_entry *entries, size_t n);
