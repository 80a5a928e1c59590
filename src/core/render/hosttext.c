/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "hosttext.h"
#include "parse.h"

bool text_next_line(const char **cursor, struct text_line *ret) {
        const char *start = *cursor, *newline;

        if (*start == '\0')
                return false;

        newline = strchr(start, '\n');
        if (newline) {
                *ret = (struct text_line){
                        .start = start,
                        .len = (size_t) (newline - start),
                        .size = (size_t) (newline - start) + 1,
                };
                *cursor = newline + 1;
                return true;
        }

        /* The last line of a text without a trailing newline. */
        *ret = (struct text_line){ .start = start, .len = strlen(start), .size = strlen(start) };
        *cursor = start + ret->len;
        return true;
}

const char *skip_blanks(const char *p) {
        while (*p == ' ' || *p == '\t')
                p++;
        return p;
}

int parse_u64_field(const char **p, uint64_t *ret) {
        const char *start = skip_blanks(*p), *end;
        uint64_t value;
        int r;

        /* Digits never run past a newline, so this stays inside the line. */
        r = parse_u64_prefix(start, &value, &end);
        if (r < 0)
                return r;

        *ret = value;
        *p = end;
        return 0;
}

unsigned line_count_fields(const struct text_line *line) {
        unsigned n = 0;
        bool in_field = false;

        for (size_t i = 0; i < line->len; i++) {
                bool blank = line->start[i] == ' ' || line->start[i] == '\t';

                if (!blank && !in_field)
                        n++;
                in_field = !blank;
        }
        return n;
}

bool line_has_key(const struct text_line *line, const char *key) {
        size_t n = strlen(key);

        return line->len > n && memcmp(line->start, key, n) == 0 && line->start[n] == ':';
}
