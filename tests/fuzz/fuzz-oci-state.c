/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container state that "procview hook" reads on stdin. An accepted state
 * contains the same id, bundle and pid as json-c's own parse of the input, within
 * the documented limits. A rejected one gives -EINVAL or -ENOMEM with a
 * printable one-line message, and leaves the result untouched.
 */
#include <errno.h>

#include "fuzz.h"
#include "oci.h"

int fuzz_oci_state(const uint8_t *data, size_t size);

/* Compare s with the members of the input as json_tokener_parse() reads them. */
static void check_against_json_c(const uint8_t *data, size_t size, const struct oci_state *s) {
        struct json_object *state, *id, *bundle, *pid;
        char *text = fuzz_strndup(data, size);

        state = json_tokener_parse(text);
        FUZZ_CHECK(json_object_is_type(state, json_type_object));
        FUZZ_CHECK(json_object_object_get_ex(state, "id", &id));
        FUZZ_CHECK(json_object_object_get_ex(state, "bundle", &bundle));
        FUZZ_CHECK(streq(json_object_get_string(id), s->id));
        FUZZ_CHECK(streq(json_object_get_string(bundle), s->bundle));
        FUZZ_CHECK(json_object_get_string_len(id) == (int) strlen(s->id));
        if (json_object_object_get_ex(state, "pid", &pid) && pid)
                FUZZ_CHECK(json_object_get_int64(pid) == s->pid);
        else
                FUZZ_CHECK(s->pid == 0);

        json_object_put(state);
        free(text);
}

int fuzz_oci_state(const uint8_t *data, size_t size) {
        struct oci_state s = { .pid = -1 };
        struct json_error error = {};
        int r;

        r = oci_state_parse((const char *) data, size, &error, &s);
        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL || r == -ENOMEM);
                fuzz_check_message(error.message, sizeof(error.message));
                FUZZ_CHECK(!s.id && !s.bundle && s.pid == -1);
                return 0;
        }

        FUZZ_CHECK(s.id[0] != '\0');
        FUZZ_CHECK(s.bundle[0] == '/');
        FUZZ_CHECK(s.pid >= 0 && s.pid <= OCI_PID_MAX);
        fuzz_check_utf8(s.id);
        fuzz_check_utf8(s.bundle);
        check_against_json_c(data, size, &s);

        oci_state_done(&s);
        return 0;
}

FUZZ_DEFINE_ENTRY(fuzz_oci_state)
