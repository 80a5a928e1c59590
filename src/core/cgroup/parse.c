/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Parsers of single cgroup files. Each takes the file's text, so tests and
 * fuzzers can call them without a cgroup tree. Keys are compared whole, so a
 * key never matches a longer key that starts with it ("file" and
 * "file_mapped", "total_rss" and "total_rss_huge").
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-internal.h"
#include "log.h"
#include "macro.h"
#include "parse.h"

struct memory_stat_key {
        const char *v1;
        const char *v2;
        size_t offset;
};

static const struct memory_stat_key memory_stat_keys[] = {
        { "total_cache", "file", offsetof(struct cg_memory_stat, cache) },
        { "total_active_anon", "active_anon", offsetof(struct cg_memory_stat, active_anon) },
        { "total_inactive_anon", "inactive_anon", offsetof(struct cg_memory_stat, inactive_anon) },
        { "total_active_file", "active_file", offsetof(struct cg_memory_stat, active_file) },
        { "total_inactive_file", "inactive_file", offsetof(struct cg_memory_stat, inactive_file) },
        { "total_unevictable", "unevictable", offsetof(struct cg_memory_stat, unevictable) },
        { "total_shmem", "shmem", offsetof(struct cg_memory_stat, shmem) },
        { "total_mapped_file", "file_mapped", offsetof(struct cg_memory_stat, mapped) },
        { "total_dirty", "file_dirty", offsetof(struct cg_memory_stat, dirty) },
        { "total_writeback", "file_writeback", offsetof(struct cg_memory_stat, writeback) },
        { "total_rss", "anon", offsetof(struct cg_memory_stat, anon) },
        { "total_rss_huge", "anon_thp", offsetof(struct cg_memory_stat, anon_thp) },
        { NULL, "slab", offsetof(struct cg_memory_stat, slab) },
        { NULL, "slab_reclaimable", offsetof(struct cg_memory_stat, slab_reclaimable) },
        { NULL, "slab_unreclaimable", offsetof(struct cg_memory_stat, slab_unreclaimable) },
};

static const struct memory_stat_key *find_memory_stat_key(const char *key, bool v1) {
        for (size_t i = 0; i < ELEMENTSOF(memory_stat_keys); i++) {
                const char *name = v1 ? memory_stat_keys[i].v1 : memory_stat_keys[i].v2;

                if (name && streq(name, key))
                        return &memory_stat_keys[i];
        }
        return NULL;
}

/* Split "key value" at the first space. Returns -EINVAL without one. */
static int split_key_value(char *line, char **ret_key, char **ret_value) {
        char *space = strchr(line, ' ');

        if (!space)
                return -EINVAL;

        *space = '\0';
        *ret_key = line;
        *ret_value = space + 1;
        return 0;
}

int cg_parse_memory_stat(const char *text, bool v1, struct cg_memory_stat *ret) {
        _cleanup_free_ char *copy = strdup(text);
        struct cg_memory_stat stat = {};
        bool has_slab = false;
        char *p, *line;

        if (!copy)
                return -ENOMEM;

        p = copy;
        while ((line = strsep(&p, "\n"))) {
                const struct memory_stat_key *k;
                char *key, *value;
                int r;

                if (*line == '\0')
                        continue;
                if (split_key_value(line, &key, &value) < 0)
                        return -EINVAL;

                k = find_memory_stat_key(key, v1);
                if (!k)
                        continue;

                r = safe_atou64(value, (uint64_t *) ((char *) &stat + k->offset));
                if (r < 0)
                        return log_debug_errno(r, "Invalid value '%s' of %s in memory.stat: %m", value, key);
                has_slab = has_slab || (!v1 && streq(key, "slab"));
        }

        /* Older kernels show only the two parts of "slab", without the sum. */
        if (!v1 && !has_slab)
                stat.slab = u64_add_saturate(stat.slab_reclaimable, stat.slab_unreclaimable);

        *ret = stat;
        return 0;
}

/* "max" or a number of microseconds. */
static int parse_quota(const char *word, uint64_t *ret) {
        if (streq(word, "max")) {
                *ret = CG_UNLIMITED;
                return 0;
        }
        return safe_atou64(word, ret);
}

