#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procviewd under systemd: run by tests/vm/run.sh in a VM whose PID 1 is the
# host's systemd, with cgroup2 alone. It installs
# deploy/systemd/procviewd.service as it is, with the binaries where the
# unit expects them, and checks that the service's file descriptor store
# keeps the mount through a restart, a killed supervisor and a reload, and
# that a stop unmounts.
#
# Linux 6.1 has no FUSE_NOTIFY_RESEND: a read that a stopped or killed worker
# had taken from the connection fails, with EIO or ECONNABORTED ("Software
# caused connection abort"). Reads must not fail otherwise, hang or see the
# mount go ("Transport endpoint is not connected").
source "$(dirname "$0")/../integration/lib.sh"
require_root

if [ "$(cat /proc/1/comm)" != systemd ]; then
        echo "1..0 # SKIP needs systemd as PID 1"
        exit 0
fi

UNIT=procviewd
# How readloop reports a read that a dead worker had taken (EIO, ECONNABORTED).
CRASH_ERRORS='Input/output error|Software caused connection abort'
MNT=/var/lib/procview
READLOOP=$BUILD/tests/integration/readloop

# unit_property NAME: the service's property NAME.
unit_property() {
        systemctl show -p "$1" --value "$UNIT"
}

# mount_ids: the id of every mount at $MNT, as /proc/self/mountinfo lists them.
mount_ids() {
        awk -v m="$MNT" '$5 == m { print $1 }' /proc/self/mountinfo | tr '\n' ' '
}

# journal_count TEXT: how many of the service's log lines contain TEXT.
journal_count() {
        journalctl -u "$UNIT" -o cat --no-pager | grep -cF "$1"
}

# journal_count_reaches TEXT N: whether journal_count TEXT is at least N.
journal_count_reaches() {
        [ "$(journal_count "$1")" -ge "$2" ]
}

# systemctl_ok DESCRIPTION ARGS...: check that systemctl ARGS succeeds within
# 30 s, and show the end of the service's log when it does not.
systemctl_ok() {
        local desc=$1
        shift
        if timeout 30 systemctl "$@"; then
                ok "$desc" true
                return
        fi
        ok "$desc" false
        journalctl -u "$UNIT" -o short-monotonic --no-pager | tail -n 40 | sed 's/^/#   /'
}

# wait_for TENTHS COMMAND...: run COMMAND every 0.1 s until it succeeds, at most TENTHS times.
wait_for() {
        local n=$1 i
        shift
        for ((i = 0; i < n; i++)); do
                "$@" && return 0
                sleep 0.1
        done
        return 1
}

# serving_as PID: whether the service is active and its MainPID is PID.
serving_as() {
        [ "$(unit_property ActiveState)" = active ] && [ "$(unit_property MainPID)" = "$1" ]
}

# restarted_after PID: whether the service is active with a MainPID other than PID.
restarted_after() {
        local pid
        pid=$(unit_property MainPID)
        [ "$(unit_property ActiveState)" = active ] && [ "$pid" != 0 ] && [ "$pid" != "$1" ]
}

# start_readers SECONDS: 4 readers loop over every view file for SECONDS.
# timeout gives up on a reader 10 s later, but a reader that waits for a
# request without a reply cannot be killed and stays until the mount goes.
start_readers() {
        local i
        reader_pids=()
        for i in 1 2 3 4; do
                timeout -k 1 $(($1 + 10)) "$READLOOP" "$1" "${VIEW_FILES[@]}" >"/tmp/$TEST_ID.loop$i" 2>&1 &
                reader_pids+=($!)
        done
}

# check_readers WHAT: wait for the readers of start_readers and check their reads.
check_readers() {
        local what=$1 out max=0 latency i
        wait "${reader_pids[@]}" 2>/dev/null
        out=$(cat "/tmp/$TEST_ID".loop*)
        for i in 1 2 3 4; do
                latency=$(sed -n 's/.*max_latency_ms=\([0-9]*\).*/\1/p' "/tmp/$TEST_ID.loop$i")
                [ -n "$latency" ] && [ "$latency" -gt "$max" ] && max=$latency
        done
        diag "$what: $(awk -F'[= ]' '/^reads=/ { n += $2 } END { print n + 0 }' <<<"$out") reads," \
                "$(grep -cE "$CRASH_ERRORS" <<<"$out") failed, longest read $max ms"
        ok "$what: every reader finished" test "$(grep -c '^reads=' <<<"$out")" -eq 4
        ok "$what: no reader lost the mount" sh -c "! grep -q 'not connected' '/tmp/$TEST_ID'.loop*"
        ok "$what: reads fail only with EIO or ECONNABORTED" \
                sh -c "! grep -h '^readloop:' '/tmp/$TEST_ID'.loop* | grep -qvE '$CRASH_ERRORS'"
        ok "$what: no read hung (longest under 5 s)" test "$max" -lt 5000
        rm -f "/tmp/$TEST_ID".loop*
}

mkdir -p /usr/local/sbin /usr/local/bin /etc/systemd/system
cp "$PROCVIEWD" /usr/local/sbin/procviewd
cp "$PROCVIEW" /usr/local/bin/procview
cp "$TOP/deploy/systemd/procviewd.service" /etc/systemd/system/procviewd.service
systemctl daemon-reload
on_exit "systemctl stop $UNIT"
on_exit "rm -f /tmp/$TEST_ID.loop*"
set_view_files

