/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Line and field access to host /proc text for the renderers. Host text is
 * never modified: a line is a pointer and a length into it, so a renderer can
 * copy host lines unchanged byte for byte.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One line of a host text. */
struct text_line {
        const char *start;
        size_t len; /* without the newline */
        size_t size; /* with the newline, when the line has one */
};

/* Store the line at *cursor in ret and advance past it. Returns false at the end of the text. */
bool text_next_line(const char **cursor, struct text_line *ret);

/* The first character at or after p that is neither a space nor a tab. */
const char *skip_blanks(const char *p);

/*
 * Skip blanks, then parse one unsigned decimal field of a line. *p is moved
 * past the digits. Returns -EINVAL when no digits follow.
 */
int parse_u64_field(const char **p, uint64_t *ret);

/* The number of blank-separated fields of a line. */
unsigned line_count_fields(const struct text_line *line);

/* True when the line starts with key immediately followed by ':'. */
bool line_has_key(const struct text_line *line, const char *key);
