/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "cli-util.h"
#include "cpuset.h"
#include "fileio.h"
#include "log.h"
#include "parse.h"
#include "run-options.h"
#include "seccomp-config.h"
#include "view-paths.h"

#define DEFAULT_RUNTIME_ROOT_PREFIX "/run/procview/"

/* Container names become the runtime's id, the hostname and a cgroup name. */
#define NAME_MAX_LENGTH 63

/* The kernel rejects a CFS quota below 1 ms. */
#define CPU_QUOTA_MIN_USEC UINT64_C(1000)

static void print_help(void) {
        printf("Usage: procview run [OPTIONS] ROOTFS|busybox [-- COMMAND [ARG...]]\n"
               "\n"
               "Run COMMAND (default /bin/sh) in a new container in the foreground, with\n"
               "the procview files bind-mounted over /proc and /sys/devices/system/cpu.\n"
               "ROOTFS is a directory holding the container's root filesystem. The word\n"
               "'busybox' builds a minimal one from the host's /bin/busybox; write\n"
               "'./busybox' for a directory of that name.\n"
               "\n"
               "Options:\n"
               "  -h --help                  Show this help and exit\n"
               "     --name NAME             Container name and hostname\n"
               "                             (default: procview-<random hex>)\n"
               "  -m --memory SIZE           Memory limit in bytes, or with a k, m, g or t suffix;\n"
               "                             at least 6m\n"
               "                             (binary units, so 50m is 50 MiB)\n"
               "     --cpus N                CPU time limit in CPUs, such as 0.5 or 2\n"
               "     --cpuset-cpus LIST      CPUs the container may use, such as 0-2,5\n"
               "     --runtime NAME          OCI runtime: runc (default) or crun\n"
               "     --runtime-root DIR      Runtime state directory\n"
               "                             (default: " DEFAULT_RUNTIME_ROOT_PREFIX "RUNTIME)\n"
               "     --views DIR             Where procviewd serves the files\n"
               "                             (default: " DEFAULT_VIEWS_DIR ")\n"
               "     --no-views              Do not bind-mount the procview files; sysinfo()\n"
               "                             then shows the host's values too\n"
               "     --hook                  Bind the files from the OCI hook ('procview hook')\n"
               "                             instead of config.json mounts\n"
               "  -v --volume SRC:DST[:ro]   Bind-mount host path SRC at DST, read-only with :ro\n"
               "     --seccomp-socket PATH   procviewd's seccomp socket, which answers sysinfo()\n"
               "                             (default: " DEFAULT_SECCOMP_SOCKET ")\n"
               "     --no-sysinfo            Let sysinfo() show the host's memory and uptime\n"
               "\n"
               "The exit status is COMMAND's, or 128+N when a signal N ended it. procview\n"
               "exits with 2 for an invalid command line and 1 when it fails otherwise.\n"
               "Press Ctrl-C three times to kill a container that ignores SIGINT.\n");
}

/* The smallest memory limit accepted, as in docker run. */
#define MEMORY_LIMIT_MIN (UINT64_C(6) * 1024 * 1024)

static int parse_memory(const char *arg, uint64_t *ret) {
        uint64_t bytes;
        int r;

        r = parse_size(arg, &bytes);
        if (r == -ERANGE)
                return log_error_errno(r, "Invalid memory size '%s': the maximum is 8 EiB - 1 byte.", arg);
        if (r < 0)
                return log_error_errno(
                        r,
                        "Invalid memory size '%s': expected bytes or a number with a k, m, g or t suffix, such as 50m.",
                        arg);
        if (bytes == 0)
                return log_error_errno(-EINVAL, "Invalid memory size '%s': the limit must be greater than 0.", arg);
        /* The runtime's own start-up is charged to the container's cgroup (about 2.5 MiB with runc). */
        if (bytes < MEMORY_LIMIT_MIN)
                return log_error_errno(-EINVAL,
                                       "Invalid memory size '%s': the minimum is 6m, because the runtime "
                                       "needs memory in the container's cgroup to start it.",
                                       arg);
        /* The OCI config stores the limit as a signed 64-bit number. */
        if (bytes > INT64_MAX)
                return log_error_errno(-ERANGE, "Invalid memory size '%s': the maximum is 8 EiB - 1 byte.", arg);

        *ret = bytes;
        return 0;
}

