/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"
#include "parse.h"

/* Files larger than this are refused; host /proc files are far smaller. */
#define READ_FULL_MAX (64u * 1024u * 1024u)

int read_full_fd(int fd, char **ret, size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 4096;

        buf = malloc(cap);
        if (!buf)
                return -ENOMEM;

        for (;;) {
                ssize_t n;

                if (cap - len < 2) {
                        char *bigger;

                        if (cap >= READ_FULL_MAX)
                                return -EFBIG;
                        bigger = realloc(buf, cap * 2);
                        if (!bigger)
                                return -ENOMEM;
                        buf = bigger;
                        cap *= 2;
                }

                n = read(fd, buf + len, cap - len - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                len += (size_t) n;
        }

        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = len;
        return 0;
}

int read_full_file_at(int dirfd, const char *path, char **ret, size_t *ret_size) {
        _cleanup_close_ int fd = -1;

        fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;

        return read_full_fd(fd, ret, ret_size);
}

int read_one_line_at(int dirfd, const char *path, char **ret) {
        char *buf;
        size_t len;
        int r;

        r = read_full_file_at(dirfd, path, &buf, &len);
        if (r < 0)
                return r;

        buf[strcspn(buf, "\n")] = '\0';
        *ret = buf;
        return 0;
}

int read_u64_at(int dirfd, const char *path, uint64_t *ret) {
        _cleanup_free_ char *line = NULL;
        int r;

        r = read_one_line_at(dirfd, path, &line);
        if (r < 0)
                return r;

        if (streq(line, "max")) {
                *ret = UINT64_MAX;
                return 0;
        }
        return safe_atou64(line, ret);
}

int write_string_at(int dirfd, const char *path, const char *value) {
        _cleanup_close_ int fd = -1;
        size_t len = strlen(value);
        ssize_t n;

        fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;

        n = write(fd, value, len);
        if (n < 0)
                return -errno;
        if ((size_t) n != len)
                return -EIO;
        return 0;
}
