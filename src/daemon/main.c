/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * procviewd: mounts the per-container views and serves them until SIGTERM
 * or SIGINT, then unmounts and exits 0.
 */
#include <getopt.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "fileio.h"
#include "fs.h"
#include "log.h"
#include "mountpoint.h"
#include "nodes.h"
#include "parse.h"

struct options {
        const char *mountpoint;
        enum cpu_view_mode cpu_view;
        unsigned max_threads;
};

static void print_help(void) {
        printf("Usage: procviewd [OPTIONS] MOUNTPOINT\n"
               "\n"
               "Serve per-container views of /proc files under MOUNTPOINT: proc/meminfo,\n"
               "proc/cpuinfo, proc/stat, proc/uptime, proc/diskstats, proc/swaps, proc/loadavg\n"
               "and sys/devices/system/cpu, each computed from the cgroups of the reader's\n"
               "container. Bind them over a container's own files; see 'procview run'.\n"
               "\n"
               "Options:\n"
               "  --cpu-view=MODE      how the visible CPUs are chosen: 'quota' (default) limits\n"
               "                       the cpuset to ceil(quota/period) CPUs, 'cpuset' uses the\n"
               "                       cpuset alone\n"
               "  --log-level=LEVEL    error, warning, notice, info (default) or debug\n"
               "  --threads=N          maximum number of request threads (default 8)\n"
               "  -h, --help           show this help and exit\n"
               "  --version            show the version and exit\n");
}

static int parse_options(int argc, char **argv, struct options *ret) {
        enum { OPT_VERSION = 256, OPT_CPU_VIEW, OPT_LOG_LEVEL, OPT_THREADS };
        static const struct option longopts[] = { { "help", no_argument, NULL, 'h' },
                                                  { "version", no_argument, NULL, OPT_VERSION },
                                                  { "cpu-view", required_argument, NULL, OPT_CPU_VIEW },
                                                  { "log-level", required_argument, NULL, OPT_LOG_LEVEL },
                                                  { "threads", required_argument, NULL, OPT_THREADS },
                                                  {} };
        struct options o = { .cpu_view = CPU_VIEW_QUOTA, .max_threads = 8 };
        int c, level;

        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) >= 0)
                switch (c) {
                case 'h':
                        print_help();
                        exit(EXIT_SUCCESS);
                case OPT_VERSION:
                        printf("procviewd %s\n", PROCVIEW_VERSION);
                        exit(EXIT_SUCCESS);
                case OPT_CPU_VIEW:
                        if (cpu_view_mode_from_string(optarg, &o.cpu_view) < 0)
                                return log_error_errno(EINVAL, "Invalid --cpu-view '%s': use 'quota' or 'cpuset'.",
                                                       optarg);
                        break;
                case OPT_LOG_LEVEL:
                        level = log_level_from_string(optarg);
                        if (level < 0)
                                return log_error_errno(
                                        EINVAL, "Invalid --log-level '%s': use error, warning, notice, info or debug.",
                                        optarg);
                        log_set_max_level(level);
                        break;
                case OPT_THREADS:
                        if (safe_atou(optarg, &o.max_threads) < 0 || o.max_threads == 0 || o.max_threads > 1024)
                                return log_error_errno(EINVAL, "Invalid --threads '%s': give a number from 1 to 1024.",
                                                       optarg);
                        break;
                default:
                        return log_error_errno(EINVAL, "Run 'procviewd --help' for the options.");
                }

        if (optind != argc - 1)
                return log_error_errno(EINVAL, "%s. Usage: procviewd [OPTIONS] MOUNTPOINT",
                                       optind >= argc ? "Missing MOUNTPOINT" : "Too many arguments");

        o.mountpoint = argv[optind];
        *ret = o;
        return 0;
}

static int setup_views(const struct options *o, struct views *v) {
        _cleanup_free_ char *mountinfo = NULL;
        struct cgroup_layout *layout = NULL;
        int r;

        r = read_full_file_at(AT_FDCWD, "/proc/self/mountinfo", &mountinfo, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to read '/proc/self/mountinfo': %m");

        r = cgroup_layout_new(mountinfo, "", &layout);
        if (r < 0)
                return log_error_errno(
                        r, "Failed to find the cgroup hierarchies: %m. Is cgroupfs mounted under /sys/fs/cgroup?");
        v->layout = layout;
        v->cpu_view = o->cpu_view;

        r = container_cache_new(layout, &v->cache);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the container cache: %m");

        r = loadavg_sampler_start(layout, &v->sampler);
        if (r < 0)
                return r;

        return nodes_init();
}

static void teardown_views(struct views *v) {
        loadavg_sampler_stop(v->sampler);
        container_cache_free(v->cache);
        cgroup_layout_free((struct cgroup_layout *) v->layout);
        nodes_done();
}

static struct fuse_session *session_new(struct views *v) {
        char *argv[] = {
                (char *) "procviewd",
                (char *) "-o",
                (char *) "allow_other,ro,nosuid,nodev,default_permissions,fsname=procview,subtype=procview",
                NULL,
        };
        struct fuse_args args = FUSE_ARGS_INIT(3, argv);
        struct fuse_session *se;

        se = fuse_session_new(&args, &procview_fs_ops, sizeof(procview_fs_ops), v);
        fuse_opt_free_args(&args);
        return se;
}

static int serve(struct fuse_session *se, const struct options *o) {
        struct fuse_loop_config *config;
        int r;

        config = fuse_loop_cfg_create();
        if (!config)
                return log_error_errno(ENOMEM, "Failed to create the FUSE loop configuration: %m");

        fuse_loop_cfg_set_max_threads(config, o->max_threads);
        fuse_loop_cfg_set_idle_threads(config, o->max_threads);

        r = fuse_session_loop_mt(se, config);
        fuse_loop_cfg_destroy(config);

        if (r < 0)
                return log_error_errno(r, "Failed to serve requests: %m");
        return 0;
}

static int run(const struct options *o) {
        struct views views = {};
        struct fuse_session *se = NULL;
        int r;

        r = mountpoint_check(o->mountpoint);
        if (r < 0)
                return r;

        r = setup_views(o, &views);
        if (r < 0)
                goto out;

        se = session_new(&views);
        if (!se) {
                r = log_error_errno(EIO, "Failed to create the FUSE session.");
                goto out;
        }

        if (fuse_set_signal_handlers(se) < 0) {
                r = log_error_errno(EIO, "Failed to install signal handlers.");
                goto out;
        }

        if (fuse_session_mount(se, o->mountpoint) < 0) {
                r = log_error_errno(EIO, "Failed to mount '%s'; see the message above.", o->mountpoint);
                goto out_signals;
        }

        log_info("Serving views at '%s' (cpu view: %s).", o->mountpoint,
                 o->cpu_view == CPU_VIEW_QUOTA ? "quota" : "cpuset");

        r = serve(se, o);

        fuse_session_unmount(se);
        log_info("Unmounted '%s', exiting.", o->mountpoint);

out_signals:
        fuse_remove_signal_handlers(se);
out:
        if (se)
                fuse_session_destroy(se);
        teardown_views(&views);
        return r;
}

int main(int argc, char **argv) {
        struct options o = {};

        log_set_program("procviewd");

        if (parse_options(argc, argv, &o) < 0)
                return 2;

        return run(&o) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
