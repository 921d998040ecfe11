#!/bin/sh
# limits.sh -- every input limit of tests/README-limits.md, at the limit and
# one past it (issue 9), with inputs generated here: at the limit the input
# is accepted; past it the command exits 2 with an error that names the file
# (and line, for a scenario) and the limit. Uses $LEDGERSIM.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
LEDGERSIM=${LEDGERSIM:-$root/bin/ledgersim}
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
failures=0
checks=0

# accepts LABEL COMMAND...: the command succeeds (exit 0, or 1 for a yellow ledger).
accepts() {
    label=$1
    shift
    checks=$((checks + 1))
    "$@" >"$work/out" 2>"$work/err"
    status=$?
    if [ "$status" -gt 1 ]; then
        echo "FAIL $label: exit $status at the limit:"; head -c 400 "$work/err" | sed 's/^/    /'; echo
        failures=$((failures + 1))
    fi
}
# refuses LABEL MESSAGE COMMAND...: exit 2 and MESSAGE (a fixed string) on stderr.
refuses() {
    label=$1
    message=$2
    shift 2
    checks=$((checks + 1))
    "$@" >"$work/out" 2>"$work/err"
    status=$?
    if [ "$status" -ne 2 ] || ! grep -qF -- "$message" "$work/err"; then
        echo "FAIL $label: exit $status (expected 2) and stderr without \"$message\":"
        head -c 400 "$work/err" | sed 's/^/    /'; echo
        failures=$((failures + 1))
    fi
}
run() { "$LEDGERSIM" run "$1" --out "$work/run" --trace none; }

python3 - "$work" <<'PY'
import json, os, sys
work = sys.argv[1]
def write(name, text):
    with open(os.path.join(work, name), "w") as file:
        file.write(text)
marks = "ts,event_id,type,symbol,price\n"
# Scenario: one physical line, one cell, a symbol, an event id, the header.
write("line_over.csv", marks + "1,,mark,BTCUSDT,1\n" + ("x" * 100 + ",") * 90 + "\n")  # short cells, 9090 bytes
write("cell_at.csv", "ts,type,key,value\n1,expect,status," + "v" * 255 + "\n")
write("cell_over.csv", "ts,type,key,value\n1,expect,status," + "v" * 256 + "\n")
write("symbol_at.csv", marks + "1,,mark," + "S" * 31 + ",1\n")
write("symbol_over.csv", marks + "1,,mark," + "S" * 32 + ",1\n")
write("event_id_at.csv", marks + "1," + "e" * 63 + ",mark,BTCUSDT,1\n")
write("event_id_over.csv", marks + "1," + "e" * 64 + ",mark,BTCUSDT,1\n")
columns = ["ts", "event_id", "type", "symbol", "side", "qty", "price", "high", "low", "fee", "realized_pnl",
           "amount", "rate", "wallet_balance", "available_margin", "used_margin", "maint_margin", "entry_price",
           "mark_price", "unrealized_pnl", "leverage", "tp", "sl", "avg_cost", "key", "value"]
