#!/usr/bin/env python3
"""output_oracle.py -- an independent check of every output a run writes.

tools/seed_oracle.py checks reconcile.jsonl and account.json against a copy
of seed 001. This oracle extends its kernel (imported, not copied) with the
rest of the scenario format's kernel rules and the output contract
(docs/scenario-format.md, docs/state-files.md) and the
README's "Choices where the contracts are silent", and computes:

  logs/nav.csv, logs/marks.csv, logs/exits.jsonl, logs/orders.jsonl,
  logs/state/{kpis_v7,positions_state,position_tp_sl,state,nav}.json

from the scenario alone: the position book with the residue rule, the TP/SL
registry and its sync (ATR or percentage seeding), the ledger and its
consistency badge, the exit scanner, NAV and AUM with holdings, the KPIs
(drawdown, Sharpe on UTC day-end NAVs, win rate), and, for a backtest, the
simulated venue (market orders at the mark with slippage and taker fee,
reduce-only exits at the mark that fired them, funding), and the scripted
faults of `fault` rows (stale_mark, zero_wallet, orphan_tp_sl, drop,
duplicate, delay, corrupt; logs/faults.jsonl too). Nothing here reads
ledgersim's code or its outputs before comparing.

Comparison: numbers as the same double (parsed from the file), except the
Sharpe ratio (GSL sums in long double: 1e-9 relative) and the fields listed
in INEXACT_FIELDS; strings and nulls equal. Extra members ledgersim writes
beyond the contract are ignored unless listed here; the `simulator` member
of kpis_v7.json is compared for backtests without faults (its detection
figures are not modelled). Drawn faults (--faults) are not modelled: the
suite never passes them.

Adding a kpis field: give KpisTracker an observe step and add the member to
kpis_record(); the comparison walks whatever the oracle's record holds.
kpis reconcile.rules (per rule: evaluated, ok, warn, error) is computed for
the seed's five rules and compared as soon as the binary writes it
(OPTIONAL_MEMBERS); the v2 rule set's extra fields and WARN labels go into
RULE_FIELDS and WARN_LABELS, and its classifier into seed_oracle.py.

Commands (Python 3 standard library only; ONE process runs a whole suite):
  output_oracle.py suite LEDGERSIM [--gen EVENTS:SEED:SYMBOLS]... [--seed-generated SEED:EVENTS]...
                   [--keep DIR] [--min-compared N] FILE.csv...
        the oracle's own tests first, then runs `LEDGERSIM run` on each file
        (and on `LEDGERSIM gen` and seed_oracle-generated scenarios), compares
        every output, prints one line per scenario and a total; exit 1 on any
        difference or when fewer than N scenarios were compared.
  output_oracle.py seed-suite LEDGERSIM SEEDS MIN_BUNDLED KEEP_DIR FILE.csv...
        tests/seed_oracle.sh's comparisons (reconcile.jsonl, account.json,
        by tools/seed_oracle.py) in one process
  output_oracle.py compare FILE.csv RUN_DIR     one scenario, one run directory
  output_oracle.py expected FILE.csv            the oracle's outputs as JSON
  output_oracle.py selftest                     the oracle's own tests
"""
from __future__ import annotations

import copy
import csv
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from typing import Any, Dict, List, Optional, Tuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seed_oracle as so  # noqa: E402  (the projection, the fold, the row readers)

SECONDS_PER_DAY = 86400.0
BASIS_POINTS_PER_UNIT = 10000.0
NAV_DAYS_MAX = 100000
SHARPE_RELATIVE_TOLERANCE = 1e-9


class Unsupported(Exception):
    """A scenario outside what this oracle models (fault rows)."""


# ---------------------------------------------------------------------------
# The position book: the seed oracle's fold plus timestamps (the residue rule
# is in so.BookPosition.apply_fill, as the format states it)
# ---------------------------------------------------------------------------

class Position(so.BookPosition):
    """One symbol of a book (the kernel's or the venue's)."""

    def __init__(self) -> None:
        super().__init__()
        self.created_ts = 0.0
        self.updated_ts = 0.0

    def fill(self, side: int, quantity: float, price: float, ts: float) -> None:
        """The format's fold; a position opened or flipped is created at ts."""
        held = self.qty
        held_size = abs(held)
        same_direction = held == 0 or (held > 0) == (side > 0)
        reduces = not same_direction and (quantity <= held_size or
                                          quantity - held_size <= so.QUANTITY_RESIDUE_RATIO * quantity)
        if held == 0 or (not same_direction and not reduces):
            self.created_ts = ts
        self.apply_fill(side, quantity, price)
        self.updated_ts = ts

    def unrealized(self) -> float:
        return (self.mark - self.entry_price) * self.qty if self.has_mark else 0.0


class PositionBook(dict):
    """symbol -> Position: so.Kernel's own code (rows it adds later, such as
    leverage) that creates a so.BookPosition gets a Position instead."""

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self and isinstance(default, so.BookPosition) and not isinstance(default, Position):
            default = Position()
        return super().setdefault(key, default)


def finite(value: float) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


# ---------------------------------------------------------------------------
# Registry, ATR, ledger, exits (seed 002 and the format's kernel rules)
# ---------------------------------------------------------------------------

class Atr:
    """Per symbol: the true ranges of the last `period` bars."""

    def __init__(self, period: int) -> None:
        self.period = period
        self.windows: Dict[str, Dict[str, Any]] = {}

    def add_bar(self, symbol: str, high: float, low: float, close: float) -> None:
        window = self.windows.setdefault(symbol, {"ranges": [], "previous_close": None})
        if window["previous_close"] is None:
            true_range = high - low
        else:
            true_range = max(high, window["previous_close"]) - min(low, window["previous_close"])
        window["ranges"] = (window["ranges"] + [true_range])[-self.period:]
        window["previous_close"] = close

    def value(self, symbol: str) -> Optional[float]:
        """The mean true range of the last period bars; None with fewer."""
        window = self.windows.get(symbol)
        if window is None or len(window["ranges"]) < self.period:
            return None
        total = 0.0
        for true_range in window["ranges"]:  # oldest to newest
            total += true_range
        return total / float(self.period)


def admitted(position: Dict[str, Any]) -> bool:
    """The ledger admits a non-zero quantity with a valid entry price."""
    return finite(position["qty"]) and position["qty"] != 0 and finite(position["entry_price"]) and \
        position["entry_price"] > 0


def seed_levels(position: Dict[str, Any], atr: Atr, settings: Dict[str, Any]) -> Tuple[float, float]:
    """TP and SL for a position without an entry: ATR multiples, or percentages."""
    entry = position["entry_price"]
    direction = 1.0 if position["side"] == "LONG" else -1.0
    range_ = atr.value(position["symbol"])
    if range_ is not None:
        return (entry + direction * settings["tp.atr_mult"] * range_,
                entry - direction * settings["sl.atr_mult"] * range_)
    return entry * (1.0 + direction * settings["tp.pct"]), entry * (1.0 - direction * settings["sl.pct"])


def decide_exit(entry: Dict[str, Any], mark: float) -> Optional[str]:
    """LONG: mark >= tp is TP, mark <= sl is SL; SHORT mirrored; None never fires."""
    if not finite(mark):
        return None
    tp, sl = entry["tp"], entry["sl"]
    if entry["side"] == "LONG":
        if tp is not None and mark >= tp:
            return "TP"
        if sl is not None and mark <= sl:
            return "SL"
    else:
        if tp is not None and mark <= tp:
            return "TP"
        if sl is not None and mark >= sl:
            return "SL"
    return None


# ---------------------------------------------------------------------------
# KPIs (state-files.md; README: win rate, Sharpe)
# ---------------------------------------------------------------------------

