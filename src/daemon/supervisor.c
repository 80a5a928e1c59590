/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The supervisor: mounts the file system, keeps the FUSE connection's fd,
 * and runs one worker process at a time on it. It parses no container data,
 * only the kernel's FUSE_INIT request, so it has almost nothing that can
 * crash.
 *
 *   - A worker that dies is replaced at once. Requests it had read but not
 *     answered are sent again with FUSE_NOTIFY_RESEND (Linux 6.9 and later);
 *     on older kernels they are failed with EIO instead of hanging.
 *   - SIGHUP re-executes the supervisor's binary (possibly a new version),
 *     keeping the connection; the new image starts a new worker and retires
 *     the old one.
 *   - Under systemd the connection is also kept in the service's file
 *     descriptor store, so a restart of the service keeps the mount alive.
 *     systemd stops a restarting service with RESTART_SIGNAL (the unit's
 *     RestartKillSignal=) and a stopping one with SIGTERM, which unmounts.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "connection.h"
#include "daemon.h"
#include "fileio.h"
#include "handover.h"
#include "log.h"
#include "mountpoint.h"
#include "reattach-child.h"
#include "seccomp-relay.h"

/* This many workers in a row dying sooner than this after they started is a crash loop. */
#define CRASH_LOOP_COUNT 3
#define CRASH_LOOP_SERVED_SEC 0.5

/* The signal (the unit's RestartKillSignal=) that stops the supervisor but leaves the mount to the next instance. */
#define RESTART_SIGNAL SIGUSR1

/* Names of the fds in systemd's file descriptor store. */
#define FDNAME_FUSE "fuse"
#define FDNAME_HANDOVER "handover"

struct supervisor {
        const struct daemon_options *options;
        char *const *argv;
        char exe[4096];

        int fuse_fd;
        int handover_fd;
        struct handover *handover;
        bool resend;
        bool fdstore; /* systemd's file descriptor store contains fuse_fd and handover_fd */
        bool restarting; /* stopped by RESTART_SIGNAL */

        int signal_fd;
        struct seccomp_relay *relay; /* NULL when the sysinfo agent is off */
        int starting_channel; /* seccomp channel to the starting worker, or -1 */
        int ready_fd; /* readiness pipe of the starting worker, or -1 */
        pid_t starting; /* started, not ready yet */
        pid_t worker; /* serving */
        pid_t retiring; /* replaced by an upgrade, to be stopped */
        unsigned starting_slots, worker_slots, retiring_slots;
        bool served_once;

        struct timespec worker_started; /* when the serving worker was started */
        struct timespec starting_started; /* when the starting worker was started */
        unsigned quick_crashes;
};

static unsigned max_cpus(void) {
        _cleanup_free_ char *text = NULL;
        struct cpuset possible;
        int last = -1;

        if (read_full_file_at(AT_FDCWD, "/sys/devices/system/cpu/possible", &text, NULL) >= 0 &&
            cpuset_parse(text, &possible) >= 0)
                CPUSET_FOREACH(cpu, &possible)
        last = cpu;

        return last >= 0 ? (unsigned) last + 1 : (unsigned) sysconf(_SC_NPROCESSORS_CONF);
}

