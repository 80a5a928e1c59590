/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uring-static: bench/static-fuse's file system (MOUNTPOINT/file, a copy of
 * /proc/meminfo, direct_io) served through FUSE over io_uring (Linux 6.14
 * and later) instead of read() and write() on /dev/fuse.
 *
 * After FUSE_INIT with FUSE_OVER_IO_URING, one thread per possible CPU,
 * pinned to it, registers ENTRIES_PER_QUEUE ring entries for that CPU's
 * queue with IORING_OP_URING_CMD on the /dev/fuse descriptor. The kernel
 * queues a request on the queue of the CPU its caller runs on, and only
 * switches from /dev/fuse to the rings once every queue has an entry. Each
 * completion carries a request, and the reply goes back with
 * COMMIT_AND_FETCH, which also waits for the next request. FORGET and INTERRUPT still arrive
 * on /dev/fuse, so one thread serves /dev/fuse as well.
 *
 * Prints "ready" on stdout once every entry is registered. On SIGTERM or
 * SIGINT it prints how many requests each path carried, then unmounts.
 * Exits with status 77 when the kernel does not offer FUSE over io_uring,
 * as with the fuse module parameter enable_uring set to N.
 */
#include "raw-fuse.h"

#include <errno.h>
#include <inttypes.h>
#include <liburing.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ENTRIES_PER_QUEUE 8
#define MAX_QUEUES 1024

struct ring_entry {
        struct fuse_uring_req_header *header;
        void *payload;
        struct iovec iov[2]; /* header and payload, as REGISTER reads them */
        bool registered; /* the kernel has sent a request to it, so its REGISTER succeeded */
};

struct queue {
        struct raw_fuse *fs;
        unsigned qid;
        struct io_uring ring;
        struct ring_entry entries[ENTRIES_PER_QUEUE];
        _Atomic uint64_t requests;
};

static struct raw_fuse fs = { .name = "uring-static", .dev_fd = -1, .want_flags = FUSE_OVER_IO_URING };
static _Atomic bool failed;

static pthread_mutex_t setup_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t setup_done = PTHREAD_COND_INITIALIZER;
static unsigned queues_set_up; /* queues whose set-up ended, with or without success (setup_lock) */

/* The kernel creates one queue per possible CPU (num_possible_cpus()), and every one needs entries. */
static int possible_cpus(unsigned *ret) {
        char text[256], *end;
        unsigned long last;
        FILE *f;

        f = fopen("/sys/devices/system/cpu/possible", "re");
        if (!f || !fgets(text, sizeof(text), f)) {
                fprintf(stderr, "uring-static: failed to read /sys/devices/system/cpu/possible: %m\n");
                if (f)
                        fclose(f);
                return -1;
        }
        fclose(f);

        /* A list of ranges such as "0-3,8-11", whose last number is the highest CPU. */
        end = text + strcspn(text, "\n");
        while (end > text && end[-1] >= '0' && end[-1] <= '9')
                end--;
        last = strtoul(end, NULL, 10);
        if (last >= MAX_QUEUES) {
                fprintf(stderr, "uring-static: %lu possible CPUs is more than the %d supported\n", last + 1,
                        MAX_QUEUES);
                return -1;
        }
        *ret = (unsigned) last + 1;
        return 0;
}

static void fail(void) {
        atomic_store(&failed, true);
        kill(getpid(), SIGTERM);
}

static void setup_finished(void) {
        pthread_mutex_lock(&setup_lock);
        queues_set_up++;
        pthread_cond_broadcast(&setup_done);
        pthread_mutex_unlock(&setup_lock);
}

static void prep_cmd(struct queue *q, struct ring_entry *e, enum fuse_uring_cmd op, uint64_t commit_id) {
        struct io_uring_sqe *sqe = io_uring_get_sqe(&q->ring);
        struct fuse_uring_cmd_req req = { .commit_id = commit_id, .qid = (uint16_t) q->qid };

        /* The ring has a slot per entry and each entry has one command in flight, so this never happens. */
        if (!sqe) {
                fprintf(stderr, "uring-static: the submission queue of queue %u is full\n", q->qid);
                fail();
                return;
        }
        memset(sqe, 0, 2 * sizeof(*sqe)); /* a 128-byte SQE is two 64-byte slots */
        sqe->opcode = IORING_OP_URING_CMD;
        sqe->fd = q->fs->dev_fd;
        sqe->cmd_op = op;
        sqe->addr = (uint64_t) (uintptr_t) e->iov;
        sqe->len = 2;
        sqe->user_data = (uint64_t) (uintptr_t) e;
        memcpy(sqe->cmd, &req, sizeof(req));
}

