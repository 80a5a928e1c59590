/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * v1 blkio recursive files ("8:0 Read 123" lines): the io_serviced and
 * io_service_bytes texts, separated by a NUL byte, added into one cg_io as
 * the v1 reader does.
 */
#include "cgroup.h"
#include "fuzz.h"

int fuzz_blkio(const uint8_t *data, size_t size);

int fuzz_blkio(const uint8_t *data, size_t size) {
        struct fuzz_parts parts = fuzz_split(data, size, 2);
        struct cg_io io = {};
        size_t n_before;

        if (parts.part[0] && cg_parse_blkio(parts.part[0], false, &io) == 0)
                fuzz_check_io_devices_unique(&io);

        /* A malformed file leaves io as it was. */
        n_before = io.n_devices;
        if (parts.part[1]) {
                if (cg_parse_blkio(parts.part[1], true, &io) == 0)
                        fuzz_check_io_devices_unique(&io);
                else
                        FUZZ_CHECK(io.n_devices == n_before);
        }

        cg_io_done(&io);
        fuzz_parts_free(&parts);
        return 0;
}

FUZZ_DEFINE_ENTRY(fuzz_blkio)
