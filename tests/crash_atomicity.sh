#!/bin/sh
# crash_atomicity.sh -- a kill at any point of a run leaves DIR holding
# exactly the previous run or exactly the new one, compared file by file
# against both (issue 9, issue 15: "a run's outputs change as one set").
#
# `run` writes everything into a staging folder beside DIR and swaps it in
# with one renameat2(RENAME_EXCHANGE) (io/run_directory), so every kill is
# made over a DIR that holds a complete earlier run (OLD) while the run
# writes NEW. After each kill, the set of files in DIR with their contents
# must be exactly OLD's or exactly NEW's (no extra file, none missing, none
# from the other run), and one complete run afterwards must give exactly
# NEW and leave nothing beside DIR (staging folders, the lock).
# Kill points, each case counted only when its kill landed:
#   countdown  the test binary (bin/ledgersim-test, LEDGERSIM_IO_FAULT=
#              any:N:kill) SIGKILLs itself at its N-th wrapped file-system
#              call (open, write, fsync, rename, mkdir), N = 1, 2, ... until
#              the run completes; the fault log proves each kill fired. Run
#              twice: with RENAME_EXCHANGE, and with the two-rename fallback
#              (LEDGERSIM_TEST_NO_EXCHANGE=1), where a kill between the two
#              renames may leave no DIR and OLD whole at .NAME.previous,
#              which the next run restores.
#   exact      strace's own fault injection: SIGKILL at the N-th write, fsync
#              and renameat2 system call, whatever calls it (strace is
#              required: tools/install-deps.sh installs it)
#   random     KILLS_RANDOM delays from a fixed-seed generator over a long
#              run; at least KILLS_LANDED_MIN of them must land before the
#              run ends (a test whose kills all come too late tests nothing).
#              Whether a wall-clock kill lands depends on the machine's load,
#              so the delays are drawn within the fastest of three timed runs,
#              and kills go on (up to KILLS_RANDOM_MAX) until the minimum has
#              landed: the count is a requirement, never a matter of luck
#   env: LEDGERSIM, LEDGERSIM_HOOKED (default LEDGERSIM-test), CRASH_EVENTS
#        (default 10000), EXACT_EVENTS (default 1000), KILLS_RANDOM (default
#        40), KILLS_LANDED_MIN (default KILLS_RANDOM/4), CRASH_SEED
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
LEDGERSIM=${LEDGERSIM:-$root/bin/ledgersim}
HOOKED=${LEDGERSIM_HOOKED:-$LEDGERSIM-test}
EVENTS=${CRASH_EVENTS:-10000}
EXACT_EVENTS=${EXACT_EVENTS:-1000}
KILLS_RANDOM=${KILLS_RANDOM:-40}
KILLS_LANDED_MIN=${KILLS_LANDED_MIN:-$((KILLS_RANDOM / 4))}
KILLS_RANDOM_MAX=${KILLS_RANDOM_MAX:-$((KILLS_RANDOM * 10))}
SEED=${CRASH_SEED:-20260105}
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
failures=0
kills=0
fail() {
    echo "FAIL $*"
    failures=$((failures + 1))
}
[ -x "$HOOKED" ] || { echo "FAIL: no test binary $HOOKED (make all builds it)"; exit 1; }

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

# same REFERENCE DIR: DIR holds exactly the files of the complete run
# REFERENCE, byte for byte (diff -r: the same set of files and folders, every
# file compared; one process, where hashing the sets cost six per check).
same() { diff -r -q "$1" "$2" >/dev/null 2>&1; }
same "$work/old" "$work/short" && { echo "FAIL: OLD and NEW are the same run"; exit 1; }
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

# Each lane of work below has its own folder, $files: its scratch folders,
# stderr and fault log (two lanes run at once, see below).
files=$work/main
mkdir "$files"

# fresh: a new scratch folder, $scratch, holding DIR = a copy of OLD and
# nothing else (one cp of a template; the used folders are removed ten at a
# time, not one rm per case).
mkdir "$work/template"
cp -R "$work/old" "$work/template/out"
fresh_count=0
fresh() {
    fresh_count=$((fresh_count + 1))
    [ $((fresh_count % 10)) -eq 0 ] && rm -rf "$files"/scratch.*
    scratch=$files/scratch.$fresh_count
    cp -R "$work/template" "$scratch"
}

