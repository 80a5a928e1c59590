/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The handover region: a memfd that the supervisor creates once and passes
 * to every worker and across re-exec, so a restarted worker continues where
 * the last one stopped. It contains
 *
 *   - the kernel's FUSE_INIT request, which the kernel sends only once per
 *     connection, so a new worker can replay it into its libfuse session;
 *   - the unique ids of the requests each worker thread is processing, so
 *     the supervisor can fail them on kernels without FUSE_NOTIFY_RESEND;
 *   - per-container CPU counter history and per-cgroup load averages, so
 *     /proc/stat stays monotonic and loadavg keeps its history across a
 *     worker restart.
 *
 * State slots are written under a sequence counter that is odd while a
 * write is in progress. A slot that a crash left odd is ignored.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cpuview.h"
#include "loadavg.h"

#define HANDOVER_INIT_MAX 512
#define HANDOVER_MAX_THREADS 256

struct handover;

/* Create a region for hosts with CPU numbers below max_cpus. Returns the memfd. */
int handover_create(unsigned max_cpus, int *ret_fd);

/* Map the region behind fd (inherited from the supervisor). */
int handover_map(int fd, struct handover **ret);
void handover_unmap(struct handover *h);

int handover_set_init(struct handover *h, const void *request, size_t len);
/* Copies the INIT request into buf; returns its length or a negative errno. */
ssize_t handover_get_init(struct handover *h, void *buf, size_t size);

/* The unique id thread `slot` is processing, 0 when idle. */
void handover_set_inflight(struct handover *h, unsigned slot, uint64_t unique);
uint64_t handover_get_inflight(struct handover *h, unsigned slot);

/* The boot-time second of the last load average sample. */
void handover_set_last_sample(struct handover *h, uint64_t boottime_sec);
uint64_t handover_get_last_sample(struct handover *h);

/*
 * CPU counter history of one container, keyed by two numbers (its pid
 * namespace inode and init start time). Saving is best effort: when the table
 * is full the least recently used slot nearby is reused.
 */
void handover_save_cpu(struct handover *h, uint64_t key_a, uint64_t key_b, const struct cpu_history *history,
                       uint64_t *seen_seq);

/*
 * Merge the saved counters into history, each where it has shown more. This
 * keeps the counters monotonic while two workers serve (during a reload) and
 * continues an earlier worker's. *seen_seq is the slot's sequence number after
 * this process last saved or merged it (0 at first). The merge is skipped
 * while no other process has written the slot since.
 */
void handover_merge_cpu(struct handover *h, uint64_t key_a, uint64_t key_b, struct cpu_history *history,
                        uint64_t *seen_seq);

/* Load averages of one cgroup, keyed by a hash of its path. */
void handover_save_load(struct handover *h, uint64_t key, const struct loadavg *avg);
int handover_load_load(struct handover *h, uint64_t key, struct loadavg *ret);

/*
 * The seccomp notification an agent is handling (slot 0 or 1, one per
 * worker half), so a worker that replaces a crashed one can answer it.
 */
#define HANDOVER_SECCOMP_SLOTS 2
#define HANDOVER_SECCOMP_NOTIF_MAX 128

/*
 * Empty a slot for a receive on fd_id and return the zeroed len bytes that
 * SECCOMP_IOCTL_NOTIF_RECV should write to, or NULL when len does not fit.
 * The kernel writes there directly, so a worker killed right after the
 * receive leaves the notification to the next one.
 */
void *handover_seccomp_receive_buffer(struct handover *h, unsigned slot, uint32_t fd_id, size_t len);
void handover_clear_seccomp(struct handover *h, unsigned slot);
/* Returns the notification's length, or -ENOENT when the slot is empty. */
ssize_t handover_get_seccomp(struct handover *h, unsigned slot, uint32_t *ret_fd_id, void *notif, size_t size);

/* FNV-1a, for keys made from strings. Never returns 0, which marks a free slot. */
uint64_t handover_hash(const char *s);
