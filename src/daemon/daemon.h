/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * procviewd runs as two processes: a supervisor that owns the FUSE
 * connection and parses no container data, and a worker ("procview-worker")
 * that serves requests on that connection. When the worker dies, the
 * supervisor starts another on the same connection; see docs/crash-safety.md.
 */
#pragma once

#include <stdbool.h>

#include "cpuview.h"

/* The worker exits with this status when the mount is gone; anything else is a crash. */
#define WORKER_EXIT_UNMOUNTED 0

/* Request threads per worker; each one owns an in-flight slot in the handover region. */
#define WORKER_MAX_THREADS 128

struct daemon_options {
        const char *mountpoint;
        enum cpu_view_mode cpu_view;
        unsigned threads;
        int log_level;
        const char *seccomp_socket; /* "" turns the sysinfo agent off */

        /* Worker mode: set by the supervisor on the worker's command line. */
        bool worker;
        int fuse_fd;
        int handover_fd;
        int ready_fd;
        unsigned slot_base; /* first in-flight slot of this worker */
        bool answer_init; /* reply to the kernel's INIT, not just replay it */
        int seccomp_fd; /* channel on which the supervisor passes seccomp fds, or -1 */

        /* Supervisor taking over after a re-exec (live upgrade). */
        bool takeover;
        int worker_pid;
        int seccomp_listen_fd;
        const char *seccomp_fds;
};

#define DEFAULT_SECCOMP_SOCKET "/run/procview/seccomp.sock"

int supervisor_run(const struct daemon_options *o, char **argv);
int worker_run(const struct daemon_options *o);
