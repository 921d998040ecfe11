#!/usr/bin/env python3
"""mock_exchange.py -- a scripted Binance USD-M futures exchange on loopback.

Speaks real HTTP/1.1 and WebSocket (RFC 6455) on 127.0.0.1 only, on a port
chosen by the system at start (written to --port-file). Used by the live
end-to-end tests; standard library only. Built from the current USD-M
documentation (pages cited beside each behaviour):

  [WSM]  https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams
  [WSC]  https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams/Important-WebSocket-Change-Notice
  [LIVE] https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams/Live-Subscribing-Unsubscribing-to-streams
  [UDS]  https://developers.binance.com/docs/derivatives/usds-margined-futures/user-data-streams
  [GEN]  https://developers.binance.com/docs/derivatives/usds-margined-futures/general-info
  [ERR]  https://developers.binance.com/docs/derivatives/usds-margined-futures/error-code
  [INFO] https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Exchange-Information
  [ORD]  https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api/New-Order
  [QRY]  https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api/Query-Order
  [RISK] https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api/Position-Information-V2
  [INC]  https://developers.binance.com/docs/derivatives/usds-margined-futures/account/rest-api/Get-Income-History
  [TRD]  https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api/Account-Trade-List
  [MAM]  https://developers.binance.com/docs/derivatives/usds-margined-futures/account/rest-api/Get-Current-Multi-Assets-Mode

WebSocket routes [WSC] (the legacy routes were retired on 2026-04-23):
  /private/ws?listenKey=KEY  (or /private/ws/KEY)    user data, raw frames
  /market/stream?streams=a/b (or /market/ws/STREAM)   combined envelopes
  SUBSCRIBE/UNSUBSCRIBE/LIST_SUBSCRIPTIONS on the market route [LIVE]
  legacy /ws/..., /stream?...: the handshake completes, then nothing is ever
  sent or answered (not even a pong): what the real exchange does now.
Every open route gets a server ping every 3 minutes and is cut at 24 hours
[WSM], on the mock's timer clock: real time times --clock-scale plus every
"advance_ms" step. A listenKey expires 60 minutes after its last POST/PUT
[UDS] (listenKeyExpired on the private route, then -1125 for it).

REST (SIGNED requests checked: X-MBX-APIKEY, HMAC-SHA256 over the query
string + body with MOCK_API_SECRET, timestamp within recvWindow [GEN]):
GET /fapi/v1/time, /fapi/v1/exchangeInfo (LOT_SIZE, MARKET_LOT_SIZE,
PRICE_FILTER, precisions, rateLimits [INFO]), /fapi/v1/positionSide/dual,
/fapi/v2/account, /fapi/v2/positionRisk (every listed symbol, open or not,
the non-ASCII 币安人生USDT included [RISK]), /fapi/v1/premiumIndex,
/fapi/v1/userTrades (by startTime/endTime within 7 days, or by fromId,
never both [TRD]), /fapi/v1/income (startTime/endTime inclusive, oldest
first, limit [INC]), /fapi/v1/multiAssetsMargin [MAM],
/fapi/v1/order (by origClientOrderId [QRY]);
POST/PUT/DELETE /fapi/v1/listenKey; POST /fapi/v1/order: reduce-only MARKET
orders checked against the mock's own position and filters [ORD][ERR]:
-1111 precision over stepSize, -4005 above maxQty, -4004 below minQty, -2022
reduce-only rejected; a filled order moves the position and the wallet, is
echoed on the private route (ORDER_TRADE_UPDATE, ACCOUNT_UPDATE) and listed
by userTrades. Request weights (the endpoint pages) are counted per minute
of the exchange clock and answered in X-MBX-USED-WEIGHT-1M; above the limit
(--weight-limit or the script's "weight_limit_1m") HTTP 429 with
Retry-After [GEN].

The script (--script FILE.json) is data: {"marks": {S: P}, "positions":
[positionRisk entries], "symbols": {S: {filter overrides}}, "weight_limit_1m":
N, "silent": {R: N} (as the "silent" step, before any connection), "steps":
[...]}; the steps run once, in order:
  {"wait_connection": N | {"route": R, "count": N}}  N connections opened on
                           route R (default private), the last still open
  {"wait_resync": N}       N resyncs (premiumIndex requests) served
  {"wait_requests": {"path": P, "count": N}}
  {"wait_stream": STREAM}  an open market connection carries STREAM
  {"wait_orders": {"status": S, "count": N}}  N orders reached status S
  {"sync": R}              a ping on every open connection of route R, then
                           a wait for each one's pong: the client has handled
                           every frame sent on R before (it answers a ping
                           only once the frames ahead of it are delivered), so
                           a frame sent next on the other route cannot be
                           handled before them
  {"send": FRAME}          a user-data frame on the private route ("now" in
                           E/T: the exchange clock)
  {"mark": {"symbol": S, "price": P}}  set the mark and push markPriceUpdate
                           to the market connections carrying it
  {"redeliver": K}         the K-th frame sent (user data or mark) again, byte
                           for byte, on its route
  {"set_account": {...}} {"set_position": {...}} {"set_mark": {...}}
  {"add_trade": {...}}     a userTrades entry ("time": "now"; "id" 0: the next id)
  {"add_income": {...}}    an income entry ("time": "now"; "tranId" 0: the next id)
Top-level "multi_assets": true (multiAssetsMargin), "assets": [more account
asset entries, e.g. BNFCR or USDC], "income": [entries], "trades": [entries].
  {"drop": true | R}       TCP reset of every route, or of route R
  {"silent": {"route": R, "count": N}}  the next N connections of R complete
                           the handshake and then never send or answer
  {"expire": true}         listenKeyExpired now, and forget the listen key
  {"advance_ms": N}        move the timer clock (pings, 24 h cut, expiry run)
  {"fail": {"path": P, "status": S, "code": C, "msg": M, "retry_after": R,
            "count": N, "method": M, "symbol": S, "execute": true, "delay_s": D}}
                           answer the next N requests to P (of method M, for
                           symbol S, when given) with that error
                           (execute: an order is still carried out first,
                           its fill echoed unless "echo": false; delay_s:
                           wait that long first, a client timeout)
  {"clock_jump_ms": N}     move the exchange clock (signed requests: -1021)
  {"sleep": SECONDS}
  {"done": true}           write --done-file ("ok")
Every wait gives up after --step-timeout seconds (the done file then says
"timeout at step I"). The process stops by itself after --lifetime seconds.
Every request and WebSocket event is logged to --log as one JSON line.
"""
import argparse
import base64
import decimal
import hashlib
import hmac
import json
import os
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
PING_INTERVAL_MS = 3 * 60 * 1000          # [WSM] a ping frame every 3 minutes
CONNECTION_LIFETIME_MS = 24 * 3600 * 1000  # [WSM] disconnected at the 24 hour mark
LISTEN_KEY_VALIDITY_MS = 60 * 60 * 1000    # [UDS] valid 60 minutes after the last POST/PUT
DEFAULT_WEIGHT_LIMIT = 2400                # [INFO] rateLimits REQUEST_WEIGHT per minute

