# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared helpers for the root integration tests. Each test script sources
# this file, prints TAP, and registers its own clean-up with on_exit so that
# mounts, cgroups, containers and processes it created go away even when a
# check fails or the script is interrupted.

set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${PROCVIEW_BUILD:-$TOP/build}
PROCVIEWD=$BUILD/procviewd
PROCVIEW=$BUILD/procview

# A name unique to this run, used for every cgroup, container and directory.
TEST_ID="pvtest-$$-$RANDOM"

_tap_count=0
_tap_failed=0
_cleanups=()

on_exit() {
        _cleanups=("$1" "${_cleanups[@]}")
}

_run_cleanups() {
        local c
        for c in "${_cleanups[@]}"; do
                eval "$c" >/dev/null 2>&1 || true
        done
}
trap _run_cleanups EXIT
trap 'exit 130' INT TERM

# ok DESCRIPTION COMMAND...: run COMMAND; pass when it exits 0.
ok() {
        local desc=$1
        shift
        _tap_count=$((_tap_count + 1))
        if "$@"; then
                echo "ok $_tap_count - $desc"
        else
                echo "not ok $_tap_count - $desc"
                _tap_failed=$((_tap_failed + 1))
        fi
}

# is DESCRIPTION GOT EXPECTED: pass when the two strings are equal.
is() {
        _tap_count=$((_tap_count + 1))
        if [ "$2" = "$3" ]; then
                echo "ok $_tap_count - $1"
        else
                echo "not ok $_tap_count - $1"
                printf '#   got:      %s\n#   expected: %s\n' "$2" "$3"
                _tap_failed=$((_tap_failed + 1))
        fi
}

diag() {
        printf '# %s\n' "$*"
}

done_testing() {
        echo "1..$_tap_count"
        [ "$_tap_failed" -eq 0 ]
}

require_root() {
        if [ "$(id -u)" -ne 0 ]; then
                echo "1..0 # SKIP needs root"
                exit 0
        fi
}

# ---- cgroups ------------------------------------------------------------
# Tests create cgroups only below their own $TEST_ID directory and remove
# them on exit. On cgroup v1 every controller used by procview gets the same
# relative path; on v2 the unified tree is used.

CG_ROOT=/sys/fs/cgroup
if [ "$(stat -fc %T "$CG_ROOT" 2>/dev/null)" = cgroup2fs ]; then
        CG_V2=1
        CG_CONTROLLERS=""
else
        CG_V2=0
        CG_CONTROLLERS="memory cpu cpuacct cpuset blkio pids"
fi

# cg_dirs NAME: every directory that makes up cgroup NAME.
cg_dirs() {
        local c
        if [ "$CG_V2" = 1 ]; then
                echo "$CG_ROOT/$1"
                return
        fi
        for c in $CG_CONTROLLERS; do
                [ -d "$CG_ROOT/$c" ] && echo "$CG_ROOT/$c/$1"
        done
}

