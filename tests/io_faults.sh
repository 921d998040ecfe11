#!/bin/sh
# io_faults.sh -- I/O faults by countdown, SQLite's way (issues 9, 15, 20).
#
# Every save goes through io_open/io_write_all/io_fsync/io_rename/io_mkdir,
# and in the test binary (bin/ledgersim-test; the release binary has no such
# hook) LEDGERSIM_IO_FAULT="KIND:N[:persistent]" makes the N-th call of KIND
# (open, write, fsync, rename, mkdir, or any) fail with EIO, once or from
# then on, and LEDGERSIM_IO_FAULT_LOG records each fault that fired. For each
# kind and mode, N = 1, 2, ... until the save completes, this runs
#   ledgersim run NEW.csv --out DIR     over DIR holding a complete earlier run
#   ledgersim ledger --sync             over an existing TP/SL registry
# and requires of every failed case: the fault log shows the fault fired,
# exit status 3 (an output error), exactly one line on stderr naming the file
# and "Input/output error", DIR holding exactly the previous run or exactly
# the new one (the whole set, file by file), and nothing left beside it (no
# staging folder, temp file or lock). The case where the fault no longer
# fires must write exactly the new version, and N = 1 must fail: a loop
# whose fault never fires proves nothing. Leaks: under `make asan` LeakSanitizer fails the
# run (exit status and stderr); `make valgrind` reruns this script with
# LEDGERSIM_WRAPPER set to valgrind, which fails any case with an error or a
# leak.
#   env: LEDGERSIM (the binary), LEDGERSIM_HOOKED (the test binary, default
#        LEDGERSIM-test), LEDGERSIM_WRAPPER (a command prefix, may be
#        empty), IO_FAULT_KINDS (default "open write fsync rename any"),
#        IO_FAULT_MODES (default "once persistent").
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
LEDGERSIM=${LEDGERSIM:-$root/bin/ledgersim}
WRAPPER=${LEDGERSIM_WRAPPER:-}
HOOKED=${LEDGERSIM_HOOKED:-$LEDGERSIM-test}
KINDS=${IO_FAULT_KINDS:-open write fsync rename mkdir any}
MODES=${IO_FAULT_MODES:-once persistent}
COUNTDOWN_MAX=400 # a save makes fewer wrapped calls than this: reaching it is a failure
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
failures=0
cases=0
[ -x "$HOOKED" ] || { echo "FAIL: no test binary $HOOKED (make all builds it)"; exit 1; }

fail() {
    echo "FAIL $*"
    failures=$((failures + 1))
}

# Two runs whose every output differs: OLD is the previous complete version.
cat >"$work/old.csv" <<'CSV'
ts,event_id,type,symbol,side,qty,price,fee,realized_pnl,wallet_balance,used_margin,high,low,entry_price,tp,sl,key,value
,,config,,,,,,,,,,,,,,seed_capital,10000
1,,bar,BTCUSDT,,,50000,,,,,50100,49900,,,,,
1,e1,fill,BTCUSDT,BUY,0.1,50000,2,0,,,,,,,,,
1,e1,balance,,,,,,,9998,5000,,,,,,,
2,,mark,BTCUSDT,,,50100,,,,,,,,,,,
2,,holding,BTC,,0.5,,,,,,,,,,,,
CSV
cat >"$work/new.csv" <<'CSV'
ts,event_id,type,symbol,side,qty,price,fee,realized_pnl,wallet_balance,used_margin,high,low,entry_price,tp,sl,key,value
,,config,,,,,,,,,,,,,,seed_capital,20000
1,,bar,ETHUSDT,,,3000,,,,,3010,2990,,,,,
1,,tp_sl,ETHUSDT,SHORT,,,,,,,,,3000,2900,3100,,
1,e1,fill,ETHUSDT,SELL,2,3000,1.5,0,,,,,,,,,
1,e1,balance,,,,,,,19998.5,6000,,,,,,,
2,,mark,ETHUSDT,,,2950,,,,,,,,,,,
3,,mark,ETHUSDT,,,2890,,,,,,,,,,,
3,e2,fill,ETHUSDT,BUY,2,2890,1.2,220,,,,,,,,,
3,e2,balance,,,,,,,20217.3,0,,,,,,,
4,,holding,ETH,,3,,,,,,,,,,,,
4,,mark,ETHUSDT,,,2900,,,,,,,,,,,
CSV
"$LEDGERSIM" run "$work/old.csv" --out "$work/old" >/dev/null 2>&1 || { echo "FAIL: the old run"; exit 1; }
"$LEDGERSIM" run "$work/new.csv" --out "$work/new" >/dev/null 2>&1 || { echo "FAIL: the new run"; exit 1; }

