/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <sys/stat.h>

#include "json-util.h"
#include "log.h"
#include "macro.h"
#include "registry.h"

#define RECORD_SUFFIX ".json"

void registry_entry_done(struct registry_entry *e) {
        free(e->id);
        free(e->rootfs);
        free(e->views_dir);
        for (size_t i = 0; i < e->n_targets; i++)
                free(e->targets[i]);
        free(e->targets);
        *e = (struct registry_entry){};
}

void registry_entries_free(struct registry_entry *entries, size_t n) {
        for (size_t i = 0; i < n; i++)
                registry_entry_done(&entries[i]);
        free(entries);
}

bool registry_id_valid(const char *id) {
        return id && id[0] != '\0' && id[0] != '.' && !strchr(id, '/') && strlen(id) < 1024;
}

static int record_path(const char *id, char *buf, size_t size) {
        if (!registry_id_valid(id))
                return -EINVAL;
        if ((size_t) snprintf(buf, size, "%s/%s" RECORD_SUFFIX, REGISTRY_DIR, id) >= size)
                return -ENAMETOOLONG;
        return 0;
}

static struct json_object *entry_to_json(const struct registry_entry *e) {
        _cleanup_json_ struct json_object *o = json_object_new_object(), *targets = json_object_new_array();

        if (!o || !targets)
                return NULL;

        for (size_t i = 0; i < e->n_targets; i++) {
                struct json_object *s = json_object_new_string(e->targets[i]);

                if (!s || json_object_array_add(targets, s) < 0) {
                        json_object_put(s);
                        return NULL;
                }
        }

        if (json_add(o, "id", json_object_new_string(e->id)) < 0 ||
            json_add(o, "pid", json_object_new_int(e->pid)) < 0 ||
            json_add(o, "startTime", json_object_new_uint64(e->start_time)) < 0 ||
            json_add(o, "rootfs", json_object_new_string(e->rootfs ?: "")) < 0 ||
            json_add(o, "viewsDir", json_object_new_string(e->views_dir)) < 0 ||
            json_add(o, "targets", TAKE_PTR(targets)) < 0)
                return NULL;

        return TAKE_PTR(o);
}

static int mkdir_parents(const char *path) {
        _cleanup_free_ char *copy = strdup(path);

        if (!copy)
                return -ENOMEM;

        for (char *slash = strchr(copy + 1, '/');; slash = strchr(slash + 1, '/')) {
                if (slash)
                        *slash = '\0';
                if (mkdir(copy, 0755) < 0 && errno != EEXIST)
                        return -errno;
                if (!slash)
                        return 0;
                *slash = '/';
        }
}

int registry_save(const struct registry_entry *e) {
        _cleanup_json_ struct json_object *o = NULL;
        char path[PATH_MAX], temp[PATH_MAX + 16];
        _cleanup_close_ int fd = -1;
        const char *text;
        size_t length;
        int r;

        r = record_path(e->id, path, sizeof(path));
        if (r < 0)
                return log_debug_errno(r, "Invalid container id '%s' for the registry.", e->id);

        o = entry_to_json(e);
        if (!o)
                return -ENOMEM;
        text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        length = strlen(text);

        r = mkdir_parents(REGISTRY_DIR);
        if (r < 0)
                return log_debug_errno(r, "Failed to create '%s': %m", REGISTRY_DIR);

        snprintf(temp, sizeof(temp), "%s.XXXXXX", path);
        fd = mkostemp(temp, O_CLOEXEC);
        if (fd < 0)
                return log_debug_errno(errno, "Failed to create a temporary file next to '%s': %m", path);

        if (write(fd, text, length) != (ssize_t) length || write(fd, "\n", 1) != 1 || fsync(fd) < 0 ||
            fchmod(fd, 0644) < 0) {
                r = errno > 0 ? -errno : -EIO;
                (void) unlink(temp);
                return log_debug_errno(r, "Failed to write '%s': %m", temp);
        }

        if (rename(temp, path) < 0) {
                r = -errno;
                (void) unlink(temp);
                return log_debug_errno(r, "Failed to rename '%s' to '%s': %m", temp, path);
        }
        return 0;
}