static int read_online_cpus(struct cpuset *ret) {
        _cleanup_free_ char *text = NULL;
        int r;

        r = read_one_line_at(AT_FDCWD, "/sys/devices/system/cpu/online", &text);
        if (r < 0)
                return log_error_errno(r, "Failed to read '/sys/devices/system/cpu/online': %m");

        r = cpuset_parse(text, ret);
        if (r < 0)
                return log_error_errno(r, "Failed to parse '/sys/devices/system/cpu/online' ('%s'): %m", text);
        return 0;
}

static int parse_cpus(const char *arg, uint64_t *ret_quota) {
        struct cpuset online;
        uint64_t millicpus, quota;
        unsigned n_online;
        int r;

        r = parse_millicpus(arg, &millicpus);
        if (r < 0)
                return log_error_errno(r, "Invalid CPU count '%s': expected a decimal number such as 0.5 or 2.", arg);

        r = read_online_cpus(&online);
        if (r < 0)
                return r;
        n_online = cpuset_count(&online);

        if (millicpus > (uint64_t) n_online * 1000)
                return log_error_errno(-EINVAL, "Invalid CPU count '%s': this host has only %u online CPUs.", arg,
                                       n_online);

        quota = millicpus * CPU_PERIOD_USEC / 1000;
        if (quota < CPU_QUOTA_MIN_USEC)
                return log_error_errno(-EINVAL, "Invalid CPU count '%s': the minimum is 0.01.", arg);

        *ret_quota = quota;
        return 0;
}

static int parse_cpuset_cpus(const char *arg, char **ret) {
        _cleanup_strbuf_ struct strbuf text = STRBUF_INIT, online_text = STRBUF_INIT;
        struct cpuset requested, online, outside;
        int r;

        r = cpuset_parse(arg, &requested);
        if (r < 0 || cpuset_is_empty(&requested))
                return log_error_errno(r < 0 ? r : -EINVAL,
                                       "Invalid CPU list '%s': expected CPU numbers and ranges such as 0-2,5.", arg);

        r = read_online_cpus(&online);
        if (r < 0)
                return r;

        outside = requested;
        cpuset_intersect(&outside, &online);
        if (!cpuset_equal(&outside, &requested)) {
                cpuset_format(&online, &online_text);
                return log_error_errno(
                        -EINVAL, "Invalid CPU list '%s': it names CPUs that are not online on this host (online: %s).",
                        arg, online_text.data ?: "none");
        }

        cpuset_format(&requested, &text);
        r = strbuf_error(&text);
        if (r < 0)
                return log_error_errno(r, "Failed to format CPU list: %m");

        *ret = strbuf_steal(&text, NULL);
        return 0;
}

static bool path_has_dot_dot(const char *path) {
        for (const char *p = path; *p != '\0'; p += strcspn(p, "/")) {
                p += strspn(p, "/");
                if (startswith(p, "..") && (p[2] == '/' || p[2] == '\0'))
                        return true;
        }
        return false;
}

static int parse_volume(const char *arg, struct volume *ret) {
        _cleanup_free_ char *spec = NULL, *source = NULL, *destination = NULL;
        char *colon, *mode;
        bool read_only = false;

        spec = strdup(arg);
        if (!spec)
                return log_oom();

        colon = strchr(spec, ':');
        if (!colon || colon == spec || colon[1] == '\0')
                return log_error_errno(-EINVAL, "Invalid volume '%s': expected SRC:DST or SRC:DST:ro.", arg);
        *colon = '\0';

        mode = strchr(colon + 1, ':');
        if (mode) {
                *mode++ = '\0';
                if (streq(mode, "ro"))
                        read_only = true;
                else if (!streq(mode, "rw"))
                        return log_error_errno(-EINVAL, "Invalid volume mode '%s' in '%s': expected 'ro' or 'rw'.",
                                               mode, arg);
        }

        if (colon[1] != '/' || path_has_dot_dot(colon + 1))
                return log_error_errno(
                        -EINVAL, "Invalid volume destination '%s': expected an absolute path without '..'.", colon + 1);

        source = realpath(spec, NULL);
        if (!source)
                return log_error_errno(errno, "Invalid volume source '%s': %m", spec);

        destination = strdup(colon + 1);
        if (!destination)
                return log_oom();

        *ret = (struct volume){
                .source = TAKE_PTR(source),
                .destination = TAKE_PTR(destination),
                .read_only = read_only,
        };
        return 0;
}

static int add_volume(struct run_options *o, const char *arg) {
        struct volume *bigger;

        bigger = reallocarray(o->volumes, o->n_volumes + 1, sizeof(struct volume));
        if (!bigger)
                return log_oom();
        o->volumes = bigger;

        /* n_volumes grows only after the entry is filled, so run_options_done() never frees a half-filled one. */
        if (parse_volume(arg, &o->volumes[o->n_volumes]) < 0)
                return -EINVAL;
        o->n_volumes++;
        return 0;
}