static int clear_cloexec(int fd) {
        int flags = fcntl(fd, F_GETFD);

        if (flags < 0 || fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
                return -errno;
        return 0;
}

static const char *cpu_view_name(enum cpu_view_mode mode) {
        return mode == CPU_VIEW_QUOTA ? "quota" : "cpuset";
}

static void exec_worker(struct supervisor *s, int ready_fd, int channel_fd, unsigned slot_base, bool answer_init) {
        const struct daemon_options *o = s->options;
        char fuse_fd[32], handover_fd[32], ready[32], slots[32], threads[32], cpu_view[32], level[32], seccomp[32];
        sigset_t none;

        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        /* The worker must not outlive the supervisor, or it would keep a connection that no supervisor restarts. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);

        if (clear_cloexec(s->fuse_fd) < 0 || clear_cloexec(s->handover_fd) < 0 || clear_cloexec(ready_fd) < 0)
                _exit(127);
        if (channel_fd >= 0 && clear_cloexec(channel_fd) < 0)
                _exit(127);

        snprintf(fuse_fd, sizeof(fuse_fd), "--fuse-fd=%d", s->fuse_fd);
        snprintf(handover_fd, sizeof(handover_fd), "--handover-fd=%d", s->handover_fd);
        snprintf(ready, sizeof(ready), "--ready-fd=%d", ready_fd);
        snprintf(slots, sizeof(slots), "--slot-base=%u", slot_base);
        snprintf(threads, sizeof(threads), "--threads=%u", o->threads);
        snprintf(cpu_view, sizeof(cpu_view), "--cpu-view=%s", cpu_view_name(o->cpu_view));
        snprintf(level, sizeof(level), "--log-level=%d", o->log_level);
        /* Without a channel, an option that changes nothing keeps the argument list's shape. */
        if (channel_fd >= 0)
                snprintf(seccomp, sizeof(seccomp), "--seccomp-fd=%d", channel_fd);
        else
                snprintf(seccomp, sizeof(seccomp), "--seccomp-socket=");

        execl(s->exe, "procview-worker", "--worker", fuse_fd, handover_fd, ready, slots, threads, cpu_view, level,
              seccomp, answer_init ? "--answer-init" : "--no-answer-init", o->mountpoint, (char *) NULL);
        log_error_errno(errno, "Failed to execute '%s': %m", s->exe);
        _exit(127);
}

static int spawn_worker(struct supervisor *s, bool answer_init) {
        /* A new worker takes the half of the in-flight slots that the live one does not use. */
        unsigned busy = WORKER_MAX_THREADS, slot_base;
        int pipe_fds[2], channel[2] = { -1, -1 };
        pid_t pid;

        if (s->worker)
                busy = s->worker_slots;
        else if (s->retiring)
                busy = s->retiring_slots;
        slot_base = busy == 0 ? WORKER_MAX_THREADS : 0;

        if (pipe2(pipe_fds, O_CLOEXEC) < 0)
                return log_error_errno(errno, "Failed to create the worker's readiness pipe: %m");
        if (s->relay && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, channel) < 0)
                log_warning_errno(errno, "Failed to create the worker's seccomp channel: %m");

        pid = fork();
        if (pid < 0) {
                close(pipe_fds[0]);
                close(pipe_fds[1]);
                return log_error_errno(errno, "Failed to start a worker: %m");
        }
        if (pid == 0) {
                close(pipe_fds[0]);
                if (channel[0] >= 0)
                        close(channel[0]);
                exec_worker(s, pipe_fds[1], channel[1], slot_base, answer_init);
        }

        close(pipe_fds[1]);
        if (channel[1] >= 0)
                close(channel[1]);
        if (s->starting_channel >= 0)
                close(s->starting_channel);
        s->starting_channel = channel[0];
        s->ready_fd = pipe_fds[0];
        s->starting = pid;
        clock_gettime(CLOCK_MONOTONIC, &s->starting_started);
        s->starting_slots = slot_base;
        log_debug("Started worker %d (in-flight slots from %u).", (int) pid, slot_base);
        return 0;
}

/*
 * A request that crashes every worker comes back with every resend. When
 * workers keep dying right after they start, wait a second between starts
 * so the loop does not take a whole CPU; occasional crashes restart at once.
 */
static void throttle_crash_loop(struct supervisor *s, const struct timespec *started) {
        struct timespec now;
        double lived;

        clock_gettime(CLOCK_MONOTONIC, &now);
        lived = (double) (now.tv_sec - started->tv_sec) + (double) (now.tv_nsec - started->tv_nsec) / 1e9;

        if (lived >= CRASH_LOOP_SERVED_SEC) {
                s->quick_crashes = 0;
                return;
        }
        if (++s->quick_crashes < CRASH_LOOP_COUNT)
                return;

        log_warning("%u workers in a row died within %.1f s of starting; waiting a second before the next one.",
                    s->quick_crashes, CRASH_LOOP_SERVED_SEC);
        sleep(1);
}

