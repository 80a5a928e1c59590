#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# cgroup v2 checks that need a machine of their own: run by tests/vm/run.sh
# inside a qemu VM with 4 CPUs, cgroup2 alone at /sys/fs/cgroup with every
# controller enabled at the root, and an ext4 virtio disk at /var/tmp.
source "$(dirname "$0")/../integration/lib.sh"
require_root

if [ "$CG_V2" != 1 ]; then
        echo "1..0 # SKIP needs cgroup v2 alone at /sys/fs/cgroup"
        exit 0
fi

# view NAME FILE: the file as a container in cgroup NAME reads it.
view() {
        in_container "$1" cat "$MNT/$2"
}

# meminfo_kb NAME KEY: one meminfo value, in kB, as a reader in cgroup NAME reads it.
meminfo_kb() {
        view "$1" proc/meminfo | awk -v k="$2:" '$1 == k { print $2 }'
}

# close_to A B TOLERANCE: |A - B| <= TOLERANCE, in floating point.
close_to() {
        awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'
}

# spin N: a shell loop of N iterations, to use some CPU time.
SPIN='i=0; while [ $i -lt $1 ]; do i=$((i+1)); done'

start_daemon_or_bail

host_mem_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
diag "VM: $(nproc) CPUs online ($(cat /sys/devices/system/cpu/online)), MemTotal $host_mem_kb kB"

# ---- memory limits over three levels -------------------------------------
#
#   $TEST_ID/a          memory.max 64 MiB
#   $TEST_ID/a/b        memory.max 48 MiB
#   $TEST_ID/a/b/c      memory.max max    <- reader

A=$TEST_ID/a
B=$A/b
C=$B/c
cg_create "$TEST_ID"
cg_create "$A"
cg_create "$B"
cg_create "$C"

cg_set_memory_limit "$A" $((64 * 1024 * 1024))
is "a grandchild under a 64 MiB grandparent sees 64 MiB" "$(meminfo_kb "$C" MemTotal)" 65536
cg_set_memory_limit "$B" $((48 * 1024 * 1024))
is "the nearer 48 MiB parent wins over the grandparent" "$(meminfo_kb "$C" MemTotal)" 49152
cg_set_memory_limit "$C" max
is "memory.max = max below a limited parent keeps the parent's" "$(meminfo_kb "$C" MemTotal)" 49152
cg_set_memory_limit "$A" $((32 * 1024 * 1024))
is "a smaller grandparent limit wins" "$(meminfo_kb "$C" MemTotal)" 32768
cg_set_memory_limit "$C" $((16 * 1024 * 1024))
is "a smaller own limit wins" "$(meminfo_kb "$C" MemTotal)" 16384
cg_set_memory_limit "$A" max
cg_set_memory_limit "$B" max
cg_set_memory_limit "$C" max
is "max on every level shows the host's MemTotal" "$(meminfo_kb "$C" MemTotal)" "$host_mem_kb"

cg_set_memory_limit "$B" $((48 * 1024 * 1024))
# The shell execs its last command, which would free x, so "true" comes last.
meminfo=$(in_container "$C" sh -c "x=\$(head -c 8000000 /dev/zero | tr '\\0' a); cat '$MNT/proc/meminfo'; true")
free_kb=$(awk '$1 == "MemFree:" { print $2 }' <<<"$meminfo")
avail_kb=$(awk '$1 == "MemAvailable:" { print $2 }' <<<"$meminfo")
diag "with 8 MB in use: MemFree $free_kb kB, MemAvailable $avail_kb kB"
ok "MemFree drops below MemTotal by the usage" test "$free_kb" -lt $((49152 - 4000))
ok "MemAvailable is within MemFree..MemTotal" test "$avail_kb" -ge "$free_kb" -a "$avail_kb" -le 49152

# Without the memory controller c's memory is charged to b and limited there.
cg_set_memory_limit "$B" $((40 * 1024 * 1024))
echo "-memory" >"$CG_ROOT/$B/cgroup.subtree_control"
ok "c has no memory.current without the memory controller" test ! -e "$CG_ROOT/$C/memory.current"
is "b's 40 MiB limit still applies to c" "$(meminfo_kb "$C" MemTotal)" 40960
echo "+memory" >"$CG_ROOT/$B/cgroup.subtree_control"
cg_set_memory_limit "$B" max

