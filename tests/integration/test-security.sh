#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What procview must not let a container do or see: change the mount, read
# another container's figures, or have the CLI bind a view through a link or
# a ".." path. Also checks which capabilities the daemon's processes keep.
# The mount options, chmod, truncate and the hook's symlink check are tested
# in test-daemon.sh and test-integration.sh.
source "$(dirname "$0")/lib.sh"
require_root

WORK=$(mktemp -d "/tmp/$TEST_ID.XXXXXX")
on_exit "rm -rf '$WORK'"

start_daemon_or_bail

HOST_CPUS=$(grep -c '^processor' /proc/cpuinfo)
WORKER_PID=$(pgrep -P "$DAEMON_PID" -x procview-worker | head -n 1)

# ---- changes to the mount are rejected -----------------------------------

# try_changes: attempt every kind of change on the mount and print one line
# "OPERATION ERRNO-NAME" each, or "OPERATION succeeded".
try_changes() {
        python3 - "$MNT" <<'EOF'
import errno, os, sys
mnt = sys.argv[1]
f = mnt + "/proc/meminfo"
ops = {
    "open-write": lambda: os.open(f, os.O_WRONLY),
    "open-rdwr": lambda: os.open(f, os.O_RDWR),
    "create": lambda: os.open(mnt + "/proc/new", os.O_WRONLY | os.O_CREAT, 0o644),
    "mkdir": lambda: os.mkdir(mnt + "/proc/dir"),
    "mknod": lambda: os.mknod(mnt + "/proc/fifo", 0o600 | 0o010000),
    "mknod-device": lambda: os.mknod(mnt + "/proc/null", 0o600 | 0o020000, os.makedev(1, 3)),
    "symlink": lambda: os.symlink("/etc/shadow", mnt + "/proc/link"),
    "hardlink": lambda: os.link(f, mnt + "/proc/hardlink"),
    "rename": lambda: os.rename(f, mnt + "/proc/renamed"),
    "unlink": lambda: os.unlink(f),
    "rmdir": lambda: os.rmdir(mnt + "/sys/devices/system/cpu"),
    "chmod": lambda: os.chmod(f, 0o666),
    "chown": lambda: os.chown(f, 65534, 65534),
    "truncate": lambda: os.truncate(f, 0),
    "utime": lambda: os.utime(f, (0, 0)),
    "setxattr": lambda: os.setxattr(f, "user.pv", b"x"),
    "setxattr-security": lambda: os.setxattr(f, "security.pv", b"x"),
    "removexattr": lambda: os.removexattr(f, "user.pv"),
}
for name, op in ops.items():
    try:
        op()
        print(name, "succeeded")
    except OSError as e:
        print(name, errno.errorcode.get(e.errno, str(e.errno)))
EOF
}

# check_changes WHO OUTPUT: every change failed with EROFS, EACCES or ENOTSUP.
check_changes() {
        local op result
        while read -r op result; do
                ok "$1: $op is rejected ($result)" grep -qxE 'EROFS|EACCES|ENOTSUP|EOPNOTSUPP' <<<"$result"
        done <<<"$2"
}

check_changes "root on the host" "$(try_changes)"
cg_create "$TEST_ID"
check_changes "nobody in a container" "$(in_container "$TEST_ID" setpriv --reuid=65534 --regid=65534 --clear-groups \
        bash -c "$(declare -f try_changes); MNT='$MNT' try_changes")"
is "the view is unchanged" "$(head -n 1 "$MNT/proc/meminfo" | cut -d: -f1)" MemTotal
ok "no entry was added" bash -c "! ls '$MNT/proc' | grep -qE '^(new|dir|fifo|null|link|hardlink|renamed)$'"

# ---- no container reads another container's figures -------------------

SMALL=$TEST_ID/small
LARGE=$TEST_ID/large
cg_create "$SMALL"
cg_create "$LARGE"
cg_set_memory_limit "$SMALL" $((50 * 1024 * 1024))
cg_set_cpu_quota "$SMALL" 100000 100000
cg_set_memory_limit "$LARGE" $((100 * 1024 * 1024))

# read_loop ROUNDS MEM_LINE CPUS CAT: print the number of reads with CAT
# that showed another MemTotal line or CPU count.
read_loop='
        wrong=0 i=0
        while [ $i -lt "$1" ]; do
                i=$((i + 1))
                line=$($4 "$MNT/proc/meminfo" | head -n 1)
                [ "$line" = "$2" ] || wrong=$((wrong + 1))
                cpus=$($4 "$MNT/proc/cpuinfo" | grep -c "^processor")
                [ "$cpus" = "$3" ] || wrong=$((wrong + 1))
        done
        echo "$wrong"'

