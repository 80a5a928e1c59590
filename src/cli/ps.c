/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * "procview ps": list the containers in the registry and whether their
 * views still work. A container whose init has exited is shown as gone once
 * and its record is deleted.
 */
#include <fcntl.h>

#include "cli-util.h"
#include "process.h"
#include "registry.h"
#include "verbs.h"
#include "view-mount.h"
#include "view-paths.h"

static void print_help(void) {
        printf("Usage: procview ps [--views DIR]\n"
               "\n"
               "List the containers that have the procview files bound, with the state of\n"
               "their views:\n"
               "  ok       every view is served by a running procviewd\n"
               "  stale    the procviewd that served them is gone; run 'procview reattach'\n"
               "  unbound  some view is no longer bound over the container's file\n"
               "  gone     the container has exited; its record is deleted\n"
               "\n"
               "Options:\n"
               "  -h --help        Show this help and exit\n"
               "     --views DIR   List only the containers whose views come from DIR\n");
}

/* The worst state of e's views, or "gone". */
static const char *container_state(const struct registry_entry *e) {
        _cleanup_close_ int pidfd = -1, root_fd = -1;
        enum view_state worst = VIEW_STATE_OK;
        char path[64];

        pidfd = process_open_checked(e->pid, e->start_time);
        if (pidfd < 0)
                return "gone";

        snprintf(path, sizeof(path), "/proc/%d/root", (int) e->pid);
        root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0 || process_exited(pidfd))
                return "gone";

        for (size_t i = 0; i < e->n_targets; i++) {
                enum view_state state = view_target_state(root_fd, e->targets[i]);

                if (state == VIEW_STATE_STALE)
                        worst = VIEW_STATE_STALE;
                else if (state != VIEW_STATE_OK && worst == VIEW_STATE_OK)
                        worst = VIEW_STATE_UNBOUND;
        }

        if (process_exited(pidfd))
                return "gone";
        return worst == VIEW_STATE_OK ? "ok" : worst == VIEW_STATE_STALE ? "stale" : "unbound";
}

int verb_ps(int argc, char *argv[]) {
        _cleanup_free_ char *views_dir = NULL;
        struct registry_entry *entries = NULL;
        const char *views_option = NULL;
        int id_width = (int) strlen("ID");
        size_t n;
        int r;

        r = parse_views_option_only(argc, argv, "procview ps", print_help, &views_option);
        if (r != 1)
                return r;

        if (views_option) {
                views_dir = realpath(views_option, NULL) ?: strdup(views_option);
                if (!views_dir)
                        return log_oom(), EXIT_FAILURE;
        }

        r = registry_list(&entries, &n);
        if (r < 0) {
                log_error_errno(r, "Failed to read the registry '%s': %m", REGISTRY_DIR);
                return EXIT_FAILURE;
        }

        for (size_t i = 0; i < n; i++)
                if ((int) strlen(entries[i].id) > id_width)
                        id_width = (int) strlen(entries[i].id);

        printf("%-*s %8s %-8s %5s %s\n", id_width, "ID", "PID", "STATE", "VIEWS", "FROM");
        for (size_t i = 0; i < n; i++) {
                const struct registry_entry *e = &entries[i];
                const char *state;

                if (views_dir && !streq(e->views_dir, views_dir))
                        continue;

                state = container_state(e);
                printf("%-*s %8d %-8s %5zu %s\n", id_width, e->id, (int) e->pid, state, e->n_targets, e->views_dir);

                if (streq(state, "gone"))
                        (void) registry_remove(e->id);
        }

        registry_entries_free(entries, n);
        return EXIT_SUCCESS;
}
