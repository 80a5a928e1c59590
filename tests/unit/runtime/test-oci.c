/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>

#include "fileio.h"
#include "macro.h"
#include "oci.h"
#include "test.h"

/* An input and the message its parse must fail with. size 0 means strlen(text). */
struct invalid_case {
        const char *text;
        size_t size;
        const char *message;
};

static size_t case_size(const struct invalid_case *c) {
        return c->size ?: strlen(c->text);
}

static bool message_printable(const char *message) {
        for (const char *p = message; *p; p++)
                if (*p < 0x20 || *p > 0x7e)
                        return false;
        return true;
}

static int read_fixture(const char *name, char **ret, size_t *ret_size) {
        char path[4096];

        snprintf(path, sizeof(path), "%s/oci/%s", test_fixture_dir(), name);
        return read_full_file_at(AT_FDCWD, path, ret, ret_size);
}

TEST(oci_state_runc_fixture) {
        _cleanup_(oci_state_done) struct oci_state s = {};
        _cleanup_free_ char *data = NULL;
        struct json_error error;
        size_t size;

        ASSERT_OK(read_fixture("state-runc.json", &data, &size));
        ASSERT_OK(oci_state_parse(data, size, &error, &s));
        ASSERT_STREQ(s.id, "web");
        ASSERT_STREQ(s.bundle, "/run/containers/web");
        ASSERT_EQ_INT(s.pid, 1);
}

TEST(oci_state_crun_fixture) {
        _cleanup_(oci_state_done) struct oci_state s = {};
        _cleanup_free_ char *data = NULL;
        struct json_error error;
        size_t size;

        ASSERT_OK(read_fixture("state-crun.json", &data, &size));
        ASSERT_OK(oci_state_parse(data, size, &error, &s));
        ASSERT_STREQ(s.id, "web");
        ASSERT_STREQ(s.bundle, "/run/containers/web");
        ASSERT_EQ_INT(s.pid, 0);
}

