/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/meminfo as a container sees it. The host's lines are kept in their
 * order. The lines the container's cgroup accounts for get its values, and
 * all other lines stay the host's byte for byte.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>

#include "hosttext.h"
#include "macro.h"
#include "render.h"

/* The kernel prints each value right-aligned in 8 columns after a 16-column label. */
#define MEMINFO_VALUE_WIDTH 8

struct meminfo_value {
        const char *key;
        size_t key_len;
        uint64_t kb;
};

/* The container's values of one read. Each entry replaces the host line with the same key. */
struct meminfo_values {
        struct meminfo_value entries[32];
        size_t n;
        uint64_t total_kb; /* MemTotal, the bound of every value derived from the cgroup */
        uint64_t host_total_kb;
};

int meminfo_get_kb(const char *meminfo, const char *key, uint64_t *ret) {
        const char *cursor = meminfo;
        struct text_line line;

        if (!meminfo || !key)
                return -EINVAL;

        while (text_next_line(&cursor, &line)) {
                const char *p;
                uint64_t value;
                int r;

                if (!line_has_key(&line, key))
                        continue;

                p = line.start + strlen(key) + 1;
                r = parse_u64_field(&p, &value);
                if (r < 0)
                        return -EINVAL;

                *ret = value;
                return 0;
        }

        return -ENOENT;
}

/*
 * Read a host value that may be missing (kernels before 3.14 have no
 * MemAvailable). A missing one reads as UINT64_MAX, so it caps nothing.
 */
static int meminfo_get_kb_or_max(const char *meminfo, const char *key, uint64_t *ret) {
        int r;

        r = meminfo_get_kb(meminfo, key, ret);
        if (r == -ENOENT) {
                *ret = UINT64_MAX;
                return 0;
        }
        return r;
}

static void meminfo_add(struct meminfo_values *values, const char *key, uint64_t kb) {
        assert(values->n < ELEMENTSOF(values->entries));
        values->entries[values->n++] = (struct meminfo_value){ key, strlen(key), kb };
}

/* Add a value derived from the cgroup, clamped to MemTotal. */
static void meminfo_add_clamped(struct meminfo_values *values, const char *key, uint64_t kb) {
        meminfo_add(values, key, u64_min(kb, values->total_kb));
}

static void meminfo_add_stat(struct meminfo_values *values, const struct cg_memory_stat *st) {
        meminfo_add_clamped(values, "Buffers", 0);
        meminfo_add_clamped(values, "Cached", st->cache / 1024);
        meminfo_add_clamped(values, "SwapCached", 0);
        meminfo_add_clamped(values, "Active", st->active_anon / 1024 + st->active_file / 1024);
        meminfo_add_clamped(values, "Inactive", st->inactive_anon / 1024 + st->inactive_file / 1024);
        meminfo_add_clamped(values, "Active(anon)", st->active_anon / 1024);
        meminfo_add_clamped(values, "Inactive(anon)", st->inactive_anon / 1024);
        meminfo_add_clamped(values, "Active(file)", st->active_file / 1024);
        meminfo_add_clamped(values, "Inactive(file)", st->inactive_file / 1024);
        meminfo_add_clamped(values, "Unevictable", st->unevictable / 1024);
        meminfo_add_clamped(values, "Dirty", st->dirty / 1024);
        meminfo_add_clamped(values, "Writeback", st->writeback / 1024);
        meminfo_add_clamped(values, "AnonPages", st->anon / 1024);
        meminfo_add_clamped(values, "Mapped", st->mapped / 1024);
        meminfo_add_clamped(values, "Shmem", st->shmem / 1024);
        meminfo_add_clamped(values, "Slab", st->slab / 1024);
        meminfo_add_clamped(values, "SReclaimable", st->slab_reclaimable / 1024);
        meminfo_add_clamped(values, "SUnreclaim", st->slab_unreclaimable / 1024);
        meminfo_add_clamped(values, "AnonHugePages", st->anon_thp / 1024);
}

/* Compute the container's values, in kB, from the host's text and the cgroup. */
static int meminfo_compute(const char *host_meminfo, const struct cg_memory *mem, struct meminfo_values *ret) {
        const struct cg_memory_stat *st = &mem->stat;
        uint64_t host_total, host_free, host_available, limit_kb, free, available;
        struct meminfo_values values = {};
        struct swap_view swap;
        int r;

        r = meminfo_get_kb(host_meminfo, "MemTotal", &host_total);
        if (r < 0)
                return -EINVAL;
        r = meminfo_get_kb_or_max(host_meminfo, "MemFree", &host_free);
        if (r < 0)
                return r;
        r = meminfo_get_kb_or_max(host_meminfo, "MemAvailable", &host_available);
        if (r < 0)
                return r;
        r = swap_view_compute(host_meminfo, mem, &swap);
        if (r < 0)
                return r;

        limit_kb = mem->limit == CG_UNLIMITED ? UINT64_MAX : mem->limit / 1024;
        values.total_kb = u64_min(limit_kb, host_total);
        values.host_total_kb = host_total;
        free = u64_sub_floor(values.total_kb, mem->usage / 1024);
        available =
                u64_add_saturate(free, st->active_file / 1024 + st->inactive_file / 1024 + st->slab_reclaimable / 1024);

        /*
         * Without a limit below the host's memory the container competes for
         * the host's free memory, so it never has more free than the host.
         */
        if (limit_kb >= host_total) {
                free = u64_min(free, host_free);
                available = u64_min(available, host_available);
        }

        meminfo_add(&values, "MemTotal", values.total_kb);
        meminfo_add_clamped(&values, "MemFree", free);
        meminfo_add_clamped(&values, "MemAvailable", available);
        meminfo_add_stat(&values, st);

        /* Swap is bounded by SwapTotal, not by MemTotal. */
        meminfo_add(&values, "SwapTotal", swap.total_kb);
        meminfo_add(&values, "SwapFree", u64_sub_floor(swap.total_kb, swap.used_kb));

        *ret = values;
        return 0;
}

