/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "log.h"

/*
 * Log getopt_long()'s failure c ('?' or ':', with opterr = 0 and an optstring
 * that starts with "+:" or ":") naming the offending option, and point at
 * command --help. Returns EXIT_USAGE.
 */
int log_option_error(int c, char *const argv[], const char *command);

/*
 * Parse the command line of a verb whose only option is --views DIR (and
 * --help, which calls print_help). Returns 1 to go on, 0 after --help, or
 * EXIT_USAGE after logging.
 */
int parse_views_option_only(int argc, char *argv[], const char *command, void (*print_help)(void),
                            const char **ret_views_dir);

/* Format a new string like asprintf(), but return NULL on failure so _cleanup_free_ is safe. */
char *format_string(const char *format, ...) _printf_(1, 2);

#define log_oom() log_error_errno(-ENOMEM, "Out of memory.")
