/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Read view files in the odd ways the hostile-input tests need, and check
 * that what comes back is well-formed for the file's name.
 *
 *   hostileread check FILE...            read each FILE once and check it
 *   hostileread threads FILE N ROUNDS    N threads share one open FILE; each
 *                                        preads it whole at offset 0 ROUNDS
 *                                        times and checks every copy
 *   hostileread offset FILE OFFSET       pread FILE at OFFSET; prints
 *                                        "bytes=N" or "errno=NAME"
 *
 * Well-formed means: a trailing newline, no NUL byte, no negative number,
 * and the line format of the kernel's file (meminfo, stat, uptime, loadavg,
 * cpuinfo, swaps). Exits 0 when every check passed, else prints the first
 * problem and exits 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_CONTENT (1 << 20)
#define MAX_THREADS 256

static const char *base_name(const char *path) {
        const char *slash = strrchr(path, '/');

        return slash ? slash + 1 : path;
}

/* A meminfo line: "Key:", spaces, a decimal number, optionally " kB". */
static bool meminfo_line_ok(const char *line, const char *end) {
        const char *p = memchr(line, ':', (size_t) (end - line));

        if (!p || p == line)
                return false;
        for (p++; p < end && *p == ' '; p++)
                ;
        if (p == end || *p < '0' || *p > '9')
                return false;
        while (p < end && *p >= '0' && *p <= '9')
                p++;
        return p == end || (end - p == 3 && memcmp(p, " kB", 3) == 0);
}

/* A stat "cpu" or "cpuN" line: the name and at least 10 decimal numbers. */
static bool stat_cpu_line_ok(const char *line, const char *end) {
        const char *p = line + 3;
        int fields = 0;

        while (p < end && *p >= '0' && *p <= '9')
                p++;
        while (p < end) {
                if (*p != ' ')
                        return false;
                while (p < end && *p == ' ')
                        p++;
                if (p == end || *p < '0' || *p > '9')
                        return false;
                while (p < end && *p >= '0' && *p <= '9')
                        p++;
                fields++;
        }
        return fields >= 10;
}

static const char *check_lines(const char *name, const char *content, size_t len) {
        const char *line = content, *end = content + len;

        while (line < end) {
                const char *nl = memchr(line, '\n', (size_t) (end - line));

                if (strcmp(name, "meminfo") == 0 && !meminfo_line_ok(line, nl))
                        return "malformed meminfo line";
                if (strcmp(name, "stat") == 0 && strncmp(line, "cpu", 3) == 0 && !stat_cpu_line_ok(line, nl))
                        return "malformed cpu line";
                line = nl + 1;
        }
        return NULL;
}

/* Returns NULL when content is well-formed for a file called name, else the problem. */
static const char *check_content(const char *name, const char *content, size_t len) {
        double up, idle, l1, l5, l15;
        unsigned running, total, last;
        char tail;

        if (memchr(content, '\0', len))
                return "NUL byte";
        if (len > 0 && content[len - 1] != '\n')
                return "no trailing newline";
        if (strcmp(name, "diskstats") == 0 || strcmp(name, "offline") == 0)
                return NULL;
        if (len == 0)
                return "empty";
        if (strcmp(name, "loadavg") != 0 && strcmp(name, "swaps") != 0 && memmem(content, len, " -", 2))
                return "negative number";

        if (strcmp(name, "meminfo") == 0 && strncmp(content, "MemTotal:", 9) != 0)
                return "no MemTotal line";
        if (strcmp(name, "stat") == 0 && strncmp(content, "cpu  ", 5) != 0)
                return "no aggregate cpu line";
        if (strcmp(name, "cpuinfo") == 0 && strncmp(content, "processor", 9) != 0)
                return "no processor line";
        if (strcmp(name, "swaps") == 0 && strncmp(content, "Filename", 8) != 0)
                return "no swaps header";
        if (strcmp(name, "uptime") == 0 &&
            (sscanf(content, "%lf %lf%c", &up, &idle, &tail) != 3 || tail != '\n' || up < 0 || idle < 0))
                return "malformed uptime";
        if (strcmp(name, "loadavg") == 0 &&
            (sscanf(content, "%lf %lf %lf %u/%u %u%c", &l1, &l5, &l15, &running, &total, &last, &tail) != 7 ||
             tail != '\n' || l1 < 0 || l5 < 0 || l15 < 0 || running > total))
                return "malformed loadavg";
        return check_lines(name, content, len);
}

