#!/bin/sh
# simulator.sh -- the simulated venue, the fault injector and `ledgersim
# fuzz` from the command line (issue 5):
#   - a run with only duplicate faults leaves every state file and log
#     byte-identical to the clean run (kpis_v7.json but its fault counters);
#   - the same seed gives identical trees, another seed different faults;
#   - orders.jsonl records rejected and filled orders, faults.jsonl every fault;
#   - run options: bad --faults / --seed / --detect-window are usage errors,
#     --strict passes a clean fuzzed run;
#   - --report draws reports, or says once that they were skipped;
#   - fuzz: the table, no violation, the same output for every -j, usage.
set -u
LEDGERSIM=${LEDGERSIM:-bin/ledgersim}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
backtest=scenarios/backtest_fuzz.csv

# Removes the members that count faults from a kpis_v7.json (they must differ).
strip_fault_counters() { # in out
    python3 - "$1" "$2" <<'PY' || fail "strip $1"
import json, sys
data = json.load(open(sys.argv[1]))
for key in ("faults_injected", "duplicates_skipped", "simulator"):
    data.pop(key, None)
json.dump(data, open(sys.argv[2], "w"), sort_keys=True)
PY
}

# 1. Duplicates only: the state as if each event came once.
"$LEDGERSIM" run "$backtest" --out "$work/clean" >/dev/null 2>&1 || fail "clean run"
"$LEDGERSIM" run "$backtest" --faults duplicate=0.3 --seed 7 --out "$work/dup" >/dev/null 2>&1 || fail "duplicate run"
[ -s "$work/dup/logs/faults.jsonl" ] || fail "the duplicate run injected no fault"
grep -v '"kind":"duplicate"' "$work/dup/logs/faults.jsonl" | grep -q . && fail "a fault other than duplicate"
for file in state/account.json state/nav.json state/positions_state.json state/position_tp_sl.json state/state.json \
            reconcile.jsonl nav.csv exits.jsonl orders.jsonl; do
    cmp -s "$work/clean/logs/$file" "$work/dup/logs/$file" || fail "duplicates changed logs/$file"
done
strip_fault_counters "$work/clean/logs/state/kpis_v7.json" "$work/clean.kpis"
strip_fault_counters "$work/dup/logs/state/kpis_v7.json" "$work/dup.kpis"
cmp -s "$work/clean.kpis" "$work/dup.kpis" || fail "duplicates changed kpis_v7.json beyond the fault counters"
python3 - "$work/dup/logs/state/kpis_v7.json" "$work/dup/logs/faults.jsonl" <<'PY' || fail "duplicate counters"
import json, sys
def check(ok, *detail):
    """An explicit check (assert vanishes under PYTHONOPTIMIZE)."""
    if not ok:
        print("check failed:", *detail, file=sys.stderr)
        sys.exit(1)
kpis = json.load(open(sys.argv[1]))
faults = [json.loads(line) for line in open(sys.argv[2])]
check(kpis["faults_injected"] == len(faults) > 0, (kpis["faults_injected"], len(faults)))
check(kpis["duplicates_skipped"] == len(faults), (kpis["duplicates_skipped"], len(faults)))
check(kpis["simulator"]["detection"]["duplicate"]["injected"] == len(faults))
check(kpis["simulator"]["invariant_violations"] == 0)
PY

# 2. Same seed, same bytes; another seed, other faults.
for name in a b; do
    "$LEDGERSIM" run "$backtest" --faults all=0.02 --seed 42 --out "$work/seed42$name" >/dev/null 2>&1 ||
        fail "run seed 42 ($name)"
done
diff -r "$work/seed42a" "$work/seed42b" >/dev/null || fail "two runs with seed 42 differ"
"$LEDGERSIM" run "$backtest" --faults all=0.02 --seed 43 --out "$work/seed43" >/dev/null 2>&1 || fail "run seed 43"
cmp -s "$work/seed42a/logs/faults.jsonl" "$work/seed43/logs/faults.jsonl" && fail "seeds 42 and 43 drew the same faults"
for kind in stale_mark zero_wallet orphan_tp_sl drop duplicate delay corrupt; do
    grep -q "\"kind\":\"$kind\"" "$work/seed42a/logs/faults.jsonl" || fail "seed 42 drew no $kind fault"
done
# Adding a kind never moves the draws of another: the drop faults of a
# drop-only plan are the first ones hit in the same events with a second kind.
"$LEDGERSIM" run "$backtest" --faults drop=0.02 --seed 5 --out "$work/drop" >/dev/null 2>&1 || fail "drop run"
"$LEDGERSIM" run "$backtest" --faults drop=0.02,zero_wallet=0.02 --seed 5 --out "$work/drop_zero" >/dev/null 2>&1 ||
    fail "drop and zero_wallet run"
