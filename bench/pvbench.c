/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pvbench: measures open + read-to-end + close of one file of a /proc view
 * server (procviewd, LXCFS or bench/static-fuse). Each reader runs as pid 1 of
 * its own pid namespace and in its own cgroups, so the server's container
 * lookup is on the measured path.
 *
 * Every container gets cgroups named pvbench-TAG-N under each v1 controller
 * (or the v2 root) with a 256 MiB memory limit and a quota of one CPU. Its
 * init reads the file once (the first-read latency), then waits. In the
 * measured phase, R lanes run at once. The containers of a lane take turns,
 * one read each, so with more containers than lanes the reads are spread
 * over all of them. Everything created is killed and removed before exit,
 * also after SIGINT, SIGTERM or SIGHUP.
 *
 * Output: one line of key=value pairs on stdout; errors on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/futex.h>
#include <linux/magic.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CGROUP_ROOT "/sys/fs/cgroup"
#define MEMORY_LIMIT_BYTES (256ull * 1024 * 1024)
#define CPU_PERIOD_US 100000
#define CPU_QUOTA_US 100000 /* one CPU */
#define READ_BUFFER_SIZE (256u * 1024)
#define MAX_CGROUP_DIRS 8

/*
 * Latency histogram: 100 ns buckets below 1 ms, 10 us buckets below 100 ms
 * and 1 ms buckets below 10 s. Anything slower lands in the last bucket.
 */
#define HIST_SPAN 10000u
#define HIST_BUCKETS (3 * HIST_SPAN)

enum phase { PHASE_SETUP, PHASE_RUN, PHASE_STOP };

struct lane {
        uint64_t reads;
        uint64_t errors;
        uint64_t max_ns;
        uint32_t hist[HIST_BUCKETS];
};

/* State shared between the parent and every container through MAP_SHARED memory. */
struct shared {
        _Atomic uint32_t phase;
        _Atomic uint32_t ready; /* containers that finished their first read */
        _Atomic uint32_t failed; /* containers whose set-up or first read failed */
        _Atomic uint32_t lanes_done;
        uint64_t deadline_ns;
};

struct container {
        pid_t outer_pid; /* the process that joined the cgroups and unshared the pid namespace */
        char name[64];
        char dirs[MAX_CGROUP_DIRS][256];
        unsigned n_dirs;
};

/* procviewd runs as a supervisor and a worker; LXCFS and static-fuse as one process. */
#define MAX_DAEMON_PIDS 8

struct options {
        const char *path;
        unsigned readers;
        unsigned containers;
        unsigned read_containers; /* reads rotate over containers 0 to read_containers - 1 */
        unsigned threads;
        double seconds;
        double idle_seconds;
        double warm_up_seconds;
        pid_t daemon_pids[MAX_DAEMON_PIDS]; /* the server's processes, summed */
        unsigned n_daemon_pids;
        bool print_first;
        char tag[32];
};

struct bench {
        struct options o;
        struct shared *shared;
        _Atomic uint32_t *turn; /* per container: 1 while it has its lane's token */
        _Atomic int32_t *inner_pid; /* per container: host pid of its pid 1 */
        uint64_t *first_ns; /* per container: latency of its first read */
        struct lane *lanes;
        struct container *containers;
        unsigned n_created;
        bool cgroup_v2;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig) {
        interrupted = sig;
}

