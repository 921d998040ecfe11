#!/bin/sh
# live_disconnect.sh -- a mid-run disconnect loses nothing after the resync.
# The mock drops the socket; while the client is away the position is closed
# by a fill it never sees on the stream and the wallet moves. After the
# reconnect the fills of the gap come from userTrades (the delivered one is
# skipped by its id) and the REST resync brings the exchange's state; then the
# listenKey expires, a new one is made and the stream resumes. The replay of
# the recording gives identical files.
. "$(dirname "$0")/../fixtures/live/lib.sh"

start_mock "$ROOT/fixtures/live/disconnect.json"
start_live --symbols BTCUSDT --set seed_capital=10000
mock_done
wait_for_text "$WORK/record.csv" "M:BTCUSDT:.*51010" || fail "the stream did not resume after the new listenKey"
sleep 0.2
stop_live

account="$WORK/out/logs/state/account.json"
json_close "$account" 'd["e"]["wallet_balance"]' 10019.192 || fail "wallet after resync: $(json_value "$account" 'd["e"]["wallet_balance"]')"
[ "$(json_value "$account" 'len(d["e"]["positions"])')" = "0" ] || fail "the exchange position closed in the gap is still listed"
json_close "$account" 'd["k"]["realized_pnl"]' 20 || fail "the fill of the gap was not recovered"
json_close "$account" 'd["k"]["capital"]' 10019.192 || fail "K capital: $(json_value "$account" 'd["k"]["capital"]')"
[ "$(json_value "$account" 'd["reconcile"]["status"]')" = "OK" ] || fail "reconcile is not OK after the resync"
[ "$(json_value "$WORK/out/logs/state/positions_state.json" 'len(d["positions"])')" = "0" ] || fail "the kernel still holds the position"
[ "$(grep -c ',R:' "$WORK/record.csv" | tr -d ' ')" -ge 3 ] || fail "expected three resync events in the record"
grep -q 'T:BTCUSDT:2002' "$WORK/record.csv" || fail "the recovered fill is not recorded"
grep -q '^,,config,.*seed_capital,10000$' "$WORK/record.csv" || fail "the --set row is not recorded"
[ "$(grep -c 'T:BTCUSDT:2001' "$WORK/record.csv" | tr -d ' ')" -ge 2 ] || fail "the delivered fill is recorded by the stream and by the recovery (skipped there)"
[ "$(grep -c '"path": "/fapi/v1/listenKey", "status": 200' "$WORK/mock.log")" -ge 3 ] || fail "listenKey not recreated"
grep -q 'listenKeyExpired' "$WORK/out/live.log" || fail "listenKeyExpired not handled"
grep -q 'gap recovery from .* 1 events the stream had lost' "$WORK/out/live.log" || fail "gap recovery not logged"

replay_matches
no_secret_anywhere
echo "live_disconnect: ok"