first_drop() { grep '"kind":"drop"' "$1" | head -1 | sed 's/.*"event_id":"\([^"]*\)".*/\1/'; }
[ "$(first_drop "$work/drop/logs/faults.jsonl")" = "$(first_drop "$work/drop_zero/logs/faults.jsonl")" ] ||
    fail "adding zero_wallet moved the first drop"
python3 - "$work/seed42a/logs/state/kpis_v7.json" <<'PY' || fail "kpis simulator block"
import json, sys
def check(ok, *detail):
    """An explicit check (assert vanishes under PYTHONOPTIMIZE)."""
    if not ok:
        print("check failed:", *detail, file=sys.stderr)
        sys.exit(1)
simulator = json.load(open(sys.argv[1]))["simulator"]
check(simulator["backtest"] is True and simulator["seed"] == 42, simulator)
check(simulator["faults"].startswith("stale_mark=0.02,"), simulator["faults"])
check(simulator["invariant_violations"] == 0)
check(sorted(simulator["invariants"]) == ["event_applied_once", "exit_intent_has_position",
    "invalid_wallet_frame_inert", "money_conserved", "registry_has_position"])
detection = simulator["detection"]
check(detection["window"] == 5)
for kind in ("corrupt", "delay", "drop", "duplicate", "orphan_tp_sl", "stale_mark", "zero_wallet"):
    row = detection[kind]
    check(0 <= row["detected"] <= row["injected"] and row["injected_on_ok"] <= row["injected"], (kind, row))
venue = simulator["venue"]
check(abs(venue["wallet_balance"] - (10000 + venue["realized_pnl"] - venue["fees_paid"] - venue["funding_paid"])) < 1e-6)
PY

# 3. orders.jsonl and faults.jsonl.
"$LEDGERSIM" run scenarios/backtest_basic.csv --out "$work/basic" >/dev/null 2>&1 || fail "basic backtest"
python3 - "$work/basic/logs/orders.jsonl" <<'PY' || fail "orders.jsonl"
import json, sys
def check(ok, *detail):
    """An explicit check (assert vanishes under PYTHONOPTIMIZE)."""
    if not ok:
        print("check failed:", *detail, file=sys.stderr)
        sys.exit(1)
orders = [json.loads(line) for line in open(sys.argv[1])]
check([o["status"] for o in orders] == ["REJECTED", "REJECTED", "FILLED", "FILLED", "FILLED", "FILLED", "FILLED"])
check([o["reason"] for o in orders] == ["no mark", "zero quantity", "strategy", "exit TP", "strategy", "exit SL",
                                         "strategy"], [o["reason"] for o in orders])
check(orders[0]["price"] is None and orders[2]["price"] == 50000 and orders[2]["fee"] == 2)
check(orders[3]["side"] == "SELL" and orders[3]["realized_pnl"] == 50)
for order in orders:
    check(set(order) == {"ts", "symbol", "side", "qty", "status", "price", "fee", "realized_pnl", "reason"})
PY
[ -f "$work/basic/logs/faults.jsonl" ] && [ ! -s "$work/basic/logs/faults.jsonl" ] || fail "faults.jsonl must exist, empty"
python3 - "$work/seed42a/logs/faults.jsonl" <<'PY' || fail "faults.jsonl lines"
import json, sys
def check(ok, *detail):
    """An explicit check (assert vanishes under PYTHONOPTIMIZE)."""
    if not ok:
        print("check failed:", *detail, file=sys.stderr)
        sys.exit(1)
last = 0
for line in open(sys.argv[1]):
    fault = json.loads(line)
    check(set(fault) == {"event_seq", "kind", "symbol", "params"}, fault)
    check(fault["event_seq"] >= last and fault["params"]["drawn"] is True)
    last = fault["event_seq"]
PY
# A plain replay of exchange facts is unchanged: no simulator member.
"$LEDGERSIM" run scenarios/funding.csv --out "$work/plain" >/dev/null 2>&1 || fail "plain replay"
grep -q '"simulator"' "$work/plain/logs/state/kpis_v7.json" && fail "a plain replay has a simulator member"

