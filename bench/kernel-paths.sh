#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Measure the faster FUSE kernel paths against /dev/fuse on this machine.
#
# Mounts four servers of the same file, a copy of /proc/meminfo, on
# temporary directories. bench/static-fuse uses libfuse 3.14 over /dev/fuse
# with direct_io, and bench/raw-static does the same without libfuse.
# bench/uring-static uses FUSE over io_uring (Linux 6.14+), and
# bench/passthrough-static FUSE passthrough from a memfd (Linux 6.9+).
# Runs build/bench/pvbench against each at 1, 4 and 16 readers and prints
# reads/s, p50, p99, the server's CPU use (in total and per read) and the
# reads/s ratio to static-fuse. Before that it prints what
# passthrough-static --check finds about opens of one inode with different
# backing files.
#
# The kernel offers FUSE over io_uring only while the fuse module parameter
# enable_uring is Y. The script sets it for uring-static's start-up and puts
# back the value it found once the rings are registered (a connection keeps
# io_uring after that), and on every exit.
#
# A path the kernel lacks is reported as skipped. The exit status is
# non-zero only when a step breaks, never because of the numbers. Needs root.
# KERNEL_PATHS_SECONDS sets the seconds per measurement (default 3).

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${PROCVIEW_BUILD:-$TOP/build}
PVBENCH=$BUILD/bench/pvbench
SECONDS_PER_RUN=${KERNEL_PATHS_SECONDS:-3}
READERS="1 4 16"
URING_PARAM=/sys/module/fuse/parameters/enable_uring

die() {
        echo "kernel-paths: $*" >&2
        exit 1
}

[ "$(id -u)" -eq 0 ] || die "needs root: it mounts FUSE file systems, registers backing files and creates cgroups"
for program in pvbench static-fuse raw-static passthrough-static; do
        [ -x "$BUILD/bench/$program" ] || die "'$BUILD/bench/$program' is missing; run 'ninja -C $BUILD' first"
done

WORK=$(mktemp -d /tmp/kernel-paths-$$.XXXXXX)
TAG=kp$$
declare -A RUNNING=() # pids of the servers this script started and has not reaped
MOUNTS=()
URING_PARAM_FOUND=

restore_uring_param() {
        if [ -n "$URING_PARAM_FOUND" ]; then
                echo "$URING_PARAM_FOUND" >"$URING_PARAM" || echo "kernel-paths: failed to restore $URING_PARAM to $URING_PARAM_FOUND" >&2
                URING_PARAM_FOUND=
        fi
}

# Put back enable_uring, stop the servers, unmount their directories and
# remove any cgroup of this run that pvbench could not remove itself.
cleanup() {
        local pid dir d
        restore_uring_param
        for pid in "${!RUNNING[@]}"; do
                kill -TERM "$pid" 2>/dev/null || continue
                for _ in $(seq 50); do
                        kill -0 "$pid" 2>/dev/null || break
                        sleep 0.1
                done
                kill -KILL "$pid" 2>/dev/null || true
                wait "$pid" 2>/dev/null || true
        done
        for dir in "${MOUNTS[@]}"; do
                if grep -q " $dir " /proc/self/mountinfo; then
                        umount -l "$dir" || echo "kernel-paths: failed to unmount '$dir'" >&2
                fi
        done
        for d in /sys/fs/cgroup/*/pvbench-"$TAG"-* /sys/fs/cgroup/pvbench-"$TAG"-*; do
                [ -d "$d" ] || continue
                xargs -r kill -KILL <"$d/cgroup.procs" 2>/dev/null || true
        done
        sleep 0.2
        for d in /sys/fs/cgroup/*/pvbench-"$TAG"-* /sys/fs/cgroup/pvbench-"$TAG"-*; do
                [ -d "$d" ] && rmdir "$d" 2>/dev/null
        done
        rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

declare -A PID_OF LABEL

# start_server NAME LABEL COMMAND...: run COMMAND MOUNTPOINT in the
# background and wait until it serves. Returns 1 (skipped) when the server
# exits with 77 because the kernel lacks its path.
start_server() {
        local name=$1 label=$2 dir=$WORK/$1 pid status
        shift 2
        mkdir "$dir"
        MOUNTS+=("$dir")
        "$@" "$dir" >"$WORK/$name.out" 2>"$WORK/$name.err" &
        pid=$!
        RUNNING[$pid]=1

        for _ in $(seq 100); do
                # static-fuse prints nothing; the others print "ready" once they serve.
                if grep -q " $dir " /proc/self/mountinfo && { [ "$name" = static ] || grep -q '^ready' "$WORK/$name.out"; }; then
                        PID_OF[$name]=$pid
                        LABEL[$name]=$label
                        return 0
                fi
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.05
        done

        if kill -0 "$pid" 2>/dev/null; then
                sed 's/^/  /' "$WORK/$name.err" >&2
                die "$name did not serve on '$dir' within 5 s; its errors are above"
        fi
        status=0
        wait "$pid" || status=$?
        unset "RUNNING[$pid]"
        if [ "$status" = 77 ]; then
                echo "kernel-paths: $label skipped: $(cat "$WORK/$name.err")"
                return 1
        fi
        sed 's/^/  /' "$WORK/$name.err" >&2
        die "$name did not start serving on '$dir' (exit status $status); its errors are above"
}

start_server static "static-fuse (libfuse, /dev/fuse)" "$BUILD/bench/static-fuse"
start_server raw "raw-static (no libfuse, /dev/fuse)" "$BUILD/bench/raw-static"

if [ ! -x "$BUILD/bench/uring-static" ]; then
        echo "kernel-paths: FUSE over io_uring skipped: '$BUILD/bench/uring-static' was not built (it needs Debian's liburing-dev)"
elif [ ! -e "$URING_PARAM" ]; then
        echo "kernel-paths: FUSE over io_uring skipped: the kernel has no $URING_PARAM (it needs Linux 6.14 or later with CONFIG_FUSE_IO_URING)"
else
        found=$(cat "$URING_PARAM")
        if [ "$found" != Y ]; then
                URING_PARAM_FOUND=$found
                echo Y >"$URING_PARAM"
        fi
        start_server uring "uring-static (io_uring)" "$BUILD/bench/uring-static" || true
        restore_uring_param
fi

echo "kernel-paths: passthrough-static --check"
mkdir "$WORK/check"
MOUNTS+=("$WORK/check")
status=0
"$BUILD/bench/passthrough-static" --check "$WORK/check" 2>"$WORK/check.err" || status=$?
case $status in
0) ;;
77) echo "kernel-paths: FUSE passthrough skipped: $(cat "$WORK/check.err")" ;;
*)
        sed 's/^/  /' "$WORK/check.err" >&2
        die "passthrough-static --check failed (exit status $status); its errors are above"
        ;;
