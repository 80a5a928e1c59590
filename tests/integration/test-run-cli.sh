#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Root integration test of "procview run" with runc and crun: resource limits
# in the container's cgroups, exit status, volumes, rejected input, the check
# for the procview mount, and that no container state, bundle or cgroup is
# left behind. Containers run with --no-views, except one per runtime that
# binds the views of a real procviewd mount.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_root

WORK=$(mktemp -d "/tmp/$TEST_ID.XXXXXX")
on_exit "rm -rf '$WORK'"

BUNDLES=/run/procview/bundles
CPU_ONLINE=$(cat /sys/devices/system/cpu/online)
LAST_CPU=${CPU_ONLINE##*[-,]}

# delete_on_exit RUNTIME NAME: make sure the container is gone even when a check fails.
delete_on_exit() {
        on_exit "$1 --root '$WORK/$1' delete --force '$2'"
}

# use_name RUNTIME SUFFIX: set NAME to a container name of this run and delete
# that container on exit. Call it outside $(...) and &, whose subshells would
# lose the on_exit registration.
use_name() {
        NAME="$TEST_ID-$1-$2"
        delete_on_exit "$1" "$NAME"
}

# pv RUNTIME NAME ARGS...: "procview run" with this test's state directory and name.
pv() {
        local runtime=$1 name=$2
        shift 2
        "$PROCVIEW" run --runtime "$runtime" --runtime-root "$WORK/$runtime" --name "$name" "$@"
}

# pv_background RUNTIME NAME ARGS...: pv in the background, setting PV_PID to
# procview's own pid. "pv &" would give the pid of a subshell instead.
pv_background() {
        local runtime=$1 name=$2
        shift 2
        "$PROCVIEW" run --runtime "$runtime" --runtime-root "$WORK/$runtime" --name "$name" "$@" &
        PV_PID=$!
}

# Paths of a container's cgroup on the host, one per v1 controller or the v2 one.
cgroup_dirs() {
        if [ -d /sys/fs/cgroup/memory ]; then
                printf '%s\n' /sys/fs/cgroup/*/procview/"$1"
        else
                echo "/sys/fs/cgroup/procview/$1"
        fi
}

# check_no_leftovers RUNTIME NAME: no runtime state, bundle or cgroup of NAME remains.
check_no_leftovers() {
        local dir left=""

        for dir in $(cgroup_dirs "$2"); do
                [ -e "$dir" ] && left="$left $dir"
        done
        is "$1 $2: no cgroup left" "$left" ""
        ok "$1 $2: no runtime state left" test ! -e "$WORK/$1/$2"
        ok "$1 $2: no bundle left" bash -c "! compgen -G '$BUNDLES/$2-*' >/dev/null"
}

# Read a cgroup file inside the container, from the v1 path or else the v2 one.
read_memory_limit='cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'
read_cpu_quota='if [ -e /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then echo $(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us); else cat /sys/fs/cgroup/cpu.max; fi'
read_cpuset='cat /sys/fs/cgroup/cpuset/cpuset.cpus 2>/dev/null || cat /sys/fs/cgroup/cpuset.cpus'

test_limits_inside() {
        local rt=$1 name out

        use_name "$rt" limits
        name=$NAME
        out=$(pv "$rt" "$name" --no-views -m 50m busybox -- sh -c "$read_memory_limit")
        is "$rt: memory limit inside" "$out" "52428800"
        check_no_leftovers "$rt" "$name"

        use_name "$rt" cpus
        name=$NAME
        out=$(pv "$rt" "$name" --no-views --cpus 0.5 busybox -- sh -c "$read_cpu_quota")
        is "$rt: cpu quota inside" "$out" "50000 100000"
        check_no_leftovers "$rt" "$name"

        use_name "$rt" cpuset
        name=$NAME
        out=$(pv "$rt" "$name" --no-views --cpuset-cpus "$LAST_CPU" busybox -- sh -c "$read_cpuset")
        is "$rt: cpuset inside" "$out" "$LAST_CPU"
        check_no_leftovers "$rt" "$name"
}

# wait_for_file PATH: poll for up to 20 s.
wait_for_file() {
        local i
        for i in $(seq 200); do
                [ -e "$1" ] && return 0
                sleep 0.1
        done
        return 1
}

# Start a container that waits for a file from the host, read its cgroup from
# the host, then kill its init so the exit status must be 128+9.
test_limits_from_host() {
        local rt=$1 name share="$WORK/share-$1" pid status memory_dir cpu_dir

        if [ ! -d /sys/fs/cgroup/memory ]; then
                diag "SKIP $rt host-side cgroup checks: they read the cgroup v1 layout"
                return
        fi

        use_name "$rt" host
        name=$NAME
        memory_dir="/sys/fs/cgroup/memory/procview/$name"
        cpu_dir="/sys/fs/cgroup/cpu/procview/$name"

        mkdir -p "$share"
        pv_background "$rt" "$name" --no-views -m 64m --cpus 1.5 -v "$share:/share" busybox -- \
                sh -c 'touch /share/ready; while [ ! -e /share/stop ]; do sleep 0.1; done'
        pid=$PV_PID

        ok "$rt: container started" wait_for_file "$share/ready"
        is "$rt: memory limit from host" "$(cat "$memory_dir/memory.limit_in_bytes" 2>&1)" "67108864"
        is "$rt: cpu quota from host" "$(cat "$cpu_dir/cpu.cfs_quota_us" 2>&1)" "150000"
        is "$rt: cpu period from host" "$(cat "$cpu_dir/cpu.cfs_period_us" 2>&1)" "100000"

        # The container's init ignores signals from inside its pid namespace, so kill it from here.
        xargs -r kill -KILL <"$memory_dir/cgroup.procs"
        wait "$pid"
        status=$?
        is "$rt: exit status after SIGKILL" "$status" "137"
        check_no_leftovers "$rt" "$name"
}

test_exit_status() {
        local rt=$1 name status

        use_name "$rt" exit
        name=$NAME
        pv "$rt" "$name" --no-views --seccomp-socket "$WORK/no-such.sock" busybox -- sh -c 'exit 7' 2>"$WORK/stderr"
        status=$?
        is "$rt: exit status 7" "$status" "7"
        # Without the views, sysinfo() is left alone too, so no socket is needed.
        ok "$rt: --no-views leaves sysinfo() alone" sh -c "! grep -q sysinfo '$WORK/stderr'"
        check_no_leftovers "$rt" "$name"

        use_name "$rt" noexec
        name=$NAME
        pv "$rt" "$name" --no-views busybox -- /nonexistent 2>/dev/null
        status=$?
        ok "$rt: missing command fails" test "$status" -ne 0
        check_no_leftovers "$rt" "$name"
}

# pv_sharing RUNTIME SUFFIX SCRIPT: pv_background of a busybox container that
# runs SCRIPT with the host directory $SHARE at /share. Sets NAME, SHARE and PV_PID.
pv_sharing() {
        use_name "$1" "$2"
        SHARE="$WORK/$2-$1"
        mkdir -p "$SHARE"
        pv_background "$1" "$NAME" --no-views -v "$SHARE:/share" busybox -- sh -c "$3"
}

# SIGTERM sent to procview alone must reach the container through the runtime.
test_sigterm_forwarded() {
        local rt=$1 name pid status

        pv_sharing "$rt" sigterm 'trap "exit 42" TERM; touch /share/ready; while :; do sleep 0.1; done'
        name=$NAME pid=$PV_PID
        ok "$rt: container with TERM trap started" wait_for_file "$SHARE/ready"
        kill -TERM "$pid"
        wait "$pid"
        status=$?
        is "$rt: exit status from TERM trap" "$status" "42"
        check_no_leftovers "$rt" "$name"
}

# The container's init has no SIGINT handler, so it ignores SIGINT, and procview
# kills the container at the third one.
test_interrupts_kill() {
        local rt=$1 name pid status i

        pv_sharing "$rt" sigint 'touch /share/ready; exec sleep 600' 2>/dev/null
        name=$NAME pid=$PV_PID
        ok "$rt: container ignoring SIGINT started" wait_for_file "$SHARE/ready"
        for i in 1 2 3; do
                sleep 0.3
                kill -INT "$pid"
        done
        wait "$pid"
        status=$?
        is "$rt: exit status after three SIGINTs" "$status" "137"
        check_no_leftovers "$rt" "$name"
}

# A procview killed with SIGKILL leaves its bundle behind. A later run removes
# it once the runtime has deleted the container, and not while it runs.
test_killed_procview() {
        local rt=$1 name pid bundle i

        pv_sharing "$rt" killed 'touch /share/ready; while [ ! -e /share/stop ]; do sleep 0.1; done'
        name=$NAME pid=$PV_PID
        ok "$rt: container of a killed procview started" wait_for_file "$SHARE/ready"
        kill -KILL "$pid"
        wait "$pid" 2>/dev/null
        bundle=$(compgen -G "$BUNDLES/$name-*")
        ok "$rt: killed procview leaves its bundle" test -d "$bundle"

        use_name "$rt" sweep-running
        pv "$rt" "$NAME" --no-views busybox -- true
        ok "$rt: bundle of a running container kept" test -d "$bundle/rootfs/bin"

        touch "$SHARE/stop"
        for i in $(seq 100); do
                [ -e "$WORK/$rt/$name" ] || break
                sleep 0.1
        done
        ok "$rt: runtime deleted the orphaned container" test ! -e "$WORK/$rt/$name"
        use_name "$rt" sweep-stopped
        pv "$rt" "$NAME" --no-views busybox -- true 2>"$WORK/sweep.err"
        ok "$rt: next run removes the bundle" test ! -e "$bundle"
        ok "$rt: next run says so" grep -qF "Removed bundle '$bundle'" "$WORK/sweep.err"
        check_no_leftovers "$rt" "$name"
}

test_volumes() {
        local rt=$1 name share="$WORK/volume-$1" out

        use_name "$rt" volume
        name=$NAME
        mkdir -p "$share"
        echo from-host >"$share/file"

        out=$(pv "$rt" "$name" --no-views -v "$share:/data" -v "$share:/data-ro:ro" busybox -- \
                sh -c 'cat /data/file; echo from-container >/data/new; touch /data-ro/x 2>/dev/null && echo writable')
        is "$rt: volume readable and ro enforced" "$out" "from-host"
        is "$rt: volume written" "$(cat "$share/new" 2>&1)" "from-container"
        check_no_leftovers "$rt" "$name"
}

test_views_mounted() {
        local rt=$1 name out

        use_name "$rt" views
        name=$NAME
        out=$(pv "$rt" "$name" --views "$MNT" -m 50m busybox -- \
                sh -c 'head -1 /proc/meminfo
                       grep -cE " /proc/(meminfo|cpuinfo|stat|uptime|diskstats|swaps|loadavg) .* ro,nosuid,nodev" /proc/self/mountinfo
                       grep -c " /sys/devices/system/cpu .* ro,nosuid,nodev" /proc/self/mountinfo
                       { echo x >/proc/meminfo; } 2>/dev/null || echo read-only')
        is "$rt: meminfo view bound" "$(sed -n 1p <<<"$out")" "MemTotal:          51200 kB"
        is "$rt: seven /proc views bound read-only, nosuid, nodev" "$(sed -n 2p <<<"$out")" 7
        is "$rt: cpu directory view bound read-only" "$(sed -n 3p <<<"$out")" 1
        is "$rt: views refuse writes" "$(sed -n 4p <<<"$out")" "read-only"
        check_no_leftovers "$rt" "$name"
}

# expect_error DESCRIPTION STATUS PATTERN ARGS...: procview ARGS exits with STATUS and prints PATTERN.
expect_error() {
        local desc=$1 expected_status=$2 pattern=$3 out status
        shift 3

        out=$("$PROCVIEW" "$@" 2>&1)
        status=$?
        is "$desc: exit status" "$status" "$expected_status"
        ok "$desc: message" grep -qF -- "$pattern" <<<"$out"
        [ "$status" = "$expected_status" ] || diag "output: $out"
}

test_errors() {
        local root="$WORK/runc" plain="$WORK/plain-views"

        mkdir -p "$plain"

        expect_error "unknown command" 2 "Unknown command 'frobnicate'" frobnicate
        expect_error "unknown option" 2 "Unknown option '--frobnicate'" run --frobnicate busybox
        expect_error "missing rootfs" 2 "Invalid root filesystem '$WORK/missing'" run --no-views --runtime-root "$root" "$WORK/missing"
        expect_error "rootfs not a directory" 2 "Not a directory" run --no-views --runtime-root "$root" /etc/passwd
        expect_error "zero memory" 2 "Invalid memory size '0'" run --no-views --runtime-root "$root" -m 0 busybox
        expect_error "memory below 6m" 2 "Invalid memory size '1k': the minimum is 6m" run --no-views --runtime-root "$root" -m 1k busybox
        expect_error "memory above 8 EiB" 2 "Invalid memory size '99999999999999999999': the maximum is 8 EiB" run --no-views --runtime-root "$root" -m 99999999999999999999 busybox
        expect_error "garbage memory" 2 "Invalid memory size '12zz'" run --no-views --runtime-root "$root" -m 12zz busybox
        expect_error "zero cpus" 2 "Invalid CPU count '0'" run --no-views --runtime-root "$root" --cpus 0 busybox
        expect_error "offline cpuset" 2 "not online" run --no-views --runtime-root "$root" --cpuset-cpus 8191 busybox
        expect_error "bad cpuset" 2 "Invalid CPU list '3-1'" run --no-views --runtime-root "$root" --cpuset-cpus 3-1 busybox
        expect_error "relative volume" 2 "Invalid volume destination 'data'" run --no-views --runtime-root "$root" -v "$WORK:data" busybox
        expect_error "missing volume source" 2 "Invalid volume source '$WORK/nope'" run --no-views --runtime-root "$root" -v "$WORK/nope:/data" busybox
        expect_error "views missing" 1 "not mounted at '$WORK/no-such-dir'" run --views "$WORK/no-such-dir" --runtime-root "$root" busybox
        expect_error "views not fuse" 1 "not mounted at '$plain'" run --views "$plain" --runtime-root "$root" busybox
        expect_error "views daemon command" 1 "procviewd $plain" run --views "$plain" --runtime-root "$root" busybox
}

test_errors

start_daemon_or_bail

for rt in runc crun; do
        if ! command -v "$rt" >/dev/null; then
                diag "SKIP $rt: not installed"
                continue
        fi

        test_limits_inside "$rt"
        test_limits_from_host "$rt"
        test_exit_status "$rt"
        test_sigterm_forwarded "$rt"
        test_interrupts_kill "$rt"
        test_killed_procview "$rt"
        test_volumes "$rt"
        test_views_mounted "$rt"
done

done_testing
