#!/bin/sh
# holdings.sh -- seed 000: holdings come only from --holdings (and holding
# rows); reserves.json and assets.json lying beside it are never opened, no
# reserves/treasury/assets field is written; bad holdings files exit 2
# naming the file and the asset.
set -u
LEDGERSIM=${LEDGERSIM:-bin/ledgersim}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
holdings=fixtures/holdings/offexchange_holdings.json
[ -f fixtures/holdings/reserves.json ] && [ -f fixtures/holdings/assets.json ] || fail "fixtures missing"

# strace proves which files were opened: it is required (tools/install-deps.sh
# installs it), and a missing strace fails this test instead of skipping it.
command -v strace >/dev/null 2>&1 || fail "strace is not installed (tools/install-deps.sh)"
# LeakSanitizer cannot run under ptrace (make asan): no leak check for this one run.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    strace -f -e trace=open,openat -o "$work/trace" "$LEDGERSIM" run scenarios/nav_aum.csv --holdings "$holdings" \
    --out "$work/run" >/dev/null || fail "run with holdings (under strace)"
# The trace must show the run's own opens: a trace that saw nothing proves nothing.
grep -q "offexchange_holdings.json" "$work/trace" || fail "strace saw no open of the holdings file"
grep -q "scenarios/nav_aum.csv" "$work/trace" || fail "strace saw no open of the scenario"
if grep -E "reserves.json|assets.json" "$work/trace"; then fail "reserves.json or assets.json was opened"; fi
if grep -rEi '"(reserves|treasury|assets)"' "$work/run"; then fail "a reserves/treasury/assets field was written"; fi

# The scenario's own holding rows replace the file's BTC (0.5 at 40000) and add
# XAUT; USDC has no USDCUSDT mark: its value is null and it adds nothing.
python3 - "$work/run/logs/state/nav.json" <<'PY' || fail "nav.json aum block"
import json, sys
nav = json.load(open(sys.argv[1]))
aum = nav["aum"]
checks = [
    (nav["nav_total"] == 20000 and aum["futures"] == 20000, "nav_total/futures"),
    (aum["offexchange"]["BTC"] == {"qty": 0.5, "usd_value": 25000, "avg_cost": 40000}, "BTC"),
    (aum["offexchange"]["USDC"] == {"qty": 5000, "usd_value": None, "avg_cost": 1}, "USDC"),
    (aum["offexchange"]["XAUT"]["usd_value"] == 5000, "XAUT"),
    (list(aum["offexchange"]) == sorted(aum["offexchange"]), "assets must be sorted"),
    (aum["total"] == 50000, "total"),
]
bad = [name for ok, name in checks if not ok]
if bad:
    print("nav.json:", bad, nav)
    sys.exit(1)
PY
python3 - "$work/run/logs/state/kpis_v7.json" <<'PY' || fail "kpis_v7.json aum_total"
import json, sys
kpis = json.load(open(sys.argv[1]))
if not (kpis["aum_total"] == 50000 and kpis["nav"] == {"nav_total": 20000, "aum_total": 50000}):
    print("kpis_v7.json:", kpis)
    sys.exit(1)
PY

for bad in non_numeric_qty negative_qty malformed; do
    "$LEDGERSIM" run scenarios/nav_aum.csv --holdings "fixtures/holdings/$bad.json" --out "$work/$bad" 2>"$work/err"
    [ $? -eq 2 ] || fail "$bad.json must exit 2"
    grep -q "fixtures/holdings/$bad.json" "$work/err" || fail "$bad.json: message must name the file"
    [ "$bad" = malformed ] || grep -q "BTC" "$work/err" || fail "$bad.json: message must name the asset"
    [ ! -e "$work/$bad" ] || fail "$bad.json: output written"
done
echo "holdings: ok"
