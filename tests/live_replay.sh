#!/bin/sh
# live_replay.sh -- `ledgersim live` against the mock exchange, then
# `ledgersim run` of its recording: identical state files and logs. Covers
# fills (USDT and BNB commission), an account update, an adjacent and a
# later redelivery (skipped and counted), a frame without a USDT balance (no
# zero wallet), funding, an order update that is not a trade, marks firing a
# TP exit intent in dry run (no order request reaches the mock), and SIGTERM
# closing the listenKey; the request weight (limit 100 a minute in exchangeInfo
# and on the mock) is read from X-MBX-USED-WEIGHT-1M and paces the resync.
. "$(dirname "$0")/../fixtures/live/lib.sh"

start_mock "$ROOT/fixtures/live/replay.json"
start_live --symbols BTCUSDT,BNBUSDT
mock_done
wait_for_text "$WORK/out/live.log" "exit intent TP BTCUSDT" || fail "no exit intent logged"
wait_for_text "$WORK/record.csv" "M:BTCUSDT:" || fail "marks not recorded"
sleep 0.3
stop_live

grep -q '"method": "DELETE", "params": "listenKey=' "$WORK/mock.log" || fail "the listenKey was not closed"
grep -q '/fapi/v1/order' "$WORK/mock.log" && fail "an order request reached the mock in dry run"
grep -q "dry run, not sent" "$WORK/out/live.log" || fail "the dry-run intent is not logged"
grep -q 'request weight limit 100 a minute' "$WORK/out/live.log" || fail "the weight limit was not read from exchangeInfo"
grep -q 'rest: used weight [0-9]* of 100 this minute: resyncs wait' "$WORK/out/live.log" || fail "no pacing by the used weight"
# The mock's weight limit: one more premiumIndex (weight 10) crosses 100 -> 429 with Retry-After.
curl -s -i "http://127.0.0.1:$PORT/fapi/v1/premiumIndex" >"$WORK/weight.out"
head -1 "$WORK/weight.out" | grep -q ' 429 ' && grep -qi '^Retry-After: [0-9]' "$WORK/weight.out" &&
    grep -q '"code": -1003' "$WORK/weight.out" || fail "the mock did not answer 429 past its weight limit: $(head -1 "$WORK/weight.out")"
grep -q ',expect,.*duplicates_skipped,0$' "$WORK/record.csv" || fail "no separator row before the adjacent redelivery"

account="$WORK/out/logs/state/account.json"
json_close "$account" 'd["e"]["wallet_balance"]' 9999.3 || fail "wallet balance: $(json_value "$account" 'd["e"]["wallet_balance"]')"
json_close "$account" 'd["k"]["funding_paid"]' 0.5 || fail "funding not applied"
json_close "$account" 'd["k"]["fees_paid"]' 0.26 || fail "fees: BNB commission not converted at 600"
[ "$(json_value "$WORK/out/logs/state/kpis_v7.json" 'd["duplicates_skipped"]')" = "2" ] || fail "duplicates_skipped is not 2"
grep -q 'no USDT balance entry' "$WORK/out/live.log" || fail "the frame without USDT was not reported"
json_close "$WORK/out/logs/state/positions_state.json" 'd["positions"][0]["qty"]' 0.015 || fail "position qty"
[ "$(wc -l <"$WORK/out/logs/exits.jsonl")" -eq 1 ] || fail "expected one exit intent"

replay_matches
no_secret_anywhere
echo "live_replay: ok"
