/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * procviewd: mounts the per-container views and serves them until SIGTERM
 * or SIGINT, then unmounts and exits 0. The same binary runs the supervisor
 * and, with --worker (an internal option), the worker process.
 */
#include <getopt.h>
#include <stdlib.h>

#include "daemon.h"
#include "log.h"
#include "parse.h"

static void print_help(void) {
        printf("Usage: procviewd [OPTIONS] MOUNTPOINT\n"
               "\n"
               "Serve per-container views of /proc files under MOUNTPOINT: proc/meminfo,\n"
               "proc/cpuinfo, proc/stat, proc/uptime, proc/diskstats, proc/swaps, proc/loadavg\n"
               "and sys/devices/system/cpu, each computed from the cgroups of the reader's\n"
               "container. Bind them over a container's own files; see 'procview run'.\n"
               "\n"
               "A supervisor process keeps the mount and restarts the serving worker process\n"
               "if it dies; SIGHUP re-executes the binary (a live upgrade) without unmounting.\n"
               "\n"
               "Options:\n"
               "  --cpu-view=MODE      how the visible CPUs are chosen: 'quota' (default) limits\n"
               "                       the cpuset to ceil(quota/period) CPUs, 'cpuset' uses the\n"
               "                       cpuset alone\n"
               "  --log-level=LEVEL    error, warning, notice, info (default) or debug\n"
               "  --threads=N          request threads of the worker, 1 to %d (default: one\n"
               "                       per online CPU, 2 to 16)\n"
               "  --seccomp-socket=PATH  where runtimes send seccomp notification fds, so that\n"
               "                       sysinfo() in containers shows their limits (default\n"
               "                       " DEFAULT_SECCOMP_SOCKET "; empty turns it off)\n"
               "  -h, --help           show this help and exit\n"
               "  --version            show the version and exit\n",
               WORKER_MAX_THREADS);
}

enum {
        OPT_VERSION = 256,
        OPT_CPU_VIEW,
        OPT_LOG_LEVEL,
        OPT_THREADS,
        OPT_WORKER,
        OPT_TAKEOVER,
        OPT_FUSE_FD,
        OPT_HANDOVER_FD,
        OPT_READY_FD,
        OPT_SLOT_BASE,
        OPT_WORKER_PID,
        OPT_ANSWER_INIT,
        OPT_NO_ANSWER_INIT,
        OPT_SECCOMP_SOCKET,
        OPT_SECCOMP_FD,
        OPT_SECCOMP_LISTEN_FD,
        OPT_SECCOMP_FDS,
};

static const struct option longopts[] = { { "help", no_argument, NULL, 'h' },
                                          { "version", no_argument, NULL, OPT_VERSION },
                                          { "cpu-view", required_argument, NULL, OPT_CPU_VIEW },
                                          { "log-level", required_argument, NULL, OPT_LOG_LEVEL },
                                          { "threads", required_argument, NULL, OPT_THREADS },
                                          { "seccomp-socket", required_argument, NULL, OPT_SECCOMP_SOCKET },
                                          /* Internal: how the supervisor starts workers and re-executes itself. */
                                          { "worker", no_argument, NULL, OPT_WORKER },
                                          { "takeover", no_argument, NULL, OPT_TAKEOVER },
                                          { "fuse-fd", required_argument, NULL, OPT_FUSE_FD },
                                          { "handover-fd", required_argument, NULL, OPT_HANDOVER_FD },
                                          { "ready-fd", required_argument, NULL, OPT_READY_FD },
                                          { "slot-base", required_argument, NULL, OPT_SLOT_BASE },
                                          { "worker-pid", required_argument, NULL, OPT_WORKER_PID },
                                          { "answer-init", no_argument, NULL, OPT_ANSWER_INIT },
                                          { "no-answer-init", no_argument, NULL, OPT_NO_ANSWER_INIT },
                                          { "seccomp-fd", required_argument, NULL, OPT_SECCOMP_FD },
                                          { "seccomp-listen-fd", required_argument, NULL, OPT_SECCOMP_LISTEN_FD },
                                          { "seccomp-fds", required_argument, NULL, OPT_SECCOMP_FDS },
                                          {} };

static int parse_fd(const char *name, const char *value, int *ret) {
        if (safe_atoi(value, ret) < 0 || *ret < 0)
                return log_error_errno(EINVAL, "Invalid --%s '%s': expected a file descriptor number.", name, value);
        return 0;
}

