/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "oci.h"

void oci_state_done(struct oci_state *s) {
        free(s->id);
        free(s->bundle);
        *s = (struct oci_state){};
}

static int parse_pid(struct json_object *state, struct json_error *error, pid_t *ret) {
        struct json_object *value;
        char expected[64];
        int64_t pid;

        if (!json_object_object_get_ex(state, "pid", &value) || !value) {
                *ret = 0;
                return 0;
        }

        /* json-c caps integers above INT64_MAX at INT64_MAX here, so they are out of range too. */
        pid = json_object_is_type(value, json_type_int) ? json_object_get_int64(value) : -1;
        if (pid < 0 || pid > OCI_PID_MAX) {
                snprintf(expected, sizeof(expected), "expected an integer from 0 to %d", OCI_PID_MAX);
                return json_error_invalid(error, "pid", value, expected);
        }

        *ret = (pid_t) pid;
        return 0;
}

int oci_state_parse(const char *data, size_t size, struct json_error *error, struct oci_state *ret) {
        _cleanup_json_ struct json_object *state = NULL;
        _cleanup_(oci_state_done) struct oci_state s = {};
        struct json_object *bundle;
        int r;

        r = json_parse_object(data, size, error, &state);
        if (r < 0)
                return r;

        r = json_copy_string(state, "id", "id", error, &s.id);
        if (r < 0)
                return r;

        r = json_copy_string(state, "bundle", "bundle", error, &s.bundle);
        if (r < 0)
                return r;
        if (s.bundle[0] != '/') {
                (void) json_object_object_get_ex(state, "bundle", &bundle);
                return json_error_invalid(error, "bundle", bundle, "expected an absolute path");
        }

        r = parse_pid(state, error, &s.pid);
        if (r < 0)
                return r;

        *ret = s;
        s = (struct oci_state){};
        return 0;
}

void oci_config_done(struct oci_config *c) {
        free(c->root_path);
        *c = (struct oci_config){};
}

int oci_config_parse(const char *data, size_t size, struct json_error *error, struct oci_config *ret) {
        _cleanup_json_ struct json_object *config = NULL;
        _cleanup_(oci_config_done) struct oci_config c = {};
        struct json_object *root;
        int r;

        r = json_parse_object(data, size, error, &config);
        if (r < 0)
                return r;

        if (!json_object_object_get_ex(config, "root", &root)) {
                json_error_set(error, "missing \"root\"");
                return -EINVAL;
        }
        if (!json_object_is_type(root, json_type_object))
                return json_error_invalid(error, "root", root, "expected an object");

        r = json_copy_string(root, "path", "root.path", error, &c.root_path);
        if (r < 0)
                return r;

        *ret = c;
        c = (struct oci_config){};
        return 0;
}
