/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * raw-fuse: the FUSE protocol without libfuse, for the experimental servers
 * bench/uring-static, bench/passthrough-static and bench/raw-static. It
 * mounts a FUSE file system on a /dev/fuse descriptor, replies to FUSE_INIT
 * and serves bench/static-fuse's file system: one read-only file,
 * MOUNTPOINT/file, containing a copy of /proc/meminfo taken at start-up.
 *
 * Debian 12's <linux/fuse.h> (linux-libc-dev 6.1) predates FUSE passthrough
 * (Linux 6.9, protocol 7.40) and FUSE over io_uring (Linux 6.14, protocol
 * 7.42), so the constants and structures they added are defined here under
 * the names of the kernel's include/uapi/linux/fuse.h.
 */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>

/* The 6.1 versions of these two structures lack fields that are defined below. */
#define fuse_init_out fuse_init_out_6_1
#define fuse_open_out fuse_open_out_6_1
#include <linux/fuse.h>
#undef fuse_init_out
#undef fuse_open_out

/* Protocol 7.40 (Linux 6.9): FUSE passthrough. */
#ifndef FUSE_PASSTHROUGH
#define FUSE_PASSTHROUGH (1ull << 37)
#endif
#ifndef FOPEN_PASSTHROUGH
#define FOPEN_PASSTHROUGH (1u << 7)
#endif

struct fuse_backing_map {
        int32_t fd;
        uint32_t flags;
        uint64_t padding;
};

#define FUSE_DEV_IOC_BACKING_OPEN _IOW(FUSE_DEV_IOC_MAGIC, 1, struct fuse_backing_map)
#define FUSE_DEV_IOC_BACKING_CLOSE _IOW(FUSE_DEV_IOC_MAGIC, 2, uint32_t)

/* Protocol 7.42 (Linux 6.14): FUSE over io_uring. */
#ifndef FUSE_OVER_IO_URING
#define FUSE_OVER_IO_URING (1ull << 41)
#endif
#define FUSE_URING_IN_OUT_HEADER_SZ 128
#define FUSE_URING_OP_IN_OUT_SZ 128

struct fuse_uring_ent_in_out {
        uint64_t flags;
        uint64_t commit_id; /* the request's unique, echoed in fuse_uring_cmd_req */
        uint32_t payload_sz; /* bytes used in the payload buffer, in either direction */
        uint32_t padding;
        uint64_t reserved;
};

/* The first buffer of a ring entry. The second buffer carries the payload. */
struct fuse_uring_req_header {
        char in_out[FUSE_URING_IN_OUT_HEADER_SZ]; /* fuse_in_header, then fuse_out_header */
        char op_in[FUSE_URING_OP_IN_OUT_SZ]; /* the opcode's fixed argument, e.g. fuse_read_in */
        struct fuse_uring_ent_in_out ring_ent_in_out;
};

enum fuse_uring_cmd {
        FUSE_IO_URING_CMD_INVALID = 0,
        FUSE_IO_URING_CMD_REGISTER = 1,
        FUSE_IO_URING_CMD_COMMIT_AND_FETCH = 2,
};

/* The command area of a 128-byte SQE. */
struct fuse_uring_cmd_req {
        uint64_t flags;
        uint64_t commit_id;
        uint16_t qid;
        uint8_t padding[6];
};

/* fuse_init_out as of protocol 7.43: 7.40 added max_stack_depth. */
struct fuse_init_out {
        uint32_t major;
        uint32_t minor;
        uint32_t max_readahead;
        uint32_t flags;
        uint16_t max_background;
        uint16_t congestion_threshold;
        uint32_t max_write;
        uint32_t time_gran;
        uint16_t max_pages;
        uint16_t map_alignment;
        uint32_t flags2;
        uint32_t max_stack_depth;
        uint16_t request_timeout;
        uint16_t unused[11];
};

/* fuse_open_out as of protocol 7.40: backing_id replaced the padding. */
struct fuse_open_out {
        uint64_t fh;
        uint32_t open_flags;
        int32_t backing_id;
};

_Static_assert(sizeof(struct fuse_init_out) == 64, "fuse_init_out is 64 bytes");
_Static_assert(sizeof(struct fuse_uring_req_header) == 288, "fuse_uring_req_header is 288 bytes");
_Static_assert(sizeof(struct fuse_uring_cmd_req) <= 80, "fuse_uring_cmd_req fits the SQE command area");

/*
 * libfuse 3.14 offers 1 MiB writes (256 pages) in FUSE_INIT, and the servers
 * here offer the same, so a read() of 256 KiB is one FUSE_READ on every path.
 */
#define RAW_FUSE_MAX_WRITE (1024u * 1024)
#define RAW_FUSE_MAX_PAGES 256u
/* A /dev/fuse read needs room for a FUSE_WRITE of max_write bytes and its headers. */
#define RAW_FUSE_DEV_BUFFER_SIZE (RAW_FUSE_MAX_WRITE + 4096u)

#define RAW_FUSE_FILE_INO 2

/* Content of MOUNTPOINT/file: /proc/meminfo at start-up. */
extern char raw_fuse_content[64 * 1024];
extern size_t raw_fuse_content_len;

struct raw_fuse;

/*
 * Fills the open_flags and backing_id of an open reply for MOUNTPOINT/file.
 * Returns 0, or a negative errno to fail the open.
 */
typedef int (*raw_fuse_open_fn)(struct raw_fuse *fs, struct fuse_open_out *out);

struct raw_fuse {
        const char *name; /* program name, for messages and the mount's fsname */
        const char *mountpoint;
        int dev_fd; /* /dev/fuse, -1 before raw_fuse_mount() */
        uint64_t want_flags; /* FUSE_INIT flags (flags2 shifted up by 32) to turn on if offered */
        uint64_t flags; /* the flags in force after FUSE_INIT */
        uint32_t max_stack_depth; /* sent with FUSE_PASSTHROUGH */
        raw_fuse_open_fn open; /* NULL: FOPEN_DIRECT_IO, as static-fuse */
        _Atomic uint64_t dev_requests; /* requests received on /dev/fuse, FUSE_INIT included */
        _Atomic uint64_t read_requests; /* FUSE_READ requests, on any path */
};

/* A reply: error (negative errno or 0) and the out arguments, or no reply at all. */
struct raw_fuse_reply {
        int error;
        bool none;
        const void *data;
        size_t len;
        union {
                struct fuse_entry_out entry;
                struct fuse_attr_out attr;
                struct fuse_open_out open;
                struct fuse_statfs_out statfs;
        } arg;
};

/* Exit status of a server whose kernel lacks the path it measures. */
#define RAW_FUSE_EXIT_UNSUPPORTED 77

int raw_fuse_load_content(void);
void raw_fuse_block_signals(void);
int raw_fuse_wait_for_signal(void);
int raw_fuse_mount(struct raw_fuse *fs, const char *mountpoint);
void raw_fuse_unmount(struct raw_fuse *fs);
int raw_fuse_init(struct raw_fuse *fs);
size_t raw_fuse_op_in_size(uint32_t opcode);
void raw_fuse_handle(struct raw_fuse *fs, const struct fuse_in_header *in, const void *op_in, const void *extra,
                     struct raw_fuse_reply *reply);
int raw_fuse_start_dev_threads(struct raw_fuse *fs, unsigned threads);
