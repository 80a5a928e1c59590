#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procviewd on a real FUSE mount, read from processes that run as pid 1 of
# their own pid namespace inside cgroups this test creates.
source "$(dirname "$0")/lib.sh"
require_root

READCHECK=$BUILD/tests/integration/readcheck
PARENT=$TEST_ID
CHILD=$TEST_ID/child

# view NAME FILE: the file as a container in cgroup NAME reads it.
view() {
        in_container "$1" cat "$MNT/$2"
}

host_mem_total_kb() {
        awk '/^MemTotal:/ { print $2 }' /proc/meminfo
}

# ---- start-up errors ----------------------------------------------------

out=$("$PROCVIEWD" /nonexistent-$TEST_ID 2>&1)
is "missing mount point exits 1" "$?" 1
ok "missing mount point message names the fix" grep -q "does not exist. Create it with 'mkdir -p" <<<"$out"

"$PROCVIEWD" --no-such-option /tmp >/dev/null 2>&1
is "unknown option exits 2" "$?" 2

out=$("$PROCVIEWD" --cpu-view=bogus /tmp 2>&1)
ok "invalid --cpu-view is named" grep -q "Invalid --cpu-view 'bogus'" <<<"$out"

ok "--version prints the version" sh -c "'$PROCVIEWD' --version | grep -q '^procviewd [0-9]'"

# ---- the mount ----------------------------------------------------------

start_daemon_or_bail

opts=$(findmnt -no FSTYPE,OPTIONS "$MNT")
ok "mount is fuse.procview" grep -q '^fuse.procview ' <<<"$opts"
for o in ro nosuid nodev allow_other; do
        ok "mount has option $o" grep -qE "(^| |,)$o(,|$)" <<<"$opts"
done

out=$("$PROCVIEWD" --seccomp-socket="$MNT.seccomp.sock" "$MNT" 2>&1)
ok "a second daemon on the same mount point is refused" grep -q "is already a mount point" <<<"$out"
ok "the refused daemon leaves the running one's seccomp socket" test -S "$MNT.seccomp.sock"

# A second daemon on a free mount point serves, but leaves the socket alone.
other=$(mktemp -d "/tmp/$TEST_ID-other.XXXXXX")
"$PROCVIEWD" --seccomp-socket="$MNT.seccomp.sock" "$other" 2>"$other.log" &
other_pid=$!
on_exit "kill -TERM $other_pid 2>/dev/null; sleep 0.5; umount -l '$other' 2>/dev/null; rmdir '$other'; rm -f '$other.log'"
for i in $(seq 1 100); do
        [ -r "$other/proc/meminfo" ] && break
        sleep 0.05
done
ok "a second daemon on a free mount point serves" grep -q '^MemTotal:' "$other/proc/meminfo"
ok "the second daemon says that another one has the seccomp socket" \
        grep -q "Another procviewd serves sysinfo() on '$MNT.seccomp.sock'" "$other.log"
kill -TERM "$other_pid"
wait "$other_pid"
ok "the running daemon's seccomp socket outlives the second daemon" test -S "$MNT.seccomp.sock"

for f in meminfo cpuinfo stat uptime diskstats swaps loadavg; do
        is "proc/$f has mode 0444" "$(stat -c %a "$MNT/proc/$f")" 444
        ok "proc/$f: pread, fstat size and lseek(0) agree with one read" "$READCHECK" snapshot "$MNT/proc/$f"
done
for f in online present possible offline; do
        ok "sys/devices/system/cpu/$f exists" test -f "$MNT/sys/devices/system/cpu/$f"
done

ok "opening for writing is refused" sh -c "'$READCHECK' write '$MNT/proc/meminfo' | grep -qE 'EROFS|EACCES'"
ok "truncate is refused" sh -c "! truncate -s 0 '$MNT/proc/meminfo' 2>/dev/null"
ok "chmod is refused" sh -c "! chmod 666 '$MNT/proc/meminfo' 2>/dev/null"