# cg_create NAME: create NAME (a path below $TEST_ID) and register its removal.
cg_create() {
        local name=$1 d parent
        for d in $(cg_dirs "$name"); do
                mkdir -p "$d" || return 1
                parent=$(dirname "$d")
                case "$d" in
                */cpuset/*)
                        cat "$parent/cpuset.cpus" >"$d/cpuset.cpus"
                        cat "$parent/cpuset.mems" >"$d/cpuset.mems"
                        ;;
                esac
        done
        if [ "$CG_V2" = 1 ]; then
                echo "+memory +cpu +cpuset +io +pids" >"$(dirname "$CG_ROOT/$name")/cgroup.subtree_control" 2>/dev/null || true
        fi
        on_exit "cg_remove '$name'"
}

# cg_remove NAME: kill what is left inside and remove the directories.
cg_remove() {
        local d i
        for d in $(cg_dirs "$1"); do
                [ -d "$d" ] || continue
                find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -KILL 2>/dev/null
        done
        for d in $(cg_dirs "$1"); do
                [ -d "$d" ] || continue
                # Children first: rmdir on a non-empty cgroup fails, and a
                # killed process leaves its cgroup a moment after the signal.
                for i in $(seq 1 50); do
                        find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
                        [ -d "$d" ] || break
                        sleep 0.1
                done
        done
}

cg_set_memory_limit() {
        if [ "$CG_V2" = 1 ]; then
                echo "$2" >"$CG_ROOT/$1/memory.max"
        else
                echo "$2" >"$CG_ROOT/memory/$1/memory.limit_in_bytes"
        fi
}

# cg_set_cpu_quota NAME QUOTA_US PERIOD_US
cg_set_cpu_quota() {
        if [ "$CG_V2" = 1 ]; then
                echo "$2 $3" >"$CG_ROOT/$1/cpu.max"
        else
                echo "$3" >"$CG_ROOT/cpu/$1/cpu.cfs_period_us"
                echo "$2" >"$CG_ROOT/cpu/$1/cpu.cfs_quota_us"
        fi
}

cg_set_cpuset() {
        if [ "$CG_V2" = 1 ]; then
                echo "$2" >"$CG_ROOT/$1/cpuset.cpus"
        else
                echo "$2" >"$CG_ROOT/cpuset/$1/cpuset.cpus"
        fi
}

# in_container NAME COMMAND...: run COMMAND as pid 1 of a new pid namespace
# inside cgroup NAME, the way a container's init runs.
in_container() {
        local name=$1
        shift
        PV_CG_DIRS=$(cg_dirs "$name" | tr '\n' ' ') unshare --pid --fork --kill-child -- sh -c '
                for d in $PV_CG_DIRS; do echo 0 >"$d/cgroup.procs" || exit 99; done
                exec "$@"' sh "$@" </dev/null
}

# ---- the daemon ---------------------------------------------------------

# start_daemon [OPTIONS...]: mount procviewd on a new directory, set $MNT.
start_daemon() {
        MNT=$(mktemp -d "/tmp/$TEST_ID-mnt.XXXXXX")
        DAEMON_LOG=$MNT.log
        # Each test daemon gets its own seccomp socket, never the system's.
        "$PROCVIEWD" --seccomp-socket="$MNT.seccomp.sock" "$@" "$MNT" 2>"$DAEMON_LOG" &
        DAEMON_PID=$!
        on_exit "stop_daemon"
        local i
        for i in $(seq 1 100); do
                if [ -r "$MNT/proc/meminfo" ] && grep -q "fuse.procview" /proc/self/mountinfo &&
                   grep -q " $MNT " /proc/self/mountinfo; then
                        return 0
                fi
                kill -0 "$DAEMON_PID" 2>/dev/null || break
                sleep 0.05
        done
        diag "procviewd did not come up; its log:"
        sed 's/^/#   /' "$DAEMON_LOG"
        return 1
}

# start_daemon_or_bail [OPTIONS...]: start_daemon, or end the test with one
# failed check when procviewd does not serve a mount.
start_daemon_or_bail() {
        start_daemon "$@" && return 0
        echo "not ok - procviewd serves a mount"
        done_testing
        exit 1
}

# set_view_files: set the array VIEW_FILES to every file view under $MNT.
set_view_files() {
        local f
        VIEW_FILES=()
        for f in meminfo cpuinfo stat uptime diskstats swaps loadavg; do
                VIEW_FILES+=("$MNT/proc/$f")
        done
        for f in online present possible offline; do
                VIEW_FILES+=("$MNT/sys/devices/system/cpu/$f")
        done
}

stop_daemon() {
        if [ -n "${DAEMON_PID:-}" ]; then
                if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
                        diag "procviewd died before the test stopped it; its log:"
                        sed 's/^/#   /' "$DAEMON_LOG" | head -n 60
                fi
                kill -TERM "$DAEMON_PID" 2>/dev/null
                wait "$DAEMON_PID" 2>/dev/null
        fi
        if [ -n "${MNT:-}" ]; then
                grep -q " $MNT " /proc/self/mountinfo && umount -l "$MNT"
                rmdir "$MNT" 2>/dev/null
                rm -f "$DAEMON_LOG" "$MNT.seccomp.sock"
        fi
        DAEMON_PID=""
}

# start_daemon_at DIR [OPTIONS...]: mount procviewd on the existing directory
# DIR, such as a mount point whose daemon was killed and lazily unmounted.
# Sets DAEMON_PID; the caller stops it.
start_daemon_at() {
        local dir=$1 i
        shift
        "$PROCVIEWD" --seccomp-socket="$dir.seccomp.sock" "$@" "$dir" 2>>"$dir.log" &
        DAEMON_PID=$!
        for i in $(seq 1 100); do
                if [ -r "$dir/proc/meminfo" ] && grep -q " $dir .*fuse.procview" /proc/self/mountinfo; then
                        return 0
                fi
                kill -0 "$DAEMON_PID" 2>/dev/null || break
                sleep 0.05
        done
        diag "procviewd did not come up on '$dir'; its log:"
        sed 's/^/#   /' "$dir.log"
        return 1
}
