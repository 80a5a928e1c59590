/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "fileio.h"
#include "fs.h"
#include "log.h"
#include "nodes.h"

/* How long the kernel may cache names and attributes that are the same for every reader. */
#define STATIC_TIMEOUT_SEC 3600.0
#define HOST_TIMEOUT_SEC 1.0

struct open_file {
        struct node *node;
        pid_t opener; /* the reader that opened it, 0 for an adopted handle */

        /* Guards everything below: many threads may read one open file. */
        pthread_mutex_t lock;
        struct strbuf content;
        bool rendered; /* content contains a snapshot */
        bool unread; /* rendered by fstat() and not read yet: the next read at 0 reuses it */
        int render_error;
};

struct dir_entry {
        char *name;
        uint64_t ino;
        mode_t type;
};

struct dir_handle {
        size_t n;
        struct dir_entry *entries;
};

static struct fs_context *fs_ctx(fuse_req_t req) {
        return fuse_req_userdata(req);
}

static struct views *fs_views(fuse_req_t req) {
        return fs_ctx(req)->views;
}

static pid_t fs_reader(fuse_req_t req) {
        return fuse_req_ctx(req)->pid;
}

/* Render a node's whole content for reader. Host files are copied as they are. */
static int render_node(struct views *v, const struct node *n, pid_t reader, struct strbuf *out) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r;

        if (n->kind == NODE_VIEW)
                return views_render(v, n->view, reader, out);

        strbuf_reset(out);
        r = read_full_file_at(AT_FDCWD, n->host_path, &text, &len);
        if (r < 0)
                return r;

        strbuf_append(out, text, len);
        return strbuf_error(out);
}

static bool reader_sees_cpu(struct views *v, const struct node *n, pid_t reader) {
        struct cpuset visible;

        if (n->cpu < 0)
                return true;

        views_visible_cpus(v, reader, &visible);
        return cpuset_has(&visible, (unsigned) n->cpu);
}

static void fill_fixed_attr(const struct node *n, struct stat *st) {
        static time_t start_time;

        if (start_time == 0)
                start_time = time(NULL);

        st->st_ino = n->ino;
        st->st_mode = n->type | (n->type == S_IFDIR ? 0555 : 0444);
        st->st_nlink = n->type == S_IFDIR ? 2 : 1;
        st->st_blksize = 4096;
        st->st_atime = st->st_mtime = st->st_ctime = start_time;
}

/*
 * Return the size to report for content of len bytes, never 0. The kernel ends
 * sendfile() and splice() of a file whose cached size is 0 at once, without a
 * request, and every container shares that size, so busybox cat would print
 * nothing. With any other size the kernel sends a read, read_for_page_cache()
 * fails it, and the reader falls back to read().
 */
static off_t attr_size(size_t len) {
        return len > 0 ? (off_t) len : 1;
}

/* Attributes of a node; size is the content's length where it is known. */
static int node_attr(struct views *v, const struct node *n, pid_t reader, ssize_t known_size, struct stat *st) {
        _cleanup_strbuf_ struct strbuf content = STRBUF_INIT;
        int r;

        memset(st, 0, sizeof(*st));

        if (n->kind == NODE_HOST) {
                if (lstat(n->host_path, st) < 0)
                        return -errno;
                st->st_ino = n->ino;
                st->st_mode &= ~(mode_t) 0222;
        } else
                fill_fixed_attr(n, st);

        if (n->type != S_IFREG)
                return 0;

        if (known_size >= 0) {
                st->st_size = attr_size((size_t) known_size);
                return 0;
        }

        r = render_node(v, n, reader, &content);
        st->st_size = attr_size(r >= 0 ? content.len : 0);
        return 0;
}

static double entry_timeout(const struct node *n) {
        if (n->cpu >= 0)
                return 0; /* visible to some readers only: look it up every time */
        return n->kind == NODE_HOST ? HOST_TIMEOUT_SEC : STATIC_TIMEOUT_SEC;
}

static double attr_timeout(const struct node *n) {
        if (n->kind == NODE_VIEW)
                return 0; /* the size differs between readers */
        return n->kind == NODE_HOST ? HOST_TIMEOUT_SEC : STATIC_TIMEOUT_SEC;
}

