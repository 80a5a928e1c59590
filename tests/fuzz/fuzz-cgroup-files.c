/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cgroup value files read from a tree, through the public readers, and the
 * views rendered from what they return. A temporary tree contains the cgroup
 * /p/c of a v2 or a v1 host. The input starts with a mode byte (v1 or v2) and
 * a 64-bit mask whose low bits say which files exist; then come the files' texts,
 * separated by NUL bytes, in the order of v1_files or v2_files. A file
 * whose mask bit is clear is removed, as when a controller is not enabled.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "cgroup.h"
#include "cpuview.h"
#include "fileio.h"
#include "fuzz.h"
#include "parse.h"
#include "render.h"

int fuzz_cgroup_files(const uint8_t *data, size_t size);

static const char *const v2_files[] = {
        "p/c/memory.current",
        "p/c/memory.max",
        "p/memory.max",
        "p/c/memory.stat",
        "p/c/memory.swap.current",
        "p/c/memory.swap.max",
        "p/memory.swap.max",
        "p/c/cpu.max",
        "p/cpu.max",
        "p/c/cpuset.cpus.effective",
        "p/cpuset.cpus.effective",
        "p/c/cpu.stat",
        "p/c/io.stat",
        "p/c/cgroup.threads",
};

static const char *const v1_files[] = {
        "memory/p/c/memory.usage_in_bytes",
        "memory/p/c/memory.limit_in_bytes",
        "memory/p/memory.limit_in_bytes",
        "memory/p/c/memory.stat",
        "memory/p/c/memory.memsw.usage_in_bytes",
        "memory/p/c/memory.memsw.limit_in_bytes",
        "memory/p/memory.memsw.limit_in_bytes",
        "cpu,cpuacct/p/c/cpu.cfs_quota_us",
        "cpu,cpuacct/p/c/cpu.cfs_period_us",
        "cpu,cpuacct/p/cpu.cfs_quota_us",
        "cpu,cpuacct/p/cpu.cfs_period_us",
        "cpuset/p/c/cpuset.effective_cpus",
        "cpuset/p/cpuset.cpus",
        "cpu,cpuacct/p/c/cpuacct.usage_all",
        "cpu,cpuacct/p/c/cpuacct.usage_percpu_user",
        "cpu,cpuacct/p/c/cpuacct.usage_percpu_sys",
        "blkio/p/c/blkio.throttle.io_serviced_recursive",
        "blkio/p/c/blkio.throttle.io_service_bytes_recursive",
        "cpu,cpuacct/p/c/tasks",
};

static const char v2_mountinfo[] = "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
static const char v1_mountinfo[] = "31 25 0:27 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
                                   "32 25 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
                                   "33 25 0:29 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset\n"
                                   "34 25 0:30 / /sys/fs/cgroup/blkio rw - cgroup cgroup rw,blkio\n";
static const char v1_membership[] = "10:memory:/p/c\n8:cpuset:/p/c\n4:cpu,cpuacct:/p/c\n3:blkio:/p/c\n";

struct tree {
        char *prefix; /* the directory the mountinfo's mount points are under */
        char *cgroup_root; /* prefix/sys/fs/cgroup */
        struct cgroup_layout *layout;
};

static char *join(const char *a, const char *b) {
        size_t n = strlen(a) + strlen(b) + 2;
        char *s = malloc(n);

        FUZZ_CHECK(s);
        snprintf(s, n, "%s/%s", a, b);
        return s;
}

static const struct tree *get_tree(bool v1) {
        static struct tree trees[2];
        struct tree *t = &trees[v1];

        if (t->layout)
                return t;

        t->prefix = join(fuzz_tmpdir(), v1 ? "v1" : "v2");
        t->cgroup_root = join(t->prefix, "sys/fs/cgroup");
        if (v1) {
                fuzz_write_file(t->cgroup_root, "memory/p/c/.keep", "");
                fuzz_write_file(t->cgroup_root, "cpu,cpuacct/p/c/.keep", "");
                fuzz_write_file(t->cgroup_root, "cpuset/p/c/.keep", "");
                fuzz_write_file(t->cgroup_root, "blkio/p/c/.keep", "");
        } else {
                fuzz_write_file(t->cgroup_root, "cgroup.controllers", "cpuset cpu io memory pids\n");
                fuzz_write_file(t->cgroup_root, "p/c/.keep", "");
        }
        FUZZ_CHECK(cgroup_layout_new(v1 ? v1_mountinfo : v2_mountinfo, t->prefix, &t->layout) == 0);
        return t;
}

