/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "log.h"
#include "parse.h"
#include "seccomp-relay.h"
#include "strbuf.h"

/* The OCI state that runc sends with the fd fits easily; longer messages are cut, which is harmless. */
#define STATE_BUFFER 65536
#define MAX_FDS_PER_MESSAGE 4

struct kept_fd {
        uint32_t id;
        int fd;
};

struct seccomp_relay {
        char *path;
        int listen_fd;
        int channel_fd; /* the worker's end is in the worker; -1 while none serves */
        uint32_t next_id;
        struct kept_fd *fds;
        size_t n_fds;
};

/* Whether a process accepts connections on the socket at addr. */
static bool socket_accepts(const struct sockaddr_un *addr) {
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        return fd >= 0 && connect(fd, (const struct sockaddr *) addr, sizeof(*addr)) == 0;
}

static int listen_at(const char *path) {
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        _cleanup_free_ char *dir = NULL;
        _cleanup_close_ int fd = -1;
        char *slash;

        if (strlen(path) >= sizeof(addr.sun_path))
                return log_error_errno(ENAMETOOLONG, "Seccomp socket path '%s' is too long.", path);
        strcpy(addr.sun_path, path);

        dir = strdup(path);
        if (!dir)
                return -ENOMEM;
        slash = strrchr(dir, '/');
        if (slash && slash != dir) {
                *slash = '\0';
                if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                        return log_error_errno(errno, "Failed to create '%s': %m", dir);
        }

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return log_error_errno(errno, "Failed to create the seccomp socket: %m");

        /* A socket file left by an earlier daemon is stale, but one that accepts belongs to a live daemon. */
        if (socket_accepts(&addr))
                return log_error_errno(EADDRINUSE,
                                       "Another procviewd serves sysinfo() on '%s'. Stop it first, or give this one "
                                       "its own --seccomp-socket.",
                                       path);
        (void) unlink(path);
        if (bind(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0)
                return log_error_errno(errno, "Failed to bind the seccomp socket '%s': %m", path);
        if (chmod(path, 0600) < 0 || listen(fd, 64) < 0)
                return log_error_errno(errno, "Failed to listen on '%s': %m", path);

        return TAKE_FD(fd);
}

static struct seccomp_relay *relay_new(const char *path, int listen_fd) {
        struct seccomp_relay *r = calloc(1, sizeof(*r));

        if (!r)
                return NULL;
        r->path = strdup(path);
        if (!r->path) {
                free(r);
                return NULL;
        }
        r->listen_fd = listen_fd;
        r->channel_fd = -1;
        r->next_id = 1;
        return r;
}

int seccomp_relay_open(const char *path, struct seccomp_relay **ret) {
        struct seccomp_relay *r;
        int fd;

        fd = listen_at(path);
        if (fd < 0)
                return fd;

        r = relay_new(path, fd);
        if (!r) {
                close(fd);
                return -ENOMEM;
        }

        log_info("Serving sysinfo() for containers whose seccomp profile uses '%s'.", path);
        *ret = r;
        return 0;
}

static int keep_fd(struct seccomp_relay *r, uint32_t id, int fd) {
        struct kept_fd *grown;

        grown = realloc(r->fds, (r->n_fds + 1) * sizeof(*r->fds));
        if (!grown)
                return -ENOMEM;

        r->fds = grown;
        r->fds[r->n_fds++] = (struct kept_fd){ id, fd };
        if (id >= r->next_id)
                r->next_id = id + 1;
        return 0;
}

int seccomp_relay_adopt(const char *path, int listen_fd, const char *fds, struct seccomp_relay **ret) {
        struct seccomp_relay *r;
        const char *p = fds;

        r = relay_new(path, listen_fd);
        if (!r)
                return -ENOMEM;
        fcntl(listen_fd, F_SETFD, FD_CLOEXEC);

        while (p && *p) {
                uint64_t id, fd;

                if (parse_u64_prefix(p, &id, &p) < 0 || *p++ != ':' || parse_u64_prefix(p, &fd, &p) < 0 ||
                    (*p != ',' && *p != '\0')) {
                        seccomp_relay_free(r, false);
                        return log_error_errno(EINVAL, "Invalid --seccomp-fds '%s'.", fds);
                }
                if (*p == ',')
                        p++;

                fcntl((int) fd, F_SETFD, FD_CLOEXEC);
                if (keep_fd(r, (uint32_t) id, (int) fd) < 0) {
                        seccomp_relay_free(r, false);
                        return -ENOMEM;
                }
        }

        *ret = r;
        return 0;
}

int seccomp_relay_prepare_exec(struct seccomp_relay *r, int *ret_listen_fd, char **ret_fds) {
        _cleanup_strbuf_ struct strbuf list = STRBUF_INIT;

        if (fcntl(r->listen_fd, F_SETFD, 0) < 0)
                return -errno;

        for (size_t i = 0; i < r->n_fds; i++) {
                if (fcntl(r->fds[i].fd, F_SETFD, 0) < 0)
                        return -errno;
                strbuf_printf(&list, "%s%u:%d", i > 0 ? "," : "", r->fds[i].id, r->fds[i].fd);
        }
        strbuf_puts(&list, "");

        *ret_fds = strbuf_steal(&list, NULL);
        if (!*ret_fds)
                return -ENOMEM;
        *ret_listen_fd = r->listen_fd;
        return 0;
}

size_t seccomp_relay_n_pollfds(const struct seccomp_relay *r) {
        return 1 + r->n_fds;
}

size_t seccomp_relay_pollfds(struct seccomp_relay *r, struct pollfd *fds, size_t max) {
        size_t n = 0;

        if (max == 0)
                return 0;

        fds[n++] = (struct pollfd){ .fd = r->listen_fd, .events = POLLIN };
        for (size_t i = 0; i < r->n_fds && n < max; i++)
                fds[n++] = (struct pollfd){ .fd = r->fds[i].fd, .events = 0 };
        return n;
}

static void send_fd(struct seccomp_relay *r, const struct kept_fd *k) {
        union {
                struct cmsghdr header;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov = { (void *) &k->id, sizeof(k->id) };
        struct msghdr msg = {
                .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof(control)
        };
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

        if (r->channel_fd < 0)
                return;

        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &k->fd, sizeof(int));

        if (sendmsg(r->channel_fd, &msg, MSG_NOSIGNAL) < 0)
                log_warning_errno(errno, "Failed to pass seccomp fd %u to the worker: %m", k->id);
}

/* Take the fds one runtime connection sends; the OCI state that comes with them is not read. */
static void accept_runtime(struct seccomp_relay *r) {
        union {
                struct cmsghdr header;
                char buf[CMSG_SPACE(MAX_FDS_PER_MESSAGE * sizeof(int))];
        } control = {};
        _cleanup_free_ char *state = NULL;
        _cleanup_close_ int conn = -1;
        struct timeval timeout = { .tv_sec = 1 };
        struct iovec iov;
        struct msghdr msg = {
                .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof(control)
        };

        conn = accept4(r->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (conn < 0)
                return;

        state = malloc(STATE_BUFFER);
        if (!state)
                return;
        iov = (struct iovec){ state, STATE_BUFFER };

        /* A runtime sends at once; do not let a silent client stall the supervisor. */
        (void) setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
        if (recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) < 0) {
                log_warning_errno(errno, "Failed to receive a seccomp fd from the runtime: %m");
                return;
        }

        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
                size_t n;

                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;

                n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < n; i++) {
                        int fd;

                        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                        if (keep_fd(r, r->next_id, fd) < 0) {
                                close(fd);
                                continue;
                        }
                        log_debug("Keeping seccomp notification fd %u.", r->fds[r->n_fds - 1].id);
                        send_fd(r, &r->fds[r->n_fds - 1]);
                }
        }
}

