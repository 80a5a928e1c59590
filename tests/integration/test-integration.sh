#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Root integration test of the ways operators add procview to their own
# runtimes: the OCI hook with runc and crun, "procview spec add",
# "procview mounts --oci", "procview ps", and reattaching the views after
# procviewd was killed, for one container, for 20 at once and for one that
# exits meanwhile. Also checks that the hook rejects a root file system whose
# /proc/meminfo is a symbolic link to a host file.
#
# Containers run straight from runc and crun with bundles written here, each
# named after this run and deleted on exit.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_root

for rt in runc crun busybox; do
        if ! command -v "$rt" >/dev/null; then
                echo "1..0 # SKIP $rt is not installed"
                exit 0
        fi
done

WORK=$(mktemp -d "/tmp/$TEST_ID.XXXXXX")
on_exit "rm -rf '$WORK'"
REGISTRY=/run/procview/containers
ROOTFS=$WORK/rootfs
LIMIT_LINE="MemTotal:          51200 kB"

# ---- bundles and runtimes -------------------------------------------------

# A read-only busybox root shared by every container of this run.
make_rootfs() {
        local applet
        mkdir -p "$ROOTFS/bin" "$ROOTFS/proc" "$ROOTFS/sys" "$ROOTFS/dev" "$ROOTFS/tmp" || return 1
        cp "$(command -v busybox)" "$ROOTFS/bin/busybox" || return 1
        for applet in sh cat head grep sleep wc; do
                ln -sf busybox "$ROOTFS/bin/$applet"
        done
}

# write_config BUNDLE NAME COMMAND [EXTRA_MOUNTS [HOOKS]]: write BUNDLE/config.json
# for a container with a 50 MiB memory limit running "sh -c COMMAND". EXTRA_MOUNTS
# is JSON text appended to the mounts array, HOOKS the value of "hooks".
write_config() {
        local bundle=$1 name=$2 command=$3 extra=${4:-} hooks=${5:-"{}"}
        mkdir -p "$bundle"
        cat >"$bundle/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": { "uid": 0, "gid": 0 },
    "args": [ "sh", "-c", "$command" ],
    "env": [ "PATH=/bin" ],
    "cwd": "/",
    "noNewPrivileges": true
  },
  "root": { "path": "$ROOTFS", "readonly": true },
  "hostname": "$name",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": [ "nosuid", "mode=755" ] },
    { "destination": "/sys", "type": "sysfs", "source": "sysfs", "options": [ "nosuid", "noexec", "nodev", "ro" ] }
    ${extra:+,$extra}
  ],
  "hooks": $hooks,
  "linux": {
    "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "ipc" }, { "type": "uts" } ],
    "resources": { "memory": { "limit": 52428800 } },
    "cgroupsPath": "/$TEST_ID/$name"
  }
}
EOF
}

# The createContainer hook as a config.json "hooks" value.
hook_json() {
        printf '{ "createContainer": [ { "path": "%s", "args": [ "procview", "hook", "--views", "%s" ] } ] }' \
                "$PROCVIEW" "$MNT"
}