# ---- a container with its limits on a parent cgroup ---------------------

cg_create "$PARENT"
cg_create "$CHILD"
cg_set_memory_limit "$PARENT" $((50 * 1024 * 1024))
cg_set_cpu_quota "$PARENT" 50000 100000

is "MemTotal is the parent's 50 MiB limit" "$(view "$CHILD" proc/meminfo | head -1)" "MemTotal:          51200 kB"

meminfo=$(view "$CHILD" proc/meminfo)
free_kb=$(awk '/^MemFree:/ { print $2 }' <<<"$meminfo")
avail_kb=$(awk '/^MemAvailable:/ { print $2 }' <<<"$meminfo")
ok "MemFree is within 0..MemTotal" test "$free_kb" -ge 0 -a "$free_kb" -le 51200
ok "MemAvailable is within MemFree..MemTotal" test "$avail_kb" -ge "$free_kb" -a "$avail_kb" -le 51200
is "meminfo keeps the host's line count" "$(wc -l <<<"$meminfo")" "$(wc -l </proc/meminfo)"
is "meminfo keeps the host's keys in order" "$(cut -d: -f1 <<<"$meminfo" | tr '\n' ' ')" \
        "$(cut -d: -f1 </proc/meminfo | tr '\n' ' ')"

is "a 0.5 CPU quota shows one processor" "$(view "$CHILD" proc/cpuinfo | grep -c '^processor')" 1
is "online lists the first CPU of the cpuset" "$(view "$CHILD" sys/devices/system/cpu/online)" 0
is "present lists the same CPU" "$(view "$CHILD" sys/devices/system/cpu/present)" 0
is "possible lists the same CPU" "$(view "$CHILD" sys/devices/system/cpu/possible)" 0
is "offline is empty" "$(view "$CHILD" sys/devices/system/cpu/offline)" ""
is "stat has one cpuN line" "$(view "$CHILD" proc/stat | grep -cE '^cpu[0-9]+ ')" 1
is "the cpu directory lists one cpuN" \
        "$(in_container "$CHILD" ls "$MNT/sys/devices/system/cpu" | grep -cE '^cpu[0-9]+$')" 1
ok "cpu1 is hidden from the container" in_container "$CHILD" sh -c "! test -e '$MNT/sys/devices/system/cpu/cpu1'"
ok "cpu0's host files are readable" in_container "$CHILD" test -s "$MNT/sys/devices/system/cpu/cpu0/topology/core_id"
ok "the host sees both CPUs in the directory" test -d "$MNT/sys/devices/system/cpu/cpu1"
is "glibc counts one online CPU" "$(in_container "$CHILD" unshare --mount sh -c \
        "mount --bind '$MNT/sys/devices/system/cpu' /sys/devices/system/cpu && getconf _NPROCESSORS_ONLN")" 1

stat_out=$(in_container "$CHILD" sh -c "i=0; while [ \$i -lt 200000 ]; do i=\$((i+1)); done; cat '$MNT/proc/stat'")
cpu_sum=$(awk '/^cpu / { print $2 + $4 }' <<<"$stat_out")
percpu_sum=$(awk '/^cpu[0-9]+ / { s += $2 + $4 } END { print s }' <<<"$stat_out")
is "the cpu line is the sum of the cpuN lines" "$cpu_sum" "$percpu_sum"
ok "the container's busy time is counted" test "$cpu_sum" -gt 0
ok "stat keeps the host's other lines" grep -q '^ctxt ' <<<"$stat_out"

uptime=$(view "$CHILD" proc/uptime)
ok "uptime has the kernel's format" grep -qE '^[0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2}$' <<<"$uptime"
ok "uptime starts with the container" awk -v u="${uptime%% *}" 'BEGIN { exit !(u < 5) }'
host_up=$(cut -d' ' -f1 /proc/uptime)
ok "a reader in the host pid namespace sees the host's uptime" \
        awk -v a="$(cut -d' ' -f1 "$MNT/proc/uptime")" -v b="$host_up" 'BEGIN { d = a - b; exit !(d > -3 && d < 3) }'

