/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "log.h"
#include "parse.h"
#include "sysinfo-agent.h"

/* epoll data of the control socket; notification fds use their index. */
#define CONTROL_KEY UINT64_MAX

struct notify_fd {
        uint32_t id;
        int fd;
};

struct sysinfo_agent {
        struct views *views;
        struct handover *handover;
        int control_fd;
        unsigned slot;
        int epoll_fd;

        /* Only the agent thread touches these. */
        struct notify_fd *fds;
        size_t n_fds;
        struct seccomp_notif *req;
        struct seccomp_notif_resp *resp;
        size_t notif_size; /* bytes the kernel writes on a receive */
        pthread_t thread;

        /* Tests set PROCVIEW_TEST_KILL_AFTER_RECEIVE=N to kill the worker after its Nth receive. */
        unsigned kill_after_receive;
        unsigned received;

        /* This worker's slot as the agent found it at start, left by the worker it replaces. */
        uint32_t inherited_fd_id;
        ssize_t inherited_len;
        uint64_t inherited[HANDOVER_SECCOMP_NOTIF_MAX / sizeof(uint64_t)];
};

static void respond_continue(struct seccomp_notif_resp *resp) {
        resp->val = 0;
        resp->error = 0;
        resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
}

/*
 * Write si into the caller's memory. The mem fd pins the caller's address
 * space, so checking the notification after opening it makes sure the pid
 * was not reused by another process in between.
 */
static int write_to_caller(int notify_fd, const struct seccomp_notif *req, const struct sysinfo *si) {
        _cleanup_close_ int mem_fd = -1;
        char path[64];
        ssize_t n;

        snprintf(path, sizeof(path), "/proc/%u/mem", req->pid);
        mem_fd = open(path, O_RDWR | O_CLOEXEC);
        if (mem_fd < 0)
                return -errno;

        if (seccomp_notify_id_valid(notify_fd, req->id) < 0)
                return -ESRCH;

        n = pwrite(mem_fd, si, sizeof(*si), (off_t) req->data.args[0]);
        if (n < 0)
                return -errno;
        return n == (ssize_t) sizeof(*si) ? 0 : -EIO;
}

static void handle(struct sysinfo_agent *a, int notify_fd, const struct seccomp_notif *req,
                   struct seccomp_notif_resp *resp) {
        struct sysinfo si;
        int r;

        resp->id = req->id;
        respond_continue(resp);

        if (req->data.nr != __NR_sysinfo || req->data.arch != seccomp_arch_native()) {
                log_ratelimited(LOG_DEBUG, 0, "Letting unexpected system call %d of pid %u through.", req->data.nr,
                                req->pid);
                return;
        }

        r = views_sysinfo(a->views, (pid_t) req->pid, &si);
        if (r < 0) {
                if (r != -EOPNOTSUPP)
                        log_ratelimited(LOG_DEBUG, r, "Letting sysinfo() of pid %u through: %m", req->pid);
                return;
        }

        r = write_to_caller(notify_fd, req, &si);
        if (r < 0) {
                log_ratelimited(LOG_DEBUG, r, "Failed to write sysinfo() of pid %u: %m", req->pid);
                return;
        }

        resp->val = 0;
        resp->flags = 0;
}

static void respond(int notify_fd, struct seccomp_notif_resp *resp) {
        int r;

        r = seccomp_notify_respond(notify_fd, resp);
        /* ENOENT: the caller was interrupted or died, and the kernel dropped the notification. */
        if (r < 0 && r != -ENOENT)
                log_ratelimited(LOG_WARNING, r, "Failed to respond to a seccomp notification: %m");
}

/*
 * Return the buffer for the next notification: the handover slot, so that the
 * notification outlives this worker, or a->req when it does not fit the slot.
 *
 * NOTE: in a->req, a call received by a worker that then dies stays blocked until its container exits.
 */
static struct seccomp_notif *receive_buffer(struct sysinfo_agent *a, const struct notify_fd *nf) {
        struct seccomp_notif *buf;

        buf = handover_seccomp_receive_buffer(a->handover, a->slot, nf->id, a->notif_size);
        if (buf)
                return buf;

        memset(a->req, 0, a->notif_size);
        return a->req;
}