/*
 * The file each reader opened last per inode. The kernel sends the GETATTR of
 * fstat() without a file handle, so this is how fstat() of an open view
 * reports the size of that file's snapshot.
 */
#define OPENER_BUCKETS 1024u

struct opener {
        pid_t pid;
        uint64_t ino;
        uint64_t fh;
        struct opener *next;
};

static pthread_mutex_t openers_lock = PTHREAD_MUTEX_INITIALIZER;
static struct opener *openers[OPENER_BUCKETS];

static unsigned opener_bucket(pid_t pid, uint64_t ino) {
        return (unsigned) (((uint64_t) pid * 31 + ino) % OPENER_BUCKETS);
}

static void opener_set(pid_t pid, uint64_t ino, uint64_t fh) {
        struct opener **head = &openers[opener_bucket(pid, ino)], *o;

        pthread_mutex_lock(&openers_lock);
        for (o = *head; o; o = o->next)
                if (o->pid == pid && o->ino == ino)
                        break;
        if (!o) {
                o = calloc(1, sizeof(*o));
                if (o) {
                        *o = (struct opener){ .pid = pid, .ino = ino, .next = *head };
                        *head = o;
                }
        }
        if (o)
                o->fh = fh;
        pthread_mutex_unlock(&openers_lock);
}

static uint64_t opener_get(pid_t pid, uint64_t ino) {
        uint64_t fh = 0;

        pthread_mutex_lock(&openers_lock);
        for (struct opener *o = openers[opener_bucket(pid, ino)]; o; o = o->next)
                if (o->pid == pid && o->ino == ino) {
                        fh = o->fh;
                        break;
                }
        pthread_mutex_unlock(&openers_lock);
        return fh;
}

/* Forget the record of fh, unless the reader has opened the inode again since. */
static void opener_forget(pid_t pid, uint64_t ino, uint64_t fh) {
        struct opener **p = &openers[opener_bucket(pid, ino)];

        pthread_mutex_lock(&openers_lock);
        for (; *p; p = &(*p)->next)
                if ((*p)->pid == pid && (*p)->ino == ino) {
                        struct opener *o = *p;

                        if (o->fh == fh) {
                                *p = o->next;
                                free(o);
                        }
                        break;
                }
        pthread_mutex_unlock(&openers_lock);
}

static struct open_file *open_file_new(struct node *n) {
        struct open_file *of = calloc(1, sizeof(*of));

        if (!of)
                return NULL;
        of->node = n;
        pthread_mutex_init(&of->lock, NULL);
        return of;
}

static void open_file_free(void *p) {
        struct open_file *of = p;

        if (!of)
                return;

        /*
         * The kernel can deliver release while the thread that answered the
         * last read is still returning from fuse_reply_buf(); wait for it.
         */
        pthread_mutex_lock(&of->lock);
        strbuf_free(&of->content);
        pthread_mutex_unlock(&of->lock);
        pthread_mutex_destroy(&of->lock);
        free(of);
}

/* The open file behind fh; a handle of an earlier worker gets fresh state. */
static struct open_file *open_file_get(fuse_req_t req, fuse_ino_t ino, uint64_t fh) {
        struct handle_table *files = fs_ctx(req)->files;
        struct open_file *of, *adopted;
        struct node *n;

        of = handle_get(files, fh);
        if (of)
                return of;

        n = node_get(ino);
        if (!n || n->type != S_IFREG)
                return NULL;

        of = open_file_new(n);
        if (!of)
                return NULL;

        adopted = handle_adopt(files, fh, of);
        if (adopted != of)
                open_file_free(of);
        if (adopted)
                log_debug("Adopted file handle %" PRIx64 " of an earlier worker for inode %" PRIu64, fh,
                          (uint64_t) ino);
        return adopted;
}

static void fs_lookup(fuse_req_t req, fuse_ino_t parent_ino, const char *name) {
        struct views *v = fs_views(req);
        struct fuse_entry_param e = {};
        struct node *parent, *n;
        int r;

        parent = node_get(parent_ino);
        if (!parent) {
                fuse_reply_err(req, ENOENT);
                return;
        }

        n = node_child(parent, name);
        if (!n || !reader_sees_cpu(v, n, fs_reader(req))) {
                fuse_reply_err(req, ENOENT);
                return;
        }

        r = node_attr(v, n, fs_reader(req), -1, &e.attr);
        if (r < 0) {
                fuse_reply_err(req, -r);
                return;
        }

        e.ino = n->ino;
        e.generation = 1;
        e.entry_timeout = entry_timeout(n);
        e.attr_timeout = attr_timeout(n);
        fuse_reply_entry(req, &e);
}

