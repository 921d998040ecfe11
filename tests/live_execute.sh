#!/bin/sh
# live_execute.sh -- exit intents and secrets. Without --execute no order
# request reaches the exchange (tests/live_replay.sh checks that too); with
# --execute the SL intent becomes one signed reduce-only MARKET order for the
# whole position. The API secret appears in no output and no file (logs,
# state, record, the mock's log), `live sign` prints the documented
# signature, and the key is redacted in every log line.
. "$(dirname "$0")/../fixtures/live/lib.sh"

# Dry run first: the same script, the intent is logged and not sent.
cp "$ROOT/fixtures/live/execute.json" "$WORK/dry.json"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); s["steps"]=[x for x in s["steps"] if "wait_requests" not in x]; json.dump(s, open(sys.argv[1],"w"))' "$WORK/dry.json"
start_mock "$WORK/dry.json"
start_live --symbols BTCUSDT
mock_done
wait_for_text "$WORK/out/live.log" "exit intent SL BTCUSDT SELL qty 0.01" || fail "dry run: no SL intent"
sleep 0.5
stop_live
grep -q '/fapi/v1/order' "$WORK/mock.log" && fail "dry run: an order request reached the mock"
replay_matches
no_secret_anywhere
kill -TERM "$MOCK_PID" 2>/dev/null; wait "$MOCK_PID" 2>/dev/null; MOCK_PID=""
mkdir "$WORK/dry" && mv "$WORK/out" "$WORK/record.csv" "$WORK/mock.log" "$WORK/dry/" && rm -f "$WORK/port" "$WORK/done"

# --execute: the order is sent, signed, reduce-only.
start_mock "$ROOT/fixtures/live/execute.json"
start_live --symbols BTCUSDT --execute
mock_done
wait_for_text "$WORK/out/live.log" "order sent" || fail "--execute: the order was not acknowledged"
stop_live
orders=$(grep -c '"path": "/fapi/v1/order"' "$WORK/mock.log")
[ "$orders" -eq 1 ] || fail "--execute: $orders order requests, expected 1"
grep '"path": "/fapi/v1/order"' "$WORK/mock.log" | grep -q '"params": "symbol=BTCUSDT&side=SELL&type=MARKET&quantity=0.01&reduceOnly=true&newClientOrderId=lsx-[0-9]*-BTCUSDT&recvWindow=5000&timestamp=[0-9]*", "path": "/fapi/v1/order", "status": 200' ||
    fail "--execute: unexpected order request: $(grep '/fapi/v1/order' "$WORK/mock.log")"
grep -q '"api_key_ok": true, "code": 0, "method": "POST", "params": "symbol=BTCUSDT' "$WORK/mock.log" || fail "order not authenticated"
replay_matches
no_secret_anywhere
grep -q '<redacted>' "$WORK/out/live.log" || fail "the listen key was not redacted in the log"

# `live sign`: the documented example, the secret from the environment, never echoed.
signature=$(BINANCE_API_SECRET=NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j "$LEDGERSIM" live sign \
    'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559' 2>&1)
[ "$signature" = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71" ] || fail "live sign: $signature"
env -u BINANCE_API_SECRET "$LEDGERSIM" live sign 'a=1' >/dev/null 2>&1 && fail "live sign without a secret succeeded"
echo "live_execute: ok"
