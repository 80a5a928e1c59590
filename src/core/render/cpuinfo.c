/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/cpuinfo as a container sees it: the host's block of each visible
 * CPU, in the host's order and with the host's processor numbers, so the ids
 * a program reads here are valid for sched_setaffinity().
 */
#include <errno.h>
#include <string.h>

#include "hosttext.h"
#include "macro.h"
#include "render.h"

/* A block of cpuinfo: its lines up to and including the blank line that ends it. */
struct cpuinfo_block {
        const char *start;
        size_t size;
};

/* Store the block at *cursor in ret and advance past it. Returns false at the end of the text. */
static bool cpuinfo_next_block(const char **cursor, struct cpuinfo_block *ret) {
        const char *start = *cursor;
        struct text_line line;

        if (*start == '\0')
                return false;

        while (text_next_line(cursor, &line))
                if (line.len == 0)
                        break;

        *ret = (struct cpuinfo_block){ .start = start, .size = (size_t) (*cursor - start) };
        return true;
}

/*
 * Parse "processor\t: N" at the start of a block. Returns -ENOENT for a block
 * without one (trailing machine-wide blocks on some architectures) and
 * -EINVAL for a processor line without a number.
 */
static int cpuinfo_block_cpu(const struct cpuinfo_block *block, unsigned *ret) {
        const char *p = block->start;
        uint64_t cpu;
        int r;

        if (!startswith(p, "processor"))
                return -ENOENT;

        p = skip_blanks(p + strlen("processor"));
        if (*p != ':')
                return -ENOENT;

        p++;
        r = parse_u64_field(&p, &cpu);
        if (r < 0)
                return -EINVAL;
        if (cpu >= CPUSET_MAX)
                return -EINVAL;

        *ret = (unsigned) cpu;
        return 0;
}

int render_cpuinfo(const char *host_cpuinfo, const struct cpuset *visible, struct strbuf *out) {
        const char *cursor = host_cpuinfo;
        struct cpuinfo_block block;
        bool found_processor = false;

        if (!host_cpuinfo || !visible)
                return -EINVAL;

        while (cpuinfo_next_block(&cursor, &block)) {
                unsigned cpu;
                int r;

                r = cpuinfo_block_cpu(&block, &cpu);
                if (r == -ENOENT) {
                        strbuf_append(out, block.start, block.size);
                        continue;
                }
                if (r < 0)
                        return r;

                found_processor = true;
                if (cpuset_has(visible, cpu))
                        strbuf_append(out, block.start, block.size);
        }

        /* A layout without per-CPU blocks (s390) cannot be narrowed. */
        if (!found_processor)
                return -EINVAL;

        return strbuf_error(out);
}
