#!/bin/sh
# live_rest_errors.sh -- REST failures as the Binance docs describe them:
# -1021 (timestamp outside recvWindow) resyncs the clock and retries once;
# HTTP 429 pauses requests for Retry-After without blocking the streams;
# HTTP 418 (ban) keeps both routes connected (the market route is opened
# once in the whole run and its marks keep flowing during the ban) and
# defers the resync until the ban has passed; the listenKey is kept alive
# (PUT); a position open at start gets its mark streamed without --symbols;
# positionRisk lists every symbol, 币安人生USDT included, without harm; the
# legacy route completes the handshake and then stays silent; --print-urls
# prints the split routes; a reused --out is refused. Also:
# a hedge-mode account is refused at start with a clear message (exit 2, no
# record), a key file readable by others is refused, errors carry the code.
. "$(dirname "$0")/../fixtures/live/lib.sh"

start_mock "$ROOT/fixtures/live/rest_errors.json"
start_live --symbols BTCUSDT --keepalive-interval-s 1
mock_done
wait_for_text "$WORK/record.csv" "M:BTCUSDT:.*50003" || fail "the stream did not resume after the 418"
sleep 0.2
stop_live

log="$WORK/out/live.log"
grep -q '"code": -1021, "method": "GET", "params": "recvWindow' "$WORK/mock.log" || fail "the mock did not answer -1021"
grep -q -- '-1021 (timestamp outside recvWindow): resyncing the clock' "$log" || fail "-1021 did not resync the clock"
grep -q 'retrying once' "$log" || fail "-1021 was not retried"
grep -q 'HTTP 429 (request rate limit), Retry-After 1 s: requests paused 1000 ms (the streams keep running)' "$log" || fail "429 did not pause by Retry-After"
grep -q 'HTTP 418 (IP banned after repeated 429s), Retry-After 2 s: requests paused 2000 ms' "$log" || fail "418 not reported"
grep -q 'resync deferred [0-9]* ms: IP banned (HTTP 418); the streams stay connected' "$log" || fail "the resync was not deferred during the ban"
[ "$(grep -c '"route": "market", "silent": false, "streams": \["btcusdt@markPrice@1s", "ethusdt@markPrice@1s"\], "ws": "open"' "$WORK/mock.log")" -eq 1 ] ||
    fail "the market route was reconnected: the ban or the private drops cost it"
grep -q 'M:BTCUSDT:.*50002.5' "$WORK/record.csv" || fail "the mark sent during the ban was not recorded"
grep -q 'rest GET /fapi/v2/positionRisk -> 200' "$log" && ! grep -q 'positionRisk entry without symbol' "$log" ||
    fail "positionRisk with every listed symbol (币安人生USDT) was refused"
grep -q 'used-weight-1m=[0-9]' "$log" || fail "rate-limit headers not logged"
grep -q '"method": "PUT", "params": "listenKey=' "$WORK/mock.log" || fail "no listenKey keepalive (PUT) was sent"
grep -q 'streaming the mark of ETHUSDT too (open position)' "$log" || fail "the open position's mark is not streamed"
grep -q 'connecting market route: ws://127.0.0.1:[0-9]*/market/stream?streams=btcusdt@markPrice@1s/ethusdt@markPrice@1s' "$log" ||
    fail "the market URL lacks the open position's mark"
grep -q 'connecting private route: ws://127.0.0.1:[0-9]*/private/ws?listenKey=<redacted>' "$log" || fail "private route URL"
json_close "$WORK/out/logs/state/account.json" 'd["e"]["positions"][0]["qty"]' -0.5 || fail "the ETH position from the resync"

# A second run into the same --out is refused (its logs would not replay from a new record).
BINANCE_API_KEY="$API_KEY" BINANCE_API_SECRET="$API_SECRET" "$LEDGERSIM" live --rest-url "http://127.0.0.1:$PORT" \
    --ws-url "ws://127.0.0.1:$PORT" --out "$WORK/out" --record "$WORK/second.csv" --duration-s 5 >"$WORK/second.out" 2>&1