static void fs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
        struct views *v = fs_views(req);
        struct open_file *of = NULL;
        ssize_t known_size = -1;
        struct stat st;
        struct node *n;
        int r;

        n = node_get(ino);
        if (!n) {
                fuse_reply_err(req, ENOENT);
                return;
        }

        if (fi && n->type == S_IFREG)
                of = open_file_get(req, ino, fi->fh);
        else if (n->type == S_IFREG) {
                uint64_t fh = opener_get(fs_reader(req), ino);

                if (fh != 0)
                        of = handle_get(fs_ctx(req)->files, fh);
        }

        /* fstat() of an open view renders its snapshot now, and the next read at 0 serves it. */
        if (of) {
                pthread_mutex_lock(&of->lock);
                if (!of->rendered) {
                        of->render_error = render_node(v, n, fs_reader(req), &of->content);
                        of->rendered = true;
                        of->unread = true;
                }
                if (of->render_error >= 0)
                        known_size = (ssize_t) of->content.len;
                pthread_mutex_unlock(&of->lock);
        }

        r = node_attr(v, n, fs_reader(req), known_size, &st);
        if (r < 0) {
                fuse_reply_err(req, -r);
                return;
        }

        fuse_reply_attr(req, &st, attr_timeout(n));
}

static void fs_readlink(fuse_req_t req, fuse_ino_t ino) {
        char target[PATH_MAX];
        struct node *n;
        ssize_t len;

        n = node_get(ino);
        if (!n || n->kind != NODE_HOST || n->type != S_IFLNK) {
                fuse_reply_err(req, EINVAL);
                return;
        }

        len = readlink(n->host_path, target, sizeof(target) - 1);
        if (len < 0) {
                fuse_reply_err(req, errno);
                return;
        }

        target[len] = '\0';
        fuse_reply_readlink(req, target);
}

static void fs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
        struct open_file *of;
        struct node *n;

        n = node_get(ino);
        if (!n || n->type != S_IFREG) {
                fuse_reply_err(req, n ? EISDIR : ENOENT);
                return;
        }

        if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) {
                fuse_reply_err(req, EACCES);
                return;
        }

        of = open_file_new(n);
        if (!of) {
                fuse_reply_err(req, ENOMEM);
                return;
        }

        fi->fh = handle_add(fs_ctx(req)->files, of);
        if (fi->fh == 0) {
                open_file_free(of);
                fuse_reply_err(req, ENOMEM);
                return;
        }
        fi->direct_io = 1;
        fi->keep_cache = 0;
        of->opener = fs_reader(req);
        opener_set(of->opener, ino, fi->fh);

        if (fuse_reply_open(req, fi) == -ENOENT)
                /* The opener was interrupted; release will not come. */
                open_file_free(handle_remove(fs_ctx(req)->files, fi->fh));
}

/* Reply with size bytes of the snapshot from off, and unlock of. Called with of->lock held. */
static void reply_unlocked(fuse_req_t req, struct open_file *of, size_t off, size_t size) {
        char small[16384];
        char *copy = size <= sizeof(small) ? small : malloc(size);

        if (!copy) {
                pthread_mutex_unlock(&of->lock);
                fuse_reply_err(req, ENOMEM);
                return;
        }

        if (size > 0)
                memcpy(copy, of->content.data + off, size);
        pthread_mutex_unlock(&of->lock);

        fuse_reply_buf(req, copy, size);
        if (copy != small)
                free(copy);
}

/*
 * Whether the kernel reads for its page cache, not for the reader alone. Every
 * reader of an inode shares that cache, so a container could read another's
 * view from it. Newer kernels (seen on 6.18) fill it for sendfile(), splice()
 * and mmap() even of a direct_io file. A read for one reader carries the
 * reader's lock owner, and a read for the page cache carries none.
 */
static bool read_for_page_cache(const struct fuse_file_info *fi) {
        return fi->lock_owner == 0;
}