static void receive_notification(struct sysinfo_agent *a, size_t index) {
        struct notify_fd *nf = &a->fds[index];
        struct seccomp_notif *buf;
        int r;

        buf = receive_buffer(a, nf);
        r = seccomp_notify_receive(nf->fd, buf);
        if (r < 0) {
                if (r != -ENOENT && r != -EINTR)
                        log_ratelimited(LOG_DEBUG, r, "Failed to receive a seccomp notification: %m");
                return;
        }

        if (a->kill_after_receive > 0 && ++a->received == a->kill_after_receive) {
                log_notice("Killing this worker after receiving notification %" PRIu64
                           ", as PROCVIEW_TEST_KILL_AFTER_RECEIVE requests.",
                           (uint64_t) buf->id);
                raise(SIGKILL);
        }

        if (buf != a->req)
                memcpy(a->req, buf, a->notif_size);
        handle(a, nf->fd, a->req, a->resp);
        respond(nf->fd, a->resp);
        handover_clear_seccomp(a->handover, a->slot);
}

/*
 * Copy a slot's notification: this worker's own slot as it was at start,
 * because this agent overwrites it as it receives, and the other one as it is.
 */
static ssize_t read_slot(struct sysinfo_agent *a, unsigned slot, uint32_t *ret_fd_id, void *buf, size_t size) {
        if (slot != a->slot)
                return handover_get_seccomp(a->handover, slot, ret_fd_id, buf, size);
        if (a->inherited_len <= 0 || (size_t) a->inherited_len > size)
                return -ENOENT;

        *ret_fd_id = a->inherited_fd_id;
        memcpy(buf, a->inherited, (size_t) a->inherited_len);
        return a->inherited_len;
}

/*
 * Answer a notification that a crashed worker had received but not answered.
 * A worker started after a crash takes the crashed worker's slot, so this
 * worker's own slot is read too: it runs on the agent thread, like the only
 * code that fills that slot, so a filled one was left by an earlier worker.
 */
static void finish_orphaned(struct sysinfo_agent *a, struct notify_fd *nf) {
        for (unsigned slot = 0; slot < HANDOVER_SECCOMP_SLOTS; slot++) {
                uint8_t buf[HANDOVER_SECCOMP_NOTIF_MAX] = {};
                const struct seccomp_notif *req = (const void *) buf;
                uint32_t fd_id;

                if (read_slot(a, slot, &fd_id, buf, sizeof(buf)) < (ssize_t) sizeof(*req))
                        continue;
                /* A slot emptied for a receive stays zero until the kernel writes a notification. */
                if (fd_id != nf->id || req->pid == 0)
                        continue;
                if (seccomp_notify_id_valid(nf->fd, req->id) < 0)
                        continue;

                log_info("Responding to a sysinfo() call of pid %u that an earlier worker did not respond to.",
                         req->pid);
                handle(a, nf->fd, req, a->resp);
                respond(nf->fd, a->resp);
        }
}

static void remove_fd(struct sysinfo_agent *a, size_t index) {
        epoll_ctl(a->epoll_fd, EPOLL_CTL_DEL, a->fds[index].fd, NULL);
        close(a->fds[index].fd);
        a->fds[index].fd = -1;
}

