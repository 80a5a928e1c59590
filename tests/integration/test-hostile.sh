#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procviewd against hostile or odd readers and cgroups: cgroups removed under
# a reader, readers that die before the daemon looks them up, reused pid
# namespace inodes, strange cgroup names, deep nesting, extreme limits,
# missing controllers, huge offsets and many threads on one file descriptor.
# Every read must give the host's data or a well-formed container view, and
# the daemon must neither crash, hang, nor restart its worker.
source "$(dirname "$0")/lib.sh"
require_root

HOSTILEREAD=$BUILD/tests/integration/hostileread
READLOOP=$BUILD/tests/integration/readloop
# Seconds any single read command may take before it counts as a hang.
READ_TIMEOUT=10

if [ "$CG_V2" = 1 ]; then
        # The cases below build v1 hierarchies controller by controller.
        echo "1..0 # SKIP needs cgroup v1"
        exit 0
fi

start_daemon_or_bail

set_view_files
FILES=("${VIEW_FILES[@]}")

WORKER_PID=$(pgrep -P "$DAEMON_PID" -x procview-worker | head -n 1)
HOST_MEM_KB=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
HOST_CPUS=$(grep -c '^processor' /proc/cpuinfo)
WORK=$(mktemp -d "/tmp/$TEST_ID.XXXXXX")
on_exit "rm -rf '$WORK'"

# daemon_survived CASE: the supervisor and the first worker still run, and no
# worker died of a signal.
daemon_survived() {
        ok "$1: the supervisor runs" kill -0 "$DAEMON_PID"
        ok "$1: the worker was not restarted" kill -0 "$WORKER_PID"
        ok "$1: no worker was killed by a signal" bash -c "! grep -q 'was killed by signal' '$DAEMON_LOG'"
}

# check_views CASE CGROUP: a reader in CGROUP gets a well-formed copy of every file.
check_views() {
        ok "$1: every view is well-formed" in_container "$2" timeout "$READ_TIMEOUT" "$HOSTILEREAD" check "${FILES[@]}"
}

mem_total_in() {
        in_container "$1" timeout "$READ_TIMEOUT" cat "$MNT/proc/meminfo" | awk '/^MemTotal:/ { print $2 }'
}

# ---- pid namespace inode reuse --------------------------------------------

# The kernel hands out namespace inode numbers lowest-free first, so a new pid
# namespace often gets the number of one that just ended. The container cache
# keys entries by that number, but the pidfd of the init it keeps pins the old
# namespace, so the number stays taken until the cache drops the entry of the
# exited init (every 5 s). Only then can a new container get it, and it must
# get a new entry with its own cgroups. This case runs first because the
# namespaces that later cases free would be lower free numbers.
FIRST=$TEST_ID/first
SECOND=$TEST_ID/second
cg_create "$TEST_ID"
cg_create "$FIRST"
cg_create "$SECOND"
cg_set_memory_limit "$FIRST" $((50 * 1024 * 1024))
cg_set_memory_limit "$SECOND" $((80 * 1024 * 1024))
reused=0
for attempt in 1 2 3; do
        first=$(in_container "$FIRST" sh -c "readlink /proc/self/ns/pid; head -n 1 '$MNT/proc/meminfo'")
        sleep 6
        second=$(in_container "$SECOND" sh -c "readlink /proc/self/ns/pid; head -n 1 '$MNT/proc/meminfo'")
        if [ "$(head -n 1 <<<"$first")" = "$(head -n 1 <<<"$second")" ]; then
                reused=1
                break
        fi
done
is "pid namespace reuse: the first container saw its limit" "$(tail -n 1 <<<"$first")" "MemTotal:          51200 kB"
is "pid namespace reuse: the second container sees its own limit" "$(tail -n 1 <<<"$second")" \
        "MemTotal:          81920 kB"
if [ "$reused" = 1 ]; then
        diag "pid namespace $(head -n 1 <<<"$first") was reused after $attempt attempts"
else
        diag "no pid namespace inode was reused in 3 attempts, so only a new namespace was tested"
fi
daemon_survived "pid namespace reuse"

# ---- a cgroup removed while a reader in it loops -------------------------

