/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The inode table of the mount.
 *
 *   /                          directory
 *   /proc/{meminfo,...}        view files
 *   /sys/devices/system/cpu    the host's directory, with view files for
 *                              online, present, possible and offline and the
 *                              cpuN directories filtered per reader
 *
 * The fixed part is built at start. Entries below sys/devices/system/cpu get
 * a node when they are looked up or listed, and the ones that exist at start
 * get one right away, so any inode number the kernel learned from an earlier
 * worker resolves. Nodes are kept until the daemon exits; sysfs has a bounded
 * number of entries.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "views.h"

/* The host directory behind sys/devices/system/cpu. */
#define HOST_CPU_DIR "/sys/devices/system/cpu"

enum node_kind {
        NODE_DIR, /* a fixed directory of the mount */
        NODE_VIEW, /* a rendered file */
        NODE_HOST, /* a host entry below HOST_CPU_DIR, served read-only */
};

struct node {
        uint64_t ino;
        uint64_t parent;
        char *name;
        enum node_kind kind;
        mode_t type; /* S_IFDIR, S_IFREG or S_IFLNK */
        enum view_file view; /* NODE_VIEW */
        char *host_path; /* NODE_HOST: absolute host path */
        int cpu; /* a host "cpuN" directory directly below cpu/: N, else -1 */
        struct node *hash_next; /* by parent and name */
        struct node *ino_next; /* by inode number */
};

int nodes_init(void);

/* Create the nodes of every host entry that exists now; returns how many. */
unsigned nodes_prewalk(void);
void nodes_done(void);

/* Returns NULL for an unknown inode. Nodes are never freed while the daemon runs. */
struct node *node_get(uint64_t ino);

/* The child called name of parent, creating a host node when needed. NULL if it does not exist. */
struct node *node_child(struct node *parent, const char *name);

/* The fixed children of a fixed directory, for listing it. */
size_t node_fixed_children(const struct node *dir, struct node **ret, size_t max);

/* "cpu12" → 12; anything else → -1. */
int node_cpu_number(const char *name);
