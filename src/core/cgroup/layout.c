/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Layout detection: which hierarchy serves each controller, found from the
 * cgroup and cgroup2 lines of mountinfo.
 *
 * A controller mounted on a v1 hierarchy is read there, even when a cgroup2
 * hierarchy is mounted too (the hybrid layout, whose cgroup2 mount at
 * /sys/fs/cgroup/unified normally has no controllers). Any other controller
 * comes from the cgroup2 hierarchy when its root's cgroup.controllers lists
 * it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-internal.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"

static const char *const controller_names[_CG_CONTROLLER_MAX] = {
        [CG_MEMORY] = "memory", [CG_CPU] = "cpu",     [CG_CPUACCT] = "cpuacct",
        [CG_CPUSET] = "cpuset", [CG_BLKIO] = "blkio", [CG_PIDS] = "pids",
};

const char *cg_controller_name(enum cg_controller c) {
        if ((unsigned) c >= _CG_CONTROLLER_MAX)
                return NULL;
        return controller_names[c];
}

int cg_controller_from_name(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(controller_names); i++)
                if (streq(controller_names[i], name))
                        return (int) i;
        return -EINVAL;
}

/* Decode the octal escapes (\040 for a space) that mountinfo uses in paths, in place. */
static void decode_octal_escapes(char *s) {
        char *out = s;

        for (const char *in = s; *in != '\0'; in++) {
                if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && in[2] >= '0' && in[2] <= '7' && in[3] >= '0' &&
                    in[3] <= '7') {
                        *out++ = (char) (((in[1] - '0') << 6) | ((in[2] - '0') << 3) | (in[3] - '0'));
                        in += 3;
                        continue;
                }
                *out++ = *in;
        }

        *out = '\0';
}

/* The fields of one mountinfo line that the layout uses, pointing into the line. */
struct mount_entry {
        char *root;
        char *mount_point;
        char *fstype;
        char *super_options;
};

/*
 * Split a mountinfo line: "36 35 98:0 /root /mnt opts [optional...] - fstype
 * source superopts". Returns -EINVAL when the line lacks a field.
 */
static int parse_mount_line(char *line, struct mount_entry *ret) {
        char *fields[6], *word, *p = line;
        struct mount_entry e = {};
        size_t n = 0;

        while (n < ELEMENTSOF(fields) && (word = strsep(&p, " ")))
                fields[n++] = word;
        if (n < ELEMENTSOF(fields) || !p)
                return -EINVAL;

        /* Optional fields ("shared:1", "master:2") run up to a lone "-". */
        while ((word = strsep(&p, " ")) && !streq(word, "-"))
                ;
        if (!word || !p)
                return -EINVAL;

        e.fstype = strsep(&p, " ");
        if (!p || !strsep(&p, " ") || !p)
                return -EINVAL;
        e.super_options = p;

        e.root = fields[3];
        e.mount_point = fields[4];
        decode_octal_escapes(e.root);
        decode_octal_escapes(e.mount_point);

        *ret = e;
        return 0;
}

static void hierarchy_done(struct cg_hierarchy *h) {
        free(h->root);
        h->root = NULL;
        if (h->fd >= 0)
                close(h->fd);
        h->fd = -1;
}

struct cgroup_layout *cgroup_layout_free(struct cgroup_layout *layout) {
        if (!layout)
                return NULL;

        for (size_t i = 0; i < layout->n_hierarchies; i++)
                hierarchy_done(&layout->hierarchies[i]);
        free(layout->hierarchies);
        free(layout);
        return NULL;
}

static void cgroup_layout_freep(struct cgroup_layout **layout) {
        cgroup_layout_free(*layout);
}

static char *join_prefix(const char *prefix, const char *path) {
        size_t a = strlen(prefix), b = strlen(path);
        char *joined = malloc(a + b + 1);

        if (!joined)
                return NULL;
        memcpy(joined, prefix, a);
        memcpy(joined + a, path, b + 1);
        return joined;
}

/* Open the mount point and append it to the layout. Returns its index. */
static int add_hierarchy(struct cgroup_layout *layout, const struct mount_entry *e, const char *prefix, bool unified) {
        _cleanup_free_ char *path = NULL, *root = NULL;
        _cleanup_close_ int fd = -1;
        struct cg_hierarchy *bigger;

        path = join_prefix(prefix, e->mount_point);
        root = strdup(e->root);
        if (!path || !root)
                return -ENOMEM;

        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return log_debug_errno(errno, "Failed to open cgroup mount '%s': %m", path);

        bigger = realloc(layout->hierarchies, (layout->n_hierarchies + 1) * sizeof(*bigger));
        if (!bigger)
                return -ENOMEM;
        layout->hierarchies = bigger;

        layout->hierarchies[layout->n_hierarchies] = (struct cg_hierarchy){
                .root = TAKE_PTR(root),
                .fd = TAKE_FD(fd),
                .unified = unified,
        };
        return (int) layout->n_hierarchies++;
}

/*
 * The same hierarchy may be mounted more than once (a bind mount of a
 * subtree, say). The first mount wins, unless a later one shows the whole
 * hierarchy ("/" root) and the first does not.
 */
static bool should_replace(const struct cgroup_layout *layout, int current, const struct mount_entry *e) {
        if (current < 0)
                return true;
        return !streq(layout->hierarchies[current].root, "/") && streq(e->root, "/");
}