static uint64_t meminfo_value_of(const struct meminfo_values *values, const char *key) {
        for (size_t i = 0; i < values->n; i++)
                if (streq(values->entries[i].key, key))
                        return values->entries[i].kb;
        return 0;
}

int memory_view_compute(const char *host_meminfo, const struct cg_memory *mem, struct memory_view *ret) {
        struct meminfo_values values;
        int r;

        r = meminfo_compute(host_meminfo, mem, &values);
        if (r < 0)
                return r;

        *ret = (struct memory_view){
                .total_kb = values.total_kb,
                .free_kb = meminfo_value_of(&values, "MemFree"),
                .available_kb = meminfo_value_of(&values, "MemAvailable"),
                .shared_kb = meminfo_value_of(&values, "Shmem"),
                .swap_total_kb = meminfo_value_of(&values, "SwapTotal"),
                .swap_free_kb = meminfo_value_of(&values, "SwapFree"),
        };
        return 0;
}

/*
 * Append a host line with its number replaced by value. The kernel pads the
 * label to 16 columns and prints the number in at least 8, so the new number
 * ends where an 8-digit host number ends, and a longer one (the kernel's
 * VmallocTotal, say) starts where the host's started.
 */
static int meminfo_put_line(const struct text_line *line, size_t key_len, uint64_t value, struct strbuf *out) {
        const char *digits_start, *digits_end;
        size_t label_len = key_len + 1, prefix_len, digits_end_col;
        uint64_t ignored;
        int r;

        digits_end = line->start + label_len;
        r = parse_u64_field(&digits_end, &ignored);
        if (r < 0)
                return -EINVAL;

        digits_start = skip_blanks(line->start + label_len);
        digits_end_col = (size_t) (digits_end - line->start);

        if ((size_t) (digits_end - digits_start) >= MEMINFO_VALUE_WIDTH)
                prefix_len = (size_t) (digits_start - line->start);
        else if (digits_end_col >= label_len + MEMINFO_VALUE_WIDTH)
                prefix_len = digits_end_col - MEMINFO_VALUE_WIDTH;
        else
                prefix_len = label_len; /* host text narrower than the kernel prints it */

        strbuf_append(out, line->start, prefix_len);
        strbuf_printf(out, "%*" PRIu64, MEMINFO_VALUE_WIDTH, value);
        strbuf_append(out, digits_end, line->size - digits_end_col);
        return 0;
}

static const struct meminfo_value *meminfo_find(const struct meminfo_values *values, const struct text_line *line) {
        const char *colon = memchr(line->start, ':', line->len);
        size_t key_len;

        if (!colon)
                return NULL;

        /* Every read renders the whole file, so compare lengths before bytes. */
        key_len = (size_t) (colon - line->start);
        for (size_t i = 0; i < values->n; i++)
                if (values->entries[i].key_len == key_len && memcmp(line->start, values->entries[i].key, key_len) == 0)
                        return &values->entries[i];
        return NULL;
}

/*
 * A line the container has no value of keeps the host's number, but a number
 * that fits in the host's MemTotal must fit in the container's too (the
 * host's KReclaimable or CommitLimit next to a 50 MiB MemTotal would make no
 * sense). Numbers larger than the host's MemTotal (VmallocTotal, say) stay.
 */
static int meminfo_put_host_line(const struct text_line *line, const struct meminfo_values *values,
                                 struct strbuf *out) {
        const char *colon = memchr(line->start, ':', line->size);
        const char *p;
        uint64_t kb;

        if (!colon || !memmem(colon, line->size - (size_t) (colon - line->start), " kB", 3))
                goto unchanged;

        p = colon + 1;
        if (parse_u64_field(&p, &kb) < 0 || kb > values->host_total_kb || kb <= values->total_kb)
                goto unchanged;

        return meminfo_put_line(line, (size_t) (colon - line->start), values->total_kb, out);

unchanged:
        strbuf_append(out, line->start, line->size);
        return strbuf_error(out);
}

int render_meminfo(const char *host_meminfo, const struct cg_memory *mem, struct strbuf *out) {
        struct meminfo_values values;
        const char *cursor = host_meminfo;
        struct text_line line;
        int r;

        if (!host_meminfo || !mem)
                return -EINVAL;

        r = meminfo_compute(host_meminfo, mem, &values);
        if (r < 0)
                return r;

        while (text_next_line(&cursor, &line)) {
                const struct meminfo_value *v = meminfo_find(&values, &line);

                if (v)
                        r = meminfo_put_line(&line, v->key_len, v->kb, out);
                else
                        r = meminfo_put_host_line(&line, &values, out);
                if (r < 0)
                        return r;
        }

        return strbuf_error(out);
}
