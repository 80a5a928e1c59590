/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "handles.h"
#include "macro.h"

#define HANDLE_BUCKETS 4096u

struct handle {
        uint64_t fh;
        void *value;
        struct handle *next;
};

struct handle_table {
        /* The high 32 bits of every number this worker creates: random, so two workers never collide. */
        uint64_t instance;

        /* Guards next_id and buckets. */
        pthread_mutex_t lock;
        uint32_t next_id;
        struct handle *buckets[HANDLE_BUCKETS];
};

int handle_table_new(struct handle_table **ret) {
        struct handle_table *t;
        uint32_t instance = 0;

        t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;

        if (getrandom(&instance, sizeof(instance), 0) != sizeof(instance))
                instance = (uint32_t) getpid() ^ (uint32_t) time(NULL);

        t->instance = (uint64_t) (instance | 1) << 32;
        pthread_mutex_init(&t->lock, NULL);

        *ret = t;
        return 0;
}

void handle_table_free(struct handle_table *t, void (*free_value)(void *)) {
        if (!t)
                return;

        for (unsigned i = 0; i < HANDLE_BUCKETS; i++)
                while (t->buckets[i]) {
                        struct handle *h = t->buckets[i];

                        t->buckets[i] = h->next;
                        free_value(h->value);
                        free(h);
                }

        pthread_mutex_destroy(&t->lock);
        free(t);
}

static void insert_locked(struct handle_table *t, struct handle *h) {
        unsigned bucket = (unsigned) (h->fh % HANDLE_BUCKETS);

        h->next = t->buckets[bucket];
        t->buckets[bucket] = h;
}

uint64_t handle_add(struct handle_table *t, void *value) {
        struct handle *h;

        h = calloc(1, sizeof(*h));
        if (!h)
                return 0;

        pthread_mutex_lock(&t->lock);
        h->fh = t->instance | ++t->next_id;
        h->value = value;
        insert_locked(t, h);
        pthread_mutex_unlock(&t->lock);

        return h->fh;
}

static struct handle *find_locked(struct handle_table *t, uint64_t fh) {
        for (struct handle *h = t->buckets[fh % HANDLE_BUCKETS]; h; h = h->next)
                if (h->fh == fh)
                        return h;
        return NULL;
}

void *handle_adopt(struct handle_table *t, uint64_t fh, void *value) {
        struct handle *h, *existing;

        h = calloc(1, sizeof(*h));
        if (!h)
                return NULL;

        h->fh = fh;
        h->value = value;

        pthread_mutex_lock(&t->lock);
        existing = find_locked(t, fh);
        if (!existing)
                insert_locked(t, h);
        pthread_mutex_unlock(&t->lock);

        if (existing) {
                free(h);
                return existing->value;
        }
        return value;
}

void *handle_get(struct handle_table *t, uint64_t fh) {
        struct handle *h;

        pthread_mutex_lock(&t->lock);
        h = find_locked(t, fh);
        pthread_mutex_unlock(&t->lock);

        return h ? h->value : NULL;
}

void *handle_remove(struct handle_table *t, uint64_t fh) {
        struct handle **p, *found = NULL;
        void *value = NULL;

        pthread_mutex_lock(&t->lock);
        for (p = &t->buckets[fh % HANDLE_BUCKETS]; *p; p = &(*p)->next)
                if ((*p)->fh == fh) {
                        found = *p;
                        *p = found->next;
                        break;
                }
        pthread_mutex_unlock(&t->lock);

        if (found) {
                value = found->value;
                free(found);
        }
        return value;
}
