#!/bin/sh
# rules_v2.sh -- issue 17's acceptance on the bundled clean backtests (no
# fault rows, no drawn faults): under reconcile.rules=v2 every snapshot is
# OK (kpis_v7.json reconcile.warn and reconcile.error are 0 and ok is the
# snapshot count), while the seed's rules flag the leveraged one with
# several exits (so the file tests what v2 corrects). Also: --set
# reconcile.rules rejects an unknown set with exit 2.
set -u
case "${LEDGERSIM:=bin/ledgersim}" in
    /*) ;;
    */*) LEDGERSIM=$(pwd)/$LEDGERSIM ;;
esac
cd "$(dirname "$0")/.." || exit 1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
failures=0

# count FILE KEY: the integer after "KEY": in the reconcile member of FILE
count() { sed -n '/"reconcile": {/,/"worst_fields"/p' "$1" | sed -n "s/^ *\"$2\": \\([0-9]*\\),*$/\\1/p"; }

for file in scenarios/backtest_basic.csv scenarios/backtest_fuzz.csv scenarios/backtest_leverage.csv; do
    out="$work/$(basename "$file" .csv)"
    if ! "$LEDGERSIM" run "$file" --set reconcile.rules=v2 --out "$out" >/dev/null 2>"$work/stderr"; then
        echo "FAIL $file: run failed: $(head -3 "$work/stderr")"
        failures=$((failures + 1))
        continue
    fi
    kpis="$out/logs/state/kpis_v7.json"
    snapshots=$(grep -c '' "$out/logs/reconcile.jsonl")
    ok=$(count "$kpis" ok) warn=$(count "$kpis" warn) error=$(count "$kpis" error)
    if [ "$ok" = "$snapshots" ] && [ "$warn" = 0 ] && [ "$error" = 0 ] && [ "$snapshots" -gt 10 ]; then
        echo "ok   $file under v2: $snapshots snapshots, all OK"
    else
        echo "FAIL $file under v2: $snapshots snapshots, ok=$ok warn=$warn error=$error"
        failures=$((failures + 1))
    fi
done

"$LEDGERSIM" run scenarios/backtest_leverage.csv --set reconcile.rules=seed --out "$work/seed" >/dev/null 2>&1
seed_error=$(count "$work/seed/logs/state/kpis_v7.json" error)
if [ "${seed_error:-0}" -gt 0 ]; then
    echo "ok   backtest_leverage under the seed's rules: $seed_error ERROR snapshots (R4 vs used margin)"
else
    echo "FAIL backtest_leverage under the seed's rules: expected ERROR snapshots, got '${seed_error:-}'"
    failures=$((failures + 1))
fi

"$LEDGERSIM" run scenarios/backtest_basic.csv --set reconcile.rules=v3 --out "$work/bad" >/dev/null 2>"$work/stderr"
status=$?
if [ "$status" -eq 2 ] && grep -q "must be seed or v2" "$work/stderr"; then
    echo "ok   --set reconcile.rules=v3 refused (exit 2)"
else
    echo "FAIL --set reconcile.rules=v3: exit $status, $(head -1 "$work/stderr")"
    failures=$((failures + 1))
fi
[ "$failures" -eq 0 ]