loadavg=$(view "$CHILD" proc/loadavg)
ok "loadavg has the kernel's format" grep -qE '^[0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2} [0-9]+/[0-9]+ [0-9]+$' <<<"$loadavg"
last_pid=${loadavg##* }
ok "loadavg's last pid is the container's own" test "$last_pid" -lt 10
tasks=$(cut -d' ' -f4 <<<"$loadavg")
is "loadavg counts the container's one task" "${tasks#*/}" 1

# A long-lived container's reads reuse the daemon's sum of its load, so new
# threads in its cgroup must show once the next walk (every 5 s) counts them.
LOAD=$TEST_ID-load
cg_create "$LOAD"
in_container "$LOAD" sleep 600 &
on_exit "kill $! 2>/dev/null"
load_procs=$(cg_dirs "$LOAD" | head -n 1)/cgroup.procs
for _ in $(seq 50); do
        load_init=$(head -n 1 "$load_procs")
        [ -n "$load_init" ] && break
        sleep 0.1
done
load_view() {
        nsenter --target "$load_init" --pid -- cat "$MNT/proc/loadavg"
}
# load_threads: the total in loadavg's fourth field.
load_threads() {
        load_view | awk '{ split($4, t, "/"); print t[2] }'
}
sleep 6 # the sampler has walked the container's cgroup at least once
is "sampled loadavg counts the init" "$(load_threads)" 1
for _ in 1 2 3; do
        PV_CG_DIRS=$(cg_dirs "$LOAD" | tr '\n' ' ') sh -c 'for d in $PV_CG_DIRS; do echo $$ >"$d/cgroup.procs"; done; exec sleep 600' &
        on_exit "kill $! 2>/dev/null"
done
seen=
for _ in $(seq 120); do
        seen=$(load_threads)
        [ "$seen" = 4 ] && break
        sleep 0.1
done
is "loadavg counts new threads after a walk" "$seen" 4
last_pid=$(load_view | awk '{ print $5 }')
ok "loadavg last pid hides host pids (got $last_pid)" test "$last_pid" -lt 10

swaps=$(view "$CHILD" proc/swaps)
ok "swaps starts with the header" grep -q '^Filename' <<<"$swaps"
if ! grep -q memsw "$CG_ROOT/memory/memory.stat" 2>/dev/null && [ "$(wc -l </proc/swaps)" -le 1 ]; then
        is "no swap on a host without swap" "$(wc -l <<<"$swaps")" 1
fi

# Reads in 7-byte pieces give the same bytes as one read of a stable file.
for f in proc/cpuinfo proc/swaps sys/devices/system/cpu/online; do
        ok "$f read in 7-byte chunks equals one read" in_container "$CHILD" sh -c \
                "'$READCHECK' chunks '$MNT/$f' 7 >/tmp/$TEST_ID.a; cat '$MNT/$f' >/tmp/$TEST_ID.b; cmp -s /tmp/$TEST_ID.a /tmp/$TEST_ID.b"
        ok "$f: st_size equals the content's length" in_container "$CHILD" sh -c \
                "test \$(stat -c %s '$MNT/$f') -eq \$(cat '$MNT/$f' | wc -c)"
done
on_exit "rm -f /tmp/$TEST_ID.a /tmp/$TEST_ID.b"

# ---- a limit on the child below the parent's ----------------------------

cg_set_memory_limit "$CHILD" $((30 * 1024 * 1024))
is "the smaller limit of child and parent wins" "$(view "$CHILD" proc/meminfo | head -1)" "MemTotal:          30720 kB"

# ---- cpusets and fractional quotas --------------------------------------

CPUS=$(cat /sys/devices/system/cpu/online)
if [ "$CPUS" = 0-1 ] || [ "$(nproc --all)" -ge 2 ]; then
        cg_set_cpu_quota "$PARENT" -1 100000 2>/dev/null || cg_set_cpu_quota "$PARENT" max 100000
        cg_set_cpuset "$CHILD" 1
        is "cpuset 1 shows CPU 1 by its host number" "$(view "$CHILD" sys/devices/system/cpu/online)" 1
        is "cpuinfo keeps the host's processor number" \
                "$(view "$CHILD" proc/cpuinfo | grep '^processor' | tr -d ' \t')" "processor:1"
        is "stat shows cpu1 only" "$(view "$CHILD" proc/stat | grep -oE '^cpu[0-9]+' | tr '\n' ' ')" "cpu1 "

        cg_set_cpuset "$CHILD" 0-1
        cg_set_cpu_quota "$CHILD" 150000 100000
        is "a 1.5 CPU quota shows two CPUs" "$(view "$CHILD" sys/devices/system/cpu/online)" 0-1
else
        diag "fewer than two CPUs: cpuset checks skipped"
fi

# ---- no limit at all ----------------------------------------------------

NOLIMIT=$TEST_ID-nolimit
cg_create "$NOLIMIT"
is "without a limit MemTotal is the host's" "$(view "$NOLIMIT" proc/meminfo | awk '/^MemTotal:/ { print $2 }')" \
        "$(host_mem_total_kb)"

# ---- I/O ----------------------------------------------------------------

disk_dir=$(mktemp -d "/var/tmp/$TEST_ID.XXXXXX")
disk=$(stat -c '%Hd:%Ld' "$disk_dir")
if [ -e "/sys/dev/block/$disk/partition" ]; then
        # Throttle rules take whole disks, not partitions.
        disk=$(cat "$(dirname "$(readlink -f "/sys/dev/block/$disk")")/dev")
fi
if [ "$CG_V2" = 0 ]; then
        # Linux 6.18 counts v1 blkio.throttle.* statistics only for devices
        # that have a throttle rule in the cgroup, so give it a harmless one.
        echo "$disk 1099511627776" >"$CG_ROOT/blkio/$NOLIMIT/blkio.throttle.write_bps_device"
fi
on_exit "rm -rf '$disk_dir'"
diskstats=$(in_container "$NOLIMIT" sh -c \
        "dd if=/dev/zero of='$disk_dir/f' bs=1M count=4 oflag=direct status=none && sync && cat '$MNT/proc/diskstats'")
written=$(awk '{ s += $10 } END { print s + 0 }' <<<"$diskstats")
ok "diskstats counts the container's 4 MiB of writes" test "$written" -ge 8192
# A container without I/O has an empty diskstats, and its stat() sets the size
# that the kernel keeps for every container's sendfile(), as busybox cat uses.
NOIO=$TEST_ID-noio
cg_create "$NOIO"
is "diskstats of a container without I/O is empty" "$(view "$NOIO" proc/diskstats)" ""
in_container "$NOIO" stat -c %s "$MNT/proc/diskstats" >/dev/null
busybox_diskstats=$(in_container "$NOLIMIT" busybox cat "$MNT/proc/diskstats")
ok "busybox cat shows diskstats after an empty stat" test -n "$busybox_diskstats"
ok "diskstats shows only devices with I/O" test "$(wc -l <<<"$diskstats")" -le 2

# ---- the quota rule can be turned off -----------------------------------

stop_daemon
start_daemon --cpu-view=cpuset
cg_set_cpu_quota "$CHILD" 50000 100000
is "--cpu-view=cpuset ignores the quota" "$(view "$CHILD" sys/devices/system/cpu/online)" 0-1

# ---- shutdown -----------------------------------------------------------

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"
is "SIGTERM makes procviewd exit 0" "$?" 0
ok "SIGTERM unmounts" sh -c "! grep -q ' $MNT ' /proc/self/mountinfo"
DAEMON_PID=""

done_testing