/*
 * One message per fd: systemd applies FDNAME to every fd of a message and
 * passes the stored fds back in an order of its own, so only distinct names
 * tell them apart. Storing an fd that the store already contains changes nothing.
 */
static void store_fds(struct supervisor *s) {
        int r;

        if (!getenv("NOTIFY_SOCKET"))
                return;

        r = sd_pid_notify_with_fds(0, 0, "FDSTORE=1\nFDNAME=" FDNAME_FUSE, &s->fuse_fd, 1);
        if (r > 0)
                r = sd_pid_notify_with_fds(0, 0, "FDSTORE=1\nFDNAME=" FDNAME_HANDOVER, &s->handover_fd, 1);
        if (r > 0)
                s->fdstore = true;
        else
                log_info_errno(r, "Could not keep the connection in systemd's file descriptor store (%m); a restart "
                                  "of the service will remount.");
}

static void remove_stored_fds(struct supervisor *s) {
        if (!s->fdstore)
                return;

        (void) sd_notify(0, "FDSTOREREMOVE=1\nFDNAME=" FDNAME_FUSE);
        (void) sd_notify(0, "FDSTOREREMOVE=1\nFDNAME=" FDNAME_HANDOVER);
        s->fdstore = false;
}

static void worker_ready(struct supervisor *s) {
        char byte;

        if (read(s->ready_fd, &byte, 1) != 1)
                return; /* it died before it was ready: the exit is handled with SIGCHLD */

        close(s->ready_fd);
        s->ready_fd = -1;

        s->worker = s->starting;
        s->worker_slots = s->starting_slots;
        s->starting = 0;
        s->worker_started = s->starting_started;

        if (s->retiring > 0)
                kill(s->retiring, SIGKILL);

        if (s->relay) {
                seccomp_relay_set_worker(s->relay, s->starting_channel);
                s->starting_channel = -1;
        }

        if (s->served_once) {
                log_info("Worker %d is serving.", (int) s->worker);
                return;
        }

        s->served_once = true;
        log_info("Serving views at '%s' (cpu view: %s), worker %d.", s->options->mountpoint,
                 cpu_view_name(s->options->cpu_view), (int) s->worker);
        store_fds(s);
        (void) sd_notify(0, "READY=1");
        reattach_child_start(s->options->mountpoint);
}

static void log_exit(pid_t pid, const char *what, int status) {
        if (WIFSIGNALED(status))
                log_warning("%s %d was killed by signal %s.", what, (int) pid, strsignal(WTERMSIG(status)));
        else
                log_warning("%s %d exited with status %d.", what, (int) pid, WEXITSTATUS(status));
}

/* Returns 1 when the supervisor should stop: the mount is gone. */
static int child_exited(struct supervisor *s, pid_t pid, int status) {
        struct timespec started;

        if (pid == s->retiring) {
                connection_recover(s->fuse_fd, s->handover, s->resend, s->retiring_slots);
                log_info("Retired worker %d.", (int) pid);
                s->retiring = 0;
                return 0;
        }

        if (reattach_child_exited(pid, status))
                return 0;

        if (pid != s->worker && pid != s->starting)
                return 0;

        if (WIFEXITED(status) && WEXITSTATUS(status) == WORKER_EXIT_UNMOUNTED) {
                log_info("The mount at '%s' is gone; stopping.", s->options->mountpoint);
                return 1;
        }

        log_exit(pid, "Worker", status);
        connection_recover(s->fuse_fd, s->handover, s->resend, pid == s->worker ? s->worker_slots : s->starting_slots);
        started = pid == s->worker ? s->worker_started : s->starting_started;

        if (pid == s->starting) {
                close(s->ready_fd);
                s->ready_fd = -1;
                s->starting = 0;
        } else {
                s->worker = 0;
                if (s->relay)
                        seccomp_relay_set_worker(s->relay, -1);
        }

        if (s->starting == 0) {
                throttle_crash_loop(s, &started);
                if (spawn_worker(s, !s->served_once) < 0)
                        return -1;
        }
        return 0;
}

