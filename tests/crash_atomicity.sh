#!/bin/sh
# crash_atomicity.sh -- SIGKILL at many points of a long run never leaves a
# torn file (issue 9).
#
# A replay writes its state files at the end (each one temp, fsync, rename)
# and its logs to .tmp files renamed at commit, so every kill is made over a
# folder that already holds a complete earlier run (OLD), while a long run
# writes its own new version (NEW) there. After each kill, every file present
# must be byte-identical to its OLD or its NEW complete version (both parse as
# JSON, line by line for .jsonl), every OLD file must still be there, and the
# only other files allowed are the temp files (*.tmp) a killed writer leaves.
# Kill points:
#   random   KILLS_RANDOM delays drawn from a fixed-seed generator: half over
#            the whole run, half over its last tenth (where the files are
#            written); the run's duration is measured first
#   exact    with strace, SIGKILL at the N-th write, fsync and rename system
#            call, N = 1, 2, ... until the run completes (every step of the
#            commit, whatever the machine's speed); over a shorter scenario
#            (EXACT_EVENTS), as the commit does not depend on the length
# After the last random kill and after a kill at the third rename, one
# complete run over the folder left gives exactly NEW (leftover temp files
# are overwritten and renamed away).
#   env: LEDGERSIM, CRASH_EVENTS (default 10000), EXACT_EVENTS (default 1000),
#        KILLS_RANDOM (default 40), CRASH_SEED (default 20260105)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
LEDGERSIM=${LEDGERSIM:-$root/bin/ledgersim}
EVENTS=${CRASH_EVENTS:-10000}
EXACT_EVENTS=${EXACT_EVENTS:-1000}
KILLS_RANDOM=${KILLS_RANDOM:-40}
SEED=${CRASH_SEED:-20260105}
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
failures=0
kills=0
fail() {
    echo "FAIL $*"
    failures=$((failures + 1))
}

# The long scenario: EVENTS exchange events over 8 symbols, from a
# Park-Miller generator (exact in awk's doubles, so every awk gives the same
# file). Lots are whole hundredths, so a position never drifts below zero.
generate() { # EVENTS SEED
    awk -v events="$1" -v seed="$2" '
    function next_random() { state = (state * 16807) % 2147483647; return state / 2147483647 }
    BEGIN {
        state = seed; ts = 1700000000; wallet = 100000
        print "ts,event_id,type,symbol,side,qty,price,fee,realized_pnl,wallet_balance,used_margin"
        for (s = 0; s < 8; s++) { price[s] = 100 * (s + 1); held[s] = 0 }
        for (i = 1; i <= events; i++) {
            ts += 1
            s = int(next_random() * 8)
            price[s] = price[s] * (1 + (next_random() - 0.5) * 0.002)
            if (next_random() < 0.8) { printf "%d,,mark,SYM%d,,,%.4f,,,,\n", ts, s, price[s]; continue }
            side = held[s] > 0 && next_random() < 0.5 ? "SELL" : "BUY"
            lots = 1 + int(next_random() * 10)
            if (side == "SELL" && lots > held[s]) lots = held[s]
            held[s] += side == "BUY" ? lots : -lots
            fee = lots / 100 * price[s] * 0.0004
            wallet -= fee
            printf "%d,f%d,fill,SYM%d,%s,%.2f,%.4f,%.6f,0,,\n", ts, i, s, side, lots / 100, price[s], fee
            printf "%d,f%d,balance,,,,,,,%.6f,0\n", ts, i, wallet
        }
    }'
}
generate "$EVENTS" "$SEED" >"$work/new.csv"
generate "$EXACT_EVENTS" "$SEED" >"$work/short.csv"
generate 500 "$((SEED + 1))" >"$work/old.csv"
"$LEDGERSIM" run "$work/old.csv" --out "$work/old" >/dev/null 2>&1 || { echo "FAIL: the old run"; exit 1; }
"$LEDGERSIM" run "$work/short.csv" --out "$work/short" >/dev/null 2>&1 || { echo "FAIL: the short run"; exit 1; }
started=$(date +%s%N)
"$LEDGERSIM" run "$work/new.csv" --out "$work/new" >/dev/null 2>&1 || { echo "FAIL: the new run"; exit 1; }
duration_ms=$((($(date +%s%N) - started) / 1000000))

