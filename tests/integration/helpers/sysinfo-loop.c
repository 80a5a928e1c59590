/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Call sysinfo(2) from many threads at once and check every answer, for the
 * tests of procviewd's seccomp agent.
 *
 *   sysinfo-loop THREADS SECONDS EXPECTED_BYTES
 *
 * Each thread calls sysinfo() in a loop for SECONDS. A call is wrong when
 * totalram * mem_unit differs from EXPECTED_BYTES (0 accepts any total), slow
 * when it takes more than 2 s, and failed when it returns -1. At the end it
 * prints "calls=N wrong=N slow=N failed=N max_latency_ms=N", plus the first
 * failure's errno and the first wrong total, and exits 1 when any call was
 * wrong, slow or failed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <time.h>

#define MAX_THREADS 256
#define SLOW_CALL_MS 2000.0

static double seconds;
static uint64_t expected_bytes;

static atomic_ullong calls, wrong, slow, failed;
static atomic_int first_errno;
static atomic_ullong first_wrong_bytes;

static pthread_mutex_t max_lock = PTHREAD_MUTEX_INITIALIZER;
static double max_latency_ms;

static double now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1000.0 + (double) ts.tv_nsec / 1e6;
}

static void record_latency(double ms) {
        pthread_mutex_lock(&max_lock);
        if (ms > max_latency_ms)
                max_latency_ms = ms;
        pthread_mutex_unlock(&max_lock);
}

static void check_one_call(void) {
        struct sysinfo si;
        double start, latency;
        uint64_t total;
        int r;

        start = now_ms();
        r = sysinfo(&si);
        latency = now_ms() - start;

        atomic_fetch_add(&calls, 1);
        record_latency(latency);
        if (latency > SLOW_CALL_MS)
                atomic_fetch_add(&slow, 1);

        if (r < 0) {
                int expected_zero = 0;

                atomic_fetch_add(&failed, 1);
                atomic_compare_exchange_strong(&first_errno, &expected_zero, errno);
                return;
        }

        total = (uint64_t) si.totalram * si.mem_unit;
        if (expected_bytes != 0 && total != expected_bytes) {
                unsigned long long expected_zero = 0;

                atomic_fetch_add(&wrong, 1);
                atomic_compare_exchange_strong(&first_wrong_bytes, &expected_zero, total);
        }
}

static void *run_thread(void *unused) {
        double end = now_ms() + seconds * 1000.0;

        (void) unused;
        while (now_ms() < end)
                check_one_call();
        return NULL;
}

int main(int argc, char *argv[]) {
        pthread_t threads[MAX_THREADS];
        unsigned long n_threads;
        char *end;

        if (argc != 4) {
                fprintf(stderr, "Usage: %s THREADS SECONDS EXPECTED_BYTES\n", argv[0]);
                return 2;
        }

        n_threads = strtoul(argv[1], &end, 10);
        if (*end != '\0' || n_threads == 0 || n_threads > MAX_THREADS) {
                fprintf(stderr, "Invalid thread count '%s': expected 1 to %d.\n", argv[1], MAX_THREADS);
                return 2;
        }
        seconds = strtod(argv[2], &end);
        if (*end != '\0' || seconds <= 0) {
                fprintf(stderr, "Invalid duration '%s': expected a positive number of seconds.\n", argv[2]);
                return 2;
        }
        expected_bytes = strtoull(argv[3], &end, 10);
        if (*end != '\0') {
                fprintf(stderr, "Invalid expected total '%s': expected a number of bytes.\n", argv[3]);
                return 2;
        }

        for (unsigned long i = 0; i < n_threads; i++) {
                int r = pthread_create(&threads[i], NULL, run_thread, NULL);

                if (r != 0) {
                        fprintf(stderr, "Failed to create thread %lu: %s\n", i, strerror(r));
                        return 1;
                }
        }
        for (unsigned long i = 0; i < n_threads; i++)
                pthread_join(threads[i], NULL);

        printf("calls=%llu wrong=%llu slow=%llu failed=%llu max_latency_ms=%.0f", (unsigned long long) calls,
               (unsigned long long) wrong, (unsigned long long) slow, (unsigned long long) failed, max_latency_ms);
        if (failed > 0)
                printf(" first_errno=%s", strerrorname_np(first_errno) ?: "?");
        if (wrong > 0)
                printf(" first_wrong_bytes=%llu", (unsigned long long) first_wrong_bytes);
        printf("\n");

        return wrong > 0 || slow > 0 || failed > 0 ? 1 : 0;
}
