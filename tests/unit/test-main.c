/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdlib.h>

#include "test.h"

#define MAX_TESTS 512

static struct test_case tests[MAX_TESTS];
static size_t n_tests;
static bool current_failed;

void test_register(const char *name, void (*func)(void)) {
        if (n_tests == MAX_TESTS) {
                fprintf(stderr, "too many tests in one program; raise MAX_TESTS\n");
                exit(EXIT_FAILURE);
        }
        tests[n_tests++] = (struct test_case){ name, func };
}

void test_fail(const char *file, int line, const char *format, ...) {
        va_list ap;

        current_failed = true;
        printf("# %s:%d: ", file, line);
        va_start(ap, format);
        vprintf(format, ap);
        va_end(ap);
        printf("\n");
}

const char *test_fixture_dir(void) {
        const char *dir = getenv("PROCVIEW_FIXTURES");

        return dir ? dir : FIXTURE_DIR;
}

int main(int argc, char **argv) {
        unsigned failed = 0;

        printf("1..%zu\n", n_tests);
        for (size_t i = 0; i < n_tests; i++) {
                if (argc > 1 && !strstr(tests[i].name, argv[1])) {
                        printf("ok %zu - %s # SKIP not selected\n", i + 1, tests[i].name);
                        continue;
                }

                current_failed = false;
                tests[i].func();
                printf("%s %zu - %s\n", current_failed ? "not ok" : "ok", i + 1, tests[i].name);
                fflush(stdout);
                failed += current_failed;
        }

        return failed > 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