# 4. Options.
"$LEDGERSIM" run "$backtest" --faults drop=2 --out "$work/x" >/dev/null 2>&1; [ $? -eq 2 ] || fail "--faults drop=2"
"$LEDGERSIM" run "$backtest" --faults jitter=0.1 --out "$work/x" 2>"$work/err"; [ $? -eq 2 ] || fail "unknown kind"
grep -q "unknown fault kind 'jitter'" "$work/err" || fail "unknown kind message"
"$LEDGERSIM" run "$backtest" --faults drop=0.1 --seed -1 --out "$work/x" >/dev/null 2>&1; [ $? -eq 2 ] || fail "--seed -1"
"$LEDGERSIM" run "$backtest" --detect-window 0 --out "$work/x" >/dev/null 2>&1; [ $? -eq 2 ] || fail "--detect-window 0"
[ -e "$work/x" ] && fail "a usage error wrote files"
"$LEDGERSIM" run "$backtest" --faults all=0.05 --seed 3 --strict --detect-window 2 --out "$work/strict" >/dev/null 2>&1 ||
    fail "--strict on a run without violations"
grep -q '"window": 2' "$work/strict/logs/state/kpis_v7.json" || fail "--detect-window not in the KPIs"
# check takes the fault options too: drawn duplicates change nothing but the fault counters.
"$LEDGERSIM" check scenarios/fault_*.csv scenarios/backtest_*.csv --faults duplicate=0.2 --seed 1 --out "$work/chk" \
    >"$work/out" 2>&1
[ $? -eq 1 ] || { cat "$work/out"; fail "check --faults duplicate=0.2: the fault counters must fail"; }
grep -q "faults.count expected" "$work/out" || fail "check --faults: faults.count"
grep -v "faults.count expected\|duplicates_skipped expected\|passed, .* failed\|^PASS \|^FAIL " "$work/out" | grep -q . &&
    { cat "$work/out"; fail "drawn duplicates changed an expectation other than the fault counters"; }

# 5. Reports: drawn with gnuplot, skipped once without.
if command -v gnuplot >/dev/null 2>&1; then
    "$LEDGERSIM" run scenarios/backtest_basic.csv --report --out "$work/report" >/dev/null 2>"$work/err" ||
        { cat "$work/err"; fail "run --report"; }
    [ -s "$work/report/reports/index.html" ] || fail "run --report wrote no index.html"
fi
mkdir "$work/nopath"
PATH="$work/nopath" "$LEDGERSIM" run scenarios/backtest_basic.csv scenarios/fault_drop.csv --report --out "$work/noplot" \
    >/dev/null 2>"$work/err" || { cat "$work/err"; fail "run --report without gnuplot must succeed"; }
[ "$(grep -c "reports skipped" "$work/err")" -eq 1 ] || { cat "$work/err"; fail "reports skipped must be said once"; }
[ -s "$work/noplot/backtest_basic/logs/state/kpis_v7.json" ] || fail "state files without gnuplot"

# 6. fuzz: table, no violation, -j does not change the output.
"$LEDGERSIM" fuzz "$backtest" --seeds 1..40 --faults all=0.01 >"$work/fuzz1" 2>&1 || { cat "$work/fuzz1"; fail "fuzz -j 1"; }
"$LEDGERSIM" fuzz "$backtest" --seeds 1..40 --faults all=0.01 -j 3 >"$work/fuzz3" 2>&1 || fail "fuzz -j 3"
cmp -s "$work/fuzz1" "$work/fuzz3" || { diff "$work/fuzz1" "$work/fuzz3"; fail "-j 3 changed the output"; }
for word in corrupt delay drop duplicate orphan_tp_sl stale_mark zero_wallet money_conserved event_applied_once \
            invalid_wallet_frame_inert exit_intent_has_position registry_has_position; do
    grep -q "^$word " "$work/fuzz1" || fail "fuzz table lacks $word"
done
grep -q "^0 violations\|0 of 40 seeds failed" "$work/fuzz1" || fail "fuzz summary"
# The fuzz totals agree with the runs it stands for.
"$LEDGERSIM" fuzz "$backtest" --seeds 42..42 --faults all=0.02 >"$work/fuzz42" 2>&1 || fail "fuzz seed 42"
injected=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["faults_injected"])' \
    "$work/seed42a/logs/state/kpis_v7.json")
grep -q "^all  *$injected " "$work/fuzz42" || { cat "$work/fuzz42"; fail "fuzz seed 42 must count $injected faults"; }
"$LEDGERSIM" fuzz "$backtest" --seeds 5..1 --faults all=0.01 >/dev/null 2>&1; [ $? -eq 2 ] || fail "--seeds 5..1"
"$LEDGERSIM" fuzz "$backtest" --seeds 1..5 >/dev/null 2>&1; [ $? -eq 2 ] || fail "fuzz without --faults"
"$LEDGERSIM" fuzz tests/bad/nan_value.csv --seeds 1..5 --faults drop=0.1 >/dev/null 2>&1; [ $? -eq 2 ] ||
    fail "fuzz of a bad scenario"
"$LEDGERSIM" fuzz --help | grep -q "reproduces" || fail "fuzz --help"
echo ok
