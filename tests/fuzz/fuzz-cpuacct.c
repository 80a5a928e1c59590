/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* v1 cpuacct.usage_all, and the usage_percpu_* lists it falls back to. */
#include "cgroup-internal.h"
#include "fuzz.h"

int fuzz_cpuacct(const uint8_t *data, size_t size);

/* The totals are sums of the per-CPU values, saturated at UINT64_MAX rather than wrapped. */
static void check_totals(const struct cg_cpuacct *acct) {
        uint64_t user = 0, system = 0;

        FUZZ_CHECK(acct->n_cpus > 0 && acct->n_cpus <= CPUSET_MAX);
        for (unsigned i = 0; i < acct->n_cpus; i++) {
                FUZZ_CHECK(acct->user_ns >= acct->percpu_user_ns[i]);
                FUZZ_CHECK(acct->system_ns >= acct->percpu_system_ns[i]);
                user = __builtin_add_overflow(user, acct->percpu_user_ns[i], &user) ? UINT64_MAX : user;
                system = __builtin_add_overflow(system, acct->percpu_system_ns[i], &system) ? UINT64_MAX : system;
        }
        FUZZ_CHECK(acct->user_ns == user);
        FUZZ_CHECK(acct->system_ns == system);
}

int fuzz_cpuacct(const uint8_t *data, size_t size) {
        struct cg_cpuacct acct = {};
        uint64_t *values = NULL;
        size_t n_values;
        char *text = fuzz_strndup(data, size);

        if (cg_parse_cpuacct_usage_all(text, &acct) == 0)
                check_totals(&acct);
        cg_cpuacct_done(&acct);

        if (cg_parse_u64_list(text, &values, &n_values) == 0)
                FUZZ_CHECK(n_values <= CPUSET_MAX);
        free(values);

        free(text);
        return 0;
}

FUZZ_DEFINE_ENTRY(fuzz_cpuacct)
