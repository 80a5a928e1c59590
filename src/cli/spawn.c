/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include "cli-util.h"
#include "spawn.h"
#include "strbuf.h"

/* Signals whose disposition the parent may change while a container runs. */
static const int reset_signals[] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGCHLD, SIGPIPE };

static _Noreturn void exec_child(const char *path, char *const argv[], spawn_setup_t setup) {
        sigset_t empty;

        for (size_t i = 0; i < ELEMENTSOF(reset_signals); i++)
                signal(reset_signals[i], SIG_DFL);
        sigemptyset(&empty);
        sigprocmask(SIG_SETMASK, &empty, NULL);

        if (setup && setup() < 0)
                _exit(127);

        execv(path, argv);
        log_error_errno(errno, "Failed to execute '%s': %m", path);
        _exit(127);
}

int spawn_process(const char *path, char *const argv[], spawn_setup_t setup, pid_t *ret_pid) {
        pid_t pid;

        pid = fork();
        if (pid < 0)
                return log_error_errno(errno, "Failed to fork for '%s': %m", path);
        if (pid == 0)
                exec_child(path, argv, setup);

        *ret_pid = pid;
        return 0;
}

static int read_all(int fd, char **ret) {
        _cleanup_strbuf_ struct strbuf output = STRBUF_INIT;
        char buffer[4096];
        ssize_t n;

        /* Start with an empty string, so a child that writes nothing still gives a buffer. */
        strbuf_puts(&output, "");

        while ((n = read(fd, buffer, sizeof(buffer))) != 0) {
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                strbuf_append(&output, buffer, (size_t) n);
        }

        if (strbuf_error(&output) < 0)
                return strbuf_error(&output);

        *ret = strbuf_steal(&output, NULL);
        return 0;
}

int spawn_capture(const char *path, char *const argv[], spawn_setup_t setup, int capture_fd, char **ret_output,
                  int *ret_status) {
        _cleanup_close_ int read_fd = -1;
        _cleanup_free_ char *output = NULL;
        int pipe_fds[2], status, r;
        pid_t pid;

        if (pipe2(pipe_fds, O_CLOEXEC) < 0)
                return log_error_errno(errno, "Failed to create a pipe for '%s': %m", path);
        read_fd = pipe_fds[0];

        pid = fork();
        if (pid < 0) {
                close(pipe_fds[1]);
                return log_error_errno(errno, "Failed to fork for '%s': %m", path);
        }
        if (pid == 0) {
                /* dup2() clears O_CLOEXEC on the copy, so the program inherits the write end. */
                if (dup2(pipe_fds[1], capture_fd) < 0)
                        _exit(127);
                exec_child(path, argv, setup);
        }
        close(pipe_fds[1]);

        r = read_all(read_fd, &output);
        if (r < 0)
                log_error_errno(r, "Failed to read the output of '%s': %m", path);

        /* Reap the child even when reading failed, so no zombie is left behind. */
        if (wait_for_exit(pid, &status) < 0 || r < 0)
                return r < 0 ? r : -ECHILD;

        *ret_output = TAKE_PTR(output);
        *ret_status = status;
        return 0;
}

int exit_status_from_wait(int wait_status) {
        if (WIFSIGNALED(wait_status))
                return 128 + WTERMSIG(wait_status);
        return WEXITSTATUS(wait_status);
}

int wait_for_exit(pid_t pid, int *ret_status) {
        int wait_status;

        while (waitpid(pid, &wait_status, 0) < 0)
                if (errno != EINTR)
                        return log_error_errno(errno, "Failed to wait for process %d: %m", (int) pid);

        *ret_status = exit_status_from_wait(wait_status);
        return 0;
}