WORST_FIELDS = ("capital_vs_wallet", "open_notional", "open_positions", "realized_pnl", "used_margin")
# kpis_v7.json reconcile.rules (state-files.md): per rule field, a snapshot
# evaluates it when its delta is in the snapshot's deltas (R3: when E reports
# positions); warn/error when an explanation names the field with that
# severity. The v2 rule set adds fields and WARN labels here.
RULE_FIELDS = WORST_FIELDS
WARN_LABELS = {"UNSETTLED_FEE", "LOT_STEP_ROUNDING", "MARK_PRICE_STALENESS", "LEVERAGE_ROUNDING"}


class KpisTracker:
    def __init__(self, start_nav: float) -> None:
        self.start_nav = start_nav
        self.peak_nav = start_nav
        self.last_nav = start_nav
        self.max_drawdown_pct = 0.0
        self.day: Optional[int] = None
        self.day_end_navs: List[float] = []
        self.counts = {"OK": 0, "WARN": 0, "ERROR": 0}
        self.worst_fields = {name: 0 for name in WORST_FIELDS}
        self.fills = 0
        self.trades = 0
        self.wins = 0
        self.exits = {"tp": 0, "sl": 0}
        self.rules = {name: {"evaluated": 0, "ok": 0, "warn": 0, "error": 0} for name in RULE_FIELDS}

    def observe_rules(self, snapshot: Any) -> None:
        """The per-rule counts of one snapshot (the seed's R1-R5)."""
        severities: Dict[str, str] = {}
        for explanation in snapshot.reconcile.explanations:
            parts = explanation.split("|")
            if len(parts) >= 2 and parts[1] in self.rules:
                label = "error" if parts[0] == "ERROR" else "warn" if parts[0] in WARN_LABELS else None
                if label == "error" or (label == "warn" and severities.get(parts[1]) != "error"):
                    severities[parts[1]] = label
        for name, counts in self.rules.items():
            evaluated = len(snapshot.e.positions) > 0 if name == "open_positions" else \
                name in snapshot.reconcile.deltas
            if not evaluated:
                continue
            counts["evaluated"] += 1
            counts[severities.get(name, "ok")] += 1

    def observe_snapshot(self, ts: float, nav: float, status: str, worst_field: str) -> None:
        day = math.floor(ts / SECONDS_PER_DAY)
        if self.day is not None and day != self.day:
            self.day_end_navs.append(self.last_nav)  # the previous day closed at its last NAV
        self.day = day
        self.last_nav = nav
        self.peak_nav = max(self.peak_nav, nav) if nav > self.peak_nav else self.peak_nav
        if self.peak_nav > 0:
            self.max_drawdown_pct = max(self.max_drawdown_pct, (self.peak_nav - nav) / self.peak_nav * 100.0)
        self.counts[status] += 1
        if worst_field in self.worst_fields:
            self.worst_fields[worst_field] += 1

    def observe_fill(self, realized_pnl: float) -> None:
        """Win rate counts fills that realized PnL (non-zero); a win is above 0."""
        self.fills += 1
        if finite(realized_pnl) and realized_pnl != 0:
            self.trades += 1
            self.wins += realized_pnl > 0

    def sharpe(self) -> Optional[float]:
        """Mean over sample deviation of daily NAV returns, times sqrt(365):
        the start NAV, each completed UTC day's last NAV, the current one."""
        if len(self.day_end_navs) > NAV_DAYS_MAX:
            return None
        navs = [self.start_nav] + self.day_end_navs + [self.last_nav] if self.day is not None else [self.start_nav]
        if len(navs) < 3:
            return None
        returns = []
        for before, after in zip(navs, navs[1:]):
            if not (before > 0 and finite(before) and finite(after)):
                return None
            returns.append(after / before - 1.0)
        mean = math.fsum(returns) / len(returns)
        variance = math.fsum((value - mean) ** 2 for value in returns) / (len(returns) - 1)
        deviation = math.sqrt(variance)
        if not finite(mean) or not finite(deviation) or deviation == 0:
            return None
        return mean / deviation * math.sqrt(365.0)


# ---------------------------------------------------------------------------
# The kernel: the seed oracle's projection plus everything after it
# ---------------------------------------------------------------------------

KERNEL_KEYS_DEFAULTS = {"atr.period": 14.0, "tp.atr_mult": 2.0, "sl.atr_mult": 1.0, "tp.pct": 0.02, "sl.pct": 0.01,
                        "fee.taker_rate": 0.0004, "slippage_bps": 0.0}