int cg_parse_cpu_max(const char *text, uint64_t *ret_quota_us, uint64_t *ret_period_us) {
        _cleanup_free_ char *copy = strdup(text);
        uint64_t quota, period;
        char *quota_word, *period_word;
        int r;

        if (!copy)
                return -ENOMEM;
        copy[strcspn(copy, "\n")] = '\0';

        /* "max 100000" or "50000 100000". */
        if (split_key_value(copy, &quota_word, &period_word) < 0)
                return -EINVAL;

        r = parse_quota(quota_word, &quota);
        if (r < 0)
                return r;

        r = safe_atou64(period_word, &period);
        if (r < 0)
                return r;
        if (period == 0)
                return -EINVAL;

        *ret_quota_us = quota;
        *ret_period_us = period;
        return 0;
}

/* Make room for CPU cpu in the per-CPU arrays of acct. */
static int cpuacct_grow(struct cg_cpuacct *acct, unsigned cpu) {
        unsigned n = cpu + 1;
        uint64_t *user, *system;

        if (cpu < acct->n_cpus)
                return 0;

        user = realloc(acct->percpu_user_ns, n * sizeof(uint64_t));
        if (!user)
                return -ENOMEM;
        acct->percpu_user_ns = user;

        system = realloc(acct->percpu_system_ns, n * sizeof(uint64_t));
        if (!system)
                return -ENOMEM;
        acct->percpu_system_ns = system;

        for (unsigned i = acct->n_cpus; i < n; i++) {
                user[i] = 0;
                system[i] = 0;
        }
        acct->n_cpus = n;
        return 0;
}

/*
 * Parse one "CPU USER SYSTEM" line of cpuacct.usage_all, in nanoseconds. The
 * kernel prints each CPU once, so a CPU already in seen makes the file
 * invalid instead of being counted twice in the totals.
 */
static int parse_usage_all_line(char *line, struct cpuset *seen, struct cg_cpuacct *acct) {
        char *words[3], *p = line;
        uint64_t user, system;
        unsigned cpu;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(words); i++) {
                words[i] = strsep(&p, " ");
                if (!words[i])
                        return -EINVAL;
        }
        if (p)
                return -EINVAL;

        r = safe_atou(words[0], &cpu);
        if (r < 0)
                return r;
        if (cpu >= CPUSET_MAX)
                return -ERANGE;
        if (cpuset_has(seen, cpu))
                return -EINVAL;

        r = safe_atou64(words[1], &user);
        if (r < 0)
                return r;
        r = safe_atou64(words[2], &system);
        if (r < 0)
                return r;

        r = cpuacct_grow(acct, cpu);
        if (r < 0)
                return r;

        cpuset_add(seen, cpu);
        acct->percpu_user_ns[cpu] = user;
        acct->percpu_system_ns[cpu] = system;
        acct->user_ns = u64_add_saturate(acct->user_ns, user);
        acct->system_ns = u64_add_saturate(acct->system_ns, system);
        return 0;
}

int cg_parse_cpuacct_usage_all(const char *text, struct cg_cpuacct *ret) {
        _cleanup_(cg_cpuacct_done) struct cg_cpuacct acct = {};
        _cleanup_free_ char *copy = strdup(text);
        struct cpuset seen;
        char *p, *line;
        int r;

        if (!copy)
                return -ENOMEM;

        cpuset_clear(&seen);
        p = copy;
        line = strsep(&p, "\n");
        if (!streq(line, "cpu user system"))
                return -EINVAL;

        while ((line = strsep(&p, "\n"))) {
                if (*line == '\0')
                        continue;
                r = parse_usage_all_line(line, &seen, &acct);
                if (r < 0)
                        return log_debug_errno(r, "Invalid line in cpuacct.usage_all: %m");
        }

        if (acct.n_cpus == 0)
                return -EINVAL;

        *ret = acct;
        acct = (struct cg_cpuacct){};
        return 0;
}

static int usec_to_nsec(uint64_t usec, uint64_t *ret) {
        if (__builtin_mul_overflow(usec, UINT64_C(1000), ret))
                return -ERANGE;
        return 0;
}

