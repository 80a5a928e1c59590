/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The /proc/PID/stat and /proc/PID/status parsers.
 */
#include <errno.h>

#include "macro.h"
#include "procfs.h"
#include "test.h"

/* Fields 4 to 40 of a /proc/PID/stat line, with ppid (field 4) 1 and starttime (field 22) 8123456. */
#define STAT_TAIL                                                                                                      \
        "1 4321 4321 0 -1 4194560 1234 0 5 0 12 7 0 0 20 0 3 0 8123456 12345678 987 "                                  \
        "18446744073709551615 1 1 0 0 0 0 0 4096 17 2 0 0 0 0 0\n"

TEST(stat_plain_comm) {
        struct proc_stat st;

        ASSERT_OK(procfs_parse_stat("4321 (bash) S " STAT_TAIL, &st));
        ASSERT_EQ_INT(st.state, 'S');
        ASSERT_EQ_INT(st.ppid, 1);
        ASSERT_EQ_U64(st.starttime_ticks, 8123456);
}

TEST(stat_comm_with_spaces_and_parens) {
        static const char *const texts[] = {
                "4321 (my app) R " STAT_TAIL,
                "4321 (a) b) S 9 (c) D " STAT_TAIL,
                "4321 ()) ) Z " STAT_TAIL,
                "4321 (new\nline) D " STAT_TAIL,
        };
        static const char states[] = { 'R', 'D', 'Z', 'D' };

        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                struct proc_stat st;

                ASSERT_OK(procfs_parse_stat(texts[i], &st));
                ASSERT_EQ_INT(st.state, states[i]);
                ASSERT_EQ_INT(st.ppid, 1);
                ASSERT_EQ_U64(st.starttime_ticks, 8123456);
        }
}

TEST(stat_malformed) {
        static const char *const texts[] = {
                "",
                "4321 bash S 1 2 3\n",
                "4321 (bash)S " STAT_TAIL,
                "4321 (bash) S 1 4321 4321 0 -1\n",
                "4321 (bash) SS " STAT_TAIL,
                "4321 (bash) S x 4321 4321 0 -1 4194560 1234 0 5 0 12 7 0 0 20 0 3 0 8123456\n",
                "4321 (bash) S 1 4321 4321 0 -1 4194560 1234 0 5 0 12 7 0 0 20 0 3 0 -5\n",
        };

        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                struct proc_stat st = { .state = '?' };

                ASSERT_EQ_INT(procfs_parse_stat(texts[i], &st), -EINVAL);
                ASSERT_EQ_INT(st.state, '?');
        }
}

TEST(nspid_innermost) {
        pid_t pid;

        ASSERT_OK(procfs_parse_nspid("Name:\tbash\nTgid:\t4321\nNgid:\t0\nPid:\t4321\nPPid:\t1\n"
                                     "NSpid:\t4321\t17\t1\nNSpgid:\t4321\t17\t1\n",
                                     &pid));
        ASSERT_EQ_INT(pid, 1);

        ASSERT_OK(procfs_parse_nspid("Pid:\t99\nNSpid:\t99\n", &pid));
        ASSERT_EQ_INT(pid, 99);
}

TEST(nspid_missing_or_malformed) {
        pid_t pid = 5;

        ASSERT_EQ_INT(procfs_parse_nspid("Name:\tbash\nPid:\t4321\n", &pid), -ENODATA);
        ASSERT_EQ_INT(procfs_parse_nspid("NSpid:\n", &pid), -ENODATA);
        ASSERT_EQ_INT(procfs_parse_nspid("NSpid:\t12\tx\n", &pid), -EINVAL);
        ASSERT_EQ_INT(procfs_parse_nspid("NSpid:\t0\n", &pid), -EINVAL);
        ASSERT_EQ_INT(pid, 5);
}