class OutputKernel(so.Kernel):
    """so.Kernel (projection, dedup, exchange positions) with the position
    book's timestamps, the registry, ledger, exits, NAV/AUM and KPIs."""

    def __init__(self, settings: Dict[str, Any], extra: Dict[str, float]) -> None:
        super().__init__(settings)
        self.book = PositionBook()
        self.extra = extra
        self.atr = Atr(int(extra["atr.period"]))
        self.registry: Dict[str, Dict[str, Any]] = {}
        self.ledger: List[Dict[str, Any]] = []
        self.consistency = {"status": "green", "num_positions": 0, "num_ledger": 0, "num_tp_sl": 0}
        self.ledger_stale = True
        self.fired: Dict[str, float] = {}          # exit scanner: symbol -> quantity when it fired
        self.holdings: Dict[str, Dict[str, Any]] = {}
        self.has_valid_wallet = False
        self.last_valid_wallet = 0.0
        self.event_ts = 0.0
        self.event_moved_mark = False
        self.events_applied = 0
        self.nav_rows: List[Dict[str, Any]] = []
        self.mark_rows: List[Dict[str, Any]] = []
        self.marked = []
        self.exit_lines: List[Dict[str, Any]] = []
        self.intents: List[Dict[str, Any]] = []
        self.aum = self.value()
        self.kpis = KpisTracker(self.v2.snapshot.k.equity)

    # -- facts ---------------------------------------------------------------
    def begin(self, ts: float) -> None:
        self.event_ts = ts
        self.event_moved_mark = False
        self.marked: List[str] = []

    def apply(self, row: Dict[str, Any]) -> None:
        kind = row["type"]
        if kind == "fill":
            position = self.book.setdefault(row["symbol"], Position())
            if row["leverage"] is not None and finite(row["leverage"]):
                position.leverage = row["leverage"]
            if finite(row["qty"]) and row["qty"] > 0:
                position.fill(row["side"], row["qty"], row["price"], self.event_ts)
            self.v2.apply_fill(fill_price=row["price"], fill_qty=row["qty"], fee=row["fee"],
                               realized_pnl=row["realized_pnl"])
            self.v1.settle(row["realized_pnl"], row["fee"])
            self.ledger_stale = True
            self.kpis.observe_fill(row["realized_pnl"])
            return
        if kind == "mark":
            position = self.book.setdefault(row["symbol"], Position())
            position.has_mark = True
            position.mark = row["price"]
            self.event_moved_mark = True
            self.marked.append(row["symbol"])
            return
        if kind == "leverage":  # format 1.1: the book's own Position, as a fill's leverage would
            position = self.book.setdefault(row["symbol"], Position())
            if row["leverage"] is not None and finite(row["leverage"]) and row["leverage"] >= 1:
                position.leverage = row["leverage"]
            return
        if kind == "position":  # a non-finite qty removes; the other numbers as _safe() makes them
            row = dict(row, qty=row["qty"] if finite(row["qty"]) else 0.0,
                       entry_price=so._safe(row["entry_price"]), mark_price=so._safe(row["mark_price"]),
                       unrealized_pnl=so._safe(row["unrealized_pnl"]),
                       leverage=None if row["leverage"] is None else so._safe(row["leverage"], 1.0))
        if kind == "balance" and row["wallet_balance"] > 0 and finite(row["wallet_balance"]):
            self.has_valid_wallet = True
            self.last_valid_wallet = row["wallet_balance"]
        super().apply(row)  # balance, funding, position and whatever the seed oracle adds

    # -- views ---------------------------------------------------------------
    def positions_view(self) -> List[Dict[str, Any]]:
        """The book's open positions in symbol order: unsigned qty with a side."""
        view = []
        for symbol in sorted(self.book):
            position = self.book[symbol]
            if position.qty == 0:
                continue
            view.append({"symbol": symbol, "side": "LONG" if position.qty > 0 else "SHORT", "qty": abs(position.qty),
                         "entry_price": position.entry_price, "created_ts": position.created_ts,
                         "updated_ts": position.updated_ts})
        return view

    def mark_of(self, symbol: str) -> Optional[float]:
        position = self.book.get(symbol)
        if position is None or not position.has_mark or not finite(position.mark):
            return None
        return position.mark

    # -- ledger ----------------------------------------------------------------
    def build_ledger(self, view: List[Dict[str, Any]]) -> None:
        self.ledger = []
        for position in view:
            if not admitted(position):
                continue
            levels = self.registry.get(position["symbol"])
            self.ledger.append(dict(position, tp=levels["tp"] if levels else None,
                                    sl=levels["sl"] if levels else None))
        with_both = sum(1 for entry in self.ledger if entry["tp"] is not None and entry["sl"] is not None)
        if view and not self.ledger:
            status = "red"
        elif len(view) == len(self.ledger) and with_both == len(self.ledger):
            status = "green"
        else:
            status = "yellow"
        self.consistency = {"status": status, "num_positions": len(view), "num_ledger": len(self.ledger),
                            "num_tp_sl": with_both}

    def sync_ledger(self) -> None:
        """Drops registry entries without an admitted position, seeds the
        positions without an entry, rebuilds the ledger."""
        view = self.positions_view()
        held = {position["symbol"] for position in view if admitted(position)}
        for symbol in [symbol for symbol in self.registry if symbol not in held]:
            del self.registry[symbol]
        for position in view:
            if admitted(position) and position["symbol"] not in self.registry:
                tp, sl = seed_levels(position, self.atr, self.extra)
                self.registry[position["symbol"]] = {"side": position["side"], "entry_price": position["entry_price"],
                                                     "tp": tp, "sl": sl, "created_ts": self.event_ts,
                                                     "updated_ts": self.event_ts}
        self.build_ledger(view)

    def rearm(self) -> None:
        """An intent fires once per position until its quantity changes."""
        quantities = {entry["symbol"]: entry["qty"] for entry in self.ledger}
        self.fired = {symbol: qty for symbol, qty in self.fired.items() if quantities.get(symbol) == qty}

    def scan_exits(self) -> List[Dict[str, Any]]:
        self.rearm()
        intents = []
        for entry in self.ledger:
            mark = self.mark_of(entry["symbol"])
            reason = decide_exit(entry, mark) if mark is not None else None
            if reason is None or entry["symbol"] in self.fired:
                continue
            self.fired[entry["symbol"]] = entry["qty"]
            intents.append({"symbol": entry["symbol"], "side": entry["side"], "qty": entry["qty"], "reason": reason,
                            "mark": mark, "tp": entry["tp"], "sl": entry["sl"]})
        return intents

    # -- NAV -------------------------------------------------------------------
    def value(self) -> Dict[str, Any]:
        """nav_total (last valid wallet + the exchange's unrealized PnL, or K's
        equity before one) and AUM with each holding at the mark of ASSETUSDT."""
        if self.has_valid_wallet:
            unrealized = 0.0
            for symbol in sorted(self.exchange):
                unrealized += self.exchange[symbol].unrealized_pnl
            nav = self.last_valid_wallet + unrealized
        else:
            nav = self.v2.snapshot.k.equity
        total = nav
        assets = {}
        for asset in sorted(self.holdings):
            item = self.holdings[asset]
            mark = self.mark_of(asset + "USDT")
            usd_value = item["qty"] * mark if mark is not None else None
            if usd_value is not None:
                total += usd_value
            assets[asset] = {"qty": item["qty"], "usd_value": usd_value, "avg_cost": item["avg_cost"]}
        return {"nav_total": nav, "futures": nav, "offexchange": assets, "total": total}

    # -- one event -------------------------------------------------------------
    def end_event(self, event_id: str, ts: float) -> None:
        """The format's per-event order, after the facts: the projection's
        snapshot (so.Kernel), the ledger sync when a fill or a registry write
        made it stale, NAV, KPIs, then the exit scanner if a mark moved."""
        if self.ledger_stale:
            self.sync_ledger()
            self.rearm()
            self.ledger_stale = False
        super().end_event(event_id, ts)
        snapshot = self.snapshots[-1]
        self.aum = self.value()
        self.kpis.observe_snapshot(ts, self.aum["nav_total"], snapshot.reconcile.status.value,
                                   snapshot.reconcile.worst_field)
        self.kpis.observe_rules(snapshot)
        self.intents = self.scan_exits() if self.event_moved_mark else []
        for intent in self.intents:
            self.kpis.exits["tp" if intent["reason"] == "TP" else "sl"] += 1
            self.exit_lines.append(dict({"ts": ts, "event_seq": snapshot.event_seq}, **intent))
        self.events_applied += 1
        self.nav_rows.append({"ts": ts, "event_seq": snapshot.event_seq, "nav_total": self.aum["nav_total"],
                              "aum_total": self.aum["total"], "k_capital": snapshot.k.capital,
                              "k_equity": snapshot.k.equity, "e_wallet_balance": snapshot.e.wallet_balance,
                              "status": snapshot.reconcile.status.value})
        for symbol in self.marked:  # marks.csv: the book after the event, the registry's levels
            position, levels = self.book[symbol], self.registry.get(symbol, {})
            self.mark_rows.append({"ts": ts, "event_seq": snapshot.event_seq, "symbol": symbol,
                                   "price": position.mark, "qty": position.qty, "entry_price": position.entry_price,
                                   "tp": levels.get("tp"), "sl": levels.get("sl")})

    # -- rows outside events ------------------------------------------------------
    def put_tp_sl(self, symbol: str, entry: Dict[str, Any]) -> None:
        self.registry[symbol] = entry
        self.build_ledger(self.positions_view())
        self.ledger_stale = True

    def set_holding(self, asset: str, qty: float, avg_cost: Optional[float]) -> None:
        self.holdings[asset] = {"qty": qty, "avg_cost": avg_cost}
        self.aum = self.value()


# ---------------------------------------------------------------------------
# The simulated venue of a backtest
# ---------------------------------------------------------------------------

def fact(kind: str, **values: Any) -> Dict[str, Any]:
    """A normalized fact as so.fact_of makes them (numbers 0, leverage None)."""
    record: Dict[str, Any] = {"type": kind, "symbol": values.pop("symbol", "")}
    for column in so.NUMERIC_COLUMNS:
        record[column] = None if column == "leverage" else 0.0
    record.update(values)
    return record


