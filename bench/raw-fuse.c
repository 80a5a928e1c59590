/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * raw-fuse: mounting, FUSE_INIT and the replies of the static file system,
 * shared by bench/uring-static and bench/passthrough-static. The replies
 * match bench/static-fuse (libfuse 3.14 low-level API, no flush or statfs
 * handler). FLUSH gets ENOSYS, so the kernel stops sending it, and STATFS
 * gets libfuse's default reply.
 */
#include "raw-fuse.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

/* The newest protocol minor these servers speak: 7.42 added FUSE over io_uring. */
#define RAW_FUSE_MINOR 42
#define ATTR_TIMEOUT_S 3600

char raw_fuse_content[64 * 1024];
size_t raw_fuse_content_len;

/* The FUSE_INIT flags of libfuse 3.14's reply for static-fuse's operations. */
static const uint64_t libfuse_init_flags = FUSE_ASYNC_READ | FUSE_ATOMIC_O_TRUNC | FUSE_BIG_WRITES |
                                           FUSE_AUTO_INVAL_DATA | FUSE_ASYNC_DIO | FUSE_MAX_PAGES;

int raw_fuse_load_content(void) {
        ssize_t n;
        int fd;

        fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = read(fd, raw_fuse_content, sizeof(raw_fuse_content));
        if (n < 0) {
                int r = -errno;

                close(fd);
                return r;
        }
        close(fd);
        raw_fuse_content_len = (size_t) n;
        return 0;
}

static void stop_signals(sigset_t *set) {
        sigemptyset(set);
        sigaddset(set, SIGINT);
        sigaddset(set, SIGTERM);
        sigaddset(set, SIGHUP);
}

/*
 * Block SIGINT, SIGTERM and SIGHUP. Call it before starting threads, so that
 * only raw_fuse_wait_for_signal() receives them.
 */