[ $? -eq 2 ] && grep -q "already holds a run's logs" "$WORK/second.out" || fail "a reused --out was not refused"
json_close "$WORK/out/logs/state/account.json" 'd["e"]["wallet_balance"]' 10007.5 || fail "the last resync was not applied"
replay_matches
no_secret_anywhere

# The retired route completes the handshake, then sends nothing (as the real one does now).
curl -s -i -N --max-time 1 -H "Connection: Upgrade" -H "Upgrade: websocket" -H "Sec-WebSocket-Version: 13" \
    -H "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==" "http://127.0.0.1:$PORT/stream?streams=x/btcusdt@markPrice@1s" >"$WORK/legacy.out" 2>&1
head -1 "$WORK/legacy.out" | grep -q '101 Switching Protocols' || fail "legacy route: no handshake"
[ "$(sed -n '/^\r$/,$p' "$WORK/legacy.out" | wc -c)" -le 2 ] || fail "legacy route: it sent something after the handshake"

# --print-urls: the split routes on the production base, no connection, exit 0.
"$LEDGERSIM" live --print-urls --symbols BTCUSDT,ethusdt >"$WORK/urls.out" 2>&1 || fail "--print-urls failed"
printf 'private wss://fstream.binance.com/private/ws?listenKey=<listenKey>\nmarket  wss://fstream.binance.com/market/stream?streams=btcusdt@markPrice@1s/ethusdt@markPrice@1s\n' |
    cmp -s - "$WORK/urls.out" || fail "--print-urls: $(cat "$WORK/urls.out")"
"$LEDGERSIM" live --print-urls --testnet --symbols BTCUSDT | grep -q '^market  wss://fstream.binancefuture.com/market/stream?streams=btcusdt@markPrice@1s$' ||
    fail "--print-urls --testnet"

# A hedge-mode account is refused at start.
kill -TERM "$MOCK_PID" 2>/dev/null; wait "$MOCK_PID" 2>/dev/null; MOCK_PID=""
rm -f "$WORK/port" "$WORK/done"
printf '{"steps": []}\n' >"$WORK/empty.json"
start_mock "$WORK/empty.json" --hedge-mode
BINANCE_API_KEY="$API_KEY" BINANCE_API_SECRET="$API_SECRET" "$LEDGERSIM" live --rest-url "http://127.0.0.1:$PORT" \
    --ws-url "ws://127.0.0.1:$PORT" --out "$WORK/hedge" --record "$WORK/hedge.csv" --duration-s 10 >"$WORK/hedge.out" 2>&1
status=$?
[ "$status" -eq 2 ] || fail "hedge mode: exit status $status, expected 2"
grep -q 'hedge mode (dualSidePosition true)' "$WORK/hedge.out" || fail "hedge mode: no clear message"
[ ! -e "$WORK/hedge.csv" ] || fail "hedge mode: a record was created"

# A key file readable by others is refused; a 0600 one is used.
printf '%s\n%s\n' "$API_KEY" "$API_SECRET" >"$WORK/keys"
chmod 644 "$WORK/keys"
env -u BINANCE_API_KEY -u BINANCE_API_SECRET "$LEDGERSIM" live --key-file "$WORK/keys" --rest-url "http://127.0.0.1:$PORT" \
    --ws-url "ws://127.0.0.1:$PORT" --out "$WORK/keyed" --record "$WORK/keyed.csv" --duration-s 10 >"$WORK/keyed.out" 2>&1
[ $? -eq 2 ] || fail "a 0644 key file was not refused"
grep -q 'refused: mode 644' "$WORK/keyed.out" || fail "no clear message for the key file mode"
chmod 600 "$WORK/keys"
env -u BINANCE_API_KEY -u BINANCE_API_SECRET "$LEDGERSIM" live --key-file "$WORK/keys" --rest-url "http://127.0.0.1:$PORT" \
    --ws-url "ws://127.0.0.1:$PORT" --out "$WORK/keyed" --record "$WORK/keyed.csv" --duration-s 10 >"$WORK/keyed.out" 2>&1
grep -q 'hedge mode' "$WORK/keyed.out" || fail "the 0600 key file was not used (signed request failed?)"
rm -f "$WORK/keys"
no_secret_anywhere
echo "live_rest_errors: ok"
