/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "cgroupstats.h"
#include "fileio.h"
#include "handover.h"
#include "log.h"
#include "parse.h"
#include "procfs.h"
#include "sampler.h"

/* Deeper cgroups are not sampled; the kernel's own default limit is far larger, but containers nest a few levels. */
#define SAMPLER_MAX_DEPTH 256

#define ENTRY_BUCKETS 4096u

struct sample_entry {
        char *path;
        uint64_t hash;
        struct loadavg avg;
        unsigned running;
        unsigned generation;
        struct sample_entry *next; /* all entries */
        struct sample_entry *hash_next; /* entries in the same bucket */
};

/* Threads of one cgroup, not counting its children. */
struct task_counts {
        unsigned running;
        unsigned uninterruptible;
};

struct loadavg_sampler {
        struct handover *handover;
        int root_fd;
        int proc_fd;
        const char *tasks_file;

        /* NULL when the kernel does not count tasks per cgroup (cgroup v2, no taskstats). */
        struct cgroupstats_client *cgroupstats;

        /* Guards entries, buckets and generation. */
        pthread_mutex_t lock;
        struct sample_entry *entries;
        struct sample_entry *buckets[ENTRY_BUCKETS];
        unsigned generation;

        /* Completed walks, read without the lock. */
        unsigned walks;

        /* Guards stopping; cond wakes the thread to stop. */
        pthread_mutex_t stop_lock;
        pthread_cond_t stop_cond;
        bool stopping;
        pthread_t thread;
        bool thread_started;
};

enum cg_controller loadavg_sampler_controller(const struct cgroup_layout *layout) {
        return cgroup_layout_has(layout, CG_CPU) ? CG_CPU : CG_PIDS;
}

static char task_state(int proc_fd, const char *tid) {
        _cleanup_free_ char *text = NULL;
        struct proc_stat st;
        char path[64];

        snprintf(path, sizeof(path), "%s/stat", tid);
        if (read_full_file_at(proc_fd, path, &text, NULL) < 0)
                return 0;
        if (procfs_parse_stat(text, &st) < 0)
                return 0;
        return st.state;
}

static void count_tasks_from_proc(struct loadavg_sampler *s, int dir_fd, struct task_counts *ret) {
        _cleanup_free_ char *tasks = NULL;
        char *saveptr = NULL;

        if (read_full_file_at(dir_fd, s->tasks_file, &tasks, NULL) < 0)
                return;

        for (char *tid = strtok_r(tasks, "\n", &saveptr); tid; tid = strtok_r(NULL, "\n", &saveptr)) {
                char state = task_state(s->proc_fd, tid);

                ret->running += state == 'R';
                ret->uninterruptible += state == 'D';
        }
}

/*
 * Take the counts from taskstats. It matches exact states, so it counts killable
 * waits for I/O only in nr_io_wait. The loadavg view counts the threads itself.
 */
static void counts_from_cgroupstats(const struct cgroupstats *stats, struct task_counts *ret) {
        ret->running = (unsigned) stats->nr_running;
        ret->uninterruptible = (unsigned) (stats->nr_uninterruptible + stats->nr_io_wait);
}

static void count_tasks(struct loadavg_sampler *s, int dir_fd, struct task_counts *ret) {
        struct cgroupstats stats;
        int r;

        *ret = (struct task_counts){};

        if (s->cgroupstats) {
                r = cgroupstats_get(s->cgroupstats, dir_fd, &stats);
                if (r >= 0) {
                        counts_from_cgroupstats(&stats, ret);
                        return;
                }

                /* The kernel answers only for cgroup v1 directories. */
                log_debug_errno(r, "Counting tasks per cgroup through taskstats failed (%m); reading /proc instead.");
                cgroupstats_close(s->cgroupstats);
                s->cgroupstats = NULL;
        }

        count_tasks_from_proc(s, dir_fd, ret);
}

static struct sample_entry *entry_find_locked(struct loadavg_sampler *s, const char *path, uint64_t hash) {
        for (struct sample_entry *e = s->buckets[hash % ENTRY_BUCKETS]; e; e = e->hash_next)
                if (e->hash == hash && streq(e->path, path))
                        return e;
        return NULL;
}

static struct sample_entry *entry_new_locked(struct loadavg_sampler *s, const char *path, uint64_t hash) {
        struct sample_entry *e;

        e = calloc(1, sizeof(*e));
        if (!e)
                return NULL;
        e->path = strdup(path);
        if (!e->path) {
                free(e);
                return NULL;
        }

