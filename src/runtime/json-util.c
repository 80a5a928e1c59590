/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>

#include "json-util.h"

static inline void json_tokener_freep(struct json_tokener **tok) {
        if (*tok)
                json_tokener_free(*tok);
}

int json_add(struct json_object *object, const char *key, struct json_object *value) {
        if (!value)
                return -ENOMEM;
        if (json_object_object_add(object, key, value) < 0) {
                json_object_put(value);
                return -ENOMEM;
        }
        return 0;
}

int json_append(struct json_object *array, struct json_object *value) {
        if (!value)
                return -ENOMEM;
        if (json_object_array_add(array, value) < 0) {
                json_object_put(value);
                return -ENOMEM;
        }
        return 0;
}

struct json_object *json_string_array(const char *const *strings) {
        _cleanup_json_ struct json_object *array = json_object_new_array();

        if (!array)
                return NULL;
        for (const char *const *s = strings; *s; s++)
                if (json_append(array, json_object_new_string(*s)) < 0)
                        return NULL;
        return TAKE_PTR(array);
}

void json_error_set(struct json_error *error, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        vsnprintf(error->message, sizeof(error->message), format, ap);
        va_end(ap);
}

static int json_error_oom(struct json_error *error) {
        json_error_set(error, "out of memory");
        return -ENOMEM;
}

