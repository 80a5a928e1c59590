/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Read a file the ways programs read /proc, for the integration tests.
 *
 *   readcheck chunks FILE N    print FILE read with read(2) calls of N bytes
 *   readcheck snapshot FILE    read FILE whole, then check that pread() at
 *                              later offsets, fstat()'s st_size and a read
 *                              after lseek(0) agree with it
 *   readcheck write FILE       try to open FILE for writing; prints the error
 *
 * Exits 0 when every check passed; otherwise prints what differed and exits 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_CONTENT (1 << 20)

static int usage(void) {
        fprintf(stderr, "usage: readcheck chunks FILE N | snapshot FILE | write FILE\n");
        return 2;
}

static int open_or_die(const char *path) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        if (fd < 0) {
                fprintf(stderr, "readcheck: open '%s': %s\n", path, strerror(errno));
                exit(1);
        }
        return fd;
}

static int cmd_chunks(const char *path, size_t chunk) {
        char buf[4096];
        int fd = open_or_die(path);
        ssize_t n;

        if (chunk == 0 || chunk > sizeof(buf))
                return usage();

        while ((n = read(fd, buf, chunk)) > 0)
                fwrite(buf, 1, (size_t) n, stdout);
        if (n < 0) {
                fprintf(stderr, "readcheck: read '%s': %s\n", path, strerror(errno));
                return 1;
        }

        close(fd);
        return 0;
}

static ssize_t read_all_at_zero(int fd, char *buf) {
        ssize_t total = 0, n;

        if (lseek(fd, 0, SEEK_SET) != 0)
                return -1;
        while ((n = read(fd, buf + total, MAX_CONTENT - (size_t) total)) > 0)
                total += n;
        return n < 0 ? -1 : total;
}

static int cmd_snapshot(const char *path) {
        static char whole[MAX_CONTENT], again[MAX_CONTENT];
        int fd = open_or_die(path), failures = 0;
        ssize_t len, len_again;
        struct stat st;

        len = read_all_at_zero(fd, whole);
        if (len < 0) {
                fprintf(stderr, "readcheck: '%s': unreadable: %s\n", path, strerror(errno));
                return 1;
        }

        /* Offsets after 0 come from the snapshot the read at 0 made. */
        for (off_t off = 7; off < len; off += 7) {
                char piece[7];
                ssize_t n = pread(fd, piece, sizeof(piece), off);
                size_t expected = (size_t) (len - off) < sizeof(piece) ? (size_t) (len - off) : sizeof(piece);

                if (n != (ssize_t) expected || memcmp(piece, whole + off, expected) != 0) {
                        fprintf(stderr, "readcheck: pread at %lld differs from the snapshot\n", (long long) off);
                        failures++;
                        break;
                }
        }

        if (fstat(fd, &st) < 0 || st.st_size != len) {
                fprintf(stderr, "readcheck: st_size %lld, content %zd bytes\n", (long long) st.st_size, len);
                failures++;
        }

        /* An empty file is well-formed (diskstats of a container without I/O). */
        len_again = read_all_at_zero(fd, again);
        if (len_again < 0 || (len_again > 0 && again[len_again - 1] != '\n')) {
                fprintf(stderr, "readcheck: read after lseek(0) returned %zd bytes\n", len_again);
                failures++;
        }

        close(fd);
        return failures ? 1 : 0;
}

static int cmd_write(const char *path) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);

        if (fd >= 0) {
                close(fd);
                printf("opened\n");
                return 1;
        }

        if (errno == EACCES)
                printf("EACCES\n");
        else if (errno == EROFS)
                printf("EROFS\n");
        else
                printf("%s\n", strerror(errno));
        return 0;
}

int main(int argc, char **argv) {
        if (argc == 4 && strcmp(argv[1], "chunks") == 0)
                return cmd_chunks(argv[2], (size_t) strtoul(argv[3], NULL, 10));
        if (argc == 3 && strcmp(argv[1], "snapshot") == 0)
                return cmd_snapshot(argv[2]);
        if (argc == 3 && strcmp(argv[1], "write") == 0)
                return cmd_write(argv[2]);
        return usage();
}
