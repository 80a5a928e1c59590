#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Run every libFuzzer harness of a -Dfuzz=true build for a fixed time, seeded
# from tests/fixtures and from the crash inputs under tests/fuzz/regressions.
# Harnesses run in parallel, FUZZ_JOBS at a time (default: the number of
# CPUs). Prints one line per harness and exits non-zero when any harness
# crashed, leaked or broke an invariant; the crash input is kept under
# BUILD/fuzz/HARNESS/crash-*.
#
#   tests/fuzz/run.sh BUILD SECONDS [HARNESS...]
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
seconds=$2
shift 2
fixtures=$top/tests/fixtures
jobs=${FUZZ_JOBS:-$(nproc)}

if [ $# -gt 0 ]; then
        harnesses=("$@")
else
        harnesses=()
        for f in "$build"/tests/fuzz/fuzz-*; do
                [ -x "$f" ] && [ -f "$f" ] && harnesses+=("${f##*/fuzz-}")
        done
fi
if [ ${#harnesses[@]} -eq 0 ]; then
        echo "No harness found in $build/tests/fuzz; configure with CC=clang meson setup -Dfuzz=true." >&2
        exit 1
fi

# le64 N: N as 8 little-endian bytes.
le64() {
        local n=$1 i
        for i in 0 1 2 3 4 5 6 7; do
                printf "\\x$(printf %02x $(((n >> (8 * i)) & 255)))"
        done
}

# seed HARNESS NAME: write stdin as a seed input.
seed() {
        mkdir -p "$build/fuzz/$1/seeds"
        cat >"$build/fuzz/$1/seeds/$2"
}

# each HARNESS PREFIX_BYTES DIR FIND_ARGS...: one seed per file that find lists, after PREFIX_BYTES.
each() {
        local harness=$1 prefix=$2 dir=$3 f
        shift 3
        while IFS= read -r -d '' f; do
                { printf "$prefix"; cat "$f"; } | seed "$harness" "$(echo "${f#$fixtures/}" | tr '/ ' __)"
        done < <(find "$dir" "$@" -print0)
}

# file HARNESS FILE...: one seed per file, as it is.
file() {
        local harness=$1 f
        shift
        for f in "$@"; do
                seed "$harness" "$(basename "$f")" <"$f"
        done
}

make_seeds() {
        local v1=$fixtures/v1/sys/fs/cgroup v2=$fixtures/v2/sys/fs/cgroup d

        rm -rf "$build"/fuzz/*/seeds

        each memory-stat '\001' "$v1" -name memory.stat
        each memory-stat '\000' "$v2" -name memory.stat
        each cpu-max '' "$v2" -name cpu.max
        each cpuacct '' "$v1" -name 'cpuacct.usage_*'
        each cpu-stat '' "$v2" -name cpu.stat
        each io-stat '' "$v2" -name io.stat
        each cpuset '' "$fixtures" -name 'cpuset.*cpus*'
        file procfs /proc/self/stat /proc/self/status
        file oci-state "$fixtures"/oci/state-*.json
        printf '{"id":"a","bundle":"/b","pid":4194304}' | seed oci-state minimal
        file oci-config "$fixtures"/oci/config.json
        printf '{"root":{"path":"/r"}}' | seed oci-config minimal
        for value in 50m 1.25 2G 18446744073709551615 -1; do
                printf %s "$value" | seed parse "$value"
        done

        for d in "$v1"/blkio "$v1"/blkio/docker/c1 "$v1"/blkio/docker/c2; do
                { cat "$d/blkio.throttle.io_serviced_recursive"; printf '\0'
                  cat "$d/blkio.throttle.io_service_bytes_recursive"; } | seed blkio "$(basename "$d")"
                { printf '\001'; cat "$d/blkio.throttle.io_serviced_recursive"; printf '\0'
                  cat "$d/blkio.throttle.io_service_bytes_recursive"; printf '\0'
                  cat "$fixtures/host/diskstats"; } | seed diskstats "v1-$(basename "$d")"
        done
        { printf '\000'; cat "$v2/kubepods/pod1/io.stat"; printf '\0'; cat "$fixtures/host/diskstats"; } |
                seed diskstats v2
        { printf '\000'; cat "$v2/kubepods/pod1/io.stat"; printf '\0'; cat "$fixtures/host/diskstats-14"; } |
                seed diskstats v2-14

        # swap accounting, 50 MiB limit, 10 MiB used, 8 MiB swap limit, 1 MiB swap used, memory.stat values.
        { printf '\001'; le64 52428800; le64 10485760; le64 8388608; le64 1048576
          for i in $(seq 15); do le64 $((i * 262144)); done
          cat "$fixtures/host/meminfo-swap"; } | seed meminfo limited
        { printf '\000'; le64 18446744073709551615; le64 10485760; le64 0; le64 0
          for i in $(seq 15); do le64 4096; done
          cat "$fixtures/host/meminfo"; } | seed meminfo unlimited

        { printf '0-1\0'; cat "$fixtures/host/cpuinfo"; } | seed cpuinfo two
        { printf '0,2-3\0'; cat "$fixtures/host/cpuinfo-8cpu"; } | seed cpuinfo eight

        { printf '\000'; le64 100000; le64 200000; printf '0-7\0''0-1,4\0''150000 100000\0'
          cat "$v1/cpu,cpuacct/docker/c1/cpuacct.usage_all"; printf '\0'
          cat "$fixtures/host/stat-8cpu"; } | seed stat v1
        { printf '\001'; le64 5000; le64 6000; printf '0-3\0\0max 100000\0'
          cat "$v2/kubepods/pod1/cpu.stat"; printf '\0'; cat "$fixtures/host/stat"; } | seed stat v2

        { printf '\000'; cat "$fixtures/v1/mountinfo"; printf '\0'
          printf '10:memory:/docker/c1\n8:cpuset:/docker/c1\n4:cpu,cpuacct:/docker/c1\n11:blkio:/docker/c1\n'; } |
                seed cgroup-open v1
        { printf '\000'; cat "$fixtures/v1/mountinfo.subtree"; printf '\0'
          printf '10:memory:/docker/web app/sub\n'; } | seed cgroup-open v1-subtree
        { printf '\001'; cat "$fixtures/v2/mountinfo"; printf '\0'
          printf '0::/kubepods/pod1/init.scope\n'; } | seed cgroup-open v2
        { printf '\002'; printf '30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n'; printf '\0'
          printf '0::/a b\n'; } | seed cgroup-open hostile-space
        { printf '\002'; printf '30 23 0:26 /a\\040b /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n'; printf '\0'
          printf '0::/a b\n'; } | seed cgroup-open hostile-subtree
        { printf '\002'; printf '30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n'; printf '\0'
          printf '0::/deep%s\n' "$(printf '/d%.0s' $(seq 40))"; } | seed cgroup-open hostile-deep

        # Every file present, with the values of the recorded trees.
        { printf '\000'; le64 18446744073709551615
          printf '104857600\0max\0''536870912\0'; cat "$v2/kubepods/pod1/memory.stat"
          printf '\0''1048576\0max\0''268435456\0max 100000\0''150000 100000\0''0-1,4\0''0-7\0'
          cat "$v2/kubepods/pod1/cpu.stat"; printf '\0'; cat "$v2/kubepods/pod1/io.stat"; printf '\0'
          printf '1\n2\n'; } | seed cgroup-files v2
        { printf '\001'; le64 18446744073709551615
          printf '104857600\0''9223372036854771712\0''1073741824\0'; cat "$v1/memory/docker/c1/memory.stat"
          printf '\0''115343360\0''9223372036854771712\0''2147483648\0''50000\0''100000\0-1\0''100000\0'
          printf '0-1\0''0-7\0'; cat "$v1/cpu,cpuacct/docker/c1/cpuacct.usage_all"
          printf '\0''1 2\0''3 4\0'; cat "$v1/blkio/docker/c1/blkio.throttle.io_serviced_recursive"; printf '\0'
          cat "$v1/blkio/docker/c1/blkio.throttle.io_service_bytes_recursive"; printf '\0''1\n2\n'; } |
                seed cgroup-files v1
}

# run HARNESS: fuzz one harness; its output goes to BUILD/fuzz/HARNESS/log.
run() {
        local h=$1 dir=$build/fuzz/$1 regressions=$top/tests/fuzz/regressions/$1 status=0 dict=

        mkdir -p "$dir/corpus" "$dir/seeds"
        [ -d "$regressions" ] || regressions=
        [ -f "$top/tests/fuzz/$h.dict" ] && dict=-dict=$top/tests/fuzz/$h.dict
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:allocator_may_return_null=1 \
                UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
                "$build/tests/fuzz/fuzz-$h" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
                -print_final_stats=1 -artifact_prefix="$dir/" $dict \
                "$dir/corpus" "$dir/seeds" $regressions >"$dir/log" 2>&1 || status=$?
        echo "$status" >"$dir/status"
}

make_seeds
export -f run
export build seconds top
printf '%s\n' "${harnesses[@]}" | xargs -P "$jobs" -I{} bash -c 'run "$@"' _ {}

failed=0
printf '%-14s %8s %10s %8s %6s  %s\n' harness status execs exec/s cov result
for h in "${harnesses[@]}"; do
        dir=$build/fuzz/$h
        status=$(cat "$dir/status")
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -n 1)
        cov=$(grep -oE ' cov: [0-9]+' "$dir/log" | tail -n 1 | grep -oE '[0-9]+' || true)
        result=ok
        if [ "$status" -ne 0 ]; then
                result="FAILED, see $dir/log"
                failed=$((failed + 1))
        fi
        printf '%-14s %8s %10s %8s %6s  %s\n' "$h" "$status" "${execs:-?}" "${rate:-?}" "${cov:-?}" "$result"
done

if [ "$failed" -gt 0 ]; then
        echo "$failed of ${#harnesses[@]} harnesses failed; crash inputs are in $build/fuzz/HARNESS/crash-*." >&2
        exit 1
fi
