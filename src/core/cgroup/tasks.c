/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The thread ids of a cgroup and all its descendants. The walk is bounded in
 * depth and in the number of cgroups, and cgroups that vanish while it runs
 * are skipped: containers create and remove cgroups all the time.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-internal.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "parse.h"

/*
 * Chosen bounds, not kernel limits: deeper or larger trees make the read fail
 * with -E2BIG instead of taking long.
 */
#define TASKS_MAX_DEPTH 32
#define TASKS_MAX_CGROUPS 4096

/* PID_MAX_LIMIT of 64-bit kernels: no cgroup can hold more threads. */
#define TASKS_MAX_TIDS (4u * 1024u * 1024u)

struct tid_list {
        pid_t *tids;
        size_t n;
        size_t cap;
        unsigned n_cgroups;
};

static int tid_list_add(struct tid_list *list, pid_t tid) {
        if (list->n == list->cap) {
                size_t cap = list->cap ? list->cap * 2 : 64;
                pid_t *bigger;

                if (list->n >= TASKS_MAX_TIDS)
                        return -E2BIG;

                bigger = realloc(list->tids, cap * sizeof(pid_t));
                if (!bigger)
                        return -ENOMEM;
                list->tids = bigger;
                list->cap = cap;
        }

        list->tids[list->n++] = tid;
        return 0;
}

/* Add the ids of one tasks or cgroup.threads file, one decimal id a line. */
static int add_tids(struct tid_list *list, const char *text) {
        _cleanup_free_ char *copy = strdup(text);
        char *p, *line;
        int r;

        if (!copy)
                return -ENOMEM;

        p = copy;
        while ((line = strsep(&p, "\n"))) {
                int tid;

                if (*line == '\0')
                        continue;

                r = safe_atoi(line, &tid);
                if (r < 0)
                        return r;
                if (tid <= 0)
                        return -EINVAL;

                r = tid_list_add(list, tid);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int collect(int dirfd, const char *file, unsigned depth, struct tid_list *list);

/* Open a child cgroup and collect from it. A child that vanished meanwhile is skipped. */
static int collect_child(int dirfd, const char *name, const char *file, unsigned depth, struct tid_list *list) {
        _cleanup_close_ int fd = -1;
        int r;

        fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
                if (errno == ENOENT || errno == ENOTDIR)
                        return 0;
                return -errno;
        }

        r = collect(fd, file, depth, list);
        if (r == -ENOENT) {
                log_debug("cgroup '%s' vanished while its tasks were read, ignoring.", name);
                return 0;
        }
        return r;
}

static int collect_children(int dirfd, const char *file, unsigned depth, struct tid_list *list) {
        _cleanup_close_ int fd = -1;
        struct dirent *de;
        DIR *dir;
        int r = 0;

        /* fdopendir() takes the fd, so give it a copy of the directory. */
        fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;

        dir = fdopendir(fd);
        if (!dir)
                return -errno;
        TAKE_FD(fd);

        while ((de = readdir(dir))) {
                if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
                        continue;
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;

                r = collect_child(dirfd, de->d_name, file, depth + 1, list);
                if (r < 0)
                        break;
        }

        closedir(dir);
        return r;
}

static int collect(int dirfd, const char *file, unsigned depth, struct tid_list *list) {
        _cleanup_free_ char *text = NULL;
        int r;

        if (depth > TASKS_MAX_DEPTH || ++list->n_cgroups > TASKS_MAX_CGROUPS)
                return log_debug_errno(E2BIG, "cgroup tree is deeper than %u or has more than %u cgroups.",
                                       TASKS_MAX_DEPTH, TASKS_MAX_CGROUPS);

        r = read_full_file_at(dirfd, file, &text, NULL);
        if (r < 0)
                return r;

        r = add_tids(list, text);
        if (r < 0)
                return log_debug_errno(r, "Failed to parse %s: %m", file);

        return collect_children(dirfd, file, depth, list);
}

int cgroup_read_tasks(const struct cgroup *cg, pid_t **ret, size_t *ret_n) {
        const struct cg_node *node = cg_node_get(cg, CG_CPU) ?: cg_node_get(cg, CG_PIDS);
        struct tid_list list = {};
        int r;

        if (!node)
                return -ENOENT;

        r = collect(node->dir_fd, cg_node_ops(node)->tasks_file, 0, &list);
        if (r < 0) {
                free(list.tids);
                return r;
        }

        *ret = list.tids;
        *ret_n = list.n;
        return 0;
}