static int get_string(struct json_object *o, const char *key, char **ret) {
        struct json_object *v;
        char *s;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return -EBADMSG;
        s = strdup(json_object_get_string(v));
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

static int get_targets(struct json_object *o, struct registry_entry *e) {
        struct json_object *array;
        size_t n;

        if (!json_object_object_get_ex(o, "targets", &array) || !json_object_is_type(array, json_type_array))
                return -EBADMSG;

        n = json_object_array_length(array);
        e->targets = calloc(n + 1, sizeof(char *));
        if (!e->targets)
                return -ENOMEM;

        for (size_t i = 0; i < n; i++) {
                struct json_object *t = json_object_array_get_idx(array, i);

                if (!json_object_is_type(t, json_type_string) || json_object_get_string(t)[0] != '/')
                        return -EBADMSG;
                e->targets[i] = strdup(json_object_get_string(t));
                if (!e->targets[i])
                        return -ENOMEM;
                e->n_targets++;
        }
        return 0;
}

static int entry_from_json(struct json_object *o, struct registry_entry *ret) {
        _cleanup_(registry_entry_done) struct registry_entry e = {};
        struct json_object *pid, *start_time;
        int r;

        if (!json_object_object_get_ex(o, "pid", &pid) || !json_object_is_type(pid, json_type_int) ||
            !json_object_object_get_ex(o, "startTime", &start_time) || !json_object_is_type(start_time, json_type_int))
                return -EBADMSG;

        e.pid = (pid_t) json_object_get_int(pid);
        e.start_time = json_object_get_uint64(start_time);
        if (e.pid <= 0)
                return -EBADMSG;

        r = get_string(o, "id", &e.id);
        if (r < 0)
                return r;
        r = get_string(o, "rootfs", &e.rootfs);
        if (r < 0)
                return r;
        r = get_string(o, "viewsDir", &e.views_dir);
        if (r < 0)
                return r;
        r = get_targets(o, &e);
        if (r < 0)
                return r;

        *ret = e;
        e = (struct registry_entry){};
        return 0;
}

int registry_load(const char *id, struct registry_entry *ret) {
        _cleanup_json_ struct json_object *o = NULL;
        char path[PATH_MAX];
        int r;

        r = record_path(id, path, sizeof(path));
        if (r < 0)
                return r;

        if (access(path, F_OK) < 0)
                return -errno;

        o = json_object_from_file(path);
        if (!o)
                return log_debug_errno(-EBADMSG, "Failed to parse '%s': %s", path,
                                       json_util_get_last_err() ?: "unknown error");

        r = entry_from_json(o, ret);
        if (r < 0)
                return log_debug_errno(r, "Invalid registry record '%s'.", path);
        if (!streq(ret->id, id)) {
                registry_entry_done(ret);
                return log_debug_errno(-EBADMSG, "Registry record '%s' names another container.", path);
        }
        return 0;
}

int registry_remove(const char *id) {
        char path[PATH_MAX];
        int r;

        r = record_path(id, path, sizeof(path));
        if (r < 0)
                return r;

        if (unlink(path) < 0 && errno != ENOENT)
                return log_debug_errno(errno, "Failed to remove '%s': %m", path);
        return 0;
}

static int compare_entries(const void *a, const void *b) {
        return strcmp(((const struct registry_entry *) a)->id, ((const struct registry_entry *) b)->id);
}

int registry_list(struct registry_entry **ret_entries, size_t *ret_n) {
        _cleanup_(closedirp) DIR *dir = NULL;
        struct registry_entry *entries = NULL;
        size_t n = 0, allocated = 0;
        struct dirent *de;

        dir = opendir(REGISTRY_DIR);
        if (!dir) {
                if (errno != ENOENT)
                        return log_debug_errno(errno, "Failed to open '%s': %m", REGISTRY_DIR);
                *ret_entries = NULL;
                *ret_n = 0;
                return 0;
        }

        while ((de = readdir(dir))) {
                _cleanup_free_ char *id = NULL;
                size_t length = strlen(de->d_name);
                struct registry_entry e;

                /* Skips ".", "..", and the temporary files of a registry_save() in progress. */
                if (de->d_name[0] == '.' || length <= strlen(RECORD_SUFFIX) ||
                    !streq(de->d_name + length - strlen(RECORD_SUFFIX), RECORD_SUFFIX))
                        continue;

                id = strndup(de->d_name, length - strlen(RECORD_SUFFIX));
                if (!id)
                        goto oom;
                if (registry_load(id, &e) < 0)
                        continue;

                if (n == allocated) {
                        struct registry_entry *bigger;

                        allocated = allocated ? allocated * 2 : 16;
                        bigger = reallocarray(entries, allocated, sizeof(*entries));
                        if (!bigger) {
                                registry_entry_done(&e);
                                goto oom;
                        }
                        entries = bigger;
                }
                entries[n++] = e;
        }

        if (n > 0)
                qsort(entries, n, sizeof(*entries), compare_entries);
        *ret_entries = entries;
        *ret_n = n;
        return 0;

oom:
        registry_entries_free(entries, n);
        return -ENOMEM;
}
