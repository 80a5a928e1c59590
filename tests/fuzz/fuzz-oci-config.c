/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The config.json of a bundle as "procview hook" reads it. An accepted
 * config's root path is non-empty and equals root.path in json-c's own parse
 * of the input. A rejected one gives -EINVAL or -ENOMEM with a printable
 * one-line message, and leaves the result untouched.
 */
#include <errno.h>

#include "fuzz.h"
#include "oci.h"

int fuzz_oci_config(const uint8_t *data, size_t size);

static void check_against_json_c(const uint8_t *data, size_t size, const struct oci_config *c) {
        struct json_object *config, *root, *path;
        char *text = fuzz_strndup(data, size);

        config = json_tokener_parse(text);
        FUZZ_CHECK(json_object_object_get_ex(config, "root", &root));
        FUZZ_CHECK(json_object_object_get_ex(root, "path", &path));
        FUZZ_CHECK(streq(json_object_get_string(path), c->root_path));
        FUZZ_CHECK(json_object_get_string_len(path) == (int) strlen(c->root_path));

        json_object_put(config);
        free(text);
}

int fuzz_oci_config(const uint8_t *data, size_t size) {
        struct oci_config c = {};
        struct json_error error = {};
        int r;

        r = oci_config_parse((const char *) data, size, &error, &c);
        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL || r == -ENOMEM);
                fuzz_check_message(error.message, sizeof(error.message));
                FUZZ_CHECK(!c.root_path);
                return 0;
        }

        FUZZ_CHECK(c.root_path[0] != '\0');
        fuzz_check_utf8(c.root_path);
        check_against_json_c(data, size, &c);

        oci_config_done(&c);
        return 0;
}

FUZZ_DEFINE_ENTRY(fuzz_oci_config)
