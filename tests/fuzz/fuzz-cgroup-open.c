/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Layout detection from mountinfo and cgroup_open from /proc/PID/cgroup text,
 * then every reader on what was opened. The first byte picks the tree under
 * the prefix: the recorded v1 or v2 tree of tests/fixtures, or a temporary
 * tree with hostile cgroup names (see make_hostile_tree). Then come the
 * mountinfo text and the /proc/PID/cgroup text, separated by a NUL byte.
 */
#include <errno.h>

#include "cgroup.h"
#include "fuzz.h"

int fuzz_cgroup_open(const uint8_t *data, size_t size);

/*
 * A cgroup2 hierarchy at sys/fs/cgroup with names that need escaping in
 * mountinfo (space, tab, newline, backslash), a colon, UTF-8, a 255-byte
 * name, and a chain 40 levels deep with a limit at the top.
 */
static const char *make_hostile_tree(void) {
        static char *prefix;
        char name[300], deep[400];

        if (prefix)
                return prefix;

        prefix = strdup(fuzz_tmpdir());
        FUZZ_CHECK(prefix);
        fuzz_write_file(prefix, "sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n");
        fuzz_write_file(prefix, "sys/fs/cgroup/a b/memory.max", "52428800\n");
        fuzz_write_file(prefix, "sys/fs/cgroup/a b/memory.current", "1048576\n");
        fuzz_write_file(prefix, "sys/fs/cgroup/a b/memory.stat", "anon 4096\nfile 8192\n");
        fuzz_write_file(prefix, "sys/fs/cgroup/a b/cpu.max", "50000 100000\n");
        fuzz_write_file(prefix, "sys/fs/cgroup/a b/cgroup.threads", "1\n2\n");
        fuzz_write_file(prefix, "sys/fs/cgroup/c:d/e\\f/cpu.stat", "usage_usec 10\nuser_usec 6\nsystem_usec 4\n");
        fuzz_write_file(prefix, "sys/fs/cgroup/tab\there/new\nline/io.stat", "8:0 rbytes=512 rios=1\n");
        fuzz_write_file(prefix,
                        "sys/fs/cgroup/\xc3\xbc"
                        "ber/cpuset.cpus.effective",
                        "0-1\n");

        memset(name, 'x', 255);
        name[255] = '\0';
        snprintf(deep, sizeof(deep), "sys/fs/cgroup/%s/memory.max", name);
        fuzz_write_file(prefix, deep, "max\n");

        strcpy(deep, "sys/fs/cgroup/deep");
        fuzz_write_file(prefix, "sys/fs/cgroup/deep/memory.max", "1024\n");
        for (int i = 0; i < 40; i++)
                strcat(deep, "/d");
        strcat(deep, "/memory.current");
        fuzz_write_file(prefix, deep, "4096\n");
        return prefix;
}

static char *fixture_tree(const char *name) {
        size_t n = strlen(FIXTURE_DIR) + strlen(name) + 2;
        char *path = malloc(n);

        FUZZ_CHECK(path);
        snprintf(path, n, "%s/%s", FIXTURE_DIR, name);
        return path;
}

static const char *pick_prefix(uint8_t selector) {
        static char *v1, *v2;

        switch (selector % 3) {
        case 0:
                return v1 ?: (v1 = fixture_tree("v1"));
        case 1:
                return v2 ?: (v2 = fixture_tree("v2"));
        default:
                return make_hostile_tree();
        }
}

static void check_paths(const struct cgroup *cg) {
        for (int c = 0; c < _CG_CONTROLLER_MAX; c++) {
                const char *path = cgroup_path(cg, c);

                if (!path)
                        continue;
                FUZZ_CHECK(path[0] == '/');
                FUZZ_CHECK(!strstr(path, "/../") && !strstr(path, "//"));
        }
}

static void read_everything(const struct cgroup *cg) {
        struct cg_memory mem;
        struct cg_cpu cpu;

        if (cgroup_read_memory(cg, &mem) == 0)
                FUZZ_CHECK(!mem.swap_accounting ? mem.swap_limit == 0 && mem.swap_usage == 0 : true);

        if (cgroup_read_cpu(cg, &cpu) == 0)
                FUZZ_CHECK(cpu.period_us > 0);

        fuzz_read_usage(cg);
}

int fuzz_cgroup_open(const uint8_t *data, size_t size) {
        const char *prefix = pick_prefix(fuzz_take_u8(&data, &size));
        struct fuzz_parts parts = fuzz_split(data, size, 2);
        struct cgroup_layout *layout = NULL;
        struct cgroup *cg = NULL;
        int r;

        if (!parts.part[1])
                goto finish;

        r = cgroup_layout_new(parts.part[0], prefix, &layout);
        FUZZ_CHECK(r == 0 || r == -ENOMEDIUM);
        if (r < 0)
                goto finish;

        if (cgroup_open(layout, parts.part[1], &cg) < 0)
                goto finish;

        check_paths(cg);
        read_everything(cg);

finish:
        cgroup_free(cg);
        cgroup_layout_free(layout);
        fuzz_parts_free(&parts);
        return 0;
}

FUZZ_DEFINE_ENTRY(fuzz_cgroup_open)
