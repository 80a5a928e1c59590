/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/loadavg as a container sees it, in the kernel's format:
 * "0.00 0.01 0.05 1/123 4567\n".
 */
#include <errno.h>

#include "macro.h"
#include "render.h"

/* The kernel rounds each average to two decimals by adding 0.005 before it truncates. */
#define LOADAVG_ROUNDING (LOADAVG_FIXED_1 / 200)

static unsigned long loadavg_int(unsigned long x) {
        return x >> LOADAVG_FSHIFT;
}

static unsigned long loadavg_hundredths(unsigned long x) {
        return loadavg_int((x & (LOADAVG_FIXED_1 - 1)) * 100);
}

int render_loadavg(const struct loadavg_view *view, struct strbuf *out) {
        if (!view)
                return -EINVAL;

        for (size_t i = 0; i < ELEMENTSOF(view->avg.avg); i++) {
                unsigned long avg = view->avg.avg[i] + LOADAVG_ROUNDING;

                strbuf_printf(out, "%lu.%02lu ", loadavg_int(avg), loadavg_hundredths(avg));
        }

        strbuf_printf(out, "%u/%u %d\n", view->running, view->total, (int) view->last_pid);
        return strbuf_error(out);
}