/* Write value as JSON text for a message: printable ASCII, other bytes as \xNN, cut with "..." to fit size >= 4. */
static void format_excerpt(struct json_object *value, char *buf, size_t size) {
        const char *text =
                json_object_to_json_string_ext(value, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        size_t n = 0;

        for (const unsigned char *p = (const unsigned char *) (text ?: "?"); *p; p++) {
                char piece[5];
                int length;

                if (*p >= 0x20 && *p < 0x7f)
                        length = snprintf(piece, sizeof(piece), "%c", *p);
                else
                        length = snprintf(piece, sizeof(piece), "\\x%02x", *p);

                /* Keep room for "..." and the NUL. */
                if (n + (size_t) length > size - 4) {
                        memcpy(buf + n, "...", 3);
                        n += 3;
                        break;
                }
                memcpy(buf + n, piece, (size_t) length);
                n += (size_t) length;
        }
        buf[n] = '\0';
}

/* Whether the n bytes at s are UTF-8 without overlong forms, surrogates or code points above U+10FFFF. */
static bool utf8_is_valid(const char *s, size_t n) {
        const unsigned char *p = (const unsigned char *) s, *end = p + n;

        while (p < end) {
                uint32_t code_point, min;
                size_t length;

                if (*p < 0x80) {
                        p++;
                        continue;
                }

                if ((*p & 0xe0) == 0xc0) {
                        length = 2;
                        code_point = *p & 0x1f;
                        min = 0x80;
                } else if ((*p & 0xf0) == 0xe0) {
                        length = 3;
                        code_point = *p & 0x0f;
                        min = 0x800;
                } else if ((*p & 0xf8) == 0xf0) {
                        length = 4;
                        code_point = *p & 0x07;
                        min = 0x10000;
                } else
                        return false;

                if ((size_t) (end - p) < length)
                        return false;
                for (size_t i = 1; i < length; i++) {
                        if ((p[i] & 0xc0) != 0x80)
                                return false;
                        code_point = code_point << 6 | (p[i] & 0x3f);
                }
                if (code_point < min || code_point > 0x10ffff || (code_point >= 0xd800 && code_point <= 0xdfff))
                        return false;
                p += length;
        }
        return true;
}

static bool only_white_space(const char *data, size_t size) {
        for (size_t i = 0; i < size; i++)
                if (data[i] != ' ' && data[i] != '\t' && data[i] != '\n' && data[i] != '\r')
                        return false;
        return true;
}

static int parse_failed(struct json_tokener *tok, size_t offset, struct json_error *error) {
        enum json_tokener_error e = json_tokener_get_error(tok);

        if (e == json_tokener_error_depth)
                json_error_set(error, "invalid JSON at byte %zu: nested deeper than json-c's limit of %d levels",
                               offset, JSON_TOKENER_DEFAULT_DEPTH);
        else
                json_error_set(error, "invalid JSON at byte %zu: %s", offset, json_tokener_error_desc(e));
        return -EINVAL;
}

/* Run json-c's tokener over all of data. *ret is NULL for the document "null". */
static int tokenize(const char *data, size_t size, struct json_error *error, struct json_object **ret) {
        _cleanup_(json_tokener_freep) struct json_tokener *tok = json_tokener_new();
        _cleanup_json_ struct json_object *value = NULL;
        size_t end;

        if (!tok)
                return json_error_oom(error);

        value = json_tokener_parse_ex(tok, data, (int) size);
        if (json_tokener_get_error(tok) == json_tokener_continue) {
                /* The tokener reads a NUL byte as the end of the input, so a document cut short fails here. */
                value = json_tokener_parse_ex(tok, "", 1);
                if (json_tokener_get_error(tok) != json_tokener_success)
                        return parse_failed(tok, size, error);

                *ret = TAKE_PTR(value);
                return 0;
        }
        if (json_tokener_get_error(tok) != json_tokener_success)
                return parse_failed(tok, json_tokener_get_parse_end(tok), error);

        end = json_tokener_get_parse_end(tok);
        if (!only_white_space(data + end, size - end)) {
                json_error_set(error, "invalid JSON at byte %zu: text after the end of the document", end);
                return -EINVAL;
        }

        *ret = TAKE_PTR(value);
        return 0;
}

int json_parse_object(const char *data, size_t size, struct json_error *error, struct json_object **ret) {
        _cleanup_json_ struct json_object *object = NULL;
        char excerpt[64];
        const char *nul;
        int r;

        if (size > JSON_DOCUMENT_MAX) {
                json_error_set(error, "%zu bytes, more than the maximum of %u", size, JSON_DOCUMENT_MAX);
                return -EINVAL;
        }
        if (only_white_space(data, size)) {
                json_error_set(error, "empty document");
                return -EINVAL;
        }
        nul = memchr(data, '\0', size);
        if (nul) {
                json_error_set(error, "invalid JSON at byte %zu: a NUL byte", (size_t) (nul - data));
                return -EINVAL;
        }

        r = tokenize(data, size, error, &object);
        if (r < 0)
                return r;

        if (!json_object_is_type(object, json_type_object)) {
                format_excerpt(object, excerpt, sizeof(excerpt));
                json_error_set(error, "the document is %s, expected a JSON object", excerpt);
                return -EINVAL;
        }

        *ret = TAKE_PTR(object);
        return 0;
}

int json_error_invalid(struct json_error *error, const char *name, struct json_object *value, const char *expected) {
        char excerpt[64];

        format_excerpt(value, excerpt, sizeof(excerpt));
        json_error_set(error, "\"%s\" is %s, %s", name, excerpt, expected);
        return -EINVAL;
}

int json_copy_string(struct json_object *object, const char *key, const char *name, struct json_error *error,
                     char **ret) {
        struct json_object *value;
        const char *s;
        size_t length;
        char *copy;

        if (!json_object_object_get_ex(object, key, &value)) {
                json_error_set(error, "missing \"%s\"", name);
                return -EINVAL;
        }
        if (!json_object_is_type(value, json_type_string))
                return json_error_invalid(error, name, value, "expected a string");

        s = json_object_get_string(value);
        length = (size_t) json_object_get_string_len(value);
        if (length == 0) {
                json_error_set(error, "\"%s\" is empty", name);
                return -EINVAL;
        }
        if (memchr(s, '\0', length))
                return json_error_invalid(error, name, value, "which contains a NUL byte");
        if (!utf8_is_valid(s, length))
                return json_error_invalid(error, name, value, "which is not valid UTF-8");

        copy = strdup(s);
        if (!copy)
                return json_error_oom(error);
        *ret = copy;
        return 0;
}
