/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "log.h"
#include "reattach-child.h"
#include "reattach.h"

static pid_t child;

static _Noreturn void run_reattach(const char *mountpoint) {
        unsigned ok = 0, failed = 0;
        int r;

        prctl(PR_SET_NAME, "procview-reattach");
        prctl(PR_SET_PDEATHSIG, SIGKILL);

        r = reattach_all(mountpoint, &ok, &failed);
        if (r < 0) {
                log_error_errno(r, "Failed to reattach the views of running containers: %m");
                _exit(EXIT_FAILURE);
        }

        if (ok + failed > 0)
                log_info("Reattached the views of %u running containers; %u failed.", ok, failed);
        _exit(failed > 0 ? EXIT_FAILURE : EXIT_SUCCESS);
}

void reattach_child_start(const char *mountpoint) {
        sigset_t none;
        pid_t pid;

        pid = fork();
        if (pid < 0) {
                log_error_errno(errno, "Failed to start reattaching containers: %m");
                return;
        }
        if (pid > 0) {
                child = pid;
                return;
        }

        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        run_reattach(mountpoint);
}

bool reattach_child_exited(pid_t pid, int status) {
        if (pid != child || child == 0)
                return false;

        child = 0;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != EXIT_SUCCESS)
                log_warning("Reattaching containers did not complete for all of them (process %d).", (int) pid);
        return true;
}