static void fs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) {
        struct open_file *of;
        int r;

        /* sendfile() then fails, and busybox cat, for one, falls back to read(). */
        if (read_for_page_cache(fi)) {
                log_ratelimited(LOG_DEBUG, 0, "Failing a page cache read of inode %" PRIu64 " by pid %d.",
                                (uint64_t) ino, (int) fs_reader(req));
                fuse_reply_err(req, EIO);
                return;
        }

        of = open_file_get(req, ino, fi->fh);
        if (!of) {
                fuse_reply_err(req, ENOMEM);
                return;
        }

        pthread_mutex_lock(&of->lock);

        if (!of->rendered || (off == 0 && !of->unread)) {
                of->render_error = render_node(fs_views(req), of->node, fs_reader(req), &of->content);
                of->rendered = true;
        }
        of->unread = false;

        r = of->render_error;
        if (r < 0) {
                pthread_mutex_unlock(&of->lock);
                fuse_reply_err(req, -r);
                return;
        }

        if ((size_t) off >= of->content.len)
                size = 0;
        else if (size > of->content.len - (size_t) off)
                size = of->content.len - (size_t) off;

        /*
         * Answer from a copy, so the lock is not held while the reply goes
         * out: the reader's next request on this file comes at once.
         */
        reply_unlocked(req, of, (size_t) off, size);
}

static void fs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
        struct open_file *of = handle_remove(fs_ctx(req)->files, fi->fh);

        if (of && of->opener > 0)
                opener_forget(of->opener, ino, fi->fh);
        open_file_free(of);
        fuse_reply_err(req, 0);
}

static void dir_handle_free(struct dir_handle *d) {
        if (!d)
                return;

        for (size_t i = 0; i < d->n; i++)
                free(d->entries[i].name);
        free(d->entries);
        free(d);
}

static int dir_add(struct dir_handle *d, const char *name, uint64_t ino, mode_t type) {
        struct dir_entry *grown;
        char *copy;

        copy = strdup(name);
        if (!copy)
                return -ENOMEM;

        grown = realloc(d->entries, (d->n + 1) * sizeof(*d->entries));
        if (!grown) {
                free(copy);
                return -ENOMEM;
        }

        d->entries = grown;
        d->entries[d->n++] = (struct dir_entry){ copy, ino, type };
        return 0;
}

/* Add the host directory's entries, without the ones a fixed node replaces or the reader may not see. */
static int dir_add_host_entries(struct views *v, struct dir_handle *d, struct node *dir, pid_t reader) {
        _cleanup_(closedirp) DIR *host = NULL;
        struct dirent *de;
        int r;

        host = opendir(dir->host_path);
        if (!host)
                return -errno;

        while ((de = readdir(host))) {
                struct node *n;
                bool duplicate = false;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;

                for (size_t i = 0; i < d->n; i++)
                        duplicate = duplicate || streq(d->entries[i].name, de->d_name);
                if (duplicate)
                        continue;

                n = node_child(dir, de->d_name);
                if (!n || !reader_sees_cpu(v, n, reader))
                        continue;

                r = dir_add(d, n->name, n->ino, n->type);
                if (r < 0)
                        return r;
        }

        return 0;
}

static int dir_build(struct views *v, struct node *dir, pid_t reader, struct dir_handle *d) {
        struct node *fixed[32];
        size_t n_fixed;
        int r;

        r = dir_add(d, ".", dir->ino, S_IFDIR);
        if (r >= 0)
                r = dir_add(d, "..", dir->parent ? dir->parent : dir->ino, S_IFDIR);
        if (r < 0)
                return r;

        n_fixed = node_fixed_children(dir, fixed, ELEMENTSOF(fixed));
        for (size_t i = 0; i < n_fixed; i++) {
                r = dir_add(d, fixed[i]->name, fixed[i]->ino, fixed[i]->type);
                if (r < 0)
                        return r;
        }

        if (dir->kind == NODE_HOST)
                return dir_add_host_entries(v, d, dir, reader);
        return 0;
}

/* A directory's listing as reader sees it, taken once per open. */
static int dir_handle_new(fuse_req_t req, struct node *n, struct dir_handle **ret) {
        struct dir_handle *d;
        int r;

        d = calloc(1, sizeof(*d));
        if (!d)
                return -ENOMEM;

        r = dir_build(fs_views(req), n, fs_reader(req), d);
        if (r < 0) {
                dir_handle_free(d);
                return r;
        }

        *ret = d;
        return 0;
}

