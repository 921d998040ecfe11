#!/bin/sh
# live_convert.sh -- `ledgersim live convert CAPTURE.jsonl`: raw frames (plain
# and combined-stream envelopes) to the scenario CSV that `ledgersim run`
# and `ledgersim check` accept, exactly as fixtures/live/capture.expected.csv
# (reviewed by hand: BNB commission converted at the BNBUSDT mark, the frame
# without USDT dropped, the adjacent redelivery separated by an expect row,
# funding before its balance, the late redelivery's ts raised). A malformed
# line is reported as CAPTURE:LINE with exit status 2.
. "$(dirname "$0")/../fixtures/live/lib.sh"

"$LEDGERSIM" live convert "$ROOT/fixtures/live/capture.jsonl" --set seed_capital=10000 >"$WORK/capture.csv" 2>"$WORK/convert.err" ||
    fail "convert failed: $(cat "$WORK/convert.err")"
cmp -s "$WORK/capture.csv" "$ROOT/fixtures/live/capture.expected.csv" || {
    diff "$ROOT/fixtures/live/capture.expected.csv" "$WORK/capture.csv"
    fail "convert output differs from fixtures/live/capture.expected.csv"
}
grep -q 'capture.jsonl:8: .*no USDT balance entry' "$WORK/convert.err" || fail "the frame without USDT is not reported"
"$LEDGERSIM" check "$WORK/capture.csv" --out "$WORK/checked" >"$WORK/check.out" 2>&1 || fail "ledgersim check: $(cat "$WORK/check.out")"
json_close "$WORK/checked/logs/state/account.json" 'd["e"]["wallet_balance"]' 10009.295 || fail "replayed wallet"
json_close "$WORK/checked/logs/state/kpis_v7.json" 'd["duplicates_skipped"]' 2 || fail "replayed duplicates"
json_close "$WORK/checked/logs/state/account.json" 'd["k"]["fees_paid"]' 0.403998 || fail "replayed fees"

# From standard input, with a malformed line: reported, the rest converted, exit 2.
{ head -5 "$ROOT/fixtures/live/capture.jsonl"; echo '{"e":"markPriceUpdate","E":1767225609000,"s":"BTCUSDT","p":"50k"}'; } |
    "$LEDGERSIM" live convert - >"$WORK/partial.csv" 2>"$WORK/partial.err"
status=$?
[ "$status" -eq 2 ] || fail "a malformed frame gave exit status $status"
grep -q '^-:6: markPriceUpdate without a valid s or p' "$WORK/partial.err" || fail "no CAPTURE:LINE report: $(cat "$WORK/partial.err")"
[ "$(wc -l <"$WORK/partial.csv")" -eq 4 ] || fail "the good frames were not converted"
echo "live_convert: ok"