class Venue:
    """Market orders at the mark +- slippage with the taker fee on the
    slipped price, realized PnL from its own book, funding qty*mark*rate."""

    def __init__(self, seed_capital: float, taker_rate: float, slippage_bps: float) -> None:
        self.book: Dict[str, Position] = {}
        self.wallet = seed_capital
        self.taker_rate = taker_rate
        self.slippage_bps = slippage_bps
        self.event_number = 0
        self.realized_total = 0.0
        self.fees_total = 0.0
        self.funding_total = 0.0
        self.filled = 0
        self.rejected = 0
        self.funding_charges = 0

    def set_mark(self, symbol: str, price: float) -> None:
        if finite(price) and price > 0:
            position = self.book.setdefault(symbol, Position())
            position.has_mark = True
            position.mark = price

    def balance(self) -> Dict[str, Any]:
        used = 0.0
        unrealized = 0.0
        for symbol in sorted(self.book):
            position = self.book[symbol]
            size = abs(position.qty)
            if not size > 0:
                continue
            mark = position.mark if position.has_mark else position.entry_price
            used += size * mark / (position.leverage if position.leverage > 1.0 else 1.0)
            unrealized += position.unrealized()
        available = self.wallet + unrealized - used
        return fact("balance", wallet_balance=self.wallet, used_margin=used,
                    available_margin=available if available > 0 else 0.0)

    def position_fact(self, symbol: str) -> Dict[str, Any]:
        position = self.book[symbol]
        return fact("position", symbol=symbol, qty=position.qty, entry_price=position.entry_price,
                    mark_price=position.mark if position.has_mark else 0.0, unrealized_pnl=position.unrealized(),
                    leverage=position.leverage)

    def account_refresh(self, marked: List[str]) -> List[Dict[str, Any]]:
        """With each mark of a held symbol: its position, then the balance."""
        held = [symbol for symbol in marked if symbol in self.book and self.book[symbol].qty != 0]
        if not held:
            return []
        return [self.position_fact(symbol) for symbol in held] + [self.balance()]

    def next_id(self) -> str:
        self.event_number += 1
        return f"v{self.event_number}"

    def execute(self, ts: float, symbol: str, side: int, qty: float, reason: str,
                exit_price: Optional[float] = None) -> Tuple[Dict[str, Any], Optional[Dict[str, Any]]]:
        """An order: its orders.jsonl record, and its event (None if rejected)."""
        position = self.book.get(symbol)
        record = {"ts": ts, "symbol": symbol, "side": "BUY" if side > 0 else "SELL", "qty": qty,
                  "status": "REJECTED", "price": None, "fee": None, "realized_pnl": None, "reason": ""}
        if exit_price is not None:
            if position is None or position.qty == 0 or (position.qty > 0) == (side > 0):
                self.rejected += 1
                return dict(record, reason="reduce-only: no position to reduce"), None
            qty = abs(position.qty)
            base = exit_price
        else:
            if not finite(qty) or qty < 0:
                self.rejected += 1
                return dict(record, reason="quantity not finite"), None
            if qty == 0:
                self.rejected += 1
                return dict(record, reason="zero quantity"), None
            if position is None or not position.has_mark:
                self.rejected += 1
                return dict(record, reason="no mark"), None
            base = position.mark
        price = base * (1.0 + side * self.slippage_bps / BASIS_POINTS_PER_UNIT)
        fee = qty * price * self.taker_rate
        held = position.qty if position is not None else 0.0
        realized = 0.0
        if held != 0 and (held > 0) != (side > 0):
            closed = qty if qty < abs(held) else abs(held)
            realized = closed * (price - position.entry_price) * (1.0 if held > 0 else -1.0)
        if position is None:
            position = self.book.setdefault(symbol, Position())
        position.fill(side, qty, price, ts)
        self.wallet = self.wallet + realized - fee
        self.realized_total += realized
        self.fees_total += fee
        self.filled += 1
        facts = [fact("fill", symbol=symbol, side=side, qty=qty, price=price, fee=fee, realized_pnl=realized,
                      leverage=position.leverage), self.balance(), self.position_fact(symbol)]
        record.update(qty=qty, status="FILLED", price=price, fee=fee, realized_pnl=realized, reason=reason)
        return record, {"id": self.next_id(), "synthetic": False, "ts": ts, "facts": facts}

    def charge_funding(self, ts: float, symbol: str, rate: float) -> Optional[Dict[str, Any]]:
        position = self.book.get(symbol)
        if position is None or position.qty == 0 or not position.has_mark:
            return None
        amount = position.qty * position.mark * rate
        self.wallet = self.wallet - amount
        self.funding_total += amount
        self.funding_charges += 1
        return {"id": self.next_id(), "synthetic": False, "ts": ts,
                "facts": [fact("funding", symbol=symbol, amount=amount), self.balance()]}


# ---------------------------------------------------------------------------
# Scripted faults (scenario-format.md "Faults"; the order of the kinds on one
# event: stale_mark, corrupt, drop, delay, duplicate). Drawn faults
# (--faults) are not modelled.
# ---------------------------------------------------------------------------

CORRUPTIBLE = {"fill": ("qty", "price", "fee", "realized_pnl", "leverage"), "funding": ("amount",),
               "balance": ("wallet_balance", "available_margin", "used_margin", "maint_margin"),
               "position": ("qty", "entry_price", "mark_price", "unrealized_pnl", "leverage"),
               "mark": ("price",)}
HELD_EVENTS_MAX = 8


def first_symbol(event: Dict[str, Any]) -> Optional[str]:
    return next((item["symbol"] for item in event["facts"] if item["symbol"]), None)


class Injector:
    """Between the events and the kernel: hides marks, corrupts a field,
    drops, holds or redelivers events, as the scripted fault rows say."""

    def __init__(self, run: "Run") -> None:
        self.run = run
        self.stale: Dict[str, int] = {}
        self.drop = 0
        self.duplicate = 0
        self.delays: List[int] = []
        self.corruptions: List[str] = []
        self.held: List[Dict[str, Any]] = []   # {"event", "wait", "order", "releasing"}
        self.hold_order = 0

    def report(self, kind: str, symbol: Optional[str], event_id: Optional[str], **params: Any) -> None:
        """One injected fault: counted, and a faults.jsonl line."""
        run = self.run
        run.faults_injected += 1
        run.fault_lines.append({"event_seq": run.kernel.v2.snapshot.event_seq + 1, "kind": kind, "symbol": symbol,
                                "params": dict({"drawn": False, "event_id": event_id}, **params)})

    def deliver_one(self, event: Dict[str, Any]) -> None:
        self.run.deliver(event)
        for held in self.held:
            if not held["releasing"]:
                held["wait"] -= 1

    def release_due(self, everything: bool) -> None:
        while True:
            due = [held for held in self.held if not held["releasing"] and (everything or held["wait"] <= 0)]
            if not due:
                return
            held = min(due, key=lambda item: item["order"])
            held["releasing"] = True
            self.deliver_one(held["event"])
            self.held.remove(held)

    def submit(self, event: Dict[str, Any]) -> None:
        kept = []
        for item in event["facts"]:
            if item["type"] == "mark" and self.stale.get(item["symbol"], 0) > 0:
                self.stale[item["symbol"]] -= 1
                self.report("stale_mark", item["symbol"], event["id"], hidden_mark=item["price"],
                            remaining=self.stale[item["symbol"]])
                continue
            kept.append(item)
        event["facts"] = kept
        if not kept:
            return  # only hidden marks: the kernel receives nothing
        if self.corruptions:
            field_name = self.corruptions[0]
            for item in kept:
                if field_name in CORRUPTIBLE[item["type"]]:
                    item[field_name] = math.nan
                    self.report("corrupt", item["symbol"] or None, event["id"], field=field_name)
                    self.corruptions.pop(0)
                    break
        if self.drop > 0:
            self.drop -= 1
            self.report("drop", first_symbol(event), event["id"])
            return
        if self.delays:
            wait = self.delays.pop(0)
            if len(self.held) < HELD_EVENTS_MAX:
                self.report("delay", first_symbol(event), event["id"], after=wait)
                self.hold_order += 1
                self.held.append({"event": copy.deepcopy(event), "wait": wait, "order": self.hold_order,
                                  "releasing": False})
                return
        if self.duplicate > 0:
            self.duplicate -= 1
            event["synthetic"] = False  # a redelivery carries a real id
            self.report("duplicate", first_symbol(event), event["id"])
            self.deliver_one(event)
        self.deliver_one(event)
        self.release_due(False)

    def script(self, row: Dict[str, Any], ts: float) -> None:
        kind, value, symbol = row.get("key", ""), row.get("value", ""), row.get("symbol", "")
        number = lambda column: so.parse_number(row[column]) if row.get(column, "") != "" else None  # noqa: E731
        if kind == "stale_mark":
            self.stale[symbol] = self.stale.get(symbol, 0) + int(so.parse_number(value))
        elif kind == "zero_wallet":
            frame = {"id": f"row{row['_line']}", "synthetic": True, "ts": ts, "facts": [fact("balance")]}
            self.report("zero_wallet", None, frame["id"])
            self.deliver_one(frame)
            self.release_due(False)
        elif kind == "orphan_tp_sl":
            tp, sl = number("tp"), number("sl")
            side = "SHORT" if tp is not None and sl is not None and tp < sl else "LONG"
            mark = self.run.kernel.mark_of(symbol)
            self.report("orphan_tp_sl", symbol, None, tp=tp, sl=sl)
            self.run.kernel.put_tp_sl(symbol, {"side": side, "entry_price": mark if mark is not None else 0.0,
                                               "tp": tp, "sl": sl, "created_ts": ts, "updated_ts": ts})
        elif kind == "drop":
            self.drop += int(so.parse_number(value))
        elif kind == "duplicate":
            self.duplicate += int(so.parse_number(value))
        elif kind == "delay":
            self.delays.append(int(so.parse_number(value)))
        elif kind == "corrupt":
            self.corruptions.append(value)
        else:
            raise Unsupported(f"fault kind {kind!r}")


