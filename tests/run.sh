#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Run the test programs and scripts, print their TAP, and end with one
# summary line "N passed, N failed". Exits non-zero when anything failed.
#
#   tests/run.sh                 unit tests, then integration tests (root)
#   tests/run.sh unit            unit tests only
#   tests/run.sh integration     integration tests only
#
# PROCVIEW_BUILD selects the build directory (default: build).
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
build=${PROCVIEW_BUILD:-$top/build}
export PROCVIEW_BUILD=$build
which=${1:-all}

passed=0
failed=0
failed_names=()

# run_tap NAME COMMAND...: run one TAP producer and count its results.
run_tap() {
        local name=$1 out status plan_count ok_count not_ok_count
        shift
        echo "# --- $name"
        out=$("$@" 2>&1)
        status=$?
        printf '%s\n' "$out"

        ok_count=$(grep -cE '^ok ' <<<"$out")
        not_ok_count=$(grep -cE '^not ok ' <<<"$out")
        plan_count=$(sed -nE 's/^1\.\.([0-9]+).*/\1/p' <<<"$out" | tail -n 1)

        passed=$((passed + ok_count))
        failed=$((failed + not_ok_count))

        if [ "$status" -ne 0 ] && [ "$not_ok_count" -eq 0 ]; then
                # Crashed or exited early without reporting a failed check.
                echo "not ok - $name exited with status $status"
                failed=$((failed + 1))
        elif [ -n "$plan_count" ] && [ $((ok_count + not_ok_count)) -ne "$plan_count" ]; then
                echo "not ok - $name planned $plan_count checks but ran $((ok_count + not_ok_count))"
                failed=$((failed + 1))
        fi
        if [ "$status" -ne 0 ] || [ "$not_ok_count" -gt 0 ]; then
                failed_names+=("$name")
        fi
}

if [ "$which" = all ] || [ "$which" = unit ]; then
        for t in "$build"/tests/unit/*/test-*; do
                [ -x "$t" ] && [ -f "$t" ] || continue
                run_tap "unit/$(basename "$t")" "$t"
        done
fi

if [ "$which" = all ] || [ "$which" = integration ]; then
        if [ "$(id -u)" -ne 0 ]; then
                echo "# integration tests need root; skipped"
        else
                for t in "$top"/tests/integration/test-*.sh; do
                        [ -f "$t" ] || continue
                        run_tap "integration/$(basename "$t")" timeout --kill-after=10 900 bash "$t"
                done
        fi
fi

if [ "${#failed_names[@]}" -gt 0 ]; then
        echo "# failed: ${failed_names[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