static int check_name(const char *name) {
        size_t length = strlen(name);

        if (length == 0 || length > NAME_MAX_LENGTH || !isalnum((unsigned char) name[0]))
                goto invalid;

        for (const char *p = name; *p != '\0'; p++)
                if (!isalnum((unsigned char) *p) && !strchr("_.-", *p))
                        goto invalid;
        return 0;

invalid:
        return log_error_errno(-EINVAL,
                               "Invalid container name '%s': expected up to %d letters, digits, '_', '.' or '-', "
                               "starting with a letter or digit.",
                               name, NAME_MAX_LENGTH);
}

static int generate_name(char **ret) {
        uint8_t bytes[6];
        char *name;
        ssize_t n;

        n = getrandom(bytes, sizeof(bytes), 0);
        if (n < 0)
                return log_error_errno(errno, "Failed to generate a container name: %m");
        if ((size_t) n != sizeof(bytes))
                return log_error_errno(-EIO, "Failed to generate a container name: short read from getrandom().");

        name = format_string("procview-%02x%02x%02x%02x%02x%02x", bytes[0], bytes[1], bytes[2], bytes[3], bytes[4],
                             bytes[5]);
        if (!name)
                return log_oom();

        *ret = name;
        return 0;
}

static int resolve_rootfs(const char *arg, char **ret) {
        _cleanup_free_ char *path = NULL;
        struct stat st;

        if (streq(arg, "busybox")) {
                *ret = NULL;
                return 0;
        }

        path = realpath(arg, NULL);
        if (!path)
                return log_error_errno(errno, "Invalid root filesystem '%s': %m", arg);
        if (stat(path, &st) < 0)
                return log_error_errno(errno, "Failed to stat root filesystem '%s': %m", path);
        if (!S_ISDIR(st.st_mode))
                return log_error_errno(-ENOTDIR, "Invalid root filesystem '%s': %m. Pass a directory, or 'busybox'.",
                                       arg);

        *ret = TAKE_PTR(path);
        return 0;
}

static int parse_runtime(const char *arg, const char **ret) {
        if (!streq(arg, "runc") && !streq(arg, "crun"))
                return log_error_errno(-EINVAL, "Unknown runtime '%s': expected 'runc' or 'crun'.", arg);

        *ret = streq(arg, "runc") ? "runc" : "crun";
        return 0;
}

static int dup_string(const char *s, char **ret) {
        char *copy = strdup(s);

        if (!copy)
                return log_oom();
        free(*ret);
        *ret = copy;
        return 0;
}

enum {
        ARG_NAME = 0x100,
        ARG_CPUS,
        ARG_CPUSET_CPUS,
        ARG_RUNTIME,
        ARG_RUNTIME_ROOT,
        ARG_VIEWS,
        ARG_NO_VIEWS,
        ARG_HOOK,
        ARG_SECCOMP_SOCKET,
        ARG_NO_SYSINFO,
};

static const struct option run_long_options[] = { { "help", no_argument, NULL, 'h' },
                                                  { "name", required_argument, NULL, ARG_NAME },
                                                  { "memory", required_argument, NULL, 'm' },
                                                  { "cpus", required_argument, NULL, ARG_CPUS },
                                                  { "cpuset-cpus", required_argument, NULL, ARG_CPUSET_CPUS },
                                                  { "runtime", required_argument, NULL, ARG_RUNTIME },
                                                  { "runtime-root", required_argument, NULL, ARG_RUNTIME_ROOT },
                                                  { "views", required_argument, NULL, ARG_VIEWS },
                                                  { "no-views", no_argument, NULL, ARG_NO_VIEWS },
                                                  { "hook", no_argument, NULL, ARG_HOOK },
                                                  { "volume", required_argument, NULL, 'v' },
                                                  { "seccomp-socket", required_argument, NULL, ARG_SECCOMP_SOCKET },
                                                  { "no-sysinfo", no_argument, NULL, ARG_NO_SYSINFO },
                                                  {} };

