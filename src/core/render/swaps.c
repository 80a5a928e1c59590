/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/swaps as a container sees it: the header, then one line for the
 * container's share of swap when it has any. The container has no swap
 * device of its own, so the line names none of the host's.
 */
#include <errno.h>
#include <inttypes.h>

#include "macro.h"
#include "render.h"

/* The kernel pads the file name to this column before the type. */
#define SWAPS_NAME_WIDTH 40

/* Below this value the kernel adds a second tab so the next column lines up. */
#define SWAPS_NARROW_VALUE 10000000

int swap_view_compute(const char *host_meminfo, const struct cg_memory *mem, struct swap_view *ret) {
        uint64_t host_total_kb, limit_kb, total_kb;
        int r;

        if (!host_meminfo || !mem)
                return -EINVAL;

        if (!mem->swap_accounting) {
                *ret = (struct swap_view){};
                return 0;
        }

        r = meminfo_get_kb(host_meminfo, "SwapTotal", &host_total_kb);
        if (r == -ENOENT)
                host_total_kb = 0;
        else if (r < 0)
                return r;

        limit_kb = mem->swap_limit == CG_UNLIMITED ? UINT64_MAX : mem->swap_limit / 1024;
        total_kb = u64_min(limit_kb, host_total_kb);

        *ret = (struct swap_view){
                .total_kb = total_kb,
                .used_kb = u64_min(mem->swap_usage / 1024, total_kb),
        };
        return 0;
}

int render_swaps(const struct swap_view *swap, struct strbuf *out) {
        static const char name[] = "none";

        strbuf_puts(out, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");

        if (swap && swap->total_kb > 0) {
                /* "virtual" ends before the header's Size column, so two tabs reach it. */
                strbuf_printf(out, "%s%*s%s\t\t", name, SWAPS_NAME_WIDTH - (int) strlen(name), "", "virtual");
                strbuf_printf(out, "%" PRIu64 "\t%s", swap->total_kb, swap->total_kb < SWAPS_NARROW_VALUE ? "\t" : "");
                strbuf_printf(out, "%" PRIu64 "\t%s", swap->used_kb, swap->used_kb < SWAPS_NARROW_VALUE ? "\t" : "");
                strbuf_puts(out, "0\n");
        }

        return strbuf_error(out);
}
