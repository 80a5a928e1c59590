/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <json-c/json.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "fuzz.h"
#include "render.h"

struct fuzz_parts fuzz_split(const uint8_t *data, size_t size, size_t n) {
        struct fuzz_parts parts = { .n = n, .part = calloc(n, sizeof(char *)) };
        size_t start = 0;

        FUZZ_CHECK(parts.part);

        for (size_t i = 0; i < n && start <= size; i++) {
                const uint8_t *nul = memchr(data + start, '\0', size - start);
                size_t len = nul ? (size_t) (nul - (data + start)) : size - start;

                parts.part[i] = fuzz_strndup(data + start, len);
                start += len + 1;
        }
        return parts;
}

void fuzz_parts_free(struct fuzz_parts *parts) {
        for (size_t i = 0; i < parts->n; i++)
                free(parts->part[i]);
        free(parts->part);
        *parts = (struct fuzz_parts){};
}

char *fuzz_strndup(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);

        FUZZ_CHECK(s);
        if (size > 0)
                memcpy(s, data, size);
        s[size] = '\0';
        return s;
}

uint64_t fuzz_take_u64(const uint8_t **data, size_t *size) {
        uint64_t value = 0;

        for (unsigned i = 0; i < 8 && *size > 0; i++) {
                value |= (uint64_t) * *data << (8 * i);
                (*data)++;
                (*size)--;
        }
        return value;
}

uint8_t fuzz_take_u8(const uint8_t **data, size_t *size) {
        uint8_t value;

        if (*size == 0)
                return 0;
        value = **data;
        (*data)++;
        (*size)--;
        return value;
}

static char tmpdir[64];

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        remove(path);
        return 0;
}

static void remove_tmpdir(void) {
        nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fuzz_tmpdir(void) {
        if (tmpdir[0] == '\0') {
                const char *base = getenv("TMPDIR");

                snprintf(tmpdir, sizeof(tmpdir), "%s/procview-fuzz-XXXXXX", base && strlen(base) < 32 ? base : "/tmp");
                FUZZ_CHECK(mkdtemp(tmpdir));
                atexit(remove_tmpdir);
        }
        return tmpdir;
}

/* mkdir -p of the directories leading to path. */
static void make_parents(char *path) {
        for (char *slash = strchr(path + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
                *slash = '\0';
                FUZZ_CHECK(mkdir(path, 0755) == 0 || errno == EEXIST);
                *slash = '/';
        }
}

void fuzz_write_file(const char *dir, const char *name, const char *text) {
        size_t n = strlen(dir) + strlen(name) + 2;
        char *path = malloc(n);
        int fd;

        FUZZ_CHECK(path);
        snprintf(path, n, "%s/%s", dir, name);

        if (!text) {
                FUZZ_CHECK(unlink(path) == 0 || errno == ENOENT);
                free(path);
                return;
        }

        make_parents(path);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        FUZZ_CHECK(fd >= 0);
        FUZZ_CHECK(write(fd, text, strlen(text)) == (ssize_t) strlen(text));
        close(fd);
        free(path);
}

void fuzz_check_message(const char *message, size_t size) {
        size_t length = strnlen(message, size);

        FUZZ_CHECK(length > 0 && length < size);
        for (size_t i = 0; i < length; i++)
                FUZZ_CHECK(message[i] >= 0x20 && message[i] <= 0x7e);
}

void fuzz_check_utf8(const char *s) {
        struct json_object *string = json_object_new_string(s), *again;
        struct json_tokener *tok = json_tokener_new();

        FUZZ_CHECK(string && tok);
        json_tokener_set_flags(tok, JSON_TOKENER_VALIDATE_UTF8);
        again = json_tokener_parse_ex(tok, json_object_to_json_string_ext(string, JSON_C_TO_STRING_PLAIN), -1);
        FUZZ_CHECK(json_tokener_get_error(tok) == json_tokener_success);
        FUZZ_CHECK(streq(json_object_get_string(again), s));

        json_object_put(again);
        json_object_put(string);
        json_tokener_free(tok);
}

void fuzz_check_io_devices_unique(const struct cg_io *io) {
        for (size_t i = 0; i < io->n_devices; i++)
                for (size_t j = i + 1; j < io->n_devices; j++)
                        FUZZ_CHECK(io->devices[i].major != io->devices[j].major ||
                                   io->devices[i].minor != io->devices[j].minor);
}

/* The lines whose values come from the cgroup and may not exceed MemTotal. */
static const char *const bounded_keys[] = {
        "MemFree",      "MemAvailable", "Buffers",        "Cached",       "SwapCached",     "Active",
        "Inactive",     "Active(anon)", "Inactive(anon)", "Active(file)", "Inactive(file)", "Unevictable",
        "Dirty",        "Writeback",    "AnonPages",      "Mapped",       "Shmem",          "Slab",
        "SReclaimable", "SUnreclaim",   "AnonHugePages",
};

static size_t count_lines(const char *text) {
        size_t n = 0;

        for (const char *p = text; *p != '\0'; p = strchrnul(p, '\n') + (strchr(p, '\n') != NULL))
                n++;
        return n;
}

void fuzz_check_meminfo(const char *host, const struct cg_memory *mem, const char *out) {
        uint64_t total, host_total, value, host_value, swap_total, swap_free;

        FUZZ_CHECK(count_lines(out) == count_lines(host));

        FUZZ_CHECK(meminfo_get_kb(out, "MemTotal", &total) == 0);
        FUZZ_CHECK(meminfo_get_kb(host, "MemTotal", &host_total) == 0);
        FUZZ_CHECK(total <= host_total);
        if (mem->limit != CG_UNLIMITED)
                FUZZ_CHECK(total <= mem->limit / 1024);

        for (size_t i = 0; i < sizeof(bounded_keys) / sizeof(bounded_keys[0]); i++)
                if (meminfo_get_kb(out, bounded_keys[i], &value) == 0)
                        FUZZ_CHECK(value <= total);

        /* Without a limit below the host's memory, free memory is never above the host's. */
        if (mem->limit == CG_UNLIMITED || mem->limit / 1024 >= host_total) {
                if (meminfo_get_kb(host, "MemFree", &host_value) == 0)
                        FUZZ_CHECK(meminfo_get_kb(out, "MemFree", &value) == 0 && value <= host_value);
                if (meminfo_get_kb(host, "MemAvailable", &host_value) == 0)
                        FUZZ_CHECK(meminfo_get_kb(out, "MemAvailable", &value) == 0 && value <= host_value);
        }

        if (meminfo_get_kb(out, "SwapTotal", &swap_total) == 0 && meminfo_get_kb(out, "SwapFree", &swap_free) == 0)
                FUZZ_CHECK(swap_free <= swap_total);
}

void fuzz_read_usage(const struct cgroup *cg) {
        struct cg_cpuacct acct = {};
        struct cg_io io = {};
        pid_t *tids = NULL;
        size_t n_tids;

        if (cgroup_read_cpuacct(cg, &acct) == 0)
                FUZZ_CHECK(acct.n_cpus <= CPUSET_MAX);
        cg_cpuacct_done(&acct);

        if (cgroup_read_io(cg, &io) == 0)
                fuzz_check_io_devices_unique(&io);
        cg_io_done(&io);

        if (cgroup_read_tasks(cg, &tids, &n_tids) == 0)
                for (size_t i = 0; i < n_tids; i++)
                        FUZZ_CHECK(tids[i] > 0);
        free(tids);
}
