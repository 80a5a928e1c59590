/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Replay every input under tests/fuzz/regressions/HARNESS through the harness
 * function it once crashed. A harness aborts when an invariant breaks, so a
 * regression shows here as a crash of this program. The empty input runs
 * first, so each harness runs at least once.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>

#include "fileio.h"
#include "macro.h"
#include "strbuf.h"
#include "test.h"

int fuzz_blkio(const uint8_t *data, size_t size);
int fuzz_cgroup_files(const uint8_t *data, size_t size);
int fuzz_cgroup_open(const uint8_t *data, size_t size);
int fuzz_cpu_max(const uint8_t *data, size_t size);
int fuzz_cpu_stat(const uint8_t *data, size_t size);
int fuzz_cpuacct(const uint8_t *data, size_t size);
int fuzz_cpuinfo(const uint8_t *data, size_t size);
int fuzz_cpuset(const uint8_t *data, size_t size);
int fuzz_diskstats(const uint8_t *data, size_t size);
int fuzz_io_stat(const uint8_t *data, size_t size);
int fuzz_memory_stat(const uint8_t *data, size_t size);
int fuzz_meminfo(const uint8_t *data, size_t size);
int fuzz_oci_config(const uint8_t *data, size_t size);
int fuzz_oci_state(const uint8_t *data, size_t size);
int fuzz_parse(const uint8_t *data, size_t size);
int fuzz_procfs(const uint8_t *data, size_t size);
int fuzz_stat(const uint8_t *data, size_t size);

static void closedirp_(DIR **d) {
        if (*d)
                closedir(*d);
}

/* Run fn on the empty input and on every file of the harness's regression directory. */
static int replay(const char *harness, int (*fn)(const uint8_t *data, size_t size), unsigned *ret_n) {
        _cleanup_strbuf_ struct strbuf dir = STRBUF_INIT;
        _cleanup_(closedirp_) DIR *d = NULL;
        struct dirent *de;
        unsigned n = 1;

        fn((const uint8_t *) "", 0);

        strbuf_printf(&dir, "%s/%s", REGRESSION_DIR, harness);
        if (strbuf_error(&dir) < 0)
                return -ENOMEM;

        d = opendir(dir.data);
        if (!d) {
                *ret_n = n;
                return errno == ENOENT ? 0 : -errno;
        }

        while ((de = readdir(d))) {
                _cleanup_free_ char *data = NULL;
                size_t size;
                int r;

                if (de->d_name[0] == '.')
                        continue;

                r = read_full_file_at(dirfd(d), de->d_name, &data, &size);
                if (r < 0)
                        return r;

                printf("# %s: %s\n", harness, de->d_name);
                fflush(stdout);
                fn((const uint8_t *) data, size);
                n++;
        }

        *ret_n = n;
        return 0;
}

#define REPLAY_TEST(name, harness)                                                                                     \
        TEST(fuzz_regressions_##name) {                                                                                \
                unsigned n = 0;                                                                                        \
                                                                                                                       \
                ASSERT_OK(replay(harness, fuzz_##name, &n));                                                           \
                ASSERT_TRUE(n >= 1);                                                                                   \
        }

REPLAY_TEST(blkio, "blkio")
REPLAY_TEST(cgroup_files, "cgroup-files")
REPLAY_TEST(cgroup_open, "cgroup-open")
REPLAY_TEST(cpu_max, "cpu-max")
REPLAY_TEST(cpu_stat, "cpu-stat")
REPLAY_TEST(cpuacct, "cpuacct")
REPLAY_TEST(cpuinfo, "cpuinfo")
REPLAY_TEST(cpuset, "cpuset")
REPLAY_TEST(diskstats, "diskstats")
REPLAY_TEST(io_stat, "io-stat")
REPLAY_TEST(memory_stat, "memory-stat")
REPLAY_TEST(meminfo, "meminfo")
REPLAY_TEST(oci_config, "oci-config")
REPLAY_TEST(oci_state, "oci-state")
REPLAY_TEST(parse, "parse")
REPLAY_TEST(procfs, "procfs")
REPLAY_TEST(stat, "stat")