static int entries_alloc(struct queue *q) {
        /* The kernel requires a payload buffer of max(max_write, max_pages pages). */
        size_t payload_size = RAW_FUSE_MAX_PAGES * (size_t) sysconf(_SC_PAGESIZE);

        if (payload_size < RAW_FUSE_MAX_WRITE)
                payload_size = RAW_FUSE_MAX_WRITE;

        for (unsigned i = 0; i < ENTRIES_PER_QUEUE; i++) {
                struct ring_entry *e = &q->entries[i];

                e->header = calloc(1, sizeof(*e->header));
                e->payload = malloc(payload_size);
                if (!e->header || !e->payload) {
                        fprintf(stderr, "uring-static: failed to allocate the buffers of queue %u\n", q->qid);
                        return -1;
                }
                e->iov[0] = (struct iovec){ e->header, sizeof(*e->header) };
                e->iov[1] = (struct iovec){ e->payload, payload_size };
        }
        return 0;
}

/* Reply to the request in e and queue its COMMIT_AND_FETCH. */
static void reply_to_entry(struct queue *q, struct ring_entry *e) {
        struct fuse_in_header in;
        struct fuse_out_header *out = (struct fuse_out_header *) e->header->in_out;
        struct fuse_uring_ent_in_out *ent = &e->header->ring_ent_in_out;
        struct raw_fuse_reply reply;
        char *name = e->payload;

        /* The reply's header overwrites the request's, so keep a copy. */
        memcpy(&in, e->header->in_out, sizeof(in));
        if (in.opcode == FUSE_LOOKUP)
                name[ent->payload_sz < RAW_FUSE_MAX_WRITE ? ent->payload_sz : RAW_FUSE_MAX_WRITE - 1] = '\0';

        raw_fuse_handle(q->fs, &in, e->header->op_in, e->payload, &reply);
        if (reply.error == 0 && reply.len > 0)
                memcpy(e->payload, reply.data, reply.len);

        *out = (struct fuse_out_header){
                .len = (uint32_t) (sizeof(*out) + (reply.error ? 0 : reply.len)),
                .error = reply.error,
                .unique = in.unique,
        };
        ent->payload_sz = reply.error ? 0 : (uint32_t) reply.len;
        atomic_fetch_add(&q->requests, 1);
        prep_cmd(q, e, FUSE_IO_URING_CMD_COMMIT_AND_FETCH, in.unique);
}

/* Handle one completion. Returns false when the queue must stop. */
static bool complete(struct queue *q, const struct io_uring_cqe *cqe) {
        struct ring_entry *e = (struct ring_entry *) (uintptr_t) cqe->user_data;

        if (cqe->res < 0) {
                /* The connection ends when the file system is unmounted or the server exits. */
                if (cqe->res == -ENOTCONN || cqe->res == -ECONNABORTED || cqe->res == -ECANCELED)
                        return false;
                fprintf(stderr, "uring-static: %s on queue %u failed: %s\n",
                        e->registered ? "FUSE_IO_URING_CMD_COMMIT_AND_FETCH" : "FUSE_IO_URING_CMD_REGISTER", q->qid,
                        strerror(-cqe->res));
                fail();
                return false;
        }

        e->registered = true;
        reply_to_entry(q, e);
        return true;
}

