/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* memory.stat: the first byte picks the v1 ("total_*") or v2 key set, the rest is the file. */
#include "cgroup.h"
#include "fuzz.h"

int fuzz_memory_stat(const uint8_t *data, size_t size);

int fuzz_memory_stat(const uint8_t *data, size_t size) {
        struct cg_memory_stat stat;
        bool v1;
        char *text;

        v1 = fuzz_take_u8(&data, &size) & 1;
        text = fuzz_strndup(data, size);

        /* v2 computes slab from its parts when the key is missing, so it never is below them. */
        if (cg_parse_memory_stat(text, v1, &stat) == 0 && !v1) {
                FUZZ_CHECK(stat.slab >= stat.slab_reclaimable || strstr(text, "slab "));
                FUZZ_CHECK(stat.slab >= stat.slab_unreclaimable || strstr(text, "slab "));
        }

        free(text);
        return 0;
}

FUZZ_DEFINE_ENTRY(fuzz_memory_stat)
