/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/uptime as a container sees it: the age of the container's init and
 * the idle time of its visible CPUs, both computed by the caller.
 */
#include <math.h>

#include "render.h"

/* Negative and non-finite values (a clock read gone wrong) print as 0. */
static double uptime_sanitize(double sec) {
        if (!isfinite(sec) || sec < 0)
                return 0;
        return sec;
}

int render_uptime(double uptime_sec, double idle_sec, struct strbuf *out) {
        strbuf_printf(out, "%.2f %.2f\n", uptime_sanitize(uptime_sec), uptime_sanitize(idle_sec));
        return strbuf_error(out);
}