static const char *host_meminfo(void) {
        static char *text;

        if (!text)
                FUZZ_CHECK(read_full_file_at(AT_FDCWD, FIXTURE_DIR "/host/meminfo-swap", &text, NULL) == 0);
        return text;
}

/* Parse the number of a limit file; false when the file is not a plain number. */
static bool limit_value(const char *text, uint64_t *ret) {
        char *line;
        bool ok;

        if (!text)
                return false;
        line = strndup(text, strcspn(text, "\n"));
        FUZZ_CHECK(line);
        ok = safe_atou64(line, ret) == 0;
        free(line);
        return ok;
}

/* v1 shows "no limit" as a page-counter maximum from this value up. */
#define V1_LIMIT_UNSET UINT64_C(0x7FFFFFFFFFFF0000)

/* The effective limit is at most the limit of each level that sets a number. */
static void check_memory(bool v1, const struct fuzz_parts *parts, uint64_t mask, const struct cg_memory *mem) {
        struct strbuf out = STRBUF_INIT;
        uint64_t value;

        for (unsigned i = 1; i <= 2; i++) {
                if (!(mask & (UINT64_C(1) << i)) || !limit_value(parts->part[i], &value))
                        continue;
                if (v1 && value >= V1_LIMIT_UNSET)
                        continue;
                FUZZ_CHECK(mem->limit <= value);
        }

        FUZZ_CHECK(render_meminfo(host_meminfo(), mem, &out) == 0);
        fuzz_check_meminfo(host_meminfo(), mem, out.data);
        strbuf_free(&out);
}

static void check_cpu(const struct cg_cpu *cpu) {
        struct cpuset online, visible;

        FUZZ_CHECK(cpu->period_us > 0);
        FUZZ_CHECK(cpuset_parse("0-7", &online) == 0);
        cpuview_visible(&online, cpu, CPU_VIEW_QUOTA, &visible);
        FUZZ_CHECK(!cpuset_is_empty(&visible));
}

static void read_everything(bool v1, const struct fuzz_parts *parts, uint64_t mask, const struct cgroup *cg) {
        struct cg_memory mem;
        struct cg_cpu cpu;

        if (cgroup_read_memory(cg, &mem) == 0)
                check_memory(v1, parts, mask, &mem);

        if (cgroup_read_cpu(cg, &cpu) == 0)
                check_cpu(&cpu);

        fuzz_read_usage(cg);
}

/*
 * Write a file of the tree only when its text changed since the last input:
 * a mutation usually changes one file, and writing all of them every time
 * costs most of the run time.
 */
static void update_file(bool v1, size_t index, const char *root, const char *name, const char *text) {
        static char *written[2][32];
        static bool present[2][32];
        char **last = &written[v1][index];

        if (present[v1][index] == !!text && (!text || streq(*last, text)))
                return;

        fuzz_write_file(root, name, text);
        free(*last);
        *last = text ? strdup(text) : NULL;
        FUZZ_CHECK(!text || *last);
        present[v1][index] = !!text;
}

int fuzz_cgroup_files(const uint8_t *data, size_t size) {
        bool v1 = fuzz_take_u8(&data, &size) & 1;
        uint64_t mask = fuzz_take_u64(&data, &size);
        const char *const *files = v1 ? v1_files : v2_files;
        size_t n_files = v1 ? sizeof(v1_files) / sizeof(v1_files[0]) : sizeof(v2_files) / sizeof(v2_files[0]);
        struct fuzz_parts parts = fuzz_split(data, size, n_files);
        const struct tree *tree = get_tree(v1);
        struct cgroup *cg = NULL;

        for (size_t i = 0; i < n_files; i++)
                update_file(v1, i, tree->cgroup_root, files[i],
                            (mask & (UINT64_C(1) << i)) ? (parts.part[i] ?: "") : NULL);

        if (cgroup_open(tree->layout, v1 ? v1_membership : "0::/p/c\n", &cg) == 0) {
                read_everything(v1, &parts, mask, cg);
                cgroup_free(cg);
        }

        fuzz_parts_free(&parts);
        return 0;
}

FUZZ_DEFINE_ENTRY(fuzz_cgroup_files)
