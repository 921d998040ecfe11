#!/bin/sh
# check_cli.sh -- the run/check command line: failed expectations and their
# exit status, config precedence, determinism, help and version.
set -u
LEDGERSIM=${LEDGERSIM:-bin/ledgersim}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# A failed expectation: exit 1, FILE:LINE: PATH expected X, got Y, summary line.
cat >"$work/wrong.csv" <<'CSV'
ts,type,symbol,side,qty,price,key,value
1,fill,BTCUSDT,BUY,1,100,,
1,expect,,,,,k.fees_paid,3
1,expect,,,,,status,OK
CSV
"$LEDGERSIM" check "$work/wrong.csv" --out "$work/wrong" >"$work/out" 2>&1
[ $? -eq 1 ] || fail "a failed expectation must exit 1"
grep -qx "$work/wrong.csv:3: k.fees_paid expected 3, got 0" "$work/out" || { cat "$work/out"; fail "failure line"; }
tail -1 "$work/out" | grep -qx "0 passed, 1 failed" || fail "summary line"

# Mixed: one good, one failing, one bad file -> exit 2, summary counts files.
"$LEDGERSIM" check scenarios/funding.csv "$work/wrong.csv" tests/bad/nan_value.csv --out "$work/mixed" >"$work/out" 2>&1
[ $? -eq 2 ] || fail "bad input among files must exit 2"
tail -1 "$work/out" | grep -qx "1 passed, 2 failed" || { cat "$work/out"; fail "mixed summary"; }

# Precedence: --set over --config over scenario config rows over defaults.
cat >"$work/precedence.csv" <<'CSV'
ts,type,key,value
,config,seed_capital,5000
,config,reconcile.pending_fee_bound,50
1,expect,k.capital,10000
CSV
"$LEDGERSIM" check "$work/precedence.csv" --config fixtures/config/thresholds.json --out "$work/p1" >/dev/null ||
    fail "--config must override the scenario's config rows"
"$LEDGERSIM" check "$work/precedence.csv" --config fixtures/config/thresholds.json --set seed_capital=7000 \
    --out "$work/p2" >"$work/out" 2>&1
grep -q "k.capital expected 10000, got 7000" "$work/out" || fail "--set must override --config"
"$LEDGERSIM" run "$work/precedence.csv" --set seed_capitol=1 --out "$work/p3" 2>"$work/out"
[ $? -eq 2 ] && grep -q "unknown config key" "$work/out" || fail "--set with an unknown key"

# Determinism: two runs give byte-identical trees.
for scenario in scenarios/*.csv; do
    name=$(basename "$scenario" .csv)
    "$LEDGERSIM" run "$scenario" --out "$work/a/$name" >/dev/null 2>&1 || fail "run $scenario"
    "$LEDGERSIM" run "$scenario" --out "$work/b/$name" >/dev/null 2>&1 || fail "run $scenario"
done
diff -r "$work/a" "$work/b" >/dev/null || fail "two runs differ"

# Every JSON file parses and no number is NaN/Infinity text: one python3
# for all of them (python3 here takes about a second to start).
find "$work/a" -name '*.json' | sort >"$work/json-files"
[ "$(grep -c '' "$work/json-files")" -ge 100 ] || fail "fewer JSON files than the scenarios write"
python3 - "$work/json-files" <<'PY' || fail "a JSON file does not parse"
import json, sys
def non_finite(text):
    raise ValueError("non-finite " + text)
bad = 0
for path in open(sys.argv[1]).read().split():
    try:
        json.load(open(path), parse_constant=non_finite)
    except ValueError as error:
        print(path + ": " + str(error)); bad += 1
if bad:
    sys.exit(1)
PY

"$LEDGERSIM" --version | grep -q '^ledgersim ' || fail "--version"
for command in run check ledger report fuzz gen live; do
    "$LEDGERSIM" "$command" --help >/dev/null 2>&1 || fail "$command --help"
done
"$LEDGERSIM" frobnicate >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown command must exit 2"
echo "check_cli: ok"