static int reap_children(struct supervisor *s) {
        for (;;) {
                int status, r;
                pid_t pid;

                pid = waitpid(-1, &status, WNOHANG);
                if (pid <= 0)
                        return 0;

                r = child_exited(s, pid, status);
                if (r != 0)
                        return r;
        }
}

/* Re-execute the binary with the connection, leaving the current worker serving until the new one is ready. */
static void reexec(struct supervisor *s) {
        const struct daemon_options *o = s->options;
        char fuse_fd[32], handover_fd[32], worker[32], slots[32], threads[32], cpu_view[32], level[32];
        char listen_arg[48] = "--seccomp-listen-fd=-1";
        _cleanup_free_ char *fds = NULL, *fds_arg = NULL;
        int listen_fd;

        if (s->starting) {
                log_warning("A worker is still starting; ignoring the reload request.");
                return;
        }

        if (clear_cloexec(s->fuse_fd) < 0 || clear_cloexec(s->handover_fd) < 0) {
                log_error_errno(errno, "Failed to keep the connection across re-execution: %m");
                return;
        }

        snprintf(fuse_fd, sizeof(fuse_fd), "--fuse-fd=%d", s->fuse_fd);
        snprintf(handover_fd, sizeof(handover_fd), "--handover-fd=%d", s->handover_fd);
        snprintf(worker, sizeof(worker), "--worker-pid=%d", (int) s->worker);
        snprintf(slots, sizeof(slots), "--slot-base=%u", s->worker_slots);
        snprintf(threads, sizeof(threads), "--threads=%u", o->threads);
        snprintf(cpu_view, sizeof(cpu_view), "--cpu-view=%s", cpu_view_name(o->cpu_view));
        snprintf(level, sizeof(level), "--log-level=%d", o->log_level);

        if (s->relay) {
                if (seccomp_relay_prepare_exec(s->relay, &listen_fd, &fds) < 0) {
                        log_error_errno(errno, "Failed to keep the seccomp fds across re-execution: %m");
                        return;
                }
                snprintf(listen_arg, sizeof(listen_arg), "--seccomp-listen-fd=%d", listen_fd);
        }
        if (asprintf(&fds_arg, "--seccomp-fds=%s", fds ? fds : "") < 0)
                return;

        log_info("Reloading: executing '%s' again; worker %d serves meanwhile.", s->exe, (int) s->worker);
        close(s->signal_fd);

        execl(s->exe, "procviewd", "--takeover", fuse_fd, handover_fd, worker, slots, threads, cpu_view, level,
              listen_arg, fds_arg, "--seccomp-socket", o->seccomp_socket, o->mountpoint, (char *) NULL);

        log_error_errno(errno, "Failed to execute '%s': %m; continuing with the running version.", s->exe);
        fcntl(s->fuse_fd, F_SETFD, FD_CLOEXEC);
        fcntl(s->handover_fd, F_SETFD, FD_CLOEXEC);
        s->signal_fd = -1;
}

static void stop_workers(struct supervisor *s) {
        pid_t pids[] = { s->starting, s->worker, s->retiring };

        for (size_t i = 0; i < ELEMENTSOF(pids); i++)
                if (pids[i] > 0) {
                        kill(pids[i], SIGKILL);
                        (void) waitpid(pids[i], NULL, 0);
                }
}

static int shutdown_daemon(struct supervisor *s) {
        if (s->fdstore && s->restarting) {
                stop_workers(s);
                log_info("Stopped; systemd keeps the connection of '%s' for the next start.", s->options->mountpoint);
                return 0;
        }

        /* Detach first, so readers see the mount go rather than a dead connection. */
        if (umount2(s->options->mountpoint, MNT_DETACH) < 0 && errno != EINVAL)
                log_warning_errno(errno, "Failed to unmount '%s': %m", s->options->mountpoint);

        stop_workers(s);
        /* The stored fds now belong to a detached mount, which no later instance may take. */
        remove_stored_fds(s);
        log_info("Unmounted '%s', exiting.", s->options->mountpoint);
        return 0;
}

