#!/usr/bin/env python3
"""mock_exchange.py -- a scripted Binance USD-M futures exchange on loopback.

Speaks real HTTP/1.1 and WebSocket (RFC 6455) on 127.0.0.1 only, on a port
chosen by the system at start (written to --port-file). Used by the live
end-to-end tests; standard library only.

REST: GET /fapi/v1/time, GET /fapi/v1/positionSide/dual, GET /fapi/v2/account,
GET /fapi/v2/positionRisk, GET /fapi/v1/premiumIndex, GET /fapi/v1/userTrades, POST/PUT/DELETE
/fapi/v1/listenKey, POST /fapi/v1/order. Every SIGNED request is checked:
X-MBX-APIKEY, the HMAC-SHA256 signature over the query string (+ body) with
the secret from the MOCK_API_SECRET environment variable, and timestamp
against the mock's clock and recvWindow (-1021 outside it, -1022 on a bad
signature). Answers carry X-MBX-USED-WEIGHT-1M.

WebSocket: /stream?streams=LISTENKEY/sym@markPrice@1s... (combined envelopes)
or /ws/LISTENKEY.

The script (--script FILE.json, {"marks": {S: P}, "positions": [positionRisk
entries], "steps": [...]}) sets the marks and positions at start, then runs its
steps once, one by one:
  {"wait_connection": N}   wait until N WebSocket connections were opened
  {"wait_resync": N}       wait until N resyncs (premiumIndex requests) were served
  {"send": FRAME}          send a user-data frame ("now" in E/T: the mock clock)
  {"mark": {"symbol": S, "price": P}}  set the mark and send markPriceUpdate
  {"redeliver": K}         send the K-th sent frame again, byte for byte
  {"set_account": {...}}   USDT asset fields (walletBalance, availableBalance, ...)
  {"set_position": {...}}  a positionRisk entry (symbol, positionAmt, ...)
  {"set_mark": {"symbol": S, "price": P}}  the premiumIndex mark, no frame
  {"add_trade": {...}}     a userTrades entry ("time": "now" for the clock)
  {"drop": true}           drop the WebSocket (TCP reset, no close frame)
  {"expire": true}         send listenKeyExpired and forget the listen key
  {"fail": {"path": P, "status": S, "code": C, "retry_after": R}}  answer the
                           next request to P with that error (once)
  {"clock_jump_ms": N}     move the mock clock (signed requests then get -1021)
  {"sleep": SECONDS}
  {"wait_requests": {"path": P, "count": N}}
  {"done": true}           write --done-file ("ok")
Every wait gives up after --step-timeout seconds (the done file then says
"timeout at step I"). The process stops by itself after --lifetime seconds.
Every request is logged to --log as one JSON line (method, path, params
without the signature, status, code).
"""
import argparse
import base64
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


