/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "macro.h"
#include "strbuf.h"
#include "test.h"

TEST(strbuf_append_and_printf) {
        _cleanup_strbuf_ struct strbuf b = STRBUF_INIT;

        strbuf_puts(&b, "cpu ");
        strbuf_printf(&b, "%d %s", 42, "x");
        strbuf_append(&b, "yz123", 2);

        ASSERT_OK(strbuf_error(&b));
        ASSERT_STREQ(b.data, "cpu 42 xyz");
        ASSERT_EQ_U64(b.len, 10);
}

TEST(strbuf_grows_past_initial_capacity) {
        _cleanup_strbuf_ struct strbuf b = STRBUF_INIT;
        char expected[5001];

        for (unsigned i = 0; i < 5000; i++) {
                strbuf_printf(&b, "%c", 'a' + (char) (i % 26));
                expected[i] = (char) ('a' + i % 26);
        }
        expected[5000] = '\0';

        ASSERT_OK(strbuf_error(&b));
        ASSERT_EQ_U64(b.len, 5000);
        ASSERT_TRUE(b.cap > b.len);
        ASSERT_STREQ(b.data, expected);
}

TEST(strbuf_large_printf) {
        _cleanup_strbuf_ struct strbuf b = STRBUF_INIT;

        strbuf_puts(&b, "x");
        strbuf_printf(&b, "%3000d", 7);
        ASSERT_EQ_U64(b.len, 3001);
        ASSERT_EQ_U64(strlen(b.data), 3001);
        ASSERT_TRUE(b.data[3000] == '7');
}

TEST(strbuf_reset_keeps_memory) {
        _cleanup_strbuf_ struct strbuf b = STRBUF_INIT;
        const char *data;

        strbuf_puts(&b, "hello");
        data = b.data;
        strbuf_reset(&b);

        ASSERT_EQ_U64(b.len, 0);
        ASSERT_STREQ(b.data, "");
        ASSERT_TRUE(b.data == data);

        strbuf_puts(&b, "again");
        ASSERT_STREQ(b.data, "again");
}

TEST(strbuf_steal_transfers_ownership) {
        struct strbuf b = STRBUF_INIT;
        _cleanup_free_ char *data = NULL;
        size_t len = 0;

        strbuf_puts(&b, "abc");
        data = strbuf_steal(&b, &len);

        ASSERT_STREQ(data, "abc");
        ASSERT_EQ_U64(len, 3);
        ASSERT_TRUE(b.data == NULL);
        ASSERT_EQ_U64(b.len, 0);
}

TEST(strbuf_steal_empty_buffer) {
        struct strbuf b = STRBUF_INIT;
        _cleanup_free_ char *data = NULL;
        size_t len = 99;

        data = strbuf_steal(&b, &len);
        ASSERT_TRUE(data != NULL);
        ASSERT_STREQ(data, "");
        ASSERT_EQ_U64(len, 0);
}

TEST(strbuf_error_sticks) {
        _cleanup_strbuf_ struct strbuf b = STRBUF_INIT;
        size_t len = 99;

        strbuf_puts(&b, "kept");
        b.error = -ENOMEM;
        strbuf_puts(&b, " dropped");
        strbuf_printf(&b, "%d", 5);

        ASSERT_EQ_INT(strbuf_error(&b), -ENOMEM);
        ASSERT_STREQ(b.data, "kept");
        ASSERT_TRUE(strbuf_steal(&b, &len) == NULL);
        ASSERT_EQ_U64(len, 99);

        strbuf_reset(&b);
        ASSERT_OK(strbuf_error(&b));
}

TEST(strbuf_free_resets) {
        struct strbuf b = STRBUF_INIT;

        strbuf_puts(&b, "x");
        strbuf_free(&b);
        ASSERT_TRUE(b.data == NULL);
        ASSERT_EQ_U64(b.len, 0);
        ASSERT_EQ_U64(b.cap, 0);
        strbuf_free(&b);
}
