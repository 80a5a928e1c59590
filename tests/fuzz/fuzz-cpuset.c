/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cpuset lists ("0-3,8"): what parses formats back to a list that parses to the same set. */
#include "cpuset.h"
#include "fuzz.h"

int fuzz_cpuset(const uint8_t *data, size_t size);

int fuzz_cpuset(const uint8_t *data, size_t size) {
        struct strbuf formatted = STRBUF_INIT;
        struct cpuset set, again;
        char *text = fuzz_strndup(data, size);

        if (cpuset_parse(text, &set) == 0) {
                cpuset_format(&set, &formatted);
                FUZZ_CHECK(strbuf_error(&formatted) == 0);
                FUZZ_CHECK(cpuset_parse(formatted.data ?: "", &again) == 0);
                FUZZ_CHECK(cpuset_equal(&set, &again));
        }

        strbuf_free(&formatted);
        free(text);
        return 0;
}

FUZZ_DEFINE_ENTRY(fuzz_cpuset)
