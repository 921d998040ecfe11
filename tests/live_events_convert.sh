#!/bin/sh
# live_events_convert.sh -- `ledgersim live convert` on a capture holding one
# frame of every shape issue 14 brings to the ledger (fixtures/live/events.jsonl:
# a deposit, a leverage change, a fill with empty hedge-side entries beside its
# BOTH entry, a margin call, a liquidation fill (x=CALCULATED), an insurance
# clearance, a withdrawal, a rejected TP/SL trigger, TRADE_LITE / STRATEGY_UPDATE /
# GRID_UPDATE, a non-ASCII listing, an update with unreadable entries, a
# non-zero hedge-side entry). Nothing is refused (exit 0); the CSV equals
# fixtures/live/events.expected.csv (reviewed by hand: transfers from bc,
# the leverage row, the liquidation fill, no row for what is not applied);
# the warnings and the count of events not applied are on stderr; the replay
# ends with K equal to E (capital 10036.725 = 10000 + 491 transfers - 450
# realized - 4.275 fees).
. "$(dirname "$0")/../fixtures/live/lib.sh"

"$LEDGERSIM" live convert "$ROOT/fixtures/live/events.jsonl" --set seed_capital=10000 >"$WORK/events.csv" \
    2>"$WORK/convert.err" || fail "convert refused a frame (exit $?): $(cat "$WORK/convert.err")"
cmp -s "$WORK/events.csv" "$ROOT/fixtures/live/events.expected.csv" || {
    diff "$ROOT/fixtures/live/events.expected.csv" "$WORK/events.csv"
    fail "convert output differs from fixtures/live/events.expected.csv"
}
for text in 'events.jsonl:10: MARGIN_CALL' 'events.jsonl:11: fill T:BTCUSDT:3002 is a liquidation' \
    'events.jsonl:14: CONDITIONAL_ORDER_TRIGGER_REJECT' 'events.jsonl:18: .*balance entry without a readable asset: skipped' \
    'events.jsonl:19: .*LONG position of 2 in hedge mode' ' 0 refused' \
    'events not applied: CONDITIONAL_ORDER_TRIGGER_REJECT 1, GRID_UPDATE 1, MARGIN_CALL 1, STRATEGY_UPDATE 1, TRADE_LITE 1'; do
    grep -q -- "$text" "$WORK/convert.err" || fail "stderr lacks '$text': $(cat "$WORK/convert.err")"
done
grep -q '^1767225602,AC:BTCUSDT:1767225601999:10,leverage,BTCUSDT,' "$WORK/events.csv" || fail "no leverage row"
[ "$(grep -c ',transfer,' "$WORK/events.csv")" -eq 4 ] || fail "expected 4 transfer rows"
{
    cat "$WORK/events.csv"
    for expectation in status,OK k.transfers,491 k.capital,10036.725 e.wallet_balance,10036.725 \
        k.realized_pnl,-450 k.fees_paid,4.275 k.open_positions,0; do
        printf '1767225612,,expect,,,,,,,,,,,,,,,,%s\n' "$expectation"
    done
} >"$WORK/checked.csv"
"$LEDGERSIM" check "$WORK/checked.csv" --out "$WORK/checked" >"$WORK/check.out" 2>&1 ||
    fail "ledgersim check: $(cat "$WORK/check.out")"
echo "live_events_convert: ok"