static int parse_internal_option(int c, struct daemon_options *o) {
        unsigned value;

        switch (c) {
        case OPT_WORKER:
                o->worker = true;
                return 0;
        case OPT_TAKEOVER:
                o->takeover = true;
                return 0;
        case OPT_FUSE_FD:
                return parse_fd("fuse-fd", optarg, &o->fuse_fd);
        case OPT_HANDOVER_FD:
                return parse_fd("handover-fd", optarg, &o->handover_fd);
        case OPT_READY_FD:
                return parse_fd("ready-fd", optarg, &o->ready_fd);
        case OPT_WORKER_PID:
                return parse_fd("worker-pid", optarg, &o->worker_pid);
        case OPT_SECCOMP_FD:
                return parse_fd("seccomp-fd", optarg, &o->seccomp_fd);
        case OPT_SECCOMP_LISTEN_FD:
                return parse_fd("seccomp-listen-fd", optarg, &o->seccomp_listen_fd);
        case OPT_SECCOMP_FDS:
                o->seccomp_fds = optarg;
                return 0;
        case OPT_SLOT_BASE:
                if (safe_atou(optarg, &value) < 0 || value > WORKER_MAX_THREADS)
                        return log_error_errno(EINVAL, "Invalid --slot-base '%s'.", optarg);
                o->slot_base = value;
                return 0;
        case OPT_ANSWER_INIT:
        case OPT_NO_ANSWER_INIT:
                o->answer_init = c == OPT_ANSWER_INIT;
                return 0;
        default:
                return log_error_errno(EINVAL, "Run 'procviewd --help' for the options.");
        }
}

static int parse_option(int c, struct daemon_options *o) {
        switch (c) {
        case 'h':
                print_help();
                exit(EXIT_SUCCESS);
        case OPT_VERSION:
                printf("procviewd %s\n", PROCVIEW_VERSION);
                exit(EXIT_SUCCESS);
        case OPT_CPU_VIEW:
                if (cpu_view_mode_from_string(optarg, &o->cpu_view) < 0)
                        return log_error_errno(EINVAL, "Invalid --cpu-view '%s': use 'quota' or 'cpuset'.", optarg);
                return 0;
        case OPT_LOG_LEVEL:
                o->log_level = log_level_from_string(optarg);
                if (o->log_level < 0)
                        return log_error_errno(
                                EINVAL, "Invalid --log-level '%s': use error, warning, notice, info or debug.", optarg);
                log_set_max_level(o->log_level);
                return 0;
        case OPT_SECCOMP_SOCKET:
                if (optarg[0] != '\0' && optarg[0] != '/')
                        return log_error_errno(
                                EINVAL,
                                "Invalid --seccomp-socket '%s': give an absolute path, or '' to turn the agent off.",
                                optarg);
                o->seccomp_socket = optarg;
                return 0;
        case OPT_THREADS:
                if (safe_atou(optarg, &o->threads) < 0 || o->threads == 0 || o->threads > WORKER_MAX_THREADS)
                        return log_error_errno(EINVAL, "Invalid --threads '%s': give a number from 1 to %d.", optarg,
                                               WORKER_MAX_THREADS);
                return 0;
        default:
                return parse_internal_option(c, o);
        }
}

/*
 * Return one request thread per online CPU, 2 to 16. The kernel wakes the thread that
 * waited longest, so each extra idle thread makes wake-ups colder (docs/benchmarks.md).
 */
static unsigned default_threads(void) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);

        if (cpus < 2)
                return 2;
        return cpus > 16 ? 16 : (unsigned) cpus;
}

static int parse_options(int argc, char **argv, struct daemon_options *ret) {
        struct daemon_options o = {
                .cpu_view = CPU_VIEW_QUOTA,
                .threads = 0,
                .log_level = LOG_INFO,
                .fuse_fd = -1,
                .handover_fd = -1,
                .ready_fd = -1,
                .seccomp_socket = DEFAULT_SECCOMP_SOCKET,
                .seccomp_fd = -1,
                .seccomp_listen_fd = -1,
        };
        int c, r;

        /* procviewd prints its own message for a bad option. */
        opterr = 0;
        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) >= 0) {
                if (c == '?')
                        return log_error_errno(EINVAL,
                                               "Unknown option, or an option without its value: '%s'. Run "
                                               "'procviewd --help' for the options.",
                                               argv[optind - 1]);
                r = parse_option(c, &o);
                if (r < 0)
                        return r;
        }

        if (optind != argc - 1)
                return log_error_errno(EINVAL, "%s. Usage: procviewd [OPTIONS] MOUNTPOINT",
                                       optind >= argc ? "Missing MOUNTPOINT" : "Too many arguments");
        o.mountpoint = argv[optind];
        if (o.threads == 0)
                o.threads = default_threads();

        if ((o.worker || o.takeover) && (o.fuse_fd < 0 || o.handover_fd < 0))
                return log_error_errno(EINVAL, "--worker and --takeover are started by procviewd itself.");

        *ret = o;
        return 0;
}

int main(int argc, char **argv) {
        struct daemon_options o = {};

        log_set_program("procviewd");

        if (parse_options(argc, argv, &o) < 0)
                return 2;

        if (o.worker) {
                log_set_program("procview-worker");
                return worker_run(&o) < 0 ? EXIT_FAILURE + 1 : EXIT_SUCCESS;
        }

        return supervisor_run(&o, argv) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