GONE=$TEST_ID/gone
cg_create "$GONE"
cg_set_memory_limit "$GONE" $((48 * 1024 * 1024))
in_container "$GONE" timeout 30 "$READLOOP" 4 "${FILES[@]}" >"$WORK/gone.out" 2>&1 &
reader=$!
sleep 1
# A v1 cgroup with tasks cannot be removed, so move the tasks to the parent first.
for c in $CG_CONTROLLERS; do
        while read -r pid; do
                echo "$pid" >"$CG_ROOT/$c/$TEST_ID/cgroup.procs"
        done <"$CG_ROOT/$c/$GONE/cgroup.procs"
        rmdir "$CG_ROOT/$c/$GONE"
done
ok "removed cgroup: the directories are gone" test ! -d "$CG_ROOT/memory/$GONE"
wait "$reader"
is "removed cgroup: every read succeeded and was well-formed" "$?" 0
sed 's/^/#   /' "$WORK/gone.out" | tail -n 3
daemon_survived "removed cgroup"

# ---- readers that exit before the daemon looks them up -------------------

SHORT=$TEST_ID/short
cg_create "$SHORT"
cg_set_memory_limit "$SHORT" $((40 * 1024 * 1024))
# The namespace's init exits at once; the kernel kills the reader mid-request.
for batch in $(seq 1 15); do
        pids=()
        for i in $(seq 1 20); do
                in_container "$SHORT" sh -c "cat '$MNT/proc/meminfo' '$MNT/proc/stat' >/dev/null & exit 0" &
                pids+=($!)
        done
        # A bare "wait" would wait for the daemon too.
        wait "${pids[@]}"
done
is "short-lived readers: a later reader gets its view" "$(mem_total_in "$SHORT")" 40960
daemon_survived "short-lived readers"

# ---- cgroup names with odd characters --------------------------------------

# weird_create NAME: make NAME below $TEST_ID in every v1 controller.
weird_create() {
        local c dir
        for c in $CG_CONTROLLERS; do
                dir="$CG_ROOT/$c/$TEST_ID/$1"
                mkdir "$dir" || return 1
                on_exit "rmdir $(printf '%q' "$dir")"
                if [ "$c" = cpuset ]; then
                        cat "$CG_ROOT/cpuset/$TEST_ID/cpuset.cpus" >"$dir/cpuset.cpus"
                        cat "$CG_ROOT/cpuset/$TEST_ID/cpuset.mems" >"$dir/cpuset.mems"
                fi
        done
}

# in_weird NAME COMMAND...: in_container for a name that word splitting would break.
in_weird() {
        local name=$1
        shift
        PV_NAME="$TEST_ID/$name" PV_CONTROLLERS=$CG_CONTROLLERS unshare --pid --fork --kill-child -- sh -c '
                for c in $PV_CONTROLLERS; do echo 0 >"/sys/fs/cgroup/$c/$PV_NAME/cgroup.procs" || exit 99; done
                exec "$@"' sh "$@" </dev/null
}

long_name=$(printf 'x%.0s' $(seq 1 255))
weird_names=("with space" "with:colon" 'back\slash' "nön-ÄSCII-名前" "$long_name" "trailing " "-dash" "init.scope")
for name in "${weird_names[@]}"; do
        label=${name:0:20}
        if ! weird_create "$name"; then
                echo "not ok - cgroup '$label' can be created"
                continue
        fi
        echo $((36 * 1024 * 1024)) >"$CG_ROOT/memory/$TEST_ID/$name/memory.limit_in_bytes"
        is "cgroup name '$label': MemTotal is its limit" \
                "$(in_weird "$name" timeout "$READ_TIMEOUT" head -n 1 "$MNT/proc/meminfo")" "MemTotal:          36864 kB"
        ok "cgroup name '$label': every view is well-formed" \
                in_weird "$name" timeout "$READ_TIMEOUT" "$HOSTILEREAD" check "${FILES[@]}"
done
daemon_survived "odd cgroup names"

# ---- 200 levels of nesting, the limit at the top ---------------------------

# cpuset needs cpus and mems on every level before a task may join, so the
# deep path exists in the memory, cpu and cpuacct hierarchies only and the
# reader stays in the root of the others.
DEEP_CONTROLLERS="memory cpu cpuacct"
deep=$TEST_ID/deep
for c in $DEEP_CONTROLLERS; do
        mkdir "$CG_ROOT/$c/$deep"
