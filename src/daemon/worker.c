/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The worker: builds the views, opens a libfuse session on the connection
 * the supervisor passed in, replays the kernel's INIT request into it, and
 * serves requests with its own thread pool. Each thread records the unique
 * id of the request it is processing in the handover region, so that the
 * supervisor can have the kernel resend those requests if this process dies.
 */
#include <pthread.h>
#include <stdlib.h>
#include <linux/fuse.h>
#include <sys/prctl.h>
#include <sys/uio.h>

#include "connection.h"
#include "daemon.h"
#include "fileio.h"
#include "fs.h"
#include "handover.h"
#include "log.h"
#include "nodes.h"
#include "privileges.h"
#include "sysinfo-agent.h"

/* How often the container cache drops entries of containers that are gone. */
#define PRUNE_INTERVAL_SEC 5

/* An id no kernel request has: even (not an interrupt) and without the resend bit. */
#define REPLAYED_INIT_UNIQUE UINT64_C(0x7ffffffffffffffe)

struct worker {
        const struct daemon_options *options;
        struct views views;
        struct fs_context fs;
        struct fuse_session *session;
        struct handover *handover;
        struct sysinfo_agent *agent;

        /* Guards done; done_cond wakes the main thread when a request thread ends. */
        pthread_mutex_t done_lock;
        pthread_cond_t done_cond;
        bool done;
};

/*
 * The devices a worker on a kernel without FUSE_NOTIFY_RESEND uses. A
 * request is taken from the connection a moment before its id reaches the
 * handover region, so a worker killed in between would leave a reader
 * waiting forever. Requests read from a device of the worker's own are
 * failed by the kernel when the worker dies, whenever it dies.
 */
struct worker_devices {
        int connection_fd; /* the supervisor's device, which read the kernel's INIT */
        int own_fd; /* a clone that no other process has open */
        uint64_t init_unique;
};

static struct worker_devices devices = { -1, -1, 0 };

static ssize_t devices_writev(int fd, struct iovec *iov, int count, void *userdata) {
        const struct fuse_out_header *out = iov[0].iov_base;

        (void) fd;
        (void) userdata;

        /* A reply must go to the device its request was read from. */
        if (iov[0].iov_len >= sizeof(*out) && out->unique == devices.init_unique)
                return writev(devices.connection_fd, iov, count);
        return writev(devices.own_fd, iov, count);
}

static ssize_t devices_read(int fd, void *buf, size_t len, void *userdata) {
        (void) fd;
        (void) userdata;

        return read(devices.own_fd, buf, len);
}

static const struct fuse_custom_io devices_io = {
        .writev = devices_writev,
        .read = devices_read,
};

struct serve_thread {
        struct worker *worker;
        unsigned slot;
        pthread_t thread;
};

static int setup_views(struct worker *w) {
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

        w->views.layout = layout;
        w->views.cpu_view = w->options->cpu_view;
        w->views.handover = w->handover;

        r = container_cache_new(layout, &w->views.cache);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the container cache: %m");

        r = loadavg_sampler_start(layout, w->handover, &w->views.sampler);
        if (r < 0)
                return r;

        r = nodes_init();
        if (r < 0)
                return log_error_errno(r, "Failed to build the file tree: %m");
        log_debug("Created %u nodes for the host's CPU directory", nodes_prewalk());

        return fs_context_init(&w->fs, &w->views);
}

static int open_session(struct worker *w) {
        char *argv[] = { (char *) "procview-worker", NULL };
        struct fuse_args args = FUSE_ARGS_INIT(1, argv);
        char fd_path[32];

        w->session = fuse_session_new(&args, &procview_fs_ops, sizeof(procview_fs_ops), &w->fs);
        fuse_opt_free_args(&args);
        if (!w->session)
                return log_error_errno(EIO, "Failed to create the FUSE session.");

        if (!connection_offers_resend(w->handover)) {
                int r;

                devices.connection_fd = w->options->fuse_fd;
                r = connection_clone(w->options->fuse_fd, &devices.own_fd);
                if (r < 0)
                        return r;
                if (fuse_session_custom_io(w->session, &devices_io, devices.own_fd) < 0)
                        return log_error_errno(EIO, "Failed to attach to the FUSE connection on fd %d.",
                                               devices.own_fd);
                return 0;
        }

        /* libfuse takes a connection that is already mounted as "/dev/fd/N". */
        snprintf(fd_path, sizeof(fd_path), "/dev/fd/%d", w->options->fuse_fd);
        if (fuse_session_mount(w->session, fd_path) < 0)
                return log_error_errno(EIO, "Failed to attach to the FUSE connection on fd %d.", w->options->fuse_fd);

        return 0;
}

/*
 * The kernel sends FUSE_INIT once per connection, and libfuse answers nothing
 * before it has processed one. Replay the request the supervisor saved: the
 * first worker answers it for real, later ones under an id the kernel does
 * not know, so the kernel drops that answer while libfuse is initialized.
 */