# ---------------------------------------------------------------------------
# The timeline (the driver: rows, events, backtest)
# ---------------------------------------------------------------------------

class Run:
    """Feeds a scenario's rows as the format orders them."""

    def __init__(self) -> None:
        self.settings = so.default_settings()
        self.extra = dict(KERNEL_KEYS_DEFAULTS)
        self.kernel: Optional[OutputKernel] = None
        self.pending: Optional[Dict[str, Any]] = None
        self.backtest = False
        self.venue: Optional[Venue] = None
        self.orders: List[Dict[str, Any]] = []
        self.exit_queue: List[Dict[str, Any]] = []
        self.events_checked = 0
        self.simulated = False      # from the first order, funding_rate or fault row
        self.injector: Optional[Injector] = None
        self.faults_injected = 0
        self.fault_lines: List[Dict[str, Any]] = []
        self.last_delivered_ts: Optional[float] = None

    def config(self, key: str, value: str) -> None:
        if key == "reconcile.rules" and value != "seed":
            raise Unsupported(f"reconcile.rules={value}: the oracle has the seed's classifier only")
        if key in self.extra:
            self.extra[key] = so.parse_number(value)
        so.apply_config(self.settings, key, value)

    def start(self) -> None:
        if self.kernel is None:
            self.kernel = OutputKernel(self.settings, self.extra)
            self.venue = Venue(self.settings["seed_capital"], self.extra["fee.taker_rate"], self.extra["slippage_bps"])

    def deliver(self, event: Dict[str, Any]) -> None:
        """One event to the kernel; in a backtest its exit intents queue. A
        late (delayed) event is stamped with the latest ts delivered."""
        kernel = self.kernel
        if self.last_delivered_ts is not None and event["ts"] < self.last_delivered_ts:
            event["ts"] = self.last_delivered_ts
        self.last_delivered_ts = event["ts"]
        if self.simulated:
            self.events_checked += 1
        if not kernel.admit(event["id"], event["synthetic"]):
            return
        kernel.begin(event["ts"])
        for item in event["facts"]:
            kernel.apply(item)
        kernel.end_event(event["id"], event["ts"])
        if self.backtest:
            for intent in kernel.intents:
                self.exit_queue.append(dict(intent, ts=event["ts"]))

    def drain_exits(self) -> None:
        """Each intent: a reduce-only market order for the whole position at
        the mark that fired it."""
        while self.exit_queue:
            intent = self.exit_queue.pop(0)
            side = -1 if intent["side"] == "LONG" else 1
            record, event = self.venue.execute(intent["ts"], intent["symbol"], side, 0.0, "exit " + intent["reason"],
                                               exit_price=intent["mark"])
            self.orders.append(record)
            if event is not None:
                self.route(event)

    def route(self, event: Dict[str, Any]) -> None:
        if self.injector is not None:
            self.injector.submit(event)
        else:
            self.deliver(event)

    def submit(self, event: Dict[str, Any]) -> None:
        self.route(event)
        self.drain_exits()

    def flush(self) -> None:
        if self.pending is None:
            return
        event, self.pending = self.pending, None
        if self.simulated:
            for item in event["facts"]:
                if item["type"] == "mark":
                    self.venue.set_mark(item["symbol"], item["price"])
        if self.backtest:
            marked = [item["symbol"] for item in event["facts"] if item["type"] == "mark"]
            event["facts"].extend(self.venue.account_refresh(marked))
        self.submit(event)

    def begin_backtest(self) -> None:
        self.backtest = True
        self.simulate()

    def simulate(self) -> None:
        """From the first order, funding_rate or fault row: the venue takes
        the kernel's marks as its own and follows every mark from then on."""
        if self.simulated:
            return
        self.simulated = True
        for symbol in sorted(self.kernel.book):
            position = self.kernel.book[symbol]
            if position.has_mark:
                self.venue.set_mark(symbol, position.mark)

    def feed(self, row: Dict[str, Any]) -> None:
        kind = row["type"]
        if kind == "config":
            self.config(row.get("key", ""), row.get("value", ""))
            return
        self.start()
        if kind in so.FACT_TYPES:
            event_id = row.get("event_id", "")
            pending = self.pending
            joins = pending is not None and event_id != "" and not pending["synthetic"] and pending["id"] == event_id
            if not joins:
                self.flush()
                synthetic = event_id == ""
                self.pending = {"id": f"row{row['_line']}" if synthetic else event_id, "synthetic": synthetic,
                                "ts": so.parse_timestamp(row["ts"]), "facts": []}
            self.pending["facts"].append(so.fact_of(row))
            return
        self.flush()
        ts = so.parse_timestamp(row["ts"]) if row.get("ts", "") != "" else 0.0
        number = lambda column: so.parse_number(row[column]) if row.get(column, "") != "" else None  # noqa: E731
        if kind == "bar":
            self.kernel.atr.add_bar(row["symbol"], number("high") or 0.0, number("low") or 0.0,
                                    number("price") or 0.0)
        elif kind == "tp_sl":
            self.kernel.put_tp_sl(row["symbol"], {"side": "LONG" if row.get("side") == "LONG" else "SHORT",
                                                  "entry_price": number("entry_price") or 0.0, "tp": number("tp"),
                                                  "sl": number("sl"), "created_ts": ts, "updated_ts": ts})
        elif kind == "holding":
            self.kernel.set_holding(row["symbol"], number("qty") or 0.0, number("avg_cost"))
        elif kind == "order":
            self.begin_backtest()
            side = {"BUY": 1, "SELL": -1}[row["side"]]
            record, event = self.venue.execute(ts, row["symbol"], side, number("qty") or 0.0, "strategy")
            self.orders.append(record)
            if event is not None:
                self.submit(event)
        elif kind == "funding_rate":
            self.begin_backtest()
            event = self.venue.charge_funding(ts, row["symbol"], number("rate") or 0.0)
            if event is not None:
                self.submit(event)
        elif kind == "fault":
            if self.injector is None:
                self.injector = Injector(self)
            self.simulate()
            self.injector.script(row, ts)
            self.drain_exits()
        elif kind != "expect":
            raise Unsupported(f"row type {kind!r}")

    def finish(self) -> "Run":
        self.flush()
        self.start()
        while (self.injector is not None and self.injector.held) or self.exit_queue:
            if self.injector is not None:
                self.injector.release_due(True)
            self.drain_exits()
        return self


def run_scenario(text: str) -> Run:
    run = Run()
    for row in so.read_rows(text):
        run.feed(row)
    return run.finish()


# ---------------------------------------------------------------------------
# The expected files
# ---------------------------------------------------------------------------

def levels_record(entry: Dict[str, Any], *names: str) -> Dict[str, Any]:
    return {name: entry[name] for name in names}


