/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/meminfo and /proc/swaps from a fuzzed host meminfo and fuzzed
 * container values. The input starts with the values of struct cg_memory
 * (little-endian 64-bit words, see take_memory), then the host text.
 */
#include <errno.h>

#include "fuzz.h"
#include "render.h"

int fuzz_meminfo(const uint8_t *data, size_t size);

static void take_memory(const uint8_t **data, size_t *size, struct cg_memory *ret) {
        uint64_t *stat_words = (uint64_t *) &ret->stat;

        *ret = (struct cg_memory){};
        ret->swap_accounting = fuzz_take_u8(data, size) & 1;
        ret->limit = fuzz_take_u64(data, size);
        ret->usage = fuzz_take_u64(data, size);
        ret->swap_limit = fuzz_take_u64(data, size);
        ret->swap_usage = fuzz_take_u64(data, size);
        for (size_t i = 0; i < sizeof(ret->stat) / sizeof(uint64_t); i++)
                stat_words[i] = fuzz_take_u64(data, size);
}

int fuzz_meminfo(const uint8_t *data, size_t size) {
        struct strbuf out = STRBUF_INIT, swaps = STRBUF_INIT;
        struct cg_memory mem;
        struct swap_view swap;
        uint64_t host_swap;
        char *host;
        int r;

        take_memory(&data, &size, &mem);
        host = fuzz_strndup(data, size);

        if (swap_view_compute(host, &mem, &swap) == 0) {
                FUZZ_CHECK(swap.used_kb <= swap.total_kb);
                if (!mem.swap_accounting)
                        FUZZ_CHECK(swap.total_kb == 0);
                if (meminfo_get_kb(host, "SwapTotal", &host_swap) == 0)
                        FUZZ_CHECK(swap.total_kb <= host_swap);
                FUZZ_CHECK(render_swaps(&swap, &swaps) == 0);
        }

        r = render_meminfo(host, &mem, &out);
        if (r == 0)
                fuzz_check_meminfo(host, &mem, out.data ?: "");
        else
                FUZZ_CHECK(r == -EINVAL);

        strbuf_free(&swaps);
        strbuf_free(&out);
        free(host);
        return 0;
}

FUZZ_DEFINE_ENTRY(fuzz_meminfo)