static uint64_t now_ns(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static void futex_wait(_Atomic uint32_t *addr, uint32_t expected, const struct timespec *timeout) {
        syscall(SYS_futex, addr, FUTEX_WAIT, expected, timeout, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *addr) {
        syscall(SYS_futex, addr, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

static void *shared_alloc(size_t size) {
        void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

        if (p == MAP_FAILED) {
                fprintf(stderr, "pvbench: failed to map %zu bytes of shared memory: %s\n", size, strerror(errno));
                exit(EXIT_FAILURE);
        }
        return p;
}

static unsigned hist_bucket(uint64_t ns) {
        if (ns < 1000000u)
                return (unsigned) (ns / 100u);
        if (ns < 100000000u)
                return HIST_SPAN + (unsigned) (ns / 10000u) - 100u;
        if (ns < 10000000000u)
                return 2 * HIST_SPAN + (unsigned) (ns / 1000000u) - 100u;
        return HIST_BUCKETS - 1;
}

/* The middle of a bucket, in microseconds. */
static double hist_bucket_us(unsigned b) {
        if (b < HIST_SPAN)
                return (b + 0.5) * 0.1;
        if (b < 2 * HIST_SPAN)
                return (b - HIST_SPAN + 100 + 0.5) * 10.0;
        return (b - 2 * HIST_SPAN + 100 + 0.5) * 1000.0;
}

static double hist_percentile_us(const uint64_t *hist, uint64_t total, double q) {
        uint64_t rank = (uint64_t) (q * (double) total), seen = 0;

        if (total == 0)
                return 0;
        if (rank >= total)
                rank = total - 1;

        for (unsigned b = 0; b < HIST_BUCKETS; b++) {
                seen += hist[b];
                if (seen > rank)
                        return hist_bucket_us(b);
        }
        return hist_bucket_us(HIST_BUCKETS - 1);
}

/* open + read to end of file + close; returns the latency, or 0 on failure. */
static uint64_t read_once(const char *path, char *buf, size_t *ret_len) {
        uint64_t start = now_ns();
        size_t len = 0;
        ssize_t n;
        int fd;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;

        while ((n = read(fd, buf + len, READ_BUFFER_SIZE - 1 - len)) > 0) {
                len += (size_t) n;
                if (len >= READ_BUFFER_SIZE - 1)
                        len = 0; /* reuse the buffer: only --print-first uses the content */
        }
        close(fd);
        if (n < 0)
                return 0;

        buf[len] = '\0';
        if (ret_len)
                *ret_len = len;
        return now_ns() - start;
}

/* ---- cgroups ------------------------------------------------------------ */

static int write_file(const char *dir, const char *file, const char *value) {
        char path[PATH_MAX];
        ssize_t n;
        int fd;

        snprintf(path, sizeof(path), "%s/%s", dir, file);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = write(fd, value, strlen(value));
        if (n < 0) {
                int r = -errno;

                close(fd);
                return r;
        }
        close(fd);
        return 0;
}

static int copy_file(const char *from_dir, const char *to_dir, const char *file) {
        char path[PATH_MAX], value[4096];
        ssize_t n;
        int fd;

        snprintf(path, sizeof(path), "%s/%s", from_dir, file);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = read(fd, value, sizeof(value) - 1);
        close(fd);
        if (n < 0)
                return -errno;
        value[n] = '\0';
        return write_file(to_dir, file, value);
}

static bool is_cgroup_v2(void) {
        struct statfs sf;

        return statfs(CGROUP_ROOT, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

static void cgroup_remove(struct container *c) {
        for (unsigned i = 0; i < c->n_dirs; i++) {
                /* Tasks leave a cgroup shortly after they are reaped; retry for up to 5 s. */
                for (int attempt = 0; attempt < 500; attempt++) {
                        if (rmdir(c->dirs[i]) == 0 || errno == ENOENT)
                                break;
                        if (errno != EBUSY) {
                                fprintf(stderr, "pvbench: failed to remove '%s': %s\n", c->dirs[i], strerror(errno));
                                break;
                        }
                        usleep(10000);
                }
        }
        c->n_dirs = 0;
}

static int cgroup_setup_dir(struct container *c, const char *dir, const char *controller) {
        char buf[64];
        int r = 0;

        if (strcmp(controller, "cpuset") == 0) {
                r = copy_file(CGROUP_ROOT "/cpuset", dir, "cpuset.cpus");
                if (r >= 0)
                        r = copy_file(CGROUP_ROOT "/cpuset", dir, "cpuset.mems");
        } else if (strcmp(controller, "memory") == 0) {
                snprintf(buf, sizeof(buf), "%llu", MEMORY_LIMIT_BYTES);
                r = write_file(dir, "memory.limit_in_bytes", buf);
        } else if (strcmp(controller, "cpu") == 0) {
                snprintf(buf, sizeof(buf), "%d", CPU_PERIOD_US);
                r = write_file(dir, "cpu.cfs_period_us", buf);
                snprintf(buf, sizeof(buf), "%d", CPU_QUOTA_US);
                if (r >= 0)
                        r = write_file(dir, "cpu.cfs_quota_us", buf);
        } else if (strcmp(controller, "unified") == 0) {
                snprintf(buf, sizeof(buf), "%llu", MEMORY_LIMIT_BYTES);
                r = write_file(dir, "memory.max", buf);
                snprintf(buf, sizeof(buf), "%d %d", CPU_QUOTA_US, CPU_PERIOD_US);
                if (r >= 0)
                        r = write_file(dir, "cpu.max", buf);
        }

        if (r < 0)
                fprintf(stderr, "pvbench: failed to set up %s cgroup '%s': %s\n", controller, dir, strerror(-r));
        return r;
}

static int cgroup_create(struct bench *b, struct container *c) {
        static const char *const v1_controllers[] = { "memory", "cpu", "cpuacct", "cpuset", "blkio", "pids" };
        char real[MAX_CGROUP_DIRS][PATH_MAX];
        unsigned n_real = 0;

        if (b->cgroup_v2) {
                snprintf(c->dirs[0], sizeof(c->dirs[0]), "%s/%s", CGROUP_ROOT, c->name);
                if (mkdir(c->dirs[0], 0755) < 0) {
                        fprintf(stderr, "pvbench: failed to create '%s': %s\n", c->dirs[0], strerror(errno));
                        return -1;
                }
                c->n_dirs = 1;
                return cgroup_setup_dir(c, c->dirs[0], "unified");
        }

        for (size_t i = 0; i < sizeof(v1_controllers) / sizeof(v1_controllers[0]); i++) {
                char mount[128], *dir;
                bool seen = false;

                snprintf(mount, sizeof(mount), "%s/%s", CGROUP_ROOT, v1_controllers[i]);
                if (!realpath(mount, real[n_real]))
                        continue; /* controller not mounted */

                /* Co-mounted controllers such as cpu,cpuacct share one directory. */
                for (unsigned j = 0; j < n_real; j++)
                        seen = seen || strcmp(real[j], real[n_real]) == 0;
                if (seen)
                        continue;
                n_real++;

                dir = c->dirs[c->n_dirs];
                snprintf(dir, sizeof(c->dirs[0]), "%s/%s", mount, c->name);
                if (mkdir(dir, 0755) < 0) {
                        fprintf(stderr, "pvbench: failed to create '%s': %s\n", dir, strerror(errno));
                        return -1;
                }
                c->n_dirs++;

                if (cgroup_setup_dir(c, dir, v1_controllers[i]) < 0)
                        return -1;
        }

        return 0;
}

static int cgroup_join(const struct container *c) {
        char pid[32];

        snprintf(pid, sizeof(pid), "%d", (int) getpid());
        for (unsigned i = 0; i < c->n_dirs; i++)
                if (write_file(c->dirs[i], "cgroup.procs", pid) < 0)
                        return -1;
        return 0;
}

/* ---- containers --------------------------------------------------------- */

static void *sleeper_thread(void *arg) {
        for (;;)
                pause();
        return NULL;
}

static void start_sleepers(unsigned n) {
        pthread_attr_t attr;

        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, 64 * 1024);
        for (unsigned i = 0; i < n; i++) {
                pthread_t t;

                if (pthread_create(&t, &attr, sleeper_thread, NULL) != 0) {
                        fprintf(stderr, "pvbench: failed to start a sleeping thread\n");
                        break;
                }
        }
        pthread_attr_destroy(&attr);
}

static void record(struct lane *lane, uint64_t ns) {
        if (ns == 0) {
                lane->errors++;
                return;
        }
        lane->reads++;
        lane->hist[hist_bucket(ns)]++;
        if (ns > lane->max_ns)
                lane->max_ns = ns;
}

/* The measured phase of container i: take the lane's token, read, pass it on. */
static void container_run(struct bench *b, unsigned i, char *buf) {
        struct shared *s = b->shared;
        unsigned n = b->o.read_containers, n_lanes = b->o.readers;
        unsigned lane = i % n_lanes;
        bool alone = lane + n_lanes >= n; /* the only container of its lane */

        for (;;) {
                unsigned next;

                while (atomic_load(&b->turn[i]) == 0 && atomic_load(&s->phase) == PHASE_RUN)
                        futex_wait(&b->turn[i], 0, NULL);
                if (atomic_load(&s->phase) != PHASE_RUN)
                        return;

                do
                        record(&b->lanes[lane], read_once(b->o.path, buf, NULL));
                while (alone && now_ns() < s->deadline_ns);

                atomic_store(&b->turn[i], 0);
                if (now_ns() >= s->deadline_ns) {
                        atomic_fetch_add(&s->lanes_done, 1);
                        futex_wake(&s->lanes_done);
                        return;
                }

                next = i + n_lanes < n ? i + n_lanes : lane;
                atomic_store(&b->turn[next], 1);
                futex_wake(&b->turn[next]);
        }
}

/* pid 1 of the container's pid namespace. */
static void container_init(struct bench *b, unsigned i) {
        struct shared *s = b->shared;
        char *buf = malloc(READ_BUFFER_SIZE);
        size_t len = 0;

        if (!buf) {
                atomic_fetch_add(&s->failed, 1);
                futex_wake(&s->ready);
                return;
        }

        if (b->o.threads > 1)
                start_sleepers(b->o.threads - 1);

        b->first_ns[i] = read_once(b->o.path, buf, &len);
        if (b->first_ns[i] == 0) {
                fprintf(stderr, "pvbench: container %u failed to read '%s': %s\n", i, b->o.path, strerror(errno));
                atomic_fetch_add(&s->failed, 1);
        } else if (i == 0 && b->o.print_first) {
                fwrite(buf, 1, len, stdout);
                fflush(stdout);
        }
        atomic_fetch_add(&s->ready, 1);
        futex_wake(&s->ready);

        while (atomic_load(&s->phase) == PHASE_SETUP)
                futex_wait(&s->phase, PHASE_SETUP, NULL);

        container_run(b, i, buf);
        for (;;)
                pause();
}

/*
 * Start container i: a child joins the cgroups and unshares the pid
 * namespace, and its own child is pid 1 there. Both die with their parent.
 */
static int container_start(struct bench *b, unsigned i) {
        struct container *c = &b->containers[i];
        pid_t parent = getpid(), outer, inner;

        snprintf(c->name, sizeof(c->name), "pvbench-%s-%u", b->o.tag, i);
        b->n_created = i + 1;
        if (cgroup_create(b, c) < 0)
                return -1;

        outer = fork();
        if (outer < 0) {
                fprintf(stderr, "pvbench: fork failed: %s\n", strerror(errno));
                return -1;
        }
        if (outer > 0) {
                c->outer_pid = outer;
                return 0;
        }

        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
                _exit(EXIT_FAILURE);

        if (cgroup_join(c) < 0 || unshare(CLONE_NEWPID) < 0) {
                fprintf(stderr, "pvbench: failed to enter container %u: %s\n", i, strerror(errno));
                atomic_fetch_add(&b->shared->failed, 1);
                futex_wake(&b->shared->ready);
                _exit(EXIT_FAILURE);
        }

        inner = fork();
        if (inner < 0) {
                atomic_fetch_add(&b->shared->failed, 1);
                futex_wake(&b->shared->ready);
                _exit(EXIT_FAILURE);
        }
        if (inner == 0) {
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                container_init(b, i);
                _exit(EXIT_FAILURE);
        }

        atomic_store(&b->inner_pid[i], inner);
        while (waitpid(inner, NULL, 0) < 0 && errno == EINTR)
                ;
        _exit(EXIT_SUCCESS);
}

/* Wait until ready + failed reaches target; returns false on failure, timeout or signal. */
static bool wait_ready(struct bench *b, unsigned target, double timeout_sec) {
        struct shared *s = b->shared;
        uint64_t deadline = now_ns() + (uint64_t) (timeout_sec * 1e9);
        struct timespec tick = { 0, 50000000 };

        for (;;) {
                uint32_t ready = atomic_load(&s->ready);

                if (atomic_load(&s->failed) > 0 || interrupted)
                        return false;
                if (ready >= target)
                        return true;
                if (now_ns() > deadline) {
                        fprintf(stderr, "pvbench: timed out waiting for container %u\n", target - 1);
                        return false;
                }
                futex_wait(&s->ready, ready, &tick);
        }
}

static void containers_destroy(struct bench *b) {
        for (unsigned i = 0; i < b->n_created; i++) {
                pid_t inner = atomic_load(&b->inner_pid[i]);

                /* SIGKILL to a namespace's pid 1 kills every process in it. */
                if (inner > 0)
                        kill(inner, SIGKILL);
                if (b->containers[i].outer_pid > 0)
                        kill(b->containers[i].outer_pid, SIGKILL);
        }

        /* This process is a subreaper, so orphaned inits come back here to be reaped. */
        while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
                ;

        for (unsigned i = 0; i < b->n_created; i++)
                cgroup_remove(&b->containers[i]);
        b->n_created = 0;
}

/* ---- the daemon's resource use ------------------------------------------ */

/* utime + stime of every thread of pid, in clock ticks; 0 when it cannot be read. */
static uint64_t process_cpu_ticks(pid_t pid) {
        char path[64], text[4096], *p;
        unsigned long long utime, stime;
        ssize_t n;
        int fd;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        n = read(fd, text, sizeof(text) - 1);
        close(fd);
        if (n <= 0)
                return 0;
        text[n] = '\0';

        /* Fields 14 and 15, counted after the ')' that ends the command name. */
        p = strrchr(text, ')');
        if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
                return 0;
        return utime + stime;
}

static unsigned long process_rss_kb(pid_t pid) {
        char path[64], line[256];
        unsigned long kb = 0;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
        f = fopen(path, "re");
        if (!f)
                return 0;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "VmRSS: %lu kB", &kb) == 1)
                        break;
        fclose(f);
        return kb;
}

/* utime + stime of all the server's processes, in clock ticks. */
static uint64_t daemon_cpu_ticks(const struct options *o) {
        uint64_t sum = 0;

        for (unsigned i = 0; i < o->n_daemon_pids; i++)
                sum += process_cpu_ticks(o->daemon_pids[i]);
        return sum;
}

/* VmRSS of all the server's processes, in kB. Pages they share count once per process. */
static unsigned long daemon_rss_kb(const struct options *o) {
        unsigned long sum = 0;

        for (unsigned i = 0; i < o->n_daemon_pids; i++)
                sum += process_rss_kb(o->daemon_pids[i]);
        return sum;
}

static void sleep_seconds(double seconds) {
        struct timespec rest = { (time_t) seconds, (long) ((seconds - (double) (time_t) seconds) * 1e9) };

        while (nanosleep(&rest, &rest) < 0 && errno == EINTR && !interrupted)
                ;
}

/* The server's CPU use over seconds, in percent of one CPU. */
static double measure_idle_cpu(const struct options *o, double seconds) {
        uint64_t before = daemon_cpu_ticks(o), start = now_ns(), elapsed;

        sleep_seconds(seconds);
        elapsed = now_ns() - start;
        return 100.0 * (double) (daemon_cpu_ticks(o) - before) / (double) sysconf(_SC_CLK_TCK) /
               ((double) elapsed / 1e9);
}

/* ---- the benchmark ------------------------------------------------------- */

static int compare_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;

        return x < y ? -1 : x > y;
}

static void print_first_reads(struct bench *b) {
        unsigned n = b->o.containers;
        uint64_t *sorted = malloc(n * sizeof(*sorted));

        if (!sorted)
                return;
        memcpy(sorted, b->first_ns, n * sizeof(*sorted));
        qsort(sorted, n, sizeof(*sorted), compare_u64);
        printf(" first_p50_us=%.1f first_max_us=%.1f", (double) sorted[n / 2] / 1e3, (double) sorted[n - 1] / 1e3);
        free(sorted);
}

/* Run the lanes for the configured time; false when a lane did not finish. */
static bool run_lanes(struct bench *b, double *ret_seconds) {
        struct shared *s = b->shared;
        struct timespec tick = { 0, 100000000 };
        uint64_t start, give_up;

        start = now_ns();
        s->deadline_ns = start + (uint64_t) (b->o.seconds * 1e9);
        for (unsigned lane = 0; lane < b->o.readers; lane++)
                atomic_store(&b->turn[lane], 1);
        atomic_store(&s->phase, PHASE_RUN);
        futex_wake(&s->phase);

        give_up = s->deadline_ns + 30000000000u;
        for (;;) {
                uint32_t done = atomic_load(&s->lanes_done);

                if (done >= b->o.readers)
                        break;
                if (interrupted || now_ns() > give_up) {
                        fprintf(stderr, "pvbench: %s\n",
                                interrupted ? "interrupted" : "timed out waiting for the readers to finish");
                        return false;
                }
                futex_wait(&s->lanes_done, done, &tick);
        }

        *ret_seconds = (double) (now_ns() - start) / 1e9;
        return true;
}

static void print_reads(struct bench *b, double seconds) {
        uint64_t *hist = calloc(HIST_BUCKETS, sizeof(*hist));
        uint64_t reads = 0, errors = 0, max_ns = 0;

        if (!hist)
                return;
        for (unsigned l = 0; l < b->o.readers; l++) {
                reads += b->lanes[l].reads;
                errors += b->lanes[l].errors;
                if (b->lanes[l].max_ns > max_ns)
                        max_ns = b->lanes[l].max_ns;
                for (unsigned i = 0; i < HIST_BUCKETS; i++)
                        hist[i] += b->lanes[l].hist[i];
        }

        printf(" reads=%" PRIu64 " errors=%" PRIu64 " seconds=%.3f rps=%.0f p50_us=%.1f p99_us=%.1f max_us=%.1f", reads,
               errors, seconds, (double) reads / seconds, hist_percentile_us(hist, reads, 0.50),
               hist_percentile_us(hist, reads, 0.99), (double) max_ns / 1e3);
        free(hist);
}

static int bench_run(struct bench *b) {
        const struct options *o = &b->o;
        double seconds = 0, idle_before = 0, idle_with = 0;
        uint64_t cpu_before = 0;
        unsigned long rss_before = 0, rss_ready = 0;
        bool ok = true;

        if (o->n_daemon_pids > 0) {
                rss_before = daemon_rss_kb(o);
                if (o->idle_seconds > 0)
                        idle_before = measure_idle_cpu(o, o->idle_seconds);
        }

        for (unsigned i = 0; i < o->containers && ok; i++) {
                ok = container_start(b, i) >= 0;
                /* One at a time, so each first read is timed without others in flight. */
                ok = ok && wait_ready(b, i + 1, 30);
        }
        if (!ok) {
                fprintf(stderr, "pvbench: failed to start %u containers reading '%s'\n", o->containers, o->path);
                return -1;
        }

        /* Let the containers reach the requested age: procviewd rechecks young containers on each read. */
        sleep_seconds(o->warm_up_seconds);

        if (o->n_daemon_pids > 0) {
                rss_ready = daemon_rss_kb(o);
                if (o->idle_seconds > 0)
                        idle_with = measure_idle_cpu(o, o->idle_seconds);
                cpu_before = daemon_cpu_ticks(o);
        }
        if (interrupted)
                return -1;

        if (!run_lanes(b, &seconds))
                return -1;

        printf("path=%s containers=%u read_containers=%u readers=%u threads=%u", o->path, o->containers,
               o->read_containers, o->readers, o->threads);
        print_reads(b, seconds);
        print_first_reads(b);
        if (o->n_daemon_pids > 0) {
                double cpu = (double) (daemon_cpu_ticks(o) - cpu_before) / (double) sysconf(_SC_CLK_TCK);

                printf(" daemon_cpu_pct=%.1f rss_start_kb=%lu rss_ready_kb=%lu rss_end_kb=%lu", 100.0 * cpu / seconds,
                       rss_before, rss_ready, daemon_rss_kb(o));
                if (o->idle_seconds > 0)
                        printf(" idle_cpu_base_pct=%.3f idle_cpu_pct=%.3f", idle_before, idle_with);
        }
        printf("\n");
        fflush(stdout);
        return 0;
}

static void print_help(void) {
        printf("Usage: pvbench [OPTIONS] FILE\n"
               "\n"
               "Time open + read-to-end + close of FILE from readers that are each pid 1 of\n"
               "their own pid namespace, in their own cgroups (256 MiB memory limit, one CPU\n"
               "of quota). Prints one line of key=value results.\n"
               "\n"
               "Options:\n"
               "  -r, --readers N        readers at once (default 1)\n"
               "  -c, --containers N     containers; reads rotate over them (default: readers)\n"
               "  -R, --read-containers N  rotate the reads over the first N containers only;\n"
               "                         the others only read once when they start (default: all)\n"
               "  -t, --threads N        threads per container, the extra ones asleep (default 1)\n"
               "  -s, --seconds S        length of the measured phase in seconds (default 3)\n"
               "  -w, --warm-up S        wait S seconds after the first reads before measuring,\n"
               "                         so the containers are S seconds old (default 0)\n"
               "  -p, --daemon-pid PID   also report the CPU use and RSS of the server PID; give it\n"
               "                         once per process of the server (up to 8), they are summed\n"
               "  -i, --idle-seconds S   also measure the server's CPU use with no reads for S\n"
               "                         seconds, before and after the containers start\n"
               "  -P, --print-first      print what the first container read first, before the results\n"
               "  -T, --tag TAG          cgroups are named pvbench-TAG-N (default: this pid)\n"
               "  -h, --help             show this help and exit\n");
}

static int parse_count(const char *arg, const char *option, unsigned max, unsigned *ret) {
        char *end;
        unsigned long v;

        errno = 0;
        v = strtoul(arg, &end, 10);
        if (errno != 0 || *end != '\0' || v == 0 || v > max) {
                fprintf(stderr, "pvbench: invalid %s '%s': give a number from 1 to %u\n", option, arg, max);
                return -1;
        }
        *ret = (unsigned) v;
        return 0;
}

static int parse_seconds(const char *arg, const char *option, double *ret) {
        char *end;
        double v;

        errno = 0;
        v = strtod(arg, &end);
        if (errno != 0 || *end != '\0' || !(v >= 0 && v <= 3600)) {
                fprintf(stderr, "pvbench: invalid %s '%s': give seconds from 0 to 3600\n", option, arg);
                return -1;
        }
        *ret = v;
        return 0;
}

static int parse_options(int argc, char **argv, struct options *o) {
        static const struct option longopts[] = {
                { "readers", required_argument, NULL, 'r' },
                { "containers", required_argument, NULL, 'c' },
                { "threads", required_argument, NULL, 't' },
                { "seconds", required_argument, NULL, 's' },
                { "daemon-pid", required_argument, NULL, 'p' },
                { "idle-seconds", required_argument, NULL, 'i' },
                { "tag", required_argument, NULL, 'T' },
                { "help", no_argument, NULL, 'h' },
                { "print-first", no_argument, NULL, 'P' },
                { "warm-up", required_argument, NULL, 'w' },
                { "read-containers", required_argument, NULL, 'R' },
                {},
        };
        unsigned pid;
        int c;

        *o = (struct options){ .readers = 1, .threads = 1, .seconds = 3 };
        snprintf(o->tag, sizeof(o->tag), "%d", (int) getpid());

        while ((c = getopt_long(argc, argv, "r:c:R:t:s:p:i:w:T:Ph", longopts, NULL)) >= 0) {
                int r = 0;

                switch (c) {
                case 'r':
                        r = parse_count(optarg, "--readers", 1024, &o->readers);
                        break;
                case 'c':
                        r = parse_count(optarg, "--containers", 10000, &o->containers);
                        break;
                case 'R':
                        r = parse_count(optarg, "--read-containers", 10000, &o->read_containers);
                        break;
                case 't':
                        r = parse_count(optarg, "--threads", 100, &o->threads);
                        break;
                case 's':
                        r = parse_seconds(optarg, "--seconds", &o->seconds);
                        break;
                case 'i':
                        r = parse_seconds(optarg, "--idle-seconds", &o->idle_seconds);
                        break;
                case 'w':
                        r = parse_seconds(optarg, "--warm-up", &o->warm_up_seconds);
                        break;
                case 'p':
                        if (o->n_daemon_pids == MAX_DAEMON_PIDS) {
                                fprintf(stderr, "pvbench: too many --daemon-pid options: give at most %d\n",
                                        MAX_DAEMON_PIDS);
                                return -1;
                        }
                        r = parse_count(optarg, "--daemon-pid", INT_MAX, &pid);
                        o->daemon_pids[o->n_daemon_pids++] = (pid_t) pid;
                        break;
                case 'P':
                        o->print_first = true;
                        break;
                case 'T':
                        snprintf(o->tag, sizeof(o->tag), "%s", optarg);
                        break;
                case 'h':
                        print_help();
                        exit(EXIT_SUCCESS);
                default:
                        return -1;
                }
                if (r < 0)
                        return -1;
        }

        if (optind != argc - 1) {
                fprintf(stderr, "pvbench: expected one FILE; run 'pvbench --help' for the options\n");
                return -1;
        }
        o->path = argv[optind];
        if (o->containers == 0)
                o->containers = o->readers;
        if (o->read_containers == 0)
                o->read_containers = o->containers;
        if (o->containers < o->readers || o->read_containers > o->containers || o->read_containers < o->readers) {
                fprintf(stderr, "pvbench: invalid counts: expected --readers <= --read-containers <= --containers\n");
                return -1;
        }
        return 0;
}

int main(int argc, char **argv) {
        struct sigaction sa = { .sa_handler = on_signal };
        struct bench b = {};
        int r;

        if (parse_options(argc, argv, &b.o) < 0)
                return 2;

        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        signal(SIGPIPE, SIG_IGN); /* a closed stdout must not skip the clean-up */
        prctl(PR_SET_CHILD_SUBREAPER, 1);

        b.cgroup_v2 = is_cgroup_v2();
        b.shared = shared_alloc(sizeof(*b.shared));
        b.turn = shared_alloc(b.o.containers * sizeof(*b.turn));
        b.inner_pid = shared_alloc(b.o.containers * sizeof(*b.inner_pid));
        b.first_ns = shared_alloc(b.o.containers * sizeof(*b.first_ns));
        b.lanes = shared_alloc(b.o.readers * sizeof(*b.lanes));
        b.containers = calloc(b.o.containers, sizeof(*b.containers));
        if (!b.containers)
                return EXIT_FAILURE;

        r = bench_run(&b);

        atomic_store(&b.shared->phase, PHASE_STOP);
        containers_destroy(&b);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
