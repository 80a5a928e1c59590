/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/loadavg of a container: the sampled averages of its cgroup subtree,
 * its own running and total thread counts, and a last-pid field taken from
 * the container's pid namespace so no host pid leaks into it.
 */
#include <fcntl.h>
#include <stdlib.h>

#include "fileio.h"
#include "log.h"
#include "procfs.h"
#include "render.h"
#include "views-internal.h"

static int read_task_file(pid_t tid, const char *name, char **ret) {
        char path[64];

        snprintf(path, sizeof(path), "/proc/%d/%s", (int) tid, name);
        return read_full_file_at(AT_FDCWD, path, ret, NULL);
}

static bool task_is_running(pid_t tid) {
        _cleanup_free_ char *text = NULL;
        struct proc_stat st;

        if (read_task_file(tid, "stat", &text) < 0)
                return false;
        return procfs_parse_stat(text, &st) >= 0 && st.state == 'R';
}

/* The newest task's pid as its own pid namespace numbers it. */
static pid_t last_pid_in_namespace(pid_t newest_tid) {
        _cleanup_free_ char *status = NULL;
        pid_t nspid;

        if (read_task_file(newest_tid, "status", &status) < 0)
                return 0;
        if (procfs_parse_nspid(status, &nspid) < 0)
                return 0;
        return nspid;
}

/*
 * The reader is blocked in this read, but the kernel's own /proc/loadavg
 * counts the task that reads it as running, so it is counted here too.
 */
static void count_tasks(const struct container *c, pid_t reader, struct loadavg_view *view) {
        _cleanup_free_ pid_t *tids = NULL;
        pid_t newest = 0;
        size_t n;

        if (cgroup_read_tasks(c->cgroup, &tids, &n) < 0)
                return;

        for (size_t i = 0; i < n; i++) {
                view->running += tids[i] == reader || task_is_running(tids[i]);
                if (tids[i] > newest)
                        newest = tids[i];
        }

        view->total = (unsigned) n;
        if (newest > 0)
                view->last_pid = c->host_pidns ? newest : last_pid_in_namespace(newest);
}

int view_loadavg(struct view_context *ctx, struct strbuf *out) {
        struct container *c = ctx->container;
        enum cg_controller controller = loadavg_sampler_controller(ctx->views->layout);
        struct loadavg_view view = {};
        const char *path;
        int r;

        path = cgroup_path(c->cgroup, controller);
        if (!path)
                return -ENOENT;

        /* A cgroup not sampled yet was created less than one interval ago: its load is 0. */
        r = loadavg_sampler_get(ctx->views->sampler, path, &view.avg);
        if (r < 0 && r != -ENOENT)
                return r;

        count_tasks(c, ctx->reader, &view);
        return render_loadavg(&view, out);
}
