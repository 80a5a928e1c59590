/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>

#include "log.h"
#include "parse.h"

static int max_level = LOG_INFO;
static const char *program = "procview";
static pthread_mutex_t ratelimit_lock = PTHREAD_MUTEX_INITIALIZER;

void log_set_max_level(int level) {
        max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

void log_set_program(const char *name) {
        program = name;
}

int log_level_from_string(const char *s) {
        static const char *const names[] = {
                [LOG_EMERG] = "emerg",     [LOG_ALERT] = "alert",   [LOG_CRIT] = "crit", [LOG_ERR] = "error",
                [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice", [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
        };
        unsigned level;

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcasecmp(s, names[i]) == 0)
                        return (int) i;

        if (safe_atou(s, &level) >= 0 && level <= LOG_DEBUG)
                return (int) level;

        return -EINVAL;
}

static bool under_journal(void) {
        static int cached = -1;

        if (cached < 0)
                cached = getenv("JOURNAL_STREAM") != NULL;
        return cached;
}

int log_internal(int level, int err, const char *file, int line, const char *format, ...) {
        char message[2048];
        va_list ap;

        /* Make "%m" print the error passed in, not whatever errno holds now. */
        if (err != 0)
                errno = abs(err);

        va_start(ap, format);
        vsnprintf(message, sizeof(message), format, ap);
        va_end(ap);

        if (under_journal())
                fprintf(stderr, "<%d>%s\n", level, message);
        else if (max_level >= LOG_DEBUG)
                fprintf(stderr, "%s: %s:%d: %s\n", program, file, line, message);
        else
                fprintf(stderr, "%s: %s\n", program, message);

        return -abs(err);
}

static unsigned long long now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (unsigned long long) ts.tv_sec * 1000000ULL + (unsigned long long) ts.tv_nsec / 1000ULL;
}

bool log_ratelimit_check(struct log_ratelimit *rl) {
        unsigned long long now = now_usec();
        bool pass;

        pthread_mutex_lock(&ratelimit_lock);

        if (rl->begin_usec == 0 || now - rl->begin_usec >= rl->interval_usec) {
                if (rl->suppressed > 0)
                        fprintf(stderr, "%s: %u similar messages suppressed\n", program, rl->suppressed);
                rl->begin_usec = now;
                rl->count = 0;
                rl->suppressed = 0;
        }

        pass = rl->count < rl->burst;
        if (pass)
                rl->count++;
        else
                rl->suppressed++;

        pthread_mutex_unlock(&ratelimit_lock);
        return pass;
}
