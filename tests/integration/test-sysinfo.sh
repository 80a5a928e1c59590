#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Root integration test of sysinfo(2) in containers, answered by procviewd's
# seccomp agent: busybox free and uptime, glibc's sysconf(_SC_PHYS_PAGES),
# 16 threads calling sysinfo() while the worker is killed, --no-sysinfo and a
# missing socket, and "procview spec add" on a config whose seccomp profile
# must be extended, not replaced. The daemon listens on a socket of this run,
# never on the default /run/procview/seccomp.sock.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_root

HELPERS=$BUILD/tests/integration
LIMIT_BYTES=52428800
HOST_TOTAL_KB=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)

WORK=$(mktemp -d "/tmp/$TEST_ID.XXXXXX")
on_exit "rm -rf '$WORK'"
# The containers' cgroups sit under $TEST_ID; remove it after them.
on_exit "rmdir /sys/fs/cgroup/*/$TEST_ID /sys/fs/cgroup/$TEST_ID 2>/dev/null"
SOCKET=$WORK/seccomp.sock

start_daemon_or_bail "--seccomp-socket=$SOCKET"

# A root file system whose /usr is the host's, so the dynamically linked helpers run.
ROOTFS=$WORK/rootfs
mkdir -p "$ROOTFS"/{usr,proc,sys,dev,tmp,etc,root,helpers}
for d in bin sbin lib lib64; do
        ln -s "usr/$d" "$ROOTFS/$d"
done

# pv RUNTIME ARGS...: "procview run" with this run's views, socket, state directory and a new name.
pv() {
        local runtime=$1 name="$TEST_ID-$1-$RANDOM"
        shift
        on_exit "$runtime --root '$WORK/$runtime' delete --force '$name'"
        "$PROCVIEW" run --runtime "$runtime" --runtime-root "$WORK/$runtime" --name "$name" \
                --views "$MNT" --seccomp-socket "$SOCKET" "$@" </dev/null
}

# pv_helpers RUNTIME ARGS...: pv with the helpers at /helpers in the /usr root file system.
pv_helpers() {
        local runtime=$1
        shift
        pv "$runtime" -v /usr:/usr:ro -v "$HELPERS:/helpers:ro" "$@"
}

mem_total() {
        awk '/^Mem:/ { print $2 }'
}

# ---- the container's values, with both runtimes -------------------------

for runtime in runc crun; do
        out=$(pv "$runtime" -m 50m --cpus 1 busybox -- free)
        is "$runtime: busybox free total is 51200 kB" "$(mem_total <<<"$out")" 51200

        out=$(pv "$runtime" -m 50m --cpus 1 busybox -- uptime)
        diag "$runtime uptime: $out"
        ok "$runtime: busybox uptime is up 0 min" grep -qE 'up +0 min' <<<"$out"

        out=$(pv_helpers "$runtime" -m 50m --cpus 1 "$ROOTFS" -- /helpers/sysconf-pages)
        is "$runtime: sysconf physical memory is the limit" "$out" "$LIMIT_BYTES"
done

# ---- no change without the rule ------------------------------------------

out=$(pv runc -m 50m --no-sysinfo busybox -- free 2>"$WORK/stderr")
is "--no-sysinfo: free shows the host's total" "$(mem_total <<<"$out")" "$HOST_TOTAL_KB"
is "--no-sysinfo: no notice" "$(cat "$WORK/stderr")" ""

out=$(pv runc -m 50m --seccomp-socket "$WORK/missing.sock" busybox -- free 2>"$WORK/stderr")
is "missing socket: free shows the host's total" "$(mem_total <<<"$out")" "$HOST_TOTAL_KB"
is "missing socket: one notice" "$(grep -c "No procviewd listens on '$WORK/missing.sock'" "$WORK/stderr")" 1

# A socket file that nobody listens on, as a killed daemon leaves it: runc would reject the container.
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$WORK/stale.sock"
out=$(pv runc -m 50m --seccomp-socket "$WORK/stale.sock" busybox -- free 2>/dev/null)
is "stale socket: container runs with the host's total" "$(mem_total <<<"$out")" "$HOST_TOTAL_KB"

