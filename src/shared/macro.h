/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Small helpers used everywhere: cleanup attributes with explicit ownership
 * transfer, string predicates and array sizes.
 */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void freep(void *p) {
        free(*(void **) p);
}

static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved_errno = errno;
                close(*fd);
                errno = saved_errno;
        }
}

static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}

static inline void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Hand ownership of a pointer or fd out of a cleanup scope. */
#define TAKE_PTR(p)                                                                                                    \
        ({                                                                                                             \
                __typeof__(p) _taken_ = (p);                                                                           \
                (p) = NULL;                                                                                            \
                _taken_;                                                                                               \
        })

#define TAKE_FD(fd)                                                                                                    \
        ({                                                                                                             \
                int _taken_fd_ = (fd);                                                                                 \
                (fd) = -1;                                                                                             \
                _taken_fd_;                                                                                            \
        })

static inline bool streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}

/* Return the rest of s after prefix, or NULL when s does not start with it. */
static inline const char *startswith(const char *s, const char *prefix) {
        size_t n = strlen(prefix);

        if (strncmp(s, prefix, n) != 0)
                return NULL;
        return s + n;
}

static inline uint64_t u64_min(uint64_t a, uint64_t b) {
        return a < b ? a : b;
}

static inline uint64_t u64_max(uint64_t a, uint64_t b) {
        return a > b ? a : b;
}

/* a + b, or UINT64_MAX when the sum does not fit. */
static inline uint64_t u64_add_saturate(uint64_t a, uint64_t b) {
        uint64_t sum;

        return __builtin_add_overflow(a, b, &sum) ? UINT64_MAX : sum;
}

/* a - b, or 0 when b > a. */
static inline uint64_t u64_sub_floor(uint64_t a, uint64_t b) {
        return a > b ? a - b : 0;
}
