#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark procviewd against LXCFS on this machine, in one run.
#
# Mounts procviewd, LXCFS and bench/static-fuse on temporary directories.
# LXCFS (5.x) runs with `-f -l --enable-cfs`, its closest configuration, and
# static-fuse serves a fixed buffer to show the ceiling. The script checks
# that both servers show a reader in a 256 MiB / one-CPU container its own
# MemTotal and one CPU, then runs build/bench/pvbench against each. Prints a
# table of results, each target with PASS or FAIL, and writes raw results, a data file and (with gnuplot)
# a plot to $BENCH_OUT (default build/bench-results).
#
# BENCH_SMOKE=1 runs a few seconds with small counts and only checks that
# every step works. The exit status is non-zero only when a step breaks,
# never because a target is missed. Needs root and /dev/fuse.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${PROCVIEW_BUILD:-$TOP/build}
OUT=${BENCH_OUT:-$BUILD/bench-results}
SMOKE=${BENCH_SMOKE:-0}
PVBENCH=$BUILD/bench/pvbench
FILES="meminfo stat cpuinfo uptime loadavg diskstats"
MEMTOTAL_KB=262144 # pvbench's memory limit, 256 MiB

if [ "$SMOKE" = 1 ]; then
        SECONDS_PER_RUN=0.2
        READERS="1 4"
        SCALE_CONTAINERS=20
        SCALE_THREADS=2
        IDLE_SECONDS=0.5
        FIRST_CONTAINERS=3
        WARM_UP=0
        LOADAVG_WARM_UP=0
        REPEAT=1
else
        SECONDS_PER_RUN=3
        READERS="1 4 16"
        SCALE_CONTAINERS=1000
        SCALE_THREADS=10
        IDLE_SECONDS=60
        FIRST_CONTAINERS=50
        # Containers of the read cells are this many seconds old when their
        # reads start: past procviewd's 1 s settle period, and for loadavg
        # past the sampler's first 5 s tick, as the containers that
        # monitoring agents read all day are. The first-read cells measure
        # the young ones.
        WARM_UP=2
        LOADAVG_WARM_UP=6
        # Each read cell runs this many times, the servers taking turns. The
        # report gives the median of each value.
        REPEAT=${BENCH_REPEAT:-3}
fi

die() {
        echo "bench: $*" >&2
        exit 1
}

[ "$(id -u)" -eq 0 ] || die "needs root: it mounts FUSE file systems and creates cgroups"
[ -x "$PVBENCH" ] || die "'$PVBENCH' is missing; run 'make' first"

if ! command -v lxcfs >/dev/null; then
        echo "bench: installing Debian's lxcfs package"
        apt-get install -y lxcfs >/dev/null || { apt-get update >/dev/null && apt-get install -y lxcfs >/dev/null; } ||
                die "failed to install lxcfs with apt-get"
fi

WORK=$(mktemp -d /tmp/pvbench-$$.XXXXXX)
PIDS=()
MOUNTS=()

# Stop the servers this script started, unmount their directories and
# remove any cgroup of this run that pvbench could not remove itself.
cleanup() {
        local pid dir d i
        for pid in "${PIDS[@]}"; do
                kill -TERM "$pid" 2>/dev/null || continue
                for i in $(seq 50); do
                        kill -0 "$pid" 2>/dev/null || break
                        sleep 0.1
                done
                kill -KILL "$pid" 2>/dev/null || true
                wait "$pid" 2>/dev/null || true
        done
        # The supervisor stops its worker; this only catches one it left behind.
        if [ -n "${PROCVIEW_WORKER:-}" ] && [ "$(cat "/proc/$PROCVIEW_WORKER/comm" 2>/dev/null)" = procview-worker ]; then
                kill -KILL "$PROCVIEW_WORKER" 2>/dev/null || true
        fi
        for dir in "${MOUNTS[@]}"; do
                grep -q " $dir " /proc/self/mountinfo && umount -l "$dir"
        done
        for d in /sys/fs/cgroup/*/pvbench-$$-* /sys/fs/cgroup/pvbench-$$-*; do
                [ -d "$d" ] || continue
                xargs -r kill -KILL <"$d/cgroup.procs" 2>/dev/null || true
        done
        sleep 0.2
        for d in /sys/fs/cgroup/*/pvbench-$$-* /sys/fs/cgroup/pvbench-$$-*; do
                [ -d "$d" ] && rmdir "$d" 2>/dev/null
        done
        rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# start_server NAME COMMAND...: run COMMAND in the background, wait for its
# mount on $WORK/NAME and set SERVER_PID.
start_server() {
        local name=$1 dir=$WORK/$1 i
        shift
        mkdir "$dir"
        MOUNTS+=("$dir")
        "$@" "$dir" >"$WORK/$name.log" 2>&1 &
        SERVER_PID=$!
        PIDS+=("$SERVER_PID")
        for i in $(seq 100); do
                grep -q " $dir " /proc/self/mountinfo && return 0
                kill -0 "$SERVER_PID" 2>/dev/null || break
                sleep 0.05
        done
        sed 's/^/  /' "$WORK/$name.log" >&2
        die "$name did not mount on '$dir'; its log is above"
}

# A private seccomp socket keeps the sysinfo agent on, as by default, without
# touching the /run/procview/seccomp.sock of an installed procviewd.
start_server procview "$BUILD/procviewd" --seccomp-socket="$WORK/seccomp.sock"
PROCVIEW_PID=$SERVER_PID

# procviewd's supervisor forks the worker that serves the reads. CPU time and
# RSS are summed over both processes.
procview_worker() {
        pgrep -P "$PROCVIEW_PID" -x procview-worker | head -n 1
}
for i in $(seq 100); do
        PROCVIEW_WORKER=$(procview_worker) && [ -n "$PROCVIEW_WORKER" ] && break
        sleep 0.05
done
[ -n "$PROCVIEW_WORKER" ] || die "procviewd (pid $PROCVIEW_PID) started no procview-worker process"
echo "bench: procviewd supervisor pid $PROCVIEW_PID, worker pid $PROCVIEW_WORKER"
start_server lxcfs lxcfs -f -l --enable-cfs -p "$WORK/lxcfs.pid"
LXCFS_PID=$SERVER_PID
start_server static "$BUILD/bench/static-fuse"
STATIC_PID=$SERVER_PID

mkdir -p "$OUT"
RAW=$OUT/raw.txt
: >"$RAW"
RUN=0

# bench SERVER LABEL FILE PVBENCH-OPTIONS...: run pvbench on one file of one
# server and append its result line, tagged with server and label, to $RAW.
bench() {
        local server=$1 label=$2 file=$3 path pids line
        shift 3
        case $server in
        procview) path=$WORK/procview/proc/$file pids=(-p "$PROCVIEW_PID" -p "$PROCVIEW_WORKER") ;;
        lxcfs) path=$WORK/lxcfs/proc/$file pids=(-p "$LXCFS_PID") ;;
        static) path=$WORK/static/file pids=(-p "$STATIC_PID") ;;
        esac
        RUN=$((RUN + 1))
        line=$("$PVBENCH" -T "$$-$RUN" "${pids[@]}" "$@" "$path") || die "pvbench failed on '$path'"
        case $line in
        *" errors=0 "*) ;;
        *) die "reads of '$path' failed: $line" ;;
        esac
        # A restarted worker would have lost its CPU time and caches mid-run.
        if [ "$(procview_worker)" != "$PROCVIEW_WORKER" ]; then
                sed 's/^/  /' "$WORK/procview.log" >&2
                die "procviewd's worker (pid $PROCVIEW_WORKER) was restarted during the run; its log is above"
        fi
        echo "server=$server label=$label rep=${REP:-1} $line" >>"$RAW"
}