row = ["1", "", "mark", "BTCUSDT"] + [""] * 2 + ["1"] + [""] * 19
write("columns_at.csv", ",".join(columns) + "\n" + ",".join(row) + "\n")
write("columns_over.csv", ",".join(columns + ["extra"]) + "\n" + ",".join(row + [""]) + "\n")
# Scenario: distinct symbols, rows of one exchange event, holdings, ATR period.
write("symbols_at.csv", marks + "".join(f"1,,mark,S{i},1\n" for i in range(256)))
write("symbols_over.csv", marks + "".join(f"1,,mark,S{i},1\n" for i in range(257)))
write("event_rows_at.csv", marks + "".join(f"1,g,mark,S{i % 8},1\n" for i in range(512)))
write("event_rows_over.csv", marks + "".join(f"1,g,mark,S{i % 8},1\n" for i in range(513)))
write("holding_rows_at.csv", "ts,type,symbol,qty\n" + "".join(f"1,holding,A{i},1\n" for i in range(64)))
write("holding_rows_over.csv", "ts,type,symbol,qty\n" + "".join(f"1,holding,A{i},1\n" for i in range(65)))
write("atr_at.csv", "ts,type,symbol,price,key,value\n,config,,,atr.period,1000\n1,mark,BTCUSDT,1,,\n")
write("atr_over.csv", "ts,type,symbol,price,key,value\n,config,,,atr.period,1001\n1,mark,BTCUSDT,1,,\n")
write("mark.csv", marks + "1,,mark,BTCUSDT,1\n")
faults = "ts,type,symbol,price,key,value\n"
write("fault_at.csv", faults + "1,fault,,,drop,1000000\n1,mark,BTCUSDT,1,,\n")
write("fault_over.csv", faults + "1,fault,,,drop,1000001\n1,mark,BTCUSDT,1,,\n")
write("asset_at.json", json.dumps({"A" * 27: {"qty": 1}}))
write("asset_over.json", json.dumps({"A" * 28: {"qty": 1}}))
write("config_key_at.json", json.dumps({"k" * 127: 1}))
write("config_key_over.json", json.dumps({"k" * 128: 1}))
# JSON: holdings assets, nesting depth, file size.
write("holdings_at.json", json.dumps({f"A{i}": {"qty": 1} for i in range(64)}))
write("holdings_over.json", json.dumps({f"A{i}": {"qty": 1} for i in range(65)}))
def nested(depth):  # depth containers: the root object, BTC's object, depth - 2 lists
    return '{"BTC": {"qty": 1, "notes": ' + "[" * (depth - 2) + "]" * (depth - 2) + "}}"
write("depth_at.json", nested(1000))
write("depth_over.json", nested(1001))
limit = 16 << 20
small = '{"BTC": {"qty": 1}}'
write("size_at.json", small + " " * (limit - len(small)))
write("size_over.json", small + " " * (limit - len(small) + 1))
# JSON: the live executor's positions state and TP/SL registry (ledger command).
positions = [{"symbol": f"S{i}", "side": "LONG", "qty": 1, "entry_price": 1} for i in range(257)]
write("positions_at.json", json.dumps({"positions": positions[:256]}))
write("positions_over.json", json.dumps({"positions": positions}))
def positions_nested(depth):  # the root object and depth - 1 lists
    return '{"positions": [], "notes": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"
write("positions_depth_at.json", positions_nested(1000))
write("positions_depth_over.json", positions_nested(1001))
empty = '{"positions": []}'
write("positions_size_at.json", empty + " " * (limit - len(empty)))
write("positions_size_over.json", empty + " " * (limit - len(empty) + 1))
registry = {f"S{i}": {"side": "LONG", "entry_price": 1, "tp": 2, "sl": 0.5} for i in range(257)}
write("registry_at.json", json.dumps(dict(list(registry.items())[:256])))
write("registry_over.json", json.dumps(registry))
PY
[ $? -eq 0 ] || { echo "FAIL: generating the inputs"; exit 1; }
cd "$work" || exit 1

# --- scenario files -------------------------------------------------------------
refuses "line length" "line_over.csv:3: line longer than 8192 bytes" run line_over.csv
accepts "cell length 255" run cell_at.csv
refuses "cell length 256" "cell_over.csv:2: a cell is longer than 255 bytes" run cell_over.csv
accepts "symbol 31 bytes" run symbol_at.csv
refuses "symbol 32 bytes" "is longer than 31 bytes" run symbol_over.csv
accepts "event id 63 bytes" run event_id_at.csv
refuses "event id 64 bytes" "is longer than 63 bytes" run event_id_over.csv
accepts "26 columns" run columns_at.csv
refuses "27 columns" "columns_over.csv:1: the header has more than 26 columns" run columns_over.csv
accepts "256 symbols" run symbols_at.csv
refuses "257 symbols" "symbols_over.csv:258: more than 256 symbols" run symbols_over.csv
accepts "512 rows in one event" run event_rows_at.csv
refuses "513 rows in one event" "event_rows_over.csv:514: event 'g' has more than 512 rows" run event_rows_over.csv
accepts "64 holding rows" run holding_rows_at.csv
refuses "65 holding rows" "holding_rows_over.csv:66: more than 64 holdings" run holding_rows_over.csv
accepts "atr.period 1000" run atr_at.csv
refuses "atr.period 1001" "atr_over.csv:2: config atr.period: '1001' must be a whole number from 1 to 1000" run atr_over.csv
accepts "fault count 1000000" run fault_at.csv
refuses "fault count 1000001" "fault_over.csv:2: fault drop needs value=N, a whole number from 1 to 1000000" \
    run fault_over.csv

