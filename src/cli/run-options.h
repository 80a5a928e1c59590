/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The command line of "procview run", parsed and checked against the host
 * before anything is created.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* CFS period written into the OCI config, in microseconds (the kernel's default). */
#define CPU_PERIOD_USEC UINT64_C(100000)

struct volume {
        char *source; /* absolute, resolved on the host */
        char *destination; /* absolute inside the container */
        bool read_only;
};

struct run_options {
        char *name;
        uint64_t memory_limit; /* bytes, 0 for no limit */
        uint64_t cpu_quota; /* microseconds per CPU_PERIOD_USEC, 0 for no quota */
        char *cpuset_cpus; /* kernel list format, NULL for no cpuset */
        const char *runtime; /* "runc" or "crun" */
        char *runtime_root;
        char *views_dir; /* absolute when it exists, NULL with --no-views */
        bool views_by_hook; /* --hook: the createContainer hook binds the views, not config.json */
        char *seccomp_socket; /* procviewd's socket for sysinfo(2) calls, NULL with --no-sysinfo */
        bool no_sysinfo;
        struct volume *volumes;
        size_t n_volumes;
        char *rootfs; /* absolute path, NULL for a busybox rootfs */
        char **command; /* NULL-terminated, NULL for the default shell */
};

/*
 * Parse argv (argv[0] is "run") into *ret. Returns 1 to go on, 0 when --help
 * was printed, or -EINVAL after logging which argument is invalid.
 */
int run_options_parse(int argc, char *argv[], struct run_options *ret);

void run_options_done(struct run_options *o);
