/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * passthrough-static: bench/static-fuse's file system (MOUNTPOINT/file, a
 * copy of /proc/meminfo) with FUSE passthrough (Linux 6.9 and later): the
 * open reply names a backing file, a memfd holding the content, and the
 * kernel then serves read() from it without sending FUSE_READ. LOOKUP,
 * GETATTR, OPEN and RELEASE still go to this server, through /dev/fuse and
 * 8 threads as in static-fuse. Registering a backing file needs
 * CAP_SYS_ADMIN.
 *
 * passthrough-static MOUNTPOINT serves until SIGTERM or SIGINT and prints
 * "ready" on stdout once it serves.
 *
 * passthrough-static --check MOUNTPOINT instead opens MOUNTPOINT/file
 * several times, replying to each open with backing file A, another backing
 * file B or no passthrough at all, and prints what each open() returned.
 * That shows whether one inode can pass different content through to
 * readers that hold it open at the same time.
 *
 * Both exit with status 77 when the kernel does not offer FUSE passthrough.
 */
#include "raw-fuse.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#define DEV_THREADS 8
#define MAX_CHECK_FDS 4

enum open_reply {
        OPEN_BACKING_A, /* FOPEN_PASSTHROUGH with backing file A, the content */
        OPEN_BACKING_B, /* FOPEN_PASSTHROUGH with backing file B, other content */
        OPEN_DIRECT_IO, /* FOPEN_DIRECT_IO without passthrough, as static-fuse */
};

/* Backing file A contains the file's content (content A), and backing file B this text (content B). */
static const char backing_b_content[] = "content of backing file B\n";

static int backing_a = -1, backing_b = -1;
static _Atomic int next_open_reply = OPEN_BACKING_A;

static int passthrough_open(struct raw_fuse *fs, struct fuse_open_out *out) {
        switch (atomic_load(&next_open_reply)) {
        case OPEN_BACKING_A:
                out->open_flags = FOPEN_PASSTHROUGH;
                out->backing_id = backing_a;
                break;
        case OPEN_BACKING_B:
                out->open_flags = FOPEN_PASSTHROUGH;
                out->backing_id = backing_b;
                break;
        default:
                out->open_flags = FOPEN_DIRECT_IO;
                break;
        }
        return 0;
}

static struct raw_fuse fs = {
        .name = "passthrough-static",
        .dev_fd = -1,
        .want_flags = FUSE_PASSTHROUGH,
        .max_stack_depth = 1, /* the backing files are memfds, on no stacked file system */
        .open = passthrough_open,
};

/* Put content into a new memfd and register it as a backing file. Returns its backing id, or -1. */
static int backing_open(const char *name, const void *content, size_t len) {
        struct fuse_backing_map map = {};
        int fd, id;

        fd = memfd_create(name, MFD_CLOEXEC);
        if (fd < 0) {
                fprintf(stderr, "passthrough-static: failed to create memfd '%s': %m\n", name);
                return -1;
        }
        if (write(fd, content, len) != (ssize_t) len) {
                fprintf(stderr, "passthrough-static: failed to write memfd '%s': %m\n", name);
                close(fd);
                return -1;
        }

        map.fd = fd;
        id = ioctl(fs.dev_fd, FUSE_DEV_IOC_BACKING_OPEN, &map);
        if (id < 0) {
                fprintf(stderr, "passthrough-static: FUSE_DEV_IOC_BACKING_OPEN of memfd '%s' failed: %m%s\n", name,
                        errno == EPERM ? " (it needs CAP_SYS_ADMIN)" : "");
                close(fd);
                return -1;
        }
        /* The kernel holds its own reference to the file. */
        close(fd);
        return id;
}

static const char *describe_content(const char *buf, ssize_t n) {
        if ((size_t) n == raw_fuse_content_len && memcmp(buf, raw_fuse_content, (size_t) n) == 0)
                return "content A";
        if ((size_t) n == sizeof(backing_b_content) - 1 && memcmp(buf, backing_b_content, (size_t) n) == 0)
                return "content B";
        return "unexpected content";
}

