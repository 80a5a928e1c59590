/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/loadavg of a container: the sampled averages and thread counts of its
 * cgroup subtree, and a last-pid field taken from the container's pid
 * namespace so no host pid leaks into it.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

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

static pid_t newest_of(const pid_t *tids, size_t n) {
        pid_t newest = 0;

        for (size_t i = 0; i < n; i++)
                if (tids[i] > newest)
                        newest = tids[i];
        return newest;
}

/*
 * How long a container's thread count and last pid are reused. Finding them
 * reads the cgroup's task list and the newest task's status, the most costly
 * part of a read.
 */
#define TASKS_MAX_AGE_MS 100

static bool task_in_pidns(pid_t tid, uint64_t pidns_ino) {
        char path[64];
        struct stat st;

        snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int) tid);
        return stat(path, &st) >= 0 && (uint64_t) st.st_ino == pidns_ino;
}

/* Return the pid of newest in c's pid namespace, or 0 when that task has none there. */
static pid_t last_pid_of(const struct container *c, pid_t newest) {
        if (newest <= 0)
                return 0;
        if (c->host_pidns)
                return newest;

        /* A task that joined the cgroup from outside has no pid in the namespace. */
        if (!task_in_pidns(newest, c->pidns_ino))
                return 0;
        return last_pid_in_namespace(newest);
}

/* Take c's thread count and last pid from the task list tids. Called with c->lock held. */
static void update_tasks_locked(struct container *c, const pid_t *tids, size_t n) {
        pid_t last_pid = last_pid_of(c, newest_of(tids, n));

        c->tasks_total = (unsigned) n;
        if (last_pid > 0)
                c->last_pid = last_pid; /* otherwise keep the last one found */
}

/*
 * Fill in view's thread total and last pid from the task list, reread when due.
 * With count_running, reread it now and count view's running threads from it too.
 */
static void container_tasks(struct container *c, bool count_running, struct loadavg_view *view) {
        _cleanup_free_ pid_t *tids = NULL;
        uint64_t now = views_now_ms();
        size_t n = 0;

        pthread_mutex_lock(&c->lock);
        if (count_running || container_value_due(c, now, c->tasks_until_ms)) {
                c->tasks_until_ms = now + TASKS_MAX_AGE_MS;
                if (cgroup_read_tasks(c->cgroup, &tids, &n) >= 0)
                        update_tasks_locked(c, tids, n);
        }
        view->total = c->tasks_total;
        view->last_pid = c->last_pid;
        pthread_mutex_unlock(&c->lock);

        /* Read the threads' states outside the lock, because each costs a file read. */
        if (count_running)
                for (size_t i = 0; i < n; i++)
                        view->running += task_is_running(tids[i]);
}

/*
 * Return the sampler's sum for the container's cgroup subtree, summed once per
 * walk of the sampler (when it changes) and not on every read.
 */
static int container_load(struct views *v, struct container *c, const char *path, struct load_sample *ret) {
        unsigned walks = loadavg_sampler_walks(v->sampler);
        struct load_sample sample;
        bool cached;
        int r;

        pthread_mutex_lock(&c->lock);
        cached = c->load_valid && c->load_walks == walks;
        if (cached)
                *ret = c->load;
        pthread_mutex_unlock(&c->lock);
        if (cached)
                return 0;

        r = loadavg_sampler_get(v->sampler, path, &sample);
        if (r < 0)
                return r;

        /* The count is from before the sum, so a walk that ended in between only costs one more sum. */
        pthread_mutex_lock(&c->lock);
        c->load = sample;
        c->load_walks = walks;
        c->load_valid = true;
        pthread_mutex_unlock(&c->lock);

        *ret = sample;
        return 0;
}

int view_loadavg(struct view_context *ctx, struct strbuf *out) {
        struct container *c = ctx->container;
        enum cg_controller controller = loadavg_sampler_controller(ctx->views->layout);
        struct loadavg_view view = {};
        struct load_sample sample;
        const char *path;
        int r;

        path = cgroup_path(c->cgroup, controller);
        if (!path)
                return -ENOENT;

        r = container_load(ctx->views, c, path, &sample);
        if (r < 0 && r != -ENOENT)
                return r;

        /* A container younger than one sampling interval has averages of 0, so count its running threads now. */
        container_tasks(c, r == -ENOENT, &view);
        if (r >= 0) {
                view.avg = sample.avg;
                view.running = sample.running;
        }

        /*
         * The reader is in this read, and the kernel's own /proc/loadavg
         * counts the task that reads it as running.
         */
        if (view.running == 0)
                view.running = 1;
        if (view.total < view.running)
                view.total = view.running;

        return render_loadavg(&view, out);
}
