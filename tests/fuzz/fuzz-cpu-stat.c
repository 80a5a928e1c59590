/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* v2 cpu.stat (user_usec, system_usec). */
#include "cgroup.h"
#include "fuzz.h"

int fuzz_cpu_stat(const uint8_t *data, size_t size);

int fuzz_cpu_stat(const uint8_t *data, size_t size) {
        struct cg_cpuacct acct = {};
        char *text = fuzz_strndup(data, size);

        /* v2 has no per-CPU numbers. */
        if (cg_parse_cpu_stat(text, &acct) == 0)
                FUZZ_CHECK(acct.n_cpus == 0 && !acct.percpu_user_ns && !acct.percpu_system_ns);
        cg_cpuacct_done(&acct);

        free(text);
        return 0;
}

FUZZ_DEFINE_ENTRY(fuzz_cpu_stat)
