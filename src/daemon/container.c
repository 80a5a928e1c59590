/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <inttypes.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "container.h"
#include "fileio.h"
#include "log.h"
#include "parse.h"
#include "procfs.h"

#ifndef NS_GET_TGID_FROM_PIDNS
/* Linux 6.11 and later: translate a pid of a pid namespace into ours. */
#define NS_GET_TGID_FROM_PIDNS _IOR(0xb7, 0x7, int)
#endif

#define CACHE_BUCKETS 1024u

/* Entries of host readers unused this long are dropped by a prune. */
#define HOST_ENTRY_IDLE_SEC 60

/*
 * The pid namespace of a recent reader. stat() of /proc/PID/ns/pid is the
 * dearest step of a lookup, and monitoring agents read many files in a row.
 *
 * NOTE: if a reader exits and its pid is reused by a process in another pid
 * namespace within READER_TTL_MS, that process gets the old reader's view for
 * the rest of that time. pid_max makes that all but impossible on hosts that
 * do not fork tens of thousands of processes per second.
 */
#define READER_SLOTS 4096u
#define READER_TTL_MS 200

struct reader_slot {
        pid_t pid;
        uint64_t pidns_ino;
        uint64_t until_ms;
};

struct container_cache {
        const struct cgroup_layout *layout;
        uint64_t own_pidns_ino;

        /* Guards readers. */
        pthread_mutex_t readers_lock;
        struct reader_slot readers[READER_SLOTS];

        /* Guards buckets, every entry's refs and next, and last_used. */
        pthread_mutex_t lock;
        struct container *buckets[CACHE_BUCKETS];
};

static uint64_t hash_string(const char *s) {
        uint64_t h = 1469598103934665603ULL; /* FNV-1a */

        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * 1099511628211ULL;
        return h;
}

static unsigned bucket_of(const struct container *c) {
        uint64_t key = c->host_pidns ? hash_string(c->cgroup_text) : c->pidns_ino;

        return (unsigned) (key % CACHE_BUCKETS);
}

static int pidns_inode(pid_t pid, uint64_t *ret) {
        char path[64];
        struct stat st;

        snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int) pid);
        if (stat(path, &st) < 0)
                return errno == ENOENT ? -ESRCH : -errno;

        *ret = (uint64_t) st.st_ino;
        return 0;
}

static int read_proc_file(pid_t pid, const char *name, char **ret) {
        char path[64];
        int r;

        snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid, name);
        r = read_full_file_at(AT_FDCWD, path, ret, NULL);
        return r == -ENOENT ? -ESRCH : r;
}

/* Scan /proc for the process that is pid 1 of the namespace; for kernels before 6.11. */
static int find_init_by_scan(uint64_t pidns_ino, pid_t *ret) {
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;

        d = opendir("/proc");
        if (!d)
                return -errno;

        while ((de = readdir(d))) {
                _cleanup_free_ char *status = NULL;
                unsigned pid;
                uint64_t ino;
                pid_t nspid;

                if (safe_atou(de->d_name, &pid) < 0)
                        continue;
                if (pidns_inode((pid_t) pid, &ino) < 0 || ino != pidns_ino)
                        continue;
                if (read_proc_file((pid_t) pid, "status", &status) < 0)
                        continue;
                if (procfs_parse_nspid(status, &nspid) < 0 || nspid != 1)
                        continue;

                *ret = (pid_t) pid;
                return 0;
        }

        return -ESRCH;
}

static int find_init(pid_t reader, uint64_t pidns_ino, pid_t *ret) {
        _cleanup_close_ int nsfd = -1;
        char path[64];
        int pid;

        snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int) reader);
        nsfd = open(path, O_RDONLY | O_CLOEXEC);
        if (nsfd < 0)
                return -ESRCH;

        pid = ioctl(nsfd, NS_GET_TGID_FROM_PIDNS, 1);
        if (pid > 0) {
                *ret = pid;
                return 0;
        }
        if (errno == ESRCH)
                return -ESRCH;

        return find_init_by_scan(pidns_ino, ret);
}

static uint64_t now_sec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec;
}