def kpis_record(run: Run) -> Dict[str, Any]:
    """kpis_v7.json: the contract's members (and the trace, venue extras)."""
    kernel = run.kernel
    kpis = kernel.kpis
    k = kernel.v2.snapshot.k
    record: Dict[str, Any] = {
        "ts": kernel.v2.snapshot.ts,
        "aum_total": kernel.aum["total"],
        "nav": {"nav_total": kernel.aum["nav_total"], "aum_total": kernel.aum["total"]},
        "realized_pnl": k.realized_pnl, "fees_paid": k.fees_paid, "funding_paid": k.funding_paid,
        "return_pct": (kpis.last_nav / kpis.start_nav - 1.0) * 100.0 if kpis.start_nav > 0 else None,
        "max_drawdown_pct": kpis.max_drawdown_pct,
        "sharpe": kpis.sharpe(),
        "trades": kpis.trades, "wins": kpis.wins,
        "win_rate": kpis.wins / kpis.trades if kpis.trades > 0 else None,
        "exits": dict(kpis.exits),
        "reconcile": {"ok": kpis.counts["OK"], "warn": kpis.counts["WARN"], "error": kpis.counts["ERROR"],
                      "worst_fields": dict(kpis.worst_fields),
                      "rules": {name: dict(kpis.rules[name]) for name in sorted(kpis.rules)}},
        "duplicates_skipped": kernel.duplicates_skipped,
        "faults_injected": run.faults_injected,
        "trace": {"events_applied": kernel.events_applied, "fills": kpis.fills},
    }
    if run.backtest and run.injector is None:  # with faults: detection figures, not modelled
        venue = run.venue
        record["simulator"] = {
            "backtest": True, "faults": None, "seed": None, "events_checked": run.events_checked,
            "invariant_violations": 0,
            "venue": {"wallet_balance": venue.wallet, "realized_pnl": venue.realized_total,
                      "fees_paid": venue.fees_total, "funding_paid": venue.funding_total,
                      "orders_filled": venue.filled, "orders_rejected": venue.rejected,
                      "funding_charges": venue.funding_charges}}
    return record


def positions_state_record(kernel: OutputKernel) -> Dict[str, Any]:
    return {"updated_ts": kernel.v2.snapshot.ts,
            "positions": [levels_record(position, "symbol", "side", "qty", "entry_price", "created_ts")
                          for position in kernel.positions_view()]}


def expected_outputs(run: Run) -> Dict[str, Any]:
    """Every checked file: name -> its content (JSON value or list of rows)."""
    kernel = run.kernel
    registry = {symbol: levels_record(kernel.registry[symbol], "side", "entry_price", "tp", "sl", "created_ts",
                                      "updated_ts") for symbol in sorted(kernel.registry)}
    ledger = {entry["symbol"]: levels_record(entry, "side", "qty", "entry_price", "tp", "sl", "created_ts",
                                             "updated_ts") for entry in kernel.ledger}
    return {
        "logs/nav.csv": kernel.nav_rows,
        "logs/marks.csv": kernel.mark_rows,
        "logs/exits.jsonl": kernel.exit_lines,
        "logs/orders.jsonl": run.orders,
        "logs/faults.jsonl": run.fault_lines,
        "logs/state/kpis_v7.json": kpis_record(run),
        "logs/state/positions_state.json": positions_state_record(kernel),
        "logs/state/position_tp_sl.json": registry,
        "logs/state/state.json": {"positions_state": positions_state_record(kernel), "positions_ledger": ledger,
                                  "ledger_consistency": dict(kernel.consistency)},
        "logs/state/nav.json": {"ts": kernel.v2.snapshot.ts, "nav_total": kernel.aum["nav_total"],
                                "aum": {"futures": kernel.aum["futures"], "offexchange": kernel.aum["offexchange"],
                                        "total": kernel.aum["total"]}},
    }


# ---------------------------------------------------------------------------
# Reading ledgersim's files and comparing
# ---------------------------------------------------------------------------

CSV_COLUMNS = {
    "logs/nav.csv": ["ts", "event_seq", "nav_total", "aum_total", "k_capital", "k_equity", "e_wallet_balance",
                     "status"],
    "logs/marks.csv": ["ts", "event_seq", "symbol", "price", "qty", "entry_price", "tp", "sl"],
}
TEXT_COLUMNS = {"status", "symbol"}
INEXACT_FIELDS = {"sharpe": SHARPE_RELATIVE_TOLERANCE}
# Objects whose keys must be exactly the oracle's (keyed by symbol or asset).
CLOSED_OBJECTS = ("position_tp_sl.json", "positions_ledger", "offexchange", "worst_fields")
# Members the contract requires that this tree's binary may not write yet:
# compared when present (kpis reconcile.rules comes with the v2 rule work).
OPTIONAL_MEMBERS = ("kpis_v7.json.reconcile.rules",)


def read_actual(run_directory: str, name: str) -> Any:
    path = os.path.join(run_directory, name)
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    if name.endswith(".json"):
        return json.loads(text)
    if name.endswith(".jsonl"):
        return [json.loads(line) for line in text.split("\n") if line != ""]
    columns = CSV_COLUMNS[name]
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []  # a run with no row writes no header either
    if rows[0] != columns:
        raise ValueError(f"header {rows[0]}, expected {columns}")
    parsed = []
    for cells in rows[1:]:
        row: Dict[str, Any] = {}
        for column, cell in zip(columns, cells):
            row[column] = cell if column in TEXT_COLUMNS else (float(cell) if cell != "" else None)
        parsed.append(row)
    return parsed


COMPARED = [0]  # leaves compared so far (numbers, strings, nulls)


def compare(expected: Any, actual: Any, path: str, found: List[str]) -> None:
    """Appends "path: ledgersim X, oracle Y" for each difference."""
    if not isinstance(expected, (dict, list)):
        COMPARED[0] += 1
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            found.append(f"{path}: ledgersim {json.dumps(actual)}, oracle an object")
            return
        for key, item in expected.items():
            if key not in actual:
                if f"{path}.{key}" not in OPTIONAL_MEMBERS:
                    found.append(f"{path}.{key}: missing in ledgersim (oracle {json.dumps(item)})")
            else:
                compare(item, actual[key], f"{path}.{key}" if path else key, found)
        if any(path.endswith(name) for name in CLOSED_OBJECTS):
            if list(actual) != list(expected):
                found.append(f"{path}: keys {list(actual)}, oracle {list(expected)}")
        return
    if isinstance(expected, list):
        if not isinstance(actual, list):
            found.append(f"{path}: ledgersim {json.dumps(actual)}, oracle a list")
            return
        for index, (item, other) in enumerate(zip(expected, actual)):
            compare(item, other, f"{path}[{index}]", found)
        if len(actual) != len(expected):
            found.append(f"{path}: ledgersim has {len(actual)} items, oracle {len(expected)}")
        return
    if expected is None or isinstance(expected, (str, bool)):
        if actual != expected or type(actual) is not type(expected):
            found.append(f"{path}: ledgersim {json.dumps(actual)}, oracle {json.dumps(expected)}")
        return
    if isinstance(expected, (int, float)):
        if isinstance(actual, bool) or not isinstance(actual, (int, float)):
            found.append(f"{path}: ledgersim {json.dumps(actual)}, oracle {expected!r}")
            return
        tolerance = INEXACT_FIELDS.get(path.rsplit(".", 1)[-1])
        if tolerance is not None:
            if abs(float(actual) - float(expected)) > tolerance * max(1.0, abs(float(expected))):
                found.append(f"{path}: ledgersim {actual!r}, oracle {expected!r} (beyond {tolerance:g} relative)")
        elif float(actual) != float(expected):  # the same double (0 and -0 are equal here)
            found.append(f"{path}: ledgersim {actual!r}, oracle {expected!r}")
        return
    raise AssertionError(f"unexpected oracle value at {path}: {expected!r}")