# ---- cpu.max on an ancestor only -----------------------------------------

cg_set_cpu_quota "$A" 200000 100000
is "cpu.max 2 CPUs on the grandparent shows two CPUs" "$(view "$C" sys/devices/system/cpu/online)" 0-1
is "stat lists two cpuN lines" "$(view "$C" proc/stat | grep -cE '^cpu[0-9]+ ')" 2
cg_set_cpu_quota "$B" 50000 100000
is "a half-CPU parent quota wins and shows one CPU" "$(view "$C" sys/devices/system/cpu/online)" 0
cg_set_cpu_quota "$B" max 100000
cg_set_cpu_quota "$A" 250000 100000
is "2.5 CPUs round up to three" "$(view "$C" sys/devices/system/cpu/online)" 0-2

# A cgroup whose parent does not delegate the cpu controller has no cpu.max
# of its own and still gets the ancestors' quota.
echo "-cpu" >"$CG_ROOT/$B/cgroup.subtree_control"
ok "c has no cpu.max without the cpu controller" test ! -e "$CG_ROOT/$C/cpu.max"
is "the grandparent's quota still applies" "$(view "$C" sys/devices/system/cpu/online)" 0-2
echo "+cpu" >"$CG_ROOT/$B/cgroup.subtree_control"
cg_set_cpu_quota "$A" max 100000
is "without any quota all 4 CPUs show" "$(view "$C" sys/devices/system/cpu/online)" 0-3

# ---- cpusets through cpuset.cpus.effective -------------------------------

cg_set_cpuset "$A" 0-1,3
is "c inherits the grandparent's cpuset 0-1,3" "$(view "$C" sys/devices/system/cpu/online)" 0-1,3
is "cpuinfo shows processors 0, 1 and 3" \
        "$(view "$C" proc/cpuinfo | awk -F: '/^processor/ { gsub(/ /, "", $2); printf "%s ", $2 }')" "0 1 3 "
is "stat shows cpu0, cpu1 and cpu3" "$(view "$C" proc/stat | grep -oE '^cpu[0-9]+' | tr '\n' ' ')" "cpu0 cpu1 cpu3 "
is "the cpu directory lists cpu0, cpu1 and cpu3" \
        "$(in_container "$C" ls "$MNT/sys/devices/system/cpu" | grep -E '^cpu[0-9]+$' | tr '\n' ' ')" "cpu0 cpu1 cpu3 "
is "present lists the cpuset" "$(view "$C" sys/devices/system/cpu/present)" 0-1,3
is "glibc counts three CPUs" "$(in_container "$C" unshare --mount sh -c \
        "mount --bind '$MNT/sys/devices/system/cpu' /sys/devices/system/cpu && getconf _NPROCESSORS_ONLN")" 3

cg_set_cpuset "$B" 2-3
is "cpuset.cpus 2-3 under 0-1,3 is effectively CPU 3" "$(cat "$CG_ROOT/$B/cpuset.cpus.effective")" 3
is "the view follows cpuset.cpus.effective" "$(view "$C" sys/devices/system/cpu/online)" 3
ok "taskset inside agrees that only CPU 3 is usable" in_container "$C" sh -c 'taskset -pc $$ | grep -q ": 3$"'

cg_set_cpuset "$B" ""
cg_set_cpu_quota "$B" 150000 100000
is "a 1.5 CPU quota takes the first two CPUs of 0-1,3" "$(view "$C" sys/devices/system/cpu/online)" 0-1
cg_set_cpu_quota "$B" 300000 100000
is "a 3 CPU quota takes all of 0-1,3" "$(view "$C" sys/devices/system/cpu/online)" 0-1,3
cg_set_cpu_quota "$B" max 100000

echo "-cpuset" >"$CG_ROOT/$B/cgroup.subtree_control"
ok "c has no cpuset files without the cpuset controller" test ! -e "$CG_ROOT/$C/cpuset.cpus.effective"
is "c without the cpuset controller uses b's CPUs" "$(view "$C" sys/devices/system/cpu/online)" 0-1,3
echo "+cpuset" >"$CG_ROOT/$B/cgroup.subtree_control"
cg_set_cpuset "$A" ""

