/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include "cli-util.h"
#include "runtime.h"
#include "spawn.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Ctrl-C presses after which procview kills a runtime whose container ignores SIGINT. */
#define INTERRUPTS_BEFORE_KILL 3

static int find_in_path(const char *name, char **ret) {
        const char *search = getenv("PATH") ?: DEFAULT_PATH;

        for (const char *p = search; *p != '\0'; p += strcspn(p, ":")) {
                _cleanup_free_ char *candidate = NULL;
                size_t length;
                struct stat st;

                p += strspn(p, ":");
                length = strcspn(p, ":");
                if (length == 0)
                        continue;

                candidate = format_string("%.*s/%s", (int) length, p, name);
                if (!candidate)
                        return -ENOMEM;
                if (stat(candidate, &st) < 0 || !S_ISREG(st.st_mode) || access(candidate, X_OK) < 0)
                        continue;

                *ret = TAKE_PTR(candidate);
                return 0;
        }
        return -ENOENT;
}

int runtime_find(const char *name, const char *root, struct runtime *ret) {
        char *path;
        int r;

        r = find_in_path(name, &path);
        if (r == -ENOENT)
                /* Debian ships both runtimes in packages named like the binary. */
                return log_error_errno(r, "Runtime '%s' not found in PATH. Install it with 'apt install %s'.", name,
                                       name);
        if (r < 0)
                return log_oom();

        *ret = (struct runtime){ .name = name, .path = path, .root = root };
        return 0;
}

void runtime_done(struct runtime *rt) {
        free(rt->path);
        rt->path = NULL;
}

bool runtime_container_exists(const struct runtime *rt, const char *id) {
        _cleanup_free_ char *path = format_string("%s/%s", rt->root, id);

        /* runc and crun both keep one directory per container id under --root. */
        if (!path)
                return true;
        return access(path, F_OK) >= 0;
}

static bool cgroup_layout_is_hybrid(void) {
        struct statfs sfs;

        /* A v1 layout mounts a tmpfs at /sys/fs/cgroup, v2 a cgroup2 file system. */
        if (statfs("/sys/fs/cgroup", &sfs) < 0 || sfs.f_type != TMPFS_MAGIC)
                return false;
        return statfs("/sys/fs/cgroup/unified", &sfs) >= 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

/*
 * crun 1.8 exits with "cgroups in hybrid mode not supported" when it finds
 * the cgroup2 mount at /sys/fs/cgroup/unified next to the v1 hierarchies.
 * Hide that mount from crun, in a mount namespace of crun's own, so it
 * drives the v1 hierarchies like runc does. The host's mounts stay as they are.
 */
static int hide_unified_cgroup_mount(void) {
        if (!cgroup_layout_is_hybrid())
                return 0;

        if (unshare(CLONE_NEWNS) < 0)
                return log_error_errno(errno, "Failed to create a mount namespace for crun: %m");

        /* Without this the unmount below would propagate back to the host. */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return log_error_errno(errno, "Failed to make the mounts private for crun: %m");

        if (umount2("/sys/fs/cgroup/unified", MNT_DETACH) < 0)
                return log_error_errno(errno, "Failed to unmount '/sys/fs/cgroup/unified' for crun: %m");
        return 0;
}

static spawn_setup_t runtime_setup(const struct runtime *rt) {
        return streq(rt->name, "crun") ? hide_unified_cgroup_mount : NULL;
}

void runtime_signal_mask(sigset_t *mask) {
        sigemptyset(mask);
        sigaddset(mask, SIGCHLD);
        sigaddset(mask, SIGINT);
        sigaddset(mask, SIGQUIT);
        sigaddset(mask, SIGTERM);
        sigaddset(mask, SIGHUP);
}

/*
 * Pass sig on to the runtime, which forwards it to the container. A signal
 * from the terminal (SI_KERNEL) reached the runtime already, because it
 * shares procview's process group, so only the others are passed on.
 */
static void handle_signal(const siginfo_t *info, pid_t runtime_pid, unsigned *interrupts) {
        if (info->si_signo == SIGINT && ++*interrupts == INTERRUPTS_BEFORE_KILL) {
                log_notice("Killing the container after %u interrupts.", *interrupts);
                kill(runtime_pid, SIGKILL);
                return;
        }

        if (info->si_code != SI_KERNEL)
                kill(runtime_pid, info->si_signo);
}

static int wait_forwarding_signals(pid_t runtime_pid, int *ret_status) {
        unsigned interrupts = 0;
        sigset_t mask;

        runtime_signal_mask(&mask);

        for (;;) {
                siginfo_t info;
                int wait_status;
                pid_t pid;

                pid = waitpid(runtime_pid, &wait_status, WNOHANG);
                if (pid < 0)
                        return log_error_errno(errno, "Failed to wait for the runtime: %m");
                if (pid == runtime_pid) {
                        *ret_status = exit_status_from_wait(wait_status);
                        return 0;
                }

                if (sigwaitinfo(&mask, &info) < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(errno, "Failed to wait for signals: %m");
                }

                if (info.si_signo != SIGCHLD)
                        handle_signal(&info, runtime_pid, &interrupts);
        }
}

int runtime_run(const struct runtime *rt, const char *bundle, const char *id, int *ret_status) {
        char *argv[] = {
                (char *) rt->name,   (char *) "--root", (char *) rt->root, (char *) "run",
                (char *) "--bundle", (char *) bundle,   (char *) id,       NULL,
        };
        pid_t pid;
        int r;

        r = spawn_process(rt->path, argv, runtime_setup(rt), &pid);
        if (r < 0)
                return r;

        r = wait_forwarding_signals(pid, ret_status);
        if (r < 0) {
                /* Never leave the runtime running unsupervised. */
                kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
        }
        return r;
}

int runtime_delete(const struct runtime *rt, const char *id) {
        char *argv[] = {
                (char *) rt->name,
                (char *) "--root",
                (char *) rt->root,
                (char *) "delete",
                (char *) "--force",
                (char *) id,
                NULL,
        };
        _cleanup_free_ char *output = NULL;
        int status, r;

        if (!runtime_container_exists(rt, id))
                return 0;

        r = spawn_capture(rt->path, argv, runtime_setup(rt), STDERR_FILENO, &output, &status);
        if (r < 0)
                return r;

        /* A container that stopped on its own may vanish between the check and the delete. */
        if (status == 0 || strstr(output, "does not exist"))
                return 0;

        output[strcspn(output, "\n")] = '\0';
        return log_error_errno(-EIO, "Failed to delete container '%s' with '%s --root %s delete --force %s': %s", id,
                               rt->name, rt->root, id, output);
}