static uint64_t now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

bool container_is_settling(const struct container *c) {
        return now_ms() - c->created_ms < CONTAINER_SETTLE_MS;
}

bool container_value_due(const struct container *c, uint64_t now, uint64_t until_ms) {
        return now >= until_ms || container_is_settling(c);
}

/* Whether a settling container's init has moved to other cgroups since its entry was made. */
static bool cgroups_moved(const struct container *c) {
        _cleanup_free_ char *text = NULL;

        if (!container_is_settling(c))
                return false;
        if (read_proc_file(c->init_pid, "cgroup", &text) < 0)
                return false;
        return !streq(text, c->cgroup_text);
}

static bool pidfd_exited(int pidfd) {
        struct pollfd p = { .fd = pidfd, .events = POLLIN };

        return poll(&p, 1, 0) != 0;
}

static struct container *container_free(struct container *c) {
        if (!c)
                return NULL;

        if (c->init_pidfd >= 0)
                close(c->init_pidfd);
        cgroup_free(c->cgroup);
        cpu_history_done(&c->history);
        cg_cpuacct_done(&c->cpuacct);
        cg_io_done(&c->io);
        for (size_t i = 0; i < VIEW_MEMOS; i++)
                free(c->memos[i].data);
        pthread_mutex_destroy(&c->lock);
        free(c->cgroup_text);
        free(c);
        return NULL;
}

static void container_freep(struct container **c) {
        container_free(*c);
}

static bool cgroup_text_is_root(const char *text) {
        /* Every "ID:controllers:path" line ends in ":/". */
        for (const char *line = text; *line;) {
                const char *end = strchrnul(line, '\n');

                if (end - line < 2 || end[-1] != '/' || end[-2] != ':')
                        return false;
                line = *end ? end + 1 : end;
        }
        return true;
}

static int container_new(const struct cgroup_layout *layout, char *cgroup_text, struct container **ret) {
        _cleanup_(container_freep) struct container *c = NULL;
        int r;

        c = calloc(1, sizeof(*c));
        if (!c) {
                free(cgroup_text);
                return -ENOMEM;
        }

        c->init_pidfd = -1;
        c->cgroup_text = cgroup_text;
        pthread_mutex_init(&c->lock, NULL);
        c->root_cgroup = cgroup_text_is_root(cgroup_text);
        c->created_ms = now_ms();

        r = cgroup_open(layout, cgroup_text, &c->cgroup);
        if (r < 0)
                return log_debug_errno(r, "Failed to open cgroups of '%s': %m", cgroup_text);

        *ret = TAKE_PTR(c);
        return 0;
}

/* Build the entry of a container whose init is init_pid; verified through a pidfd. */
static int container_new_for_init(const struct cgroup_layout *layout, pid_t init_pid, uint64_t pidns_ino,
                                  struct container **ret) {
        _cleanup_(container_freep) struct container *c = NULL;
        _cleanup_close_ int pidfd = -1;
        _cleanup_free_ char *stat_text = NULL;
        char *cgroup_text = NULL;
        struct proc_stat st;
        uint64_t ino;
        int r;

        pidfd = (int) syscall(SYS_pidfd_open, init_pid, 0);
        if (pidfd < 0)
                return -ESRCH;

        /* The pidfd pins the process; make sure it is still the one we found. */
        r = pidns_inode(init_pid, &ino);
        if (r < 0)
                return r;
        if (ino != pidns_ino)
                return -ESRCH;

        r = read_proc_file(init_pid, "stat", &stat_text);
        if (r < 0)
                return r;
        r = procfs_parse_stat(stat_text, &st);
        if (r < 0)
                return r;

        r = read_proc_file(init_pid, "cgroup", &cgroup_text);
        if (r < 0)
                return r;

        r = container_new(layout, cgroup_text, &c);
        if (r < 0)
                return r;

        c->pidns_ino = pidns_ino;
        c->init_pid = init_pid;
        c->init_pidfd = TAKE_FD(pidfd);
        c->start_ticks = st.starttime_ticks;

        *ret = TAKE_PTR(c);
        return 0;
}

