/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A process's membership in a layout, the walk up to the hierarchy root that
 * makes limits effective, and the public read functions, which pick the v1
 * or v2 reader per controller.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-internal.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "parse.h"

/*
 * v1 shows an unset memory limit as the page counter's maximum rounded down
 * to a page: 0x7FFFFFFFFFFFF000 with 4 KiB pages, 0x7FFFFFFFFFFF0000 with
 * 64 KiB pages. Any value from the lower of the two up is no limit.
 */
#define CG_V1_LIMIT_UNSET UINT64_C(0x7FFFFFFFFFFF0000)

/* Paths in /proc/PID/cgroup of one process, per controller. */
struct membership {
        char *v1_paths[_CG_CONTROLLER_MAX];
        char *v2_path;
};

static void membership_done(struct membership *m) {
        for (size_t c = 0; c < _CG_CONTROLLER_MAX; c++)
                free(m->v1_paths[c]);
        free(m->v2_path);
}

/*
 * The kernel prints each hierarchy once. Unlike mountinfo, /proc/PID/cgroup
 * does not escape cgroup names (proc_cgroup_show() in kernel/cgroup/cgroup.c),
 * so a name with a newline can add a line of its own choosing. A second path
 * for a controller therefore makes the text invalid instead of replacing the
 * first, which would point the view at another cgroup.
 */
static int set_path(char **slot, const char *path) {
        char *copy;

        if (*slot)
                return -EINVAL;

        copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        *slot = copy;
        return 0;
}

