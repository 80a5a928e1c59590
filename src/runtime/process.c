/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/pidfd.h>

#include "fileio.h"
#include "macro.h"
#include "parse.h"
#include "process.h"

/* Fields to skip after comm (field 2) to reach field 4 (ppid) and field 22 (starttime). */
#define STAT_FIELD_PPID 1
#define STAT_FIELD_STARTTIME 19

/* Read the field after the first n fields that follow comm in /proc/PID/stat. comm may contain spaces and ")". */
static int read_stat_field(pid_t pid, unsigned n, uint64_t *ret) {
        _cleanup_free_ char *stat = NULL;
        char path[64];
        const char *p;
        uint64_t value;
        int r;

        if (pid == 0)
                strcpy(path, "/proc/self/stat");
        else
                snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        r = read_full_file_at(AT_FDCWD, path, &stat, NULL);
        if (r == -ENOENT)
                return -ESRCH;
        if (r < 0)
                return r;

        p = strrchr(stat, ')');
        if (!p)
                return -EBADMSG;
        p++;

        for (unsigned i = 0; i < n; i++) {
                p += strspn(p, " ");
                p += strcspn(p, " ");
        }
        p += strspn(p, " ");

        r = parse_u64_prefix(p, &value, NULL);
        if (r < 0)
                return -EBADMSG;

        *ret = value;
        return 0;
}

int process_start_time(pid_t pid, uint64_t *ret) {
        if (pid <= 0)
                return -ESRCH;
        return read_stat_field(pid, STAT_FIELD_STARTTIME, ret);
}

int process_parent(pid_t pid, pid_t *ret) {
        uint64_t ppid;
        int r;

        r = read_stat_field(pid, STAT_FIELD_PPID, &ppid);
        if (r < 0)
                return r;

        *ret = (pid_t) ppid;
        return 0;
}

int process_open_checked(pid_t pid, uint64_t start_time) {
        _cleanup_close_ int pidfd = -1;
        uint64_t now;
        int r;

        if (pid <= 0)
                return -ESRCH;

        pidfd = pidfd_open(pid, 0);
        if (pidfd < 0)
                return errno == ESRCH ? -ESRCH : -errno;

        /*
         * The pidfd pins whichever process had the pid at pidfd_open(). Reading
         * the start time afterwards tells whether that is the recorded one: a
         * process that took over the pid started later.
         */
        r = process_start_time(pid, &now);
        if (r < 0)
                return r;
        if (now != start_time || process_exited(pidfd))
                return -ESRCH;

        return TAKE_FD(pidfd);
}

bool process_exited(int pidfd) {
        struct pollfd p = { .fd = pidfd, .events = POLLIN };

        return poll(&p, 1, 0) != 0;
}

int process_innermost_pid(pid_t pid, pid_t *ret) {
        _cleanup_free_ char *status = NULL;
        const char *line, *last = NULL;
        char path[64];
        uint64_t value;
        int r;

        snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
        r = read_full_file_at(AT_FDCWD, path, &status, NULL);
        if (r == -ENOENT)
                return -ESRCH;
        if (r < 0)
                return r;

        line = strstr(status, "\nNSpid:");
        if (!line)
                return -EBADMSG;
        line += strlen("\nNSpid:");

        /* "NSpid:\t4451\t1": one pid per nested namespace, the outermost first. */
        for (const char *p = line + strspn(line, " \t"); *p != '\n' && *p != '\0'; p += strspn(p, " \t")) {
                last = p;
                p += strcspn(p, " \t\n");
        }
        if (!last || parse_u64_prefix(last, &value, NULL) < 0)
                return -EBADMSG;

        *ret = (pid_t) value;
        return 0;
}
