/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * raw-static: bench/static-fuse's file system (MOUNTPOINT/file, a copy of
 * /proc/meminfo, direct_io) over read() and write() on /dev/fuse with 8
 * threads, as static-fuse, but without libfuse. It is the baseline that
 * bench/uring-static differs from only in the transport, and its distance to
 * static-fuse is libfuse's own cost.
 *
 * Prints "ready" on stdout once it serves, and runs until SIGTERM or SIGINT.
 */
#include "raw-fuse.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEV_THREADS 8

static struct raw_fuse fs = { .name = "raw-static", .dev_fd = -1 };

int main(int argc, char **argv) {
        int r, status = EXIT_FAILURE;

        if (argc != 2) {
                fprintf(stderr, "Usage: raw-static MOUNTPOINT\n");
                return 2;
        }
        r = raw_fuse_load_content();
        if (r < 0) {
                fprintf(stderr, "raw-static: failed to read /proc/meminfo: %s\n", strerror(-r));
                return EXIT_FAILURE;
        }

        raw_fuse_block_signals();
        if (raw_fuse_mount(&fs, argv[1]) < 0)
                return EXIT_FAILURE;
        if (raw_fuse_init(&fs) < 0 || raw_fuse_start_dev_threads(&fs, DEV_THREADS) < 0)
                goto out;

        printf("ready\n");
        fflush(stdout);
        raw_fuse_wait_for_signal();
        fprintf(stderr, "raw-static: replied to %" PRIu64 " requests through /dev/fuse (FUSE_INIT included)\n",
                atomic_load(&fs.dev_requests));
        status = EXIT_SUCCESS;

out:
        raw_fuse_unmount(&fs);
        return status;
}
