/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <json-c/json.h>

#include "cli-util.h"
#include "json-util.h"
#include "oci-config.h"
#include "seccomp-config.h"
#include "view-mounts.h"
#include "views.h"

#define OCI_VERSION "1.0.2"
#define CONTAINER_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* The capabilities Docker grants a container by default. */
static const char *const default_capabilities[] = {
        "CAP_CHOWN",
        "CAP_DAC_OVERRIDE",
        "CAP_FSETID",
        "CAP_FOWNER",
        "CAP_MKNOD",
        "CAP_NET_RAW",
        "CAP_SETGID",
        "CAP_SETUID",
        "CAP_SETFCAP",
        "CAP_SETPCAP",
        "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT",
        "CAP_KILL",
        "CAP_AUDIT_WRITE",
        NULL,
};

static const struct mount_spec {
        const char *destination;
        const char *type;
        const char *source;
        const char *const *options;
} default_mounts[] = {
        { "/proc", "proc", "proc", NULL },
        { "/dev", "tmpfs", "tmpfs", STRV("nosuid", "strictatime", "mode=755", "size=65536k") },
        { "/dev/pts", "devpts", "devpts",
          STRV("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5") },
        { "/dev/shm", "tmpfs", "shm", STRV("nosuid", "noexec", "nodev", "mode=1777", "size=65536k") },
        { "/dev/mqueue", "mqueue", "mqueue", STRV("nosuid", "noexec", "nodev") },
        { "/sys", "sysfs", "sysfs", STRV("nosuid", "noexec", "nodev", "ro") },
        { "/sys/fs/cgroup", "cgroup", "cgroup", STRV("nosuid", "noexec", "nodev", "relatime", "ro") },
};

/* The defaults of "runc spec" (runc 1.1). */
static const char *const masked_paths[] = {
        "/proc/acpi",
        "/proc/asound",
        "/proc/kcore",
        "/proc/keys",
        "/proc/latency_stats",
        "/proc/timer_list",
        "/proc/timer_stats",
        "/proc/sched_debug",
        "/sys/firmware",
        "/proc/scsi",
        NULL,
};

static const char *const readonly_paths[] = {
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static const char *const namespaces[] = { "pid", "ipc", "uts", "mount", "network", NULL };

static struct json_object *build_capabilities(void) {
        _cleanup_json_ struct json_object *capabilities = json_object_new_object();

        if (!capabilities || json_add(capabilities, "bounding", json_string_array(default_capabilities)) < 0 ||
            json_add(capabilities, "effective", json_string_array(default_capabilities)) < 0 ||
            json_add(capabilities, "permitted", json_string_array(default_capabilities)) < 0)
                return NULL;
        return TAKE_PTR(capabilities);
}

static struct json_object *build_user(void) {
        _cleanup_json_ struct json_object *user = json_object_new_object();

        if (!user || json_add(user, "uid", json_object_new_int(0)) < 0 ||
            json_add(user, "gid", json_object_new_int(0)) < 0)
                return NULL;
        return TAKE_PTR(user);
}

/* runc's default: at most 1024 open files. */
static struct json_object *build_rlimits(void) {
        _cleanup_json_ struct json_object *rlimits = json_object_new_array(), *nofile = json_object_new_object();

        if (!rlimits || !nofile || json_add(nofile, "type", json_object_new_string("RLIMIT_NOFILE")) < 0 ||
            json_add(nofile, "hard", json_object_new_int(1024)) < 0 ||
            json_add(nofile, "soft", json_object_new_int(1024)) < 0 || json_append(rlimits, TAKE_PTR(nofile)) < 0)
                return NULL;
        return TAKE_PTR(rlimits);
}

static struct json_object *build_env(void) {
        _cleanup_free_ char *term = format_string("TERM=%s", getenv("TERM") ?: "xterm");

        if (!term)
                return NULL;
        return json_string_array(STRV(CONTAINER_PATH, term));
}

static struct json_object *build_process(const struct run_options *o) {
        _cleanup_json_ struct json_object *process = json_object_new_object();
        bool terminal = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);

        if (!process || json_add(process, "terminal", json_object_new_boolean(terminal)) < 0 ||
            json_add(process, "user", build_user()) < 0 ||
            json_add(process, "args",
                     json_string_array(o->command ? (const char *const *) o->command : STRV("/bin/sh"))) < 0 ||
            json_add(process, "env", build_env()) < 0 || json_add(process, "cwd", json_object_new_string("/")) < 0 ||
            json_add(process, "capabilities", build_capabilities()) < 0 ||
            json_add(process, "rlimits", build_rlimits()) < 0 ||
            json_add(process, "noNewPrivileges", json_object_new_boolean(true)) < 0)
                return NULL;
        return TAKE_PTR(process);
}

