/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container a reader belongs to.
 *
 * A reader's container is the init process of the reader's pid namespace;
 * its cgroups decide the view. Lookups are cached per pid namespace and
 * checked against a pidfd of the init, so a recycled namespace inode or pid
 * never returns another container's entry. A reader in the daemon's own pid
 * namespace is looked up by its own cgroup membership instead.
 */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "cpuview.h"
#include "sampler.h"

/* A rendered file and the versions of the inputs it was rendered from. */
struct view_memo {
        uint64_t key[4];
        char *data; /* NULL while empty */
        size_t len;
        uint64_t rendered_ms; /* CLOCK_MONOTONIC of the last render, 0 before the first */
};

#define VIEW_MEMOS 3

struct container {
        /* Immutable after creation. */
        bool host_pidns; /* the reader shares the daemon's pid namespace */
        bool root_cgroup; /* every hierarchy's root: the host itself */
        uint64_t pidns_ino; /* 0 for host_pidns entries */
        pid_t init_pid; /* in the daemon's pid namespace; 0 for host_pidns entries */
        int init_pidfd; /* -1 for host_pidns entries */
        uint64_t start_ticks; /* init's start time, clock ticks after boot */
        uint64_t created_ms; /* when the entry was made, CLOCK_MONOTONIC */
        char *cgroup_text; /* /proc/PID/cgroup the entry was opened from */
        struct cgroup *cgroup;

        /* Everything below up to refs is guarded by lock. */
        pthread_mutex_t lock;
        struct cpu_history history;
        uint64_t history_seq; /* of the history's handover slot when this worker last saved or merged it */

        /* Values read from the cgroup, reused until the deadline (CLOCK_MONOTONIC ms). */
        struct cg_memory memory;
        uint64_t memory_until_ms;
        struct cg_cpu cpu;
        uint64_t cpu_until_ms;
        struct cg_cpuacct cpuacct;
        uint64_t cpuacct_uptime_ticks; /* the container's uptime when cpuacct was read */
        uint64_t cpuacct_until_ms;

        /* Versions of memory, cpu and cpuacct: they count the reads, starting at 1. */
        uint64_t memory_version;
        uint64_t cpu_version;
        uint64_t cpuacct_version;
        struct view_memo memos[VIEW_MEMOS];
        struct cg_io io;
        uint64_t io_until_ms;
        struct load_sample load; /* the sampler's sum over the cgroup subtree */
        unsigned load_walks; /* the sampler's completed walks when load was summed */
        bool load_valid;
        unsigned tasks_total; /* threads in the cgroup subtree, for loadavg */
        pid_t last_pid; /* loadavg's last field */
        uint64_t tasks_until_ms; /* when tasks_total and last_pid are due */

        /* Managed by the cache under its own lock. */
        unsigned refs;
        uint64_t last_used; /* CLOCK_MONOTONIC seconds */
        struct container *next;
};

struct container_cache;

int container_cache_new(const struct cgroup_layout *layout, struct container_cache **ret);
struct container_cache *container_cache_free(struct container_cache *cache);

/*
 * A runtime moves a new container's init into its cgroups and sets their
 * limits while the container may already be read. For this long after an
 * entry is made, its cgroup membership is checked on every lookup and its
 * values are not reused.
 */
#define CONTAINER_SETTLE_MS 1000

bool container_is_settling(const struct container *c);

/* Return whether a value of c reused until until_ms must be read again at now, as always while c settles. */
bool container_value_due(const struct container *c, uint64_t now, uint64_t until_ms);

/*
 * Find the container of reader pid. Returns -ESRCH when the reader or its
 * container vanished and -ENOENT when its cgroups cannot be read; the caller
 * then serves the host's file. The reference is dropped with container_unref().
 */
int container_lookup(struct container_cache *cache, pid_t reader, struct container **ret);
void container_unref(struct container_cache *cache, struct container *c);

/*
 * If a cgroup of c was removed (its processes then belong to the parent),
 * drop c from the cache so that the next lookup finds the reader's cgroups
 * again. Returns whether a cgroup was removed.
 */
bool container_cache_drop_stale(struct container_cache *cache, struct container *c);

/*
 * Drop entries whose init has exited or whose cgroup directories were
 * removed, and entries of host readers unused for a minute, so their fds are
 * closed. Returns how many were dropped.
 */
unsigned container_cache_prune(struct container_cache *cache);
