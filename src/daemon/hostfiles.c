/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "fileio.h"
#include "hostfiles.h"
#include "macro.h"

/* procviewd reads a handful of host files; more are read uncached. */
#define CACHED_FILES 16

struct cached_file {
        /* Guards everything below. */
        pthread_mutex_t lock;
        const char *path; /* a string literal of the caller; NULL while the slot is free */
        char *content;
        size_t len;
        uint64_t read_at_ms;
        uint64_t version;
};

static struct cached_file files[CACHED_FILES] = {
        [0 ... CACHED_FILES - 1] = { .lock = PTHREAD_MUTEX_INITIALIZER },
};
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;

/* The last version handed out, over all files, so that no two contents share one. */
static uint64_t last_version;

static uint64_t now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

static struct cached_file *slot_for(const char *path) {
        struct cached_file *found = NULL;

        pthread_mutex_lock(&slots_lock);
        for (size_t i = 0; i < CACHED_FILES && !found; i++) {
                if (files[i].path && streq(files[i].path, path))
                        found = &files[i];
                else if (!files[i].path) {
                        files[i].path = path;
                        found = &files[i];
                }
        }
        pthread_mutex_unlock(&slots_lock);

        return found;
}

static int copy_out(const struct cached_file *f, char **ret) {
        char *copy = malloc(f->len + 1);

        if (!copy)
                return -ENOMEM;
        memcpy(copy, f->content, f->len + 1);
        *ret = copy;
        return 0;
}

int hostfile_read(const char *path, unsigned max_age_ms, char **ret) {
        uint64_t version;

        return hostfile_read_versioned(path, max_age_ms, ret, &version);
}

int hostfile_read_versioned(const char *path, unsigned max_age_ms, char **ret, uint64_t *ret_version) {
        struct cached_file *f = slot_for(path);
        uint64_t now = now_ms();
        char *content;
        size_t len;
        int r;

        if (!f) {
                *ret_version = 0;
                return read_full_file_at(AT_FDCWD, path, ret, NULL);
        }

        pthread_mutex_lock(&f->lock);

        if (!f->content || now - f->read_at_ms >= max_age_ms) {
                r = read_full_file_at(AT_FDCWD, path, &content, &len);
                if (r < 0) {
                        pthread_mutex_unlock(&f->lock);
                        return r;
                }
                free(f->content);
                f->content = content;
                f->len = len;
                f->read_at_ms = now;
                f->version = __atomic_add_fetch(&last_version, 1, __ATOMIC_RELAXED);
        }

        r = copy_out(f, ret);
        *ret_version = f->version;
        pthread_mutex_unlock(&f->lock);
        return r;
}