# ---- a CPU taken offline ------------------------------------------------

if echo 0 >/sys/devices/system/cpu/cpu2/online; then
        on_exit "echo 1 >/sys/devices/system/cpu/cpu2/online"
        is "the host has CPUs 0-1,3 online" "$(cat /sys/devices/system/cpu/online)" 0-1,3
        is "an unlimited cgroup sees the online CPUs" "$(view "$C" sys/devices/system/cpu/online)" 0-1,3
        is "cpuinfo skips the offline CPU" \
                "$(view "$C" proc/cpuinfo | awk -F: '/^processor/ { gsub(/ /, "", $2); printf "%s ", $2 }')" "0 1 3 "
        is "the cpu directory skips the offline CPU" \
                "$(in_container "$C" ls "$MNT/sys/devices/system/cpu" | grep -E '^cpu[0-9]+$' | tr '\n' ' ')" "cpu0 cpu1 cpu3 "
        cg_set_cpu_quota "$A" 300000 100000
        is "a 3 CPU quota shows the three online CPUs" "$(view "$C" sys/devices/system/cpu/online)" 0-1,3
        cg_set_cpu_quota "$A" max 100000
        echo 1 >/sys/devices/system/cpu/cpu2/online
        # The kernel updates cpuset.cpus.effective from a work queue after a hotplug.
        for i in $(seq 1 50); do
                [ "$(cat "$CG_ROOT/$C/cpuset.cpus.effective")" = 0-3 ] && break
                sleep 0.1
        done
        # procviewd may serve the host's online list from a short cache.
        for i in $(seq 1 10); do
                online=$(view "$C" sys/devices/system/cpu/online)
                [ "$online" = 0-3 ] && break
                sleep 0.5
        done
        is "the CPU is back after it comes online" "$online" 0-3
else
        diag "cannot take CPU 2 offline; hotplug checks skipped"
fi

# ---- /proc/stat and uptime from cpu.stat ---------------------------------

S=$TEST_ID/stat
cg_create "$S"
cg_set_cpuset "$S" 0-1
out=$(in_container "$S" bash -c "$SPIN; sleep 1; cat '$CG_ROOT/$S/cpu.stat'; echo ---; cat '$MNT/proc/stat'; echo ---; cat '$MNT/proc/uptime'; echo ---; cat '$CG_ROOT/$S/cpu.stat'" spin 30000)
# section N: the lines between the Nth and the next "---" of $out (from 0).
section() { awk -v n="$1" '/^---$/ { s++; next } s == n' <<<"$out"; }
cpustat_before=$(section 0)
stat_out=$(section 1)
uptime_out=$(section 2)
cpustat_after=$(section 3)
usec() { awk -v k="$1" '$1 == k { print int($2 / 10000) }'; }
read -r _ user nice system idle _ <<<"$(grep '^cpu ' <<<"$stat_out")"
diag "stat: user $user, system $system, idle $idle; cpu.stat around it: user $(usec user_usec <<<"$cpustat_before")..$(usec user_usec <<<"$cpustat_after"), system $(usec system_usec <<<"$cpustat_before")..$(usec system_usec <<<"$cpustat_after") in USER_HZ"
ok "the container used CPU time" test "$((user + system))" -gt 0
ok "user time is cpu.stat user_usec in USER_HZ" \
        test "$user" -ge "$(usec user_usec <<<"$cpustat_before")" -a "$user" -le "$(usec user_usec <<<"$cpustat_after")"
ok "system time is cpu.stat system_usec in USER_HZ" \
        test "$system" -ge "$(usec system_usec <<<"$cpustat_before")" -a "$system" -le "$(usec system_usec <<<"$cpustat_after")"
is "nice is 0" "$nice" 0
is "the cpu line is the sum of cpu0 and cpu1" \
        "$(awk '/^cpu[0-9]+ / { u += $2; s += $4; i += $5 } END { print u, s, i }' <<<"$stat_out")" \
        "$user $system $idle"