# ---- 16 threads while the worker is killed --------------------------------

pv_helpers runc -m 50m "$ROOTFS" -- /helpers/sysinfo-loop 16 12 "$LIMIT_BYTES" >"$WORK/loop.out" 2>&1 &
LOOP_PID=$!
on_exit "kill $LOOP_PID"
sleep 1.5
kills=0
for i in 1 2 3 4 5; do
        worker=$(pgrep -P "$DAEMON_PID" -x procview-worker)
        if [ -n "$worker" ] && kill -KILL "$worker"; then
                kills=$((kills + 1))
        fi
        sleep 1.5
done
# A sysinfo() call that nobody answers would block forever, so wait with a deadline.
for i in $(seq 1 60); do
        kill -0 "$LOOP_PID" 2>/dev/null || break
        sleep 1
done
if kill -0 "$LOOP_PID" 2>/dev/null; then
        diag "sysinfo-loop still runs 60 s after its end; stopping it"
        kill -TERM "$LOOP_PID"
fi
wait "$LOOP_PID"
status=$?
diag "sysinfo-loop: $(cat "$WORK/loop.out")"
is "worker killed 5 times" "$kills" 5
is "16 threads: no wrong, slow or failed call" "$status" 0
ok "16 threads: calls were made" grep -qE 'calls=[1-9]' "$WORK/loop.out"
ok "daemon still serves" test -r "$MNT/proc/meminfo"

# ---- a worker killed right after it receives a call -----------------------

# The worker kills itself right after it receives its second notification,
# before it does anything else with it. The next worker must respond to that call.
stop_daemon
PROCVIEW_TEST_KILL_AFTER_RECEIVE=2 start_daemon_or_bail "--seccomp-socket=$SOCKET"
pv runc -m 50m busybox -- sh -c 'free; free' >"$WORK/twice.out" 2>&1 &
TWICE_PID=$!
on_exit "kill $TWICE_PID 2>/dev/null"
for _ in $(seq 1 300); do
        kill -0 "$TWICE_PID" 2>/dev/null || break
        sleep 0.1
done
ok "call received before a kill returns" sh -c "! kill -0 $TWICE_PID 2>/dev/null"
totals=$(mem_total <"$WORK/twice.out" | tr '\n' ' ')
is "both calls show the limit" "$totals" "51200 51200 "
ok "daemon logs the kill" grep -q "as PROCVIEW_TEST_KILL_AFTER_RECEIVE requests" "$DAEMON_LOG"
ok "next worker answers the call" grep -q "that an earlier worker did not respond to" "$DAEMON_LOG"
stop_daemon
start_daemon_or_bail "--seccomp-socket=$SOCKET"

# ---- procview spec add ----------------------------------------------------

# write_bundle DIR COMMAND: a bundle of the busybox root file system whose
# seccomp profile lets sysinfo through and makes mkdir fail with EACCES.
write_bundle() {
        local bundle=$1 command=$2
        mkdir -p "$bundle/rootfs/bin"
        cp /bin/busybox "$bundle/rootfs/bin/busybox"
        ln -sf busybox "$bundle/rootfs/bin/sh"
        cat >"$bundle/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": { "uid": 0, "gid": 0 },
    "args": [ "/bin/busybox", "sh", "-c", "$command" ],
    "env": [ "PATH=/bin" ],
    "cwd": "/",
    "noNewPrivileges": true
  },
  "root": { "path": "rootfs", "readonly": false },
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": [ "nosuid", "mode=755" ] },
    { "destination": "/sys", "type": "sysfs", "source": "sysfs", "options": [ "nosuid", "noexec", "nodev", "ro" ] }
  ],
  "linux": {
    "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "ipc" }, { "type": "uts" } ],
    "resources": { "memory": { "limit": $LIMIT_BYTES } },
    "cgroupsPath": "/$TEST_ID/$(basename "$bundle")",
    "seccomp": {
      "defaultAction": "SCMP_ACT_ALLOW",
      "architectures": [ "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32" ],
      "syscalls": [
        { "names": [ "mkdir", "mkdirat" ], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 },
        { "names": [ "sysinfo", "uname" ], "action": "SCMP_ACT_ALLOW" }
      ]
    }
  }
}
EOF
}