# crun 1.8 rejects a hybrid cgroup layout, so it runs in a private mount
# namespace without the cgroup2 mount, as "procview run" does it.
crun_private() {
        unshare -m sh -c '
                mount --make-rprivate /
                if [ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
                        umount -l /sys/fs/cgroup/unified
                fi
                exec crun "$@"' sh "$@"
}

# rt RUNTIME ARGS...: RUNTIME with this run's state directory.
rt() {
        local runtime=$1
        shift
        if [ "$runtime" = crun ]; then
                crun_private --root "$WORK/crun" "$@"
        else
                runc --root "$WORK/runc" "$@"
        fi
}

# use_container RUNTIME SUFFIX: set NAME and BUNDLE, and delete the container on exit.
use_container() {
        NAME="$TEST_ID-$2"
        BUNDLE="$WORK/bundle-$2"
        on_exit "rt $1 delete --force '$NAME'; rm -f '$REGISTRY/$NAME.json'"
}

# start_background RUNTIME NAME BUNDLE: "run" the container in the background
# and wait until it is running and recorded.
start_background() {
        local i
        rt "$1" run --bundle "$3" "$2" </dev/null >/dev/null 2>"$3.err" &
        for i in $(seq 200); do
                rt "$1" state "$2" 2>/dev/null | grep -q '"status": "running"' && [ -e "$REGISTRY/$2.json" ] && return 0
                sleep 0.05
        done
        diag "container $2 did not start:"
        sed 's/^/#   /' "$3.err"
        return 1
}

# container_pid NAME: the host pid of the container's init, from its record.
container_pid() {
        sed -n 's/.*"pid":\([0-9]*\).*/\1/p' "$REGISTRY/$1.json"
}

# state_of NAME [DIR]: the STATE column of "procview ps" for NAME.
state_of() {
        "$PROCVIEW" ps --views "${2:-$MNT}" | awk -v id="$1" '$1 == id { print $3 }'
}

# kill_daemon_hard: SIGKILL procviewd and lazily unmount its dead mount, keeping the directory.
kill_daemon_hard() {
        kill -KILL "$DAEMON_PID"
        wait "$DAEMON_PID" 2>/dev/null
        DAEMON_PID=""
        umount -l "$MNT"
}

# ---- the tests --------------------------------------------------------------

test_hook() {
        local runtime=$1 out

        use_container "$runtime" "hook-$runtime"
        write_config "$BUNDLE" "$NAME" 'head -1 /proc/meminfo; grep -c fuse.procview /proc/self/mountinfo' "" "$(hook_json)"
        out=$(rt "$runtime" run --bundle "$BUNDLE" "$NAME" </dev/null 2>&1)
        is "$runtime hook: meminfo view" "$(sed -n 1p <<<"$out")" "$LIMIT_LINE"
        is "$runtime hook: eight views bound" "$(sed -n 2p <<<"$out")" 8
}

# The hook run by hand against a running container: nothing new is bound, and it is fast.
test_hook_again() {
        local pid count_before count_after start end

        use_container runc hook-twice
        write_config "$BUNDLE" "$NAME" 'sleep 1000' "" "$(hook_json)"
        ok "hook twice: container started" start_background runc "$NAME" "$BUNDLE"
        pid=$(container_pid "$NAME")
        count_before=$(grep -c fuse.procview "/proc/$pid/mountinfo")

        start=$(date +%s%N)
        printf '{"ociVersion":"1.0.2","id":"%s","status":"running","pid":%s,"bundle":"%s"}' "$NAME" "$pid" "$BUNDLE" |
                "$PROCVIEW" hook --views "$MNT"
        is "hook twice: exit status" "$?" 0
        end=$(date +%s%N)

        count_after=$(grep -c fuse.procview "/proc/$pid/mountinfo")
        is "hook twice: no mount added" "$count_after" "$count_before"
        ok "hook twice: under one second" test $(((end - start) / 1000000)) -lt 1000
        rt runc delete --force "$NAME"
}

test_hook_fails_open() {
        local out status

        mkdir -p "$WORK/not-mounted"
        out=$(printf '{"ociVersion":"1.0.2","id":"x","pid":0,"bundle":"%s"}' "$WORK" |
                "$PROCVIEW" hook --views "$WORK/not-mounted" 2>&1)
        status=$?
        is "hook without daemon: exit status" "$status" 0
        ok "hook without daemon: warning" grep -q "not mounted at '$WORK/not-mounted'" <<<"$out"
}

test_spec_add() {
        local out

        use_container runc spec
        write_config "$BUNDLE" "$NAME" 'head -1 /proc/meminfo; grep -c fuse.procview /proc/self/mountinfo'
        "$PROCVIEW" spec add "$BUNDLE/config.json" --views "$MNT"
        is "spec add: exit status" "$?" 0
        "$PROCVIEW" spec add "$BUNDLE/config.json" --views "$MNT"
        is "spec add twice: one meminfo mount" "$(grep -c '"destination":"/proc/meminfo"' "$BUNDLE/config.json")" 1
        is "spec add twice: eight view mounts" "$(grep -c "\"source\":\"$MNT/" "$BUNDLE/config.json")" 8
        is "spec add twice: one hook" "$(grep -c '"hook"' "$BUNDLE/config.json")" 1
        ok "spec add: memory limit kept" grep -q '"limit":52428800' "$BUNDLE/config.json"

        out=$(runc --root "$WORK/runc" run --bundle "$BUNDLE" "$NAME" </dev/null 2>&1)
        is "spec add: runc reads the meminfo view" "$(sed -n 1p <<<"$out")" "$LIMIT_LINE"
        is "spec add: eight views bound" "$(sed -n 2p <<<"$out")" 8
}