        e->hash = hash;
        e->next = s->entries;
        s->entries = e;
        e->hash_next = s->buckets[hash % ENTRY_BUCKETS];
        s->buckets[hash % ENTRY_BUCKETS] = e;

        /* A cgroup an earlier worker sampled keeps its history. */
        if (s->handover)
                (void) handover_load_load(s->handover, hash, &e->avg);
        return e;
}

static void record_sample(struct loadavg_sampler *s, const char *path, const struct task_counts *counts) {
        uint64_t hash = handover_hash(path);
        struct sample_entry *e;

        pthread_mutex_lock(&s->lock);

        e = entry_find_locked(s, path, hash);
        if (!e)
                e = entry_new_locked(s, path, hash);
        if (!e) {
                pthread_mutex_unlock(&s->lock);
                log_ratelimited(LOG_WARNING, ENOMEM, "Failed to track load of cgroup '%s': %m", path);
                return;
        }

        loadavg_update(&e->avg, counts->running + counts->uninterruptible);
        e->running = counts->running;
        e->generation = s->generation;
        if (s->handover)
                handover_save_load(s->handover, hash, &e->avg);

        pthread_mutex_unlock(&s->lock);
}

/*
 * Return whether the directory dir_fd may have subdirectories. A directory's
 * link count is 2 plus its subdirectories, which cgroup file systems keep too,
 * so most cgroups, the leaves, need no listing.
 */
static bool has_subdirectories(int dir_fd) {
        struct stat st;

        return fstat(dir_fd, &st) < 0 || st.st_nlink != 2;
}

static void walk_cgroup(struct loadavg_sampler *s, int dir_fd, const char *path, unsigned depth) {
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        int fd;

        if (depth > 0) {
                struct task_counts counts;

                count_tasks(s, dir_fd, &counts);
                record_sample(s, path, &counts);
        }

        if (depth >= SAMPLER_MAX_DEPTH || !has_subdirectories(dir_fd))
                return;

        fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return;
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return;
        }

        while ((de = readdir(d))) {
                _cleanup_close_ int child_fd = -1;
                _cleanup_free_ char *child_path = NULL;

                if (de->d_type != DT_DIR || streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;

                child_fd = openat(dir_fd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (child_fd < 0)
                        continue; /* removed while we walk */

                if (asprintf(&child_path, "%s/%s", depth == 0 ? "" : path, de->d_name) < 0)
                        continue;

                walk_cgroup(s, child_fd, child_path, depth + 1);
        }
}

static void unlink_from_bucket_locked(struct loadavg_sampler *s, struct sample_entry *e) {
        struct sample_entry **p = &s->buckets[e->hash % ENTRY_BUCKETS];

        for (; *p; p = &(*p)->hash_next)
                if (*p == e) {
                        *p = e->hash_next;
                        return;
                }
}

/* Forget cgroups that were not seen in the walk that just ended. */
static void drop_vanished(struct loadavg_sampler *s) {
        struct sample_entry **p;

        pthread_mutex_lock(&s->lock);

        p = &s->entries;
        while (*p) {
                struct sample_entry *e = *p;

                if (e->generation == s->generation) {
                        p = &e->next;
                        continue;
                }
                *p = e->next;
                unlink_from_bucket_locked(s, e);
                free(e->path);
                free(e);
        }

        pthread_mutex_unlock(&s->lock);
}

static uint64_t boottime_sec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_BOOTTIME, &ts);
        return (uint64_t) ts.tv_sec;
}

void loadavg_sampler_tick(struct loadavg_sampler *s) {
        pthread_mutex_lock(&s->lock);
        s->generation++;
        pthread_mutex_unlock(&s->lock);

        walk_cgroup(s, s->root_fd, "/", 0);
        drop_vanished(s);
        __atomic_add_fetch(&s->walks, 1, __ATOMIC_RELEASE);

        if (s->handover)
                handover_set_last_sample(s->handover, boottime_sec());
}

static struct timespec timespec_add_sec(struct timespec t, time_t sec) {
        t.tv_sec += sec;
        return t;
}

/*
 * Seconds until the next walk is due: an earlier worker's last walk sets the
 * phase, so a restart neither skips a sample nor takes one twice.
 */
static time_t first_delay(struct loadavg_sampler *s) {
        uint64_t last, now = boottime_sec();

        if (!s->handover)
                return LOADAVG_INTERVAL_SEC;

        last = handover_get_last_sample(s->handover);
        if (last == 0 || now >= last + LOADAVG_INTERVAL_SEC)
                return 0;
        return (time_t) (last + LOADAVG_INTERVAL_SEC - now);
}