# Request weights from each endpoint's page (IP limit; orders weigh 0 there [ORD]).
WEIGHTS = {("GET", "/fapi/v1/time"): 1, ("GET", "/fapi/v1/exchangeInfo"): 1,
           ("GET", "/fapi/v1/positionSide/dual"): 30, ("GET", "/fapi/v2/account"): 5,
           ("GET", "/fapi/v2/positionRisk"): 5, ("GET", "/fapi/v1/premiumIndex"): 10,
           ("GET", "/fapi/v1/userTrades"): 5, ("GET", "/fapi/v1/order"): 1, ("POST", "/fapi/v1/order"): 0,
           ("GET", "/fapi/v1/income"): 30, ("GET", "/fapi/v1/multiAssetsMargin"): 30,
           ("POST", "/fapi/v1/listenKey"): 1, ("PUT", "/fapi/v1/listenKey"): 1,
           ("DELETE", "/fapi/v1/listenKey"): 1}

# The listed symbols and their filters ([INFO]); a script may override any field.
LISTED = {
    "BTCUSDT": {"stepSize": "0.001", "minQty": "0.001", "maxQty": "1000", "marketStepSize": "0.001",
                "marketMinQty": "0.001", "marketMaxQty": "120", "tickSize": "0.10", "pricePrecision": 2,
                "quantityPrecision": 3},
    "ETHUSDT": {"stepSize": "0.001", "minQty": "0.001", "maxQty": "10000", "marketStepSize": "0.001",
                "marketMinQty": "0.001", "marketMaxQty": "2000", "tickSize": "0.01", "pricePrecision": 2,
                "quantityPrecision": 3},
    "BNBUSDT": {"stepSize": "0.01", "minQty": "0.01", "maxQty": "10000", "marketStepSize": "0.01",
                "marketMinQty": "0.01", "marketMaxQty": "2000", "tickSize": "0.010", "pricePrecision": 3,
                "quantityPrecision": 2},
    "币安人生USDT": {"stepSize": "1", "minQty": "1", "maxQty": "5000000", "marketStepSize": "1",
                   "marketMinQty": "1", "marketMaxQty": "200000", "tickSize": "0.00001", "pricePrecision": 5,
                   "quantityPrecision": 0},
}


class Connection:
    """One open WebSocket: its route, streams and timers."""

    def __init__(self, sock, route, streams, opened_ms, silent):
        self.sock = sock
        self.route = route                # "private", "market" or "legacy"
        self.streams = set(streams)
        self.opened_ms = opened_ms        # timer clock
        self.last_ping_ms = opened_ms
        self.silent = silent


class Exchange:
    """The mock's truth and counters, shared by the handler threads."""

    def __init__(self, args):
        self.lock = threading.Condition()
        self.send_lock = threading.RLock()  # every socket write and log line
        self.tick_lock = threading.Lock()
        self.api_key = args.api_key
        self.secret = os.environ.get("MOCK_API_SECRET", "").encode()
        self.dual = args.hedge_mode
        self.base_ms = args.clock_ms
        self.start = time.monotonic()
        self.scale = args.clock_scale
        self.jump_ms = 0
        self.advanced_ms = 0
        self.last_event_ms = 0
        self.weight_limit = args.weight_limit
        self.weight_minute = -1
        self.weight = 0
        self.listen_key = None
        self.listen_key_serial = 0
        self.listen_key_touched_ms = 0
        self.connections = {"private": 0, "market": 0, "legacy": 0}
        self.silent = {"private": 0, "market": 0}
        self.open = []                # Connection objects
        self.resyncs = 0
        self.pongs = set()            # payloads of the pongs received ("sync" steps)
        self.syncs = 0
        self.sent = []                # (stream or None, frame) of every frame sent, for redeliver
        self.failures = {}            # path -> list of failure dicts
        self.requests = {}            # path -> count
        self.orders = {}              # clientOrderId -> order
        self.order_serial = 1000
        self.trade_serial = 90000
        self.log = open(args.log, "a") if args.log else None
        self.symbols = {symbol: dict(rules) for symbol, rules in LISTED.items()}
        self.account = {"asset": "USDT", "walletBalance": "10000.00000000", "unrealizedProfit": "0.00000000",
                        "marginBalance": "10000.00000000", "maintMargin": "0.00000000",
                        "initialMargin": "0.00000000", "positionInitialMargin": "0.00000000",
                        "openOrderInitialMargin": "0.00000000", "crossWalletBalance": "10000.00000000",
                        "crossUnPnl": "0.00000000", "availableBalance": "10000.00000000",
                        "maxWithdrawAmount": "10000.00000000", "marginAvailable": True, "updateTime": 0}
        self.positions = {}           # symbol -> positionRisk entry (open or scripted)
        self.marks = {}               # symbol -> mark text
        self.trades = []              # userTrades entries
        self.income = []              # income entries [INC]
        self.multi_assets = False     # [MAM]
        self.extra_assets = []        # account asset entries beside USDT

    def clock_ms(self):
        """The exchange clock (serverTime, E, T, recvWindow checks): real rate."""
        return int(self.base_ms + (time.monotonic() - self.start) * 1000) + self.jump_ms

    def timer_ms(self):
        """The timer clock of pings, the 24 h cut and listenKey expiry: scaled."""
        return int((time.monotonic() - self.start) * 1000 * self.scale) + self.advanced_ms

    def event_ms(self):
        """An event time: strictly increasing, as distinct exchange events are."""
        with self.lock:
            now = max(self.clock_ms(), self.last_event_ms + 1)
            self.last_event_ms = now
        return now

    def record(self, entry):
        if self.log:
            with self.send_lock:
                self.log.write(json.dumps(entry, sort_keys=True, ensure_ascii=False) + "\n")
                self.log.flush()

    def position(self, symbol):
        """The positionRisk entry of symbol (a flat one when none is held)."""
        entry = {"symbol": symbol, "positionAmt": "0", "entryPrice": "0.0", "breakEvenPrice": "0.0",
                 "markPrice": self.marks.get(symbol, "0"), "unRealizedProfit": "0.00000000",
                 "liquidationPrice": "0", "leverage": "20", "maxNotionalValue": "25000000", "marginType": "cross",
                 "isolatedMargin": "0.00000000", "isAutoAddMargin": "false", "positionSide": "BOTH",
                 "notional": "0", "isolatedWallet": "0", "updateTime": 0}
        entry.update(self.positions.get(symbol, {}))
        return entry

    def routes(self, route):
        return [c for c in self.open if c.route == route]