# A config.json that is a symbolic link stays one; the file it points to
# gets the mounts and keeps its mode and owner.
test_spec_add_symlink() {
        local dir=$WORK/linked

        mkdir -p "$dir/configs"
        echo '{"ociVersion":"1.0.2","root":{"path":"rootfs"},"linux":{}}' >"$dir/configs/real.json"
        chmod 0640 "$dir/configs/real.json"
        chown 65534:65534 "$dir/configs/real.json"
        ln -s configs/real.json "$dir/config.json"

        "$PROCVIEW" spec add "$dir/config.json" --views "$MNT" --no-sysinfo
        is "spec add through a link: exit status" "$?" 0
        ok "spec add through a link: still a link" test -L "$dir/config.json"
        is "spec add through a link: target has the views" \
                "$(grep -c "\"source\":\"$MNT/" "$dir/configs/real.json")" 8
        is "spec add through a link: mode kept" "$(stat -c %a "$dir/configs/real.json")" 640
        is "spec add through a link: owner kept" "$(stat -c %u:%g "$dir/configs/real.json")" 65534:65534
        is "spec add through a link: no temporary file" "$(ls "$dir" "$dir/configs" | grep -c XXXXXX\|json\.)" 0
        rm -rf "$dir"
}

# A config that cannot be read or parsed gets a message that names it and the reason.
test_spec_add_errors() {
        local dir=$WORK/bad-configs out

        mkdir -p "$dir/dir.json"
        ln -s missing.json "$dir/dangling.json"
        printf '{"ociVersion":' >"$dir/truncated.json"

        out=$("$PROCVIEW" spec add "$dir/dangling.json" --views "$MNT" --no-sysinfo 2>&1)
        is "spec add dangling link: exit status" "$?" 1
        ok "spec add dangling link: message" grep -qF "Failed to read the OCI config '$dir/dangling.json': No such file" <<<"$out"
        out=$("$PROCVIEW" spec add "$dir/dir.json" --views "$MNT" --no-sysinfo 2>&1)
        ok "spec add directory: message" grep -qF "'$dir/dir.json': Is a directory" <<<"$out"
        out=$("$PROCVIEW" spec add "$dir/truncated.json" --views "$MNT" --no-sysinfo 2>&1)
        is "spec add truncated: exit status" "$?" 1
        ok "spec add truncated: message" grep -qF "Invalid OCI config '$dir/truncated.json': invalid JSON" <<<"$out"
        rm -rf "$dir"
}

# The hook names the binary by path. When an upgrade replaces the binary
# while "spec add" runs, the path must name the new binary, without the
# " (deleted)" that /proc/self/exe then shows.
test_spec_add_upgraded() {
        local dir=$WORK/upgrade

        mkdir -p "$dir"
        cp "$PROCVIEW" "$dir/procview"
        mkfifo "$dir/config.json"
        timeout 10 "$dir/procview" spec add "$dir/config.json" --views "$MNT" --no-sysinfo >/dev/null 2>&1 &
        local pid=$!
        # spec add now waits to read the FIFO. Replace its binary, then feed it.
        sleep 0.3
        cp "$PROCVIEW" "$dir/procview.new"
        mv "$dir/procview.new" "$dir/procview"
        timeout 5 sh -c "echo '{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"linux\":{}}' >'$dir/config.json'"
        wait "$pid"
        is "spec add during an upgrade: exit status" "$?" 0
        ok "spec add during an upgrade: hook names the binary's path" \
                grep -qF "\"path\":\"$dir/procview\"" "$dir/config.json"
        rm -rf "$dir"
}

test_mounts() {
        local oci flags out dir

        flags=$("$PROCVIEW" mounts --docker --views "$MNT")
        is "mounts --docker: one line" "$(wc -l <<<"$flags")" 1
        ok "mounts --docker: meminfo flag" grep -qF -- "-v $MNT/proc/meminfo:/proc/meminfo:ro" <<<"$flags"
        is "mounts --podman: same flags" "$("$PROCVIEW" mounts --podman --views "$MNT")" "$flags"
        for dir in "$WORK/two words" "$WORK/a:b" "$WORK/glob*"; do
                out=$("$PROCVIEW" mounts --docker --views "$dir" 2>&1)
                is "mounts --docker '${dir##*/}': exit status" "$?" 2
                ok "mounts --docker '${dir##*/}': message" grep -qF "Invalid views directory '$dir' for -v flags" <<<"$out"
        done
        ok "mounts --oci: path with a space" "$PROCVIEW" mounts --oci --views "$WORK/two words"

        oci=$("$PROCVIEW" mounts --oci --views "$MNT")
        use_container runc mounts
        # Drop the array's brackets, so the entries follow the /proc and /sys mounts.
        write_config "$BUNDLE" "$NAME" 'head -1 /proc/meminfo' "$(sed '1d;$d' <<<"$oci")"
        out=$(runc --root "$WORK/runc" run --bundle "$BUNDLE" "$NAME" </dev/null 2>&1)
        is "mounts --oci: runc reads the meminfo view" "$out" "$LIMIT_LINE"
}

