/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The FUSE file system: libfuse low-level operations over the node table.
 *
 * Every file is read-only. A read at offset 0 renders the whole file for the
 * reader into the open file's buffer; later offsets are served from that
 * snapshot, so one reader always sees one consistent file and lseek(0) plus
 * read, or pread, work. Reads bypass the page cache (direct_io) because two
 * containers read different contents from the same inode.
 *
 * File handles are numbers in a handle table, not pointers, so a worker that
 * replaced a crashed one can serve files the old worker opened.
 */
#pragma once

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

#include "handles.h"
#include "views.h"

/* The session's userdata. */
struct fs_context {
        struct views *views;
        struct handle_table *files;
        struct handle_table *dirs;
};

int fs_context_init(struct fs_context *ctx, struct views *views);
void fs_context_done(struct fs_context *ctx);

extern const struct fuse_lowlevel_ops procview_fs_ops;
