#!/bin/sh
# rule_counts.sh -- kpis_v7.json's reconcile counts (per status and per
# rule) equal those recomputed from reconcile.jsonl by tools/rule_counts.py,
# on every bundled scenario (under its own rule set) and on generated ones
# under both rule sets.
set -u
case "${LEDGERSIM:=bin/ledgersim}" in
    /*) ;;
    */*) LEDGERSIM=$(pwd)/$LEDGERSIM ;;
esac
cd "$(dirname "$0")/.." || exit 1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
folders=""
for file in scenarios/*.csv; do
    name=$(basename "$file" .csv)
    "$LEDGERSIM" run "$file" --out "$work/$name" >/dev/null 2>&1
    [ -f "$work/$name/logs/state/kpis_v7.json" ] && folders="$folders $work/$name"
done
for seed in 1 2 3; do
    "$LEDGERSIM" gen --events 3000 --seed "$seed" --symbols 3 >"$work/gen$seed.csv" || exit 1
    "$LEDGERSIM" run "$work/gen$seed.csv" --out "$work/gen$seed" >/dev/null 2>&1 || exit 1
    folders="$folders $work/gen$seed"
done
python3 tools/rule_counts.py $folders
