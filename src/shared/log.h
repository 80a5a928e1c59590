/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one log module. Messages go to stderr with syslog levels; under systemd
 * (JOURNAL_STREAM set) each line carries a "<N>" priority prefix so the
 * journal records the level. Library code logs at debug level only.
 *
 * log_error_errno() and friends log and return -abs(err) in one statement,
 * and set errno for "%m".
 */
#pragma once

#include <stdbool.h>
#include <syslog.h>

#include "macro.h"

void log_set_max_level(int level);
int log_get_max_level(void);
void log_set_program(const char *name);

/* Parse "debug", "info", "notice", "warning", "error" (or a syslog number). */
int log_level_from_string(const char *s);

int log_internal(int level, int err, const char *file, int line, const char *format, ...) _printf_(5, 6);

/*
 * Allow at most burst messages per interval_usec from one call site; returns
 * false when this one should be dropped. Call sites keep the state in a static.
 */
struct log_ratelimit {
        unsigned long long begin_usec;
        unsigned interval_usec;
        unsigned burst;
        unsigned count;
        unsigned suppressed;
};

bool log_ratelimit_check(struct log_ratelimit *rl);

#define log_full_errno(level, err, ...)                                                                                \
        ({                                                                                                             \
                int _level_ = (level), _err_ = (err);                                                                  \
                (_level_ <= log_get_max_level()) ? log_internal(_level_, _err_, __FILE__, __LINE__, __VA_ARGS__)       \
                                                 : -abs(_err_);                                                        \
        })

#define log_full(level, ...) (void) log_full_errno(level, 0, __VA_ARGS__)

#define log_debug(...) log_full(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_full(LOG_INFO, __VA_ARGS__)
#define log_notice(...) log_full(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_full(LOG_ERR, __VA_ARGS__)

#define log_debug_errno(err, ...) log_full_errno(LOG_DEBUG, err, __VA_ARGS__)
#define log_info_errno(err, ...) log_full_errno(LOG_INFO, err, __VA_ARGS__)
#define log_warning_errno(err, ...) log_full_errno(LOG_WARNING, err, __VA_ARGS__)
#define log_error_errno(err, ...) log_full_errno(LOG_ERR, err, __VA_ARGS__)

/* Log at most 10 messages per 5 s from this call site; suppressed ones are counted only if they would print. */
#define log_ratelimited(level, err, ...)                                                                               \
        ({                                                                                                             \
                static struct log_ratelimit _rl_ = { .interval_usec = 5000000, .burst = 10 };                          \
                ((level) <= log_get_max_level() && log_ratelimit_check(&_rl_))                                         \
                        ? log_full_errno(level, err, __VA_ARGS__)                                                      \
                        : -abs(err);                                                                                   \
        })