BUNDLE=$WORK/$TEST_ID-spec
write_bundle "$BUNDLE" 'free; mkdir /new; echo mkdir=$?'
"$PROCVIEW" spec add "$BUNDLE/config.json" --views "$MNT" --seccomp-socket "$SOCKET" --no-hook
is "spec add: exit status" "$?" 0
cp "$BUNDLE/config.json" "$WORK/first.json"
"$PROCVIEW" spec add "$BUNDLE/config.json" --views "$MNT" --seccomp-socket "$SOCKET" --no-hook
ok "spec add twice: same file" cmp -s "$WORK/first.json" "$BUNDLE/config.json"
is "spec add: one notify rule" "$(jq '[.linux.seccomp.syscalls[] | select(.action == "SCMP_ACT_NOTIFY")] | length' "$BUNDLE/config.json")" 1
is "spec add: sysinfo only in the notify rule" \
        "$(jq -c '[.linux.seccomp.syscalls[] | select(.names | index("sysinfo")) | .action]' "$BUNDLE/config.json")" \
        '["SCMP_ACT_NOTIFY"]'
is "spec add: uname still allowed" \
        "$(jq -c '[.linux.seccomp.syscalls[] | select(.names | index("uname")) | .action]' "$BUNDLE/config.json")" \
        '["SCMP_ACT_ALLOW"]'
is "spec add: listenerPath" "$(jq -r .linux.seccomp.listenerPath "$BUNDLE/config.json")" "$SOCKET"

for runtime in runc crun; do
        name=$(basename "$BUNDLE")-$runtime
        on_exit "$runtime --root '$WORK/$runtime' delete --force '$name'"
        if [ "$runtime" = crun ]; then
                out=$(unshare -m sh -c '
                        mount --make-rprivate /
                        if [ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
                                umount -l /sys/fs/cgroup/unified
                        fi
                        exec crun "$@"' sh --root "$WORK/crun" run --bundle "$BUNDLE" "$name" </dev/null 2>&1)
        else
                out=$(runc --root "$WORK/runc" run --bundle "$BUNDLE" "$name" </dev/null 2>&1)
        fi
        is "spec add, $runtime: free total is 51200 kB" "$(mem_total <<<"$out")" 51200
        is "spec add, $runtime: mkdir still fails" "$(grep -o 'mkdir=[0-9]*' <<<"$out")" mkdir=1
done

# A profile with another agent keeps it, and sysinfo stays with the kernel.
jq '.linux.seccomp.listenerPath = "/run/other-agent.sock" | del(.linux.seccomp.syscalls[] | select(.action == "SCMP_ACT_NOTIFY"))' \
        "$WORK/first.json" >"$BUNDLE/config.json"
out=$("$PROCVIEW" spec add "$BUNDLE/config.json" --views "$MNT" --seccomp-socket "$SOCKET" --no-hook 2>&1)
ok "other listener: warning" grep -q "already sends seccomp notifications to '/run/other-agent.sock'" <<<"$out"
is "other listener: kept" "$(jq -r .linux.seccomp.listenerPath "$BUNDLE/config.json")" /run/other-agent.sock
is "other listener: no notify rule" \
        "$(jq '[.linux.seccomp.syscalls[] | select(.action == "SCMP_ACT_NOTIFY")] | length' "$BUNDLE/config.json")" 0

# --no-sysinfo leaves the profile as it was.
write_bundle "$BUNDLE" true
cp "$BUNDLE/config.json" "$WORK/plain.json"
"$PROCVIEW" spec add "$BUNDLE/config.json" --views "$MNT" --no-hook --no-sysinfo
is "spec add --no-sysinfo: profile unchanged" "$(jq -c .linux.seccomp "$BUNDLE/config.json")" \
        "$(jq -c .linux.seccomp "$WORK/plain.json")"

done_testing