static int open_signal_fd(void) {
        sigset_t mask;

        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigaddset(&mask, RESTART_SIGNAL);
        sigaddset(&mask, SIGPIPE);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return -errno;

        sigdelset(&mask, SIGPIPE);
        return signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Returns 1 to stop. */
static int handle_signal(struct supervisor *s) {
        struct signalfd_siginfo si;

        while (read(s->signal_fd, &si, sizeof(si)) == sizeof(si))
                switch (si.ssi_signo) {
                case SIGCHLD:
                        if (reap_children(s) != 0)
                                return 1;
                        break;
                case SIGHUP:
                        reexec(s);
                        if (s->signal_fd < 0) {
                                s->signal_fd = open_signal_fd();
                                if (s->signal_fd < 0)
                                        return log_error_errno(s->signal_fd, "Failed to watch signals: %m");
                        }
                        break;
                case RESTART_SIGNAL:
                        log_info("Received %s, stopping for a restart.", strsignal((int) si.ssi_signo));
                        s->restarting = true;
                        return 1;
                default:
                        log_info("Received %s, stopping.", strsignal((int) si.ssi_signo));
                        return 1;
                }

        return 0;
}

static int wait_for_events(struct supervisor *s) {
        _cleanup_free_ struct pollfd *fds = NULL;
        size_t n = 2, max = 2 + (s->relay ? seccomp_relay_n_pollfds(s->relay) : 0);

        fds = calloc(max, sizeof(*fds));
        if (!fds)
                return log_error_errno(ENOMEM, "Failed to wait for events: %m");

        /* poll() skips a negative fd, as ready_fd is while no worker starts. */
        fds[0] = (struct pollfd){ .fd = s->signal_fd, .events = POLLIN };
        fds[1] = (struct pollfd){ .fd = s->ready_fd, .events = POLLIN };
        if (s->relay)
                n += seccomp_relay_pollfds(s->relay, fds + 2, max - 2);

        if (poll(fds, n, -1) < 0)
                return errno == EINTR ? 0 : log_error_errno(errno, "Failed to wait for events: %m");

        if (s->relay)
                seccomp_relay_process(s->relay, fds + 2, n - 2);
        if (s->ready_fd >= 0 && (fds[1].revents & (POLLIN | POLLHUP)))
                worker_ready(s);
        if (fds[0].revents & POLLIN)
                return handle_signal(s);
        return 0;
}

static int event_loop(struct supervisor *s) {
        for (;;) {
                int r = wait_for_events(s);

                if (r != 0)
                        return r < 0 ? r : 0;
        }
}

/* Take the connection from systemd's file descriptor store, left by an earlier instance. */
static bool take_stored_fds(struct supervisor *s) {
        char **names = NULL;
        int n, fuse_fd = -1, handover_fd = -1;

        n = sd_listen_fds_with_names(true, &names);
        for (int i = 0; names && i < n; i++) {
                if (!names[i])
                        continue;
                if (streq(names[i], FDNAME_FUSE))
                        fuse_fd = SD_LISTEN_FDS_START + i;
                else if (streq(names[i], FDNAME_HANDOVER))
                        handover_fd = SD_LISTEN_FDS_START + i;
        }
        for (int i = 0; names && i < n; i++)
                free(names[i]);
        free(names);

        if (fuse_fd < 0 || handover_fd < 0)
                return false;

        s->fuse_fd = fuse_fd;
        s->handover_fd = handover_fd;
        fcntl(fuse_fd, F_SETFD, FD_CLOEXEC);
        fcntl(handover_fd, F_SETFD, FD_CLOEXEC);
        log_info("Took over the connection of '%s' from systemd's file descriptor store.", s->options->mountpoint);
        return true;
}

static int setup_new_mount(struct supervisor *s) {
        int r;

        r = mountpoint_prepare(s->options->mountpoint);
        if (r < 0)
                return r;

        r = handover_create(max_cpus(), &s->handover_fd);
        if (r < 0)
                return log_error_errno(r, "Failed to create the handover region: %m");
        r = handover_map(s->handover_fd, &s->handover);
        if (r < 0)
                return log_error_errno(r, "Failed to map the handover region: %m");

        r = connection_mount(s->options->mountpoint, &s->fuse_fd);
        if (r < 0)
                return r;

        return connection_read_init(s->fuse_fd, s->handover);
}

static int setup_relay(struct supervisor *s) {
        const struct daemon_options *o = s->options;
        int r;

        if (o->seccomp_listen_fd >= 0)
                return seccomp_relay_adopt(o->seccomp_socket, o->seccomp_listen_fd, o->seccomp_fds, &s->relay);
        if (o->seccomp_socket[0] == '\0')
                return 0;

        r = seccomp_relay_open(o->seccomp_socket, &s->relay);
        if (r < 0)
                log_warning_errno(r, "sysinfo() in containers shows the host's values: the seccomp agent is off (%m).");
        return 0;
}

static int setup(struct supervisor *s, bool *ret_answer_init) {
        const struct daemon_options *o = s->options;
        bool takeover = o->takeover || take_stored_fds(s);
        int r;

        *ret_answer_init = !takeover;

        if (o->takeover) {
                s->fuse_fd = o->fuse_fd;
                s->handover_fd = o->handover_fd;
                s->retiring = o->worker_pid;
                s->retiring_slots = o->slot_base;
                s->worker = 0;
                s->served_once = true;
                fcntl(s->fuse_fd, F_SETFD, FD_CLOEXEC);
                fcntl(s->handover_fd, F_SETFD, FD_CLOEXEC);
                log_info("Re-executed; replacing worker %d.", (int) o->worker_pid);
        }

        if (!takeover) {
                /* Mount first: a daemon that cannot mount must leave the socket of a running one alone. */
                r = setup_new_mount(s);
                if (r < 0)
                        return r;
                s->resend = connection_can_resend(s->handover);
                return setup_relay(s);
        }

        r = setup_relay(s);
        if (r < 0)
                return r;

        r = handover_map(s->handover_fd, &s->handover);
        if (r < 0)
                return log_error_errno(r, "Failed to map the handover region: %m");
        s->resend = connection_can_resend(s->handover);

        if (o->takeover) {
                /* The image before the re-execution stored the fds. Storing them again sets s->fdstore. */
                store_fds(s);
                return 0;
        }

        /*
         * The previous instance's workers are dead and no new one runs yet. Their
         * requests are resent or failed now, before the new worker reuses the
         * in-flight slots. Both halves are recovered, because either may have been in use.
         */
        connection_recover(s->fuse_fd, s->handover, s->resend, 0);
        connection_recover(s->fuse_fd, s->handover, s->resend, WORKER_MAX_THREADS);
        return 0;
}

int supervisor_run(const struct daemon_options *o, char **argv) {
        struct supervisor s = {
                .options = o,
                .argv = argv,
                .fuse_fd = -1,
                .handover_fd = -1,
                .ready_fd = -1,
                .starting_channel = -1,
        };
        bool answer_init;
        ssize_t len;
        int r;

        len = readlink("/proc/self/exe", s.exe, sizeof(s.exe) - 1);
        if (len < 0)
                return log_error_errno(errno, "Failed to find the daemon's own binary: %m");
        s.exe[len] = '\0';
        /* After an upgrade replaced the binary, /proc/self/exe names the old file "(deleted)". */
        if (len > 10 && streq(s.exe + len - 10, " (deleted)"))
                s.exe[len - 10] = '\0';

        s.signal_fd = open_signal_fd();
        if (s.signal_fd < 0)
                return log_error_errno(s.signal_fd, "Failed to watch signals: %m");

        r = setup(&s, &answer_init);
        if (r < 0)
                goto out;

        r = spawn_worker(&s, answer_init);
        if (r < 0)
                goto out;

        r = event_loop(&s);
        if (r >= 0)
                r = shutdown_daemon(&s);

out:
        if (r < 0)
                stop_workers(&s);
        seccomp_relay_free(s.relay, !(s.fdstore && s.restarting));
        if (s.starting_channel >= 0)
                close(s.starting_channel);
        handover_unmap(s.handover);
        if (s.fuse_fd >= 0)
                close(s.fuse_fd);
        return r;
}