# --- JSON files read by run (holdings, config) -----------------------------------
accepts "asset name 27 bytes" "$LEDGERSIM" run mark.csv --holdings asset_at.json --out run
refuses "asset name 28 bytes" "not a valid asset name" "$LEDGERSIM" run mark.csv --holdings asset_over.json --out run
refuses "config key 127 bytes: known or not, it is read whole" "unknown config key" \
    "$LEDGERSIM" run mark.csv --config config_key_at.json --out run
refuses "config key 128 bytes" "is too long" "$LEDGERSIM" run mark.csv --config config_key_over.json --out run
accepts "64 holdings" "$LEDGERSIM" run mark.csv --holdings holdings_at.json --out run
refuses "65 holdings" "holdings_over.json: more than 64 assets" \
    "$LEDGERSIM" run mark.csv --holdings holdings_over.json --out run
accepts "JSON depth 1000" "$LEDGERSIM" run mark.csv --holdings depth_at.json --out run
refuses "JSON depth 1001" "depth_over.json: byte 1026: nested deeper than 1000 levels" \
    "$LEDGERSIM" run mark.csv --holdings depth_over.json --out run
refuses "config JSON depth 1001" "depth_over.json: byte 1026: nested deeper than 1000 levels" \
    "$LEDGERSIM" run mark.csv --config depth_over.json --out run
accepts "JSON 16 MiB" "$LEDGERSIM" run mark.csv --holdings size_at.json --out run
refuses "JSON 16 MiB + 1" "size_over.json: larger than 16 MiB" \
    "$LEDGERSIM" run mark.csv --holdings size_over.json --out run
refuses "config JSON 16 MiB + 1" "size_over.json: larger than 16 MiB" \
    "$LEDGERSIM" run mark.csv --config size_over.json --out run

# --- the live executor's state files (ledger) -----------------------------------
accepts "256 open positions" "$LEDGERSIM" ledger --positions positions_at.json
refuses "257 open positions" "more than 256 open positions" "$LEDGERSIM" ledger --positions positions_over.json
accepts "positions JSON depth 1000" "$LEDGERSIM" ledger --positions positions_depth_at.json
refuses "positions JSON depth 1001" "nested deeper than 1000 levels" \
    "$LEDGERSIM" ledger --positions positions_depth_over.json
accepts "positions 16 MiB" "$LEDGERSIM" ledger --positions positions_size_at.json
refuses "positions 16 MiB + 1" "larger than the 16 MiB limit" "$LEDGERSIM" ledger --positions positions_size_over.json
accepts "256 registry entries" "$LEDGERSIM" ledger --positions positions_at.json --tp-sl registry_at.json
refuses "257 registry entries" "more than 256 entries" \
    "$LEDGERSIM" ledger --positions positions_at.json --tp-sl registry_over.json

# --- the command line -------------------------------------------------------------
# shellcheck disable=SC2046
refuses "4097 scenario files" "more than 4096 scenario files" "$LEDGERSIM" run $(seq -f 'f%g.csv' 1 4097)
set --
index=0
while [ "$index" -lt 257 ]; do set -- "$@" --set seed_capital=1000; index=$((index + 1)); done
refuses "257 --set options" "more than 256 --set options" "$LEDGERSIM" run mark.csv --out run "$@"

echo "limits: $checks checks, $failures failures"
[ "$failures" -eq 0 ]
