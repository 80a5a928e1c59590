/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Print sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE), the memory size
 * that glibc programs and runtimes such as the JVM size themselves to. glibc
 * computes _SC_PHYS_PAGES from sysinfo(2), not from /proc/meminfo.
 */
#include <stdio.h>
#include <unistd.h>

int main(void) {
        long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);

        if (pages < 0 || page_size < 0) {
                perror("sysconf");
                return 1;
        }
        printf("%lld\n", (long long) pages * page_size);
        return 0;
}