static int replay_init(struct worker *w) {
        uint8_t request[HANDOVER_INIT_MAX];
        struct fuse_in_header *header = (struct fuse_in_header *) request;
        struct fuse_buf buf = {};
        ssize_t len;

        len = handover_get_init(w->handover, request, sizeof(request));
        if (len < 0)
                return log_error_errno((int) len, "Failed to find the saved FUSE_INIT request: %m");
        if ((size_t) len < sizeof(*header) || header->opcode != FUSE_INIT)
                return log_error_errno(EBADMSG, "The saved FUSE_INIT request is malformed.");

        if (!w->options->answer_init)
                header->unique = REPLAYED_INIT_UNIQUE;
        devices.init_unique = header->unique;

        buf.mem = request;
        buf.size = (size_t) len;
        fuse_session_process_buf(w->session, &buf);
        return 0;
}

static void init_monotonic_cond(pthread_cond_t *cond) {
        pthread_condattr_t attr;

        pthread_condattr_init(&attr);
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        pthread_cond_init(cond, &attr);
        pthread_condattr_destroy(&attr);
}

static void mark_done(struct worker *w) {
        pthread_mutex_lock(&w->done_lock);
        w->done = true;
        pthread_cond_signal(&w->done_cond);
        pthread_mutex_unlock(&w->done_lock);
}

static void *serve_thread(void *userdata) {
        struct serve_thread *t = userdata;
        struct worker *w = t->worker;
        struct fuse_buf buf = {};

        while (!fuse_session_exited(w->session)) {
                const struct fuse_in_header *header;
                int r;

                r = fuse_session_receive_buf(w->session, &buf);
                if (r == -EINTR || r == -EAGAIN)
                        continue;
                if (r <= 0) {
                        if (r < 0 && r != -ENODEV)
                                log_error_errno(r, "Failed to read from the FUSE connection: %m");
                        break;
                }

                header = buf.mem;
                handover_set_inflight(w->handover, t->slot, header->unique);
                fuse_session_process_buf(w->session, &buf);
                handover_set_inflight(w->handover, t->slot, 0);
        }

        free(buf.mem);
        mark_done(w);
        return NULL;
}

static int start_threads(struct worker *w, struct serve_thread *threads, unsigned n) {
        for (unsigned i = 0; i < n; i++) {
                int r;

                threads[i] = (struct serve_thread){ .worker = w, .slot = w->options->slot_base + i };
                r = -pthread_create(&threads[i].thread, NULL, serve_thread, &threads[i]);
                if (r < 0)
                        return log_error_errno(r, "Failed to start request thread %u: %m", i);
        }
        return 0;
}

static void signal_ready(const struct daemon_options *o) {
        char byte = 1;

        if (o->ready_fd < 0)
                return;
        if (write(o->ready_fd, &byte, 1) != 1)
                log_warning_errno(errno, "Failed to tell the supervisor that the worker is ready: %m");
        close(o->ready_fd);
}

/* Wait until a request thread ends, dropping the cache entries of gone containers meanwhile. */
static void wait_and_prune(struct worker *w) {
        pthread_mutex_lock(&w->done_lock);
        while (!w->done) {
                struct timespec deadline;
                unsigned dropped;

                clock_gettime(CLOCK_MONOTONIC, &deadline);
                deadline.tv_sec += PRUNE_INTERVAL_SEC;
                if (pthread_cond_timedwait(&w->done_cond, &w->done_lock, &deadline) != ETIMEDOUT)
                        continue;

                pthread_mutex_unlock(&w->done_lock);
                dropped = container_cache_prune(w->views.cache);
                if (dropped > 0)
                        log_debug("Dropped %u cached containers that are gone.", dropped);
                pthread_mutex_lock(&w->done_lock);
        }
        pthread_mutex_unlock(&w->done_lock);
}

int worker_run(const struct daemon_options *o) {
        static struct serve_thread threads[WORKER_MAX_THREADS];
        struct worker w = { .options = o };
        int r;

        prctl(PR_SET_NAME, "procview-worker");
        pthread_mutex_init(&w.done_lock, NULL);
        init_monotonic_cond(&w.done_cond);

        r = handover_map(o->handover_fd, &w.handover);
        if (r < 0)
                return log_error_errno(r, "Failed to map the handover region: %m");

        /* Before setup_views(), whose load sampler is the first thread of the worker. */
        r = privileges_drop_worker();
        if (r < 0)
                return r;

        r = setup_views(&w);
        if (r < 0)
                return r;
        r = open_session(&w);
        if (r < 0)
                return r;
        r = replay_init(&w);
        if (r < 0)
                return r;
        r = start_threads(&w, threads, o->threads);
        if (r < 0)
                return r;

        if (o->seccomp_fd >= 0) {
                r = sysinfo_agent_start(&w.views, w.handover, o->seccomp_fd, o->slot_base == 0 ? 0 : 1, &w.agent);
                if (r < 0)
                        return r;
        }

        signal_ready(o);
        log_debug("Worker %d serving with %u threads", (int) getpid(), o->threads);

        wait_and_prune(&w);

        /*
         * A request thread ends only when the connection is gone. The others
         * may still block in read(2), so end the process without joining them.
         */
        log_info("The FUSE connection was closed; the worker exits.");
        _exit(WORKER_EXIT_UNMOUNTED);
}
