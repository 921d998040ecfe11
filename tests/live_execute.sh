#!/bin/sh
# live_execute.sh -- exit orders the exchange accepts, and secrets.
# Without --execute no order request reaches the exchange. With --execute:
#  - BTCUSDT: two fills of 0.001 and 0.008 (the kernel folds 0.009000000000000001);
#    the order is sized from the exchange's positionAmt: quantity=0.009 exactly;
#    the first order is rejected with -2022, logged with its code, and retried
#    on the next mark after re-reading the position; the mock fills it and
#    echoes the fill on the private route.
#  - ETHUSDT: 2.5 with MARKET_LOT_SIZE maxQty 1: split into 1, 1, 0.5; the first
#    answer is a 503 after the exchange carried it out: the client queries
#    origClientOrderId, finds it FILLED and does not send it again.
#  - SOLUSDT: the order's answer never comes (the client's 1 s timeout; the
#    exchange carried it out): queried by origClientOrderId, not sent again.
#  - BNBUSDT: every order is rejected: after --exit-alert-ms the exit is an ALERT
#    in live.log, on stderr and in state.json live.unfilled_exits.
# The mock's own order checks answer -1111 (precision beyond stepSize), -4005
# (above MARKET_LOT_SIZE maxQty) and -2022 (not reducing its position).
# The API secret appears in no output and no file, the key is redacted, and
# `live sign` prints the documented signature.
. "$(dirname "$0")/../fixtures/live/lib.sh"

# Dry run first: the same script without the waits for orders; intents logged, not sent.
cp "$ROOT/fixtures/live/execute.json" "$WORK/dry.json"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); s["steps"]=[x for x in s["steps"] if "wait_requests" not in x and "wait_orders" not in x]; json.dump(s, open(sys.argv[1],"w"))' "$WORK/dry.json"
start_mock "$WORK/dry.json"
start_live --symbols BTCUSDT,ETHUSDT,BNBUSDT,SOLUSDT
mock_done
wait_for_text "$WORK/out/live.log" "exit intent SL BNBUSDT SELL" || fail "dry run: no SL intent"
stop_live
grep -q '/fapi/v1/order' "$WORK/mock.log" && fail "dry run: an order request reached the mock"
grep -q "exit intent SL BTCUSDT SELL qty 0.009000000000000001 at mark 49400: dry run" "$WORK/out/live.log" ||
    fail "dry run: the kernel's folded quantity is not what the intent says"
replay_matches
no_secret_anywhere
kill -TERM "$MOCK_PID" 2>/dev/null; wait "$MOCK_PID" 2>/dev/null; MOCK_PID=""
mkdir "$WORK/dry" && mv "$WORK/out" "$WORK/record.csv" "$WORK/mock.log" "$WORK/dry/" && rm -f "$WORK/port" "$WORK/done"

# --execute.
start_mock "$ROOT/fixtures/live/execute.json"
start_live --symbols BTCUSDT,ETHUSDT,BNBUSDT,SOLUSDT --execute --exit-alert-ms 1500 --rest-timeout-ms 1000
mock_done
wait_for_text "$WORK/out/live.log" "ALERT unfilled exit: SL BNBUSDT SELL" || fail "no alert for the unfilled BNB exit"
wait_for_text "$WORK/out/logs/state/state.json" '"unfilled_exits"' || fail "state.json has no live.unfilled_exits"
stop_live
log="$WORK/out/live.log"
orders=$(grep '"method": "POST", "params": "symbol=BTCUSDT&side=SELL&type=MARKET&quantity=' "$WORK/mock.log")
[ "$(echo "$orders" | wc -l)" -eq 2 ] || fail "BTCUSDT: expected 2 order requests: $orders"
echo "$orders" | grep -q 'quantity=0.009000000000000001' && fail "BTCUSDT: the folded double was sent"
[ "$(echo "$orders" | grep -c 'quantity=0.009&reduceOnly=true&newClientOrderId=lsx-[0-9]*-[12]-1&recvWindow')" -eq 2 ] ||
    fail "BTCUSDT: not sized 0.009 from positionAmt: $orders"
echo "$orders" | head -1 | grep -q '"code": -2022' || fail "BTCUSDT: the first order was not rejected"
echo "$orders" | tail -1 | grep -q '"status": 200' || fail "BTCUSDT: the retry was not accepted"
grep -q 'exit SL BTCUSDT: order rejected: code -2022: ReduceOnly Order is rejected.: position re-read and order retried on the next mark' "$log" ||
    fail "the -2022 rejection is not logged with its code"
grep -q 'exit SL BTCUSDT: filled after' "$log" || fail "BTCUSDT: the fill echoed on the stream did not end the exit"
eth=$(grep '"method": "POST", "params": "symbol=ETHUSDT' "$WORK/mock.log" | sed 's/.*quantity=\([0-9.]*\)&.*/\1/' | tr '\n' ' ')
[ "$eth" = "1 1 0.5 " ] || fail "ETHUSDT: expected orders of 1, 1 and 0.5 (maxQty 1), got: $eth"
grep -q '"method": "GET", "params": "symbol=ETHUSDT&origClientOrderId=lsx-[0-9]*-1-1&' "$WORK/mock.log" ||
    fail "ETHUSDT: the unknown outcome was not queried by origClientOrderId"