void raw_fuse_block_signals(void) {
        sigset_t set;

        stop_signals(&set);
        pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int raw_fuse_wait_for_signal(void) {
        sigset_t set;
        int sig = 0;

        stop_signals(&set);
        sigwait(&set, &sig);
        return sig;
}

int raw_fuse_mount(struct raw_fuse *fs, const char *mountpoint) {
        char options[128], type[64];

        fs->mountpoint = mountpoint;
        fs->dev_fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
        if (fs->dev_fd < 0) {
                fprintf(stderr, "%s: failed to open /dev/fuse: %m\n", fs->name);
                return -1;
        }

        snprintf(options, sizeof(options), "fd=%d,rootmode=40000,user_id=%u,group_id=%u,allow_other", fs->dev_fd,
                 (unsigned) getuid(), (unsigned) getgid());
        snprintf(type, sizeof(type), "fuse.%s", fs->name);
        if (mount(fs->name, mountpoint, type, MS_NOSUID | MS_NODEV | MS_RDONLY, options) < 0) {
                fprintf(stderr, "%s: failed to mount on '%s': %m\n", fs->name, mountpoint);
                close(fs->dev_fd);
                fs->dev_fd = -1;
                return -1;
        }
        return 0;
}

void raw_fuse_unmount(struct raw_fuse *fs) {
        if (fs->dev_fd < 0)
                return;
        if (umount2(fs->mountpoint, MNT_DETACH) < 0)
                fprintf(stderr, "%s: failed to unmount '%s': %m\n", fs->name, fs->mountpoint);
        close(fs->dev_fd);
        fs->dev_fd = -1;
}

static int dev_write_reply(struct raw_fuse *fs, uint64_t unique, int error, const void *data, size_t len) {
        struct fuse_out_header out = { .len = (uint32_t) (sizeof(out) + len), .error = error, .unique = unique };
        struct iovec iov[2] = { { &out, sizeof(out) }, { (void *) data, len } };

        if (writev(fs->dev_fd, iov, len > 0 ? 2 : 1) < 0) {
                /* ENOENT: the request was interrupted and is gone. */
                if (errno == ENOENT)
                        return 0;
                fprintf(stderr, "%s: failed to write a reply to /dev/fuse: %m\n", fs->name);
                return -errno;
        }
        return 0;
}

/*
 * Read FUSE_INIT from /dev/fuse and reply with the libfuse 3.14 settings plus
 * fs->want_flags, each only where the kernel offered it. Sets fs->flags.
 */
int raw_fuse_init(struct raw_fuse *fs) {
        static char buf[RAW_FUSE_DEV_BUFFER_SIZE];
        const struct fuse_in_header *in = (const struct fuse_in_header *) buf;
        const struct fuse_init_in *init = (const struct fuse_init_in *) (buf + sizeof(*in));
        struct fuse_init_out out = {};
        uint64_t offered;
        ssize_t n;

        n = read(fs->dev_fd, buf, sizeof(buf));
        if (n < 0) {
                fprintf(stderr, "%s: failed to read FUSE_INIT from /dev/fuse: %m\n", fs->name);
                return -1;
        }
        if ((size_t) n < sizeof(*in) + offsetof(struct fuse_init_in, flags2) || in->opcode != FUSE_INIT) {
                fprintf(stderr, "%s: expected FUSE_INIT as the first request, got opcode %u\n", fs->name, in->opcode);
                return -1;
        }
        atomic_fetch_add(&fs->dev_requests, 1);

        offered = init->flags;
        if ((offered & FUSE_INIT_EXT) && (size_t) n >= sizeof(*in) + sizeof(*init))
                offered |= (uint64_t) init->flags2 << 32;
        fs->flags = offered & (libfuse_init_flags | FUSE_INIT_EXT | fs->want_flags);

        out.major = FUSE_KERNEL_VERSION;
        out.minor = init->minor < RAW_FUSE_MINOR ? init->minor : RAW_FUSE_MINOR;
        out.max_readahead = init->max_readahead;
        out.flags = (uint32_t) fs->flags;
        out.flags2 = (uint32_t) (fs->flags >> 32);
        out.max_write = RAW_FUSE_MAX_WRITE;
        out.time_gran = 1;
        out.max_pages = RAW_FUSE_MAX_PAGES;
        if (fs->flags & FUSE_PASSTHROUGH)
                out.max_stack_depth = fs->max_stack_depth;

        return dev_write_reply(fs, in->unique, 0, &out, sizeof(out)) < 0 ? -1 : 0;
}

/* Size of the opcode's fixed argument, which precedes names and data in a request. */
size_t raw_fuse_op_in_size(uint32_t opcode) {
        switch (opcode) {
        case FUSE_GETATTR:
                return sizeof(struct fuse_getattr_in);
        case FUSE_OPEN:
                return sizeof(struct fuse_open_in);
        case FUSE_READ:
                return sizeof(struct fuse_read_in);
        case FUSE_RELEASE:
                return sizeof(struct fuse_release_in);
        case FUSE_FLUSH:
                return sizeof(struct fuse_flush_in);
        case FUSE_FORGET:
                return sizeof(struct fuse_forget_in);
        case FUSE_BATCH_FORGET:
                return sizeof(struct fuse_batch_forget_in);
        case FUSE_INTERRUPT:
                return sizeof(struct fuse_interrupt_in);
        default:
                return 0; /* FUSE_LOOKUP has only the name, FUSE_STATFS nothing */
        }
}

static void fill_attr(uint64_t ino, struct fuse_attr *attr) {
        memset(attr, 0, sizeof(*attr));
        attr->ino = ino;
        if (ino == FUSE_ROOT_ID) {
                attr->mode = S_IFDIR | 0555;
                attr->nlink = 2;
                return;
        }
        attr->mode = S_IFREG | 0444;
        attr->nlink = 1;
        attr->size = raw_fuse_content_len;
}

static void handle_open(struct raw_fuse *fs, const struct fuse_in_header *in, const struct fuse_open_in *open_in,
                        struct raw_fuse_reply *reply) {
        struct fuse_open_out *out = &reply->arg.open;

        if (in->nodeid != RAW_FUSE_FILE_INO) {
                reply->error = -EISDIR;
                return;
        }
        if ((open_in->flags & O_ACCMODE) != O_RDONLY) {
                reply->error = -EACCES;
                return;
        }

        memset(out, 0, sizeof(*out));
        if (fs->open)
                reply->error = fs->open(fs, out);
        else
                out->open_flags = FOPEN_DIRECT_IO;
        reply->data = out;
        reply->len = sizeof(*out);
}

static void handle_read(const struct fuse_read_in *read_in, struct raw_fuse_reply *reply) {
        size_t size = read_in->size;

        if (read_in->offset >= raw_fuse_content_len)
                return;
        if (size > raw_fuse_content_len - read_in->offset)
                size = raw_fuse_content_len - read_in->offset;
        reply->data = raw_fuse_content + read_in->offset;
        reply->len = size;
}

/*
 * Build the reply to one request other than FUSE_INIT. op_in is the opcode's
 * fixed argument and extra what follows it (the name of a FUSE_LOOKUP).
 */
void raw_fuse_handle(struct raw_fuse *fs, const struct fuse_in_header *in, const void *op_in, const void *extra,
                     struct raw_fuse_reply *reply) {
        *reply = (struct raw_fuse_reply){};

        switch (in->opcode) {
        case FUSE_LOOKUP: {
                struct fuse_entry_out *e = &reply->arg.entry;

                if (in->nodeid != FUSE_ROOT_ID || strcmp(extra, "file") != 0) {
                        reply->error = -ENOENT;
                        break;
                }
                memset(e, 0, sizeof(*e));
                e->nodeid = RAW_FUSE_FILE_INO;
                e->generation = 1;
                e->entry_valid = ATTR_TIMEOUT_S;
                e->attr_valid = ATTR_TIMEOUT_S;
                fill_attr(RAW_FUSE_FILE_INO, &e->attr);
                reply->data = e;
                reply->len = sizeof(*e);
                break;
        }
        case FUSE_GETATTR:
                if (in->nodeid != FUSE_ROOT_ID && in->nodeid != RAW_FUSE_FILE_INO) {
                        reply->error = -ENOENT;
                        break;
                }
                memset(&reply->arg.attr, 0, sizeof(reply->arg.attr));
                reply->arg.attr.attr_valid = ATTR_TIMEOUT_S;
                fill_attr(in->nodeid, &reply->arg.attr.attr);
                reply->data = &reply->arg.attr;
                reply->len = sizeof(reply->arg.attr);
                break;
        case FUSE_OPEN:
                handle_open(fs, in, op_in, reply);
                break;
        case FUSE_READ:
                atomic_fetch_add(&fs->read_requests, 1);
                handle_read(op_in, reply);
                break;
        case FUSE_RELEASE:
                break;
        case FUSE_STATFS:
                /* libfuse's reply when the file system has no statfs handler. */
                memset(&reply->arg.statfs, 0, sizeof(reply->arg.statfs));
                reply->arg.statfs.st.namelen = 255;
                reply->arg.statfs.st.bsize = 512;
                reply->data = &reply->arg.statfs;
                reply->len = sizeof(reply->arg.statfs);
                break;
        case FUSE_FORGET:
        case FUSE_BATCH_FORGET:
        case FUSE_INTERRUPT:
                /*
                 * FORGET takes no reply, and one fixed inode needs no forgetting. No request here
                 * blocks, so an INTERRUPT has nothing to stop and needs no reply either.
                 */
                reply->none = true;
                break;
        default:
                reply->error = -ENOSYS; /* FUSE_FLUSH included, as in static-fuse */
                break;
        }
}

static void *dev_thread(void *arg) {
        struct raw_fuse *fs = arg;
        const struct fuse_in_header *in;
        char *buf = malloc(RAW_FUSE_DEV_BUFFER_SIZE);

        if (!buf) {
                fprintf(stderr, "%s: failed to allocate a /dev/fuse buffer\n", fs->name);
                return NULL;
        }
        in = (const struct fuse_in_header *) buf;

        for (;;) {
                struct raw_fuse_reply reply;
                ssize_t n;

                n = read(fs->dev_fd, buf, RAW_FUSE_DEV_BUFFER_SIZE - 1);
                if (n < 0) {
                        if (errno == EINTR || errno == EAGAIN || errno == ENOENT)
                                continue;
                        if (errno != ENODEV) /* ENODEV: unmounted */
                                fprintf(stderr, "%s: failed to read from /dev/fuse: %m\n", fs->name);
                        break;
                }
                if ((size_t) n < sizeof(*in) + raw_fuse_op_in_size(in->opcode)) {
                        fprintf(stderr, "%s: short request of %zd bytes for opcode %u\n", fs->name, n, in->opcode);
                        continue;
                }
                buf[n] = '\0'; /* ends the name of a FUSE_LOOKUP even if the kernel did not */
                atomic_fetch_add(&fs->dev_requests, 1);

                raw_fuse_handle(fs, in, buf + sizeof(*in), buf + sizeof(*in) + raw_fuse_op_in_size(in->opcode), &reply);
                if (!reply.none)
                        dev_write_reply(fs, in->unique, reply.error, reply.data, reply.len);
        }

        free(buf);
        /* Wake the main thread, which unmounts and exits. */
        kill(getpid(), SIGTERM);
        return NULL;
}

/* Start threads that read requests from /dev/fuse and write the replies. */
int raw_fuse_start_dev_threads(struct raw_fuse *fs, unsigned threads) {
        for (unsigned i = 0; i < threads; i++) {
                pthread_t t;
                int r;

                r = pthread_create(&t, NULL, dev_thread, fs);
                if (r != 0) {
                        fprintf(stderr, "%s: failed to start a /dev/fuse thread: %s\n", fs->name, strerror(r));
                        return -1;
                }
                pthread_detach(t);
        }
        return 0;
}