done
on_exit "for c in $DEEP_CONTROLLERS; do find '$CG_ROOT/'\$c'/$deep' -depth -type d -exec rmdir {} \\; ; done"
echo $((70 * 1024 * 1024)) >"$CG_ROOT/memory/$deep/memory.limit_in_bytes"
echo 100000 >"$CG_ROOT/cpu/$deep/cpu.cfs_period_us"
echo 100000 >"$CG_ROOT/cpu/$deep/cpu.cfs_quota_us"
path=$deep
for level in $(seq 2 200); do
        path=$path/l
        for c in $DEEP_CONTROLLERS; do
                mkdir "$CG_ROOT/$c/$path" || break 2
        done
done
is "200 levels: the deepest cgroup exists" "$level" 200
deep_read() {
        PV_PATH=$path PV_CONTROLLERS=$DEEP_CONTROLLERS unshare --pid --fork --kill-child -- sh -c '
                for c in $PV_CONTROLLERS; do echo 0 >"/sys/fs/cgroup/$c/$PV_PATH/cgroup.procs" || exit 99; done
                exec "$@"' sh "$@" </dev/null
}
is "200 levels: MemTotal is the top's limit" "$(deep_read timeout "$READ_TIMEOUT" head -n 1 "$MNT/proc/meminfo")" \
        "MemTotal:          71680 kB"
is "200 levels: the top's quota shows one CPU" \
        "$(deep_read timeout "$READ_TIMEOUT" cat "$MNT/sys/devices/system/cpu/online")" 0
ok "200 levels: every view is well-formed" deep_read timeout "$READ_TIMEOUT" "$HOSTILEREAD" check "${FILES[@]}"
daemon_survived "200 levels"

# ---- extreme memory limits -------------------------------------------------

# limit_reader NAME OUT: start a container whose init stays in cgroup NAME and
# whose reader moves to $TEST_ID/free, so the limit on NAME can be set as low
# as the kernel accepts without the reader itself running out of memory. The
# reader waits for $WORK/go-NAME (a FIFO), then writes what it read to OUT.
FREE=$TEST_ID/free
cg_create "$FREE"
limit_reader() {
        local fifo="$WORK/go-${1##*/}"
        mkfifo "$fifo"
        PV_FREE_DIRS=$(cg_dirs "$FREE" | tr '\n' ' ') in_container "$1" sh -c '
                sh -c "for d in \$PV_FREE_DIRS; do echo 0 >\$d/cgroup.procs; done
                       read go <\"$0\"
                       timeout '"$READ_TIMEOUT"' \"$1\" check $2 && timeout '"$READ_TIMEOUT"' cat \"$3\"" "$@" &
                wait' "$fifo" "$HOSTILEREAD" "${FILES[*]}" "$MNT/proc/meminfo" >"$2" 2>&1 &
        LIMIT_READER=$!
}

TINY=$TEST_ID/tiny
cg_create "$TINY"
limit_reader "$TINY" "$WORK/tiny.out"
sleep 0.5
tiny=""
for bytes in 0 4096 65536 262144 1048576 4194304 16777216; do
        if echo "$bytes" 2>/dev/null >"$CG_ROOT/memory/$TINY/memory.limit_in_bytes"; then
                tiny=$(cat "$CG_ROOT/memory/$TINY/memory.limit_in_bytes")
                break
        fi
done
diag "the smallest memory limit the kernel accepted with a task in the cgroup: ${tiny:-none} bytes"
echo go >"$WORK/go-tiny"
wait "$LIMIT_READER"
is "smallest limit: every view is well-formed" "$(grep -c hostileread "$WORK/tiny.out")" 0
is "smallest limit: MemTotal is the limit" "$(awk '/^MemTotal:/ { print $2 }' "$WORK/tiny.out")" $((tiny / 1024))
ok "smallest limit: MemFree is within 0..MemTotal" awk -v t=$((tiny / 1024)) \
        '/^MemFree:/ { f = $2 } END { exit !(f >= 0 && f <= t) }' "$WORK/tiny.out"

HUGE=$TEST_ID/huge
cg_create "$HUGE"
cg_set_memory_limit "$HUGE" $((HOST_MEM_KB * 1024 * 4))
is "limit above the host's memory: MemTotal is the host's" "$(mem_total_in "$HUGE")" "$HOST_MEM_KB"
check_views "limit above the host's memory" "$HUGE"

