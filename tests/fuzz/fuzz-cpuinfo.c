/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/cpuinfo narrowed to a CPU set: the input is a cpuset list, a NUL
 * byte, and the host's cpuinfo text.
 */
#include <errno.h>

#include "fuzz.h"
#include "render.h"

int fuzz_cpuinfo(const uint8_t *data, size_t size);

/* Every "processor : N" line of the output names a CPU of visible. */
static void check_cpuinfo(const char *out, const struct cpuset *visible) {
        for (const char *p = out; (p = strstr(p, "processor")); p++) {
                unsigned long cpu;
                char *end;

                /* Only a processor line that starts a block selects it. */
                if (p != out && (p < out + 2 || p[-1] != '\n' || p[-2] != '\n'))
                        continue;
                end = (char *) p + strlen("processor");
                end += strspn(end, " \t");
                if (*end != ':')
                        continue;
                end++;
                end += strspn(end, " \t");
                if (*end < '0' || *end > '9')
                        continue;
                cpu = strtoul(end, NULL, 10);
                FUZZ_CHECK(cpuset_has(visible, (unsigned) cpu));
        }
}

int fuzz_cpuinfo(const uint8_t *data, size_t size) {
        struct fuzz_parts parts = fuzz_split(data, size, 2);
        struct strbuf out = STRBUF_INIT;
        struct cpuset visible;
        int r;

        if (!parts.part[1] || cpuset_parse(parts.part[0], &visible) < 0)
                goto finish;

        r = render_cpuinfo(parts.part[1], &visible, &out);
        if (r == 0) {
                FUZZ_CHECK(out.len <= strlen(parts.part[1]));
                check_cpuinfo(out.data ?: "", &visible);
        } else
                FUZZ_CHECK(r == -EINVAL);

finish:
        strbuf_free(&out);
        fuzz_parts_free(&parts);
        return 0;
}

FUZZ_DEFINE_ENTRY(fuzz_cpuinfo)