/* Read fd whole with pread from offset 0 into buf. Returns the length or -errno. */
static ssize_t pread_whole(int fd, char *buf) {
        size_t total = 0;

        for (;;) {
                ssize_t n = pread(fd, buf + total, MAX_CONTENT - 1 - total, (off_t) total);

                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                total += (size_t) n;
                if (total >= MAX_CONTENT - 1)
                        return -EFBIG;
        }
        buf[total] = '\0';
        return (ssize_t) total;
}

static int cmd_check(int argc, char **argv) {
        static char content[MAX_CONTENT];
        int failures = 0;

        for (int i = 0; i < argc; i++) {
                const char *problem;
                ssize_t len;
                int fd;

                fd = open(argv[i], O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                        fprintf(stderr, "hostileread: open '%s': %s\n", argv[i], strerror(errno));
                        failures++;
                        continue;
                }
                len = pread_whole(fd, content);
                close(fd);

                problem = len < 0 ? strerror((int) -len) : check_content(base_name(argv[i]), content, (size_t) len);
                if (problem) {
                        fprintf(stderr, "hostileread: '%s': %s\n", argv[i], problem);
                        failures++;
                }
        }
        return failures > 0 ? 1 : 0;
}

struct shared_file {
        int fd;
        const char *name;
        unsigned rounds;
        atomic_uint failures;
        atomic_uint reads;
};

static void *thread_read(void *userdata) {
        struct shared_file *f = userdata;
        char *content = malloc(MAX_CONTENT);

        if (!content) {
                atomic_fetch_add(&f->failures, 1);
                return NULL;
        }

        for (unsigned round = 0; round < f->rounds; round++) {
                ssize_t len = pread_whole(f->fd, content);
                const char *problem;

                problem = len < 0 ? strerror((int) -len) : check_content(f->name, content, (size_t) len);
                atomic_fetch_add(&f->reads, 1);
                if (problem) {
                        /* Print the first few problems only, and count them all. */
                        if (atomic_fetch_add(&f->failures, 1) < 5)
                                fprintf(stderr, "hostileread: %s: %s\n", f->name, problem);
                }
        }

        free(content);
        return NULL;
}

static int cmd_threads(const char *path, unsigned n, unsigned rounds) {
        struct shared_file f = { .name = base_name(path), .rounds = rounds };
        pthread_t threads[MAX_THREADS];

        if (n == 0 || n > MAX_THREADS) {
                fprintf(stderr, "hostileread: thread count must be 1..%d\n", MAX_THREADS);
                return 2;
        }

        f.fd = open(path, O_RDONLY | O_CLOEXEC);
        if (f.fd < 0) {
                fprintf(stderr, "hostileread: open '%s': %s\n", path, strerror(errno));
                return 1;
        }

        for (unsigned i = 0; i < n; i++) {
                int r = pthread_create(&threads[i], NULL, thread_read, &f);

                if (r != 0) {
                        fprintf(stderr, "hostileread: pthread_create: %s\n", strerror(r));
                        return 1;
                }
        }
        for (unsigned i = 0; i < n; i++)
                pthread_join(threads[i], NULL);

        close(f.fd);
        printf("reads=%u failures=%u\n", atomic_load(&f.reads), atomic_load(&f.failures));
        return atomic_load(&f.failures) > 0 ? 1 : 0;
}

static int cmd_offset(const char *path, const char *offset_arg) {
        char buf[4096];
        long long offset;
        ssize_t n;
        int fd;

        offset = strtoll(offset_arg, NULL, 0);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                fprintf(stderr, "hostileread: open '%s': %s\n", path, strerror(errno));
                return 1;
        }

        n = pread(fd, buf, sizeof(buf), (off_t) offset);
        if (n < 0)
                printf("errno=%s\n", strerrorname_np(errno));
        else
                printf("bytes=%zd\n", n);

        close(fd);
        return 0;
}

int main(int argc, char **argv) {
        if (argc >= 3 && strcmp(argv[1], "check") == 0)
                return cmd_check(argc - 2, argv + 2);
        if (argc == 5 && strcmp(argv[1], "threads") == 0)
                return cmd_threads(argv[2], (unsigned) strtoul(argv[3], NULL, 10),
                                   (unsigned) strtoul(argv[4], NULL, 10));
        if (argc == 4 && strcmp(argv[1], "offset") == 0)
                return cmd_offset(argv[2], argv[3]);

        fprintf(stderr, "usage: hostileread check FILE... | threads FILE N ROUNDS | offset FILE OFFSET\n");
        return 2;
}