up=${uptime_out%% *}
up_idle=${uptime_out##* }
diag "uptime: $uptime_out, stat idle $idle"
ok "uptime counts from the container's start" awk -v u="$up" 'BEGIN { exit !(u >= 1 && u < 60) }'
ok "uptime idle is 2 CPUs x uptime - busy" close_to "$up_idle" "$(awk -v u="$up" -v b="$((user + system))" 'BEGIN { print 2 * u - b / 100 }')" 0.5
# stat is read before uptime, up to a second before it in a VM without KVM on
# a loaded host. A unit error would be off by a factor of 100.
ok "stat idle is 2 CPUs x uptime - busy in USER_HZ" close_to "$idle" "$(awk -v u="$up" -v b="$((user + system))" 'BEGIN { print 200 * u - b }')" 200

out=$(in_container "$S" bash -c "cat '$MNT/proc/stat'; $SPIN; cat '$MNT/proc/stat'" spin 10000)
first=$(grep -m1 '^cpu ' <<<"$out")
second=$(grep '^cpu ' <<<"$out" | tail -n 1)
ok "stat counters do not go back between reads" awk -v a="$first" -v b="$second" 'BEGIN {
        n = split(a, x, " "); split(b, y, " ")
        for (i = 2; i <= n; i++) if (y[i] + 0 < x[i] + 0) exit 1 }'

# ---- loadavg: a busy and an idle container -------------------------------
#
# Three busy loops for 40 s: the kernel-style 1-minute average moves
# 1 - exp(-40/60) = 49 % of the way to 3, so it reads about 1.5 by then.

BUSY=$TEST_ID/busy
IDLE=$TEST_ID/idle
cg_create "$BUSY"
cg_create "$IDLE"
in_container "$BUSY" bash -c "for n in 1 2 3; do (while :; do :; done) & done; sleep 40; cat '$MNT/proc/loadavg'; kill %1 %2 %3" \
        >"/tmp/$TEST_ID.busy" &
busy_pid=$!
on_exit "kill $busy_pid"
idle_load=$(in_container "$IDLE" sh -c "sleep 40; cat '$MNT/proc/loadavg'")
wait "$busy_pid"
busy_load=$(cat "/tmp/$TEST_ID.busy")
rm -f "/tmp/$TEST_ID.busy"
diag "busy loadavg: $busy_load; idle loadavg: $idle_load"
ok "the busy container's 1-minute load rises above 0.8" awk -v l="${busy_load%% *}" 'BEGIN { exit !(l > 0.8) }'
ok "the busy container's load stays below its 3 tasks" awk -v l="${busy_load%% *}" 'BEGIN { exit !(l <= 3) }'
# 5 tasks: bash, 3 loops and cat. The reading cat counts as running only
# when the daemon finds it in state R or D, which depends on timing.
ok "the busy container counts its 3 loops running" grep -qE '^[34]/5$' <<<"$(cut -d' ' -f4 <<<"$busy_load")"
ok "the idle container's 1-minute load stays near 0" awk -v l="${idle_load%% *}" 'BEGIN { exit !(l < 0.1) }'

# ---- swap ----------------------------------------------------------------

W=$TEST_ID/swap
cg_create "$W"
if [ "$(wc -l </proc/swaps)" -le 1 ]; then
        is "without swap SwapTotal is 0" "$(meminfo_kb "$W" SwapTotal)" 0
        is "without swap proc/swaps has only its header" "$(view "$W" proc/swaps | wc -l)" 1
fi