static void dir_handle_free_value(void *d) {
        dir_handle_free(d);
}

static void fs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
        struct dir_handle *d;
        struct node *n;
        int r;

        n = node_get(ino);
        if (!n || n->type != S_IFDIR) {
                fuse_reply_err(req, n ? ENOTDIR : ENOENT);
                return;
        }

        r = dir_handle_new(req, n, &d);
        if (r < 0) {
                fuse_reply_err(req, -r);
                return;
        }

        fi->fh = handle_add(fs_ctx(req)->dirs, d);
        if (fi->fh == 0) {
                dir_handle_free(d);
                fuse_reply_err(req, ENOMEM);
                return;
        }

        if (fuse_reply_open(req, fi) == -ENOENT)
                dir_handle_free(handle_remove(fs_ctx(req)->dirs, fi->fh));
}

/* The listing behind fh; a handle of an earlier worker is listed again. */
static struct dir_handle *dir_handle_get(fuse_req_t req, fuse_ino_t ino, uint64_t fh) {
        struct dir_handle *d, *adopted;
        struct node *n;

        d = handle_get(fs_ctx(req)->dirs, fh);
        if (d)
                return d;

        n = node_get(ino);
        if (!n || n->type != S_IFDIR || dir_handle_new(req, n, &d) < 0)
                return NULL;

        adopted = handle_adopt(fs_ctx(req)->dirs, fh, d);
        if (adopted != d)
                dir_handle_free(d);
        return adopted;
}

static void fs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) {
        _cleanup_free_ char *buf = NULL;
        struct dir_handle *d;
        size_t used = 0;

        d = dir_handle_get(req, ino, fi->fh);
        if (!d) {
                fuse_reply_err(req, ENOMEM);
                return;
        }

        buf = malloc(size);
        if (!buf) {
                fuse_reply_err(req, ENOMEM);
                return;
        }

        for (size_t i = (size_t) off; i < d->n; i++) {
                struct stat st = { .st_ino = d->entries[i].ino, .st_mode = d->entries[i].type };
                size_t len;

                len = fuse_add_direntry(req, buf + used, size - used, d->entries[i].name, &st, (off_t) i + 1);
                if (len > size - used)
                        break;
                used += len;
        }

        fuse_reply_buf(req, buf, used);
}

static void fs_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
        dir_handle_free(handle_remove(fs_ctx(req)->dirs, fi->fh));
        fuse_reply_err(req, 0);
}

static void fs_statfs(fuse_req_t req, fuse_ino_t ino) {
        struct statvfs sv = {
                .f_bsize = 4096,
                .f_frsize = 4096,
                .f_namemax = 255,
        };

        fuse_reply_statfs(req, &sv);
}

/*
 * Splice would move requests through a pipe; the worker reads them into
 * memory so that it can record each request's unique id for the supervisor.
 */
static void fs_init(void *userdata, struct fuse_conn_info *conn) {
        conn->want &= ~(unsigned) (FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_WRITE | FUSE_CAP_SPLICE_MOVE);
}

int fs_context_init(struct fs_context *ctx, struct views *views) {
        int r;

        *ctx = (struct fs_context){ .views = views };

        r = handle_table_new(&ctx->files);
        if (r >= 0)
                r = handle_table_new(&ctx->dirs);
        if (r < 0)
                fs_context_done(ctx);
        return r;
}

void fs_context_done(struct fs_context *ctx) {
        handle_table_free(ctx->files, open_file_free);
        handle_table_free(ctx->dirs, dir_handle_free_value);
        *ctx = (struct fs_context){};
}

/*
 * flush is left out on purpose: libfuse answers ENOSYS, and the kernel then
 * stops sending it, which saves a round trip on every close().
 */
const struct fuse_lowlevel_ops procview_fs_ops = {
        .init = fs_init,
        .lookup = fs_lookup,
        .getattr = fs_getattr,
        .readlink = fs_readlink,
        .open = fs_open,
        .read = fs_read,
        .release = fs_release,
        .opendir = fs_opendir,
        .readdir = fs_readdir,
        .releasedir = fs_releasedir,
        .statfs = fs_statfs,
};