diag "systemd $(systemctl --version | head -n 1 | cut -d' ' -f2) as PID 1, Linux $(uname -r)," \
        "$(stat -fc %T /sys/fs/cgroup) at /sys/fs/cgroup"

# ---- start ---------------------------------------------------------------

if ! systemctl start "$UNIT"; then
        echo "not ok 1 - start: systemctl start succeeds"
        systemctl status --no-pager "$UNIT" | sed 's/^/#   /'
        echo "1..1"
        exit 1
fi
ok "start: systemctl start succeeds" true
is "start: the service is active" "$(unit_property ActiveState)" active
pid=$(unit_property MainPID)
is "start: MainPID is the supervisor" "$(cat "/proc/$pid/comm" 2>/dev/null)" procviewd
ok "start: the mount serves meminfo" grep -q '^MemTotal:' "$MNT/proc/meminfo"
mount=$(mount_ids)
is "start: one mount at $MNT" "$(wc -w <<<"$mount")" 1
ok "start: the mount is procview's" sh -c "awk -v m='$MNT' '\$5 == m' /proc/self/mountinfo | grep -q ' fuse.procview '"
is "start: the fd store holds the connection and the handover region" "$(unit_property NFileDescriptorStore)" 2
resend=yes
wait_for 50 journal_count_reaches "cannot resend FUSE requests" 1 && resend=no
diag "the kernel can resend requests: $resend"

# ---- restart under readers -------------------------------------------------

start_readers 6
sleep 1.5
started=$(date +%s%N)
systemctl_ok "restart: systemctl restart succeeds" restart "$UNIT"
diag "restart: systemctl restart took $((($(date +%s%N) - started) / 1000000)) ms"
check_readers "restart"
old=$pid
pid=$(unit_property MainPID)
ok "restart: a new supervisor runs" test "$pid" != "$old" -a "$pid" != 0
is "restart: the mount is the same" "$(mount_ids)" "$mount"
ok "restart: the new supervisor took the fds from the store" \
        wait_for 50 journal_count_reaches "from systemd's file descriptor store" 1
is "restart: the fd store still holds two fds" "$(unit_property NFileDescriptorStore)" 2

# ---- the supervisor killed -----------------------------------------------

start_readers 8
sleep 1.5
# MainPID is 0 when the service is not running, and kill 0 would kill this test.
[ "$pid" -gt 1 ] && kill -KILL "$pid"
ok "killed supervisor: systemd starts a new one" wait_for 150 restarted_after "$pid"
check_readers "killed supervisor"
pid=$(unit_property MainPID)
is "killed supervisor: systemd restarted the service once" "$(unit_property NRestarts)" 1
is "killed supervisor: the mount is the same" "$(mount_ids)" "$mount"
ok "killed supervisor: the new supervisor took the fds from the store" \
        wait_for 50 journal_count_reaches "from systemd's file descriptor store" 2
is "killed supervisor: the fd store still holds two fds" "$(unit_property NFileDescriptorStore)" 2

# ---- reload (live upgrade) -----------------------------------------------

start_readers 6
sleep 1.5
systemctl_ok "reload: systemctl reload succeeds" reload "$UNIT"
ok "reload: the supervisor executes itself again" wait_for 50 journal_count_reaches "Re-executed; replacing worker" 1
ok "reload: the new worker replaces the old one" wait_for 50 journal_count_reaches "Retired worker" 1
check_readers "reload"
ok "reload: the service stays active with the same MainPID" serving_as "$pid"
is "reload: MainPID runs procviewd" "$(cat "/proc/$pid/comm" 2>/dev/null)" procviewd
is "reload: the mount is the same" "$(mount_ids)" "$mount"

# A reloaded supervisor must still leave the connection to the store.
systemctl_ok "restart after a reload: systemctl restart succeeds" restart "$UNIT"
is "restart after a reload: the mount is the same" "$(mount_ids)" "$mount"
ok "restart after a reload: the new supervisor took the fds from the store" \
        wait_for 50 journal_count_reaches "from systemd's file descriptor store" 3
ok "restart after a reload: the mount serves meminfo" grep -q '^MemTotal:' "$MNT/proc/meminfo"

# ---- stop ----------------------------------------------------------------

systemctl_ok "stop: systemctl stop succeeds" stop "$UNIT"
is "stop: the service is inactive" "$(unit_property ActiveState)" inactive
is "stop: nothing is mounted at $MNT" "$(mount_ids)" ""
ok "stop: $MNT can be listed" ls "$MNT"
is "stop: the fd store is empty" "$(unit_property NFileDescriptorStore)" 0

systemctl_ok "start after a stop: systemctl start succeeds" start "$UNIT"
ok "start after a stop: the mount serves meminfo" grep -q '^MemTotal:' "$MNT/proc/meminfo"
is "start after a stop: nothing was taken from the store" \
        "$(journal_count "from systemd's file descriptor store")" 3
systemctl_ok "start after a stop: systemctl stop succeeds" stop "$UNIT"

if [ "$_tap_failed" -gt 0 ]; then
        diag "the service's log:"
        journalctl -u "$UNIT" -o short-monotonic --no-pager | sed 's/^/#   /' | tail -n 80
fi
done_testing
