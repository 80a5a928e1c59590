/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Parsing the OCI documents a runtime hands to "procview hook": the
 * container state on the hook's stdin and the bundle's config.json (runtime
 * spec 1.0.2). Both come from outside procview, so the parsers take a
 * buffer, check every value they keep, and never read files or log. A
 * rejected document gives -EINVAL and a json_error that names the value.
 */
#pragma once

#include <sys/types.h>

#include "json-util.h"

/* PID_MAX_LIMIT of 64-bit Linux (include/linux/threads.h): no pid is larger. */
#define OCI_PID_MAX 4194304

/* The members of the container state that the hook uses. */
struct oci_state {
        char *id; /* the runtime's container id */
        char *bundle; /* absolute path of the bundle directory */
        pid_t pid; /* the container's init as the runtime numbers it; 0 when the state has no pid or null */
};

void oci_state_done(struct oci_state *s);

/*
 * Parse a container state. "id" and "bundle" must be non-empty UTF-8
 * strings and "bundle" an absolute path. "pid" is optional (crun reports
 * 0, and runtimes may leave it out before the container runs) and must be
 * an integer from 0 to OCI_PID_MAX. Other members are not checked.
 */
int oci_state_parse(const char *data, size_t size, struct json_error *error, struct oci_state *ret);

/* The members of config.json that the hook uses. */
struct oci_config {
        char *root_path; /* root.path: absolute, or relative to the bundle directory */
};

void oci_config_done(struct oci_config *c);

/* Parse a config.json, where "root" must be an object and "root.path" a non-empty UTF-8 string. */
int oci_config_parse(const char *data, size_t size, struct json_error *error, struct oci_config *ret);
