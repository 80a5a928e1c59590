/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "json-util.h"

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
