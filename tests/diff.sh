#!/bin/sh
# diff.sh -- `ledgersim diff DIR_A DIR_B [--json]` (issue 16):
#   - a run against itself (and against a second run of the same file):
#     exit 0, nothing changed;
#   - against a run with one threshold changed: exit 1, and the counts it
#     reports (status, worst field, per rule) equal counts made here from
#     the two reconcile.jsonl files with jq and awk, not with ledgersim;
#     the first differences name their event_seq and the band;
#   - runs of other events: exit 2, naming the snapshot where they
#     diverge; a shorter log too; a missing log or bad usage: exit 2.
set -u
LEDGERSIM=${LEDGERSIM:-bin/ledgersim}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# A backtest with drawn faults: every rule fires, so a threshold moves statuses.
events="scenarios/backtest_fuzz.csv --faults all=0.02 --seed 3"
# shellcheck disable=SC2086
"$LEDGERSIM" run $events --out "$work/a" >/dev/null 2>&1 || fail "run a"
# shellcheck disable=SC2086
"$LEDGERSIM" run $events --out "$work/a2" >/dev/null 2>&1 || fail "run a2"
# shellcheck disable=SC2086
"$LEDGERSIM" run $events --set reconcile.leverage_rounding_band=100000 --out "$work/b" >/dev/null 2>&1 || fail "run b"

# 1. Itself and an identical run: exit 0.
"$LEDGERSIM" diff "$work/a" "$work/a" >"$work/self.out" 2>&1 || fail "diff a a: exit $?"
"$LEDGERSIM" diff "$work/a" "$work/a2" --json >"$work/same.json" 2>&1 || fail "diff a a2: exit $?"
[ "$(jq '.status_changed + .worst_field_changed + ([.rules[]] | add) + (.differences | length)' "$work/same.json")" = 0 ] ||
    fail "a run differs from itself: $(cat "$work/same.json")"

# 2. One threshold changed: exit 1 and the counts made independently.
"$LEDGERSIM" diff "$work/a" "$work/b" --json >"$work/ab.json" 2>"$work/ab.err"
[ $? -eq 1 ] || fail "diff a b: not exit 1: $(cat "$work/ab.err")"
jq -r '.reconcile.status' "$work/a/logs/reconcile.jsonl" >"$work/a.status"
jq -r '.reconcile.status' "$work/b/logs/reconcile.jsonl" >"$work/b.status"
jq -r '.reconcile.worst_field' "$work/a/logs/reconcile.jsonl" >"$work/a.worst"
jq -r '.reconcile.worst_field' "$work/b/logs/reconcile.jsonl" >"$work/b.worst"
status_changed=$(paste "$work/a.status" "$work/b.status" | awk '$1 != $2' | wc -l)
worst_changed=$(paste -d'|' "$work/a.worst" "$work/b.worst" | awk -F'|' '$1 != $2' | wc -l)
snapshots=$(wc -l <"$work/a.status")
[ "$status_changed" -gt 0 ] || fail "the changed threshold changed no status (test input too tame)"
[ "$(jq .snapshots "$work/ab.json")" = "$snapshots" ] || fail "snapshots $(jq .snapshots "$work/ab.json") != $snapshots"
[ "$(jq .status_changed "$work/ab.json")" = "$status_changed" ] ||
    fail "status_changed $(jq .status_changed "$work/ab.json") != $status_changed"
[ "$(jq .worst_field_changed "$work/ab.json")" = "$worst_changed" ] ||
    fail "worst_field_changed $(jq .worst_field_changed "$work/ab.json") != $worst_changed"
# Per rule: the severity each explanation gives its field (ERROR or a WARN label).
severities='.reconcile.explanations | map(split("|")) | map({(.[1]): (if .[0] == "ERROR" then 2 else 1 end)}) | add // {}'
jq -c "$severities" "$work/a/logs/reconcile.jsonl" >"$work/a.rules"
jq -c "$severities" "$work/b/logs/reconcile.jsonl" >"$work/b.rules"
for field in capital_vs_wallet realized_pnl open_positions open_notional used_margin; do
    expected=$(paste -d'|' "$work/a.rules" "$work/b.rules" |
        jq -R --arg f "$field" 'split("|") | map(fromjson[$f] // 0) | select(.[0] != .[1])' | grep -c '^\[')
    [ "$(jq --arg f "$field" '.rules[$f]' "$work/ab.json")" = "$expected" ] ||
        fail "rules.$field $(jq --arg f "$field" '.rules[$f]' "$work/ab.json") != $expected"
done
first_changed=$(paste "$work/a.status" "$work/b.status" | awk '$1 != $2 {print NR; exit}')
first_seq=$(sed -n "${first_changed}p" "$work/a/logs/reconcile.jsonl" | jq .event_seq)
jq -e --argjson seq "$first_seq" '[.differences[] | select(.status_a != .status_b)][0].event_seq == $seq' "$work/ab.json" \
    >/dev/null || fail "the first status change is not event_seq $first_seq"
[ "$(jq '.differences | length' "$work/ab.json")" -le 20 ] || fail "more than 20 differences listed"
jq -e '[.differences[].rules[] | select(.band == "leverage_rounding_band")] | length > 0' \
    "$work/ab.json" >/dev/null || fail "no difference names the band it crossed"
"$LEDGERSIM" diff "$work/a" "$work/b" >"$work/ab.txt" 2>&1
[ $? -eq 1 ] || fail "text diff a b: not exit 1"
grep -q "$status_changed changed status" "$work/ab.txt" || fail "text: $(head -3 "$work/ab.txt")"
grep -q "leverage_rounding_band 2 -> 100000" "$work/ab.txt" || fail "text names no band"

# 3. Other events: exit 2 and where they diverge.
"$LEDGERSIM" run scenarios/backtest_fuzz.csv --faults all=0.02 --seed 4 --out "$work/c" >/dev/null 2>&1 || fail "run c"
"$LEDGERSIM" diff "$work/a" "$work/c" >"$work/ac.out" 2>&1
[ $? -eq 2 ] || fail "runs of other events: not exit 2"
grep -q "diverge at snapshot [0-9]" "$work/ac.out" || fail "no divergence named: $(cat "$work/ac.out")"
mkdir -p "$work/short/logs"
head -n 10 "$work/a/logs/reconcile.jsonl" >"$work/short/logs/reconcile.jsonl"
"$LEDGERSIM" diff "$work/a" "$work/short" >"$work/short.out" 2>&1
[ $? -eq 2 ] || fail "a shorter log: not exit 2"
grep -q "diverge at snapshot 11" "$work/short.out" || fail "shorter log: $(cat "$work/short.out")"

# 4. Bad input and usage.
"$LEDGERSIM" diff "$work/a" "$work/nowhere" >/dev/null 2>&1
[ $? -eq 2 ] || fail "a missing run: not exit 2"
"$LEDGERSIM" diff "$work/a" >/dev/null 2>&1
[ $? -eq 2 ] || fail "one directory: not exit 2"
printf 'not json\n' >"$work/short/logs/reconcile.jsonl"
"$LEDGERSIM" diff "$work/short" "$work/short" >"$work/bad.out" 2>&1
[ $? -eq 2 ] || fail "a bad line: not exit 2"
grep -q "reconcile.jsonl:1:" "$work/bad.out" || fail "bad line not named: $(cat "$work/bad.out")"
echo "diff: ok"