class Exchange:
    """The mock's truth and counters, shared by the handler threads."""

    def __init__(self, args):
        self.lock = threading.Condition()
        self.api_key = args.api_key
        self.secret = os.environ.get("MOCK_API_SECRET", "").encode()
        self.dual = args.hedge_mode
        self.base_ms = args.clock_ms
        self.start = time.monotonic()
        self.jump_ms = 0
        self.weight = 0
        self.listen_key = None
        self.listen_key_serial = 0
        self.connections = 0
        self.resyncs = 0
        self.socket = None          # the open WebSocket (socket object)
        self.socket_combined = True
        self.send_lock = threading.Lock()
        self.sent = []              # texts of frames sent, for redeliver
        self.failures = {}          # path -> list of failure dicts
        self.requests = {}          # path -> count
        self.log = open(args.log, "a") if args.log else None
        self.account = {"asset": "USDT", "walletBalance": "10000.00000000", "unrealizedProfit": "0.00000000",
                        "marginBalance": "10000.00000000", "maintMargin": "0.00000000",
                        "initialMargin": "0.00000000", "positionInitialMargin": "0.00000000",
                        "openOrderInitialMargin": "0.00000000", "crossWalletBalance": "10000.00000000",
                        "crossUnPnl": "0.00000000", "availableBalance": "10000.00000000",
                        "maxWithdrawAmount": "10000.00000000", "marginAvailable": True, "updateTime": 0}
        self.positions = {}         # symbol -> positionRisk entry
        self.marks = {}             # symbol -> mark text
        self.trades = []            # userTrades entries

    def clock_ms(self):
        return int(self.base_ms + (time.monotonic() - self.start) * 1000) + self.jump_ms

    def event_ms(self):
        """The clock for an event time: strictly increasing, as distinct exchange events are."""
        with self.lock:
            now = max(self.clock_ms(), getattr(self, "last_event_ms", 0) + 1)
            self.last_event_ms = now
        return now

    def record(self, entry):
        if self.log:
            self.log.write(json.dumps(entry, sort_keys=True) + "\n")
            self.log.flush()


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


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mock-binance/1"

    def log_message(self, format, *args):  # quiet
        pass

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    @property
    def exchange(self):
        return self.server.exchange

    def answer(self, status, body, extra=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        with self.exchange.lock:
            self.exchange.weight += 1
            weight = self.exchange.weight
        self.send_header("X-MBX-USED-WEIGHT-1M", str(weight))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, code, message, extra=None):
        self.answer(status, {"code": code, "msg": message}, extra)
        return status, code

    def check_signed(self, raw_query, body):
        """None when the request is properly signed, else (status, code) after answering."""
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

    def handle_any(self, method):
        exchange = self.exchange
        parsed = urllib.parse.urlsplit(self.path)
        path, raw_query = parsed.path, parsed.query
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length > 0 else ""
        if method == "GET" and self.headers.get("Upgrade", "").lower() == "websocket":
            return self.websocket(path, raw_query)
        logged = {"method": method, "path": path,
                  "params": raw_query.split("&signature=")[0], "api_key_ok":
                  self.headers.get("X-MBX-APIKEY") == exchange.api_key}
        with exchange.lock:
            exchange.requests[path] = exchange.requests.get(path, 0) + 1
            failure = exchange.failures.get(path, [None]).pop(0) if exchange.failures.get(path) else None
            exchange.lock.notify_all()
        result = self.route(method, path, raw_query, body, failure)
        logged["status"], logged["code"] = result if result else (200, 0)
        exchange.record(logged)

    def route(self, method, path, raw_query, body, failure):
        exchange = self.exchange
        if failure is not None:
            extra = {}
            if "retry_after" in failure:
                extra["Retry-After"] = str(failure["retry_after"])
            status = failure.get("status", 400)
            if status in (429, 418):
                return self.error(status, failure.get("code", -1003), "Too many requests; banned or limited.", extra)
            return self.error(status, failure.get("code", -1000), failure.get("msg", "scripted failure"), extra)
        signed_paths = {("GET", "/fapi/v1/positionSide/dual"), ("GET", "/fapi/v2/account"),
                        ("GET", "/fapi/v2/positionRisk"), ("POST", "/fapi/v1/order"),
                        ("GET", "/fapi/v1/userTrades")}
        key_paths = {("POST", "/fapi/v1/listenKey"), ("PUT", "/fapi/v1/listenKey"), ("DELETE", "/fapi/v1/listenKey")}
        if (method, path) in signed_paths:
            refused = self.check_signed(raw_query, body)
            if refused:
                return refused
        elif (method, path) in key_paths and self.headers.get("X-MBX-APIKEY") != exchange.api_key:
            return self.error(401, -2015, "Invalid API-key, IP, or permissions for action.")
        params = dict(urllib.parse.parse_qsl(raw_query))
        if (method, path) == ("GET", "/fapi/v1/time"):
            return self.answer(200, {"serverTime": exchange.clock_ms()})
        if (method, path) == ("GET", "/fapi/v1/positionSide/dual"):
            return self.answer(200, {"dualSidePosition": exchange.dual})
        if (method, path) == ("GET", "/fapi/v2/account"):
            with exchange.lock:
                asset = dict(exchange.account)
                positions = [dict(entry) for entry in exchange.positions.values()]
            return self.answer(200, {"feeTier": 0, "canTrade": True, "totalWalletBalance": asset["walletBalance"],
                                     "availableBalance": asset["availableBalance"], "assets": [asset],
                                     "positions": positions})
        if (method, path) == ("GET", "/fapi/v2/positionRisk"):
            with exchange.lock:
                positions = [dict(exchange.positions[symbol]) for symbol in sorted(exchange.positions)]
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
            start = int(params.get("startTime", "0"))
            with exchange.lock:
                trades = [dict(trade) for trade in exchange.trades
                          if trade["symbol"] == params.get("symbol") and trade["time"] >= start]
            return self.answer(200, trades[:int(params.get("limit", "500"))])
        if path == "/fapi/v1/listenKey":
            with exchange.lock:
                if method == "POST":
                    if exchange.listen_key is None:
                        exchange.listen_key_serial += 1
                        exchange.listen_key = "mockListenKey%04dpqia91ma19a5s61cv6a81va65sdf19v8a65a1" % \
                            exchange.listen_key_serial
                    return self.answer(200, {"listenKey": exchange.listen_key})
                if exchange.listen_key is None or params.get("listenKey") not in (None, exchange.listen_key):
                    return self.error(400, -1125, "This listenKey does not exist.")
                if method == "DELETE":
                    exchange.listen_key = None
                return self.answer(200, {})
        if (method, path) == ("POST", "/fapi/v1/order"):
            if params.get("type") != "MARKET" or params.get("reduceOnly") != "true":
                return self.error(400, -1106, "only reduce-only MARKET orders are expected here")
            return self.answer(200, {"orderId": 4242, "symbol": params.get("symbol"), "status": "NEW",
                                     "clientOrderId": params.get("newClientOrderId", ""), "type": "MARKET",
                                     "side": params.get("side"), "origQty": params.get("quantity"),
                                     "reduceOnly": True, "updateTime": exchange.clock_ms()})
        return self.error(404, -1000, "unknown path " + path)

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def websocket(self, path, raw_query):
        exchange = self.exchange
        with exchange.lock:
            key = exchange.listen_key
        if path == "/stream":
            streams = urllib.parse.parse_qs(raw_query).get("streams", [""])[0].split("/")
            combined = True
        elif path.startswith("/ws/"):
            streams = [path[4:]]
            combined = False
        else:
            streams = []
            combined = False
        if key is None or key not in streams:
            exchange.record({"method": "GET", "path": path, "websocket": True, "status": 400})
            return self.error(400, -1125, "This listenKey does not exist.")
        accept = base64.b64encode(hashlib.sha1((self.headers["Sec-WebSocket-Key"] + WS_GUID).encode()).digest())
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept.decode())
        self.end_headers()
        self.wfile.flush()
        connection = self.connection
        with exchange.lock:
            exchange.socket = connection
            exchange.socket_combined = combined
            exchange.connections += 1
            exchange.lock.notify_all()
        exchange.record({"method": "GET", "path": path, "websocket": True, "status": 101})
        try:
            while True:
                first, second = read_exact(connection, 2)
                opcode = first & 0x0F
                length = second & 0x7F
                if length == 126:
                    length = struct.unpack("!H", read_exact(connection, 2))[0]
                elif length == 127:
                    length = struct.unpack("!Q", read_exact(connection, 8))[0]
                mask = read_exact(connection, 4) if second & 0x80 else b"\0\0\0\0"
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(read_exact(connection, length)))
                if opcode == 8:
                    with exchange.send_lock:
                        connection.sendall(ws_frame(payload[:2], 8))
                    break
                if opcode == 9:
                    with exchange.send_lock:
                        connection.sendall(ws_frame(payload, 10))
        except (ConnectionError, OSError):
            pass
        with exchange.lock:
            if exchange.socket is connection:
                exchange.socket = None
        self.close_connection = True


