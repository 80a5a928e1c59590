/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * static-fuse: the ceiling for a FUSE /proc server. It serves one read-only
 * file, MOUNTPOINT/file, whose content is a copy of /proc/meminfo taken at
 * start-up, with the same FUSE settings as procviewd (low-level API,
 * direct_io, no flush handler, multi-threaded loop with 8 threads) and no
 * per-request work beyond copying the buffer. Runs in the foreground until
 * SIGTERM or SIGINT, then unmounts.
 */
#define FUSE_USE_VERSION 312

#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_INO 2

static char content[64 * 1024];
static size_t content_len;

static void file_attr(fuse_ino_t ino, struct stat *st) {
        memset(st, 0, sizeof(*st));
        st->st_ino = ino;
        if (ino == FUSE_ROOT_ID) {
                st->st_mode = S_IFDIR | 0555;
                st->st_nlink = 2;
                return;
        }
        st->st_mode = S_IFREG | 0444;
        st->st_nlink = 1;
        st->st_size = (off_t) content_len;
}

static void static_lookup(fuse_req_t req, fuse_ino_t parent, const char *name) {
        struct fuse_entry_param e = { .ino = FILE_INO, .generation = 1, .attr_timeout = 3600, .entry_timeout = 3600 };

        if (parent != FUSE_ROOT_ID || strcmp(name, "file") != 0) {
                fuse_reply_err(req, ENOENT);
                return;
        }
        file_attr(FILE_INO, &e.attr);
        fuse_reply_entry(req, &e);
}

static void static_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
        struct stat st;

        if (ino != FUSE_ROOT_ID && ino != FILE_INO) {
                fuse_reply_err(req, ENOENT);
                return;
        }
        file_attr(ino, &st);
        fuse_reply_attr(req, &st, 3600);
}

static void static_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
        if (ino != FILE_INO) {
                fuse_reply_err(req, EISDIR);
                return;
        }
        if ((fi->flags & O_ACCMODE) != O_RDONLY) {
                fuse_reply_err(req, EACCES);
                return;
        }
        fi->direct_io = 1;
        fuse_reply_open(req, fi);
}

static void static_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) {
        if ((size_t) off >= content_len) {
                fuse_reply_buf(req, NULL, 0);
                return;
        }
        if (size > content_len - (size_t) off)
                size = content_len - (size_t) off;
        fuse_reply_buf(req, content + off, size);
}

static void static_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
        fuse_reply_err(req, 0);
}

static const struct fuse_lowlevel_ops static_ops = {
        .lookup = static_lookup,
        .getattr = static_getattr,
        .open = static_open,
        .read = static_read,
        .release = static_release,
};

static int load_content(void) {
        ssize_t n;
        int fd;

        fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        n = read(fd, content, sizeof(content));
        close(fd);
        if (n < 0)
                return -1;
        content_len = (size_t) n;
        return 0;
}

int main(int argc, char **argv) {
        char *fuse_argv[] = { argv[0], (char *) "-o", (char *) "allow_other,ro,fsname=static-fuse", NULL };
        struct fuse_args args = FUSE_ARGS_INIT(3, fuse_argv);
        struct fuse_loop_config *config;
        struct fuse_session *se;
        int r = EXIT_FAILURE;

        if (argc != 2) {
                fprintf(stderr, "Usage: static-fuse MOUNTPOINT\n");
                return 2;
        }
        if (load_content() < 0) {
                fprintf(stderr, "static-fuse: failed to read /proc/meminfo: %m\n");
                return EXIT_FAILURE;
        }

        se = fuse_session_new(&args, &static_ops, sizeof(static_ops), NULL);
        fuse_opt_free_args(&args);
        if (!se)
                return EXIT_FAILURE;
        if (fuse_set_signal_handlers(se) < 0)
                goto out;
        if (fuse_session_mount(se, argv[1]) < 0)
                goto out_signals;

        config = fuse_loop_cfg_create();
        fuse_loop_cfg_set_max_threads(config, 8);
        fuse_loop_cfg_set_idle_threads(config, 8);
        r = fuse_session_loop_mt(se, config) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
        fuse_loop_cfg_destroy(config);

        fuse_session_unmount(se);
out_signals:
        fuse_remove_signal_handlers(se);
out:
        fuse_session_destroy(se);
        return r;
}