static int add_mount(struct json_object *mounts, const struct mount_spec *spec) {
        _cleanup_json_ struct json_object *mount = json_object_new_object();

        if (!mount || json_add(mount, "destination", json_object_new_string(spec->destination)) < 0 ||
            json_add(mount, "type", json_object_new_string(spec->type)) < 0 ||
            json_add(mount, "source", json_object_new_string(spec->source)) < 0)
                return -ENOMEM;
        if (spec->options && json_add(mount, "options", json_string_array(spec->options)) < 0)
                return -ENOMEM;
        return json_append(mounts, TAKE_PTR(mount));
}

/* Bind the daemon's files over the container's. They follow /proc and /sys in the array, so they are mounted on top. */
static int add_view_mounts(struct json_object *mounts, const char *views_dir) {
        bool selected[N_VIEW_PATHS];

        for (size_t i = 0; i < n_view_paths; i++)
                selected[i] = view_present(views_dir, view_paths[i]);
        return view_mounts_append(mounts, views_dir, selected);
}

static int add_volume_mounts(struct json_object *mounts, const struct run_options *o) {
        for (size_t i = 0; i < o->n_volumes; i++) {
                const struct volume *v = &o->volumes[i];
                int r;

                r = add_mount(mounts, &(struct mount_spec){
                                              v->destination,
                                              "bind",
                                              v->source,
                                              v->read_only ? STRV("rbind", "ro") : STRV("rbind"),
                                      });
                if (r < 0)
                        return r;
        }
        return 0;
}

static struct json_object *build_mounts(const struct run_options *o) {
        _cleanup_json_ struct json_object *mounts = json_object_new_array();

        if (!mounts)
                return NULL;

        for (size_t i = 0; i < ELEMENTSOF(default_mounts); i++)
                if (add_mount(mounts, &default_mounts[i]) < 0)
                        return NULL;

        /* With --hook the hook binds the views, as it does for containers that other tools start. */
        if (o->views_dir && !o->views_by_hook && add_view_mounts(mounts, o->views_dir) < 0)
                return NULL;
        if (add_volume_mounts(mounts, o) < 0)
                return NULL;

        return TAKE_PTR(mounts);
}

static struct json_object *build_namespaces(void) {
        _cleanup_json_ struct json_object *array = json_object_new_array();

        if (!array)
                return NULL;

        for (const char *const *type = namespaces; *type; type++) {
                _cleanup_json_ struct json_object *ns = json_object_new_object();

                if (!ns || json_add(ns, "type", json_object_new_string(*type)) < 0 ||
                    json_append(array, TAKE_PTR(ns)) < 0)
                        return NULL;
        }
        return TAKE_PTR(array);
}

/* Deny all devices; the runtime then allows its default set (null, zero, tty and so on). */
static struct json_object *build_device_rules(void) {
        _cleanup_json_ struct json_object *rules = json_object_new_array(), *deny = json_object_new_object();

        if (!rules || !deny || json_add(deny, "allow", json_object_new_boolean(false)) < 0 ||
            json_add(deny, "access", json_object_new_string("rwm")) < 0 || json_append(rules, TAKE_PTR(deny)) < 0)
                return NULL;
        return TAKE_PTR(rules);
}

static struct json_object *build_cpu(const struct run_options *o) {
        _cleanup_json_ struct json_object *cpu = json_object_new_object();

        if (!cpu)
                return NULL;