# read_in_parallel CAT ROUNDS: both containers read ROUNDS times at once.
read_in_parallel() {
        local small large
        MNT=$MNT in_container "$SMALL" sh -c "$read_loop" sh "$2" "MemTotal:          51200 kB" 1 "$1" \
                >"$WORK/small" &
        small=$!
        MNT=$MNT in_container "$LARGE" sh -c "$read_loop" sh "$2" "MemTotal:         102400 kB" "$HOST_CPUS" "$1" \
                >"$WORK/large" &
        large=$!
        wait "$small" "$large"
        is "$1: the 50 MiB, 1 CPU container saw only its own figures" "$(cat "$WORK/small")" 0
        is "$1: the 100 MiB, all-CPU container saw only its own figures" "$(cat "$WORK/large")" 0
}

# GNU cat copies with read(). busybox cat, the cat of Alpine and other small
# images, copies with sendfile(), which newer kernels serve from the page
# cache that every reader of an inode shares. Each read must still show the
# reader's own figures, or fail so that busybox falls back to read().
read_in_parallel cat 300
read_in_parallel "busybox cat" 200

is "a reader running as nobody gets its container's view" \
        "$(in_container "$SMALL" setpriv --reuid=65534 --regid=65534 --clear-groups head -n 1 "$MNT/proc/meminfo")" \
        "MemTotal:          51200 kB"

# ---- the capabilities each process keeps ----------------------------------

# CAP_SYS_PTRACE is bit 19, CAP_SYS_ADMIN bit 21.
status_field() {
        awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"
}
for set in CapEff CapPrm CapBnd; do
        is "worker: $set is CAP_SYS_PTRACE only" "$(status_field "$WORKER_PID" "$set")" 0000000000080000
done
for set in CapInh CapAmb; do
        is "worker: $set is empty" "$(status_field "$WORKER_PID" "$set")" 0000000000000000
done
is "worker: no_new_privs is set" "$(status_field "$WORKER_PID" NoNewPrivs)" 1
ok "supervisor: keeps CAP_SYS_ADMIN to mount and unmount" \
        test $(((0x$(status_field "$DAEMON_PID" CapEff) >> 21) & 1)) -eq 1

# ---- procview run rejects ".." and links ----------------------------------

for destination in /data/.. /../etc /data/../../etc /a/./../b; do
        out=$("$PROCVIEW" run --no-views --runtime-root "$WORK/runc" -v "$WORK:$destination" busybox -- true 2>&1)
        is "run -v $destination: exit status" "$?" 2
        ok "run -v $destination: message" grep -q "expected an absolute path without '..'" <<<"$out"
done

# A root file system whose /proc/meminfo links to a host file.
if command -v runc >/dev/null; then
        rootfs=$WORK/rootfs
        mkdir -p "$rootfs/proc" "$rootfs/sys" "$rootfs/bin"
        cp "$(command -v busybox)" "$rootfs/bin/busybox"
        echo "host secret" >"$WORK/secret"
        ln -s "$WORK/secret" "$rootfs/proc/meminfo"
        name=$TEST_ID-link
        on_exit "runc --root '$WORK/runc' delete --force '$name'"
        out=$(timeout 60 "$PROCVIEW" run --runtime runc --runtime-root "$WORK/runc" --name "$name" --no-sysinfo \
                --views "$MNT" -m 50m "$rootfs" -- /bin/busybox head -n 1 /proc/meminfo 2>&1)
        status=$?
        diag "run on a root with a linked /proc/meminfo exited $status: $(head -n 1 <<<"$out")"
        ok "linked /proc/meminfo: the container never reads the host file" bash -c "! grep -q 'host secret' <<<'$out'"
        is "linked /proc/meminfo: the host file is unchanged" "$(cat "$WORK/secret")" "host secret"
        ok "linked /proc/meminfo: nothing is mounted on the host file" \
                bash -c "! grep -q ' $WORK/secret ' /proc/self/mountinfo"
        if [ "$status" -eq 0 ]; then
                is "linked /proc/meminfo: the container sees its view" "$out" "MemTotal:          51200 kB"
        fi
else
        diag "SKIP linked /proc/meminfo: runc is not installed"
fi

ok "the worker was not restarted" kill -0 "$WORKER_PID"
ok "no worker was killed by a signal" bash -c "! grep -q 'was killed by signal' '$DAEMON_LOG'"

done_testing