swapfile=/var/tmp/$TEST_ID.swap
if dd if=/dev/zero of="$swapfile" bs=1M count=128 status=none && chmod 600 "$swapfile" &&
        mkswap "$swapfile" >/dev/null && swapon "$swapfile"; then
        on_exit "swapoff '$swapfile'; rm -f '$swapfile'"
        host_swap_kb=$(awk '/^SwapTotal:/ { print $2 }' /proc/meminfo)
        diag "host swap: $host_swap_kb kB"

        is "swap.max = max shows the host's SwapTotal" "$(meminfo_kb "$W" SwapTotal)" "$host_swap_kb"
        echo $((32 * 1024 * 1024)) >"$CG_ROOT/$TEST_ID/memory.swap.max"
        is "a 32 MiB swap.max on the parent caps SwapTotal" "$(meminfo_kb "$W" SwapTotal)" 32768
        echo $((16 * 1024 * 1024)) >"$CG_ROOT/$W/memory.swap.max"
        is "a smaller own swap.max wins" "$(meminfo_kb "$W" SwapTotal)" 16384
        swaps=$(view "$W" proc/swaps)
        is "proc/swaps has the header and one line" "$(wc -l <<<"$swaps")" 2
        is "the swap line's size is 16384" "$(awk 'NR == 2 { print $3 }' <<<"$swaps")" 16384
        echo 0 >"$CG_ROOT/$W/memory.swap.max"
        is "swap.max 0 shows no swap" "$(meminfo_kb "$W" SwapTotal)" 0
        is "swap.max 0 leaves only the header in proc/swaps" "$(view "$W" proc/swaps | wc -l)" 1

        # 24 MiB of data under a 16 MiB memory limit is pushed to swap.
        echo max >"$CG_ROOT/$W/memory.swap.max"
        echo max >"$CG_ROOT/$TEST_ID/memory.swap.max"
        cg_set_memory_limit "$W" $((16 * 1024 * 1024))
        out=$(in_container "$W" bash -c "x=\$(head -c 24000000 /dev/zero | tr '\\0' a); cat '$MNT/proc/swaps' '$CG_ROOT/$W/memory.swap.current'; true")
        used_kb=$(awk 'NR == 2 { print $4 }' <<<"$out")
        current_kb=$(($(tail -n 1 <<<"$out") / 1024))
        diag "swap used: $used_kb kB, memory.swap.current: $current_kb kB"
        ok "swapped-out memory shows as used swap" test "${used_kb:-0}" -gt 0
        # Reclaim goes on between the two reads.
        ok "used swap is memory.swap.current" close_to "$used_kb" "$current_kb" 1024
else
        diag "cannot add a swap file on /var/tmp; swap checks with swap skipped"
fi

# ---- diskstats from io.stat ----------------------------------------------

