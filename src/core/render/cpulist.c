/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The CPU list files of sys/devices/system/cpu (online, present, possible,
 * and offline with an empty set) in the kernel's list format.
 */
#include <errno.h>

#include "render.h"

int render_cpulist(const struct cpuset *visible, struct strbuf *out) {
        if (!visible)
                return -EINVAL;

        cpuset_format(visible, out);
        strbuf_puts(out, "\n");
        return strbuf_error(out);
}
