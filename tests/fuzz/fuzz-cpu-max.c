/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* v2 cpu.max ("max 100000", "50000 100000"). */
#include "cgroup.h"
#include "fuzz.h"

int fuzz_cpu_max(const uint8_t *data, size_t size);

int fuzz_cpu_max(const uint8_t *data, size_t size) {
        uint64_t quota_us, period_us;
        char *text = fuzz_strndup(data, size);

        if (cg_parse_cpu_max(text, &quota_us, &period_us) == 0)
                FUZZ_CHECK(period_us > 0);

        free(text);
        return 0;
}

FUZZ_DEFINE_ENTRY(fuzz_cpu_max)