# ps states, then SIGKILL the daemon, restart it on the same directory and reattach.
test_ps_and_restart() {
        local name bundle pid out

        use_container runc restart
        name=$NAME
        bundle=$BUNDLE
        write_config "$bundle" "$name" 'sleep 1000' "" "$(hook_json)"
        ok "restart: container started" start_background runc "$name" "$bundle"
        is "ps: state ok" "$(state_of "$name")" ok

        kill_daemon_hard
        is "ps: state stale after SIGKILL" "$(state_of "$name")" stale
        out=$(runc --root "$WORK/runc" exec "$name" head -1 /proc/meminfo 2>&1)
        ok "restart: dead view fails" grep -q "Transport endpoint is not connected" <<<"$out"

        ok "restart: daemon on the same directory" start_daemon_at "$MNT"
        "$PROCVIEW" reattach --all --views "$MNT" >/dev/null
        is "reattach --all: exit status" "$?" 0
        is "reattach --all: meminfo view again" "$(runc --root "$WORK/runc" exec "$name" head -1 /proc/meminfo 2>&1)" \
                "$LIMIT_LINE"
        is "ps: state ok after reattach" "$(state_of "$name")" ok

        pid=$(container_pid "$name")
        kill -KILL "$pid"
        for _ in $(seq 100); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.05
        done
        is "ps: state gone after exit" "$(state_of "$name")" gone
        ok "ps: gone record deleted" test ! -e "$REGISTRY/$name.json"
}

# SIGKILL of procviewd, then a plain restart on the same directory: the daemon
# removes the dead mount and reattaches the container's views by itself.
test_automatic_reattach() {
        local name bundle start elapsed out=""

        use_container runc auto
        name=$NAME
        bundle=$BUNDLE
        write_config "$bundle" "$name" 'sleep 1000' "" "$(hook_json)"
        ok "auto reattach: container started" start_background runc "$name" "$bundle"

        kill -KILL "$DAEMON_PID"
        wait "$DAEMON_PID" 2>/dev/null
        DAEMON_PID=""
        out=$(runc --root "$WORK/runc" exec "$name" head -1 /proc/meminfo 2>&1)
        ok "auto reattach: dead view fails first" grep -q "Transport endpoint is not connected" <<<"$out"

        start=$(date +%s%N)
        ok "auto reattach: daemon restarts over its dead mount" start_daemon_at "$MNT"
        for _ in $(seq 40); do
                out=$(runc --root "$WORK/runc" exec "$name" head -1 /proc/meminfo 2>&1)
                [ "$out" = "$LIMIT_LINE" ] && break
                sleep 0.05
        done
        elapsed=$((($(date +%s%N) - start) / 1000000))
        diag "the container read its view again ${elapsed} ms after the restart began"
        is "auto reattach: meminfo view again without a manual step" "$out" "$LIMIT_LINE"
        ok "auto reattach: within 2 s of the restart" test "$elapsed" -lt 2000
        rt runc delete --force "$name"
}

