/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

void strbuf_free(struct strbuf *b) {
        free(b->data);
        *b = (struct strbuf) STRBUF_INIT;
}

void strbuf_reset(struct strbuf *b) {
        b->len = 0;
        b->error = 0;
        if (b->data)
                b->data[0] = '\0';
}

int strbuf_error(const struct strbuf *b) {
        return b->error;
}

static int strbuf_reserve(struct strbuf *b, size_t extra) {
        size_t need, cap;
        char *data;

        if (b->error < 0)
                return b->error;

        need = b->len + extra + 1;
        if (need <= b->cap)
                return 0;

        cap = b->cap ? b->cap : 256;
        while (cap < need)
                cap *= 2;

        data = realloc(b->data, cap);
        if (!data)
                return (b->error = -ENOMEM);

        b->data = data;
        b->cap = cap;
        return 0;
}

void strbuf_append(struct strbuf *b, const char *data, size_t len) {
        if (strbuf_reserve(b, len) < 0)
                return;

        memcpy(b->data + b->len, data, len);
        b->len += len;
        b->data[b->len] = '\0';
}

void strbuf_puts(struct strbuf *b, const char *s) {
        strbuf_append(b, s, strlen(s));
}

void strbuf_vprintf(struct strbuf *b, const char *format, va_list ap) {
        va_list copy;
        int n;

        va_copy(copy, ap);
        n = vsnprintf(NULL, 0, format, copy);
        va_end(copy);
        if (n < 0) {
                b->error = -EINVAL;
                return;
        }

        if (strbuf_reserve(b, (size_t) n) < 0)
                return;

        vsnprintf(b->data + b->len, (size_t) n + 1, format, ap);
        b->len += (size_t) n;
}

void strbuf_printf(struct strbuf *b, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        strbuf_vprintf(b, format, ap);
        va_end(ap);
}

char *strbuf_steal(struct strbuf *b, size_t *ret_len) {
        char *data;

        if (b->error < 0)
                return NULL;
        if (strbuf_reserve(b, 0) < 0)
                return NULL;

        /* A buffer that was never written has memory but no terminator yet. */
        b->data[b->len] = '\0';
        data = b->data;
        if (ret_len)
                *ret_len = b->len;
        *b = (struct strbuf) STRBUF_INIT;
        return data;
}
