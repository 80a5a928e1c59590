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
