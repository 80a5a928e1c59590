/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* v2 io.stat ("8:0 rbytes=1 wbytes=2 rios=3 ..."). */
#include "cgroup.h"
#include "fuzz.h"

int fuzz_io_stat(const uint8_t *data, size_t size);

int fuzz_io_stat(const uint8_t *data, size_t size) {
        struct cg_io io = {};
        char *text = fuzz_strndup(data, size);

        if (cg_parse_io_stat(text, &io) == 0)
                fuzz_check_io_devices_unique(&io);
        cg_io_done(&io);

        free(text);
        return 0;
}

FUZZ_DEFINE_ENTRY(fuzz_io_stat)