# same REFERENCE DIR: DIR holds exactly the files of the complete version
# REFERENCE, byte for byte (diff -r: the same set of files and folders, every
# file compared; one process, where hashing the sets cost six per check).
same() { diff -r -q "$1" "$2" >/dev/null 2>&1; }
# Both complete versions parse: every .json whole, every .jsonl line by line.
python3 - "$work/old" "$work/new" <<'PY' || { echo "FAIL: a complete version does not parse"; exit 1; }
import json, pathlib, sys
for top in sys.argv[1:]:
    for path in pathlib.Path(top).rglob("*"):
        if path.suffix == ".json":
            json.loads(path.read_text())
        elif path.suffix == ".jsonl":
            for line in path.read_text().splitlines():
                json.loads(line)
PY
if same "$work/old" "$work/new"; then echo "FAIL: the two versions are the same"; exit 1; fi

# Each case starts in a new scratch folder, $scratch, made by one cp of a
# template (a folder holding TEMPLATE_ENTRY); the used folders are removed
# ten at a time, not one rm (and a mkdir) per case.
scratch_count=0
fresh() { # TEMPLATE
    scratch_count=$((scratch_count + 1))
    [ $((scratch_count % 10)) -eq 0 ] && rm -rf "$files"/scratch.*
    scratch=$files/scratch.$scratch_count
    cp -R "$1" "$scratch"
}

# only_entry FOLDER NAME: FOLDER holds NAME and nothing else (ls -A without
# a process: the shell's globs, dot files included); what it holds is in $left.
only_entry() {
    left=""
    for entry in "$1"/* "$1"/.[!.]* "$1"/..?*; do
        [ -e "$entry" ] || [ -L "$entry" ] || continue
        left="$left ${entry##*/}"
    done
    [ "$left" = " $2" ]
}

# check_set CASE OLD NEW: $scratch/out holds exactly the old or exactly the
# new version (every file, nothing more), and $scratch holds nothing else (no
# staging folder, temp file or lock left by a failed save).
check_set() {
    if ! same "$2" "$scratch/out" && ! same "$3" "$scratch/out"; then
        fail "$1: $scratch/out is neither exactly the old nor exactly the new version"
        { diff -r -q "$2" "$scratch/out"; diff -r -q "$3" "$scratch/out"; } 2>&1 | head -6 | sed 's/^/    /'
    fi
    only_entry "$scratch" out || fail "$1: left beside out:$left"
}

# check_fired CASE: the fault log shows the injected fault fired.
check_fired() {
    [ -s "$files/fired" ] || fail "$1: the save failed but the fault log is empty (not the injected fault)"
}

# check_failure CASE STATUS EXPECTED_STATUS: the clean error of a failed save.
# stderr must be exactly one line (one newline, nothing after it) naming the
# I/O error: read by the shell, no wc or grep process per case.
check_failure() {
    if [ "$2" -ne "$3" ]; then
        fail "$1: exit $2, expected $3"; sed 's/^/    /' "$files/err" | head -20; return
    fi
    first="" rest=""
    { IFS= read -r first && ! IFS= read -r rest && [ -z "$rest" ]; } <"$files/err" && one_line=yes || one_line=no
    case "$one_line:$first" in
        yes:*'Input/output error'*) ;;
        *) fail "$1: expected one line naming the I/O error on stderr, got:"; sed 's/^/    /' "$files/err" | head -20 ;;
    esac
}

# --- ledgersim run over a complete earlier run --------------------------------
mkdir "$work/run_template"
cp -R "$work/old" "$work/run_template/out"
run_cases() { # KIND MODE
    kind=$1 mode=$2
    suffix=""
    [ "$mode" = persistent ] && suffix=":persistent"
    countdown=1
    while :; do
        label="run $kind:$countdown$suffix"
        cases=$((cases + 1))
        : >"$files/fired" # emptied: the hook appends a line when it fires
        fresh "$work/run_template"
        LEDGERSIM_IO_FAULT="$kind:$countdown$suffix" LEDGERSIM_IO_FAULT_LOG="$files/fired" $WRAPPER "$HOOKED" \
            run "$work/new.csv" --out "$scratch/out" >"$files/stdout" 2>"$files/err"
        status=$?
        if [ "$status" -eq 0 ]; then
            # The fault no longer fires: the save completed, all new.
            [ -s "$files/err" ] && { fail "$label: stderr on success:"; sed 's/^/    /' "$files/err" | head; }
            [ -s "$files/fired" ] && fail "$label: the fault fired but the run succeeded"
            [ "$countdown" -gt 1 ] || fail "$label: the first call did not fail (is the fault hook compiled in?)"
            same "$work/new" "$scratch/out" || fail "$label: a completed save is not the new version"
            break
        fi
        check_fired "$label"
        check_failure "$label" "$status" 3
        check_set "$label" "$work/old" "$work/new"
        countdown=$((countdown + 1))
        if [ "$countdown" -gt "$COUNTDOWN_MAX" ]; then fail "run $kind$suffix: never completed"; break; fi
    done
    echo "run    $kind$suffix: the save completes at N=$countdown"
}

