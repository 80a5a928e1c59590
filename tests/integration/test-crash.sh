#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Readers inside containers loop over every view file while procviewd's
# worker is killed with SIGKILL, and while the daemon is upgraded in place
# with SIGHUP. No read may fail, be malformed, or take longer than 2 s.
source "$(dirname "$0")/lib.sh"
require_root

READLOOP=$BUILD/tests/integration/readloop
READERS=8
KILLS=10
UPGRADES=5
MAX_LATENCY_MS=2000

start_daemon_or_bail

set_view_files
FILES=("${VIEW_FILES[@]}")

cg_create "$TEST_ID"
cg_set_memory_limit "$TEST_ID" $((64 * 1024 * 1024))
cg_set_cpu_quota "$TEST_ID" 100000 100000

worker_pid() {
        pgrep -P "$DAEMON_PID" -x procview-worker | head -n 1
}

# wait_for_new_worker OLD: wait until a worker other than OLD serves.
wait_for_new_worker() {
        local i w
        for i in $(seq 1 100); do
                w=$(worker_pid)
                if [ -n "$w" ] && [ "$w" != "$1" ] && grep -q "Worker $w is serving\|worker $w\.$" "$DAEMON_LOG"; then
                        return 0
                fi
                sleep 0.05
        done
        return 1
}

# start_readers SECONDS: each reader is pid 1 of its own pid namespace in the test's cgroup.
start_readers() {
        local i
        READER_PIDS=()
        for i in $(seq 1 "$READERS"); do
                in_container "$TEST_ID" "$READLOOP" "$1" "${FILES[@]}" >"$MNT.reader$i" 2>&1 &
                READER_PIDS+=($!)
        done
        on_exit "rm -f '$MNT'.reader*"
}

# check_readers WHAT: every reader exited 0; report the longest latency.
check_readers() {
        local what=$1 i status max=0 latency
        for i in "${!READER_PIDS[@]}"; do
                wait "${READER_PIDS[$i]}"
                status=$?
                ok "$what: reader $((i + 1)) saw no failed or malformed read" test "$status" -eq 0
                [ "$status" -eq 0 ] || sed 's/^/#   /' "$MNT.reader$((i + 1))" | tail -n 5
                latency=$(sed -n 's/.*max_latency_ms=\([0-9]*\).*/\1/p' "$MNT.reader$((i + 1))")
                [ -n "$latency" ] && [ "$latency" -gt "$max" ] && max=$latency
        done
        diag "$what: longest read latency ${max} ms"
        ok "$what: no read took longer than ${MAX_LATENCY_MS} ms" test "$max" -le "$MAX_LATENCY_MS"
}

# ---- SIGKILL of the worker ----------------------------------------------

start_readers $((KILLS + 4))
sleep 1
killed=0
for k in $(seq 1 "$KILLS"); do
        w=$(worker_pid)
        [ -n "$w" ] && kill -KILL "$w" && killed=$((killed + 1))
        wait_for_new_worker "$w" || diag "no new worker after kill $k"
        sleep 0.8
done
is "the worker was killed $KILLS times" "$killed" "$KILLS"
check_readers "worker crashes"
is "the supervisor restarted the worker after every kill" \
        "$(grep -c 'Worker [0-9]* was killed by signal Killed' "$DAEMON_LOG")" "$KILLS"
ok "the supervisor survived" kill -0 "$DAEMON_PID"

# ---- live upgrades ------------------------------------------------------

start_readers $((UPGRADES * 2 + 3))
sleep 1
for u in $(seq 1 "$UPGRADES"); do
        w=$(worker_pid)
        kill -HUP "$DAEMON_PID"
        wait_for_new_worker "$w" || diag "no new worker after upgrade $u"
        sleep 1.2
done
check_readers "live upgrades"
is "every upgrade re-executed the supervisor" "$(grep -c 'Re-executed; replacing worker' "$DAEMON_LOG")" "$UPGRADES"
ok "the daemon keeps its pid through upgrades" kill -0 "$DAEMON_PID"
is "one worker serves after the upgrades" "$(pgrep -P "$DAEMON_PID" -x procview-worker | wc -l)" 1

# ---- counters continue across a restart ---------------------------------

out=$MNT.uptime
on_exit "rm -f '$out'"
in_container "$TEST_ID" sh -c \
        "head -n 1 '$MNT/proc/uptime' '$MNT/proc/stat'; sleep 2; head -n 1 '$MNT/proc/uptime' '$MNT/proc/stat'" >"$out" &
reader=$!
sleep 1
kill -KILL "$(worker_pid)"
wait "$reader"
uptimes=$(grep -E '^[0-9]+\.[0-9]+ ' "$out" | cut -d' ' -f1 | tr '\n' ' ')
ok "uptime continues across a worker restart" awk -v u="$uptimes" 'BEGIN { split(u, a, " "); exit !(a[2] > a[1]) }'
ok "the cpu line never decreases across a worker restart" awk '
        /^cpu / { n++; for (i = 2; i <= NF; i++) { if (n == 2 && $i < first[i]) bad = 1; first[i] = $i } }
        END { exit bad || n != 2 }' "$out"

done_testing
