/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A growable, always NUL-terminated byte buffer that renderers write into.
 * On allocation failure the buffer remembers -ENOMEM, later appends become
 * no-ops, and strbuf_error() reports it, so renderers check once at the end.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>

#include "macro.h"

struct strbuf {
        char *data;
        size_t len;
        size_t cap;
        int error;
};

#define STRBUF_INIT                                                                                                    \
        { NULL, 0, 0, 0 }

void strbuf_free(struct strbuf *b);
void strbuf_reset(struct strbuf *b);
int strbuf_error(const struct strbuf *b);

void strbuf_append(struct strbuf *b, const char *data, size_t len);
void strbuf_puts(struct strbuf *b, const char *s);
void strbuf_printf(struct strbuf *b, const char *format, ...) _printf_(2, 3);
void strbuf_vprintf(struct strbuf *b, const char *format, va_list ap);

/* Detach the data; the caller frees it. Never NULL unless the buffer failed. */
char *strbuf_steal(struct strbuf *b, size_t *ret_len);

#define _cleanup_strbuf_ _cleanup_(strbuf_free)