# The comparison is only fair when both servers show the container's view.
check_view() {
        local server=$1 dir=$WORK/$1 memtotal cpus
        memtotal=$("$PVBENCH" -T "$$-check" -P -s 0.01 "$dir/proc/meminfo" | awk '/^MemTotal:/ { print $2 }')
        cpus=$("$PVBENCH" -T "$$-check" -P -s 0.01 "$dir/proc/cpuinfo" | grep -c '^processor' || true)
        echo "$server in a container: MemTotal $memtotal kB (limit $MEMTOTAL_KB kB), $cpus CPU(s) in cpuinfo (quota 1)"
        [ "$memtotal" = "$MEMTOTAL_KB" ] && [ "$cpus" = 1 ] ||
                die "$server does not serve the container's view; the comparison would be meaningless"
}
check_view procview
check_view lxcfs

echo "bench: reads, ${SECONDS_PER_RUN}s per run, $REPEAT runs per cell"
for file in $FILES; do
        warm_up=$WARM_UP
        [ "$file" = loadavg ] && warm_up=$LOADAVG_WARM_UP
        for readers in $READERS; do
                for REP in $(seq "$REPEAT"); do
                        bench procview "$file" "$file" -r "$readers" -s "$SECONDS_PER_RUN" -w "$warm_up"
                        bench lxcfs "$file" "$file" -r "$readers" -s "$SECONDS_PER_RUN" -w "$warm_up"
                done
        done
done
for readers in $READERS; do
        for REP in $(seq "$REPEAT"); do
                bench static static file -r "$readers" -s "$SECONDS_PER_RUN" -w "$WARM_UP"
        done
done
REP=1

echo "bench: first reads from $FIRST_CONTAINERS new pid namespaces"
for server in procview lxcfs; do
        bench "$server" first meminfo -c "$FIRST_CONTAINERS" -s 0.01
done

echo "bench: 10 and $SCALE_CONTAINERS containers of $SCALE_THREADS threads, ${IDLE_SECONDS}s idle measurements"
for server in procview lxcfs; do
        bench "$server" scale meminfo -r 4 -c "$SCALE_CONTAINERS" -t "$SCALE_THREADS" -s "$SECONDS_PER_RUN" \
                -i "$IDLE_SECONDS"
done
# The per-read cost against the number of containers: scale-same makes the
# same reads as scale-small, of the first 10 containers, while all of them
# exist. Both use containers of one process, as the sampling cell alone needs
# the 10 threads. Like the read cells, each runs REPEAT times, the servers
# taking turns, because one 3 s run moves by a fifth on this machine.
for REP in $(seq "$REPEAT"); do
        for server in procview lxcfs; do
                bench "$server" scale-small meminfo -r 4 -c 10 -s "$SECONDS_PER_RUN" -w "$WARM_UP"
                bench "$server" scale-same meminfo -r 4 -c "$SCALE_CONTAINERS" -R 10 -s "$SECONDS_PER_RUN" \
                        -w "$WARM_UP"
        done
done
REP=1

"$TOP/bench/report.awk" -v smoke="$SMOKE" -v scale="$SCALE_CONTAINERS" -v data="$OUT/reads.dat" "$RAW"

if command -v gnuplot >/dev/null; then
        gnuplot -e "data='$OUT/reads.dat'; out='$OUT/reads.png'" "$TOP/bench/reads.gp"
        echo "bench: plot in $OUT/reads.png"
fi
echo "bench: raw results in $RAW"
