/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /proc/PID/stat and the NSpid line of /proc/PID/status. */
#include "fuzz.h"
#include "procfs.h"

int fuzz_procfs(const uint8_t *data, size_t size);

int fuzz_procfs(const uint8_t *data, size_t size) {
        struct proc_stat st;
        pid_t pid;
        char *text = fuzz_strndup(data, size);

        if (procfs_parse_stat(text, &st) == 0)
                FUZZ_CHECK(st.state != '\0' && st.state != ' ' && st.state != '\n');

        if (procfs_parse_nspid(text, &pid) == 0)
                FUZZ_CHECK(pid > 0);

        free(text);
        return 0;
}

FUZZ_DEFINE_ENTRY(fuzz_procfs)
