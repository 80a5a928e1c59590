/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Building json-c objects with cleanup attributes and ownership that passes on failure too. */
#pragma once

#include <json-c/json.h>

#include "macro.h"

static inline void json_object_putp(struct json_object **o) {
        if (*o)
                json_object_put(*o);
}
#define _cleanup_json_ _cleanup_(json_object_putp)

#define STRV(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Add value under key, taking ownership of value also on failure. Returns 0 or -ENOMEM. */
int json_add(struct json_object *object, const char *key, struct json_object *value);

/* Append value to array, taking ownership of value also on failure. Returns 0 or -ENOMEM. */
int json_append(struct json_object *array, struct json_object *value);

/* A new array of the NULL-terminated strings, or NULL when out of memory. */
struct json_object *json_string_array(const char *const *strings);

/*
 * Parsing documents that another program wrote. Each failure fills a
 * json_error with a message that names the offending value, such as
 * "\"pid\" is -1, expected an integer from 0 to 4194304", for the caller to
 * log after its own context. Values in messages are escaped and shortened,
 * so a message is printable ASCII of at most one line.
 */
struct json_error {
        char message[256];
};

/* The largest document json_parse_object() accepts, as large as read_full_file_at() reads. */
#define JSON_DOCUMENT_MAX (64u * 1024u * 1024u)

void json_error_set(struct json_error *error, const char *format, ...) _printf_(2, 3);

/*
 * Set the message "\"NAME\" is VALUE, EXPECTED", with value as escaped and
 * shortened JSON text, and return -EINVAL.
 */
int json_error_invalid(struct json_error *error, const char *name, struct json_object *value, const char *expected);

/*
 * Parse size bytes at data (no terminating NUL needed) as one JSON object.
 * Rejects NUL bytes, documents above JSON_DOCUMENT_MAX, nesting deeper than
 * json-c's JSON_TOKENER_DEFAULT_DEPTH (32 levels, counting the innermost
 * value), text other than white space after the object, and documents that
 * are not objects. Returns 0, -EINVAL or
 * -ENOMEM, with error set on failure.
 */
int json_parse_object(const char *data, size_t size, struct json_error *error, struct json_object **ret);

/*
 * Copy the string member key of object into *ret. name is how the message
 * calls the member, such as "root.path". Returns -EINVAL with error set
 * when the member is missing, not a string, empty, contains a NUL byte or
 * is not valid UTF-8, and -ENOMEM.
 */
int json_copy_string(struct json_object *object, const char *key, const char *name, struct json_error *error,
                     char **ret);