# --- ledgersim ledger --sync over an existing registry ------------------------
mkdir -p "$work/ledger_old" "$work/ledger_new"
cat >"$work/positions.json" <<'JSON'
{"positions": [{"symbol": "BTCUSDT", "side": "LONG", "qty": 0.1, "entry_price": 50000},
               {"symbol": "ETHUSDT", "side": "SHORT", "qty": 2, "entry_price": 3000}]}
JSON
cat >"$work/ledger_old/registry.json" <<'JSON'
{"XRPUSDT": {"side": "LONG", "entry_price": 0.5, "tp": 0.6, "sl": 0.45, "created_ts": 1, "updated_ts": 1}}
JSON
cp "$work/ledger_old/registry.json" "$work/ledger_new/registry.json"
"$LEDGERSIM" ledger --positions "$work/positions.json" --tp-sl "$work/ledger_new/registry.json" --sync --ts 100 \
    >/dev/null 2>&1
[ $? -le 1 ] || { echo "FAIL: the ledger sync without faults"; exit 1; }
if same "$work/ledger_old" "$work/ledger_new"; then echo "FAIL: the sync changed nothing"; exit 1; fi
mkdir "$work/ledger_template"
cp -R "$work/ledger_old" "$work/ledger_template/out"
ledger_cases() { # KIND MODE
    kind=$1 mode=$2
    suffix=""
    [ "$mode" = persistent ] && suffix=":persistent"
    countdown=1
    while :; do
        label="ledger --sync $kind:$countdown$suffix"
        cases=$((cases + 1))
        : >"$files/fired"
        fresh "$work/ledger_template"
        LEDGERSIM_IO_FAULT="$kind:$countdown$suffix" LEDGERSIM_IO_FAULT_LOG="$files/fired" $WRAPPER "$HOOKED" \
            ledger --positions "$work/positions.json" --tp-sl "$scratch/out/registry.json" --sync --ts 100 \
            >"$files/stdout" 2>"$files/err"
        status=$?
        if [ "$status" -le 1 ]; then
            [ -s "$files/fired" ] && fail "$label: the fault fired but the sync succeeded"
            [ "$countdown" -gt 1 ] || fail "$label: the first call did not fail (is the fault hook compiled in?)"
            same "$work/ledger_new" "$scratch/out" || fail "$label: a completed sync is not the new version"
            break
        fi
        check_fired "$label"
        check_failure "$label" "$status" 3
        # The registry is one file, old or new; no temp or lock file beside it.
        same "$work/ledger_old" "$scratch/out" || same "$work/ledger_new" "$scratch/out" ||
            fail "$label: the registry folder is neither the old nor the new version"
        only_entry "$scratch/out" registry.json || fail "$label: left beside the registry:$left"
        countdown=$((countdown + 1))
        if [ "$countdown" -gt "$COUNTDOWN_MAX" ]; then fail "ledger $kind$suffix: never completed"; break; fi
    done
    echo "ledger $kind$suffix: the save completes at N=$countdown"
}

# The cases run in lanes at once, one per mode (once, persistent: the same
# kinds and countdowns, so the lanes are even); every case was already
# independent (its own copy of the old version), and each lane has its own
# folder, $files, for its scratch folders, fault log, stdout and stderr. A
# run spends much of its time waiting for fsync: two lanes fill that time.
# Each lane counts its cases and failures; the output is shown lane by lane.
lane() { # NUMBER MODE
    files=$work/lane$1
    mkdir "$files"
    cases=0 failures=0
    for kind in $KINDS; do run_cases "$kind" "$2"; done
    for kind in $KINDS; do
        [ "$kind" = mkdir ] && continue # --sync makes no folder
        ledger_cases "$kind" "$2"
    done
    echo "lane: $cases $failures"
}
lanes=0
pids=""
for mode in $MODES; do
    lanes=$((lanes + 1))
    lane "$lanes" "$mode" >"$work/lane$lanes.out" 2>&1 &
    pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
number=1
while [ "$number" -le "$lanes" ]; do
    grep -v '^lane: ' "$work/lane$number.out"
    counts=$(sed -n 's/^lane: //p' "$work/lane$number.out")
    if [ -n "$counts" ]; then
        set -- $counts
        cases=$((cases + $1)) failures=$((failures + $2))
    else
        fail "lane $number did not finish"
    fi
    number=$((number + 1))
done

echo "io faults: $cases cases, $failures failures"
[ "$failures" -eq 0 ]
