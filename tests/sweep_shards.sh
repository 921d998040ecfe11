#!/bin/sh
# sweep_shards.sh -- `ledgersim sweep --plan`, `--shard I/N` and `sweep
# merge` (issue 18):
#   - for N in 1, 3 and 7 the shards merged are byte-identical to the same
#     sweep run unsharded (sweep.csv, sweep.json, the report's data, script
#     and index.html);
#   - --plan lists every run with its index and a hash that changes with the
#     grid and the inputs;
#   - a missing shard, and one of another plan, make merge refuse, naming
#     each and the command that reruns it; a killed shard leaves no file
#     (written to a temp file, then renamed);
#   - a progress line on a terminal only; -j N gives the same bytes; --baseline against itself exits 0, against
#     a changed grid value 2 (other grid), a changed count 1.
set -u
LEDGERSIM=${LEDGERSIM:-bin/ledgersim}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$LEDGERSIM" gen --events 1500 --seed 9 --symbols 2 >"$work/gen.csv" || fail gen
set -- scenarios/backtest_fuzz.csv "$work/gen.csv" scenarios/r1_capital_vs_wallet.csv \
    --grid sl.pct=0.01,0.02 --grid reconcile.pending_fee_bound=1,20 --grid reconcile.capital_epsilon=0.0001,0.5 \
    --faults all=0.02 --seeds 1..2
"$LEDGERSIM" sweep "$@" --out "$work/whole" >/dev/null 2>&1 || fail "unsharded sweep"
"$LEDGERSIM" sweep "$@" -j 2 --out "$work/whole-j2" >/dev/null 2>&1 || fail "sweep -j 2"
for file in sweep.csv sweep.json; do
    cmp -s "$work/whole/$file" "$work/whole-j2/$file" || fail "-j 2 changed $file"
done

# Progress: drawn on a terminal (a pty from script(1)), never into a file.
if command -v script >/dev/null 2>&1; then
    words=""
    for word in "$@"; do words="$words '$word'"; done
    script -qec "'$LEDGERSIM' sweep $words --no-report --out '$work/tty'" /dev/null 2>&1 | tr '\r' '\n' >"$work/tty.out"
    grep -q "^sweep: runs 18/18, points 8/8" "$work/tty.out" || fail "no progress line on a terminal: $(cat "$work/tty.out")"
    "$LEDGERSIM" sweep "$@" --no-report --out "$work/notty" >/dev/null 2>"$work/notty.err" || fail "sweep without a tty"
    grep -q "runs" "$work/notty.err" && fail "a progress line went to a file"
fi

# 1. Plan: 2 groups x 3 scenarios x (clean + 2 seeds) = 18 runs, indices 0..17.
"$LEDGERSIM" sweep "$@" --plan >"$work/plan" || fail "--plan"
[ "$(grep -c '^run [0-9]*:' "$work/plan")" = 18 ] || fail "plan: $(grep -c '^run' "$work/plan") runs"
[ "$(grep '^run' "$work/plan" | sed 's/^run \([0-9]*\):.*/\1/' | tr '\n' ' ')" = \
  "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 " ] || fail "plan indices"
hash=$(sed -n 's/^plan sha256:\([0-9a-f]\{64\}\)$/\1/p' "$work/plan")
[ -n "$hash" ] || fail "no plan hash"
[ "$(jq -r .plan_sha256 "$work/whole/sweep.json")" = "$hash" ] || fail "sweep.json plan_sha256 is not the plan's"
"$LEDGERSIM" sweep "$@" --grid tp.pct=0.02 --plan | grep -q "^plan sha256:$hash" && fail "the hash ignores the grid"
cp scenarios/r1_capital_vs_wallet.csv "$work/r1.csv"
"$LEDGERSIM" sweep "$work/r1.csv" --grid reconcile.capital_epsilon=1,2 --plan >"$work/plan1" || fail "plan r1"
echo "1,,mark,BTCUSDT,,,50000,,,,,," >>"$work/r1.csv"
"$LEDGERSIM" sweep "$work/r1.csv" --grid reconcile.capital_epsilon=1,2 --plan >"$work/plan2" || fail "plan r1 changed"
[ "$(tail -1 "$work/plan1")" != "$(tail -1 "$work/plan2")" ] || fail "the hash ignores the inputs' content"

