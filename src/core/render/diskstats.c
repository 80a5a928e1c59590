/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/diskstats as a container sees it: one line per host device the
 * container did I/O on, in the host file's order and with the host's field
 * count (kernels print 11, 15 or 17 values after the name depending on the
 * version). Only what a cgroup accounts per device is filled in; the other
 * fields are 0.
 */
#include <errno.h>
#include <inttypes.h>

#include "hosttext.h"
#include "macro.h"
#include "render.h"

/* Before 4.18 the kernel printed 11 values; 4.18 added 4 discard fields, 5.5 two flush fields. */
#define DISKSTATS_MIN_VALUES 11
#define DISKSTATS_MAX_VALUES 64

/* Indexes of the values after the device name. */
enum {
        DISKSTATS_READS = 0,
        DISKSTATS_SECTORS_READ = 2,
        DISKSTATS_WRITES = 4,
        DISKSTATS_SECTORS_WRITTEN = 6,
        DISKSTATS_DISCARDS = 11,
        DISKSTATS_SECTORS_DISCARDED = 13,
};

#define SECTOR_SIZE 512

/* The part of a host line that names the device. */
struct diskstats_device {
        unsigned major, minor;
        const char *name;
        size_t name_len;
        unsigned n_values;
};

static int diskstats_parse_line(const struct text_line *line, struct diskstats_device *ret) {
        const char *p = line->start;
        uint64_t major, minor;
        unsigned n_fields;
        int r;

        r = parse_u64_field(&p, &major);
        if (r < 0)
                return -EINVAL;
        r = parse_u64_field(&p, &minor);
        if (r < 0)
                return -EINVAL;
        if (major > UINT32_MAX || minor > UINT32_MAX)
                return -EINVAL;

        p = skip_blanks(p);
        n_fields = line_count_fields(line);
        if (n_fields < 3 + DISKSTATS_MIN_VALUES || n_fields > 3 + DISKSTATS_MAX_VALUES)
                return -EINVAL;

        *ret = (struct diskstats_device){
                .major = (unsigned) major,
                .minor = (unsigned) minor,
                .name = p,
                .name_len = strcspn(p, " \t\n"),
                .n_values = n_fields - 3,
        };
        return 0;
}

static const struct cg_io_device *diskstats_find_io(const struct cg_io *io, unsigned major, unsigned minor) {
        for (size_t i = 0; i < io->n_devices; i++)
                if (io->devices[i].major == major && io->devices[i].minor == minor)
                        return &io->devices[i];
        return NULL;
}

static bool io_device_is_idle(const struct cg_io_device *d) {
        return d->rios == 0 && d->wios == 0 && d->dios == 0 && d->rbytes == 0 && d->wbytes == 0 && d->dbytes == 0;
}

static void diskstats_put_line(const struct diskstats_device *dev, const struct cg_io_device *io, struct strbuf *out) {
        uint64_t values[DISKSTATS_MAX_VALUES] = {
                [DISKSTATS_READS] = io->rios,    [DISKSTATS_SECTORS_READ] = io->rbytes / SECTOR_SIZE,
                [DISKSTATS_WRITES] = io->wios,   [DISKSTATS_SECTORS_WRITTEN] = io->wbytes / SECTOR_SIZE,
                [DISKSTATS_DISCARDS] = io->dios, [DISKSTATS_SECTORS_DISCARDED] = io->dbytes / SECTOR_SIZE,
        };

        /* The kernel's own column widths for the device numbers. */
        strbuf_printf(out, "%4u %7u %.*s", dev->major, dev->minor, (int) dev->name_len, dev->name);
        for (unsigned i = 0; i < dev->n_values; i++)
                strbuf_printf(out, " %" PRIu64, values[i]);
        strbuf_puts(out, "\n");
}

int render_diskstats(const char *host_diskstats, const struct cg_io *io, struct strbuf *out) {
        const char *cursor = host_diskstats;
        struct text_line line;

        if (!host_diskstats || !io)
                return -EINVAL;

        while (text_next_line(&cursor, &line)) {
                struct diskstats_device dev;
                const struct cg_io_device *dev_io;
                int r;

                if (line.len == 0)
                        continue;

                r = diskstats_parse_line(&line, &dev);
                if (r < 0)
                        return r;

                dev_io = diskstats_find_io(io, dev.major, dev.minor);
                if (!dev_io || io_device_is_idle(dev_io))
                        continue;

                diskstats_put_line(&dev, dev_io, out);
        }

        return strbuf_error(out);
}