/* Open path with the given reply, print the outcome and return the descriptor or -1. */
static int check_open(const char *path, enum open_reply reply, const char *description) {
        static char buf[sizeof(raw_fuse_content)];
        uint64_t reads_before;
        ssize_t n;
        int fd;

        atomic_store(&next_open_reply, reply);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                printf("  %-62s open() failed: %s (%s)\n", description, strerrorname_np(errno), strerror(errno));
                return -1;
        }

        reads_before = atomic_load(&fs.read_requests);
        n = pread(fd, buf, sizeof(buf), 0);
        if (n < 0) {
                printf("  %-62s opened, but read() failed: %s (%s)\n", description, strerrorname_np(errno),
                       strerror(errno));
                return fd;
        }
        printf("  %-62s ok: read %zd bytes (%s), FUSE_READ requests: %" PRIu64 "\n", description, n,
               describe_content(buf, n), atomic_load(&fs.read_requests) - reads_before);
        return fd;
}

static void close_all(int *fds, unsigned *n) {
        for (unsigned i = 0; i < *n; i++)
                if (fds[i] >= 0)
                        close(fds[i]);
        *n = 0;
}

static void check(const char *mountpoint) {
        struct {
                bool close_first; /* close the descriptors of the earlier opens first */
                enum open_reply reply;
                const char *description;
        } steps[] = {
                { true, OPEN_BACKING_A, "open 1, backing file A:" },
                { false, OPEN_BACKING_A, "open 2 while 1 is held, backing file A again:" },
                { false, OPEN_BACKING_B, "open 3 while 1 is held, backing file B:" },
                { false, OPEN_DIRECT_IO, "open 4 while 1 is held, no FOPEN_PASSTHROUGH (direct_io):" },
                { true, OPEN_BACKING_B, "open 5 after all are closed, backing file B:" },
                { false, OPEN_BACKING_A, "open 6 while 5 is held, backing file A:" },
                { true, OPEN_DIRECT_IO, "open 7 after all are closed, no FOPEN_PASSTHROUGH (direct_io):" },
                { false, OPEN_BACKING_A, "open 8 while 7 is held, backing file A:" },
        };
        char path[4096];
        struct utsname u;
        int fds[MAX_CHECK_FDS];
        unsigned n_fds = 0;

        uname(&u);
        snprintf(path, sizeof(path), "%s/file", mountpoint);
        printf("FUSE passthrough on one inode, Linux %s:\n", u.release);
        for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
                if (steps[i].close_first)
                        close_all(fds, &n_fds);
                fds[n_fds++] = check_open(path, steps[i].reply, steps[i].description);
        }
        close_all(fds, &n_fds);
        fflush(stdout);
}

int main(int argc, char **argv) {
        const char *mountpoint;
        bool check_mode = false;
        int r, status = EXIT_FAILURE;

        if (argc == 3 && strcmp(argv[1], "--check") == 0) {
                check_mode = true;
                mountpoint = argv[2];
        } else if (argc == 2 && argv[1][0] != '-') {
                mountpoint = argv[1];
        } else {
                fprintf(stderr, "Usage: passthrough-static [--check] MOUNTPOINT\n");
                return 2;
        }
        r = raw_fuse_load_content();
        if (r < 0) {
                fprintf(stderr, "passthrough-static: failed to read /proc/meminfo: %s\n", strerror(-r));
                return EXIT_FAILURE;
        }

        raw_fuse_block_signals();
        if (raw_fuse_mount(&fs, mountpoint) < 0)
                return EXIT_FAILURE;
        if (raw_fuse_init(&fs) < 0)
                goto out;
        if (!(fs.flags & FUSE_PASSTHROUGH)) {
                fprintf(stderr, "passthrough-static: the kernel does not offer FUSE passthrough: it needs Linux 6.9 "
                                "or later with CONFIG_FUSE_PASSTHROUGH\n");
                raw_fuse_unmount(&fs);
                return RAW_FUSE_EXIT_UNSUPPORTED;
        }

        backing_a = backing_open("passthrough-static-a", raw_fuse_content, raw_fuse_content_len);
        backing_b = backing_open("passthrough-static-b", backing_b_content, sizeof(backing_b_content) - 1);
        if (backing_a < 0 || backing_b < 0)
                goto out;
        if (raw_fuse_start_dev_threads(&fs, DEV_THREADS) < 0)
                goto out;

        if (check_mode) {
                check(mountpoint);
                status = EXIT_SUCCESS;
                goto out;
        }

        printf("ready\n");
        fflush(stdout);
        raw_fuse_wait_for_signal();
        fprintf(stderr,
                "passthrough-static: replied to %" PRIu64 " requests through /dev/fuse (FUSE_INIT included), %" PRIu64
                " of them FUSE_READ\n",
                atomic_load(&fs.dev_requests), atomic_load(&fs.read_requests));
        status = EXIT_SUCCESS;

out:
        raw_fuse_unmount(&fs);
        return status;
}
