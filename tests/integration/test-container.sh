#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Real containers started by `procview run` read their own /proc through a
# real procviewd mount: the busybox rootfs, and a rootfs that borrows the
# host's /usr so that procps, util-linux and glibc's tools run inside.
source "$(dirname "$0")/lib.sh"
require_root

STATE=$(mktemp -d "/tmp/$TEST_ID-state.XXXXXX")
on_exit "rm -rf '$STATE'"

start_daemon_or_bail

# run_in RUNTIME ROOTFS COMMAND...: a 50 MiB, 1 CPU container on CPUs 0-1.
run_in() {
        local runtime=$1 rootfs=$2
        shift 2
        "$PROCVIEW" run --runtime "$runtime" --runtime-root "$STATE/$runtime" --name "$TEST_ID-$RANDOM" \
                -m 50m --cpus 1 --cpuset-cpus 0-1 --views "$MNT" -v /usr:/usr:ro "$rootfs" -- "$@" </dev/null
}

run_busybox() {
        local runtime=$1
        shift
        "$PROCVIEW" run --runtime "$runtime" --runtime-root "$STATE/$runtime" --name "$TEST_ID-$RANDOM" \
                -m 50m --cpus 1 --cpuset-cpus 0-1 --views "$MNT" busybox -- "$@" </dev/null
}

# A root file system whose /usr is the host's, bound read-only by procview run.
ROOTFS=$(mktemp -d "/tmp/$TEST_ID-rootfs.XXXXXX")
on_exit "rm -rf '$ROOTFS'"
mkdir -p "$ROOTFS"/{usr,proc,sys,dev,tmp,etc,root}
for d in bin sbin lib lib64; do
        ln -s "usr/$d" "$ROOTFS/$d"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$ROOTFS/etc/passwd"
echo 'root:x:0:' >"$ROOTFS/etc/group"

# ---- the main job with both runtimes ------------------------------------

for runtime in runc crun; do
        out=$(run_busybox "$runtime" sh -c \
                'head -1 /proc/meminfo; grep -c ^processor /proc/cpuinfo; cat /sys/devices/system/cpu/online')
        is "$runtime: busybox container reads MemTotal 51200 kB" "$(sed -n 1p <<<"$out")" "MemTotal:          51200 kB"
        is "$runtime: busybox container counts one processor" "$(sed -n 2p <<<"$out")" 1
        is "$runtime: busybox container has one CPU online" "$(sed -n 3p <<<"$out")" 0
done

# ---- host tools inside the container ------------------------------------

out=$(run_in runc "$ROOTFS" free -k)
is "free reports 51200 kB total" "$(awk '/^Mem:/ { print $2 }' <<<"$out")" 51200

out=$(run_in runc "$ROOTFS" top -bn1 -E k)
diag "top: $(grep 'Mem :' <<<"$out")"
ok "top reports 51200 KiB of memory" grep -qE 'KiB Mem : +51200(\.0)? total' <<<"$out"

out=$(run_in runc "$ROOTFS" vmstat -s)
is "vmstat reports 51200 K total memory" "$(awk '/total memory/ { print $1 }' <<<"$out")" 51200

out=$(run_in runc "$ROOTFS" uptime)
diag "uptime: $out"
ok "uptime reports a fresh container" grep -qE 'up +0 min' <<<"$out"

out=$(run_in runc "$ROOTFS" lscpu)
is "lscpu counts one CPU" "$(awk -F: '/^CPU\(s\):/ { gsub(/ /, "", $2); print $2 }' <<<"$out")" 1
is "lscpu lists CPU 0 online" "$(awk -F: '/^On-line CPU\(s\) list:/ { gsub(/ /, "", $2); print $2 }' <<<"$out")" 0

out=$(run_in runc "$ROOTFS" getconf _NPROCESSORS_ONLN)
is "getconf _NPROCESSORS_ONLN is 1" "$out" 1
out=$(run_in runc "$ROOTFS" getconf _NPROCESSORS_CONF)
is "getconf _NPROCESSORS_CONF is 1" "$out" 1

out=$(run_in runc "$ROOTFS" sh -c 'sleep 1; cat /proc/uptime')
ok "uptime inside is about one second" awk -v u="${out%% *}" 'BEGIN { exit !(u >= 0.9 && u < 5) }'

# ---- clean-up -----------------------------------------------------------

ok "no container state is left" sh -c "! find '$STATE' -mindepth 2 | grep -q ."
ok "no container cgroup is left" sh -c "! ls /sys/fs/cgroup/memory/procview 2>/dev/null | grep -q '$TEST_ID'"

done_testing
