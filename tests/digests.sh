#!/bin/sh
# digests.sh -- outputs stay byte-identical: runs `ledgersim run` on every
# scenarios/*.csv and on a few `ledgersim gen` scenarios with fixed seeds, and
# compares the sha256 of every file each run writes (and of each generated
# scenario, and each run's exit status) with the stored list tests/digests.txt.
#
#   tests/digests.sh            compare; exit 1 and name every difference
#   tests/digests.sh --update   rewrite tests/digests.txt from this binary,
#                               only once the independent oracles agree with it
#
# Refresh with --update only when a change of output is intended (a new
# bundled scenario, a behaviour change), after checking the new outputs, and
# commit tests/digests.txt with that change. A speed-up never needs it.
# The digests are a change detector, not a check of correctness: --update
# first runs the oracles (ORACLE_TESTS below, against this binary) and
# refuses to write anything unless every one passes, so an update cannot
# record outputs that the formats' rules contradict.
# LEDGERSIM names the binary under test (default bin/ledgersim).
set -u
cd "$(dirname "$0")/.." || exit 2
LEDGERSIM=${LEDGERSIM:-bin/ledgersim}
STORED=tests/digests.txt
mode=compare
case "${1:-}" in
    "") ;;
    --update) mode=update ;;
    *) echo "usage: tests/digests.sh [--update]" >&2; exit 2 ;;
esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ORACLE_TESTS="tests/output_oracle.sh tests/seed_oracle.sh tests/simulator_oracle.sh"
if [ "$mode" = update ]; then
    for oracle in $ORACLE_TESTS; do
        if ! LEDGERSIM=$LEDGERSIM sh "$oracle" >"$work/oracle.log" 2>&1; then
            echo "digests: refusing --update: $oracle fails with $LEDGERSIM:" >&2
            tail -30 "$work/oracle.log" | sed 's/^/    /' >&2
            exit 1
        fi
        echo "digests: $oracle agrees ($(tail -1 "$work/oracle.log"))"
    done
fi

# gen cases: NAME EVENTS SEED SYMBOLS TRACE. Long enough in simulated time to
# hold trades, bars, exits, and (K=1) funding, late, zero-wallet and
# redelivered frames.
GEN_CASES="gen-seed1-events20000-symbols8 20000 1 8 full
gen-seed2-events20000-symbols3-trace-none 20000 2 3 none
gen-seed3-events30000-symbols40 30000 3 40 full
gen-seed4-events40000-symbols1 40000 4 1 full"

# Appends "SHA256  CASE/PATH" for every file under DIR, sorted by path: one
# sha256sum over the sorted list (not a subshell, sha256sum and cut per file).
digest_tree() { # case directory
    (cd "$2" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sed "s|^\([0-9a-f]*\)  \./|\1  $1/|"
}

# Runs the scenario file of one case and records its outputs and exit status.
run_case() { # case file trace
    out="$work/out/$1"
    "$LEDGERSIM" run "$2" --out "$out" --trace "$3" >/dev/null 2>"$work/stderr"
    status=$?
    printf 'exit:%s  %s\n' "$status" "$1"
    [ -d "$out" ] && digest_tree "$1" "$out"
    rm -rf "$out"
}

current="$work/current.txt"
{
    for file in scenarios/*.csv; do
        [ -f "$file" ] || continue
        run_case "scenario/$(basename "$file" .csv)" "$file" full
    done
    printf '%s\n' "$GEN_CASES" | while read -r name events seed symbols trace; do
        "$LEDGERSIM" gen --events "$events" --seed "$seed" --symbols "$symbols" >"$work/$name.csv"
        printf 'exit:%s  %s/gen\n' "$?" "$name"
        printf '%s  %s/scenario.csv\n' "$(sha256sum "$work/$name.csv" | cut -d' ' -f1)" "$name"
        run_case "$name" "$work/$name.csv" "$trace"
    done
} >"$current"

if [ "$mode" = update ]; then
    {
        echo "# sha256 of every output of tests/digests.sh's runs; refresh: tests/digests.sh --update"
        cat "$current"
    } >"$STORED"
    echo "digests: wrote $(grep -vc '^#' "$STORED") lines to $STORED"
    exit 0
fi
if [ ! -f "$STORED" ]; then
    echo "digests: $STORED is missing; create it with tests/digests.sh --update" >&2
    exit 1
fi
grep -v '^#' "$STORED" >"$work/stored.txt"
if cmp -s "$work/stored.txt" "$current"; then
    echo "digests: $(wc -l <"$current") outputs identical to $STORED"
    exit 0
fi
echo "digests: outputs differ from $STORED ($LEDGERSIM):"
# Lines only in the stored list, then lines only in this run, by case/file.
LC_ALL=C sort -k2 "$work/stored.txt" >"$work/stored.sorted"
LC_ALL=C sort -k2 "$current" >"$work/current.sorted"
LC_ALL=C join -1 2 -2 2 -a 1 -a 2 -e MISSING -o 0,1.1,2.1 "$work/stored.sorted" "$work/current.sorted" |
    while read -r path stored_digest current_digest; do
        [ "$stored_digest" = "$current_digest" ] && continue
        if [ "$current_digest" = MISSING ]; then
            echo "  no longer written: $path"
        elif [ "$stored_digest" = MISSING ]; then
            echo "  new (no stored digest): $path"
        else
            echo "  changed: $path ($stored_digest -> $current_digest)"
        fi
    done
echo "If this change of output is intended (a new scenario, a behaviour change), check the"
echo "new outputs and refresh the stored digests: tests/digests.sh --update"
exit 1