static int add_v1_mount(struct cgroup_layout *layout, const struct mount_entry *e, const char *prefix) {
        _cleanup_free_ char *options = strdup(e->super_options);
        bool wanted[_CG_CONTROLLER_MAX] = {};
        bool any = false;
        char *p, *word;
        int index;

        if (!options)
                return -ENOMEM;

        /* The super options name the controllers: "rw,cpu,cpuacct". "name=systemd" has none. */
        p = options;
        while ((word = strsep(&p, ","))) {
                int c = cg_controller_from_name(word);

                if (c >= 0 && should_replace(layout, layout->v1_index[c], e)) {
                        wanted[c] = true;
                        any = true;
                }
        }
        if (!any)
                return 0;

        index = add_hierarchy(layout, e, prefix, false);
        if (index == -ENOMEM)
                return index;
        if (index < 0)
                return 0;

        for (size_t c = 0; c < _CG_CONTROLLER_MAX; c++)
                if (wanted[c])
                        layout->v1_index[c] = index;
        return 0;
}

static int add_v2_mount(struct cgroup_layout *layout, const struct mount_entry *e, const char *prefix) {
        int index;

        if (!should_replace(layout, layout->v2_index, e))
                return 0;

        index = add_hierarchy(layout, e, prefix, true);
        if (index == -ENOMEM)
                return index;
        if (index >= 0)
                layout->v2_index = index;
        return 0;
}

static int add_mount_line(struct cgroup_layout *layout, char *line, const char *prefix) {
        struct mount_entry e;
        int r;

        r = parse_mount_line(line, &e);
        if (r < 0) {
                log_debug("Ignoring malformed mountinfo line.");
                return 0;
        }

        if (streq(e.fstype, "cgroup"))
                return add_v1_mount(layout, &e, prefix);
        if (streq(e.fstype, "cgroup2"))
                return add_v2_mount(layout, &e, prefix);
        return 0;
}

/*
 * Map a name of the v2 cgroup.controllers file to the controllers it serves.
 * On v2 "cpu" also provides the usage in cpu.stat, and "io" replaces blkio.
 */
static void mark_v2_controller(const char *name, bool served[static _CG_CONTROLLER_MAX]) {
        int c;

        if (streq(name, "cpu")) {
                served[CG_CPU] = true;
                served[CG_CPUACCT] = true;
                return;
        }
        if (streq(name, "io")) {
                served[CG_BLKIO] = true;
                return;
        }

        c = cg_controller_from_name(name);
        if (c >= 0 && c != CG_CPUACCT && c != CG_BLKIO)
                served[c] = true;
}

static int read_v2_controllers(const struct cg_hierarchy *h, bool served[static _CG_CONTROLLER_MAX]) {
        _cleanup_free_ char *text = NULL;
        char *p, *word;
        int r;

        r = read_full_file_at(h->fd, "cgroup.controllers", &text, NULL);
        if (r < 0)
                return log_debug_errno(r, "Failed to read cgroup.controllers of the cgroup2 root: %m");

        p = text;
        while ((word = strsep(&p, " \n")))
                if (*word != '\0')
                        mark_v2_controller(word, served);
        return 0;
}

/* Give every controller its hierarchy, v1 first. */
static int assign_controllers(struct cgroup_layout *layout) {
        bool served[_CG_CONTROLLER_MAX] = {};
        int r;

        if (layout->v2_index >= 0) {
                r = read_v2_controllers(&layout->hierarchies[layout->v2_index], served);
                if (r == -ENOMEM)
                        return r;
        }

        for (size_t c = 0; c < _CG_CONTROLLER_MAX; c++) {
                if (layout->v1_index[c] >= 0)
                        layout->index[c] = layout->v1_index[c];
                else if (served[c])
                        layout->index[c] = layout->v2_index;
        }
        return 0;
}

static struct cgroup_layout *layout_alloc(void) {
        struct cgroup_layout *layout = calloc(1, sizeof(*layout));

        if (!layout)
                return NULL;

        layout->v2_index = -1;
        for (size_t c = 0; c < _CG_CONTROLLER_MAX; c++) {
                layout->v1_index[c] = -1;
                layout->index[c] = -1;
        }
        return layout;
}

int cgroup_layout_new(const char *mountinfo, const char *prefix, struct cgroup_layout **ret) {
        _cleanup_(cgroup_layout_freep) struct cgroup_layout *layout = NULL;
        _cleanup_free_ char *text = NULL;
        char *p, *line;
        int r;

        layout = layout_alloc();
        text = strdup(mountinfo);
        if (!layout || !text)
                return -ENOMEM;

        p = text;
        while ((line = strsep(&p, "\n"))) {
                if (*line == '\0')
                        continue;
                r = add_mount_line(layout, line, prefix ?: "");
                if (r < 0)
                        return r;
        }

        if (layout->n_hierarchies == 0)
                return -ENOMEDIUM;

        r = assign_controllers(layout);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(layout);
        return 0;
}

const struct cg_hierarchy *cgroup_layout_hierarchy(const struct cgroup_layout *layout, enum cg_controller c) {
        if ((unsigned) c >= _CG_CONTROLLER_MAX || layout->index[c] < 0)
                return NULL;
        return &layout->hierarchies[layout->index[c]];
}

bool cgroup_layout_has(const struct cgroup_layout *layout, enum cg_controller c) {
        return cgroup_layout_hierarchy(layout, c) != NULL;
}

bool cgroup_layout_is_unified(const struct cgroup_layout *layout, enum cg_controller c) {
        const struct cg_hierarchy *h = cgroup_layout_hierarchy(layout, c);

        return h && h->unified;
}

int cgroup_layout_open_root(const struct cgroup_layout *layout, enum cg_controller c, int *ret_fd) {
        const struct cg_hierarchy *h = cgroup_layout_hierarchy(layout, c);
        int fd;

        if (!h)
                return -ENOENT;

        fd = fcntl(h->fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;

        *ret_fd = fd;
        return 0;
}