TEST(oci_state_pid_optional) {
        static const struct {
                const char *text;
                pid_t pid;
        } cases[] = {
                { "{\"id\":\"a\",\"bundle\":\"/b\"}", 0 },
                { "{\"id\":\"a\",\"bundle\":\"/b\",\"pid\":null}", 0 },
                { "{\"id\":\"a\",\"bundle\":\"/b\",\"pid\":0}", 0 },
                { "{\"id\":\"a\",\"bundle\":\"/b\",\"pid\":4194304}", 4194304 },
                { " \n{\"pid\":7,\"bundle\":\"/b\",\"id\":\"a\"}\n\n", 7 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(oci_state_done) struct oci_state s = {};
                struct json_error error;

                ASSERT_OK(oci_state_parse(cases[i].text, strlen(cases[i].text), &error, &s));
                ASSERT_EQ_INT(s.pid, cases[i].pid);
                ASSERT_STREQ(s.id, "a");
                ASSERT_STREQ(s.bundle, "/b");
        }
}

TEST(oci_state_accepts_utf8_and_unknown_members) {
        static const char text[] = "{\"id\":\"caf\xc3\xa9-\xf0\x9f\x90\xb3\",\"bundle\":\"/b\",\"status\":7,"
                                   "\"annotations\":{\"x\":\"\xff\"},\"extra\":[[[[1]]]]}";
        _cleanup_(oci_state_done) struct oci_state s = {};
        struct json_error error;

        ASSERT_OK(oci_state_parse(text, strlen(text), &error, &s));
        ASSERT_STREQ(s.id, "caf\xc3\xa9-\xf0\x9f\x90\xb3");
}

/* Parse every case, expect -EINVAL with exactly its message, and *ret left alone. */
static void check_state_invalid(const struct invalid_case *cases, size_t n) {
        for (size_t i = 0; i < n; i++) {
                struct oci_state s = { .pid = -7 };
                struct json_error error = {};

                ASSERT_EQ_INT(oci_state_parse(cases[i].text, case_size(&cases[i]), &error, &s), -EINVAL);
                ASSERT_STREQ(error.message, cases[i].message);
                ASSERT_TRUE(message_printable(error.message));
                ASSERT_TRUE(!s.id);
                ASSERT_TRUE(!s.bundle);
                ASSERT_EQ_INT(s.pid, -7);
        }
}

TEST(oci_state_rejects_malformed_json) {
        static const struct invalid_case cases[] = {
                { "", 0, "empty document" },
                { " \n\t", 0, "empty document" },
                { "{", 0, "invalid JSON at byte 1: unexpected end of data" },
                { "{\"id\":", 0, "invalid JSON at byte 6: unexpected end of data" },
                { "{\"id\" \"a\"}", 0, "invalid JSON at byte 6: object property name separator ':' expected" },
                { "\xef\xbb\xbf{}", 0, "invalid JSON at byte 0: unexpected character" },
                { "{\"id\":\"a\",\"bundle\":\"/b\"} x", 0,
                  "invalid JSON at byte 25: text after the end of the document" },
                { "{\"id\":\"a\",\"bundle\":\"/b\"}{}", 0,
                  "invalid JSON at byte 24: text after the end of the document" },
                { "{\"id\":\"a\0\",\"bundle\":\"/b\"}", 25, "invalid JSON at byte 8: a NUL byte" },
                { "{\"id\":\"a\",\"bundle\":\"/b\"}\0", 25, "invalid JSON at byte 24: a NUL byte" },
                { "\0\0", 2, "invalid JSON at byte 0: a NUL byte" },
                { "[1,2]", 0, "the document is [1,2], expected a JSON object" },
                { "null", 0, "the document is null, expected a JSON object" },
                { "\"web\"", 0, "the document is \"web\", expected a JSON object" },
                { "42", 0, "the document is 42, expected a JSON object" },
        };

        check_state_invalid(cases, ELEMENTSOF(cases));
}

TEST(oci_state_rejects_bad_strings) {
        static const struct invalid_case cases[] = {
                { "{\"bundle\":\"/b\"}", 0, "missing \"id\"" },
                { "{\"id\":5,\"bundle\":\"/b\"}", 0, "\"id\" is 5, expected a string" },
                { "{\"id\":null,\"bundle\":\"/b\"}", 0, "\"id\" is null, expected a string" },
                { "{\"id\":[\"a\"],\"bundle\":\"/b\"}", 0, "\"id\" is [\"a\"], expected a string" },
                { "{\"id\":\"\",\"bundle\":\"/b\"}", 0, "\"id\" is empty" },
                { "{\"id\":\"a\\u0000b\",\"bundle\":\"/b\"}", 0, "\"id\" is \"a\\u0000b\", which contains a NUL byte" },
                { "{\"id\":\"\xff\",\"bundle\":\"/b\"}", 0, "\"id\" is \"\\xff\", which is not valid UTF-8" },
                { "{\"id\":\"\xc0\xaf\",\"bundle\":\"/b\"}", 0, "\"id\" is \"\\xc0\\xaf\", which is not valid UTF-8" },
                { "{\"id\":\"\xed\xa0\x80\",\"bundle\":\"/b\"}", 0,
                  "\"id\" is \"\\xed\\xa0\\x80\", which is not valid UTF-8" },
                { "{\"id\":\"\xf4\x90\x80\x80\",\"bundle\":\"/b\"}", 0,
                  "\"id\" is \"\\xf4\\x90\\x80\\x80\", which is not valid UTF-8" },
                { "{\"id\":\"a\xc3\",\"bundle\":\"/b\"}", 0, "\"id\" is \"a\\xc3\", which is not valid UTF-8" },
                { "{\"id\":\"a\"}", 0, "missing \"bundle\"" },
                { "{\"id\":\"a\",\"bundle\":\"run/b\"}", 0, "\"bundle\" is \"run/b\", expected an absolute path" },
                { "{\"id\":\"a\",\"bundle\":true}", 0, "\"bundle\" is true, expected a string" },
        };

        check_state_invalid(cases, ELEMENTSOF(cases));
}

TEST(oci_state_rejects_bad_pid) {
        static const struct invalid_case cases[] = {
                { "{\"id\":\"a\",\"bundle\":\"/b\",\"pid\":-1}", 0,
                  "\"pid\" is -1, expected an integer from 0 to 4194304" },
                { "{\"id\":\"a\",\"bundle\":\"/b\",\"pid\":4194305}", 0,
                  "\"pid\" is 4194305, expected an integer from 0 to 4194304" },
                { "{\"id\":\"a\",\"bundle\":\"/b\",\"pid\":2147483648}", 0,
                  "\"pid\" is 2147483648, expected an integer from 0 to 4194304" },
                { "{\"id\":\"a\",\"bundle\":\"/b\",\"pid\":-9223372036854775808}", 0,
                  "\"pid\" is -9223372036854775808, expected an integer from 0 to 4194304" },
                /* json-c stores a number beyond 64 bits as the nearest 64-bit value. */
                { "{\"id\":\"a\",\"bundle\":\"/b\",\"pid\":99999999999999999999999}", 0,
                  "\"pid\" is 18446744073709551615, expected an integer from 0 to 4194304" },
                { "{\"id\":\"a\",\"bundle\":\"/b\",\"pid\":1.5}", 0,
                  "\"pid\" is 1.5, expected an integer from 0 to 4194304" },
                { "{\"id\":\"a\",\"bundle\":\"/b\",\"pid\":1e400}", 0,
                  "\"pid\" is 1e400, expected an integer from 0 to 4194304" },
                { "{\"id\":\"a\",\"bundle\":\"/b\",\"pid\":\"12\"}", 0,
                  "\"pid\" is \"12\", expected an integer from 0 to 4194304" },
                { "{\"id\":\"a\",\"bundle\":\"/b\",\"pid\":true}", 0,
                  "\"pid\" is true, expected an integer from 0 to 4194304" },
                { "{\"id\":\"a\",\"bundle\":\"/b\",\"pid\":{}}", 0,
                  "\"pid\" is {}, expected an integer from 0 to 4194304" },
        };

        check_state_invalid(cases, ELEMENTSOF(cases));
}

TEST(oci_state_rejects_deep_nesting) {
        static const char open[] = "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", close[] = "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]";
        char text[256];
        int n;

        /* json-c takes 32 levels: the object, 30 arrays and the number. */
        n = snprintf(text, sizeof(text), "{\"id\":\"a\",\"bundle\":\"/b\",\"x\":%.30s1%.30s}", open, close);
        ASSERT_TRUE(n > 0);
        ASSERT_TRUE((size_t) n < sizeof(text));
        {
                _cleanup_(oci_state_done) struct oci_state s = {};
                struct json_error error;

                ASSERT_OK(oci_state_parse(text, (size_t) n, &error, &s));
        }

        n = snprintf(text, sizeof(text), "{\"id\":\"a\",\"bundle\":\"/b\",\"x\":%.31s1%.31s}", open, close);
        ASSERT_TRUE(n > 0);
        ASSERT_TRUE((size_t) n < sizeof(text));
        check_state_invalid(
                &(struct invalid_case){ text, (size_t) n,
                                        "invalid JSON at byte 59: nested deeper than json-c's limit of 32 levels" },
                1);
}

TEST(oci_state_shortens_long_values) {
        _cleanup_free_ char *text = NULL;
        struct oci_state s = {};
        struct json_error error;
        size_t size = 100000;

        /* An id of 100000 bytes of 0xff: the message shows its start only. */
        text = malloc(size);
        ASSERT_TRUE(text);
        memset(text, 0xff, size);
        memcpy(text, "{\"id\":\"", 7);
        memcpy(text + size - 17, "\",\"bundle\":\"/b\"}\n", 17);

        ASSERT_EQ_INT(oci_state_parse(text, size, &error, &s), -EINVAL);
        ASSERT_TRUE(startswith(error.message, "\"id\" is \"\\xff\\xff"));
        ASSERT_TRUE(strstr(error.message, "..., which is not valid UTF-8"));
        ASSERT_TRUE(strlen(error.message) < sizeof(error.message) - 1);
        ASSERT_TRUE(message_printable(error.message));
}

TEST(oci_state_rejects_huge_document) {
        _cleanup_free_ char *text = NULL;
        struct oci_state s = {};
        struct json_error error;
        size_t size = JSON_DOCUMENT_MAX + 1;

        text = malloc(size);
        ASSERT_TRUE(text);
        memset(text, ' ', size);
        memcpy(text, "{\"id\":\"a\",\"bundle\":\"/b\"}", 24);

        ASSERT_EQ_INT(oci_state_parse(text, size, &error, &s), -EINVAL);
        ASSERT_STREQ(error.message, "67108865 bytes, more than the maximum of 67108864");
}

TEST(oci_config_fixture) {
        _cleanup_(oci_config_done) struct oci_config c = {};
        _cleanup_free_ char *data = NULL;
        struct json_error error;
        size_t size;

        ASSERT_OK(read_fixture("config.json", &data, &size));
        ASSERT_OK(oci_config_parse(data, size, &error, &c));
        ASSERT_STREQ(c.root_path, "rootfs");
}

TEST(oci_config_root_paths) {
        static const struct {
                const char *text;
                const char *root_path;
        } cases[] = {
                { "{\"root\":{\"path\":\"/var/lib/rootfs\"}}", "/var/lib/rootfs" },
                { "{\"root\":{\"path\":\"rootfs\",\"readonly\":true}}", "rootfs" },
                { "{\"root\":{\"path\":\"r\xc3\xa4\"},\"process\":{\"env\":[\"X=\xff\"]}}", "r\xc3\xa4" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(oci_config_done) struct oci_config c = {};
                struct json_error error;

                ASSERT_OK(oci_config_parse(cases[i].text, strlen(cases[i].text), &error, &c));
                ASSERT_STREQ(c.root_path, cases[i].root_path);
        }
}

TEST(oci_config_rejects_malformed) {
        static const struct invalid_case cases[] = {
                { "", 0, "empty document" },
                { "{\"root\":{\"path\":\"rootfs\"}", 0, "invalid JSON at byte 25: unexpected end of data" },
                { "[{\"root\":{\"path\":\"rootfs\"}}]", 0,
                  "the document is [{\"root\":{\"path\":\"rootfs\"}}], expected a JSON object" },
                { "{}", 0, "missing \"root\"" },
                { "{\"root\":\"rootfs\"}", 0, "\"root\" is \"rootfs\", expected an object" },
                { "{\"root\":null}", 0, "\"root\" is null, expected an object" },
                { "{\"root\":{}}", 0, "missing \"root.path\"" },
                { "{\"root\":{\"path\":5}}", 0, "\"root.path\" is 5, expected a string" },
                { "{\"root\":{\"path\":\"\"}}", 0, "\"root.path\" is empty" },
                { "{\"root\":{\"path\":\"a\\u0000/etc\"}}", 0,
                  "\"root.path\" is \"a\\u0000/etc\", which contains a NUL byte" },
                { "{\"root\":{\"path\":\"\xfe\"}}", 0, "\"root.path\" is \"\\xfe\", which is not valid UTF-8" },
                { "{\"root\":{\"path\":\"r\"}}\0", 22, "invalid JSON at byte 21: a NUL byte" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct oci_config c = {};
                struct json_error error = {};

                ASSERT_EQ_INT(oci_config_parse(cases[i].text, case_size(&cases[i]), &error, &c), -EINVAL);
                ASSERT_STREQ(error.message, cases[i].message);
                ASSERT_TRUE(message_printable(error.message));
                ASSERT_TRUE(!c.root_path);
        }
}
