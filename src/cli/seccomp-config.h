/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The seccomp part of an OCI config that sends sysinfo(2) to procviewd's
 * agent: a rule with action SCMP_ACT_NOTIFY and the daemon's socket as
 * linux.seccomp.listenerPath. runc 1.1 and later, and crun, connect to that
 * socket when the container starts and pass it the notification fd.
 */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

/* Where procviewd listens unless its --seccomp-socket names another path. */
#define DEFAULT_SECCOMP_SOCKET "/run/procview/seccomp.sock"

/*
 * Whether something accepts connections at the unix socket path. The runtime
 * fails to start a container whose listenerPath refuses the connection, so a
 * socket file left by a killed daemon counts as missing.
 */
bool seccomp_socket_is_listening(const char *path);

/*
 * Send sysinfo to the agent at socket_path in the linux section of a config:
 * create a profile that allows everything else when there is none, or
 * extend the existing one. Returns 1 when the profile sends sysinfo to the
 * agent, 0 when it was left alone after a warning (it has another listener,
 * or it denies sysinfo), or a negative errno after logging.
 */
int seccomp_config_add_sysinfo(struct json_object *linux_section, const char *socket_path, const char *config_name);
