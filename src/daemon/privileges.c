/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The worker parses input that containers control: cgroup files, the /proc
 * entries of their processes and seccomp notifications. It keeps only the
 * capabilities that serving needs, so a bug in that parsing cannot mount
 * file systems, load kernel modules, override file permissions or gain
 * privileges through an exec. It still runs as uid 0 and can write files
 * that root owns. The supervisor keeps its privileges because it mounts,
 * unmounts and re-executes itself. docs/security.md lists what each keeps.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "privileges.h"

/*
 * CAP_SYS_PTRACE: opening /proc/PID/ns/pid (to find a reader's container) and
 * /proc/PID/mem (to write a container's sysinfo() result) needs ptrace access to
 * the process, which the kernel denies without it when the process holds
 * capabilities the worker does not, such as a container's root.
 */
static const int worker_capabilities[] = { CAP_SYS_PTRACE };

static uint64_t kept_mask(void) {
        uint64_t mask = 0;

        for (size_t i = 0; i < ELEMENTSOF(worker_capabilities); i++)
                mask |= UINT64_C(1) << worker_capabilities[i];
        return mask;
}

static int cap_last(void) {
        int last = CAP_LAST_CAP;

        /* The running kernel may know more capabilities than our headers. */
        while (prctl(PR_CAPBSET_READ, (unsigned long) last + 1, 0, 0, 0) >= 0)
                last++;
        return last;
}

static int drop_bounding_set(uint64_t keep) {
        int last = cap_last();

        for (int cap = 0; cap <= last; cap++) {
                if (cap < 64 && (keep & (UINT64_C(1) << cap)))
                        continue;
                if (prctl(PR_CAPBSET_READ, (unsigned long) cap, 0, 0, 0) <= 0)
                        continue;
                if (prctl(PR_CAPBSET_DROP, (unsigned long) cap, 0, 0, 0) < 0)
                        return -errno;
        }
        return 0;
}

static int set_capabilities(uint64_t keep) {
        struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct data[2] = {};

        if (syscall(SYS_capget, &header, data) < 0)
                return -errno;

        /* Keep what the worker has now and needs. The inheritable set is cleared. */
        for (int i = 0; i < 2; i++) {
                uint32_t mask = (uint32_t) (keep >> (32 * i));

                data[i].permitted &= mask;
                data[i].effective = data[i].permitted;
                data[i].inheritable = 0;
        }

        if (syscall(SYS_capset, &header, data) < 0)
                return -errno;
        return 0;
}

int privileges_drop_worker(void) {
        uint64_t keep = kept_mask();
        int r;

        /* Dropping from the bounding set needs CAP_SETPCAP, so it comes before capset(). */
        if (prctl(PR_CAPBSET_READ, CAP_SETPCAP, 0, 0, 0) > 0) {
                r = drop_bounding_set(keep);
                if (r < 0)
                        return log_error_errno(r, "Failed to drop capabilities from the bounding set: %m");
        }

        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
                return log_error_errno(errno, "Failed to clear the ambient capabilities: %m");

        r = set_capabilities(keep);
        if (r < 0)
                return log_error_errno(r, "Failed to drop capabilities: %m");

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return log_error_errno(errno, "Failed to set no_new_privs: %m");

        log_debug("Worker %d dropped its capabilities except mask %#" PRIx64 " and set no_new_privs.", (int) getpid(),
                  keep);
        return 0;
}
