#!/bin/sh
# live_watchdog.sh -- liveness on the split routes, against the mock's
# scaled timer clock (no test waits on wall-clock time to pass):
#  - the first two market connections and the first private one complete
#    the handshake and then never send nor answer a ping: each is detected
#    at the stall limit (`no frame for 1.5 s on market`), dropped and
#    reconnected, with doubling backoff while connections stay silent;
#  - a position opened later in a symbol without marks (ETHUSDT) gets them:
#    SUBSCRIBE on the open market route, and the next URL carries it;
#  - the server's 3-minute pings are answered (pongs in the mock's log);
#  - the listenKey expires after 60 minutes without keepalive:
#    listenKeyExpired, a new key, the private route reconnected and resynced;
#  - the 24-hour cut closes both routes: both reconnect, one resync, marks
#    flow again; the replay of the recording gives identical files.
. "$(dirname "$0")/../fixtures/live/lib.sh"

start_mock "$ROOT/fixtures/live/watchdog.json"
start_live --symbols BTCUSDT --market-stall-ms 1500 --private-stall-ms 1500
mock_done
wait_for_text "$WORK/record.csv" "M:BTCUSDT:.*50002" || fail "the marks did not flow after the 24-hour cut"
stop_live

log="$WORK/out/live.log"
[ "$(grep -c 'no frame for [0-9.]* s on market: dropping it' "$log")" -ge 2 ] || fail "the silent market routes were not detected"
grep -q 'no frame for [0-9.]* s on private: dropping it' "$log" || fail "the silent private route was not detected"
grep -q 'market route closed (no frame for [0-9.]* s on market): reconnecting in 100 ms' "$log" &&
    grep -q 'market route closed (no frame for [0-9.]* s on market): reconnecting in 200 ms' "$log" ||
    fail "no doubling backoff while the market route stays silent"
grep -q 'position in ETHUSDT, whose mark was not streamed: SUBSCRIBE sent on the market route' "$log" || fail "no SUBSCRIBE"
grep -q '"params": \["ethusdt@markPrice@1s"\], "route": "market", "ws": "subscribe"' "$WORK/mock.log" || fail "the mock saw no SUBSCRIBE"
grep -q 'M:ETHUSDT:.*3001' "$WORK/record.csv" || fail "the subscribed mark was not recorded"
grep -q 'connecting market route: .*streams=btcusdt@markPrice@1s/ethusdt@markPrice@1s' "$log" || fail "the reconnect URL lacks ETHUSDT"
grep -q 'M:ETHUSDT:.*3002' "$WORK/record.csv" || fail "ETHUSDT marks after the reconnect"
[ "$(grep -c '"route": "private", "ws": "ping"' "$WORK/mock.log")" -ge 1 ] || fail "the mock sent no 3-minute ping"
grep -q '"route": "private", "ws": "pong"' "$WORK/mock.log" && grep -q '"route": "market", "ws": "pong"' "$WORK/mock.log" ||
    fail "the server pings were not answered"
grep -q '"ws": "listen_key_expired"' "$WORK/mock.log" || fail "the listenKey did not expire on the mock"
grep -q 'listenKeyExpired: getting a new listenKey' "$log" || fail "listenKeyExpired not handled"
grep -q '"route": "market", "ws": "cut_24h"' "$WORK/mock.log" && grep -q '"route": "private", "ws": "cut_24h"' "$WORK/mock.log" ||
    fail "no 24-hour cut"
grep -q 'market route closed (closed by the server)' "$log" || fail "the 24-hour cut was not seen as a close"
replay_matches
no_secret_anywhere
echo "live_watchdog: ok"
