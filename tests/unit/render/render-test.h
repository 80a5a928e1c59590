/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers shared by the renderer tests: reading a recorded host file and
 * picking single lines out of rendered text.
 */
#pragma once

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "fileio.h"
#include "macro.h"
#include "strbuf.h"
#include "test.h"

/* Read tests/fixtures/host/NAME into a new string, or NULL. */
static inline char *host_fixture(const char *name) {
        char path[4096];
        char *text;

        snprintf(path, sizeof(path), "%s/host/%s", test_fixture_dir(), name);
        if (read_full_file_at(AT_FDCWD, path, &text, NULL) < 0) {
                fprintf(stderr, "# failed to read fixture '%s'\n", path);
                return NULL;
        }
        return text;
}

/*
 * Copy the line of text that starts with prefix, without its newline, into
 * buf. Returns buf, or NULL when no line matches.
 */
static inline const char *find_line(const char *text, const char *prefix, char *buf, size_t size) {
        const char *line = text;

        while (line && *line) {
                const char *end = strchrnul(line, '\n');

                if (startswith(line, prefix) && (size_t) (end - line) < size) {
                        memcpy(buf, line, (size_t) (end - line));
                        buf[end - line] = '\0';
                        return buf;
                }
                line = *end ? end + 1 : NULL;
        }
        return NULL;
}

/* Count the lines of text. A last line without a newline counts too. */
static inline unsigned count_lines(const char *text) {
        unsigned n = 0;

        for (const char *p = text; *p; p++)
                if (*p == '\n' || p[1] == '\0')
                        n++;
        return n;
}