# only_dir: the scratch folder holds DIR and nothing else (ls -A without a
# process: the shell's globs, dot files included).
only_dir() {
    left=""
    for entry in "$scratch"/* "$scratch"/.[!.]* "$scratch"/..?*; do
        [ -e "$entry" ] || [ -L "$entry" ] || continue
        left="$left ${entry##*/}"
    done
    [ "$left" = " out" ]
}

# check LABEL NEW: DIR is exactly OLD or exactly NEW (the complete run's
# folder), file by file (with the fallback, a missing DIR is allowed when OLD
# is whole at .out.previous). Counts the kill.
check() {
    kills=$((kills + 1))
    if [ ! -e "$scratch/out" ]; then
        if [ -d "$scratch/.out.previous" ] && same "$work/old" "$scratch/.out.previous"; then
            return 0
        fi
        fail "$1: DIR is gone and OLD is not whole at .out.previous"; return 1
    fi
    same "$work/old" "$scratch/out" && return 0
    same "$2" "$scratch/out" && return 0
    fail "$1: DIR is neither exactly OLD nor exactly NEW:"
    { diff -r -q "$work/old" "$scratch/out"; diff -r -q "$2" "$scratch/out"; } 2>&1 | head -8 | sed 's/^/    /'
    return 1
}

# complete LABEL SCENARIO NEW: one complete run over what a kill left gives
# exactly NEW and leaves nothing but DIR in the scratch folder.
complete() {
    "$LEDGERSIM" run "$2" --out "$scratch/out" >/dev/null 2>"$files/err" || {
        fail "$1: the run after the kill: $(head -3 "$files/err")"; return; }
    same "$3" "$scratch/out" || fail "$1: the run after the kill is not exactly NEW"
    only_dir || fail "$1: left beside DIR after a complete run:$left"
}

# --- countdown kills: every wrapped call of a run, with and without RENAME_EXCHANGE ---
countdown() { # exchange|fallback
    variant=$1
    number=1
    while :; do
        fresh
        : >"$files/fired" # emptied: the hook appends a line when it fires
        # LeakSanitizer would report the killed process: no leak check here (make asan runs it elsewhere).
        if [ "$variant" = fallback ]; then export LEDGERSIM_TEST_NO_EXCHANGE=1; fi
        LEDGERSIM_IO_FAULT="any:$number:kill" LEDGERSIM_IO_FAULT_LOG="$files/fired" \
            "$HOOKED" run "$work/short.csv" --out "$scratch/out" >/dev/null 2>"$files/err"
        status=$?
        unset LEDGERSIM_TEST_NO_EXCHANGE
        if [ "$status" -eq 0 ]; then
            [ -s "$files/fired" ] && fail "countdown $variant #$number: the fault fired but the run succeeded"
            same "$work/short" "$scratch/out" || fail "countdown $variant: the completed run is not NEW"
            break
        fi
        if [ "$status" -ne 137 ] || [ ! -s "$files/fired" ]; then
            fail "countdown $variant #$number: exit $status, fault log '$(cat "$files/fired" 2>/dev/null)' (no kill landed)"
            sed 's/^/    /' "$files/err" | head -5; break
        fi
        check "countdown $variant kill #$number" "$work/short" && complete "countdown $variant #$number" "$work/short.csv" "$work/short"
        number=$((number + 1))
        if [ "$number" -gt 400 ]; then fail "countdown $variant: the run never completed"; break; fi
    done
    [ "$number" -gt 10 ] || fail "countdown $variant: only $((number - 1)) kills (a run makes more calls than that)"
    echo "countdown ($variant): $((number - 1)) kills, the run completes at call $number"
}

# --- exact kills: strace's fault injection at the N-th system call ---
# The swap is renameat2 (RENAME_EXCHANGE); rename(2) itself is used only
# when DIR does not exist yet or for the fallback.
exact() { # write|fsync|renameat2
    call=$1
    number=1
    while :; do
        fresh
        ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
            strace -f -o /dev/null -e trace="$call" -e inject="$call:signal=KILL:when=$number" \
            "$LEDGERSIM" run "$work/short.csv" --out "$scratch/out" >/dev/null 2>"$files/err"
        status=$?
        if [ "$status" -eq 0 ]; then
            same "$work/short" "$scratch/out" || fail "exact $call: the completed run is not NEW"
            break
        fi
        if [ "$status" -ne 137 ]; then # 128 + SIGKILL: anything else is not the injected kill
            fail "kill at $call #$number: exit $status"; sed 's/^/    /' "$files/err" | head -10; break
        fi
        check "kill at $call #$number" "$work/short"
        number=$((number + 1))
        if [ "$number" -gt 400 ]; then fail "$call: the run never completed under strace"; break; fi
    done
    [ "$number" -gt 1 ] || fail "exact $call: no kill landed"
    echo "exact: $((number - 1)) kills at $call (the next run completed)"
}

