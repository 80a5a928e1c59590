/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * "procview run": write an OCI bundle, run it with runc or crun in the
 * foreground, then delete the container and the bundle, whether or not the
 * container started.
 */
#include <signal.h>

#include "bundle.h"
#include "cli-util.h"
#include "oci-config.h"
#include "registry.h"
#include "run-options.h"
#include "runtime.h"
#include "seccomp-config.h"
#include "verbs.h"
#include "views.h"

static int check_host(const struct run_options *o, const struct runtime *rt) {
        if (geteuid() != 0)
                return log_error_errno(
                        -EPERM,
                        "procview run must be run as root, because the runtime creates namespaces and cgroups.");

        if (o->views_dir && views_check_mounted(o->views_dir, ", or pass --no-views") < 0)
                return -ENOTCONN;

        /* Refuse a name in use, because the clean-up would otherwise delete the other container. */
        if (runtime_container_exists(rt, o->name))
                return log_error_errno(-EEXIST,
                                       "A container named '%s' already exists in '%s'. Pass another --name, or remove "
                                       "it with '%s --root %s delete --force %s'.",
                                       o->name, rt->root, rt->name, rt->root, o->name);
        return 0;
}

/*
 * The runtime fails to start a container whose listenerPath nobody accepts,
 * so without a listening procviewd the container runs without the rule.
 */
static void check_seccomp_socket(struct run_options *o) {
        if (!o->seccomp_socket || seccomp_socket_is_listening(o->seccomp_socket))
                return;

        log_notice("No procviewd listens on '%s', so sysinfo() in the container shows the host's memory and "
                   "uptime. Pass --no-sysinfo to run without it and skip this notice.",
                   o->seccomp_socket);
        free(o->seccomp_socket);
        o->seccomp_socket = NULL;
}

static int fill_bundle(const char *bundle, const struct run_options *o) {
        _cleanup_free_ char *busybox_rootfs = NULL;
        int r;

        if (!o->rootfs) {
                r = bundle_build_busybox_rootfs(bundle, &busybox_rootfs);
                if (r < 0)
                        return r;
        }

        return oci_config_write(bundle, o->rootfs ?: busybox_rootfs, o);
}

static bool interrupt_pending(void) {
        sigset_t pending;

        if (sigpending(&pending) < 0)
                return false;
        return sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM) || sigismember(&pending, SIGHUP);
}

/* Returns the container's exit status, or a negative errno when it could not be run. */
static int run_in_bundle(const struct run_options *o, const struct runtime *rt, const char *bundle) {
        int status, r;

        r = fill_bundle(bundle, o);
        if (r < 0)
                return r;

        if (interrupt_pending())
                return log_error_errno(-EINTR, "Interrupted before the container started.");

        r = runtime_run(rt, bundle, o->name, &status);

        /* runc and crun remove a container whose process exited; this catches the rest. */
        (void) runtime_delete(rt, o->name);

        /* The hook recorded the container when it started. */
        if (o->views_dir)
                (void) registry_remove(o->name);

        return r < 0 ? r : status;
}

int verb_run(int argc, char *argv[]) {
        _cleanup_(run_options_done) struct run_options o = {};
        _cleanup_(runtime_done) struct runtime rt = {};
        _cleanup_free_ char *bundle = NULL;
        _cleanup_close_ int bundle_lock = -1;
        sigset_t mask;
        int r;

        r = run_options_parse(argc, argv, &o);
        if (r < 0)
                return EXIT_USAGE;
        if (r == 0)
                return EXIT_SUCCESS;

        r = runtime_find(o.runtime, o.runtime_root, &rt);
        if (r < 0)
                return EXIT_FAILURE;

        r = check_host(&o, &rt);
        if (r < 0)
                return EXIT_FAILURE;
        check_seccomp_socket(&o);

        /* From here on a signal must not skip the clean-up, so the wait loop handles them instead. */
        runtime_signal_mask(&mask);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) {
                log_error_errno(errno, "Failed to block signals: %m");
                return EXIT_FAILURE;
        }

        r = bundle_create(o.name, rt.root, &bundle, &bundle_lock);
        if (r < 0)
                return EXIT_FAILURE;

        r = run_in_bundle(&o, &rt, bundle);

        (void) bundle_remove(bundle);

        return r < 0 ? EXIT_FAILURE : r;
}