esac
if [ "$status" = 0 ]; then
        start_server passthrough "passthrough-static (passthrough)" "$BUILD/bench/passthrough-static" || true
fi

SERVERS=()
for name in static raw uring passthrough; do
        [ -n "${PID_OF[$name]:-}" ] && SERVERS+=("$name")
done
[ -n "${PID_OF[static]:-}" ] || die "static-fuse, the baseline, is not running"

declare -A RPS P50 P99 CPU
RUN=0

# field LINE KEY: the value of KEY=VALUE in a pvbench result line.
field() {
        local word
        for word in $1; do
                case $word in
                "$2"=*) echo "${word#*=}" && return ;;
                esac
        done
}

echo "kernel-paths: reads of MOUNTPOINT/file, ${SECONDS_PER_RUN}s per run"
for readers in $READERS; do
        # The servers alternate within each reader count, so a slow phase of the machine hits all of them.
        for name in "${SERVERS[@]}"; do
                RUN=$((RUN + 1))
                line=$("$PVBENCH" -T "$TAG-$RUN" -p "${PID_OF[$name]}" -r "$readers" -s "$SECONDS_PER_RUN" -w 1 \
                        "$WORK/$name/file") || die "pvbench failed on ${LABEL[$name]}"
                [ "$(field "$line" errors)" = 0 ] || die "reads of ${LABEL[$name]} failed: $line"
                RPS[$name,$readers]=$(field "$line" rps)
                P50[$name,$readers]=$(field "$line" p50_us)
                P99[$name,$readers]=$(field "$line" p99_us)
                CPU[$name,$readers]=$(field "$line" daemon_cpu_pct)
        done
done

# "server CPU" is the server's CPU time in percent of one CPU, and "CPU/read"
# the same per read in µs. "vs static" is reads/s over static-fuse's.
printf '\n%-34s %7s %9s %9s %9s %10s %9s %9s\n' path readers reads/s "p50 µs" "p99 µs" "server CPU" \
        "CPU/read" "vs static"
for readers in $READERS; do
        for name in "${SERVERS[@]}"; do
                printf '%-34s %7s %9s %9s %9s %9s%% %9s %9s\n' "${LABEL[$name]}" "$readers" "${RPS[$name,$readers]}" \
                        "${P50[$name,$readers]}" "${P99[$name,$readers]}" "${CPU[$name,$readers]}" \
                        "$(awk -v c="${CPU[$name,$readers]}" -v r="${RPS[$name,$readers]}" 'BEGIN { printf "%.1f", c * 1e4 / r }')" \
                        "$(awk -v a="${RPS[$name,$readers]}" -v b="${RPS[static,$readers]}" 'BEGIN { printf "%.2f", a / b }')"
        done
done
echo

# The servers print which path carried their requests when they stop.
for name in raw uring passthrough; do
        pid=${PID_OF[$name]:-}
        [ -n "$pid" ] || continue
        kill -TERM "$pid"
        wait "$pid" || echo "kernel-paths: $name exited with status $?" >&2
        unset "RUNNING[$pid]"
        sed 's/^/  /' "$WORK/$name.err"
done