grep -q 'order lsx-[0-9]*-1-1 was placed after all (status FILLED): not sent again' "$log" || fail "ETHUSDT: query outcome not logged"
grep -q 'exit SL ETHUSDT: filled after' "$log" || fail "ETHUSDT: the three parts did not end the exit"
[ "$(grep -c '"method": "POST", "params": "symbol=SOLUSDT' "$WORK/mock.log")" -eq 1 ] || fail "SOLUSDT: the timed-out order was sent again"
grep -q 'exit SL SOLUSDT: order lsx-[0-9]*-1-1 outcome unknown (POST /fapi/v1/order: Timeout' "$log" || fail "SOLUSDT: the timeout is not an unknown outcome"
grep -q '"method": "GET", "params": "symbol=SOLUSDT&origClientOrderId=lsx-' "$WORK/mock.log" || fail "SOLUSDT: not queried"
grep -q 'exit SL SOLUSDT: filled after' "$log" || fail "SOLUSDT: the exit did not end"
[ "$(grep -c '"method": "POST", "params": "symbol=BNBUSDT' "$WORK/mock.log")" -ge 2 ] || fail "BNBUSDT: not retried on the next mark"
grep -q 'ALERT unfilled exit: SL BNBUSDT SELL' "$WORK/live.stderr" || fail "the alert is not on stderr"
json_value "$WORK/out/logs/state/state.json" 'd["live"]["unfilled_exits"][0]["symbol"]+" "+d["live"]["unfilled_exits"][0]["last_error"]' |
    grep -q '^BNBUSDT order rejected: code -2022' || fail "state.json live.unfilled_exits: $(cat "$WORK/out/logs/state/state.json")"
grep -q '"api_key_ok": true, "code": 0, "method": "POST", "params": "symbol=BTCUSDT' "$WORK/mock.log" || fail "order not authenticated"
# The replay gives the same files; state.json differs only by the live block (an alert is not a ledger fact).
python3 - "$WORK/out/logs/state/state.json" <<'PY' || fail "state.json: the live block is not the only addition"
import json, sys
d = json.load(open(sys.argv[1]))
if "live" not in d:
    sys.exit(1)
del d["live"]
json.dump(d, open(sys.argv[1], "w"), indent=2)
PY
"$LEDGERSIM" run "$WORK/record.csv" --out "$WORK/replay" >"$WORK/replay.stdout" 2>&1 || fail "replay failed"
for file in $(cd "$WORK/out" && find logs -type f ! -name state.json | sort); do
    cmp -s "$WORK/out/$file" "$WORK/replay/$file" || fail "$file differs between the live run and its replay"
done
python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))==json.load(open(sys.argv[2])) else 1)' \
    "$WORK/out/logs/state/state.json" "$WORK/replay/logs/state/state.json" || fail "state.json differs beyond the live block"
no_secret_anywhere
grep -q '<redacted>' "$WORK/out/live.log" || fail "the listen key was not redacted in the log"

# The mock's order checks, signed by hand (`live sign`) against its clock; its BTCUSDT position is now 0.
mock_order() { # QUERY -> prints the answer of POST /fapi/v1/order
    server_ms=$(curl -s "http://127.0.0.1:$PORT/fapi/v1/time" | sed 's/[^0-9]//g')
    query="$1&recvWindow=5000&timestamp=$server_ms"
    signature=$(BINANCE_API_SECRET="$API_SECRET" "$LEDGERSIM" live sign "$query")
    curl -s -X POST -H "X-MBX-APIKEY: $API_KEY" "http://127.0.0.1:$PORT/fapi/v1/order?$query&signature=$signature"
}
mock_order 'symbol=ETHUSDT&side=BUY&type=MARKET&quantity=0.009000000000000001&reduceOnly=true' | grep -q '"code": -1111' ||
    fail "mock: no -1111 for a quantity finer than stepSize"
mock_order 'symbol=ETHUSDT&side=BUY&type=MARKET&quantity=2&reduceOnly=true' | grep -q '"code": -4005' ||
    fail "mock: no -4005 above MARKET_LOT_SIZE maxQty"
mock_order 'symbol=BTCUSDT&side=SELL&type=MARKET&quantity=0.001&reduceOnly=true' | grep -q '"code": -2022' ||
    fail "mock: no -2022 for a reduce-only order without a position"
: >"$WORK/mock.log"  # its log holds the hand-made requests (no secret), not the run's

# `live sign`: the documented example, the secret from the environment, never echoed.
signature=$(BINANCE_API_SECRET=NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j "$LEDGERSIM" live sign \
    'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559' 2>&1)
[ "$signature" = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71" ] || fail "live sign: $signature"
env -u BINANCE_API_SECRET "$LEDGERSIM" live sign 'a=1' >/dev/null 2>&1 && fail "live sign without a secret succeeded"
echo "live_execute: ok"
