#!/bin/sh
# simulator_oracle.sh -- the simulated venue against an independent oracle.
#
# The Python below writes a backtest scenario (three symbols, a random walk
# of marks every minute, entries by order rows, exits by the kernel's TP/SL
# intents, funding every 8 hours, slippage and taker fees) and computes, on
# its own, what the venue and the kernel must end with: it appends expect
# rows for every exit (reason, K capital, wallet) and for the totals. Then
# `ledgersim check` must pass them all.
#   - five random scenarios (seeds 11..15);
#   - the bundled scenarios/backtest_fuzz.csv must be byte-identical to the
#     generator's output for seed 2026 (the fuzz acceptance scenario).
# Regenerate the bundled file with:
#   GENERATE=scenarios/backtest_fuzz.csv sh tests/simulator_oracle.sh
set -u
LEDGERSIM=${LEDGERSIM:-bin/ledgersim}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cat >"$work/generate.py" <<'PY'
import math, random, sys

seed = int(sys.argv[1])
minutes = int(sys.argv[2])
rng = random.Random(seed)
SYMBOLS = [("BTCUSDT", 50000.0, 0.04), ("ETHUSDT", 3000.0, 0.7), ("SOLUSDT", 150.0, 13.0)]
SEED_CAPITAL, TAKER, SLIPPAGE, TP_PCT, SL_PCT = 10000.0, 0.0004, 1.0, 0.008, 0.005
START = 1767571200  # 2026-01-05T00:00:00Z

def text(value):
    return repr(float(value)) if value != int(value) or abs(value) >= 1e15 else str(int(value))

def gauss():
    u1, u2 = rng.random(), rng.random()
    return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)

rows = []
def row(ts, kind, symbol="", side="", qty="", price="", rate="", key="", value=""):
    rows.append(",".join([ts, kind, symbol, side, qty, price, rate, key, value]))

# The oracle: venue and kernel agree (no faults), so one book serves both.
marks, book, registry, fired = {}, {}, {}, {}
state = {"wallet": SEED_CAPITAL, "realized": 0.0, "fees": 0.0, "funding": 0.0, "exits": 0}

def k_capital():
    return SEED_CAPITAL + state["realized"] - state["fees"] - state["funding"]

def execute(symbol, side, qty, base):
    price = base * (1.0 + side * SLIPPAGE / 10000)
    fee = qty * price * TAKER
    held, entry = book.get(symbol, (0.0, 0.0))
    realized = 0.0
    if held != 0 and (held > 0) != (side > 0):
        closed = qty if qty < abs(held) else abs(held)
        realized = closed * (price - entry) * (1.0 if held > 0 else -1.0)
    state["wallet"] = state["wallet"] + realized - fee
    state["realized"] += realized
    state["fees"] += fee
    size = abs(held)
    if held == 0 or (held > 0) == (side > 0):
        entry = (size * entry + qty * price) / (size + qty)
        held = held + side * qty
    elif qty <= size:
        held = held + side * qty
        if held == 0: entry = 0.0
    else:
        held, entry = side * (qty - size), price
    book[symbol] = (held, entry)
    # the event's ledger sync: seed new positions, drop entries of flat ones
    for name in sorted(book):
        quantity, price_in = book[name]
        if quantity != 0 and name not in registry:
            direction = 1.0 if quantity > 0 else -1.0
            registry[name] = (1 if quantity > 0 else -1, price_in * (1.0 + direction * TP_PCT),
                              price_in * (1.0 - direction * SL_PCT))
        if quantity == 0:
            registry.pop(name, None)
    for name in list(fired):
        if book.get(name, (0.0, 0.0))[0] == 0 or abs(book[name][0]) != fired[name]:
            del fired[name]

def scan(ts):
    intents = []
    for name in sorted(registry):
        quantity = book[name][0]
        if quantity == 0 or name not in marks or name in fired: continue
        side, tp, sl = registry[name]
        mark = marks[name]
        reason = None
        if side > 0:
            reason = "TP" if mark >= tp else ("SL" if mark <= sl else None)
        else:
            reason = "TP" if mark <= tp else ("SL" if mark >= sl else None)
        if reason is None: continue
        fired[name] = abs(quantity)
        intents.append((name, side, reason, mark))
    for name, side, reason, mark in intents:
        state["exits"] += 1
        execute(name, -side, abs(book[name][0]), mark)
        row(ts, "expect", key="exit." + name, value=reason)
        row(ts, "expect", key="k.capital", value=repr(k_capital()))
        row(ts, "expect", key="e.wallet_balance", value=repr(state["wallet"]))
        row(ts, "expect", key="ledger." + name + ".qty", value="absent")

