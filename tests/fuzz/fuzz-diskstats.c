/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/diskstats from a fuzzed host file and fuzzed cgroup I/O. The first
 * byte picks v2 (one io.stat text) or v1 (the io_serviced and
 * io_service_bytes texts); the host's diskstats text comes last. Texts are
 * separated by NUL bytes.
 */
#include <errno.h>

#include "cgroup.h"
#include "fuzz.h"
#include "render.h"

int fuzz_diskstats(const uint8_t *data, size_t size);

static const struct cg_io_device *find_device(const struct cg_io *io, unsigned major, unsigned minor) {
        for (size_t i = 0; i < io->n_devices; i++)
                if (io->devices[i].major == major && io->devices[i].minor == minor)
                        return &io->devices[i];
        return NULL;
}

/* Each output line is a device the container did I/O on, with its own read count first. */
static void check_diskstats(const char *out, const struct cg_io *io) {
        for (const char *line = out; *line != '\0'; line = strchr(line, '\n') + 1) {
                const struct cg_io_device *d;
                unsigned long major, minor;
                char *end;

                major = strtoul(line, &end, 10);
                minor = strtoul(end, &end, 10);
                d = find_device(io, (unsigned) major, (unsigned) minor);
                FUZZ_CHECK(d);
                FUZZ_CHECK(d->rios || d->wios || d->dios || d->rbytes || d->wbytes || d->dbytes);
                FUZZ_CHECK(strchr(line, '\n'));
        }
}

static int parse_io(bool v1, const struct fuzz_parts *parts, struct cg_io *io) {
        int r;

        if (!v1)
                return cg_parse_io_stat(parts->part[0], io);

        r = cg_parse_blkio(parts->part[0], false, io);
        if (r < 0)
                return r;
        return cg_parse_blkio(parts->part[1], true, io);
}

int fuzz_diskstats(const uint8_t *data, size_t size) {
        bool v1 = fuzz_take_u8(&data, &size) & 1;
        struct fuzz_parts parts = fuzz_split(data, size, v1 ? 3 : 2);
        struct strbuf out = STRBUF_INIT;
        const char *host = parts.part[parts.n - 1];
        struct cg_io io = {};
        int r;

        if (!host || parse_io(v1, &parts, &io) < 0)
                goto finish;

        r = render_diskstats(host, &io, &out);
        if (r == 0)
                check_diskstats(out.data ?: "", &io);
        else
                FUZZ_CHECK(r == -EINVAL);

finish:
        cg_io_done(&io);
        strbuf_free(&out);
        fuzz_parts_free(&parts);
        return 0;
}

FUZZ_DEFINE_ENTRY(fuzz_diskstats)
