#!/bin/sh
# io_faults.sh -- I/O faults by countdown, SQLite's way (issue 9).
#
# Every save goes through io_open/io_write_all/io_fsync/io_rename, and
# LEDGERSIM_IO_FAULT="KIND:N[:persistent]" makes the N-th call of KIND (open,
# write, fsync, rename, or any) fail with EIO, once or from then on. For each
# kind and mode, N = 1, 2, ... until the save completes, this runs
#   ledgersim run NEW.csv --out DIR     over DIR holding a complete earlier run
#   ledgersim ledger --sync             over an existing TP/SL registry
# and requires of every failed case: the exit status of an output error (3
# for run, 2 for ledger), exactly one line on stderr naming the file and
# "Input/output error", every earlier file still there, every file present
# byte-identical to its previous or its new complete version (both parse), no
# temp file left behind. The case where the fault no longer fires must write
# exactly the new version. Leaks: under `make asan` LeakSanitizer fails the
# run (exit status and stderr); `make valgrind` reruns this script with
# LEDGERSIM_WRAPPER set to valgrind, which fails any case with an error or a
# leak.
#   env: LEDGERSIM (the binary), LEDGERSIM_WRAPPER (a command prefix, may be
#        empty), IO_FAULT_KINDS (default "open write fsync rename any"),
#        IO_FAULT_MODES (default "once persistent").
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
LEDGERSIM=${LEDGERSIM:-$root/bin/ledgersim}
WRAPPER=${LEDGERSIM_WRAPPER:-}
KINDS=${IO_FAULT_KINDS:-open write fsync rename any}
MODES=${IO_FAULT_MODES:-once persistent}
COUNTDOWN_MAX=400 # a save makes fewer wrapped calls than this: reaching it is a failure
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
failures=0
cases=0

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

# sums DIR: "PATH SHA256" of every file below DIR, sorted.
sums() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs sha256sum | awk '{print $2, $1}'); }
sums "$work/old" >"$work/old.sums"
sums "$work/new" >"$work/new.sums"
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
if cmp -s "$work/old.sums" "$work/new.sums"; then echo "FAIL: the two versions are the same"; exit 1; fi

# check_files CASE DIR OLD_SUMS NEW_SUMS: every old file is present, every
# file present is its old or new version, and nothing else is there.
check_files() {
    sums "$2" >"$work/now.sums"
    awk -v label="$1" '
        FILENAME == ARGV[1] { old[$1] = $2; next }
        FILENAME == ARGV[2] { new[$1] = $2; next }
        { seen[$1] = 1
          if (!($1 in old) && !($1 in new)) { print "FAIL " label ": unexpected file " $1; bad = 1 }
          else if ($2 != old[$1] && $2 != new[$1]) { print "FAIL " label ": " $1 " is neither the old nor the new version"; bad = 1 } }
        END { for (path in old) if (!(path in seen)) { print "FAIL " label ": " path " disappeared"; bad = 1 }
              exit bad }' "$3" "$4" "$work/now.sums"
}

# check_state_set CASE DIR: the six state files are all of one version (all
# old or all new): they are written as temps and renamed only when all six
# are on disk, so only a failing rename can leave a mix.
check_state_set() {
    sums "$2" | grep '^\./logs/state/' >"$work/state_now.sums"
    grep '^\./logs/state/' "$work/old.sums" | cmp -s - "$work/state_now.sums" && return 0
    grep '^\./logs/state/' "$work/new.sums" | cmp -s - "$work/state_now.sums" && return 0
    fail "$1: the state files mix the old and the new version"
}

# check_failure CASE STATUS EXPECTED_STATUS: the clean error of a failed save.
check_failure() {
    if [ "$2" -ne "$3" ]; then
        fail "$1: exit $2, expected $3"; sed 's/^/    /' "$work/err" | head -20; return
    fi
    lines=$(wc -l <"$work/err")
    if [ "$lines" -ne 1 ] || ! grep -q 'Input/output error' "$work/err"; then
        fail "$1: expected one line naming the I/O error on stderr, got:"; sed 's/^/    /' "$work/err" | head -20
    fi
}

# --- ledgersim run over a complete earlier run --------------------------------
for kind in $KINDS; do
    for mode in $MODES; do
        suffix=""
        [ "$mode" = persistent ] && suffix=":persistent"
        countdown=1
        while :; do
            label="run $kind:$countdown$suffix"
            cases=$((cases + 1))
            rm -rf "$work/out"
            cp -R "$work/old" "$work/out"
            LEDGERSIM_IO_FAULT="$kind:$countdown$suffix" $WRAPPER "$LEDGERSIM" run "$work/new.csv" \
                --out "$work/out" >"$work/stdout" 2>"$work/err"
            status=$?
            if [ "$status" -eq 0 ]; then
                # The fault no longer fires: the save completed, all new.
                [ -s "$work/err" ] && { fail "$label: stderr on success:"; sed 's/^/    /' "$work/err" | head; }
                sums "$work/out" | cmp -s - "$work/new.sums" || fail "$label: a completed save is not the new version"
                break
            fi
            check_failure "$label" "$status" 3
            check_files "$label" "$work/out" "$work/old.sums" "$work/new.sums" || failures=$((failures + 1))
            [ "$kind" = rename ] || [ "$kind" = any ] || check_state_set "$label" "$work/out"
            countdown=$((countdown + 1))
            if [ "$countdown" -gt "$COUNTDOWN_MAX" ]; then fail "run $kind$suffix: never completed"; break; fi
        done
        echo "run    $kind$suffix: the save completes at N=$countdown"
    done
done

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
sums "$work/ledger_old" >"$work/ledger_old.sums"
sums "$work/ledger_new" >"$work/ledger_new.sums"
if cmp -s "$work/ledger_old.sums" "$work/ledger_new.sums"; then echo "FAIL: the sync changed nothing"; exit 1; fi
for kind in $KINDS; do
    for mode in $MODES; do
        suffix=""
        [ "$mode" = persistent ] && suffix=":persistent"
        countdown=1
        while :; do
            label="ledger --sync $kind:$countdown$suffix"
            cases=$((cases + 1))
            rm -rf "$work/out"
            cp -R "$work/ledger_old" "$work/out"
            LEDGERSIM_IO_FAULT="$kind:$countdown$suffix" $WRAPPER "$LEDGERSIM" ledger --positions "$work/positions.json" \
                --tp-sl "$work/out/registry.json" --sync --ts 100 >"$work/stdout" 2>"$work/err"
            status=$?
            if [ "$status" -le 1 ]; then
                sums "$work/out" | cmp -s - "$work/ledger_new.sums" || fail "$label: a completed sync is not the new version"
                break
            fi
            check_failure "$label" "$status" 2
            check_files "$label" "$work/out" "$work/ledger_old.sums" "$work/ledger_new.sums" || failures=$((failures + 1))
            countdown=$((countdown + 1))
            if [ "$countdown" -gt "$COUNTDOWN_MAX" ]; then fail "ledger $kind$suffix: never completed"; break; fi
        done
        echo "ledger $kind$suffix: the save completes at N=$countdown"
    done
done

echo "io faults: $cases cases, $failures failures"
[ "$failures" -eq 0 ]