def json_clean(value: Any) -> Any:
    """Non-finite numbers as None (ledgersim writes null)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: json_clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_clean(item) for item in value]
    return value


def compare_run(scenario_path: str, run_directory: str) -> Tuple[List[str], Dict[str, int]]:
    """Every difference ("FILE: name: path: ..."), and per output file the
    number of values compared."""
    with open(scenario_path, encoding="utf-8", newline="") as handle:
        run = run_scenario(handle.read())
    differences: List[str] = []
    counts: Dict[str, int] = {}
    for name, expected in expected_outputs(run).items():
        expected = json_clean(expected)
        try:
            actual = read_actual(run_directory, name)
        except (OSError, ValueError) as error:
            differences.append(f"{scenario_path}: {name}: cannot read: {error}")
            continue
        found: List[str] = []
        before = COMPARED[0]
        compare(expected, actual, name.rsplit("/", 1)[-1], found)
        counts[name] = COMPARED[0] - before
        differences.extend(f"{scenario_path}: {difference}" for difference in found)
    return differences, counts


# ---------------------------------------------------------------------------
# The suite: one process runs the binary on every scenario and compares
# ---------------------------------------------------------------------------

def run_binary(ledgersim: str, arguments: List[str], stdout=subprocess.DEVNULL) -> Tuple[int, str]:
    result = subprocess.run([ledgersim] + arguments, stdout=stdout, stderr=subprocess.PIPE, check=False)
    return result.returncode, result.stderr.decode("utf-8", "replace")


def runs_ahead(ledgersim: str, work: str, paths: List[str]):
    """Yields (number, path, out, status, stderr) of `ledgersim run PATH
    --out WORK/runNUMBER` for each path in order, the next run started before
    the caller compares this one: a run spends much of its time waiting for
    fsync, which the comparison fills. At most two runs exist at once."""
    def start(number: int):
        out = os.path.join(work, f"run{number}")
        error = tempfile.TemporaryFile(dir=work)
        process = subprocess.Popen([ledgersim, "run", paths[number], "--out", out],
                                   stdout=subprocess.DEVNULL, stderr=error)
        return process, error, out
    running = start(0) if paths else None
    try:
        for number in range(len(paths)):
            process, error, out = running
            process.wait()
            running = start(number + 1) if number + 1 < len(paths) else None
            error.seek(0)
            text = error.read().decode("utf-8", "replace")
            error.close()
            yield number, paths[number], out, process.returncode, text
    finally:  # the caller stopped early: the run started ahead ends before its folder goes
        if running is not None:
            running[0].wait()
            running[1].close()


def suite(argv: List[str]) -> int:
    ledgersim = argv[0]
    files: List[str] = []
    gens: List[Tuple[int, int, int]] = []
    seeded: List[Tuple[int, int]] = []
    keep: Optional[str] = None
    minimum = 0
    index = 1
    while index < len(argv):
        argument = argv[index]
        if argument in ("--gen", "--seed-generated", "--keep", "--min-compared"):
            value = argv[index + 1]
            if argument == "--gen":
                gens.append(tuple(int(part) for part in value.split(":")))  # type: ignore[arg-type]
            elif argument == "--seed-generated":
                seeded.append(tuple(int(part) for part in value.split(":")))  # type: ignore[arg-type]
            elif argument == "--keep":
                keep = value
            else:
                minimum = int(value)
            index += 2
            continue
        files.append(argument)
        index += 1
    selftest = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(
        unittest.defaultTestLoader.loadTestsFromTestCase(OracleTests))
    if not selftest.wasSuccessful():
        print("FAIL the oracle's own tests (output_oracle.py selftest):")
        for _, trace in selftest.failures + selftest.errors:
            print(trace)
        return 1
    work = tempfile.mkdtemp(prefix="output_oracle.")
    compared = skipped = failed = values = 0
    totals: Dict[str, int] = {}
    try:
        for events, seed, symbols in gens:
            path = os.path.join(work, f"gen-events{events}-seed{seed}-symbols{symbols}.csv")
            with open(path, "wb") as handle:
                status, error = run_binary(ledgersim, ["gen", "--events", str(events), "--seed", str(seed),
                                                       "--symbols", str(symbols)], stdout=handle)
            if status != 0:
                print(f"FAIL {path}: ledgersim gen exit {status}: {error.strip()}")
                failed += 1
                continue
            files.append(path)
        for seed, events in seeded:
            path = os.path.join(work, f"seed-oracle-seed{seed}-events{events}.csv")
            with open(path, "w", encoding="utf-8", newline="") as handle:
                handle.write(so.generate(seed, events))
            files.append(path)
        for number, path, out, status, error in runs_ahead(ledgersim, work, files):
            if status != 0:
                print(f"FAIL {path}: ledgersim run exit {status}: {error.strip()[:400]}")
                failed += 1
                continue
            try:
                differences, counts = compare_run(path, out)
            except (Unsupported, so.ScenarioError) as why:  # e.g. reconcile.rules=v2: not the seed's classifier
                print(f"skip {path} ({why})")
                skipped += 1
                shutil.rmtree(out, ignore_errors=True)
                continue
            compared += 1
            for name, count in counts.items():
                totals[name] = totals.get(name, 0) + count
                values += count
            if differences:
                failed += 1
                print(f"FAIL {path}: {len(differences)} differences, the first ones:")
                for difference in differences[:20]:
                    print(f"    {difference}")
                if keep is not None:
                    os.makedirs(keep, exist_ok=True)
                    shutil.copy(path, keep)
                    print(f"    kept as {os.path.join(keep, os.path.basename(path))}")
            else:
                print(f"ok   {path} ({sum(counts.values())} values)")
            shutil.rmtree(out, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for name in sorted(totals):
        print(f"     {name}: {totals[name]} values compared")
    print(f"output oracle: {compared} scenarios compared ({values} values), {skipped} skipped, {failed} failed")
    if compared < minimum:
        print(f"FAIL only {compared} scenarios compared, fewer than the minimum {minimum}")
        return 1
    return 1 if failed else 0


def seed_suite(argv: List[str]) -> int:
    """tests/seed_oracle.sh in one process: seed_oracle's selftest, then
    reconcile.jsonl and account.json of every bundled scenario of its row
    types and of its generated ones (per seed: 200 events and two short
    runs) against seed_oracle.compare_run; fails under the minimums."""
    ledgersim, seeds, min_bundled, keep = argv[0], int(argv[1]), int(argv[2]), argv[3]
    files = argv[4:]
    result = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(
        unittest.defaultTestLoader.loadTestsFromTestCase(so.OracleTests))
    if not result.wasSuccessful():
        print("FAIL tools/seed_oracle.py selftest")
        for _, trace in result.failures + result.errors:
            print(trace)
        return 1
    work = tempfile.mkdtemp(prefix="seed_oracle.")
    compared = bundled = skipped = failures = 0
    try:
        cases: List[Tuple[str, bool]] = []
        for path in files:
            with open(path, encoding="utf-8", newline="") as handle:
                try:
                    rows = so.read_rows(handle.read())
                    unsupported = so.row_types(rows) - so.SUPPORTED_TYPES
                    unsupported |= {f"reconcile.rules={row.get('value')}" for row in rows
                                    if row.get("type") == "config" and row.get("key") == "reconcile.rules"
                                    and row.get("value") != "seed"}
                except so.ScenarioError as error:
                    unsupported = {f"unreadable: {error}"}
            if unsupported:
                print(f"skip {path} (uses {', '.join(sorted(unsupported))})")
                skipped += 1
            else:
                cases.append((path, True))
        for seed in range(1, seeds + 1):
            for generator_seed, events in ((seed, 200), (1000 + seed, 2 + seed % 9), (2000 + seed, 3 + seed % 5)):
                path = os.path.join(work, f"generated_seed_{generator_seed}_events_{events}.csv")
                with open(path, "w", encoding="utf-8", newline="") as handle:
                    handle.write(so.generate(generator_seed, events))
                cases.append((path, False))
        for number, path, out, status, error in runs_ahead(ledgersim, work, [path for path, _ in cases]):
            is_bundled = cases[number][1]
            compared += 1
            bundled += is_bundled
            if status != 0:
                print(f"FAIL {path}: ledgersim run exit {status}: {error.strip()[:400]}")
                failures += 1
                continue
            report = io.StringIO()
            try:
                differences = so.compare_run(path, out, out=report)
            except so.ScenarioError as why:  # e.g. reconcile.rules=v2: not the seed's classifier
                print(f"skip {path} ({why})")
                compared -= 1
                bundled -= is_bundled
                skipped += 1
                shutil.rmtree(out, ignore_errors=True)
                continue
            if differences:
                failures += 1
                lines = report.getvalue().splitlines()
                print(f"FAIL {path}: {len(lines)} differences, the first ones:")
                for line in lines[:25]:
                    print(f"    {line}")
                if not is_bundled:
                    os.makedirs(keep, exist_ok=True)
                    shutil.copy(path, keep)
                    print(f"    kept as {os.path.join(keep, os.path.basename(path))}")
            else:
                with open(os.path.join(out, "logs/reconcile.jsonl"), encoding="utf-8") as handle:
                    print(f"ok   {path} ({sum(1 for _ in handle)} snapshots)")
            shutil.rmtree(out, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"seed oracle: {compared} compared ({bundled} bundled), {skipped} skipped, {failures} failed")
    minimum = min_bundled + 3 * seeds
    if bundled < min_bundled or compared < minimum:
        print(f"FAIL fewer comparisons than the minimum: {bundled} bundled (at least {min_bundled}), "
              f"{compared} in all (at least {minimum})")
        return 1
    return 1 if failures else 0


# ---------------------------------------------------------------------------
# The oracle's own tests (hand-computed values)
# ---------------------------------------------------------------------------

class OracleTests(unittest.TestCase):
    def test_residue_closes_flat(self) -> None:
        position = Position()
        position.fill(1, 0.1, 100, 1)
        position.fill(1, 0.2, 100, 2)
        position.fill(-1, 0.3, 110, 3)
        self.assertEqual((position.qty, position.entry_price), (0.0, 0.0))
        position.fill(-1, 0.3, 50, 4)
        position.fill(1, 0.1, 50, 5)
        position.fill(1, 0.2, 50, 6)
        self.assertEqual(position.qty, 0.0)
        position.fill(1, 1, 10, 7)
        position.fill(-1, 1.5, 12, 8)
        self.assertEqual((position.qty, position.entry_price, position.created_ts), (-0.5, 12, 8))

    def test_atr_needs_period_bars(self) -> None:
        atr = Atr(3)
        atr.add_bar("X", 105, 95, 100)
        atr.add_bar("X", 108, 96, 104)
        self.assertIsNone(atr.value("X"))
        atr.add_bar("X", 120, 104, 110)
        self.assertEqual(atr.value("X"), (10.0 + 12.0 + 16.0) / 3.0)

    def test_venue_fee_on_slipped_price(self) -> None:
        venue = Venue(10000.0, 0.0004, 10.0)
        venue.set_mark("BTCUSDT", 50000)
        record, _ = venue.execute(1, "BTCUSDT", 1, 2, "strategy")
        self.assertAlmostEqual(record["price"], 50050, places=6)
        self.assertAlmostEqual(record["fee"], 40.04, places=6)
        venue.set_mark("BTCUSDT", 51000)
        record, _ = venue.execute(2, "BTCUSDT", -1, 2, "strategy")
        self.assertAlmostEqual(record["fee"], 40.7592, places=6)
        self.assertAlmostEqual(record["realized_pnl"], 1798, places=6)
        self.assertAlmostEqual(venue.wallet, 11717.2008, places=6)

    def test_backtest_exit_and_kpis(self) -> None:
        run = run_scenario("ts,type,symbol,side,qty,price,rate,key,value\n"
                           ",config,,,,,,seed_capital,10000\n"
                           ",config,,,,,,tp.pct,0.01\n"
                           "1,mark,BTCUSDT,,,50000,,,\n"
                           "2,order,BTCUSDT,BUY,0.1,,,,\n"
                           "3,mark,BTCUSDT,,,50500,,,\n")
        self.assertEqual([line["reason"] for line in run.kernel.exit_lines], ["TP"])
        self.assertEqual([order["reason"] for order in run.orders], ["strategy", "exit TP"])
        self.assertEqual(run.orders[1]["realized_pnl"], 0.1 * 500)
        kpis = kpis_record(run)
        self.assertEqual((kpis["trades"], kpis["wins"], kpis["win_rate"]), (1, 1, 1.0))
        self.assertEqual(kpis["exits"], {"tp": 1, "sl": 0})
        self.assertEqual(run.kernel.registry, {})

    def test_sharpe_by_hand(self) -> None:
        kpis = KpisTracker(100.0)
        for day, nav in ((0, 101.0), (1, 99.0), (2, 102.0)):
            kpis.observe_snapshot(day * SECONDS_PER_DAY + 10, nav, "OK", "")
        returns = [101.0 / 100.0 - 1, 99.0 / 101.0 - 1, 102.0 / 99.0 - 1]
        mean = sum(returns) / 3
        deviation = math.sqrt(sum((value - mean) ** 2 for value in returns) / 2)
        self.assertAlmostEqual(kpis.sharpe(), mean / deviation * math.sqrt(365), places=12)
        self.assertAlmostEqual(kpis.max_drawdown_pct, 2.0 / 101.0 * 100, places=12)

    def test_rule_counts(self) -> None:
        """R1 WARN then R1 ERROR with R5 ERROR; R3 evaluated once E reports a position."""
        run = run_scenario("ts,event_id,type,symbol,side,qty,price,wallet_balance,used_margin,key,value\n"
                           ",,config,,,,,,,seed_capital,10000\n"
                           "1,,balance,,,,,9998,,,\n"
                           "2,e2,balance,,,,,9000,100,,\n"
                           "2,e2,position,BTCUSDT,,1,,,,,\n")
        rules = kpis_record(run)["reconcile"]["rules"]
        self.assertEqual(rules["capital_vs_wallet"], {"evaluated": 2, "ok": 0, "warn": 1, "error": 1})
        self.assertEqual(rules["used_margin"], {"evaluated": 1, "ok": 0, "warn": 0, "error": 1})
        self.assertEqual(rules["open_positions"], {"evaluated": 1, "ok": 0, "warn": 0, "error": 1})
        self.assertEqual(rules["realized_pnl"]["evaluated"], 0)

    def test_compare_flags_differences(self) -> None:
        found: List[str] = []
        compare({"a": 1.0, "sharpe": 1.0, "rows": [1, 2]}, {"a": 1.0000000000000002, "sharpe": 1.0 + 1e-12,
                                                           "rows": [1]}, "", found)
        self.assertEqual(len(found), 2)


def main(argv: List[str]) -> int:
    if len(argv) >= 3 and argv[1] == "suite":
        return suite(argv[2:])
    if len(argv) >= 6 and argv[1] == "seed-suite":
        return seed_suite(argv[2:])
    if len(argv) == 4 and argv[1] == "compare":
        differences, _ = compare_run(argv[2], argv[3])
        for difference in differences:
            print(difference)
        return 1 if differences else 0
    if len(argv) == 3 and argv[1] == "expected":
        with open(argv[2], encoding="utf-8", newline="") as handle:
            print(json.dumps(json_clean(expected_outputs(run_scenario(handle.read()))), indent=1))
        return 0
    if len(argv) == 2 and argv[1] == "selftest":
        suite_ = unittest.defaultTestLoader.loadTestsFromTestCase(OracleTests)
        return 0 if unittest.TextTestRunner(verbosity=1).run(suite_).wasSuccessful() else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