strace_works=no
if ! command -v strace >/dev/null 2>&1; then
    fail "strace is not installed (tools/install-deps.sh installs it)"
elif ! strace -f -o /dev/null true 2>/dev/null; then
    fail "strace cannot trace here (ptrace not permitted)"
else
    strace_works=yes
fi

# The countdown and strace cases run in two lanes at once (each case is
# independent: its own scratch folder; a run spends much of its time waiting
# for fsync). Each lane counts its kills and failures and prints them last;
# the output is shown lane by lane, in a fixed order.
lane() { # NUMBER PART...
    files=$work/lane$1
    mkdir "$files"
    shift
    kills=0 failures=0
    for part in "$@"; do
        case $part in
            countdown:*) countdown "${part#countdown:}" ;;
            exact:*) [ "$strace_works" = yes ] && exact "${part#exact:}" ;;
        esac
    done
    echo "lane: $kills $failures"
}
lane 1 countdown:exchange exact:write >"$work/lane1.out" 2>&1 &
lane1=$!
lane 2 countdown:fallback exact:fsync exact:renameat2 >"$work/lane2.out" 2>&1 &
lane2=$!
wait "$lane1" "$lane2"
for number in 1 2; do
    grep -v '^lane: ' "$work/lane$number.out"
    counts=$(sed -n 's/^lane: //p' "$work/lane$number.out")
    [ -n "$counts" ] || { fail "lane $number did not finish"; continue; }
    set -- $counts
    kills=$((kills + $1)) failures=$((failures + $2))
done

# --- random kills over a long run ---
random_state=$SEED
next_delay() { # UPPER_MS -> a delay in [0, UPPER_MS) milliseconds in $delay
    random_state=$(((random_state * 16807) % 2147483647))
    delay=$((random_state % $1))
}
# The delays span the fastest of three runs made the way the killed ones are
# (into a folder holding the old run), not the first run above.
for timing in 1 2 3; do
    fresh
    started=$(date +%s%N)
    "$LEDGERSIM" run "$work/new.csv" --out "$scratch/out" >/dev/null 2>&1 || fail "a timed run failed"
    elapsed_ms=$((($(date +%s%N) - started) / 1000000))
    [ "$timing" -eq 1 ] || [ "$elapsed_ms" -lt "$duration_ms" ] && duration_ms=$elapsed_ms
done
window=$((duration_ms * 11 / 10 + 1))
tail_start=$((duration_ms * 9 / 10))
tail_window=$((duration_ms * 2 / 10 + 1))
completed=0
landed=0
index=0
while { [ "$index" -lt "$KILLS_RANDOM" ] || [ "$landed" -lt "$KILLS_LANDED_MIN" ]; } &&
      [ "$index" -lt "$KILLS_RANDOM_MAX" ]; do
    if [ $((index % 2)) -eq 0 ]; then next_delay "$window"; else next_delay "$tail_window"; delay=$((tail_start + delay)); fi
    fresh
    "$LEDGERSIM" run "$work/new.csv" --out "$scratch/out" >/dev/null 2>&1 &
    pid=$!
    milliseconds=$((1000 + delay % 1000)) # 1NNN: its last three digits, zero-padded
    sleep "$((delay / 1000)).${milliseconds#1}"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    if [ $? -eq 137 ]; then landed=$((landed + 1)); else completed=$((completed + 1)); fi
    check "random kill at ${delay}ms" "$work/new"
    index=$((index + 1))
done
echo "random: $index kills over a ${duration_ms}ms run (seed $SEED): $landed landed, $completed runs had completed"
[ "$landed" -ge "$KILLS_LANDED_MIN" ] || fail "random: only $landed kills landed (at least $KILLS_LANDED_MIN required)"
complete "the run after the last random kill" "$work/new.csv" "$work/new"

echo "crash atomicity: $kills kills checked, $failures failures"
[ "$failures" -eq 0 ]