# 2. N = 1, 3, 7: merged equals unsharded, byte for byte.
for shards in 1 3 7; do
    out="$work/sharded-$shards"
    shard=0
    while [ "$shard" -lt "$shards" ]; do
        "$LEDGERSIM" sweep "$@" --shard "$shard/$shards" --out "$out" >/dev/null 2>&1 || fail "shard $shard/$shards"
        shard=$((shard + 1))
    done
    [ "$(find "$out/shards" -name '*.json' | wc -l)" = "$shards" ] || fail "$shards shards: files"
    find "$out/shards" -name '*.tmp*' | grep -q . && fail "a temp file was left"
    "$LEDGERSIM" sweep merge "$out" >"$work/merge.out" 2>&1 || fail "merge of $shards: $(cat "$work/merge.out")"
    for file in sweep.csv sweep.json; do
        cmp -s "$work/whole/$file" "$out/$file" || fail "N=$shards: merged $file differs from the unsharded one"
    done
    if [ -d "$work/whole/reports" ]; then
        for file in index.html sweep.gp status_0.dat status_1.dat status_2.dat detection_drop.dat; do
            cmp -s "$work/whole/reports/$file" "$out/reports/$file" || fail "N=$shards: reports/$file differs"
        done
    fi
done

# 3. A missing shard and a foreign one: merge refuses and names them.
rm "$work/sharded-7/shards/shard-4-of-7.json"
"$LEDGERSIM" sweep merge "$work/sharded-7" >"$work/missing.out" 2>&1
[ $? -eq 2 ] || fail "merge with a missing shard: not exit 2"
grep -q "shard 4 of 7 .*missing; rerun: ledgersim sweep .* --shard 4/7 --out $work/sharded-7" "$work/missing.out" ||
    fail "the missing shard is not named with its command: $(cat "$work/missing.out")"
"$LEDGERSIM" sweep scenarios/r1_capital_vs_wallet.csv --grid reconcile.capital_epsilon=1,2 --shard 4/7 \
    --out "$work/sharded-7" >/dev/null 2>&1 || fail "foreign shard"
"$LEDGERSIM" sweep merge "$work/sharded-7" >"$work/foreign.out" 2>&1
[ $? -eq 2 ] || fail "merge with a foreign shard: not exit 2"
grep -q "shard 4 of 7 .*foreign" "$work/foreign.out" || fail "the foreign shard is not named: $(cat "$work/foreign.out")"
"$LEDGERSIM" sweep merge "$work/nowhere" >/dev/null 2>&1
[ $? -eq 2 ] || fail "merge of nothing: not exit 2"

# 4. Baseline: itself 0; another count 1 (old -> new printed); another grid 2.
"$LEDGERSIM" sweep "$@" --out "$work/again" --baseline "$work/whole/sweep.json" >"$work/base.out" 2>&1 ||
    fail "baseline against itself: $(cat "$work/base.out")"
grep -q "0 of 8 points changed" "$work/base.out" || fail "baseline: $(cat "$work/base.out")"
jq '.points[3].warn += 1 | .points[3].rules.capital_vs_wallet.error -= 1' "$work/whole/sweep.json" >"$work/edited.json"
"$LEDGERSIM" sweep "$@" --out "$work/again" --baseline "$work/edited.json" >"$work/base.out" 2>&1
[ $? -eq 1 ] || fail "a changed count: not exit 1"
grep -q "^point 3 (sl.pct=0.01 reconcile.pending_fee_bound=20 reconcile.capital_epsilon=0.5): warn [0-9]* -> [0-9]*, rules.capital_vs_wallet.error" \
    "$work/base.out" || fail "changed point not printed: $(cat "$work/base.out")"
"$LEDGERSIM" sweep "$@" --grid tp.pct=0.03 --out "$work/again" --baseline "$work/whole/sweep.json" >"$work/base.out" 2>&1
[ $? -eq 2 ] || fail "another grid: not exit 2"
grep -q "grid: baseline" "$work/base.out" || fail "another grid: $(cat "$work/base.out")"
echo "sweep_shards: ok"
