/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

#include "handover.h"
#include "log.h"

#define HANDOVER_MAGIC UINT64_C(0x7076686e646f7632) /* "pvhndov2" */
#define CPU_SLOTS 4096u
#define LOAD_SLOTS 16384u

/* Slots searched from a key's home slot; bounds lookups, so an old key may get evicted. */
#define PROBE_WINDOW 16u

struct handover_header {
        uint64_t magic;
        uint32_t max_cpus;
        uint32_t cpu_slot_size;
        uint64_t region_size;
        uint64_t last_sample;
        uint32_t init_len;
        uint8_t init[HANDOVER_INIT_MAX];
        _Atomic uint64_t inflight[HANDOVER_MAX_THREADS];
        struct seccomp_slot {
                _Atomic uint64_t seq;
                uint32_t fd_id;
                uint32_t len; /* 0 when empty */
                _Alignas(uint64_t) uint8_t notif[HANDOVER_SECCOMP_NOTIF_MAX];
        } seccomp[HANDOVER_SECCOMP_SLOTS];
};

/* Followed by max_cpus mono counters each for user, system and idle. */
struct cpu_slot {
        _Atomic uint64_t seq;
        uint64_t key_a;
        uint64_t key_b;
        uint64_t used; /* CLOCK_MONOTONIC seconds, for eviction */
        uint32_t n_cpus;
        uint32_t reserved;
        struct mono_counter counters[];
};

struct load_slot {
        _Atomic uint64_t seq;
        uint64_t key;
        uint64_t used;
        unsigned long avg[3];
};

struct handover {
        struct handover_header *header;
        size_t size;
        uint8_t *cpu_slots;
        struct load_slot *load_slots;

        /* Serializes writers within this process; readers only run at start. */
        pthread_mutex_t lock;
};

static size_t cpu_slot_size(unsigned max_cpus) {
        size_t size = sizeof(struct cpu_slot) + 3 * (size_t) max_cpus * sizeof(struct mono_counter);

        return (size + 63) & ~(size_t) 63;
}

static size_t region_size(unsigned max_cpus) {
        return sizeof(struct handover_header) + CPU_SLOTS * cpu_slot_size(max_cpus) +
               LOAD_SLOTS * sizeof(struct load_slot);
}

uint64_t handover_hash(const char *s) {
        uint64_t h = 1469598103934665603ULL;

        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * 1099511628211ULL;
        return h ? h : 1;
}

static uint64_t now_sec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec;
}