print("ts,type,symbol,side,qty,price,rate,key,value")
for key, value in (("seed_capital", SEED_CAPITAL), ("fee.taker_rate", TAKER), ("slippage_bps", SLIPPAGE),
                   ("tp.pct", TP_PCT), ("sl.pct", SL_PCT)):
    print(",config,,,,,,%s,%s" % (key, text(value)))
prices = {name: start for name, start, _ in SYMBOLS}
flat_since = {name: -3 for name, _, _ in SYMBOLS}
for minute in range(minutes):
    ts = str(START + 60 * minute)
    for name, _, qty in SYMBOLS:
        prices[name] = round(prices[name] * (1.0 + 0.0015 * gauss()), 2)
        marks[name] = prices[name]
        row(ts, "mark", name, price=text(prices[name]))
        scan(ts)
        held = book.get(name, (0.0, 0.0))[0]
        if held != 0:
            flat_since[name] = minute
        elif minute - flat_since[name] >= 2 and minute < minutes - 5:
            side = 1 if rng.random() < 0.5 else -1
            row(ts, "order", name, "BUY" if side > 0 else "SELL", text(qty))
            execute(name, side, qty, marks[name])
            row(ts, "expect", key="ledger." + name + ".qty", value=text(qty))
    if minute % 480 == 479:
        for name, _, _ in SYMBOLS:
            rate = round(rng.uniform(-0.0002, 0.0004), 6)
            row(ts, "funding_rate", name, rate=text(rate))
            held, _ = book.get(name, (0.0, 0.0))
            if held != 0:
                amount = held * marks[name] * rate
                state["wallet"] = state["wallet"] - amount
                state["funding"] += amount
        row(ts, "expect", key="k.funding_paid", value=repr(state["funding"]))
        row(ts, "expect", key="e.wallet_balance", value=repr(state["wallet"]))
ts = str(START + 60 * minutes)
unrealized = sum((marks[n] - e) * q for n, (q, e) in sorted(book.items()) if q != 0)
for key, value in (("k.realized_pnl", state["realized"]), ("k.fees_paid", state["fees"]),
                   ("k.funding_paid", state["funding"]), ("k.capital", k_capital()),
                   ("e.wallet_balance", state["wallet"]), ("published.capital", state["wallet"]),
                   ("exits.count", state["exits"]), ("nav.total", state["wallet"] + unrealized),
                   ("duplicates_skipped", 0), ("faults.count", 0)):
    row(ts, "expect", key=key, value=repr(value) if isinstance(value, float) else str(value))
print("\n".join(rows))
PY

if [ -n "${GENERATE:-}" ]; then
    python3 "$work/generate.py" 2026 600 >"$GENERATE" || fail "generate $GENERATE"
    echo "wrote $GENERATE"
    exit 0
fi

for seed in 11 12 13 14 15; do
    python3 "$work/generate.py" "$seed" 400 >"$work/oracle_$seed.csv" || fail "generator seed $seed"
    grep -q ',exit\.' "$work/oracle_$seed.csv" 2>/dev/null || grep -q 'expect,,,,,,exit\.' "$work/oracle_$seed.csv" ||
        fail "seed $seed: the scenario has no exit"
    "$LEDGERSIM" check "$work/oracle_$seed.csv" --out "$work/run_$seed" >"$work/out" 2>&1 ||
        { head -20 "$work/out"; fail "oracle scenario seed $seed"; }
    grep -q '"exit TP"' "$work/run_$seed/logs/orders.jsonl" || fail "seed $seed: no TP exit executed"
    grep -q '"exit SL"' "$work/run_$seed/logs/orders.jsonl" || fail "seed $seed: no SL exit executed"
done

python3 "$work/generate.py" 2026 600 >"$work/backtest_fuzz.csv" || fail "generator seed 2026"
cmp -s "$work/backtest_fuzz.csv" scenarios/backtest_fuzz.csv ||
    fail "scenarios/backtest_fuzz.csv is not the generator's output (regenerate it, see the header)"
echo "ok"
