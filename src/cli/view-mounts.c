/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <linux/magic.h>
#include <sys/vfs.h>

#include "cli-util.h"
#include "json-util.h"
#include "view-mounts.h"
#include "views.h"

/* Seconds the runtime waits for the hook; it normally finishes in milliseconds. */
#define HOOK_TIMEOUT_SEC 10

void view_mounts_select(const char *views_dir, bool selected[]) {
        struct statfs sfs;
        bool mounted;

        mounted = statfs(views_dir, &sfs) >= 0 && (unsigned long) sfs.f_type == FUSE_SUPER_MAGIC &&
                  view_present(views_dir, "proc/meminfo");
        if (!mounted)
                log_warning("No procviewd is mounted at '%s', so every view is listed. Containers fail to start "
                            "until procviewd serves that directory.",
                            views_dir);

        for (size_t i = 0; i < n_view_paths; i++)
                selected[i] = !mounted || view_present(views_dir, view_paths[i]);
}

static struct json_object *mount_entry(const char *views_dir, const char *path) {
        _cleanup_json_ struct json_object *m = json_object_new_object();
        _cleanup_free_ char *source = format_string("%s/%s", views_dir, path);
        _cleanup_free_ char *destination = format_string("/%s", path);

        if (!m || !source || !destination || json_add(m, "destination", json_object_new_string(destination)) < 0 ||
            json_add(m, "type", json_object_new_string("bind")) < 0 ||
            json_add(m, "source", json_object_new_string(source)) < 0 ||
            json_add(m, "options", json_string_array(STRV(VIEW_MOUNT_OPTIONS))) < 0)
                return NULL;
        return TAKE_PTR(m);
}

int view_mounts_append(struct json_object *mounts, const char *views_dir, const bool selected[]) {
        for (size_t i = 0; i < n_view_paths; i++) {
                int r;

                if (!selected[i])
                        continue;
                r = json_append(mounts, mount_entry(views_dir, view_paths[i]));
                if (r < 0)
                        return r;
        }
        return 0;
}

bool view_mount_is_view(struct json_object *m) {
        struct json_object *destination;
        const char *d;

        if (!json_object_object_get_ex(m, "destination", &destination) ||
            !json_object_is_type(destination, json_type_string))
                return false;

        d = json_object_get_string(destination);
        for (size_t i = 0; i < n_view_paths; i++)
                if (d[0] == '/' && streq(d + 1, view_paths[i]))
                        return true;
        return false;
}

/*
 * Remove the " (deleted)" that readlink() of /proc/self/exe shows once the
 * binary was replaced, as an upgrade does: the path then names the new one.
 */
static void strip_deleted_suffix(char *path, size_t len) {
        static const char suffix[] = " (deleted)";
        size_t suffix_len = sizeof(suffix) - 1;

        if (len > suffix_len && streq(path + len - suffix_len, suffix))
                path[len - suffix_len] = '\0';
}

struct json_object *view_hook_entry(const char *views_dir) {
        _cleanup_json_ struct json_object *hook = json_object_new_object();
        char self[PATH_MAX];
        ssize_t n;

        /* The runtime runs the hook by absolute path, so name this very binary. */
        n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n < 0)
                return NULL;
        self[n] = '\0';
        strip_deleted_suffix(self, (size_t) n);

        if (!hook || json_add(hook, "path", json_object_new_string(self)) < 0 ||
            json_add(hook, "args", json_string_array(STRV("procview", "hook", "--views", views_dir))) < 0 ||
            json_add(hook, "timeout", json_object_new_int(HOOK_TIMEOUT_SEC)) < 0)
                return NULL;
        return TAKE_PTR(hook);
}

bool view_hook_is_ours(struct json_object *h) {
        struct json_object *args, *arg0, *arg1;

        if (!json_object_object_get_ex(h, "args", &args) || !json_object_is_type(args, json_type_array) ||
            json_object_array_length(args) < 2)
                return false;

        arg0 = json_object_array_get_idx(args, 0);
        arg1 = json_object_array_get_idx(args, 1);
        return json_object_is_type(arg0, json_type_string) && json_object_is_type(arg1, json_type_string) &&
               streq(json_object_get_string(arg0), "procview") && streq(json_object_get_string(arg1), "hook");
}
