/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "log.h"
#include "nodes.h"
#include "parse.h"

#define HASH_BUCKETS 4096u

/*
 * Host entries get an inode number made from a hash of their path, so a
 * worker that replaced a crashed one gives every entry the inode number the
 * kernel already knows. The top bit keeps them apart from the fixed nodes.
 */
#define HOST_INO_BIT (UINT64_C(1) << 63)

/* Bounds of the walk that creates the nodes of existing host entries at start. */
#define PREWALK_MAX_DEPTH 8
#define PREWALK_MAX_NODES 65536

/* Guards table, n_nodes, capacity and hash. Nodes themselves never change once published. */
static pthread_rwlock_t table_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct node **table;
static size_t n_nodes;
static size_t capacity;
static struct node *hash[HASH_BUCKETS];
static struct node *ino_hash[HASH_BUCKETS];

/* Set by nodes_init(): the cpu directory, and the count of nodes built there. */
static uint64_t cpu_dir_ino;
static size_t n_fixed;

static uint64_t hash_key(uint64_t parent, const char *name) {
        uint64_t h = 1469598103934665603ULL ^ parent;

        for (; *name; name++)
                h = (h ^ (unsigned char) *name) * 1099511628211ULL;
        return h;
}

static int table_grow_locked(void) {
        size_t new_capacity = capacity ? capacity * 2 : 256;
        struct node **grown;

        grown = realloc(table, new_capacity * sizeof(*table));
        if (!grown)
                return -ENOMEM;

        table = grown;
        capacity = new_capacity;
        return 0;
}

static struct node *node_by_ino_locked(uint64_t ino) {
        if (ino >= 1 && ino <= n_fixed)
                return table[ino - 1];

        for (struct node *n = ino_hash[ino % HASH_BUCKETS]; n; n = n->ino_next)
                if (n->ino == ino)
                        return n;
        return NULL;
}

/* Add a node. Fixed nodes are numbered from 1 (FUSE_ROOT_ID) in creation order. */
static struct node *node_add_locked(uint64_t parent, const char *name, enum node_kind kind, mode_t type, uint64_t ino) {
        _cleanup_free_ struct node *n = NULL;
        unsigned bucket;

        if (n_nodes == capacity && table_grow_locked() < 0)
                return NULL;

        n = calloc(1, sizeof(*n));
        if (!n)
                return NULL;
        n->name = strdup(name);
        if (!n->name)
                return NULL;

        /* NOTE: two host paths whose hashes collide get numbers that depend on lookup order. */
        while (ino == 0 || node_by_ino_locked(ino))
                ino = n_nodes + 1 > ino ? n_nodes + 1 : ino + 1;

        n->ino = ino;
        n->parent = parent;
        n->kind = kind;
        n->type = type;
        n->cpu = -1;

        bucket = (unsigned) (hash_key(parent, name) % HASH_BUCKETS);
        n->hash_next = hash[bucket];
        hash[bucket] = n;

        n->ino_next = ino_hash[ino % HASH_BUCKETS];
        ino_hash[ino % HASH_BUCKETS] = n;

        table[n_nodes++] = n;
        return TAKE_PTR(n);
}

static struct node *node_find_locked(uint64_t parent, const char *name) {
        struct node *n = hash[hash_key(parent, name) % HASH_BUCKETS];

        for (; n; n = n->hash_next)
                if (n->parent == parent && streq(n->name, name))
                        return n;
        return NULL;
}

static struct node *add_dir(uint64_t parent, const char *name) {
        return node_add_locked(parent, name, NODE_DIR, S_IFDIR, n_nodes + 1);
}

static struct node *add_view(uint64_t parent, enum view_file f) {
        struct node *n = node_add_locked(parent, view_file_name(f), NODE_VIEW, S_IFREG, n_nodes + 1);

        if (n)
                n->view = f;
        return n;
}

int nodes_init(void) {
        static const enum view_file proc_files[] = {
                VIEW_MEMINFO, VIEW_CPUINFO, VIEW_STAT, VIEW_UPTIME, VIEW_DISKSTATS, VIEW_SWAPS, VIEW_LOADAVG,
        };
        static const enum view_file cpu_files[] = {
                VIEW_CPU_ONLINE,
                VIEW_CPU_PRESENT,
                VIEW_CPU_POSSIBLE,
                VIEW_CPU_OFFLINE,
        };
        struct node *root, *proc, *sys, *devices, *system, *cpu;
        int r = 0;

        pthread_rwlock_wrlock(&table_lock);

        root = add_dir(0, "");
        proc = root ? add_dir(root->ino, "proc") : NULL;
        sys = root ? add_dir(root->ino, "sys") : NULL;
        devices = sys ? add_dir(sys->ino, "devices") : NULL;
        system = devices ? add_dir(devices->ino, "system") : NULL;
        cpu = system ? node_add_locked(system->ino, "cpu", NODE_HOST, S_IFDIR, n_nodes + 1) : NULL;
        if (cpu)
                cpu->host_path = strdup(HOST_CPU_DIR);

        if (!proc || !cpu || !cpu->host_path) {
                r = -ENOMEM;
                goto out;
        }
        cpu_dir_ino = cpu->ino;

        for (size_t i = 0; i < ELEMENTSOF(proc_files); i++)
                if (!add_view(proc->ino, proc_files[i]))
                        r = -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(cpu_files); i++)
                if (!add_view(cpu->ino, cpu_files[i]))
                        r = -ENOMEM;

