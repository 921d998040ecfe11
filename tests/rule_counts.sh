#!/bin/sh
# rule_counts.sh -- kpis_v7.json's reconcile counts (per status and per
# rule) equal those recomputed from reconcile.jsonl by tools/rule_counts.py,
# on every bundled scenario (under its own rule set), on generated ones and
# on a backtest with drawn faults, each under both rule sets.
set -u
case "${LEDGERSIM:=bin/ledgersim}" in
    /*) ;;
    */*) LEDGERSIM=$(pwd)/$LEDGERSIM ;;
esac
cd "$(dirname "$0")/.." || exit 1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
# The bundled scenarios' runs and the generated and fault runs go in two
# lanes at once (each run waits for its fsyncs with the CPU idle); the
# folders are listed afterwards, in the same order as before.
bundled_runs() {
    for file in scenarios/*.csv; do
        name=${file##*/}
        "$LEDGERSIM" run "$file" --out "$work/${name%.csv}" >/dev/null 2>&1
    done
}
generated_runs() {
    for seed in 1 2 3; do
        "$LEDGERSIM" gen --events 3000 --seed "$seed" --symbols 3 >"$work/gen$seed.csv" || return 1
        for rules in seed v2; do
            "$LEDGERSIM" run "$work/gen$seed.csv" --set reconcile.rules=$rules --out "$work/gen$seed-$rules" \
                >/dev/null 2>&1 || return 1
        done
    done
    # a backtest with every fault kind drawn, under both rule sets
    for rules in seed v2; do
        "$LEDGERSIM" run scenarios/backtest_fuzz.csv --faults all=0.02 --seed 7 --set reconcile.rules=$rules \
            --out "$work/faults-$rules" >/dev/null 2>&1 || return 1
    done
}
bundled_runs &
bundled=$!
generated_runs || { wait "$bundled"; exit 1; }
wait "$bundled"
folders=""
for file in scenarios/*.csv; do
    name=${file##*/}
    name=${name%.csv}
    [ -f "$work/$name/logs/state/kpis_v7.json" ] && folders="$folders $work/$name"
done
for seed in 1 2 3; do
    for rules in seed v2; do folders="$folders $work/gen$seed-$rules"; done
done
for rules in seed v2; do folders="$folders $work/faults-$rules"; done
python3 tools/rule_counts.py $folders