# 20 containers whose daemon was killed get their views from a new daemon on
# another directory through "procview reattach ID...". The new daemon's own
# reattach leaves them alone, because their records name the old directory.
test_reattach_many() {
        local names=() i name second start end out failed=0

        for i in $(seq 20); do
                use_container runc "many-$i"
                write_config "$BUNDLE" "$NAME" 'sleep 1000' "" "$(hook_json)"
                start_background runc "$NAME" "$BUNDLE" || failed=$((failed + 1))
                names+=("$NAME")
        done
        is "20 containers: all started" "$failed" 0

        kill_daemon_hard
        second=$(mktemp -d "/tmp/$TEST_ID-second.XXXXXX")
        on_exit "kill -TERM \$SECOND_PID; wait \$SECOND_PID; umount -l '$second'; rmdir '$second'; rm -f '$second.log'"
        start_daemon_at "$second"
        SECOND_PID=$DAEMON_PID

        start=$(date +%s%N)
        "$PROCVIEW" reattach --views "$second" "${names[@]}" >/dev/null
        is "20 containers: reattach exit status" "$?" 0
        end=$(date +%s%N)
        diag "reattaching 20 containers took $(((end - start) / 1000000)) ms"
        ok "20 containers: reattached within 5 s" test $(((end - start) / 1000000)) -lt 5000

        failed=0
        for name in "${names[@]}"; do
                out=$(runc --root "$WORK/runc" exec "$name" head -1 /proc/meminfo 2>&1)
                [ "$out" = "$LIMIT_LINE" ] || failed=$((failed + 1))
        done
        is "20 containers: meminfo view in each" "$failed" 0
        is "20 containers: ps shows them ok" "$("$PROCVIEW" ps --views "$second" | grep -c "$TEST_ID-many-.* ok ")" 20

        for name in "${names[@]}"; do
                runc --root "$WORK/runc" delete --force "$name"
        done

        kill -TERM "$SECOND_PID"
        wait "$SECOND_PID"
        ok "restart: daemon on the first directory" start_daemon_at "$MNT"
}

# A container whose init exits before or while it is reattached is skipped and forgotten.
test_reattach_exited() {
        local pid status killer

        use_container runc exits
        write_config "$BUNDLE" "$NAME" 'sleep 1000' "" "$(hook_json)"
        ok "exits: container started" start_background runc "$NAME" "$BUNDLE"
        pid=$(container_pid "$NAME")

        kill -KILL "$pid" &
        killer=$!
        "$PROCVIEW" reattach --all --views "$MNT" >/dev/null 2>&1
        status=$?
        wait "$killer"
        is "exits: reattach during exit succeeds" "$status" 0

        "$PROCVIEW" reattach --all --views "$MNT" >/dev/null
        is "exits: reattach after exit succeeds" "$?" 0
        ok "exits: record deleted" test ! -e "$REGISTRY/$NAME.json"
}

# A root whose /proc/meminfo links to a host file, and no /proc mount over it.
test_hostile_symlink() {
        local bundle="$WORK/bundle-hostile" secret="$WORK/host-secret" pid out status

        echo "host secret" >"$secret"
        mkdir -p "$bundle/rootfs/proc" "$bundle/rootfs/sys"
        ln -s "$secret" "$bundle/rootfs/proc/meminfo"
        printf '{"ociVersion":"1.0.2","root":{"path":"rootfs"}}' >"$bundle/config.json"

        unshare -m --propagation private sleep 1000 &
        pid=$!
        on_exit "kill $pid"
        sleep 0.2

        out=$(printf '{"ociVersion":"1.0.2","id":"%s-hostile","status":"creating","pid":%s,"bundle":"%s"}' \
                "$TEST_ID" "$pid" "$bundle" | "$PROCVIEW" hook --views "$MNT" 2>&1)
        status=$?
        is "hostile root: hook fails" "$status" 1
        ok "hostile root: error names the link" grep -q "symbolic link" <<<"$out"
        is "hostile root: host file untouched" "$(cat "$secret")" "host secret"
        is "hostile root: nothing mounted in the namespace" "$(grep -cE " ($bundle|$secret)[ /]" "/proc/$pid/mountinfo")" 0
        ok "hostile root: nothing mounted on the host" bash -c "! grep -q ' $secret ' /proc/self/mountinfo"
        ok "hostile root: not recorded" test ! -e "$REGISTRY/$TEST_ID-hostile.json"
        kill "$pid"
}

if ! make_rootfs || ! start_daemon; then
        echo "not ok 1 - procviewd serves a mount and the rootfs is built"
        done_testing
        exit 1
fi
on_exit "rmdir /sys/fs/cgroup/*/$TEST_ID /sys/fs/cgroup/$TEST_ID 2>/dev/null"

test_hook runc
test_hook crun
test_hook_again
test_hook_fails_open
test_spec_add
test_spec_add_symlink
test_spec_add_errors
test_spec_add_upgraded
test_mounts
test_ps_and_restart
test_automatic_reattach
test_reattach_many
test_reattach_exited
test_hostile_symlink

done_testing