int container_cache_new(const struct cgroup_layout *layout, struct container_cache **ret) {
        struct container_cache *cache;
        uint64_t ino;
        int r;

        r = pidns_inode(getpid(), &ino);
        if (r < 0)
                return r;

        cache = calloc(1, sizeof(*cache));
        if (!cache)
                return -ENOMEM;

        cache->layout = layout;
        cache->own_pidns_ino = ino;
        pthread_mutex_init(&cache->lock, NULL);
        pthread_mutex_init(&cache->readers_lock, NULL);

        *ret = cache;
        return 0;
}

struct container_cache *container_cache_free(struct container_cache *cache) {
        if (!cache)
                return NULL;

        for (unsigned i = 0; i < CACHE_BUCKETS; i++)
                while (cache->buckets[i]) {
                        struct container *c = cache->buckets[i];

                        cache->buckets[i] = c->next;
                        container_free(c);
                }

        pthread_mutex_destroy(&cache->lock);
        free(cache);
        return NULL;
}

/* Unlink c from its bucket and drop the cache's reference. Called with the lock held. */
static void cache_remove_locked(struct container_cache *cache, struct container *c) {
        struct container **p = &cache->buckets[bucket_of(c)];

        for (; *p; p = &(*p)->next)
                if (*p == c) {
                        *p = c->next;
                        break;
                }

        c->next = NULL;
        if (--c->refs == 0)
                container_free(c);
}

static struct container *cache_find_pidns_locked(struct container_cache *cache, uint64_t pidns_ino) {
        struct container *c = cache->buckets[pidns_ino % CACHE_BUCKETS];

        for (; c; c = c->next)
                if (!c->host_pidns && c->pidns_ino == pidns_ino)
                        return c;
        return NULL;
}

static struct container *cache_find_host_locked(struct container_cache *cache, const char *cgroup_text) {
        struct container *c = cache->buckets[hash_string(cgroup_text) % CACHE_BUCKETS];

        for (; c; c = c->next)
                if (c->host_pidns && streq(c->cgroup_text, cgroup_text))
                        return c;
        return NULL;
}

/*
 * Insert c unless another thread inserted the same key meanwhile; returns
 * the entry that is cached, with a reference for the caller.
 */
static struct container *cache_insert(struct container_cache *cache, struct container *c) {
        struct container *existing;

        pthread_mutex_lock(&cache->lock);

        existing = c->host_pidns ? cache_find_host_locked(cache, c->cgroup_text)
                                 : cache_find_pidns_locked(cache, c->pidns_ino);
        if (existing) {
                existing->refs++;
                pthread_mutex_unlock(&cache->lock);
                container_free(c);
                return existing;
        }

        c->refs = 2; /* the cache's and the caller's */
        c->last_used = now_sec();
        c->next = cache->buckets[bucket_of(c)];
        cache->buckets[bucket_of(c)] = c;

        pthread_mutex_unlock(&cache->lock);
        return c;
}

static int lookup_host_reader(struct container_cache *cache, pid_t reader, struct container **ret) {
        _cleanup_(container_freep) struct container *c = NULL;
        char *cgroup_text = NULL;
        struct container *found;
        int r;

        r = read_proc_file(reader, "cgroup", &cgroup_text);
        if (r < 0)
                return r;

        pthread_mutex_lock(&cache->lock);
        found = cache_find_host_locked(cache, cgroup_text);
        if (found && cgroup_is_stale(found->cgroup)) {
                /* The cgroup was removed, and maybe made again under the same name. */
                cache_remove_locked(cache, found);
                found = NULL;
        }
        if (found) {
                found->refs++;
                found->last_used = now_sec();
        }
        pthread_mutex_unlock(&cache->lock);

        if (found) {
                free(cgroup_text);
                *ret = found;
                return 0;
        }

        r = container_new(cache->layout, cgroup_text, &c);
        if (r < 0)
                return r;
        c->host_pidns = true;

        *ret = cache_insert(cache, TAKE_PTR(c));
        return 0;
}

