#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The demo: mount the views on a temporary directory, start a busybox
# container limited to 50 MiB and one CPU, and show what it reads in /proc
# next to what the host reads. Cleans up after itself, also on Ctrl-C.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${PROCVIEW_BUILD:-$top/build}

if [ "$(id -u)" -ne 0 ]; then
        echo "demo: run as root; procviewd mounts a FUSE file system and runc starts a container." >&2
        exit 1
fi

mnt=$(mktemp -d /tmp/procview-demo.XXXXXX)
state=$(mktemp -d /tmp/procview-demo-state.XXXXXX)
daemon_pid=""

cleanup() {
        if [ -n "$daemon_pid" ]; then
                kill -TERM "$daemon_pid" 2>/dev/null || true
                wait "$daemon_pid" 2>/dev/null || true
        fi
        if grep -q " $mnt " /proc/self/mountinfo; then
                umount -l "$mnt"
        fi
        rmdir "$mnt" 2>/dev/null || true
        rm -rf "$state"
}
trap cleanup EXIT

# A socket of its own, so the demo never takes over a running daemon's.
seccomp_socket=$state/seccomp.sock
"$build/procviewd" --seccomp-socket="$seccomp_socket" "$mnt" &
daemon_pid=$!
for _ in $(seq 1 100); do
        [ -r "$mnt/proc/meminfo" ] && break
        sleep 0.05
done

show() {
        echo "head -5 /proc/meminfo:"
        head -5 /proc/meminfo | sed 's/^/    /'
        echo "/proc/uptime:   $(cat /proc/uptime)"
        echo "CPUs:           $(grep -c ^processor /proc/cpuinfo) in /proc/cpuinfo, online: $(cat /sys/devices/system/cpu/online)"
        echo "/proc/loadavg:  $(cat /proc/loadavg)"
        echo "busybox free (sysinfo):"
        busybox free | sed 's/^/    /'
}

echo "=== On the host"
show

echo
echo "=== Inside 'procview run -m 50m --cpus 1 busybox'"
"$build/procview" run -m 50m --cpus 1 --views "$mnt" --runtime-root "$state" \
        --seccomp-socket "$seccomp_socket" busybox -- sh -c '
        echo "head -5 /proc/meminfo:"
        head -5 /proc/meminfo | sed "s/^/    /"
        echo "/proc/uptime:   $(cat /proc/uptime)"
        echo "CPUs:           $(grep -c ^processor /proc/cpuinfo) in /proc/cpuinfo, online: $(cat /sys/devices/system/cpu/online)"
        echo "/proc/loadavg:  $(cat /proc/loadavg)"
        echo "busybox free (sysinfo):"
        free | sed "s/^/    /"'
