/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Running a bundle with an OCI runtime (runc or crun) in the foreground and
 * deleting the container afterwards.
 */
#pragma once

#include <signal.h>
#include <stdbool.h>

struct runtime {
        const char *name; /* "runc" or "crun" */
        char *path; /* the binary, found in PATH */
        const char *root; /* state directory passed as --root */
};

/* Find name in PATH. Logs which Debian package to install when it is missing. */
int runtime_find(const char *name, const char *root, struct runtime *ret);

void runtime_done(struct runtime *rt);

/* Whether the state directory has an entry for a container called id. */
bool runtime_container_exists(const struct runtime *rt, const char *id);

/*
 * Fill mask with the signals that runtime_run() handles. The caller blocks
 * them with sigprocmask() before creating anything it must clean up, so an
 * interrupt can never skip the clean-up.
 */
void runtime_signal_mask(sigset_t *mask);

/*
 * Run "RUNTIME --root ROOT run --bundle BUNDLE ID" with the caller's stdio and
 * wait for it. *ret_status is its exit status, or 128+N after signal N. The
 * signals from runtime_signal_mask() must be blocked.
 */
int runtime_run(const struct runtime *rt, const char *bundle, const char *id, int *ret_status);

/* Run "RUNTIME --root ROOT delete --force ID" when the container exists. */
int runtime_delete(const struct runtime *rt, const char *id);