static void *queue_thread(void *arg) {
        struct queue *q = arg;
        struct io_uring_cqe *cqe;
        cpu_set_t cpus;
        int r;

        CPU_ZERO(&cpus);
        CPU_SET(q->qid, &cpus);
        /* A thread cannot run on an offline CPU, but that CPU's queue still needs its entries. */
        r = pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
        if (r != 0)
                fprintf(stderr, "uring-static: queue %u runs unpinned: failed to pin it to CPU %u: %s\n", q->qid,
                        q->qid, strerror(r));

        /*
         * FUSE's command needs 128-byte SQEs. Adding IORING_SETUP_SINGLE_ISSUER and
         * IORING_SETUP_DEFER_TASKRUN made no difference beyond the noise in 2 s runs at 1 to 16 readers.
         */
        r = io_uring_queue_init(ENTRIES_PER_QUEUE, &q->ring, IORING_SETUP_SQE128);
        if (r < 0) {
                fprintf(stderr, "uring-static: failed to set up the io_uring of queue %u: %s\n", q->qid, strerror(-r));
                goto fail;
        }
        if (entries_alloc(q) < 0)
                goto fail;

        for (unsigned i = 0; i < ENTRIES_PER_QUEUE; i++)
                prep_cmd(q, &q->entries[i], FUSE_IO_URING_CMD_REGISTER, 0);
        r = io_uring_submit(&q->ring);
        if (r != ENTRIES_PER_QUEUE) {
                fprintf(stderr, "uring-static: failed to submit FUSE_IO_URING_CMD_REGISTER on queue %u: %s\n", q->qid,
                        r < 0 ? strerror(-r) : "short submit");
                goto fail;
        }

        /* The kernel rejects a registration at once, so an error is in the completion queue by now. */
        if (io_uring_peek_cqe(&q->ring, &cqe) == 0 && cqe->res < 0) {
                fprintf(stderr, "uring-static: FUSE_IO_URING_CMD_REGISTER on queue %u failed: %s\n", q->qid,
                        strerror(-cqe->res));
                goto fail;
        }
        setup_finished();

        for (;;) {
                unsigned head, seen = 0;
                bool stop = false;

                r = io_uring_wait_cqe(&q->ring, &cqe);
                if (r == -EINTR)
                        continue;
                if (r < 0) {
                        fprintf(stderr, "uring-static: failed to wait on the io_uring of queue %u: %s\n", q->qid,
                                strerror(-r));
                        fail();
                        return NULL;
                }

                io_uring_for_each_cqe(&q->ring, head, cqe) {
                        seen++;
                        if (!complete(q, cqe))
                                stop = true;
                }
                io_uring_cq_advance(&q->ring, seen);
                if (stop)
                        return NULL;

                r = io_uring_submit(&q->ring);
                if (r < 0) {
                        fprintf(stderr,
                                "uring-static: failed to submit FUSE_IO_URING_CMD_COMMIT_AND_FETCH on queue "
                                "%u: %s\n",
                                q->qid, strerror(-r));
                        fail();
                        return NULL;
                }
        }

fail:
        atomic_store(&failed, true);
        setup_finished();
        return NULL;
}

static int start_queues(struct queue *queues, unsigned n) {
        for (unsigned i = 0; i < n; i++) {
                pthread_t t;
                int r;

                queues[i].fs = &fs;
                queues[i].qid = i;
                r = pthread_create(&t, NULL, queue_thread, &queues[i]);
                if (r != 0) {
                        fprintf(stderr, "uring-static: failed to start the thread of queue %u: %s\n", i, strerror(r));
                        return -1;
                }
                pthread_detach(t);
        }

        pthread_mutex_lock(&setup_lock);
        while (queues_set_up < n)
                pthread_cond_wait(&setup_done, &setup_lock);
        pthread_mutex_unlock(&setup_lock);
        return atomic_load(&failed) ? -1 : 0;
}

int main(int argc, char **argv) {
        struct queue *queues;
        uint64_t ring_requests = 0;
        unsigned n_queues;
        int r, status = EXIT_FAILURE;

        if (argc != 2) {
                fprintf(stderr, "Usage: uring-static MOUNTPOINT\n");
                return 2;
        }
        r = raw_fuse_load_content();
        if (r < 0) {
                fprintf(stderr, "uring-static: failed to read /proc/meminfo: %s\n", strerror(-r));
                return EXIT_FAILURE;
        }
        if (possible_cpus(&n_queues) < 0)
                return EXIT_FAILURE;
        queues = calloc(n_queues, sizeof(*queues));
        if (!queues)
                return EXIT_FAILURE;

        raw_fuse_block_signals();
        if (raw_fuse_mount(&fs, argv[1]) < 0)
                return EXIT_FAILURE;
        if (raw_fuse_init(&fs) < 0)
                goto out;
        if (!(fs.flags & FUSE_OVER_IO_URING)) {
                fprintf(stderr, "uring-static: the kernel does not offer FUSE over io_uring: it needs Linux 6.14 or "
                                "later with CONFIG_FUSE_IO_URING and /sys/module/fuse/parameters/enable_uring set "
                                "to Y\n");
                raw_fuse_unmount(&fs);
                return RAW_FUSE_EXIT_UNSUPPORTED;
        }

        if (raw_fuse_start_dev_threads(&fs, 1) < 0 || start_queues(queues, n_queues) < 0)
                goto out;
        printf("ready: %u queues of %d entries\n", n_queues, ENTRIES_PER_QUEUE);
        fflush(stdout);

        raw_fuse_wait_for_signal();

        for (unsigned i = 0; i < n_queues; i++)
                ring_requests += atomic_load(&queues[i].requests);
        /* FUSE_INIT, FORGET and INTERRUPT use /dev/fuse. Any other request there means the rings were not in use. */
        fprintf(stderr,
                "uring-static: replied to %" PRIu64 " requests through io_uring and %" PRIu64
                " through /dev/fuse (FUSE_INIT included)\n",
                ring_requests, atomic_load(&fs.dev_requests));
        if (!atomic_load(&failed))
                status = EXIT_SUCCESS;

out:
        raw_fuse_unmount(&fs);
        return status;
}