/* Parse one "ID:controllers:path" line. The path may itself contain ':'. */
static int parse_membership_line(char *line, struct membership *m) {
        char *controllers, *path, *word;
        int r;

        if (!strsep(&line, ":") || !line)
                return -EINVAL;
        controllers = strsep(&line, ":");
        path = line;
        if (!path || path[0] != '/')
                return -EINVAL;

        if (*controllers == '\0')
                return set_path(&m->v2_path, path);

        /* v1 co-mounts several controllers on one line: "4:cpu,cpuacct:/a". */
        while ((word = strsep(&controllers, ","))) {
                int c = cg_controller_from_name(word);

                if (c < 0)
                        continue;
                r = set_path(&m->v1_paths[c], path);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_membership(const char *text, struct membership *m) {
        _cleanup_free_ char *copy = strdup(text);
        char *p, *line;
        int r;

        if (!copy)
                return -ENOMEM;

        p = copy;
        while ((line = strsep(&p, "\n"))) {
                if (*line == '\0')
                        continue;
                r = parse_membership_line(line, m);
                if (r < 0)
                        return r;
        }
        return 0;
}

/*
 * Check the components of a /proc/PID/cgroup path before it is opened
 * relative to the mount. A reader in another cgroup namespace sees a cgroup
 * outside its namespace's root as "/../..", which lies outside the mount
 * (-EXDEV). The kernel never prints an empty or "." component (-EINVAL), and
 * a leading "//" would make openat() start from "/".
 */
static int check_path_components(const char *path) {
        const char *p = path + 1;

        if (path[0] != '/')
                return -EINVAL;
        if (*p == '\0')
                return 0;

        for (;;) {
                size_t n = strcspn(p, "/");

                if (n == 2 && p[0] == '.' && p[1] == '.')
                        return -EXDEV;
                if (n == 0 || (n == 1 && p[0] == '.'))
                        return -EINVAL;
                if (p[n] == '\0')
                        return 0;
                p += n + 1;
        }
}

/*
 * Turn a path of /proc/PID/cgroup into one relative to the mount: drop the
 * mount's root (a bind mount of a subtree, or a mount made inside a cgroup
 * namespace) and, on v2, a trailing "/init.scope". Returns -EXDEV when the
 * cgroup lies outside the mounted subtree.
 */
static int mount_relative_path(const char *path, const char *root, bool unified, char **ret) {
        const char *rest = path;
        char *copy, *scope;
        int r;

        r = check_path_components(path);
        if (r < 0)
                return r;

        if (!streq(root, "/")) {
                rest = startswith(path, root);
                if (!rest || (*rest != '/' && *rest != '\0'))
                        return -EXDEV;
        }

        copy = strdup(*rest == '\0' ? "/" : rest);
        if (!copy)
                return -ENOMEM;

        /* systemd inside a container moves its own init into init.scope. */
        scope = strrchr(copy, '/');
        if (unified && streq(scope, "/init.scope")) {
                *scope = '\0';
                if (scope == copy) {
                        copy[0] = '/';
                        copy[1] = '\0';
                }
        }

        *ret = copy;
        return 0;
}

void cg_node_done(struct cg_node *node) {
        if (node->dir_fd >= 0)
                close(node->dir_fd);
        if (node->root_fd >= 0)
                close(node->root_fd);
        free(node->path);
        *node = (struct cg_node){ .dir_fd = -1, .root_fd = -1 };
}

/* Open the directory of one controller's cgroup. -ENOENT when it is gone. */
static int node_open(const struct cg_hierarchy *h, const char *relative_path, struct cg_node *ret) {
        _cleanup_close_ int root_fd = -1, dir_fd = -1;
        _cleanup_free_ char *path = NULL;

        path = strdup(relative_path);
        if (!path)
                return -ENOMEM;

        root_fd = fcntl(h->fd, F_DUPFD_CLOEXEC, 3);
        if (root_fd < 0)
                return -errno;

        /* Skip the leading '/': the path is opened relative to the mount point. */
        dir_fd = openat(h->fd, path[1] == '\0' ? "." : path + 1, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                return -errno;

        *ret = (struct cg_node){
                .dir_fd = TAKE_FD(dir_fd),
                .root_fd = TAKE_FD(root_fd),
                .path = TAKE_PTR(path),
                .unified = h->unified,
        };
        return 0;
}

struct cgroup *cgroup_free(struct cgroup *cg) {
        if (!cg)
                return NULL;

        for (size_t c = 0; c < _CG_CONTROLLER_MAX; c++)
                cg_node_done(&cg->nodes[c]);
        free(cg);
        return NULL;
}

static void cgroup_freep(struct cgroup **cg) {
        cgroup_free(*cg);
}

static struct cgroup *cgroup_alloc(void) {
        struct cgroup *cg = calloc(1, sizeof(*cg));

        if (!cg)
                return NULL;
        for (size_t c = 0; c < _CG_CONTROLLER_MAX; c++)
                cg->nodes[c] = (struct cg_node){ .dir_fd = -1, .root_fd = -1 };
        return cg;
}

static int open_controller(const struct cgroup_layout *layout, const struct membership *m, enum cg_controller c,
                           struct cg_node *ret) {
        const struct cg_hierarchy *h = cgroup_layout_hierarchy(layout, c);
        _cleanup_free_ char *relative = NULL;
        const char *path;
        int r;

        if (!h)
                return 0;

        path = h->unified ? m->v2_path : m->v1_paths[c];
        if (!path)
                return 0;

        r = mount_relative_path(path, h->root, h->unified, &relative);
        if (r == -EXDEV) {
                log_debug("cgroup '%s' of %s lies outside the mounted root '%s', ignoring.", path,
                          cg_controller_name(c), h->root);
                return 0;
        }
        if (r < 0)
                return r;

        r = node_open(h, relative, ret);
        if (r == -ENOENT || r == -ENOTDIR) {
                log_debug_errno(r, "Failed to open cgroup '%s' of %s, ignoring: %m", relative, cg_controller_name(c));
                return 0;
        }
        return r;
}

int cgroup_open(const struct cgroup_layout *layout, const char *proc_pid_cgroup, struct cgroup **ret) {
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        _cleanup_(membership_done) struct membership m = {};
        int r;

        cg = cgroup_alloc();
        if (!cg)
                return -ENOMEM;

        r = parse_membership(proc_pid_cgroup, &m);
        if (r < 0)
                return r;

        for (size_t c = 0; c < _CG_CONTROLLER_MAX; c++) {
                r = open_controller(layout, &m, c, &cg->nodes[c]);
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(cg);
        return 0;
}

const struct cg_node *cg_node_get(const struct cgroup *cg, enum cg_controller c) {
        if ((unsigned) c >= _CG_CONTROLLER_MAX || cg->nodes[c].dir_fd < 0)
                return NULL;
        return &cg->nodes[c];
}

static bool node_is_stale(const struct cg_node *node) {
        const char *relative = node->path[0] == '/' ? node->path + 1 : node->path;
        struct stat opened, current;

        if (fstat(node->dir_fd, &opened) < 0)
                return true;
        if (relative[0] == '\0')
                return false; /* the hierarchy's root never goes away */
        if (fstatat(node->root_fd, relative, &current, AT_SYMLINK_NOFOLLOW) < 0)
                return true;
        return opened.st_ino != current.st_ino || opened.st_dev != current.st_dev;
}

bool cgroup_is_stale(const struct cgroup *cg) {
        for (unsigned c = 0; c < _CG_CONTROLLER_MAX; c++)
                if (cg->nodes[c].dir_fd >= 0 && node_is_stale(&cg->nodes[c]))
                        return true;
        return false;
}

const char *cgroup_path(const struct cgroup *cg, enum cg_controller c) {
        const struct cg_node *node = cg_node_get(cg, c);

        return node ? node->path : NULL;
}

int cg_walk_up(const struct cg_node *node, cg_level_fn fn, void *userdata) {
        _cleanup_free_ char *dir = NULL;
        char *slash;
        int r;

        r = fn(node->dir_fd, userdata);
        if (r != 0)
                return r < 0 ? r : 0;

        /* "/a/b/c" has the ancestors "a/b", "a" and the root. */
        dir = strdup(node->path + 1);
        if (!dir)
                return -ENOMEM;

        while (*dir != '\0') {
                _cleanup_close_ int fd = -1;

                slash = strrchr(dir, '/');
                if (!slash)
                        break;
                *slash = '\0';

                fd = openat(node->root_fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        return -errno;

                r = fn(fd, userdata);
                if (r != 0)
                        return r < 0 ? r : 0;
        }

        if (streq(node->path, "/"))
                return 0;

        r = fn(node->root_fd, userdata);
        return r < 0 ? r : 0;
}

int cg_node_find_up(const struct cg_node *node, const char *file, struct cg_node *ret) {
        _cleanup_free_ char *path = strdup(node->path);
        _cleanup_close_ int dir_fd = -1, root_fd = -1;
        char *slash;

        if (!path)
                return -ENOMEM;

        dir_fd = fcntl(node->dir_fd, F_DUPFD_CLOEXEC, 3);
        if (dir_fd < 0)
                return -errno;

        while (faccessat(dir_fd, file, F_OK, 0) < 0) {
                if (errno != ENOENT)
                        return -errno;
                if (streq(path, "/"))
                        return -ENOENT;

                /* "/a/b" goes up to "/a", and "/a" to "/". */
                slash = strrchr(path, '/');
                slash[slash == path ? 1 : 0] = '\0';

                close(dir_fd);
                dir_fd = openat(node->root_fd, path[1] == '\0' ? "." : path + 1, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dir_fd < 0)
                        return -errno;
        }

        root_fd = fcntl(node->root_fd, F_DUPFD_CLOEXEC, 3);
        if (root_fd < 0)
                return -errno;

        *ret = (struct cg_node){
                .dir_fd = TAKE_FD(dir_fd),
                .root_fd = TAKE_FD(root_fd),
                .path = TAKE_PTR(path),
                .unified = node->unified,
        };
        return 0;
}

static int read_limit_at(int dirfd, const char *file, uint64_t *ret) {
        uint64_t value;
        int r;

        r = read_u64_at(dirfd, file, &value);
        if (r < 0)
                return r;

        *ret = value >= CG_V1_LIMIT_UNSET ? CG_UNLIMITED : value;
        return 0;
}

struct limit_walk {
        const char *file;
        uint64_t min;
        bool found;
};

static int take_limit(int dirfd, void *userdata) {
        struct limit_walk *w = userdata;
        uint64_t value;
        int r;

        r = read_limit_at(dirfd, w->file, &value);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return log_debug_errno(r, "Failed to read '%s': %m", w->file);

        w->min = u64_min(w->min, value);
        w->found = true;
        return 0;
}

int cg_read_effective_limit(const struct cg_node *node, const char *file, uint64_t *ret) {
        struct limit_walk w = { .file = file, .min = CG_UNLIMITED };
        int r;

        r = cg_walk_up(node, take_limit, &w);
        if (r < 0)
                return r;
        if (!w.found)
                return -ENOENT;

        *ret = w.min;
        return 0;
}

/* Compare a/b < c/d exactly where the products fit, else in floating point. */
static bool ratio_less(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
        uint64_t ad, cb;

        if (!__builtin_mul_overflow(a, d, &ad) && !__builtin_mul_overflow(c, b, &cb))
                return ad < cb;
        return (double) a / (double) b < (double) c / (double) d;
}

void cg_quota_take_min(struct cg_quota *acc, const struct cg_quota *q) {
        if (q->quota_us == CG_UNLIMITED || q->period_us == 0)
                return;

        if (acc->quota_us == CG_UNLIMITED || ratio_less(q->quota_us, q->period_us, acc->quota_us, acc->period_us))
                *acc = *q;
}

struct quota_walk {
        struct cg_quota min;
        bool found;
        int (*read_level)(int dirfd, struct cg_quota *ret);
};

static int take_quota(int dirfd, void *userdata) {
        struct quota_walk *w = userdata;
        struct cg_quota q;
        int r;

        r = w->read_level(dirfd, &q);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;

        /* An unlimited result keeps the period of the cgroup itself. */
        if (!w->found)
                w->min.period_us = q.period_us;
        w->found = true;

        cg_quota_take_min(&w->min, &q);
        return 0;
}

int cg_read_effective_quota(const struct cg_node *node, int (*read_level)(int dirfd, struct cg_quota *ret),
                            struct cg_quota *ret) {
        struct quota_walk w = {
                .min = { .quota_us = CG_UNLIMITED, .period_us = CG_DEFAULT_PERIOD_US },
                .read_level = read_level,
        };
        int r;

        r = cg_walk_up(node, take_quota, &w);
        if (r < 0)
                return r;
        if (!w.found)
                return -ENOENT;

        *ret = w.min;
        return 0;
}

struct cpuset_walk {
        const char *effective_file;
        struct cpuset set;
};

/* Read a cpuset file. Returns -ENOENT when it is missing or lists no CPU. */
static int read_cpuset_file(int dirfd, const char *file, struct cpuset *ret) {
        _cleanup_free_ char *text = NULL;
        struct cpuset set;
        int r;

        r = read_full_file_at(dirfd, file, &text, NULL);
        if (r < 0)
                return r;

        r = cpuset_parse(text, &set);
        if (r < 0)
                return log_debug_errno(r, "Failed to parse %s '%s': %m", file, text);
        if (cpuset_is_empty(&set))
                return -ENOENT;

        *ret = set;
        return 0;
}

/* Stop at the nearest level that shows its CPUs. */
static int take_cpuset(int dirfd, void *userdata) {
        struct cpuset_walk *w = userdata;
        int r;

        r = read_cpuset_file(dirfd, w->effective_file, &w->set);
        if (r != -ENOENT)
                return r < 0 ? r : 1;

        r = read_cpuset_file(dirfd, "cpuset.cpus", &w->set);
        if (r != -ENOENT)
                return r < 0 ? r : 1;
        return 0;
}

int cg_read_cpuset(const struct cg_node *node, const char *effective_file, struct cpuset *ret) {
        struct cpuset_walk w = { .effective_file = effective_file };
        int r;

        cpuset_clear(&w.set);

        r = cg_walk_up(node, take_cpuset, &w);
        if (r < 0)
                return r;
        if (cpuset_is_empty(&w.set))
                return -ENOENT;

        *ret = w.set;
        return 0;
}

int cgroup_read_memory(const struct cgroup *cg, struct cg_memory *ret) {
        const struct cg_node *node = cg_node_get(cg, CG_MEMORY);

        if (!node)
                return -ENOENT;
        return cg_node_ops(node)->read_memory(node, ret);
}

static int read_cpu_quota(const struct cgroup *cg, struct cg_quota *ret) {
        const struct cg_node *node = cg_node_get(cg, CG_CPU);
        int r;

        if (!node)
                return -ENOENT;

        r = cg_node_ops(node)->read_quota(node, ret);
        if (r == -ENOENT) {
                /* Without CFS bandwidth control (CONFIG_CFS_BANDWIDTH) there are no quota files and no quota. */
                *ret = (struct cg_quota){ .quota_us = CG_UNLIMITED, .period_us = CG_DEFAULT_PERIOD_US };
                return 0;
        }
        return r;
}

static int read_cpuset(const struct cgroup *cg, struct cpuset *ret) {
        const struct cg_node *node = cg_node_get(cg, CG_CPUSET);

        if (!node)
                return -ENOENT;
        return cg_read_cpuset(node, cg_node_ops(node)->cpuset_effective_file, ret);
}

int cgroup_read_cpu(const struct cgroup *cg, struct cg_cpu *ret) {
        struct cg_cpu cpu = { .quota_us = CG_UNLIMITED, .period_us = CG_DEFAULT_PERIOD_US };
        struct cg_quota quota;
        bool has_quota;
        int r;

        if (!cg_node_get(cg, CG_CPU) && !cg_node_get(cg, CG_CPUSET))
                return -ENOENT;

        r = read_cpu_quota(cg, &quota);
        if (r < 0 && r != -ENOENT)
                return r;
        has_quota = r >= 0;

        r = read_cpuset(cg, &cpu.cpuset);
        if (r < 0 && r != -ENOENT)
                return r;
        cpu.has_cpuset = r >= 0;

        if (has_quota) {
                cpu.quota_us = quota.quota_us;
                cpu.period_us = quota.period_us;
        }

        *ret = cpu;
        return 0;
}

int cgroup_read_cpuacct(const struct cgroup *cg, struct cg_cpuacct *ret) {
        const struct cg_node *node = cg_node_get(cg, CG_CPUACCT);

        if (!node)
                return -ENOENT;
        return cg_node_ops(node)->read_cpuacct(node, ret);
}

void cg_cpuacct_done(struct cg_cpuacct *acct) {
        free(acct->percpu_user_ns);
        free(acct->percpu_system_ns);
        *acct = (struct cg_cpuacct){};
}

int cgroup_read_io(const struct cgroup *cg, struct cg_io *ret) {
        const struct cg_node *node = cg_node_get(cg, CG_BLKIO);

        if (!node)
                return -ENOENT;
        return cg_node_ops(node)->read_io(node, ret);
}

void cg_io_done(struct cg_io *io) {
        free(io->devices);
        *io = (struct cg_io){};
}