int cg_parse_cpu_stat(const char *text, struct cg_cpuacct *ret) {
        _cleanup_free_ char *copy = strdup(text);
        bool has_user = false, has_system = false;
        uint64_t user_usec = 0, system_usec = 0;
        struct cg_cpuacct acct = {};
        char *p, *line;
        int r;

        if (!copy)
                return -ENOMEM;

        p = copy;
        while ((line = strsep(&p, "\n"))) {
                char *key, *value;

                if (*line == '\0')
                        continue;
                if (split_key_value(line, &key, &value) < 0)
                        return -EINVAL;

                if (streq(key, "user_usec")) {
                        r = safe_atou64(value, &user_usec);
                        has_user = true;
                } else if (streq(key, "system_usec")) {
                        r = safe_atou64(value, &system_usec);
                        has_system = true;
                } else
                        continue;
                if (r < 0)
                        return log_debug_errno(r, "Invalid value '%s' of %s in cpu.stat: %m", value, key);
        }

        if (!has_user || !has_system)
                return -EINVAL;

        r = usec_to_nsec(user_usec, &acct.user_ns);
        if (r < 0)
                return r;
        r = usec_to_nsec(system_usec, &acct.system_ns);
        if (r < 0)
                return r;

        *ret = acct;
        return 0;
}

int cg_parse_u64_list(const char *text, uint64_t **ret, size_t *ret_n) {
        _cleanup_free_ uint64_t *values = NULL;
        _cleanup_free_ char *copy = strdup(text);
        size_t n = 0;
        char *p, *word;
        int r;

        if (!copy)
                return -ENOMEM;

        p = copy;
        while ((word = strsep(&p, " \t\n"))) {
                uint64_t *bigger;

                if (*word == '\0')
                        continue;
                if (n >= CPUSET_MAX)
                        return -ERANGE;

                bigger = realloc(values, (n + 1) * sizeof(uint64_t));
                if (!bigger)
                        return -ENOMEM;
                values = bigger;

                r = safe_atou64(word, &values[n]);
                if (r < 0)
                        return r;
                n++;
        }

        *ret = TAKE_PTR(values);
        *ret_n = n;
        return 0;
}

struct cg_io_device *cg_io_device_get(struct cg_io *io, unsigned major, unsigned minor) {
        struct cg_io_device *bigger;

        for (size_t i = 0; i < io->n_devices; i++)
                if (io->devices[i].major == major && io->devices[i].minor == minor)
                        return &io->devices[i];

        bigger = realloc(io->devices, (io->n_devices + 1) * sizeof(*bigger));
        if (!bigger)
                return NULL;
        io->devices = bigger;

        io->devices[io->n_devices] = (struct cg_io_device){ .major = major, .minor = minor };
        return &io->devices[io->n_devices++];
}

/* Parse "8:0" into major and minor numbers. */
static int parse_device(char *word, unsigned *ret_major, unsigned *ret_minor) {
        char *colon = strchr(word, ':');
        unsigned major, minor;
        int r;

        if (!colon)
                return -EINVAL;
        *colon = '\0';

        r = safe_atou(word, &major);
        if (r < 0)
                return r;
        r = safe_atou(colon + 1, &minor);
        if (r < 0)
                return r;

        *ret_major = major;
        *ret_minor = minor;
        return 0;
}

struct io_stat_key {
        const char *name;
        size_t offset;
};

static const struct io_stat_key io_stat_keys[] = {
        { "rbytes", offsetof(struct cg_io_device, rbytes) }, { "wbytes", offsetof(struct cg_io_device, wbytes) },
        { "dbytes", offsetof(struct cg_io_device, dbytes) }, { "rios", offsetof(struct cg_io_device, rios) },
        { "wios", offsetof(struct cg_io_device, wios) },     { "dios", offsetof(struct cg_io_device, dios) },
};

/* Parse one "key=value" word of io.stat. Unknown keys are ignored. */
static int parse_io_stat_word(char *word, struct cg_io_device *device) {
        char *equals = strchr(word, '=');

        if (!equals)
                return -EINVAL;
        *equals = '\0';

        for (size_t i = 0; i < ELEMENTSOF(io_stat_keys); i++)
                if (streq(io_stat_keys[i].name, word))
                        return safe_atou64(equals + 1, (uint64_t *) ((char *) device + io_stat_keys[i].offset));
        return 0;
}