static void drop_fd(struct seccomp_relay *r, int fd) {
        for (size_t i = 0; i < r->n_fds; i++)
                if (r->fds[i].fd == fd) {
                        log_debug("Seccomp fd %u is no longer used; closing it.", r->fds[i].id);
                        close(fd);
                        r->fds[i] = r->fds[--r->n_fds];
                        return;
                }
}

void seccomp_relay_process(struct seccomp_relay *r, const struct pollfd *fds, size_t n) {
        for (size_t i = 0; i < n; i++) {
                if (fds[i].fd == r->listen_fd) {
                        if (fds[i].revents & POLLIN)
                                accept_runtime(r);
                        continue;
                }
                /* HUP: every task that used the filter has exited. */
                if (fds[i].revents & (POLLHUP | POLLERR | POLLNVAL))
                        drop_fd(r, fds[i].fd);
        }
}

void seccomp_relay_set_worker(struct seccomp_relay *r, int channel_fd) {
        if (r->channel_fd >= 0)
                close(r->channel_fd);
        r->channel_fd = channel_fd;

        for (size_t i = 0; i < r->n_fds; i++)
                send_fd(r, &r->fds[i]);
}

void seccomp_relay_free(struct seccomp_relay *r, bool remove_socket) {
        if (!r)
                return;

        if (remove_socket)
                (void) unlink(r->path);
        for (size_t i = 0; i < r->n_fds; i++)
                close(r->fds[i].fd);
        if (r->listen_fd >= 0)
                close(r->listen_fd);
        if (r->channel_fd >= 0)
                close(r->channel_fd);
        free(r->fds);
        free(r->path);
        free(r);
}