        if (o->cpu_quota > 0 && (json_add(cpu, "quota", json_object_new_int64((int64_t) o->cpu_quota)) < 0 ||
                                 json_add(cpu, "period", json_object_new_uint64(CPU_PERIOD_USEC)) < 0))
                return NULL;
        if (o->cpuset_cpus && json_add(cpu, "cpus", json_object_new_string(o->cpuset_cpus)) < 0)
                return NULL;
        return TAKE_PTR(cpu);
}

static struct json_object *build_resources(const struct run_options *o) {
        _cleanup_json_ struct json_object *resources = json_object_new_object(), *memory = NULL;

        if (!resources || json_add(resources, "devices", build_device_rules()) < 0)
                return NULL;

        if (o->memory_limit > 0) {
                memory = json_object_new_object();
                if (!memory || json_add(memory, "limit", json_object_new_int64((int64_t) o->memory_limit)) < 0 ||
                    json_add(resources, "memory", TAKE_PTR(memory)) < 0)
                        return NULL;
        }

        if ((o->cpu_quota > 0 || o->cpuset_cpus) && json_add(resources, "cpu", build_cpu(o)) < 0)
                return NULL;
        return TAKE_PTR(resources);
}

static struct json_object *build_linux(const struct run_options *o) {
        _cleanup_json_ struct json_object *linux_section = json_object_new_object();
        _cleanup_free_ char *cgroups_path = format_string("/procview/%s", o->name);

        if (!linux_section || !cgroups_path || json_add(linux_section, "namespaces", build_namespaces()) < 0 ||
            json_add(linux_section, "resources", build_resources(o)) < 0 ||
            json_add(linux_section, "cgroupsPath", json_object_new_string(cgroups_path)) < 0 ||
            json_add(linux_section, "maskedPaths", json_string_array(masked_paths)) < 0 ||
            json_add(linux_section, "readonlyPaths", json_string_array(readonly_paths)) < 0)
                return NULL;

        /* The section has no profile yet, so this adds one that only sends sysinfo to procviewd. */
        if (o->seccomp_socket && seccomp_config_add_sysinfo(linux_section, o->seccomp_socket, "config.json") < 0)
                return NULL;
        return TAKE_PTR(linux_section);
}

static struct json_object *build_root(const char *rootfs) {
        _cleanup_json_ struct json_object *root = json_object_new_object();

        if (!root || json_add(root, "path", json_object_new_string(rootfs)) < 0 ||
            json_add(root, "readonly", json_object_new_boolean(false)) < 0)
                return NULL;
        return TAKE_PTR(root);
}

/* The hook records the container for "procview ps" and "procview reattach", and binds the views with --hook. */
static struct json_object *build_hooks(const char *views_dir) {
        _cleanup_json_ struct json_object *hooks = json_object_new_object(), *create = json_object_new_array();

        if (!hooks || !create || json_append(create, view_hook_entry(views_dir)) < 0 ||
            json_add(hooks, "createContainer", TAKE_PTR(create)) < 0)
                return NULL;
        return TAKE_PTR(hooks);
}

static struct json_object *build_config(const char *rootfs, const struct run_options *o) {
        _cleanup_json_ struct json_object *config = json_object_new_object();

        if (!config || json_add(config, "ociVersion", json_object_new_string(OCI_VERSION)) < 0 ||
            json_add(config, "process", build_process(o)) < 0 || json_add(config, "root", build_root(rootfs)) < 0 ||
            json_add(config, "hostname", json_object_new_string(o->name)) < 0 ||
            json_add(config, "mounts", build_mounts(o)) < 0 || json_add(config, "linux", build_linux(o)) < 0)
                return NULL;
        if (o->views_dir && json_add(config, "hooks", build_hooks(o->views_dir)) < 0)
                return NULL;
        return TAKE_PTR(config);
}

int oci_config_write(const char *bundle, const char *rootfs, const struct run_options *o) {
        _cleanup_json_ struct json_object *config = NULL;
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -1;

        config = build_config(rootfs, o);
        if (!config)
                return log_oom();

        path = format_string("%s/config.json", bundle);
        if (!path)
                return log_oom();

        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
                return log_error_errno(errno, "Failed to create '%s': %m", path);

        if (json_object_to_fd(fd, config, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE) < 0)
                return log_error_errno(-EIO, "Failed to write '%s': %s", path,
                                       json_util_get_last_err() ?: "unknown error");
        return 0;
}