/* One "8:0 rbytes=1 wbytes=2 ..." line of io.stat. */
static int parse_io_stat_line(char *line, struct cg_io *io) {
        struct cg_io_device *device, parsed = {};
        char *p = line, *word;
        int r;

        word = strsep(&p, " ");
        r = parse_device(word, &parsed.major, &parsed.minor);
        if (r < 0)
                return r;

        while ((word = strsep(&p, " "))) {
                if (*word == '\0')
                        continue;
                r = parse_io_stat_word(word, &parsed);
                if (r < 0)
                        return r;
        }

        device = cg_io_device_get(io, parsed.major, parsed.minor);
        if (!device)
                return -ENOMEM;
        *device = parsed;
        return 0;
}

int cg_parse_io_stat(const char *text, struct cg_io *ret) {
        _cleanup_(cg_io_done) struct cg_io io = {};
        _cleanup_free_ char *copy = strdup(text);
        char *p, *line;
        int r;

        if (!copy)
                return -ENOMEM;

        p = copy;
        while ((line = strsep(&p, "\n"))) {
                if (*line == '\0')
                        continue;
                r = parse_io_stat_line(line, &io);
                if (r < 0)
                        return log_debug_errno(r, "Invalid line in io.stat: %m");
        }

        *ret = io;
        io = (struct cg_io){};
        return 0;
}

/* The counter of device that a blkio operation name ("Read", "Discard") adds to, or NULL. */
static uint64_t *blkio_counter(struct cg_io_device *device, const char *operation, bool bytes) {
        if (streq(operation, "Read"))
                return bytes ? &device->rbytes : &device->rios;
        if (streq(operation, "Write"))
                return bytes ? &device->wbytes : &device->wios;
        if (streq(operation, "Discard"))
                return bytes ? &device->dbytes : &device->dios;

        /* "Sync", "Async" and "Total" repeat the same I/O split another way. */
        return NULL;
}

/* Parse one "8:0 Read 123" line. The last line, "Total 123", has no device and is skipped. */
static int parse_blkio_line(char *line, bool bytes, struct cg_io *io) {
        char *words[3], *p = line;
        struct cg_io_device *device;
        unsigned major, minor;
        uint64_t value, *counter;
        size_t n = 0;
        int r;

        while (n < ELEMENTSOF(words) && (words[n] = strsep(&p, " ")))
                n++;
        if (n == 2 && streq(words[0], "Total"))
                return 0;
        if (n != 3 || p)
                return -EINVAL;

        r = parse_device(words[0], &major, &minor);
        if (r < 0)
                return r;
        r = safe_atou64(words[2], &value);
        if (r < 0)
                return r;

        device = cg_io_device_get(io, major, minor);
        if (!device)
                return -ENOMEM;

        counter = blkio_counter(device, words[1], bytes);
        if (counter)
                *counter = u64_add_saturate(*counter, value);
        return 0;
}

/* Add every device of from into io. */
static int io_merge(struct cg_io *io, const struct cg_io *from) {
        for (size_t i = 0; i < from->n_devices; i++) {
                const struct cg_io_device *f = &from->devices[i];
                struct cg_io_device *d = cg_io_device_get(io, f->major, f->minor);

                if (!d)
                        return -ENOMEM;

                d->rios = u64_add_saturate(d->rios, f->rios);
                d->wios = u64_add_saturate(d->wios, f->wios);
                d->dios = u64_add_saturate(d->dios, f->dios);
                d->rbytes = u64_add_saturate(d->rbytes, f->rbytes);
                d->wbytes = u64_add_saturate(d->wbytes, f->wbytes);
                d->dbytes = u64_add_saturate(d->dbytes, f->dbytes);
        }
        return 0;
}

int cg_parse_blkio(const char *text, bool bytes, struct cg_io *io) {
        _cleanup_(cg_io_done) struct cg_io parsed = {};
        _cleanup_free_ char *copy = strdup(text);
        char *p, *line;
        int r;

        if (!copy)
                return -ENOMEM;

        /* Parse everything first, so a malformed file leaves io unchanged. */
        p = copy;
        while ((line = strsep(&p, "\n"))) {
                if (*line == '\0')
                        continue;
                r = parse_blkio_line(line, bytes, &parsed);
                if (r < 0)
                        return log_debug_errno(r, "Invalid line in a blkio file: %m");
        }

        return io_merge(io, &parsed);
}