def ws_frame(payload, opcode=1):
    """One unmasked server frame."""
    header = bytes([0x80 | opcode])
    length = len(payload)
    if length < 126:
        header += bytes([length])
    elif length < 65536:
        header += bytes([126]) + struct.pack("!H", length)
    else:
        header += bytes([127]) + struct.pack("!Q", length)
    return header + payload


def read_exact(connection, count):
    data = b""
    while len(data) < count:
        chunk = connection.recv(count - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def send_raw(exchange, conn, data):
    with exchange.send_lock:
        conn.sock.sendall(data)


def send_user_frame(exchange, frame):
    """A user-data frame to the open private connections (raw, not wrapped)."""
    text = json.dumps(frame, separators=(",", ":"), ensure_ascii=False)
    with exchange.lock:
        targets = [c for c in exchange.routes("private") if not c.silent]
    if not targets:
        raise RuntimeError("no private connection to send on")
    for conn in targets:
        send_raw(exchange, conn, ws_frame(text.encode()))
    exchange.sent.append((None, frame))


def send_mark(exchange, symbol, price):
    """markPriceUpdate [WSM] to every open market connection carrying the stream."""
    frame = {"e": "markPriceUpdate", "E": exchange.event_ms(), "s": symbol, "p": price, "i": price,
             "P": price, "r": "0.00010000", "T": exchange.clock_ms() + 3600000}
    with exchange.lock:
        exchange.marks[symbol] = price
    send_market_frame(exchange, symbol.lower() + "@markPrice@1s", frame)


def send_market_frame(exchange, stream, frame):
    """A combined-stream envelope [WSM] to the open market connections carrying stream."""
    with exchange.lock:
        targets = [c for c in exchange.routes("market") if stream in c.streams and not c.silent]
    if not targets:
        raise RuntimeError("no market connection carries " + stream)
    text = json.dumps({"stream": stream, "data": frame}, separators=(",", ":"), ensure_ascii=False)
    for conn in targets:
        send_raw(exchange, conn, ws_frame(text.encode()))
    exchange.sent.append((stream, frame))


def close_connection(exchange, conn, code=None):
    """A close frame (code) or a TCP reset (None)."""
    with exchange.lock:
        if conn in exchange.open:
            exchange.open.remove(conn)
        exchange.lock.notify_all()
    try:
        if code is None:
            conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            send_raw(exchange, conn, ws_frame(struct.pack("!H", code), 8))
        conn.sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def tick(exchange):
    """Runs the timers due on the timer clock: pings, 24 h cuts, listenKey expiry."""
    with exchange.tick_lock:      # the timer thread and an "advance_ms" step
        tick_locked(exchange)


def tick_locked(exchange):
    now = exchange.timer_ms()
    with exchange.lock:
        conns = list(exchange.open)
        expired = exchange.listen_key is not None and now - exchange.listen_key_touched_ms >= LISTEN_KEY_VALIDITY_MS
        key = exchange.listen_key
        if expired:
            exchange.listen_key = None
    for conn in conns:
        if conn.silent or conn.route == "legacy":
            continue
        if now - conn.opened_ms >= CONNECTION_LIFETIME_MS:
            exchange.record({"ws": "cut_24h", "route": conn.route})
            close_connection(exchange, conn, 1000)
            continue
        if now - conn.last_ping_ms >= PING_INTERVAL_MS:
            conn.last_ping_ms = now
            exchange.record({"ws": "ping", "route": conn.route})
            try:
                send_raw(exchange, conn, ws_frame(b"mock-ping", 9))
            except OSError:
                pass
    if expired:
        exchange.record({"ws": "listen_key_expired"})
        try:
            send_user_frame(exchange, {"e": "listenKeyExpired", "E": exchange.event_ms(), "listenKey": key})
        except RuntimeError:
            pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mock-binance/2"

    def log_message(self, format, *args):  # quiet
        pass

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    @property
    def exchange(self):
        return self.server.exchange

    def answer(self, status, body, extra=None):
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-MBX-USED-WEIGHT-1M", str(self.exchange.weight))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, code, message, extra=None):
        self.answer(status, {"code": code, "msg": message}, extra)
        return status, code

    def check_signed(self, raw_query, body):
        """None when the request is properly signed, else (status, code) after answering [GEN]."""
        exchange = self.exchange
        if self.headers.get("X-MBX-APIKEY") != exchange.api_key:
            return self.error(401, -2015, "Invalid API-key, IP, or permissions for action.")
        marker = "&signature="
        position = raw_query.rfind(marker)
        if position < 0:
            return self.error(400, -1102, "Mandatory parameter 'signature' was not sent.")
        payload = raw_query[:position] + body
        signature = raw_query[position + len(marker):]
        expected = hmac.new(exchange.secret, payload.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature.lower()):
            return self.error(400, -1022, "Signature for this request is not valid.")
        params = urllib.parse.parse_qs(raw_query[:position])
        try:
            timestamp = int(params["timestamp"][0])
            window = int(params.get("recvWindow", ["5000"])[0])
        except (KeyError, ValueError):
            return self.error(400, -1102, "Mandatory parameter 'timestamp' was not sent.")
        now = exchange.clock_ms()
        if timestamp < now - window or timestamp > now + 1000:
            return self.error(400, -1021, "Timestamp for this request is outside of the recvWindow.")
        return None

    def charge(self, method, path, params):
        """Adds the request's weight; a (status, code) 429 answer when over the limit [GEN]."""
        exchange = self.exchange
        weight = WEIGHTS.get((method, path), 1)
        if (method, path) == ("GET", "/fapi/v1/premiumIndex") and "symbol" in params:
            weight = 1
        with exchange.lock:
            minute = exchange.clock_ms() // 60000
            if minute != exchange.weight_minute:
                exchange.weight_minute, exchange.weight = minute, 0
            if exchange.weight + weight > exchange.weight_limit:
                wait_s = max(1, 60 - (exchange.clock_ms() // 1000) % 60)
                over = True
            else:
                exchange.weight += weight
                over = False
        if over:
            return self.error(429, -1003, "Too many requests; current limit of IP is %d requests per minute."
                              % exchange.weight_limit, {"Retry-After": str(wait_s)})
        return None

    def handle_any(self, method):
        exchange = self.exchange
        parsed = urllib.parse.urlsplit(self.path)
        path, raw_query = parsed.path, parsed.query
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length > 0 else ""
        if method == "GET" and self.headers.get("Upgrade", "").lower() == "websocket":
            return self.websocket(path, raw_query)
        params = dict(urllib.parse.parse_qsl(raw_query))
        logged = {"method": method, "path": path, "params": raw_query.split("&signature=")[0],
                  "api_key_ok": self.headers.get("X-MBX-APIKEY") == exchange.api_key}
        with exchange.lock:
            exchange.requests[path] = exchange.requests.get(path, 0) + 1
            failure = None
            queue = exchange.failures.get(path, [])
            for entry in queue:   # the first scripted failure this request matches
                if entry.get("method", method) == method and entry.get("symbol", params.get("symbol")) == \
                        params.get("symbol"):
                    failure = dict(entry)
                    entry["count"] = entry.get("count", 1) - 1
                    if entry["count"] <= 0:
                        queue.remove(entry)
                    break
            exchange.lock.notify_all()
        try:
            result = self.charge(method, path, params)
            if result is None:
                result = self.route(method, path, raw_query, body, params, failure)
        except (BrokenPipeError, ConnectionResetError):
            result = ("client gone", 0)     # it timed out before the answer
            self.close_connection = True
        logged["status"], logged["code"] = result if result else (200, 0)
        exchange.record(logged)

    def scripted_failure(self, method, path, raw_query, body, params, failure):
        """Answers a scripted failure (after carrying the order out, with "execute")."""
        if failure.get("execute") and (method, path) == ("POST", "/fapi/v1/order"):
            if self.check_signed(raw_query, body) is None:
                place_order(self.exchange, params, echo=failure.get("echo", True))
            else:
                return (400, -1022)
        if failure.get("delay_s"):
            time.sleep(failure["delay_s"])
        extra = {}
        if "retry_after" in failure:
            extra["Retry-After"] = str(failure["retry_after"])
        status = failure.get("status", 400)
        if status in (429, 418):
            return self.error(status, failure.get("code", -1003), "Too many requests; banned or limited.", extra)
        return self.error(status, failure.get("code", -1000), failure.get("msg", "scripted failure"), extra)

    def route(self, method, path, raw_query, body, params, failure):
        exchange = self.exchange
        if failure is not None:
            return self.scripted_failure(method, path, raw_query, body, params, failure)
        signed_paths = {("GET", "/fapi/v1/positionSide/dual"), ("GET", "/fapi/v2/account"),
                        ("GET", "/fapi/v2/positionRisk"), ("POST", "/fapi/v1/order"), ("GET", "/fapi/v1/order"),
                        ("GET", "/fapi/v1/userTrades"), ("GET", "/fapi/v1/income"),
                        ("GET", "/fapi/v1/multiAssetsMargin")}
        key_paths = {("POST", "/fapi/v1/listenKey"), ("PUT", "/fapi/v1/listenKey"), ("DELETE", "/fapi/v1/listenKey")}
        if (method, path) in signed_paths:
            refused = self.check_signed(raw_query, body)
            if refused:
                return refused
        elif (method, path) in key_paths and self.headers.get("X-MBX-APIKEY") != exchange.api_key:
            return self.error(401, -2015, "Invalid API-key, IP, or permissions for action.")
        if (method, path) == ("GET", "/fapi/v1/time"):
            return self.answer(200, {"serverTime": exchange.clock_ms()})
        if (method, path) == ("GET", "/fapi/v1/exchangeInfo"):
            return self.answer(200, exchange_info(exchange))
        if (method, path) == ("GET", "/fapi/v1/positionSide/dual"):
            return self.answer(200, {"dualSidePosition": exchange.dual})
        if (method, path) == ("GET", "/fapi/v2/account"):
            with exchange.lock:
                asset = dict(exchange.account)
                extra = [dict(entry) for entry in exchange.extra_assets]
                positions = [exchange.position(symbol) for symbol in sorted(exchange.positions)]
            return self.answer(200, {"feeTier": 0, "canTrade": True, "totalWalletBalance": asset["walletBalance"],
                                     "availableBalance": asset["availableBalance"], "assets": [asset] + extra,
                                     "positions": positions})
        if (method, path) == ("GET", "/fapi/v2/positionRisk"):
            with exchange.lock:  # [RISK]: every listed symbol, open or not
                names = sorted(set(exchange.symbols) | set(exchange.positions))
                if "symbol" in params:
                    names = [name for name in names if name == params["symbol"]]
                positions = [exchange.position(symbol) for symbol in names]
            return self.answer(200, positions)
        if (method, path) == ("GET", "/fapi/v1/premiumIndex"):
            with exchange.lock:
                now = exchange.clock_ms()
                entries = [{"symbol": symbol, "markPrice": mark, "indexPrice": mark,
                            "estimatedSettlePrice": mark, "lastFundingRate": "0.00010000",
                            "interestRate": "0.00010000", "nextFundingTime": now + 3600000, "time": now}
                           for symbol, mark in sorted(exchange.marks.items())]
                exchange.resyncs += 1
                exchange.lock.notify_all()
            return self.answer(200, entries)
        if (method, path) == ("GET", "/fapi/v1/userTrades"):
            if "fromId" in params and ("startTime" in params or "endTime" in params):  # [TRD]
                return self.error(400, -4013, "fromId cannot be sent with startTime or endTime.")
            start = int(params.get("startTime", "0"))
            end = int(params.get("endTime", str(2 ** 62)))
            if "startTime" in params and "endTime" in params and end - start > 7 * 24 * 3600 * 1000:
                return self.error(400, -4166, "The time between startTime and endTime cannot be longer than 7 days.")
            from_id = int(params.get("fromId", "0"))
            with exchange.lock:
                trades = sorted((dict(trade) for trade in exchange.trades
                                 if trade["symbol"] == params.get("symbol") and start <= trade["time"] <= end
                                 and trade["id"] >= from_id), key=lambda trade: trade["id"])
            return self.answer(200, trades[:int(params.get("limit", "500"))])
        if (method, path) == ("GET", "/fapi/v1/income"):
            start = int(params.get("startTime", "0"))
            end = int(params.get("endTime", str(2 ** 62)))
            with exchange.lock:  # [INC]: oldest first from startTime, at most limit
                entries = sorted((dict(entry) for entry in exchange.income if start <= entry["time"] <= end),
                                 key=lambda entry: (entry["time"], entry["tranId"]))
            return self.answer(200, entries[:int(params.get("limit", "100"))])
        if (method, path) == ("GET", "/fapi/v1/multiAssetsMargin"):
            return self.answer(200, {"multiAssetsMargin": exchange.multi_assets})
        if path == "/fapi/v1/listenKey":
            return self.listen_key(method, params)
        if (method, path) == ("GET", "/fapi/v1/order"):
            with exchange.lock:  # [QRY]
                order = exchange.orders.get(params.get("origClientOrderId", ""))
            if order is None or order["symbol"] != params.get("symbol"):
                return self.error(400, -2013, "Order does not exist.")
            return self.answer(200, order)
        if (method, path) == ("POST", "/fapi/v1/order"):
            refused = check_order(exchange, params)
            if refused:
                return self.error(400, refused[0], refused[1])
            return self.answer(200, place_order(exchange, params))
        return self.error(404, -1000, "unknown path " + path)

    def listen_key(self, method, params):
        """POST returns the active key (or a new one) and extends it; PUT extends; DELETE closes [UDS]."""
        exchange = self.exchange
        with exchange.lock:
            if method == "POST":
                if exchange.listen_key is None:
                    exchange.listen_key_serial += 1
                    exchange.listen_key = "mockListenKey%04dpqia91ma19a5s61cv6a81va65sdf19v8a65a1" % \
                        exchange.listen_key_serial
                exchange.listen_key_touched_ms = exchange.timer_ms()
                return self.answer(200, {"listenKey": exchange.listen_key})
            if exchange.listen_key is None or params.get("listenKey") not in (None, exchange.listen_key):
                return self.error(400, -1125, "This listenKey does not exist.")
            if method == "DELETE":
                exchange.listen_key = None
            else:
                exchange.listen_key_touched_ms = exchange.timer_ms()
            return self.answer(200, {})

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def websocket(self, path, raw_query):
        """The handshake of a route [WSC], then the connection's read loop."""
        exchange = self.exchange
        query = urllib.parse.parse_qs(raw_query)
        if path == "/private/ws" or path.startswith("/private/ws/"):
            route = "private"
            key = query.get("listenKey", [""])[0] if path == "/private/ws" else path[len("/private/ws/"):]
            with exchange.lock:
                valid = exchange.listen_key is not None and key == exchange.listen_key
            if not valid:
                exchange.record({"ws": "refused", "path": path, "status": 400})
                return self.error(400, -1125, "This listenKey does not exist.")
            streams = []
        elif path == "/market/stream" or path.startswith("/market/ws/"):
            route = "market"
            if path == "/market/stream":
                streams = [s for s in query.get("streams", [""])[0].split("/") if s]
            else:
                streams = [urllib.parse.unquote(path[len("/market/ws/"):])]
        elif path in ("/stream", "/ws") or path.startswith("/ws/"):
            route = "legacy"       # retired 2026-04-23: handshakes, then silence [WSC]
            streams = []
        else:
            exchange.record({"ws": "refused", "path": path, "status": 404})
            return self.error(404, -1000, "unknown path " + path)
        accept = base64.b64encode(hashlib.sha1((self.headers["Sec-WebSocket-Key"] + WS_GUID).encode()).digest())
        # Registered before the 101 is sent, so a client that acts on the open
        # connection (a resync, then a scripted frame) always finds it; and
        # under send_lock, so that no frame (a mark, a ping) can reach the
        # socket before the 101 does.
        exchange.send_lock.acquire()
        with exchange.lock:
            silent = route == "legacy"
            if route != "legacy" and exchange.silent[route] > 0:
                exchange.silent[route] -= 1
                silent = True
            conn = Connection(self.connection, route, streams, exchange.timer_ms(), silent)
            exchange.open.append(conn)
            exchange.connections[route] += 1
            exchange.lock.notify_all()
        try:
            exchange.record({"ws": "open", "route": route, "path": path, "streams": sorted(streams), "silent": silent})
            self.send_response(101)
            self.send_header("Upgrade", "websocket")
            self.send_header("Connection", "Upgrade")
            self.send_header("Sec-WebSocket-Accept", accept.decode())
            self.end_headers()
            self.wfile.flush()
        except OSError:
            pass                    # the client left: the read loop ends at once
        finally:
            exchange.send_lock.release()
        try:
            self.read_loop(conn)
        except (ConnectionError, OSError):
            pass
        with exchange.lock:
            if conn in exchange.open:
                exchange.open.remove(conn)
            exchange.lock.notify_all()
        exchange.record({"ws": "closed", "route": route})
        self.close_connection = True

    def read_loop(self, conn):
        exchange = self.exchange
        while True:
            first, second = read_exact(conn.sock, 2)
            opcode = first & 0x0F
            length = second & 0x7F
            if length == 126:
                length = struct.unpack("!H", read_exact(conn.sock, 2))[0]
            elif length == 127:
                length = struct.unpack("!Q", read_exact(conn.sock, 8))[0]
            mask = read_exact(conn.sock, 4) if second & 0x80 else b"\0\0\0\0"
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(read_exact(conn.sock, length)))
            if conn.silent:
                continue            # a silent route answers nothing, not even a close
            if opcode == 8:
                send_raw(exchange, conn, ws_frame(payload[:2], 8))
                return
            if opcode == 9:         # RFC 6455 5.5.2: a ping is answered by a pong
                exchange.record({"ws": "pong_sent", "route": conn.route})
                send_raw(exchange, conn, ws_frame(payload, 10))
            elif opcode == 10:
                exchange.record({"ws": "pong", "route": conn.route})
                with exchange.lock:
                    exchange.pongs.add(payload)
                    exchange.lock.notify_all()
            elif opcode == 1 and conn.route == "market":
                self.market_request(conn, payload)

    def market_request(self, conn, payload):
        """SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS [LIVE]."""
        exchange = self.exchange
        try:
            request = json.loads(payload.decode())
            method, ident = request["method"], request["id"]
        except (ValueError, KeyError, TypeError):
            send_raw(exchange, conn, ws_frame(json.dumps({"code": 2, "msg": "Invalid request"}).encode()))
            return
        result = None
        with exchange.lock:
            if method == "SUBSCRIBE":
                conn.streams.update(request.get("params", []))
            elif method == "UNSUBSCRIBE":
                conn.streams.difference_update(request.get("params", []))
            elif method == "LIST_SUBSCRIPTIONS":
                result = sorted(conn.streams)
            exchange.lock.notify_all()
        exchange.record({"ws": method.lower(), "route": "market", "params": request.get("params", [])})
        send_raw(exchange, conn, ws_frame(json.dumps({"result": result, "id": ident}).encode()))


def exchange_info(exchange):
    """GET /fapi/v1/exchangeInfo [INFO]: rate limits and every listed symbol's filters."""
    symbols = []
    with exchange.lock:
        for name in sorted(exchange.symbols):
            rules = exchange.symbols[name]
            symbols.append({
                "symbol": name, "pair": name, "contractType": "PERPETUAL", "status": "TRADING",
                "baseAsset": name[:-4], "quoteAsset": "USDT", "marginAsset": "USDT",
                "pricePrecision": rules["pricePrecision"], "quantityPrecision": rules["quantityPrecision"],
                "orderTypes": ["LIMIT", "MARKET", "STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET"],
                "filters": [
                    {"filterType": "PRICE_FILTER", "minPrice": "0.10", "maxPrice": "4529764",
                     "tickSize": rules["tickSize"]},
                    {"filterType": "LOT_SIZE", "stepSize": rules["stepSize"], "minQty": rules["minQty"],
                     "maxQty": rules["maxQty"]},
                    {"filterType": "MARKET_LOT_SIZE", "stepSize": rules["marketStepSize"],
                     "minQty": rules["marketMinQty"], "maxQty": rules["marketMaxQty"]},
                    {"filterType": "MAX_NUM_ORDERS", "limit": 200},
                    {"filterType": "MIN_NOTIONAL", "notional": "5"}]})
    return {"timezone": "UTC", "serverTime": exchange.clock_ms(),
            "rateLimits": [{"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1,
                            "limit": exchange.weight_limit},
                           {"rateLimitType": "ORDERS", "interval": "MINUTE", "intervalNum": 1, "limit": 1200}],
            "assets": [{"asset": "USDT", "marginAvailable": True}], "symbols": symbols}


def check_order(exchange, params):
    """(code, msg) when the exchange would refuse the order [ORD][ERR], else None."""
    if params.get("type") != "MARKET" or params.get("reduceOnly") != "true":
        return (-1106, "only reduce-only MARKET orders are expected here")
    symbol = params.get("symbol", "")
    with exchange.lock:
        rules = exchange.symbols.get(symbol)
        amount = decimal.Decimal(exchange.position(symbol)["positionAmt"])
    if rules is None:
        return (-1121, "Invalid symbol.")
    try:
        quantity = decimal.Decimal(params.get("quantity", ""))
    except decimal.InvalidOperation:
        return (-1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.")
    step = decimal.Decimal(rules["marketStepSize"])
    if quantity % step != 0 or -quantity.as_tuple().exponent > max(0, -step.as_tuple().exponent):
        return (-1111, "Precision is over the maximum defined for this asset.")
    if quantity > decimal.Decimal(rules["marketMaxQty"]):
        return (-4005, "Quantity greater than max quantity.")
    if quantity < decimal.Decimal(rules["marketMinQty"]):
        return (-4004, "Quantity less than min quantity.")
    closing = -1 if params.get("side") == "SELL" else 1
    if amount == 0 or (amount > 0) == (closing > 0) or quantity > abs(amount):
        return (-2022, "ReduceOnly Order is rejected.")
    return None


def place_order(exchange, params, echo=True):
    """Fills a checked reduce-only MARKET order at the mark; echoes it on the private route
    (unless echo is False: a fill the stream lost)."""
    symbol, side = params["symbol"], params["side"]
    quantity = decimal.Decimal(params["quantity"])
    with exchange.lock:
        entry = exchange.position(symbol)
        amount = decimal.Decimal(entry["positionAmt"])
        price = decimal.Decimal(exchange.marks.get(symbol, entry["entryPrice"]))
        entry_price = decimal.Decimal(entry["entryPrice"])
        signed = -quantity if side == "SELL" else quantity
        remaining = amount + signed
        realized = (price - entry_price) * quantity * (1 if amount > 0 else -1)
        wallet = decimal.Decimal(exchange.account["walletBalance"]) + realized
        exchange.account["walletBalance"] = "%.8f" % wallet
        exchange.account["availableBalance"] = "%.8f" % wallet
        exchange.positions.setdefault(symbol, {"symbol": symbol})
        exchange.positions[symbol]["positionAmt"] = str(remaining)
        if remaining == 0:
            exchange.positions[symbol]["entryPrice"] = "0.0"
        exchange.order_serial += 1
        exchange.trade_serial += 1
        order_id, trade_id = exchange.order_serial, exchange.trade_serial
        now = exchange.clock_ms()
        order = {"orderId": order_id, "symbol": symbol, "status": "FILLED",
                 "clientOrderId": params.get("newClientOrderId", ""), "price": "0", "avgPrice": str(price),
                 "origQty": params["quantity"], "executedQty": params["quantity"], "cumQuote": str(price * quantity),
                 "timeInForce": "GTC", "type": "MARKET", "reduceOnly": True, "closePosition": False, "side": side,
                 "positionSide": "BOTH", "origType": "MARKET", "time": now, "updateTime": now}
        exchange.orders[order["clientOrderId"]] = order
        exchange.trades.append({"buyer": side == "BUY", "commission": "0", "commissionAsset": "USDT",
                                "id": trade_id, "maker": False, "orderId": order_id, "price": str(price),
                                "qty": params["quantity"], "quoteQty": str(price * quantity),
                                "realizedPnl": str(realized), "side": side, "positionSide": "BOTH",
                                "symbol": symbol, "time": now})
        exchange.lock.notify_all()
    exchange.record({"order": "FILLED", "symbol": symbol, "side": side, "quantity": params["quantity"]})
    if not echo:
        return order
    event = exchange.event_ms()
    try:
        send_user_frame(exchange, {"e": "ORDER_TRADE_UPDATE", "E": event, "T": event, "o": {
            "s": symbol, "c": order["clientOrderId"], "S": side, "o": "MARKET", "f": "GTC", "q": params["quantity"],
            "p": "0", "ap": str(price), "sp": "0", "x": "TRADE", "X": "FILLED", "i": order_id,
            "l": params["quantity"], "z": params["quantity"], "L": str(price), "N": "USDT", "n": "0", "T": event,
            "t": trade_id, "b": "0", "a": "0", "m": False, "R": True, "wt": "CONTRACT_PRICE", "ot": "MARKET",
            "ps": "BOTH", "cp": False, "rp": str(realized)}})
        event = exchange.event_ms()
        send_user_frame(exchange, {"e": "ACCOUNT_UPDATE", "E": event, "T": event, "a": {"m": "ORDER", "B": [
            {"a": "USDT", "wb": "%.8f" % wallet, "cw": "%.8f" % wallet, "bc": "0"}], "P": [
            {"s": symbol, "pa": str(remaining), "ep": "0.0" if remaining == 0 else str(entry_price), "bep": "0",
             "cr": "0", "up": "0", "mt": "cross", "iw": "0", "ps": "BOTH"}]}})
    except RuntimeError:
        pass                        # no private connection: the resync will tell
    return order


def stamp(value, now):
    """Replaces "now" in E and T members (recursively) by the clock."""
    if isinstance(value, dict):
        return {key: (now if item == "now" and key in ("E", "T") else stamp(item, now)) for key, item in value.items()}
    if isinstance(value, list):
        return [stamp(item, now) for item in value]
    return value


def wait_for(exchange, predicate, timeout):
    deadline = time.monotonic() + timeout
    with exchange.lock:
        while not predicate():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            exchange.lock.wait(min(left, 0.1))
    return True


def wait_step(exchange, step):
    """The predicate of a wait step, or None when step is not a wait."""
    if "wait_connection" in step:
        spec = step["wait_connection"]
        route, count = (spec.get("route", "private"), spec["count"]) if isinstance(spec, dict) else ("private", spec)
        return lambda: exchange.connections[route] >= count and bool(exchange.routes(route))
    if "wait_resync" in step:
        return lambda: exchange.resyncs >= step["wait_resync"]
    if "wait_requests" in step:
        spec = step["wait_requests"]
        return lambda: exchange.requests.get(spec["path"], 0) >= spec["count"]
    if "wait_stream" in step:
        return lambda: any(step["wait_stream"] in c.streams for c in exchange.routes("market"))
    if "wait_orders" in step:
        spec = step["wait_orders"]
        return lambda: sum(1 for o in exchange.orders.values() if o["status"] == spec["status"]) >= spec["count"]
    return None


def act(exchange, step):
    """Carries out one action step; False when the step is unknown."""
    if "send" in step:
        send_user_frame(exchange, stamp(step["send"], exchange.event_ms()))
    elif "mark" in step:
        send_mark(exchange, step["mark"]["symbol"], step["mark"]["price"])
    elif "set_mark" in step:
        with exchange.lock:
            exchange.marks[step["set_mark"]["symbol"]] = step["set_mark"]["price"]
    elif "add_trade" in step:
        trade = {"buyer": True, "commission": "0", "commissionAsset": "USDT", "id": 0, "maker": False,
                 "orderId": 1, "price": "0", "qty": "0", "quoteQty": "0", "realizedPnl": "0",
                 "side": "BUY", "positionSide": "BOTH", "symbol": "", "time": "now"}
        trade.update(step["add_trade"])
        if trade["time"] == "now":
            trade["time"] = exchange.event_ms()
        with exchange.lock:
            if trade["id"] == 0:
                exchange.trade_serial += 1
                trade["id"] = exchange.trade_serial
            exchange.trades.append(trade)
    elif "add_income" in step:
        entry = {"symbol": "", "incomeType": "TRANSFER", "income": "0", "asset": "USDT", "info": "",
                 "time": "now", "tranId": 0, "tradeId": ""}
        entry.update(step["add_income"])
        if entry["time"] == "now":
            entry["time"] = exchange.event_ms()
        with exchange.lock:
            if entry["tranId"] == 0:
                exchange.trade_serial += 1
                entry["tranId"] = 9689000000 + exchange.trade_serial
            exchange.income.append(entry)
    elif "redeliver" in step:
        stream, frame = exchange.sent[step["redeliver"]]
        if stream is None:
            send_user_frame(exchange, frame)
        else:
            send_market_frame(exchange, stream, frame)
    elif "set_account" in step:
        with exchange.lock:
            exchange.account.update(step["set_account"])
    elif "set_position" in step:
        with exchange.lock:
            exchange.positions.setdefault(step["set_position"]["symbol"], {}).update(step["set_position"])
    elif "drop" in step:
        with exchange.lock:
            targets = [c for c in exchange.open if step["drop"] is True or c.route == step["drop"]]
        for conn in targets:
            exchange.record({"ws": "drop", "route": conn.route})
            close_connection(exchange, conn)
    elif "silent" in step:
        with exchange.lock:
            exchange.silent[step["silent"]["route"]] += step["silent"].get("count", 1)
    elif "expire" in step:
        with exchange.lock:
            key = exchange.listen_key
            exchange.listen_key = None
        send_user_frame(exchange, {"e": "listenKeyExpired", "E": exchange.event_ms(), "listenKey": key or ""})
    elif "advance_ms" in step:
        with exchange.lock:
            exchange.advanced_ms += step["advance_ms"]
        tick(exchange)
    elif "fail" in step:
        with exchange.lock:
            exchange.failures.setdefault(step["fail"]["path"], []).append(dict(step["fail"]))
    elif "clock_jump_ms" in step:
        with exchange.lock:
            exchange.jump_ms += step["clock_jump_ms"]
    elif "sleep" in step:
        time.sleep(step["sleep"])
    else:
        return False
    return True


def sync_route(exchange, route):
    """The "sync" step's ping: one per open connection of route, each with a
    payload of its own; returns the predicate that all were answered."""
    with exchange.lock:
        targets = [c for c in exchange.routes(route) if not c.silent]
        exchange.syncs += 1
        serial = exchange.syncs
    if not targets:
        raise RuntimeError("no %s connection to sync" % route)
    payloads = set()
    for number, conn in enumerate(targets):
        payload = ("mock-sync-%d-%d" % (serial, number)).encode()
        payloads.add(payload)
        exchange.record({"ws": "sync_ping", "route": route})
        send_raw(exchange, conn, ws_frame(payload, 9))
    return lambda: payloads <= exchange.pongs


def run_script(exchange, steps, done_file, step_timeout):
    outcome = "ok"
    for index, step in enumerate(steps):
        if "done" in step:
            break
        try:
            predicate = sync_route(exchange, step["sync"]) if "sync" in step else wait_step(exchange, step)
            if predicate is not None:
                if not wait_for(exchange, predicate, step_timeout):
                    outcome = "timeout at step %d (%s)" % (index, next(iter(step)))
                    break
            elif not act(exchange, step):
                outcome = "unknown step %d" % index
                break
        except Exception as problem:  # noqa: BLE001 -- reported in the done file
            outcome = "error at step %d: %s" % (index, problem)
            break
        exchange.record({"step": index, "kind": next(iter(step))})
    if done_file:
        with open(done_file + ".tmp", "w") as out:
            out.write(outcome + "\n")
        os.replace(done_file + ".tmp", done_file)


def timers(exchange):
    """Runs the timer clock's due events a few times a second (real time)."""
    while True:
        time.sleep(0.05)
        tick(exchange)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--script")
    parser.add_argument("--done-file")
    parser.add_argument("--log")
    parser.add_argument("--api-key", default="mockApiKey")
    parser.add_argument("--clock-ms", type=int, default=1767225600000)  # 2026-01-01T00:00:00Z
    parser.add_argument("--clock-scale", type=float, default=1.0, help="timer clock speed (pings, cuts, expiry)")
    parser.add_argument("--weight-limit", type=int, default=DEFAULT_WEIGHT_LIMIT)
    parser.add_argument("--hedge-mode", action="store_true")
    parser.add_argument("--step-timeout", type=float, default=20)
    parser.add_argument("--lifetime", type=float, default=60)
    args = parser.parse_args()
    script = {}
    if args.script:
        with open(args.script, encoding="utf-8") as source:
            script = json.load(source)
    if "weight_limit_1m" in script:
        args.weight_limit = script["weight_limit_1m"]
    exchange = Exchange(args)
    for symbol, overrides in script.get("symbols", {}).items():
        exchange.symbols.setdefault(symbol, dict(LISTED["BTCUSDT"])).update(overrides)
    for symbol, price in script.get("marks", {}).items():
        exchange.marks[symbol] = price
    for route, count in script.get("silent", {}).items():
        exchange.silent[route] += count
    for position in script.get("positions", []):
        act(exchange, {"set_position": position})
    exchange.multi_assets = bool(script.get("multi_assets", False))
    exchange.extra_assets = list(script.get("assets", []))
    for entry in script.get("income", []):
        act(exchange, {"add_income": entry})
    for trade in script.get("trades", []):
        act(exchange, {"add_trade": trade})
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.exchange = exchange
    with open(args.port_file + ".tmp", "w") as out:
        out.write("%d\n" % server.server_address[1])
    os.replace(args.port_file + ".tmp", args.port_file)
    threading.Thread(target=run_script, args=(exchange, script.get("steps", []), args.done_file,
                                              args.step_timeout), daemon=True).start()
    threading.Thread(target=timers, args=(exchange,), daemon=True).start()
    lifetime = threading.Timer(args.lifetime, server.shutdown)
    lifetime.daemon = True
    lifetime.start()
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
