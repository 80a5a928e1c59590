/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Read view files in a loop and check every read, for the crash tests.
 *
 *   readloop SECONDS FILE...
 *
 * Each round opens, reads to the end and closes every FILE. A read fails when
 * a system call fails or the content is malformed for its file name; the
 * counters of the "cpu" line of a stat file must never decrease. At the end it
 * prints "reads=N failures=N max_latency_ms=N" and exits 1 on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONTENT (1 << 20)
#define STAT_FIELDS 10

static char content[MAX_CONTENT];
static uint64_t last_cpu[STAT_FIELDS];

static double now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1000.0 + (double) ts.tv_nsec / 1e6;
}

static ssize_t read_file(const char *path) {
        ssize_t total = 0, n;
        int fd;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;

        while ((n = read(fd, content + total, MAX_CONTENT - 1 - (size_t) total)) > 0)
                total += n;
        if (n < 0) {
                n = -errno;
                close(fd);
                return n;
        }

        close(fd);
        content[total] = '\0';
        return total;
}

static const char *base_name(const char *path) {
        const char *slash = strrchr(path, '/');

        return slash ? slash + 1 : path;
}

/* Returns NULL when the stat file's "cpu" line is well-formed and no counter went back. */
static const char *check_stat(void) {
        uint64_t values[STAT_FIELDS] = { 0 };
        const char *p = content + 4;

        if (strncmp(content, "cpu  ", 5) != 0)
                return "no aggregate cpu line";

        for (int i = 0; i < STAT_FIELDS; i++) {
                char *end;

                values[i] = strtoull(p, &end, 10);
                if (end == p)
                        return "short cpu line";
                p = end;
        }

        for (int i = 0; i < STAT_FIELDS; i++) {
                if (values[i] < last_cpu[i])
                        return "a cpu counter decreased";
                last_cpu[i] = values[i];
        }
        return NULL;
}

static const char *check_content(const char *name, ssize_t len) {
        double a, b;

        if (len > 0 && content[len - 1] != '\n')
                return "no trailing newline";
        if (strcmp(name, "diskstats") == 0 || strcmp(name, "offline") == 0)
                return NULL;
        if (len == 0)
                return "empty";
        if (strcmp(name, "meminfo") == 0)
                return strncmp(content, "MemTotal:", 9) == 0 ? NULL : "no MemTotal line";
        if (strcmp(name, "cpuinfo") == 0)
                return strncmp(content, "processor", 9) == 0 ? NULL : "no processor line";
        if (strcmp(name, "stat") == 0)
                return check_stat();
        if (strcmp(name, "uptime") == 0)
                return sscanf(content, "%lf %lf", &a, &b) == 2 ? NULL : "malformed uptime";
        if (strcmp(name, "swaps") == 0)
                return strncmp(content, "Filename", 8) == 0 ? NULL : "no swaps header";
        return NULL;
}

int main(int argc, char **argv) {
        unsigned long reads = 0, failures = 0;
        double max_latency = 0, end;

        if (argc < 3) {
                fprintf(stderr, "usage: readloop SECONDS FILE...\n");
                return 2;
        }

        end = now_ms() + atof(argv[1]) * 1000.0;
        while (now_ms() < end)
                for (int i = 2; i < argc; i++) {
                        double start = now_ms(), latency;
                        ssize_t len = read_file(argv[i]);
                        const char *problem;

                        latency = now_ms() - start;
                        if (latency > max_latency)
                                max_latency = latency;
                        reads++;

                        problem = len < 0 ? strerror((int) -len) : check_content(base_name(argv[i]), len);
                        if (problem) {
                                failures++;
                                fprintf(stderr, "readloop: %s: %s\n", argv[i], problem);
                        }
                }

        printf("reads=%lu failures=%lu max_latency_ms=%.0f\n", reads, failures, max_latency);
        return failures > 0 ? 1 : 0;
}