D=$TEST_ID/disk
cg_create "$D"
devnum=$(cat /sys/block/vda/dev)
out=$(in_container "$D" sh -c "dd if=/dev/zero of=/var/tmp/$TEST_ID.io bs=1M count=8 oflag=direct status=none &&
        dd if=/var/tmp/$TEST_ID.io of=/dev/null bs=1M iflag=direct status=none &&
        cat '$MNT/proc/diskstats'; echo ---; cat '$CG_ROOT/$D/io.stat'")
rm -f "/var/tmp/$TEST_ID.io"
diskstats=$(sed '/^---$/,$d' <<<"$out")
iostat=$(sed '1,/^---$/d' <<<"$out" | grep "^$devnum ")
diag "diskstats: $diskstats"
diag "io.stat: $iostat"
is "diskstats shows only vda" "$(awk '{ print $3 }' <<<"$diskstats" | tr '\n' ' ')" "vda "
get() { tr ' ' '\n' <<<"$iostat" | sed -n "s/^$1=//p"; }
read -r _ _ _ reads _ sectors_read _ writes _ sectors_written _ <<<"$diskstats"
is "reads completed are io.stat rios" "$reads" "$(get rios)"
is "sectors read are io.stat rbytes / 512" "$sectors_read" "$(($(get rbytes) / 512))"
is "writes completed are io.stat wios" "$writes" "$(get wios)"
is "sectors written are io.stat wbytes / 512" "$sectors_written" "$(($(get wbytes) / 512))"
ok "the 8 MiB direct write is counted" test "$sectors_written" -ge 16384
ok "the 8 MiB direct read is counted" test "$sectors_read" -ge 16384

# ---- a runc container started by procview run ----------------------------

STATE=$(mktemp -d "/tmp/$TEST_ID-state.XXXXXX")
on_exit "rm -rf '$STATE'"
out=$("$PROCVIEW" run --runtime runc --runtime-root "$STATE" --name "$TEST_ID-runc" -m 50m --cpus 1 \
        --views "$MNT" busybox -- sh -c \
        'head -1 /proc/meminfo; grep -c ^processor /proc/cpuinfo; cat /sys/devices/system/cpu/online; grep -c "^cpu[0-9]" /proc/stat; cat /proc/uptime' \
        </dev/null 2>"/tmp/$TEST_ID.err")
diag "procview run: $(tr '\n' '|' <<<"$out") stderr: $(tr '\n' '|' <"/tmp/$TEST_ID.err")"
is "runc: MemTotal is 51200 kB" "$(sed -n 1p <<<"$out")" "MemTotal:          51200 kB"
is "runc: cpuinfo shows one processor" "$(sed -n 2p <<<"$out")" 1
is "runc: one CPU is online" "$(sed -n 3p <<<"$out")" 0
is "runc: stat has one cpuN line" "$(sed -n 4p <<<"$out")" 1
ok "runc: uptime starts with the container" awk -v u="$(sed -n 5p <<<"$out" | cut -d' ' -f1)" 'BEGIN { exit !(u < 10) }'

out=$("$PROCVIEW" run --runtime runc --runtime-root "$STATE" --name "$TEST_ID-runc2" -m 50m --cpus 1 \
        --cpuset-cpus 1,3 --views "$MNT" busybox -- cat /sys/devices/system/cpu/online </dev/null 2>"/tmp/$TEST_ID.err")
rm -f "/tmp/$TEST_ID.err"
is "runc: --cpus 1 on cpuset 1,3 shows CPU 1" "$out" 1
ok "runc: no container cgroup is left" sh -c "! ls '$CG_ROOT/procview' 2>/dev/null | grep -q '$TEST_ID'"

# ---- a worker crash on a kernel without FUSE_NOTIFY_RESEND ---------------

# Linux 6.1 cannot resend the requests a dead worker had read, so they fail
# with EIO or ECONNABORTED: a read may fail, but none may hang.
ok "the daemon warns that this kernel cannot resend requests" grep -q "cannot resend FUSE requests" "$DAEMON_LOG"

READLOOP=$BUILD/tests/integration/readloop
cg_create "$TEST_ID/crash"
loop_pids=()
for i in 1 2 3 4; do
        in_container "$TEST_ID/crash" "$READLOOP" 8 "$MNT/proc/meminfo" "$MNT/proc/stat" "$MNT/proc/loadavg" \
                >"/tmp/$TEST_ID.loop$i" 2>&1 &
        loop_pids+=($!)
done
on_exit "rm -f /tmp/$TEST_ID.loop*"
sleep 2
killed_before=$(grep -c 'was killed by signal' "$DAEMON_LOG")
for k in 1 2 3; do
        kill -KILL "$(pgrep -P "$DAEMON_PID" -x procview-worker | head -n 1)"
        sleep 1.5
done
# Only the readers: a bare wait would also wait for the daemon.
wait "${loop_pids[@]}"
max=0
for i in 1 2 3 4; do
        latency=$(sed -n 's/.*max_latency_ms=\([0-9]*\).*/\1/p' "/tmp/$TEST_ID.loop$i")
        [ -n "$latency" ] && [ "$latency" -gt "$max" ] && max=$latency
done
crash_errors='Input/output error|Software caused connection abort'
diag "old kernel, worker killed 3 times: $(cat /tmp/$TEST_ID.loop* | grep -cE "$crash_errors") reads failed, longest read ${max} ms"
is "old kernel: the worker was killed 3 times" "$(($(grep -c 'was killed by signal' "$DAEMON_LOG") - killed_before))" 3
ok "old kernel: every reader finished" test "$(cat /tmp/$TEST_ID.loop* | grep -c '^reads=')" -eq 4
ok "old kernel: no read hung (longest under 5 s)" test "$max" -lt 5000
ok "old kernel: reads fail only with EIO or ECONNABORTED" \
        sh -c "! cat /tmp/$TEST_ID.loop* | grep '^readloop:' | grep -vE '$crash_errors'"
is "old kernel: the views serve again after the crashes" "$(view "$TEST_ID/crash" proc/meminfo | head -1 | cut -d: -f1)" MemTotal

stop_daemon
done_testing
