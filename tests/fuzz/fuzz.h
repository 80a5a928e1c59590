/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers shared by the libFuzzer harnesses in tests/fuzz.
 *
 * Each harness defines int fuzz_NAME(const uint8_t *data, size_t size). The
 * fuzz build (-Dfuzz=true, clang) wraps it in LLVMFuzzerTestOneInput with
 * FUZZ_DEFINE_ENTRY. The regression test in tests/unit/fuzz links every
 * harness into one program, built with -DFUZZ_REPLAY, and calls each
 * function on the files under tests/fuzz/regressions/NAME.
 *
 * A harness checks the invariants the virtual files promise (no field
 * above MemTotal, the cpu line equal to the sum of the cpuN lines, and so on)
 * with FUZZ_CHECK, which aborts when one is broken. A crash or an abort is a
 * finding.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef FUZZ_REPLAY
#define FUZZ_DEFINE_ENTRY(function)
#else
#define FUZZ_DEFINE_ENTRY(function)                                                                                    \
        int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);                                                  \
        int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {                                                 \
                return function(data, size);                                                                           \
        }
#endif

/* Abort with the failed condition, so libFuzzer records the input as a crash. */
#define FUZZ_CHECK(expr)                                                                                               \
        do {                                                                                                           \
                if (!(expr)) {                                                                                         \
                        fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #expr);                   \
                        abort();                                                                                       \
                }                                                                                                      \
        } while (0)

/*
 * Inputs that hold several texts separate them with NUL bytes: "part0\0part1".
 * fuzz_split copies the first n parts into NUL-terminated strings, and parts
 * the input lacks are NULL. Free them with fuzz_parts_free.
 */
struct fuzz_parts {
        size_t n;
        char **part;
};

struct fuzz_parts fuzz_split(const uint8_t *data, size_t size, size_t n);
void fuzz_parts_free(struct fuzz_parts *parts);

/* A NUL-terminated copy of data, for harnesses that take one text. */
char *fuzz_strndup(const uint8_t *data, size_t size);

/* Read the next little-endian 64-bit value of the input, or 0 past its end. */
uint64_t fuzz_take_u64(const uint8_t **data, size_t *size);
uint8_t fuzz_take_u8(const uint8_t **data, size_t *size);

/* Create a temporary directory once per process and remove it at exit. */
const char *fuzz_tmpdir(void);

/* Write text (NULL: remove the file) to dir/name, creating directories. Aborts on failure. */
void fuzz_write_file(const char *dir, const char *name, const char *text);

/* Abort unless message is a non-empty line of printable ASCII that ends within size bytes. */
void fuzz_check_message(const char *message, size_t size);

/* Abort unless json-c's own check (JSON_TOKENER_VALIDATE_UTF8) takes s as UTF-8. */
void fuzz_check_utf8(const char *s);

struct cg_io;

/* Abort when a device appears twice in io, because diskstats would then print it twice. */
void fuzz_check_io_devices_unique(const struct cg_io *io);

struct cg_memory;

/*
 * Abort when a rendered meminfo breaks a promise of the view: one line per
 * host line, MemTotal at most the limit and the host's, no cgroup value
 * above MemTotal, and SwapFree at most SwapTotal.
 */
void fuzz_check_meminfo(const char *host, const struct cg_memory *mem, const char *out);

struct cgroup;

/* Read a cgroup's CPU usage, I/O and tasks, and abort on a malformed result. */
void fuzz_read_usage(const struct cgroup *cg);