/* Handles one option; returns 0, 1 after --help, or a negative errno after logging. */
static int parse_one_option(int c, char *argv[], struct run_options *o) {
        switch (c) {
        case 'h':
                print_help();
                return 1;
        case ARG_NAME:
                return check_name(optarg) < 0 ? -EINVAL : dup_string(optarg, &o->name);
        case 'm':
                return parse_memory(optarg, &o->memory_limit);
        case ARG_CPUS:
                return parse_cpus(optarg, &o->cpu_quota);
        case ARG_CPUSET_CPUS:
                free(o->cpuset_cpus);
                o->cpuset_cpus = NULL;
                return parse_cpuset_cpus(optarg, &o->cpuset_cpus);
        case ARG_RUNTIME:
                return parse_runtime(optarg, &o->runtime);
        case ARG_RUNTIME_ROOT:
                return dup_string(optarg, &o->runtime_root);
        case ARG_VIEWS:
                return dup_string(optarg, &o->views_dir);
        case ARG_NO_VIEWS:
                free(o->views_dir);
                o->views_dir = NULL;
                return 0;
        case ARG_HOOK:
                o->views_by_hook = true;
                return 0;
        case 'v':
                return add_volume(o, optarg);
        case ARG_SECCOMP_SOCKET:
                if (optarg[0] != '/')
                        return log_error_errno(-EINVAL, "Invalid seccomp socket '%s': expected an absolute path.",
                                               optarg);
                return dup_string(optarg, &o->seccomp_socket);
        case ARG_NO_SYSINFO:
                o->no_sysinfo = true;
                return 0;
        default:
                log_option_error(c, argv, "procview run");
                return -EINVAL;
        }
}

static int parse_positional(int argc, char *argv[], struct run_options *o) {
        int r;

        if (optind >= argc) {
                log_error("Missing ROOTFS: pass a root filesystem directory or 'busybox'. See 'procview run --help'.");
                return -EINVAL;
        }

        r = resolve_rootfs(argv[optind], &o->rootfs);
        if (r < 0)
                return r;
        optind++;

        if (optind >= argc)
                return 0;

        if (!streq(argv[optind], "--")) {
                log_error(
                        "Unexpected argument '%s' after ROOTFS. Put options before ROOTFS and the command after '--'.",
                        argv[optind]);
                return -EINVAL;
        }
        optind++;

        if (optind < argc)
                o->command = argv + optind;
        return 0;
}

/* Bind mount sources must be absolute. A path that does not resolve stays as given for the error message. */
static void make_views_dir_absolute(struct run_options *o) {
        char *absolute;

        if (!o->views_dir || o->views_dir[0] == '/')
                return;

        absolute = realpath(o->views_dir, NULL);
        if (!absolute)
                return;

        free(o->views_dir);
        o->views_dir = absolute;
}

static int fill_defaults(struct run_options *o) {
        if (!o->name && generate_name(&o->name) < 0)
                return -ENOMEM;

        make_views_dir_absolute(o);

        /* sysinfo() figures that /proc does not match make tools such as busybox free print nonsense. */
        if (o->no_sysinfo || !o->views_dir) {
                free(o->seccomp_socket);
                o->seccomp_socket = NULL;
        } else if (!o->seccomp_socket) {
                o->seccomp_socket = strdup(DEFAULT_SECCOMP_SOCKET);
                if (!o->seccomp_socket)
                        return log_oom();
        }

        if (!o->runtime_root) {
                o->runtime_root = format_string(DEFAULT_RUNTIME_ROOT_PREFIX "%s", o->runtime);
                if (!o->runtime_root)
                        return log_oom();
        }
        return 0;
}

int run_options_parse(int argc, char *argv[], struct run_options *ret) {
        struct run_options o = {
                .runtime = "runc",
                .views_dir = strdup(DEFAULT_VIEWS_DIR),
        };
        int c, r;

        if (!o.views_dir)
                return log_oom();

        /* Reset getopt, because main() already ran it over the global options. */
        optind = 0;
        opterr = 0;

        /* "+" stops at ROOTFS, so that the container command's own options are left alone. */
        while ((c = getopt_long(argc, argv, "+:hm:v:", run_long_options, NULL)) >= 0) {
                r = parse_one_option(c, argv, &o);
                if (r != 0) {
                        run_options_done(&o);
                        return r > 0 ? 0 : -EINVAL;
                }
        }

        r = parse_positional(argc, argv, &o);
        if (r >= 0)
                r = fill_defaults(&o);
        if (r < 0) {
                run_options_done(&o);
                return -EINVAL;
        }

        *ret = o;
        return 1;
}

void run_options_done(struct run_options *o) {
        for (size_t i = 0; i < o->n_volumes; i++) {
                free(o->volumes[i].source);
                free(o->volumes[i].destination);
        }
        free(o->volumes);
        free(o->name);
        free(o->cpuset_cpus);
        free(o->runtime_root);
        free(o->views_dir);
        free(o->seccomp_socket);
        free(o->rootfs);
        *o = (struct run_options){};
}