def stamp(value, now):
    """Replaces "now" in E and T members (recursively) by the clock."""
    if isinstance(value, dict):
        return {key: (now if item == "now" and key in ("E", "T") else stamp(item, now)) for key, item in value.items()}
    if isinstance(value, list):
        return [stamp(item, now) for item in value]
    return value


def send_text(exchange, stream, frame):
    with exchange.lock:
        connection = exchange.socket
        combined = exchange.socket_combined
    if connection is None:
        raise RuntimeError("no WebSocket connection to send on")
    text = json.dumps({"stream": stream, "data": frame} if combined else frame, separators=(",", ":"))
    with exchange.send_lock:
        connection.sendall(ws_frame(text.encode()))
    exchange.sent.append((stream, frame))


def wait_for(exchange, predicate, timeout):
    deadline = time.monotonic() + timeout
    with exchange.lock:
        while not predicate():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            exchange.lock.wait(min(left, 0.1))
    return True


def run_script(exchange, steps, done_file, step_timeout):
    outcome = "ok"
    for index, step in enumerate(steps):
        try:
            if "wait_connection" in step:
                target = step["wait_connection"]
                if not wait_for(exchange, lambda: exchange.connections >= target and exchange.socket is not None,
                                step_timeout):
                    outcome = "timeout at step %d (wait_connection)" % index
                    break
            elif "wait_resync" in step:
                target = step["wait_resync"]
                if not wait_for(exchange, lambda: exchange.resyncs >= target, step_timeout):
                    outcome = "timeout at step %d (wait_resync)" % index
                    break
            elif "wait_requests" in step:
                spec = step["wait_requests"]
                if not wait_for(exchange, lambda: exchange.requests.get(spec["path"], 0) >= spec["count"],
                                step_timeout):
                    outcome = "timeout at step %d (wait_requests)" % index
                    break
            elif "send" in step:
                with exchange.lock:
                    key = exchange.listen_key or ""
                send_text(exchange, key, stamp(step["send"], exchange.event_ms()))
            elif "mark" in step:
                symbol, price = step["mark"]["symbol"], step["mark"]["price"]
                with exchange.lock:
                    exchange.marks[symbol] = price
                frame = {"e": "markPriceUpdate", "E": exchange.event_ms(), "s": symbol, "p": price, "i": price,
                         "P": price, "r": "0.00010000", "T": exchange.clock_ms() + 3600000}
                send_text(exchange, symbol.lower() + "@markPrice@1s", frame)
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
                    exchange.trades.append(trade)
            elif "redeliver" in step:
                stream, frame = exchange.sent[step["redeliver"]]
                send_text(exchange, stream, frame)
            elif "set_account" in step:
                with exchange.lock:
                    exchange.account.update(step["set_account"])
            elif "set_position" in step:
                entry = {"symbol": "", "positionAmt": "0.000", "entryPrice": "0.0", "breakEvenPrice": "0.0",
                         "markPrice": "0.0", "unRealizedProfit": "0.00000000", "liquidationPrice": "0",
                         "leverage": "20", "maxNotionalValue": "25000000", "marginType": "cross",
                         "isolatedMargin": "0.00000000", "isAutoAddMargin": "false", "positionSide": "BOTH",
                         "notional": "0", "isolatedWallet": "0", "updateTime": 0}
                entry.update(step["set_position"])
                with exchange.lock:
                    exchange.positions[entry["symbol"]] = entry
            elif "drop" in step:
                with exchange.lock:
                    connection = exchange.socket
                    exchange.socket = None
                if connection is not None:
                    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    connection.shutdown(socket.SHUT_RDWR)
            elif "expire" in step:
                with exchange.lock:
                    key = exchange.listen_key
                    exchange.listen_key = None
                send_text(exchange, key or "", {"e": "listenKeyExpired", "E": exchange.event_ms(),
                                                "listenKey": key or ""})
            elif "fail" in step:
                with exchange.lock:
                    exchange.failures.setdefault(step["fail"]["path"], []).append(step["fail"])
            elif "clock_jump_ms" in step:
                with exchange.lock:
                    exchange.jump_ms += step["clock_jump_ms"]
            elif "sleep" in step:
                time.sleep(step["sleep"])
            elif "done" in step:
                break
            else:
                outcome = "unknown step %d" % index
                break
        except Exception as problem:  # noqa: BLE001 -- reported in the done file
            outcome = "error at step %d: %s" % (index, problem)
            break
    if done_file:
        with open(done_file + ".tmp", "w") as out:
            out.write(outcome + "\n")
        os.replace(done_file + ".tmp", done_file)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--script")
    parser.add_argument("--done-file")
    parser.add_argument("--log")
    parser.add_argument("--api-key", default="mockApiKey")
    parser.add_argument("--clock-ms", type=int, default=1767225600000)  # 2026-01-01T00:00:00Z
    parser.add_argument("--hedge-mode", action="store_true")
    parser.add_argument("--step-timeout", type=float, default=20)
    parser.add_argument("--lifetime", type=float, default=60)
    args = parser.parse_args()
    exchange = Exchange(args)
    steps = []
    if args.script:
        with open(args.script) as source:
            script = json.load(source)
        steps = script.get("steps", [])
        for symbol, price in script.get("marks", {}).items():
            exchange.marks[symbol] = price
        for position in script.get("positions", []):
            run_script(exchange, [{"set_position": position}], None, args.step_timeout)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.exchange = exchange
    with open(args.port_file + ".tmp", "w") as out:
        out.write("%d\n" % server.server_address[1])
    os.replace(args.port_file + ".tmp", args.port_file)
    threading.Thread(target=run_script, args=(exchange, steps, args.done_file, args.step_timeout),
                     daemon=True).start()
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