out:
        n_fixed = n_nodes;
        pthread_rwlock_unlock(&table_lock);
        return r;
}

void nodes_done(void) {
        pthread_rwlock_wrlock(&table_lock);

        for (size_t i = 0; i < n_nodes; i++) {
                free(table[i]->name);
                free(table[i]->host_path);
                free(table[i]);
        }
        free(table);
        table = NULL;
        n_nodes = capacity = 0;
        memset(hash, 0, sizeof(hash));
        memset(ino_hash, 0, sizeof(ino_hash));
        n_fixed = 0;

        pthread_rwlock_unlock(&table_lock);
}

struct node *node_get(uint64_t ino) {
        struct node *n;

        pthread_rwlock_rdlock(&table_lock);
        n = node_by_ino_locked(ino);
        pthread_rwlock_unlock(&table_lock);

        return n;
}

int node_cpu_number(const char *name) {
        const char *digits = startswith(name, "cpu");
        unsigned cpu;

        if (!digits || safe_atou(digits, &cpu) < 0 || cpu >= CPUSET_MAX)
                return -1;
        /* Reject "cpu01": sysfs never names a CPU directory that way. */
        if (digits[0] == '0' && digits[1] != '\0')
                return -1;
        return (int) cpu;
}

/* Create the node of a host entry that lstat() found. */
static struct node *host_child_locked(struct node *parent, const char *name, mode_t type) {
        _cleanup_free_ char *path = NULL;
        struct node *n;

        if (asprintf(&path, "%s/%s", parent->host_path, name) < 0)
                return NULL;

        n = node_add_locked(parent->ino, name, NODE_HOST, type, HOST_INO_BIT | (hash_key(0, path) >> 1));
        if (!n)
                return NULL;

        n->host_path = TAKE_PTR(path);
        if (parent->ino == cpu_dir_ino && S_ISDIR(type))
                n->cpu = node_cpu_number(name);
        return n;
}

static bool name_is_valid(const char *name) {
        return name[0] != '\0' && !strchr(name, '/') && !streq(name, ".") && !streq(name, "..");
}

struct node *node_child(struct node *parent, const char *name) {
        _cleanup_free_ char *path = NULL;
        struct node *n;
        struct stat st;

        if (!name_is_valid(name))
                return NULL;

        pthread_rwlock_rdlock(&table_lock);
        n = node_find_locked(parent->ino, name);
        pthread_rwlock_unlock(&table_lock);
        if (n || parent->kind != NODE_HOST)
                return n;

        if (asprintf(&path, "%s/%s", parent->host_path, name) < 0)
                return NULL;
        if (lstat(path, &st) < 0)
                return NULL;
        if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
                return NULL;

        pthread_rwlock_wrlock(&table_lock);
        n = node_find_locked(parent->ino, name);
        if (!n)
                n = host_child_locked(parent, name, st.st_mode & S_IFMT);
        pthread_rwlock_unlock(&table_lock);

        return n;
}

static void prewalk(struct node *dir, unsigned depth, unsigned *count) {
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;

        d = opendir(dir->host_path);
        if (!d)
                return;

        while ((de = readdir(d)) && *count < PREWALK_MAX_NODES) {
                struct node *n;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;

                n = node_child(dir, de->d_name);
                if (!n)
                        continue;

                (*count)++;
                if (n->kind == NODE_HOST && n->type == S_IFDIR && depth < PREWALK_MAX_DEPTH)
                        prewalk(n, depth + 1, count);
        }
}

unsigned nodes_prewalk(void) {
        unsigned count = 0;
        struct node *cpu;

        cpu = node_get(cpu_dir_ino);
        if (cpu)
                prewalk(cpu, 0, &count);
        return count;
}

size_t node_fixed_children(const struct node *dir, struct node **ret, size_t max) {
        size_t found = 0;

        pthread_rwlock_rdlock(&table_lock);
        for (size_t i = 0; i < n_fixed && found < max; i++)
                if (table[i]->parent == dir->ino)
                        ret[found++] = table[i];
        pthread_rwlock_unlock(&table_lock);

        return found;
}