sums() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs sha256sum | awk '{print $2, $1}'); }
sums "$work/old" >"$work/old.sums"
sums "$work/new" >"$work/new.sums"
sums "$work/short" >"$work/short.sums"
python3 - "$work/old" "$work/new" "$work/short" <<'PY' || { echo "FAIL: a complete version does not parse"; exit 1; }
import json, pathlib, sys
for top in sys.argv[1:]:
    for path in pathlib.Path(top).rglob("*"):
        if path.suffix == ".json":
            json.loads(path.read_text())
        elif path.suffix == ".jsonl":
            for line in path.read_text().splitlines():
                json.loads(line)
PY

# check LABEL [NEW_SUMS]: the folder the kill left is made of complete versions only.
check() {
    sums "$work/out" >"$work/now.sums"
    awk -v label="$1" '
        FILENAME == ARGV[1] { old[$1] = $2; next }
        FILENAME == ARGV[2] { new[$1] = $2; next }
        { seen[$1] = 1
          if ($1 ~ /\.tmp$/) next
          if (!($1 in old) && !($1 in new)) { print "FAIL " label ": unexpected file " $1; bad = 1 }
          else if ($2 != old[$1] && $2 != new[$1]) { print "FAIL " label ": " $1 " is torn (neither old nor new)"; bad = 1 } }
        END { for (path in old) if (!(path in seen)) { print "FAIL " label ": " path " disappeared"; bad = 1 }
              exit bad }' "$work/old.sums" "${2:-$work/new.sums}" "$work/now.sums" || failures=$((failures + 1))
    kills=$((kills + 1))
}

# Random points: a fixed-seed generator in shell arithmetic.
random_state=$SEED
next_delay() { # UPPER_MS -> a delay in [0, UPPER_MS) milliseconds in $delay
    random_state=$(((random_state * 16807) % 2147483647))
    delay=$((random_state % $1))
}
window=$((duration_ms * 11 / 10 + 1))
tail_start=$((duration_ms * 9 / 10))
tail_window=$((duration_ms * 2 / 10 + 1))
completed=0
index=0
while [ "$index" -lt "$KILLS_RANDOM" ]; do
    if [ $((index % 2)) -eq 0 ]; then next_delay "$window"; else next_delay "$tail_window"; delay=$((tail_start + delay)); fi
    rm -rf "$work/out"
    cp -R "$work/old" "$work/out"
    "$LEDGERSIM" run "$work/new.csv" --out "$work/out" >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    kill -KILL "$pid" 2>/dev/null || completed=$((completed + 1))
    wait "$pid" 2>/dev/null
    check "random kill at ${delay}ms"
    index=$((index + 1))
done
echo "random: $KILLS_RANDOM kills over a ${duration_ms}ms run (seed $SEED), $completed runs had completed"
"$LEDGERSIM" run "$work/new.csv" --out "$work/out" >/dev/null 2>&1 || fail "the run after the last random kill"
sums "$work/out" | cmp -s - "$work/new.sums" || fail "the run after the last random kill is not exactly NEW"

# Exact points: the N-th write, fsync or rename system call.
if command -v strace >/dev/null 2>&1 && strace -f -o /dev/null true 2>/dev/null; then
    for call in write fsync rename; do
        number=1
        while :; do
            rm -rf "$work/out"
            cp -R "$work/old" "$work/out"
            # LeakSanitizer cannot run under ptrace: no leak check here (make asan runs it elsewhere).
            ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
                strace -f -o /dev/null -e trace="$call" -e inject="$call:signal=KILL:when=$number" \
                "$LEDGERSIM" run "$work/short.csv" --out "$work/out" >/dev/null 2>"$work/err"
            status=$?
            check "kill at $call #$number" "$work/short.sums"
            [ "$status" -eq 0 ] && break
            if [ "$status" -ne 137 ]; then # 128 + SIGKILL: anything else is not the injected kill
                fail "kill at $call #$number: exit $status"; sed 's/^/    /' "$work/err" | head -10; break
            fi
            # A kill in the middle of the commit: the next complete run over what it left is exactly NEW.
            if [ "$call" = rename ] && [ "$number" -eq 3 ]; then
                "$LEDGERSIM" run "$work/short.csv" --out "$work/out" >/dev/null 2>&1 || fail "the run after rename #3"
                sums "$work/out" | cmp -s - "$work/short.sums" || fail "the run after a kill at rename #3 is not NEW"
            fi
            number=$((number + 1))
            if [ "$number" -gt 400 ]; then fail "$call: the run never completed under strace"; break; fi
        done
        echo "exact: $number kills at $call (the last run completed)"
    done
else
    echo "exact: skipped (no strace, or ptrace is not allowed here)"
fi

echo "crash atomicity: $kills kills, $failures failures"
[ "$failures" -eq 0 ]
