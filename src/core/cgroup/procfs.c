/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Parsers of /proc/PID/stat and /proc/PID/status.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "parse.h"
#include "procfs.h"

/* Fields of /proc/PID/stat counted from 1, as proc(5) numbers them. */
#define STAT_FIELD_STATE 3
#define STAT_FIELD_PPID 4
#define STAT_FIELD_STARTTIME 22

int procfs_parse_stat(const char *text, struct proc_stat *ret) {
        _cleanup_free_ char *copy = NULL;
        struct proc_stat st = {};
        const char *comm_end;
        char *p, *word;
        unsigned field = STAT_FIELD_STATE;
        int r;

        /*
         * The command name (field 2) may contain spaces, ')' and even
         * newlines, but the fields after it never contain ')', so the name
         * ends at the last ')'.
         */
        comm_end = strrchr(text, ')');
        if (!comm_end || comm_end[1] != ' ')
                return -EINVAL;

        copy = strdup(comm_end + 2);
        if (!copy)
                return -ENOMEM;

        p = copy;
        while (field <= STAT_FIELD_STARTTIME && (word = strsep(&p, " \n"))) {
                if (field == STAT_FIELD_STATE) {
                        if (strlen(word) != 1)
                                return -EINVAL;
                        st.state = word[0];
                } else if (field == STAT_FIELD_PPID) {
                        r = safe_atoi(word, &st.ppid);
                        if (r < 0)
                                return r;
                } else if (field == STAT_FIELD_STARTTIME) {
                        r = safe_atou64(word, &st.starttime_ticks);
                        if (r < 0)
                                return r;
                }
                field++;
        }

        if (field <= STAT_FIELD_STARTTIME)
                return -EINVAL;

        *ret = st;
        return 0;
}

int procfs_parse_nspid(const char *text, pid_t *ret) {
        _cleanup_free_ char *copy = strdup(text);
        char *p, *line, *last = NULL, *word;
        pid_t pid;
        int r;

        if (!copy)
                return -ENOMEM;

        p = copy;
        while ((line = strsep(&p, "\n"))) {
                const char *rest = startswith(line, "NSpid:");

                if (!rest)
                        continue;

                /* "NSpid:\t1234\t1": one pid per nested pid namespace, innermost last. */
                line = (char *) rest;
                while ((word = strsep(&line, " \t")))
                        if (*word != '\0')
                                last = word;
                break;
        }

        if (!last)
                return -ENODATA;

        r = safe_atoi(last, &pid);
        if (r < 0)
                return r;
        if (pid <= 0)
                return -EINVAL;

        *ret = pid;
        return 0;
}