int handover_create(unsigned max_cpus, int *ret_fd) {
        _cleanup_close_ int fd = -1;
        struct handover_header *header;
        size_t size = region_size(max_cpus);

        fd = memfd_create("procview-handover", MFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        /* Sparse: only the slots that are used take memory. */
        if (ftruncate(fd, (off_t) size) < 0)
                return -errno;

        header = mmap(NULL, sizeof(*header), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (header == MAP_FAILED)
                return -errno;

        header->magic = HANDOVER_MAGIC;
        header->max_cpus = max_cpus;
        header->cpu_slot_size = (uint32_t) cpu_slot_size(max_cpus);
        header->region_size = size;
        munmap(header, sizeof(*header));

        *ret_fd = TAKE_FD(fd);
        return 0;
}

int handover_map(int fd, struct handover **ret) {
        struct handover_header *header;
        struct handover *h;
        struct stat st;

        if (fstat(fd, &st) < 0)
                return -errno;
        if ((size_t) st.st_size < sizeof(*header))
                return -EBADMSG;

        header = mmap(NULL, (size_t) st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (header == MAP_FAILED)
                return -errno;

        if (header->magic != HANDOVER_MAGIC || header->region_size != (uint64_t) st.st_size ||
            header->cpu_slot_size != cpu_slot_size(header->max_cpus)) {
                munmap(header, (size_t) st.st_size);
                return -EBADMSG;
        }

        h = calloc(1, sizeof(*h));
        if (!h) {
                munmap(header, (size_t) st.st_size);
                return -ENOMEM;
        }

        h->header = header;
        h->size = (size_t) st.st_size;
        h->cpu_slots = (uint8_t *) header + sizeof(*header);
        h->load_slots = (struct load_slot *) (h->cpu_slots + CPU_SLOTS * (size_t) header->cpu_slot_size);
        pthread_mutex_init(&h->lock, NULL);

        *ret = h;
        return 0;
}

void handover_unmap(struct handover *h) {
        if (!h)
                return;

        munmap(h->header, h->size);
        pthread_mutex_destroy(&h->lock);
        free(h);
}

int handover_set_init(struct handover *h, const void *request, size_t len) {
        if (len > HANDOVER_INIT_MAX)
                return -E2BIG;

        memcpy(h->header->init, request, len);
        h->header->init_len = (uint32_t) len;
        return 0;
}

ssize_t handover_get_init(struct handover *h, void *buf, size_t size) {
        size_t len = h->header->init_len;

        if (len == 0)
                return -ENODATA;
        if (len > size || len > HANDOVER_INIT_MAX)
                return -E2BIG;

        memcpy(buf, h->header->init, len);
        return (ssize_t) len;
}

void handover_set_inflight(struct handover *h, unsigned slot, uint64_t unique) {
        if (slot < HANDOVER_MAX_THREADS)
                atomic_store(&h->header->inflight[slot], unique);
}

uint64_t handover_get_inflight(struct handover *h, unsigned slot) {
        return slot < HANDOVER_MAX_THREADS ? atomic_load(&h->header->inflight[slot]) : 0;
}

void handover_set_last_sample(struct handover *h, uint64_t boottime_sec) {
        h->header->last_sample = boottime_sec;
}

uint64_t handover_get_last_sample(struct handover *h) {
        return h->header->last_sample;
}

static struct cpu_slot *cpu_slot_at(struct handover *h, unsigned i) {
        return (struct cpu_slot *) (h->cpu_slots + (size_t) (i % CPU_SLOTS) * h->header->cpu_slot_size);
}

/* The slot holding the key, or else the slot to write it to. Called with the lock held. */
static struct cpu_slot *cpu_slot_find(struct handover *h, uint64_t key_a, uint64_t key_b, bool for_write) {
        unsigned home = (unsigned) ((key_a * 31 + key_b) % CPU_SLOTS);
        struct cpu_slot *oldest = NULL;

        for (unsigned i = 0; i < PROBE_WINDOW; i++) {
                struct cpu_slot *s = cpu_slot_at(h, home + i);

                if (s->key_a == key_a && s->key_b == key_b)
                        return s;
                if (!for_write)
                        continue;
                if (s->key_a == 0 && s->key_b == 0)
                        return s;
                if (!oldest || s->used < oldest->used)
                        oldest = s;
        }

        return oldest;
}

void handover_save_cpu(struct handover *h, uint64_t key_a, uint64_t key_b, const struct cpu_history *history,
                       uint64_t *seen_seq) {
        unsigned n = history->n_cpus < h->header->max_cpus ? history->n_cpus : h->header->max_cpus;
        unsigned max = h->header->max_cpus;
        struct cpu_slot *s;

        pthread_mutex_lock(&h->lock);

        s = cpu_slot_find(h, key_a, key_b, true);
        atomic_fetch_add(&s->seq, 1);

        s->key_a = key_a;
        s->key_b = key_b;
        s->used = now_sec();
        s->n_cpus = n;
        memcpy(&s->counters[0], history->user, n * sizeof(struct mono_counter));
        memcpy(&s->counters[max], history->system, n * sizeof(struct mono_counter));
        memcpy(&s->counters[2 * max], history->idle, n * sizeof(struct mono_counter));

        *seen_seq = atomic_fetch_add(&s->seq, 1) + 1;
        pthread_mutex_unlock(&h->lock);
}

static void merge_counters(struct mono_counter *into, const struct mono_counter *from, unsigned n) {
        for (unsigned i = 0; i < n; i++)
                mono_counter_merge(&into[i], &from[i]);
}

void handover_merge_cpu(struct handover *h, uint64_t key_a, uint64_t key_b, struct cpu_history *history,
                        uint64_t *seen_seq) {
        unsigned max = h->header->max_cpus;
        struct cpu_slot *s;
        uint64_t seq;

        pthread_mutex_lock(&h->lock);

        s = cpu_slot_find(h, key_a, key_b, false);
        seq = s ? atomic_load(&s->seq) : 0;
        /* An odd sequence number: another process is writing the slot, so take it at the next merge. */
        if (!s || seq == *seen_seq || seq % 2 != 0 || s->n_cpus > max || cpu_history_reserve(history, s->n_cpus) < 0) {
                pthread_mutex_unlock(&h->lock);
                return;
        }

        merge_counters(history->user, &s->counters[0], s->n_cpus);
        merge_counters(history->system, &s->counters[max], s->n_cpus);
        merge_counters(history->idle, &s->counters[2 * max], s->n_cpus);
        if (atomic_load(&s->seq) == seq)
                *seen_seq = seq;

        pthread_mutex_unlock(&h->lock);
}

static struct load_slot *load_slot_find(struct handover *h, uint64_t key, bool for_write) {
        struct load_slot *oldest = NULL;

        for (unsigned i = 0; i < PROBE_WINDOW; i++) {
                struct load_slot *s = &h->load_slots[(key + i) % LOAD_SLOTS];

                if (s->key == key)
                        return s;
                if (!for_write)
                        continue;
                if (s->key == 0)
                        return s;
                if (!oldest || s->used < oldest->used)
                        oldest = s;
        }

        return oldest;
}

void handover_save_load(struct handover *h, uint64_t key, const struct loadavg *avg) {
        struct load_slot *s;

        pthread_mutex_lock(&h->lock);

        s = load_slot_find(h, key, true);
        atomic_fetch_add(&s->seq, 1);
        s->key = key;
        s->used = now_sec();
        memcpy(s->avg, avg->avg, sizeof(s->avg));
        atomic_fetch_add(&s->seq, 1);

        pthread_mutex_unlock(&h->lock);
}

int handover_load_load(struct handover *h, uint64_t key, struct loadavg *ret) {
        struct load_slot *s;
        int r = -ENOENT;

        pthread_mutex_lock(&h->lock);

        s = load_slot_find(h, key, false);
        if (s && atomic_load(&s->seq) % 2 == 0) {
                memcpy(ret->avg, s->avg, sizeof(ret->avg));
                r = 0;
        }

        pthread_mutex_unlock(&h->lock);
        return r;
}

void *handover_seccomp_receive_buffer(struct handover *h, unsigned slot, uint32_t fd_id, size_t len) {
        struct seccomp_slot *s;

        if (slot >= HANDOVER_SECCOMP_SLOTS || len > HANDOVER_SECCOMP_NOTIF_MAX)
                return NULL;

        s = &h->header->seccomp[slot];
        atomic_fetch_add(&s->seq, 1);
        s->fd_id = fd_id;
        memset(s->notif, 0, len);
        s->len = (uint32_t) len;
        atomic_fetch_add(&s->seq, 1);

        return s->notif;
}

void handover_clear_seccomp(struct handover *h, unsigned slot) {
        struct seccomp_slot *s;

        if (slot >= HANDOVER_SECCOMP_SLOTS)
                return;

        s = &h->header->seccomp[slot];
        atomic_fetch_add(&s->seq, 1);
        s->len = 0;
        atomic_fetch_add(&s->seq, 1);
}

ssize_t handover_get_seccomp(struct handover *h, unsigned slot, uint32_t *ret_fd_id, void *notif, size_t size) {
        struct seccomp_slot *s;
        uint64_t seq;
        size_t len;

        if (slot >= HANDOVER_SECCOMP_SLOTS)
                return -ENOENT;

        s = &h->header->seccomp[slot];
        seq = atomic_load(&s->seq);
        len = s->len;
        if (seq % 2 != 0 || len == 0 || len > size)
                return -ENOENT;

        *ret_fd_id = s->fd_id;
        memcpy(notif, s->notif, len);
        return atomic_load(&s->seq) == seq ? (ssize_t) len : -ENOENT;
}
