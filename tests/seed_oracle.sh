#!/bin/sh
# seed_oracle.sh -- ledgersim's reconcile stream against the seed's own Python.
#
# tools/seed_oracle.py carries a copy of seed 001's account projection and a
# reimplementation of the scenario format's kernel rules. For every bundled
# scenario the oracle covers (row types config, fill, funding, balance,
# position, mark, plus expect/bar/tp_sl/holding, which do not reach the
# projection) and for scenarios drawn at random from fixed seeds, this runs
# `$LEDGERSIM run FILE --out DIR` and compares DIR/logs/reconcile.jsonl (and
# the last snapshot and published block of account.json) with the oracle
# field by field: numbers as the same double, strings equal. Prints file,
# line and field of every difference; a failing generated scenario is kept in
# ${TMPDIR:-/tmp}/seed_oracle_failures/. Exit 0 when everything matches.
#   LEDGERSIM     the binary (default bin/ledgersim; set by tools/run-tests.sh)
#   ORACLE_SEEDS  generated scenarios: per seed one of 200 events and two
#                 short ones (default 12 seeds)
set -u
case "${LEDGERSIM:=bin/ledgersim}" in
    /*) ;;
    */*) LEDGERSIM=$(pwd)/$LEDGERSIM ;;
esac
cd "$(dirname "$0")/.." || exit 1
seeds=${ORACLE_SEEDS:-12}
# the interpreter itself: a version-manager shim can cost a second per call
python=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || python=python3
oracle() { "$python" tools/seed_oracle.py "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
failures=0
compared=0
skipped=0

if ! oracle selftest >"$work/selftest.log" 2>&1; then
    echo "FAIL tools/seed_oracle.py selftest"
    cat "$work/selftest.log"
    exit 1
fi
if [ ! -x "$LEDGERSIM" ]; then
    echo "FAIL no ledgersim binary at $LEDGERSIM"
    exit 1
fi

# compare_file FILE: runs ledgersim on FILE and compares with the oracle;
# returns 1 on a difference.
compare_file() {
    file=$1
    out="$work/run.$compared"
    compared=$((compared + 1))
    if ! "$LEDGERSIM" run "$file" --out "$out" >"$work/run.log" 2>&1; then
        echo "FAIL $file: ledgersim run failed:"
        sed 's/^/    /' "$work/run.log" | head -20
        failures=$((failures + 1))
        return 1
    fi
    if oracle compare "$file" "$out" >"$work/compare.log" 2>&1; then
        echo "ok   $file ($(grep -c '' "$out/logs/reconcile.jsonl") snapshots)"
        rm -rf "$out"
        return 0
    fi
    echo "FAIL $file: $(grep -c '' "$work/compare.log") differences, the first ones:"
    head -25 "$work/compare.log" | sed 's/^/    /'
    failures=$((failures + 1))
    rm -rf "$out"
    return 1
}

# the bundled scenarios the oracle covers
oracle supported scenarios/*.csv >"$work/supported.txt" 2>&1
while read -r verdict file rest; do
    case "$verdict" in
        ok) compare_file "$file" ;;
        skip) echo "skip $file $rest"; skipped=$((skipped + 1)) ;;
        *) echo "FAIL oracle supported: $verdict $file $rest"; failures=$((failures + 1)) ;;
    esac
done <"$work/supported.txt"

# generated ones: long runs, then short ones (the published block is compared
# at the end of a run only, so many short runs check it at many points)
specs=""
seed=1
while [ "$seed" -le "$seeds" ]; do
    specs="$specs $seed:200 $((1000 + seed)):$((2 + seed % 9)) $((2000 + seed)):$((3 + seed % 5))"
    seed=$((seed + 1))
done
mkdir "$work/generated"
# shellcheck disable=SC2086
if ! oracle generate-set "$work/generated" $specs >"$work/generate.log" 2>&1; then
    echo "FAIL generating scenarios:"
    cat "$work/generate.log"
    failures=$((failures + 1))
fi
for file in "$work"/generated/*.csv; do
    [ -f "$file" ] || continue
    if ! compare_file "$file"; then
        mkdir -p "${TMPDIR:-/tmp}/seed_oracle_failures"
        cp "$file" "${TMPDIR:-/tmp}/seed_oracle_failures/"
        echo "    kept as ${TMPDIR:-/tmp}/seed_oracle_failures/$(basename "$file")"
    fi
done

echo "seed oracle: $compared compared, $skipped skipped, $failures failed"
[ "$failures" -eq 0 ]