static int add_fd(struct sysinfo_agent *a, uint32_t id, int fd) {
        struct epoll_event ev = { .events = EPOLLIN };
        struct notify_fd *grown;
        size_t index = a->n_fds;

        /* Reuse the place of a closed fd before growing. */
        for (size_t i = 0; i < a->n_fds; i++)
                if (a->fds[i].fd < 0) {
                        index = i;
                        break;
                }

        if (index == a->n_fds) {
                grown = realloc(a->fds, (a->n_fds + 1) * sizeof(*a->fds));
                if (!grown)
                        return -ENOMEM;
                a->fds = grown;
                a->n_fds++;
        }

        a->fds[index] = (struct notify_fd){ .id = id, .fd = fd };
        ev.data.u64 = index;
        if (epoll_ctl(a->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
                a->fds[index].fd = -1;
                return -errno;
        }

        finish_orphaned(a, &a->fds[index]);
        return 0;
}

/* One message from the supervisor: a 4-byte id and the notification fd. */
static void receive_fd(struct sysinfo_agent *a) {
        union {
                struct cmsghdr header;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        uint32_t id;
        struct iovec iov = { &id, sizeof(id) };
        struct msghdr msg = {
                .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof(control)
        };
        struct cmsghdr *c;
        ssize_t n;
        int fd = -1, r;

        n = recvmsg(a->control_fd, &msg, MSG_CMSG_CLOEXEC);
        if (n <= 0) {
                if (n == 0) {
                        /* The supervisor is gone; the worker ends with it. */
                        epoll_ctl(a->epoll_fd, EPOLL_CTL_DEL, a->control_fd, NULL);
                }
                return;
        }

        c = CMSG_FIRSTHDR(&msg);
        if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
                memcpy(&fd, CMSG_DATA(c), sizeof(fd));
        if (fd < 0 || n != sizeof(id)) {
                if (fd >= 0)
                        close(fd);
                log_warning("Ignoring a malformed message from the supervisor on the seccomp channel.");
                return;
        }

        r = add_fd(a, id, fd);
        if (r < 0) {
                log_error_errno(r, "Failed to watch seccomp notification fd %u: %m", id);
                close(fd);
                return;
        }
        log_debug("Watching seccomp notifications of fd %u.", id);
}

static void *agent_thread(void *userdata) {
        struct sysinfo_agent *a = userdata;

        for (;;) {
                struct epoll_event events[16];
                int n;

                n = epoll_wait(a->epoll_fd, events, ELEMENTSOF(events), -1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        log_error_errno(errno, "Failed to wait for seccomp notifications: %m");
                        return NULL;
                }

                for (int i = 0; i < n; i++) {
                        uint64_t key = events[i].data.u64;

                        if (key == CONTROL_KEY)
                                receive_fd(a);
                        else if (key < a->n_fds && a->fds[key].fd >= 0) {
                                /* HUP: every task that used the filter has exited. */
                                if (events[i].events & (EPOLLHUP | EPOLLERR))
                                        remove_fd(a, key);
                                else
                                        receive_notification(a, key);
                        }
                }
        }
}

/* Return the size of the notification the kernel writes, which may differ from this build's headers. */
static size_t kernel_notif_size(void) {
        struct seccomp_notif_sizes sizes = {};

        if (syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0 || sizes.seccomp_notif == 0)
                return sizeof(struct seccomp_notif);
        return sizes.seccomp_notif;
}

int sysinfo_agent_start(struct views *views, struct handover *handover, int control_fd, unsigned slot,
                        struct sysinfo_agent **ret) {
        struct epoll_event ev = { .events = EPOLLIN, .data.u64 = CONTROL_KEY };
        struct sysinfo_agent *a;
        const char *test_kill;
        int r;

        a = calloc(1, sizeof(*a));
        if (!a)
                return -ENOMEM;

        a->views = views;
        a->handover = handover;
        a->control_fd = control_fd;
        a->slot = slot;
        test_kill = getenv("PROCVIEW_TEST_KILL_AFTER_RECEIVE");
        if (test_kill && safe_atou(test_kill, &a->kill_after_receive) < 0)
                log_warning("Ignoring PROCVIEW_TEST_KILL_AFTER_RECEIVE='%s': expected a number.", test_kill);
        a->inherited_len =
                handover_get_seccomp(handover, slot, &a->inherited_fd_id, a->inherited, sizeof(a->inherited));

        r = seccomp_notify_alloc(&a->req, &a->resp);
        if (r < 0)
                goto fail;
        a->notif_size = kernel_notif_size();

        a->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        if (a->epoll_fd < 0 || epoll_ctl(a->epoll_fd, EPOLL_CTL_ADD, control_fd, &ev) < 0) {
                r = -errno;
                goto fail;
        }

        r = -pthread_create(&a->thread, NULL, agent_thread, a);
        if (r < 0)
                goto fail;

        *ret = a;
        return 0;

fail:
        log_error_errno(r, "Failed to start the seccomp agent: %m");
        if (a->epoll_fd > 0)
                close(a->epoll_fd);
        seccomp_notify_free(a->req, a->resp);
        free(a);
        return r;
}