static int lookup_pidns_reader(struct container_cache *cache, pid_t reader, uint64_t pidns_ino,
                               struct container **ret) {
        _cleanup_(container_freep) struct container *c = NULL;
        struct container *found;
        pid_t init_pid = 0;
        int r;

        pthread_mutex_lock(&cache->lock);
        found = cache_find_pidns_locked(cache, pidns_ino);
        if (found && (pidfd_exited(found->init_pidfd) || cgroups_moved(found))) {
                /* The namespace inode was recycled, the container is ending, or its runtime just moved it. */
                cache_remove_locked(cache, found);
                found = NULL;
        }
        if (found)
                found->refs++;
        pthread_mutex_unlock(&cache->lock);

        if (found) {
                *ret = found;
                return 0;
        }

        r = find_init(reader, pidns_ino, &init_pid);
        if (r < 0)
                return r;

        r = container_new_for_init(cache->layout, init_pid, pidns_ino, &c);
        if (r < 0)
                return r;

        log_debug("New container: pid namespace %" PRIu64 ", init pid %d", pidns_ino, (int) init_pid);
        *ret = cache_insert(cache, TAKE_PTR(c));
        return 0;
}

static int reader_pidns(struct container_cache *cache, pid_t reader, uint64_t *ret) {
        struct reader_slot *slot = &cache->readers[(unsigned) reader % READER_SLOTS];
        uint64_t now = now_ms(), ino;
        bool hit;
        int r;

        pthread_mutex_lock(&cache->readers_lock);
        hit = slot->pid == reader && now < slot->until_ms;
        ino = slot->pidns_ino;
        pthread_mutex_unlock(&cache->readers_lock);

        if (hit) {
                *ret = ino;
                return 0;
        }

        r = pidns_inode(reader, &ino);
        if (r < 0)
                return r;

        pthread_mutex_lock(&cache->readers_lock);
        *slot = (struct reader_slot){ .pid = reader, .pidns_ino = ino, .until_ms = now + READER_TTL_MS };
        pthread_mutex_unlock(&cache->readers_lock);

        *ret = ino;
        return 0;
}

int container_lookup(struct container_cache *cache, pid_t reader, struct container **ret) {
        uint64_t pidns_ino;
        int r;

        r = reader_pidns(cache, reader, &pidns_ino);
        if (r < 0)
                return r;

        if (pidns_ino == cache->own_pidns_ino)
                return lookup_host_reader(cache, reader, ret);

        return lookup_pidns_reader(cache, reader, pidns_ino, ret);
}

void container_unref(struct container_cache *cache, struct container *c) {
        if (!c)
                return;

        pthread_mutex_lock(&cache->lock);
        if (--c->refs == 0)
                container_free(c);
        pthread_mutex_unlock(&cache->lock);
}

bool container_cache_drop_stale(struct container_cache *cache, struct container *c) {
        struct container *entry;

        if (!cgroup_is_stale(c->cgroup))
                return false;

        /* Another thread may have dropped the entry already. */
        pthread_mutex_lock(&cache->lock);
        for (entry = cache->buckets[bucket_of(c)]; entry && entry != c; entry = entry->next)
                ;
        if (entry)
                cache_remove_locked(cache, c);
        pthread_mutex_unlock(&cache->lock);

        return true;
}

static bool entry_is_unused(const struct container *c, uint64_t now) {
        if (c->host_pidns && now - c->last_used >= HOST_ENTRY_IDLE_SEC)
                return true;
        if (!c->host_pidns && pidfd_exited(c->init_pidfd))
                return true;
        return cgroup_is_stale(c->cgroup);
}

unsigned container_cache_prune(struct container_cache *cache) {
        uint64_t now = now_sec();
        unsigned dropped = 0;

        pthread_mutex_lock(&cache->lock);

        for (unsigned i = 0; i < CACHE_BUCKETS; i++) {
                struct container *c = cache->buckets[i];

                while (c) {
                        struct container *next = c->next;

                        if (entry_is_unused(c, now)) {
                                cache_remove_locked(cache, c);
                                dropped++;
                        }
                        c = next;
                }
        }

        pthread_mutex_unlock(&cache->lock);
        return dropped;
}