static void *sampler_thread(void *userdata) {
        struct loadavg_sampler *s = userdata;
        struct timespec next;

        clock_gettime(CLOCK_MONOTONIC, &next);
        next = timespec_add_sec(next, first_delay(s) - LOADAVG_INTERVAL_SEC);

        pthread_mutex_lock(&s->stop_lock);
        for (;;) {
                next = timespec_add_sec(next, LOADAVG_INTERVAL_SEC);

                while (!s->stopping)
                        if (pthread_cond_timedwait(&s->stop_cond, &s->stop_lock, &next) == ETIMEDOUT)
                                break;
                if (s->stopping)
                        break;

                pthread_mutex_unlock(&s->stop_lock);
                loadavg_sampler_tick(s);
                pthread_mutex_lock(&s->stop_lock);
        }
        pthread_mutex_unlock(&s->stop_lock);

        return NULL;
}

static int sampler_init_cond(struct loadavg_sampler *s) {
        pthread_condattr_t attr;
        int r;

        pthread_condattr_init(&attr);
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        r = pthread_cond_init(&s->stop_cond, &attr);
        pthread_condattr_destroy(&attr);
        return -r;
}

int loadavg_sampler_start(const struct cgroup_layout *layout, struct handover *handover, struct loadavg_sampler **ret) {
        enum cg_controller controller = loadavg_sampler_controller(layout);
        struct loadavg_sampler *s;
        int r;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;

        s->handover = handover;
        s->root_fd = -1;
        s->proc_fd = -1;
        pthread_mutex_init(&s->lock, NULL);
        pthread_mutex_init(&s->stop_lock, NULL);
        s->tasks_file = cgroup_layout_is_unified(layout, controller) ? "cgroup.threads" : "tasks";

        r = sampler_init_cond(s);
        if (r < 0)
                goto fail;

        r = cgroup_layout_open_root(layout, controller, &s->root_fd);
        if (r < 0) {
                log_error_errno(r, "Failed to open the %s cgroup hierarchy for load averages: %m",
                                cg_controller_name(controller));
                goto fail;
        }

        r = cgroupstats_open(&s->cgroupstats);
        if (r < 0)
                log_debug_errno(
                        r, "Counting tasks per cgroup through taskstats is not available (%m); reading /proc instead.");

        s->proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s->proc_fd < 0) {
                r = log_error_errno(errno, "Failed to open /proc: %m");
                goto fail;
        }

        if (!handover)
                loadavg_sampler_tick(s);

        r = -pthread_create(&s->thread, NULL, sampler_thread, s);
        if (r < 0) {
                log_error_errno(r, "Failed to start the load average thread: %m");
                goto fail;
        }
        s->thread_started = true;

        *ret = s;
        return 0;

fail:
        loadavg_sampler_stop(s);
        return r;
}

void loadavg_sampler_stop(struct loadavg_sampler *s) {
        if (!s)
                return;

        if (s->thread_started) {
                pthread_mutex_lock(&s->stop_lock);
                s->stopping = true;
                pthread_cond_signal(&s->stop_cond);
                pthread_mutex_unlock(&s->stop_lock);
                pthread_join(s->thread, NULL);
        }

        while (s->entries) {
                struct sample_entry *e = s->entries;

                s->entries = e->next;
                free(e->path);
                free(e);
        }

        cgroupstats_close(s->cgroupstats);
        if (s->root_fd >= 0)
                close(s->root_fd);
        if (s->proc_fd >= 0)
                close(s->proc_fd);
        free(s);
}

static bool path_is_within(const char *path, const char *base) {
        const char *rest;

        if (streq(base, "/"))
                return true;

        rest = startswith(path, base);
        return rest && (*rest == '\0' || *rest == '/');
}

unsigned loadavg_sampler_walks(struct loadavg_sampler *s) {
        return __atomic_load_n(&s->walks, __ATOMIC_ACQUIRE);
}

int loadavg_sampler_get(struct loadavg_sampler *s, const char *path, struct load_sample *ret) {
        struct load_sample sum = {};
        bool found = false;

        pthread_mutex_lock(&s->lock);
        for (struct sample_entry *e = s->entries; e; e = e->next)
                if (path_is_within(e->path, path)) {
                        loadavg_add(&sum.avg, &e->avg);
                        sum.running += e->running;
                        found = true;
                }
        pthread_mutex_unlock(&s->lock);

        if (!found)
                return -ENOENT;

        *ret = sum;
        return 0;
}
