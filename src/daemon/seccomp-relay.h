/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The supervisor's half of the seccomp agent. It listens on a unix socket
 * for the notification fds that runc and crun send when a container with a
 * seccomp listenerPath starts, keeps every fd while a task still uses its
 * filter, and hands each one to the current worker. Keeping them here means
 * a worker restart does not close them: with no reader left, the kernel would
 * fail the container's sysinfo() calls with ENOSYS.
 *
 * The relay reads no container data: it does not parse the OCI state that
 * comes with each fd.
 */
#pragma once

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

struct seccomp_relay;

/* Listen at path, creating its directory. */
int seccomp_relay_open(const char *path, struct seccomp_relay **ret);

/* Take over a relay from before a re-exec: the listening fd and "ID:FD,ID:FD" notification fds. */
int seccomp_relay_adopt(const char *path, int listen_fd, const char *fds, struct seccomp_relay **ret);

/* Keep the fds open across execve() and describe them for seccomp_relay_adopt(); the caller frees *ret_fds. */
int seccomp_relay_prepare_exec(struct seccomp_relay *r, int *ret_listen_fd, char **ret_fds);

/* How many fds seccomp_relay_pollfds() gives. */
size_t seccomp_relay_n_pollfds(const struct seccomp_relay *r);

/* The fds to poll: the listening socket and every notification fd (for POLLHUP). */
size_t seccomp_relay_pollfds(struct seccomp_relay *r, struct pollfd *fds, size_t max);

/* Handle what poll() reported on the fds seccomp_relay_pollfds() gave. */
void seccomp_relay_process(struct seccomp_relay *r, const struct pollfd *fds, size_t n);

/* Send every kept fd to a new worker's channel, and later ones as they come. -1 detaches. */
void seccomp_relay_set_worker(struct seccomp_relay *r, int channel_fd);

void seccomp_relay_free(struct seccomp_relay *r, bool remove_socket);
