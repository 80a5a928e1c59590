/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sys/socket.h>
#include <sys/un.h>

#include "cli-util.h"
#include "json-util.h"
#include "seccomp-config.h"

#define SYSINFO "sysinfo"

/*
 * The architectures of a new profile. Without them runc 1.1.5 and crun 1.8.1
 * let the filter match only the native one, so a 32-bit system call, such as
 * int 0x80 on x86-64, kills the process with SIGSYS.
 */
#if defined(__x86_64__)
#define PROFILE_ARCHITECTURES STRV("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32")
#elif defined(__aarch64__)
#define PROFILE_ARCHITECTURES STRV("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM")
#else
/* NOTE: other architectures get no list, so only native system calls pass the filter. */
#define PROFILE_ARCHITECTURES NULL
#endif

bool seccomp_socket_is_listening(const char *path) {
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -1;

        if (strlen(path) >= sizeof(addr.sun_path))
                return false;
        strcpy(addr.sun_path, path);

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return false;

        /* procviewd ignores a connection that closes without sending an fd. */
        return connect(fd, (struct sockaddr *) &addr, sizeof(addr)) >= 0;
}

static const char *get_string(struct json_object *o, const char *key) {
        struct json_object *value;

        if (!json_object_object_get_ex(o, key, &value) || !json_object_is_type(value, json_type_string))
                return NULL;
        return json_object_get_string(value);
}

static bool action_allows(const char *action) {
        return action && (streq(action, "SCMP_ACT_ALLOW") || streq(action, "SCMP_ACT_LOG"));
}

static bool names_contain(struct json_object *names, const char *name) {
        for (size_t i = 0; i < json_object_array_length(names); i++) {
                const char *n = json_object_get_string(json_object_array_get_idx(names, i));

                if (n && streq(n, name))
                        return true;
        }
        return false;
}

static struct json_object *rule_names(struct json_object *rule) {
        struct json_object *names;

        if (!json_object_is_type(rule, json_type_object) || !json_object_object_get_ex(rule, "names", &names) ||
            !json_object_is_type(names, json_type_array))
                return NULL;
        return names;
}

static bool rule_is_ours(struct json_object *rule) {
        struct json_object *names = rule_names(rule);
        const char *action = get_string(rule, "action");

        return names && json_object_array_length(names) == 1 && names_contain(names, SYSINFO) && action &&
               streq(action, "SCMP_ACT_NOTIFY") && !json_object_object_get_ex(rule, "args", NULL);
}

/*
 * Whether the profile lets sysinfo run: through its default action, or
 * through an allowing rule. A rule that returns an error for sysinfo, or a
 * default action that denies it when no rule allows it, is a decision of the
 * profile's author that the agent's "continue" would undo.
 */
static bool profile_allows_sysinfo(struct json_object *seccomp, struct json_object *syscalls) {
        bool allowed = action_allows(get_string(seccomp, "defaultAction"));

        for (size_t i = 0; syscalls && i < json_object_array_length(syscalls); i++) {
                struct json_object *rule = json_object_array_get_idx(syscalls, i);
                struct json_object *names = rule_names(rule);

                if (!names || !names_contain(names, SYSINFO) || rule_is_ours(rule))
                        continue;
                if (!action_allows(get_string(rule, "action")) || json_object_object_get_ex(rule, "args", NULL))
                        return false;
                allowed = true;
        }
        return allowed;
}

/* Remove sysinfo from every rule, and drop the rules that named nothing else. */
static void remove_sysinfo_rules(struct json_object *syscalls) {
        for (size_t i = json_object_array_length(syscalls); i > 0; i--) {
                struct json_object *names = rule_names(json_object_array_get_idx(syscalls, i - 1));

                if (!names)
                        continue;
                for (size_t j = json_object_array_length(names); j > 0; j--) {
                        const char *n = json_object_get_string(json_object_array_get_idx(names, j - 1));

                        if (n && streq(n, SYSINFO))
                                json_object_array_del_idx(names, j - 1, 1);
                }
                if (json_object_array_length(names) == 0)
                        json_object_array_del_idx(syscalls, i - 1, 1);
        }
}

static struct json_object *notify_rule(void) {
        _cleanup_json_ struct json_object *rule = json_object_new_object();

        if (!rule || json_add(rule, "names", json_string_array(STRV(SYSINFO))) < 0 ||
            json_add(rule, "action", json_object_new_string("SCMP_ACT_NOTIFY")) < 0)
                return NULL;
        return TAKE_PTR(rule);
}

static struct json_object *new_profile(void) {
        _cleanup_json_ struct json_object *seccomp = json_object_new_object();

        if (!seccomp || json_add(seccomp, "defaultAction", json_object_new_string("SCMP_ACT_ALLOW")) < 0)
                return NULL;
        if (PROFILE_ARCHITECTURES && json_add(seccomp, "architectures", json_string_array(PROFILE_ARCHITECTURES)) < 0)
                return NULL;
        return TAKE_PTR(seccomp);
}

static struct json_object *get_or_add(struct json_object *o, const char *key, struct json_object *(*create)(void) ) {
        struct json_object *value;

        if (json_object_object_get_ex(o, key, &value))
                return value;
        if (json_add(o, key, create()) < 0)
                return NULL;
        return json_object_object_get_ex(o, key, &value) ? value : NULL;
}

int seccomp_config_add_sysinfo(struct json_object *linux_section, const char *socket_path, const char *config_name) {
        struct json_object *seccomp, *syscalls;
        const char *listener;

        seccomp = get_or_add(linux_section, "seccomp", new_profile);
        if (!seccomp)
                return log_oom();
        if (!json_object_is_type(seccomp, json_type_object))
                return log_error_errno(-EINVAL, "Invalid '%s': \"linux.seccomp\" is not an object.", config_name);

        syscalls = get_or_add(seccomp, "syscalls", json_object_new_array);
        if (!syscalls)
                return log_oom();
        if (!json_object_is_type(syscalls, json_type_array))
                return log_error_errno(-EINVAL, "Invalid '%s': \"linux.seccomp.syscalls\" is not an array.",
                                       config_name);

        /* The kernel gives a filter one listener, so the profile's own agent keeps it. */
        listener = get_string(seccomp, "listenerPath");
        if (listener && !streq(listener, socket_path)) {
                log_warning("'%s' already sends seccomp notifications to '%s'; leaving its profile alone, so "
                            "sysinfo() shows the host's values.",
                            config_name, listener);
                return 0;
        }

        if (!profile_allows_sysinfo(seccomp, syscalls)) {
                log_warning("The seccomp profile of '%s' denies sysinfo(); leaving it alone, so sysinfo() keeps "
                            "failing in the container.",
                            config_name);
                return 0;
        }

        remove_sysinfo_rules(syscalls);
        if (json_append(syscalls, notify_rule()) < 0 ||
            json_add(seccomp, "listenerPath", json_object_new_string(socket_path)) < 0)
                return log_oom();
        return 1;
}