cg_set_memory_limit "$HUGE" -1
is "limit -1: MemTotal is the host's" "$(mem_total_in "$HUGE")" "$HOST_MEM_KB"
echo -1 >"$CG_ROOT/cpu/$HUGE/cpu.cfs_quota_us"
is "quota -1: every CPU is shown" \
        "$(in_container "$HUGE" timeout "$READ_TIMEOUT" cat "$MNT/proc/cpuinfo" | grep -c '^processor')" "$HOST_CPUS"
daemon_survived "extreme limits"

# ---- missing controllers ---------------------------------------------------

# A reader in a cgroup of the memory controller only. It stays in the root
# of the other controllers, whose figures are then the host's.
memonly=$TEST_ID-memonly
mkdir "$CG_ROOT/memory/$memonly"
on_exit "rmdir '$CG_ROOT/memory/$memonly'"
echo $((44 * 1024 * 1024)) >"$CG_ROOT/memory/$memonly/memory.limit_in_bytes"
memonly_read() {
        PV_DIR="$CG_ROOT/memory/$memonly" unshare --pid --fork --kill-child -- sh -c '
                for c in cpu cpuacct cpuset blkio pids; do echo 0 >/sys/fs/cgroup/$c/cgroup.procs || exit 99; done
                echo 0 >"$PV_DIR/cgroup.procs" || exit 99
                exec "$@"' sh "$@" </dev/null
}
is "memory cgroup only: MemTotal is its limit" "$(memonly_read head -n 1 "$MNT/proc/meminfo")" "MemTotal:          45056 kB"
is "memory cgroup only: every CPU is shown" "$(memonly_read cat "$MNT/proc/cpuinfo" | grep -c '^processor')" "$HOST_CPUS"
ok "memory cgroup only: every view is well-formed" memonly_read timeout "$READ_TIMEOUT" "$HOSTILEREAD" check "${FILES[@]}"

# The reverse: a cpu cgroup with a quota, and memory at the root.
cpuonly=$TEST_ID-cpuonly
for c in cpu cpuacct; do
        mkdir "$CG_ROOT/$c/$cpuonly"
        on_exit "rmdir '$CG_ROOT/$c/$cpuonly'"
done
echo 50000 >"$CG_ROOT/cpu/$cpuonly/cpu.cfs_quota_us"
cpuonly_read() {
        PV_CG=$cpuonly unshare --pid --fork --kill-child -- sh -c '
                for c in memory cpuset blkio pids; do echo 0 >/sys/fs/cgroup/$c/cgroup.procs || exit 99; done
                for c in cpu cpuacct; do echo 0 >"/sys/fs/cgroup/$c/$PV_CG/cgroup.procs" || exit 99; done
                exec "$@"' sh "$@" </dev/null
}
is "cpu cgroup only: MemTotal is the host's" \
        "$(cpuonly_read cat "$MNT/proc/meminfo" | awk '/^MemTotal:/ { print $2 }')" "$HOST_MEM_KB"
is "cpu cgroup only: the quota shows one CPU" "$(cpuonly_read cat "$MNT/sys/devices/system/cpu/online")" 0
ok "cpu cgroup only: every view is well-formed" cpuonly_read timeout "$READ_TIMEOUT" "$HOSTILEREAD" check "${FILES[@]}"
daemon_survived "missing controllers"

# ---- huge offsets ----------------------------------------------------------

for f in proc/meminfo proc/stat sys/devices/system/cpu/online; do
        for offset in $((1 << 62)) $(((1 << 62) * 2 - 1)); do
                out=$(in_container "$TEST_ID" timeout "$READ_TIMEOUT" "$HOSTILEREAD" offset "$MNT/$f" "$offset")
                ok "$f: pread at offset $offset returns end of file or EINVAL" \
                        grep -qxE 'bytes=0|errno=EINVAL' <<<"$out"
                [ -n "$out" ] || diag "no output: the read timed out or failed"
        done
done
daemon_survived "huge offsets"

# ---- 64 threads on one file descriptor -------------------------------------

cg_set_cpu_quota "$TEST_ID" 100000 100000
# 64 threads with a 1 MiB buffer each need more than a small limit.
cg_set_memory_limit "$TEST_ID" $((256 * 1024 * 1024))
for f in "${FILES[@]}"; do
        ok "${f#"$MNT"/}: 64 threads on one fd read well-formed copies" \
                in_container "$TEST_ID" timeout 60 "$HOSTILEREAD" threads "$f" 64 25
done
daemon_survived "64 threads"

done_testing
