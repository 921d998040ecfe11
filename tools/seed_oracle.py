#!/usr/bin/env python3
"""seed_oracle.py -- an independent reference for ledgersim's reconcile stream.

It carries a faithful, minimal copy of seed 001 (the Python account
projection: AccountProjectionV2 with ReconcileConfig and _safe, and the V1
AccountProjection's anchor_to_exchange / settle / observe_slots), with the
seed's imports of TradeSlot and friends replaced by a tiny dataclass, and a
reimplementation of the scenario format's kernel rules (event grouping,
duplicate skipping, the position book fold, per-event order) for the row
types config, fill, funding, balance, position and mark, and format 1.1's
transfer (K's capital gains it; not in the seed) and leverage rows. The
generator adds 1.1 rows from a random generator of their own. Rows of type
expect, bar, tp_sl and holding end the pending event and are otherwise
ignored: none of them reaches the projection.

Commands (Python 3 standard library only):
  seed_oracle.py replay FILE.csv            JSON lines, one per snapshot
  seed_oracle.py supported FILE.csv...      "ok FILE" or "skip FILE (why)" per file;
                                            exit 0 when the oracle covers them all
  seed_oracle.py generate SEED FILE.csv [EVENTS]
                                            a random scenario hitting every band
  seed_oracle.py generate-set DIR SEED:EVENTS...
                                            several, as DIR/generated_seed_S_events_E.csv
  seed_oracle.py compare FILE.csv RUN_DIR   RUN_DIR/logs/reconcile.jsonl (and the
                                            last published block of
                                            RUN_DIR/logs/state/account.json)
                                            against the oracle, field by field
  seed_oracle.py selftest                   the oracle's own unit tests

Deviations from the seed, both forced by determinism: build_snapshot uses the
event's ts as given (the seed's `ts or time.time()` would turn a ts of 0 into
the wall clock), and the initial snapshot's ts is 0.
"""
from __future__ import annotations

import calendar
import copy
import csv
import io
import json
import math
import random
import re
import sys
import time
import unittest
from collections import deque
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Dict, Iterable, List, Optional


# ---------------------------------------------------------------------------
# Stand-ins for the seed's imports (.contracts, .utils)
# ---------------------------------------------------------------------------

class TradeStage(str, Enum):
    POSITION_OPEN = "POSITION_OPEN"
    POSITION_OPENED = "POSITION_OPENED"
    ENTRY_WORKING = "ENTRY_WORKING"
    EXIT_WORKING = "EXIT_WORKING"
    CLOSED = "CLOSED"


@dataclass
class TradeSlot:
    """The fields of the seed's TradeSlot that the projection reads."""
    size: float
    entry_price: float
    unrealized_pnl: float
    metadata: Dict[str, Any]
    fsm_state: TradeStage = TradeStage.POSITION_OPEN
    closed: bool = False


def safe_float(v: Any, default: float = 0.0) -> float:
    """The seed's utils.safe_float, taken as _safe (spec: every number goes
    through _safe; a non-finite value becomes the default)."""
    return _safe(v, default)


# ---------------------------------------------------------------------------
# Seed 001, V1 (copied; only the fields and methods the harness publishes)
# ---------------------------------------------------------------------------

@dataclass
class AccountSnapshot:
    """Derived account state."""
    capital: float
    equity: float
    realized_pnl: float = 0.0
    unrealized_pnl: float = 0.0
    open_positions: int = 0
    open_notional: float = 0.0
    fees_paid: float = 0.0
    trade_seq: int = 0
    peak_capital: float = 0.0
    # E-anchored provenance (Phase 1): "seed" | "e_anchored" | "k_bridged"
    capital_source: str = "seed"
    e_wallet_balance: float = 0.0
    event_seq: int = 0


@dataclass
class AccountProjection:
    """Aggregate account view over all active slots."""
    min_capital: float = 0.0
    max_capital: Optional[float] = None
    snapshot: AccountSnapshot = field(default_factory=lambda: AccountSnapshot(capital=25_000.0, equity=25_000.0))

    def _replace_snapshot(self, **kw: Any) -> None:
        cur = self.snapshot
        self.snapshot = AccountSnapshot(
            capital=kw.get("capital", cur.capital),
            equity=kw.get("equity", cur.equity),
            realized_pnl=kw.get("realized_pnl", cur.realized_pnl),
            unrealized_pnl=kw.get("unrealized_pnl", cur.unrealized_pnl),
            open_positions=kw.get("open_positions", cur.open_positions),
            open_notional=kw.get("open_notional", cur.open_notional),
            fees_paid=kw.get("fees_paid", cur.fees_paid),
            trade_seq=kw.get("trade_seq", cur.trade_seq),
            peak_capital=kw.get("peak_capital", cur.peak_capital),
            capital_source=kw.get("capital_source", cur.capital_source),
            e_wallet_balance=kw.get("e_wallet_balance", cur.e_wallet_balance),
            event_seq=kw.get("event_seq", cur.event_seq),
        )

    def observe_slots(self, slots: Iterable[TradeSlot]) -> None:
        open_positions = 0
        open_notional = 0.0
        unrealized_pnl = 0.0
        for slot in slots:
            if slot.closed or slot.size <= 0:
                continue
            if slot.fsm_state in {TradeStage.POSITION_OPEN, TradeStage.POSITION_OPENED,
                                  TradeStage.ENTRY_WORKING, TradeStage.EXIT_WORKING}:
                open_positions += 1
            mark = safe_float(slot.entry_price, 0.0)
            mark = safe_float(slot.metadata.get("mark_price"), mark)
            open_notional += abs(slot.size) * abs(mark)
            unrealized_pnl += float(slot.unrealized_pnl or 0.0)
        self._replace_snapshot(
            open_positions=open_positions,
            open_notional=open_notional,
            unrealized_pnl=unrealized_pnl,
            equity=self.snapshot.capital + unrealized_pnl
            if math.isfinite(self.snapshot.capital + unrealized_pnl) else self.snapshot.capital,
            peak_capital=max(self.snapshot.peak_capital, self.snapshot.capital)
            if open_notional > 0 and self.snapshot.capital > 0 else self.snapshot.peak_capital,
        )

    def anchor_to_exchange(self, wallet_balance: float, available_margin: float, event_seq: int) -> None:
        wb = safe_float(wallet_balance, 0.0)
        if wb <= 0.0 or not math.isfinite(wb):
            return
        self.snapshot.capital = wb
        self.snapshot.e_wallet_balance = wb
        self.snapshot.capital_source = "e_anchored"
        self.snapshot.event_seq = int(event_seq)
        self.snapshot.equity = wb + self.snapshot.unrealized_pnl
        if not math.isfinite(self.snapshot.equity):
            self.snapshot.equity = wb
        self.snapshot.peak_capital = max(self.snapshot.peak_capital, wb)

    def settle(self, realized_pnl: float, fees: float = 0.0) -> None:
        rp = safe_float(realized_pnl, 0.0)
        net = rp - safe_float(fees, 0.0)
        new_capital = safe_float(self.snapshot.capital + net, self.snapshot.capital)
        if self.max_capital is not None:
            new_capital = min(new_capital, self.max_capital)
        new_capital = max(self.min_capital, new_capital)
        new_source = self.snapshot.capital_source
        if new_source == "e_anchored" and abs(net) > 1e-12:
            new_source = "k_bridged"
        new_fees = self.snapshot.fees_paid + safe_float(fees, 0.0)
        new_equity = new_capital + self.snapshot.unrealized_pnl
        if not math.isfinite(new_equity):
            new_equity = new_capital
        self._replace_snapshot(
            capital=new_capital,
            capital_source=new_source,
            realized_pnl=self.snapshot.realized_pnl + rp,
            fees_paid=new_fees,
            equity=new_equity,
        )


# ---------------------------------------------------------------------------
# Seed 001, V2 (copied)
# ---------------------------------------------------------------------------

class ReconcileStatus(str, Enum):
    OK = "OK"
    WARN = "WARN"
    ERROR = "ERROR"


@dataclass(frozen=True)
class KBlock:
    capital: float = 0.0
    realized_pnl: float = 0.0
    unrealized_pnl: float = 0.0
    fees_paid: float = 0.0
    funding_paid: float = 0.0
    open_notional: float = 0.0
    equity: float = 0.0
    used_margin: float = 0.0
    available_margin: float = 0.0
    open_positions: int = 0
    peak_capital: float = 0.0
    transfers: float = 0.0        # format 1.1 (not in the seed): sum of transfer rows
    has_transfers: bool = False   # ledgersim writes k.transfers only from the first transfer on


@dataclass(frozen=True)
class EPosition:
    symbol: str = ""
    qty: float = 0.0
    entry_price: float = 0.0
    mark_price: float = 0.0
    unrealized_pnl: float = 0.0
    leverage: float = 1.0
    side: str = ""


@dataclass(frozen=True)
class EBlock:
    wallet_balance: float = 0.0
    available_margin: float = 0.0
    used_margin: float = 0.0
    maint_margin: float = 0.0
    positions: tuple = ()
    last_fill_price: float = 0.0
    last_fill_qty: float = 0.0
    last_fill_fee: float = 0.0
    last_fill_realized_pnl: float = 0.0
    last_funding: float = 0.0


@dataclass(frozen=True)
class ReconcileResult:
    status: ReconcileStatus = ReconcileStatus.OK
    deltas: Dict[str, float] = field(default_factory=dict)
    explanations: List[str] = field(default_factory=list)
    worst_field: str = ""
    ts: float = 0.0


@dataclass(frozen=True)
class AccountSnapshotV2:
    event_seq: int
    source_event_id: str
    k: KBlock
    e: EBlock
    reconcile: ReconcileResult
    ts: float = 0.0


@dataclass
class ReconcileConfig:
    capital_epsilon: float = 1e-4
    pending_fee_bound: float = 20.0
    realized_rounding: float = 0.05
    lot_step: float = 0.001
    mark_staleness_factor: float = 0.003
    leverage_rounding_band: float = 2.0


def _safe(v: Any, default: float = 0.0) -> float:
    try:
        f = float(v)
        return f if math.isfinite(f) else default
    except (TypeError, ValueError):
        return default


class AccountProjectionV2:
    def __init__(self, seed_capital: float, *, min_capital: float = 0.0, max_capital: Optional[float] = None,
                 reconcile_config: Optional[ReconcileConfig] = None) -> None:
        self._seed = _safe(seed_capital, 0.0)
        self._min_capital = min_capital
        self._max_capital = max_capital
        self._cfg = reconcile_config or ReconcileConfig()
        self._k_realized: float = 0.0
        self._k_fees: float = 0.0
        self._k_funding: float = 0.0
        self._k_transfers: float = 0.0      # format 1.1, not in the seed
        self._has_transfers: bool = False
        self._peak_capital: float = self._seed
        self._e_wallet_balance: float = 0.0
        self._e_avail_margin: float = 0.0
        self._e_used_margin: float = 0.0
        self._e_maint_margin: float = 0.0
        self._e_positions: List[EPosition] = []
        self._e_last_fill_price: float = 0.0
        self._e_last_fill_qty: float = 0.0
        self._e_last_fill_fee: float = 0.0
        self._e_last_fill_realized: float = 0.0
        self._e_last_funding: float = 0.0
        self._event_seq: int = 0
        self._snapshot: AccountSnapshotV2 = self._build(0, "", [], 0.0)  # seed: time.time()

    def apply_fill(self, *, fill_price: float, fill_qty: float, fee: float, realized_pnl: float) -> None:
        self._k_realized += _safe(realized_pnl)
        self._k_fees += _safe(fee)
        self._e_last_fill_price = _safe(fill_price)
        self._e_last_fill_qty = _safe(fill_qty)
        self._e_last_fill_fee = _safe(fee)
        self._e_last_fill_realized = _safe(realized_pnl)

    def apply_funding(self, amount: float) -> None:
        self._k_funding += _safe(amount)
        self._e_last_funding = _safe(amount)

    def apply_transfer(self, amount: float) -> None:
        """Format 1.1's transfer row (not in the seed): K's capital gains it."""
        self._k_transfers += _safe(amount)
        self._has_transfers = True

    def apply_balance_update(self, *, wallet_balance: float, available_margin: float, used_margin: float,
                             maint_margin: float) -> None:
        self._e_wallet_balance = _safe(wallet_balance)
        self._e_avail_margin = _safe(available_margin)
        self._e_used_margin = _safe(used_margin)
        self._e_maint_margin = _safe(maint_margin)

    def apply_position_update(self, positions: List[EPosition]) -> None:
        self._e_positions = list(positions)

    def build_snapshot(self, source_event_id: str, slots: Iterable[TradeSlot],
                       ts: Optional[float] = None) -> AccountSnapshotV2:
        self._event_seq += 1
        snap = self._build(self._event_seq, source_event_id, list(slots), ts)  # seed: ts or time.time()
        self._snapshot = snap
        return snap

    @property
    def snapshot(self) -> AccountSnapshotV2:
        return self._snapshot

    @property
    def k_capital(self) -> float:
        # format 1.1: seed + transfers; without a transfer the seed's own sum
        base = self._seed + self._k_transfers if self._has_transfers else self._seed
        raw = base + self._k_realized - self._k_fees - self._k_funding
        if self._max_capital is not None:
            raw = min(raw, self._max_capital)
        return max(self._min_capital, raw)

    def _build(self, event_seq: int, source_event_id: str, slots: List[TradeSlot], ts: float) -> AccountSnapshotV2:
        open_notional, unrealized, used_margin, open_positions = self._scan_slots(slots)
        capital = self.k_capital
        self._peak_capital = max(self._peak_capital, capital)
        k = KBlock(
            capital=capital,
            realized_pnl=self._k_realized,
            unrealized_pnl=unrealized,
            fees_paid=self._k_fees,
            funding_paid=self._k_funding,
            open_notional=open_notional,
            equity=capital + unrealized,
            used_margin=used_margin,
            available_margin=max(0.0, capital - used_margin),
            open_positions=open_positions,
            peak_capital=self._peak_capital,
            transfers=self._k_transfers,
            has_transfers=self._has_transfers,
        )
        e = EBlock(
            wallet_balance=self._e_wallet_balance,
            available_margin=self._e_avail_margin,
            used_margin=self._e_used_margin,
            maint_margin=self._e_maint_margin,
            positions=tuple(self._e_positions),
            last_fill_price=self._e_last_fill_price,
            last_fill_qty=self._e_last_fill_qty,
            last_fill_fee=self._e_last_fill_fee,
            last_fill_realized_pnl=self._e_last_fill_realized,
            last_funding=self._e_last_funding,
        )
        reconcile = self._classify(k, e, ts)
        return AccountSnapshotV2(event_seq=event_seq, source_event_id=source_event_id, k=k, e=e,
                                 reconcile=reconcile, ts=ts)

    def _scan_slots(self, slots: List[TradeSlot]) -> tuple:
        open_notional = 0.0
        unrealized = 0.0
        used_margin = 0.0
        open_positions = 0
        for slot in slots:
            if slot.closed or slot.size <= 0:
                continue
            if slot.fsm_state not in {TradeStage.POSITION_OPEN, TradeStage.POSITION_OPENED,
                                      TradeStage.ENTRY_WORKING, TradeStage.EXIT_WORKING}:
                continue
            open_positions += 1
            mark = _safe(slot.metadata.get("mark_price") if slot.metadata else None, 0.0)
            if mark <= 0.0:
                mark = _safe(slot.entry_price, 0.0)
            notional = abs(slot.size) * mark
            open_notional += notional
            unrealized += _safe(slot.unrealized_pnl)
            lev = max(1.0, _safe(slot.metadata.get("leverage") if slot.metadata else None, 1.0))
            used_margin += notional / lev
        return open_notional, unrealized, used_margin, open_positions

    def _classify(self, k: KBlock, e: EBlock, ts: float) -> ReconcileResult:
        cfg = self._cfg
        status = ReconcileStatus.OK
        deltas: Dict[str, float] = {}
        explanations: List[str] = []
        worst_field = ""

        def _escalate(new: ReconcileStatus, field: str) -> None:
            nonlocal status, worst_field
            order = {ReconcileStatus.OK: 0, ReconcileStatus.WARN: 1, ReconcileStatus.ERROR: 2}
            if order[new] > order[status]:
                status = new
                worst_field = field

        # R1: capital vs wallet balance (only meaningful when E-facts are populated)
        if e.wallet_balance > 0:
            delta_r1 = abs(k.capital - e.wallet_balance)
            deltas["capital_vs_wallet"] = k.capital - e.wallet_balance
            if delta_r1 <= cfg.capital_epsilon:
                pass  # OK
            elif delta_r1 <= cfg.pending_fee_bound:
                _escalate(ReconcileStatus.WARN, "capital_vs_wallet")
                explanations.append(f"UNSETTLED_FEE|capital_vs_wallet|delta={delta_r1:.4f}")
            else:
                _escalate(ReconcileStatus.ERROR, "capital_vs_wallet")
                explanations.append(f"ERROR|capital_vs_wallet|delta={delta_r1:.4f}")
        # R2: realized PnL vs exchange realized
        if e.last_fill_realized_pnl != 0:
            delta_r2 = abs(k.realized_pnl - e.last_fill_realized_pnl)
            deltas["realized_pnl"] = k.realized_pnl - e.last_fill_realized_pnl
            if delta_r2 <= cfg.capital_epsilon:
                pass
            elif delta_r2 <= cfg.realized_rounding:
                _escalate(ReconcileStatus.WARN, "realized_pnl")
                explanations.append(f"LOT_STEP_ROUNDING|realized_pnl|delta={delta_r2:.4f}")
            else:
                _escalate(ReconcileStatus.ERROR, "realized_pnl")
                explanations.append(f"ERROR|realized_pnl|delta={delta_r2:.4f}")
        # R3: position count (R6) + per-position qty (R3)
        e_pos_map = {p.symbol: p for p in e.positions}
        if len(e.positions) > 0:
            if k.open_positions != len(e_pos_map):
                deltas["open_positions"] = float(k.open_positions - len(e_pos_map))
                _escalate(ReconcileStatus.ERROR, "open_positions")
                explanations.append(f"ERROR|open_positions|k={k.open_positions}|e={len(e_pos_map)}")
        # R4: open_notional vs exchange notional (mark staleness)
        if e.used_margin > 0 and k.open_notional > 0:
            delta_notional = abs(k.open_notional - e.used_margin)
            deltas["open_notional"] = k.open_notional - e.used_margin
            staleness_band = k.open_notional * cfg.mark_staleness_factor
            if delta_notional <= cfg.capital_epsilon:
                pass
            elif delta_notional <= staleness_band:
                _escalate(ReconcileStatus.WARN, "open_notional")
                explanations.append(f"MARK_PRICE_STALENESS|open_notional|delta={delta_notional:.4f}")
            else:
                _escalate(ReconcileStatus.ERROR, "open_notional")
                explanations.append(f"ERROR|open_notional|delta={delta_notional:.4f}")
        # R5: used/available margin
        if e.used_margin > 0:
            delta_margin = abs(k.used_margin - e.used_margin)
            deltas["used_margin"] = k.used_margin - e.used_margin
            if delta_margin <= cfg.capital_epsilon:
                pass
            elif delta_margin <= cfg.leverage_rounding_band:
                _escalate(ReconcileStatus.WARN, "used_margin")
                explanations.append(f"LEVERAGE_ROUNDING|used_margin|delta={delta_margin:.4f}")
            else:
                _escalate(ReconcileStatus.ERROR, "used_margin")
                explanations.append(f"ERROR|used_margin|delta={delta_margin:.4f}")
        return ReconcileResult(status=status, deltas=deltas, explanations=explanations, worst_field=worst_field,
                               ts=ts)


# ---------------------------------------------------------------------------
# The scenario format's kernel rules (scenario-format.md, "The kernel's rules")
# ---------------------------------------------------------------------------

FACT_TYPES = {"fill", "funding", "balance", "position", "mark", "transfer", "leverage"}  # the last two: 1.1
PASSIVE_TYPES = {"expect", "bar", "tp_sl", "holding"}   # end the pending event, touch nothing here
SUPPORTED_TYPES = FACT_TYPES | PASSIVE_TYPES | {"config"}
DEDUP_WINDOW_IDS = 65536
ISO_PATTERN = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$")


class ScenarioError(Exception):
    """A scenario the oracle cannot read (ledgersim would reject it too)."""


def parse_number(text: str) -> float:
    """A scenario number: decimal text only (no nan, inf, hex or spaces)."""
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
        raise ScenarioError(f"not a number: {text!r}")
    value = float(text)
    if not math.isfinite(value):
        raise ScenarioError(f"not finite: {text!r}")
    return value


def parse_timestamp(text: str) -> float:
    """Epoch seconds or ISO-8601 UTC with an optional fraction."""
    match = ISO_PATTERN.match(text)
    if match is None:
        return parse_number(text)
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    whole = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    fraction = float(match.group(7)) if match.group(7) else 0.0
    return float(whole) + fraction


QUANTITY_RESIDUE_RATIO = 1e-9  # scenario-format.md, kernel rules: floating-point residue


@dataclass
class BookPosition:
    """One symbol of the kernel's own position book."""
    qty: float = 0.0
    entry_price: float = 0.0
    leverage: float = 1.0
    has_mark: bool = False
    mark: float = 0.0

    def apply_fill(self, side: int, quantity: float, price: float) -> None:
        """The fold: same direction averages, opposite reduces, past zero flips."""
        held = self.qty
        held_size = abs(held)
        if held == 0 or (held > 0) == (side > 0):
            self.entry_price = (held_size * self.entry_price + quantity * price) / (held_size + quantity)
            self.qty = held + side * quantity
        elif quantity <= held_size or quantity - held_size <= QUANTITY_RESIDUE_RATIO * quantity:
            self.qty = held + side * quantity
            if abs(self.qty) <= QUANTITY_RESIDUE_RATIO * held_size:  # the format's residue rule
                self.qty = 0.0
            if self.qty == 0:
                self.entry_price = 0.0
        else:
            self.qty = side * (quantity - held_size)
            self.entry_price = price

    def slot(self) -> TradeSlot:
        """The seed's TradeSlot view of an open position."""
        unrealized = (self.mark - self.entry_price) * self.qty if self.has_mark else 0.0
        metadata: Dict[str, Any] = {"leverage": self.leverage}
        if self.has_mark:
            metadata["mark_price"] = self.mark
        return TradeSlot(size=abs(self.qty), entry_price=self.entry_price, unrealized_pnl=unrealized,
                         metadata=metadata)


@dataclass
class Published:
    """The published block: V1 after the last event."""
    capital: float
    equity: float
    capital_source: str
    e_wallet_balance: float
    event_seq: int
    realized_pnl: float
    fees_paid: float
    peak_capital: float


class Kernel:
    """The per-event order of the scenario format over the seed's projections."""

    def __init__(self, settings: Dict[str, Any]) -> None:
        seed_capital = settings["seed_capital"]
        self.v2 = AccountProjectionV2(seed_capital, min_capital=settings["min_capital"],
                                      max_capital=settings["max_capital"], reconcile_config=settings["reconcile"])
        self.v1 = AccountProjection(min_capital=settings["min_capital"], max_capital=settings["max_capital"],
                                    snapshot=AccountSnapshot(capital=seed_capital, equity=seed_capital))
        self.book: Dict[str, BookPosition] = {}
        self.exchange: Dict[str, EPosition] = {}
        self.seen_ids: set = set()
        self.id_window: deque = deque()
        self.duplicates_skipped = 0
        self.snapshots: List[AccountSnapshotV2] = []

    def admit(self, event_id: str, synthetic: bool) -> bool:
        """Dedup over the most recent DEDUP_WINDOW_IDS distinct ids."""
        if synthetic:
            return True
        if event_id in self.seen_ids:
            self.duplicates_skipped += 1
            return False
        if len(self.id_window) == DEDUP_WINDOW_IDS:
            self.seen_ids.discard(self.id_window.popleft())
        self.id_window.append(event_id)
        self.seen_ids.add(event_id)
        return True

    def apply(self, row: Dict[str, Any]) -> None:
        """Applies one exchange-fact row of the open event."""
        kind = row["type"]
        if kind == "fill":
            position = self.book.setdefault(row["symbol"], BookPosition())
            if row["leverage"] is not None:
                position.leverage = row["leverage"]
            position.apply_fill(row["side"], row["qty"], row["price"])
            self.v2.apply_fill(fill_price=row["price"], fill_qty=row["qty"], fee=row["fee"],
                               realized_pnl=row["realized_pnl"])
            self.v1.settle(row["realized_pnl"], row["fee"])
        elif kind == "funding":
            self.v2.apply_funding(row["amount"])
            self.v1.settle(-_safe(row["amount"]), 0.0)
        elif kind == "balance":
            self.v2.apply_balance_update(wallet_balance=row["wallet_balance"],
                                         available_margin=row["available_margin"],
                                         used_margin=row["used_margin"], maint_margin=row["maint_margin"])
            self.v1.anchor_to_exchange(row["wallet_balance"], row["available_margin"], self.v2._event_seq + 1)
        elif kind == "position":
            qty = row["qty"]
            if qty == 0:
                self.exchange.pop(row["symbol"], None)
            else:
                leverage = 1.0 if row["leverage"] is None else row["leverage"]
                self.exchange[row["symbol"]] = EPosition(
                    symbol=row["symbol"], qty=qty, entry_price=row["entry_price"], mark_price=row["mark_price"],
                    unrealized_pnl=row["unrealized_pnl"], leverage=leverage, side="LONG" if qty > 0 else "SHORT")
        elif kind == "mark":
            position = self.book.setdefault(row["symbol"], BookPosition())
            position.has_mark = True
            position.mark = row["price"]
        elif kind == "transfer":  # format 1.1: K only; V1's published capital does not move
            self.v2.apply_transfer(row["amount"])
        elif kind == "leverage":  # format 1.1: the symbol's leverage from now on, as a fill's
            position = self.book.setdefault(row["symbol"], BookPosition())
            if row["leverage"] is not None and math.isfinite(row["leverage"]) and row["leverage"] >= 1:
                position.leverage = row["leverage"]
        else:
            raise AssertionError(kind)

    def end_event(self, event_id: str, ts: float) -> None:
        """Positions to the projection, slots, one snapshot (V1 observes first)."""
        self.v2.apply_position_update([self.exchange[symbol] for symbol in sorted(self.exchange)])
        slots = [self.book[symbol].slot() for symbol in sorted(self.book) if self.book[symbol].qty != 0]
        self.v1.observe_slots(slots)
        self.snapshots.append(self.v2.build_snapshot(event_id, slots, ts))

    def published(self) -> Published:
        snapshot = self.v1.snapshot
        return Published(snapshot.capital, snapshot.equity, snapshot.capital_source, snapshot.e_wallet_balance,
                         snapshot.event_seq, snapshot.realized_pnl, snapshot.fees_paid, snapshot.peak_capital)


NUMERIC_COLUMNS = ("qty", "price", "fee", "realized_pnl", "amount", "wallet_balance", "available_margin",
                   "used_margin", "maint_margin", "entry_price", "mark_price", "unrealized_pnl", "leverage")


def read_rows(text: str) -> List[Dict[str, Any]]:
    """The rows of a scenario with their line numbers, cells as text."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    header: Optional[List[str]] = None
    for cells in reader:
        if header is None:
            header = cells
            continue
        if cells == [] or cells == [""]:
            continue
        if len(cells) != len(header):
            raise ScenarioError(f"line {reader.line_num}: {len(cells)} fields, header has {len(header)}")
        row = dict(zip(header, cells))
        row["_line"] = reader.line_num
        rows.append(row)
    if header is None:
        raise ScenarioError("empty file")
    return rows


def row_types(rows: List[Dict[str, Any]]) -> set:
    """The row types a scenario uses."""
    return {row.get("type", "") for row in rows}


def default_settings() -> Dict[str, Any]:
    """The defaults of the config keys the projection reads."""
    return {"seed_capital": 25000.0, "min_capital": 0.0, "max_capital": None, "reconcile": ReconcileConfig()}


RECONCILE_KEYS = {"reconcile.capital_epsilon", "reconcile.pending_fee_bound", "reconcile.realized_rounding",
                  "reconcile.lot_step", "reconcile.mark_staleness_factor", "reconcile.leverage_rounding_band"}
OTHER_KEYS = {"fee.taker_rate", "slippage_bps", "atr.period", "tp.atr_mult", "sl.atr_mult", "tp.pct", "sl.pct"}


def apply_config(settings: Dict[str, Any], key: str, value: str) -> None:
    """One config row; keys that do not reach the projection are accepted."""
    if key == "max_capital" and value in ("", "none"):
        settings["max_capital"] = None
    elif key in ("seed_capital", "min_capital", "max_capital"):
        settings[key] = parse_number(value)
    elif key in RECONCILE_KEYS:
        setattr(settings["reconcile"], key.split(".", 1)[1], parse_number(value))
    elif key == "reconcile.rules":
        if value != "seed":
            raise ScenarioError(f"reconcile.rules={value} is not the seed's classifier")
    elif key not in OTHER_KEYS:
        raise ScenarioError(f"unknown config key {key!r}")


def fact_of(row: Dict[str, str]) -> Dict[str, Any]:
    """A normalized fact: numbers parsed, empty numeric cells 0 (leverage None)."""
    fact: Dict[str, Any] = {"type": row["type"], "symbol": row.get("symbol", "")}
    for column in NUMERIC_COLUMNS:
        text = row.get(column, "")
        fact[column] = parse_number(text) if text != "" else (None if column == "leverage" else 0.0)
    side = row.get("side", "")
    if row["type"] == "fill":
        fact["side"] = {"BUY": 1, "SELL": -1}[side]
    elif row["type"] == "position" and side:
        fact["qty"] = fact["qty"] * {"LONG": 1, "SHORT": -1}[side]
    return fact


class Replayer:
    """Feeds scenario rows one at a time: config rows set the settings, fact
    rows join or start the pending event, other rows end it."""

    def __init__(self) -> None:
        self.settings = default_settings()
        self.kernel: Optional[Kernel] = None
        self.pending: Optional[Dict[str, Any]] = None

    def flush(self) -> None:
        """Applies the pending event unless its id is a duplicate."""
        if self.pending is None:
            return
        event, self.pending = self.pending, None
        if not self.kernel.admit(event["id"], event["synthetic"]):
            return
        for fact in event["facts"]:
            self.kernel.apply(fact)
        self.kernel.end_event(event["id"], event["ts"])

    def feed(self, row: Dict[str, Any]) -> None:
        kind = row["type"]
        if kind not in SUPPORTED_TYPES:
            raise ScenarioError(f"line {row['_line']}: row type {kind!r} is outside the oracle")
        if kind == "config":
            apply_config(self.settings, row.get("key", ""), row.get("value", ""))
            return
        if self.kernel is None:
            self.kernel = Kernel(self.settings)
        if kind in PASSIVE_TYPES:
            self.flush()
            return
        event_id = row.get("event_id", "")
        pending = self.pending
        joins = pending is not None and event_id != "" and not pending["synthetic"] and pending["id"] == event_id
        if not joins:
            self.flush()
            synthetic = event_id == ""
            self.pending = {"id": f"row{row['_line']}" if synthetic else event_id, "synthetic": synthetic,
                            "ts": parse_timestamp(row["ts"]), "facts": []}
        self.pending["facts"].append(fact_of(row))

    def finish(self) -> Kernel:
        if self.kernel is None:
            self.kernel = Kernel(self.settings)
        self.flush()
        return self.kernel

    def fork(self) -> "Replayer":
        """A deep copy without the snapshot history (for trial runs)."""
        history = self.kernel.snapshots if self.kernel is not None else None
        if self.kernel is not None:
            self.kernel.snapshots = []
        clone = copy.deepcopy(self)
        if self.kernel is not None:
            self.kernel.snapshots = history
        return clone


def replay(text: str) -> Kernel:
    """Runs a scenario through the oracle kernel; returns it with its snapshots."""
    rows = read_rows(text)
    unsupported = row_types(rows) - SUPPORTED_TYPES
    if unsupported:
        raise ScenarioError(f"row types outside the oracle: {sorted(unsupported)}")
    replayer = Replayer()
    for row in rows:
        replayer.feed(row)
    return replayer.finish()


def finite_or_none(value: float) -> Optional[float]:
    """value, or None (JSON null) when it is not finite."""
    return value if math.isfinite(value) else None


def snapshot_record(snapshot: AccountSnapshotV2) -> Dict[str, Any]:
    """A snapshot as the reconcile.jsonl line the oracle expects."""
    k = snapshot.k
    e = snapshot.e
    reconcile = snapshot.reconcile
    return {
        "event_seq": snapshot.event_seq,
        "source_event_id": snapshot.source_event_id,
        "ts": snapshot.ts,
        "k": {name: getattr(k, name) for name in (
            "capital", "realized_pnl", "unrealized_pnl", "fees_paid", "funding_paid",
            *(("transfers",) if k.has_transfers else ()),  # format 1.1: from the first transfer on
            "open_notional", "equity", "used_margin", "available_margin", "open_positions", "peak_capital")},
        "e": {
            "wallet_balance": e.wallet_balance, "available_margin": e.available_margin,
            "used_margin": e.used_margin, "maint_margin": e.maint_margin,
            "positions": [{"symbol": p.symbol, "qty": p.qty, "entry_price": p.entry_price,
                           "mark_price": p.mark_price, "unrealized_pnl": p.unrealized_pnl,
                           "leverage": p.leverage, "side": p.side} for p in e.positions],
            "last_fill_price": e.last_fill_price, "last_fill_qty": e.last_fill_qty,
            "last_fill_fee": e.last_fill_fee, "last_fill_realized_pnl": e.last_fill_realized_pnl,
            "last_funding": e.last_funding,
        },
        "reconcile": {"status": reconcile.status.value, "worst_field": reconcile.worst_field,
                      "deltas": dict(reconcile.deltas), "explanations": list(reconcile.explanations)},
    }


def published_record(published: Published) -> Dict[str, Any]:
    """The published block as account.json carries it."""
    return dict(published.__dict__)


def json_safe(value: Any) -> Any:
    """Non-finite numbers become None, as ledgersim writes them (null)."""
    if isinstance(value, float):
        return finite_or_none(value)
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_safe(item) for item in value]
    return value


# ---------------------------------------------------------------------------
# Field-by-field comparison
# ---------------------------------------------------------------------------

def compare_values(expected: Any, actual: Any, path: str, differences: List[str]) -> None:
    """Appends "path: ledgersim X, oracle Y" for each difference. Numbers must
    be the same double; strings equal; objects compare the oracle's keys (in
    the oracle's order where the order is the seed's: deltas)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            differences.append(f"{path}: ledgersim {json.dumps(actual)}, oracle an object")
            return
        for key, item in expected.items():
            if key not in actual:
                differences.append(f"{path}.{key}: missing in ledgersim (oracle {json.dumps(item)})")
            else:
                compare_values(item, actual[key], f"{path}.{key}" if path else key, differences)
        if path.endswith("deltas"):
            extra = [key for key in actual if key not in expected]
            if extra:
                differences.append(f"{path}: ledgersim has extra deltas {extra}")
            elif list(actual) != list(expected):
                differences.append(f"{path}: order {list(actual)}, oracle (seed insertion order) {list(expected)}")
        return
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            differences.append(f"{path}: ledgersim {json.dumps(actual)}, oracle {json.dumps(expected)}")
            return
        for index, (item, other) in enumerate(zip(expected, actual)):
            compare_values(item, other, f"{path}[{index}]", differences)
        return
    if expected is None or isinstance(expected, (str, bool)):
        if actual != expected or type(actual) is not type(expected):
            differences.append(f"{path}: ledgersim {json.dumps(actual)}, oracle {json.dumps(expected)}")
        return
    if isinstance(expected, (int, float)):
        if isinstance(actual, bool) or not isinstance(actual, (int, float)) or float(actual) != float(expected):
            differences.append(f"{path}: ledgersim {json.dumps(actual)}, oracle {expected!r}")
        elif float(actual) == 0 and math.copysign(1, float(actual)) != math.copysign(1, float(expected)):
            differences.append(f"{path}: ledgersim {json.dumps(actual)}, oracle {expected!r} (sign of zero)")
        return
    raise AssertionError(f"unexpected oracle value at {path}: {expected!r}")


def compare_run(scenario_path: str, run_directory: str, out=sys.stdout) -> int:
    """Prints every difference as FILE:LINE: FIELD ...; returns their count."""
    with open(scenario_path, encoding="utf-8", newline="") as handle:
        kernel = replay(handle.read())
    expected = [json_safe(snapshot_record(snapshot)) for snapshot in kernel.snapshots]
    trace_path = f"{run_directory}/logs/reconcile.jsonl"
    try:
        with open(trace_path, encoding="utf-8") as handle:
            lines = [line for line in handle.read().split("\n") if line != ""]
    except OSError as error:
        print(f"{scenario_path}: cannot read {trace_path}: {error}", file=out)
        return 1
    differences = 0
    for index, (record, line) in enumerate(zip(expected, lines), start=1):
        try:
            actual = json.loads(line, parse_int=float)  # keeps "-0" negative
        except ValueError as error:
            print(f"{trace_path}:{index}: not JSON: {error}", file=out)
            differences += 1
            continue
        found: List[str] = []
        compare_values(record, actual, "", found)
        for difference in found:
            print(f"{scenario_path}: reconcile.jsonl line {index} (event_seq {record['event_seq']}, "
                  f"{record['source_event_id']}): {difference}", file=out)
        differences += len(found)
    if len(lines) != len(expected):
        print(f"{scenario_path}: reconcile.jsonl has {len(lines)} lines, the oracle {len(expected)} snapshots",
              file=out)
        differences += 1
    account_path = f"{run_directory}/logs/state/account.json"
    try:
        with open(account_path, encoding="utf-8") as handle:
            account = json.load(handle, parse_int=float)
    except (OSError, ValueError) as error:
        print(f"{scenario_path}: cannot read {account_path}: {error}", file=out)
        return differences + 1
    found = []
    compare_values(json_safe(published_record(kernel.published())), account.get("published"), "published", found)
    if expected:
        compare_values(expected[-1], account, "", found)
    for difference in found:
        print(f"{scenario_path}: account.json: {difference}", file=out)
    return differences + len(found)


# ---------------------------------------------------------------------------
# Random scenarios that hit every band
# ---------------------------------------------------------------------------

GENERATED_COLUMNS = ["ts", "event_id", "type", "symbol", "side", "qty", "price", "fee", "realized_pnl", "amount",
                     "wallet_balance", "available_margin", "used_margin", "maint_margin", "entry_price",
                     "mark_price", "unrealized_pnl", "leverage", "key", "value"]
SYMBOL_PRICES = {"BTCUSDT": 43125.37, "ETHUSDT": 2291.15, "SOLUSDT": 98.731, "XRPUSDT": 0.61234}


def number_text(value: float) -> str:
    """Shortest round-trip text (Python's repr), which ledgersim parses."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


class ScenarioGenerator:
    """Draws a scenario event by event while running the oracle on it, so that
    balance rows can be placed at chosen distances from the K values."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.random_1_1 = random.Random(seed * 7919 + 11)  # format 1.1 rows only
        self.rows: List[Dict[str, str]] = []
        self.settings = default_settings()
        self.ts = 1767600000.0 + self.random.randrange(0, 86400)
        self.event_number = 0
        self.used_ids: List[str] = []
        self.prices = dict(SYMBOL_PRICES)

    def row(self, **cells: Any) -> Dict[str, str]:
        """A CSV row of GENERATED_COLUMNS: floats as shortest text, None empty."""
        return {column: ("" if cells.get(column) is None else
                         (number_text(cells[column]) if isinstance(cells[column], float) else str(cells[column])))
                for column in GENERATED_COLUMNS}

    def config(self) -> None:
        """Config rows: seed capital, reconcile bounds, capital clamps near the seed."""
        draw = self.random
        if draw.random() < 0.5:
            self.rows.append(self.row(type="config", key="seed_capital",
                                      value=number_text(round(draw.uniform(500, 100000), 2))))
        if draw.random() < 0.25:
            self.rows.append(self.row(type="config", key="reconcile.capital_epsilon",
                                      value=draw.choice(["0.001", "0.01", "0"])))
        if draw.random() < 0.25:
            self.rows.append(self.row(type="config", key="reconcile.pending_fee_bound",
                                      value=draw.choice(["5", "50", "0.5"])))
        if draw.random() < 0.2:
            self.rows.append(self.row(type="config", key="reconcile.mark_staleness_factor",
                                      value=draw.choice(["0.01", "0.0005"])))
        if draw.random() < 0.2:
            self.rows.append(self.row(type="config", key="reconcile.leverage_rounding_band",
                                      value=draw.choice(["0.5", "10"])))
        if draw.random() < 0.2:
            self.rows.append(self.row(type="config", key="reconcile.realized_rounding",
                                      value=draw.choice(["0.5", "0.001"])))
        for row in self.rows:
            apply_config(self.settings, row["key"], row["value"])
        seed = self.settings["seed_capital"]
        if draw.random() < 0.3:
            self.rows.append(self.row(type="config", key="min_capital", value=number_text(round(seed - 40, 2))))
        if draw.random() < 0.3:
            self.rows.append(self.row(type="config", key="max_capital", value=number_text(round(seed + 35, 2))))
        elif draw.random() < 0.1:
            self.rows.append(self.row(type="config", key="max_capital", value="none"))

    def timestamp(self) -> str:
        """The next non-decreasing ts, as epoch seconds or ISO-8601 now and then."""
        self.ts += self.random.choice([0, 0.25, 1, 7, 60, 3600.5])
        if self.random.random() < 0.15:
            return self.iso(self.ts)
        return number_text(self.ts)

    @staticmethod
    def iso(ts: float) -> str:
        """ISO-8601 UTC, with the fraction (".25", ".5") when there is one."""
        whole = math.floor(ts)
        text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole))
        fraction = ts - whole
        return text + (number_text(fraction)[1:] if fraction else "") + "Z"

    def band_distance(self, epsilon: float, band: float) -> float:
        """A signed distance in one of the classifier's regions, boundaries included."""
        draw = self.random
        choice = draw.randrange(7)
        if choice == 0:
            magnitude = 0.0
        elif choice == 1:
            magnitude = epsilon * draw.random()
        elif choice == 2:
            magnitude = epsilon
        elif choice == 3:
            magnitude = draw.uniform(epsilon, band) if band > epsilon else band
        elif choice == 4:
            magnitude = band
        elif choice == 5:
            magnitude = band * draw.uniform(1.0, 3.0) + 0.01
        else:
            magnitude = round(draw.uniform(0, 2 * band + 1), draw.choice([2, 4, 8]))
        return magnitude if draw.random() < 0.5 else -magnitude

    def generate(self, events: int) -> str:
        self.config()
        self.replayer = Replayer()
        self.commit(self.rows)
        for _ in range(events):
            self.event(self.replayer.fork().finish())
            self.format_1_1_event()
        return self.render()

    def format_1_1_event(self) -> None:
        """Now and then a transfer or leverage row (format 1.1), drawn from a
        generator of its own so the version 1 draws stay what they were."""
        draw = self.random_1_1
        roll = draw.random()
        if roll >= 0.1:
            return
        ts = number_text(self.ts)
        if roll < 0.06:
            amount = draw.choice([round(draw.uniform(-500, 1000), 2), 1e-12, -0.01, 0.0, 0.1 + 0.2])
            self.append([self.row(ts=ts, event_id="", type="transfer", amount=amount)])
        else:
            symbol = draw.choice(list(self.prices))
            self.append([self.row(ts=ts, event_id="", type="leverage", symbol=symbol,
                                  leverage=draw.choice([1.0, 2.0, 5.0, 12.5, 20.0]))])

    def commit(self, rows: List[Dict[str, str]]) -> None:
        """Feeds rows already appended to self.rows to the running oracle."""
        first_line = len(self.rows) - len(rows) + 2  # line 1 is the header
        for offset, row in enumerate(rows):
            self.replayer.feed(dict(row, _line=first_line + offset))

    def append(self, rows: List[Dict[str, str]]) -> None:
        self.rows.extend(rows)
        self.commit(rows)

    def render(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(GENERATED_COLUMNS)
        for row in self.rows:
            writer.writerow([row[column] for column in GENERATED_COLUMNS])
        return buffer.getvalue()

    def k_values_after(self, facts: List[Dict[str, str]]) -> tuple:
        """K capital, notional and used margin once facts are applied (on a fork)."""
        trial = self.replayer.fork()
        first_line = len(self.rows) + 2
        for offset, fact in enumerate(facts):
            trial.feed(dict(fact, _line=first_line + offset))
        kernel = trial.finish()
        snapshot = kernel.snapshots[-1] if kernel.snapshots else kernel.v2.snapshot
        return snapshot.k.capital, snapshot.k.open_notional, snapshot.k.used_margin, kernel

    def price_of(self, symbol: str) -> float:
        """A random walk of the symbol's price (up to 1% a step)."""
        price = self.prices[symbol] * (1 + self.random.uniform(-0.01, 0.01))
        digits = 2 if price > 100 else 5
        self.prices[symbol] = round(price, digits)
        return self.prices[symbol]

    def event(self, kernel: Kernel) -> None:
        """Draws one event (or a duplicate delivery) given the oracle's state."""
        draw = self.random
        ts = self.timestamp()
        kind = draw.choices(["account", "mark", "funding", "balance", "positions", "duplicate"],
                            weights=[6, 5, 2, 2, 1, 1])[0]
        if kind == "duplicate" and self.used_ids:
            event_id = draw.choice(self.used_ids)
            amount = round(draw.uniform(-3, 3), 3)
            self.append([self.row(ts=ts, event_id=event_id, type="funding", amount=amount)])
            return
        if kind == "mark":
            symbols = draw.sample(list(self.prices), draw.randint(1, 2))
            event_id = self.new_id() if len(symbols) > 1 or draw.random() < 0.3 else ""
            self.append([self.row(ts=ts, event_id=event_id, type="mark", symbol=symbol, price=self.price_of(symbol))
                         for symbol in symbols])
            return
        if kind == "funding":
            amount = draw.choice([round(draw.uniform(-5, 5), 4), 0.0, 1e-13, 1e-12, -1e-12, 2e-12,
                                  round(draw.uniform(-50, 50), 2)])
            self.append([self.row(ts=ts, event_id=self.new_id() if draw.random() < 0.5 else "",
                                  type="funding", amount=amount)])
            return
        if kind == "balance":
            wallet = draw.choice([0.0, -12.5, kernel.v2.k_capital + self.band_distance(
                kernel.v2._cfg.capital_epsilon, kernel.v2._cfg.pending_fee_bound)])
            self.append([self.row(ts=ts, event_id="", type="balance", wallet_balance=wallet,
                                  used_margin=round(draw.uniform(0, 500), 2) if draw.random() < 0.3 else None)])
            return
        event_id = self.new_id()
        facts: List[Dict[str, str]] = []
        if kind == "account":
            symbol = draw.choice(list(self.prices))
            book = kernel.book.get(symbol)
            held = book.qty if book else 0.0
            side = draw.choice(["BUY", "SELL"])
            if held != 0 and draw.random() < 0.4:  # close exactly, or flip
                side = "SELL" if held > 0 else "BUY"
                qty = abs(held) if draw.random() < 0.6 else round(abs(held) + draw.choice([0.001, 0.5, 1.0]), 6)
            else:
                qty = draw.choice([0.001, 0.01, 0.137, 0.5, 1.0, 2.5]) * (100 if self.prices[symbol] < 10 else 1)
            price = self.price_of(symbol)
            fee = round(qty * price * 0.0004, 8) if draw.random() < 0.8 else 0.0
            realized = self.realized_pnl(kernel)
            leverage = draw.choice([None] * 6 + [1.0, 3.0, 10.0, 20.0])
            facts.append(self.row(ts=ts, event_id=event_id, type="fill", symbol=symbol, side=side, qty=qty,
                                  price=price, fee=fee, realized_pnl=realized, leverage=leverage))
            if draw.random() < 0.3:  # a second fill in the same event
                other = draw.choice(list(self.prices))
                facts.append(self.row(ts=ts, event_id=event_id, type="fill", symbol=other,
                                      side=draw.choice(["BUY", "SELL"]), qty=0.25, price=self.price_of(other),
                                      fee=0.0, realized_pnl=draw.choice([0.0, 0.0, round(draw.uniform(-1, 1), 4)])))
        positions_only = kind == "positions"
        capital, notional, used, trial = self.k_values_after(facts)
        config = trial.v2._cfg
        if not positions_only or draw.random() < 0.5:
            wallet = capital + self.band_distance(config.capital_epsilon, config.pending_fee_bound)
            if draw.random() < 0.1:
                wallet = 0.0
            target = draw.choices(["notional", "margin", "equal", "other"], weights=[3, 3, 3, 1])[0]
            if target == "notional" and notional > 0:
                e_used = notional + self.band_distance(config.capital_epsilon, notional * config.mark_staleness_factor)
            elif target == "margin" and used > 0:
                e_used = used + self.band_distance(config.capital_epsilon, config.leverage_rounding_band)
            elif target == "equal":
                e_used = used
            else:
                e_used = draw.choice([0.0, round(draw.uniform(1, 1000), 2)])
            facts.append(self.row(ts=ts, event_id=event_id, type="balance", wallet_balance=wallet,
                                  available_margin=round(max(0.0, wallet - e_used), 4),
                                  used_margin=max(0.0, e_used), maint_margin=round(e_used * 0.005, 4)))
        for symbol in sorted(trial.book):
            position = trial.book[symbol]
            roll = draw.random()
            if position.qty == 0 and symbol in trial.exchange and roll < 0.95:
                facts.append(self.row(ts=ts, event_id=event_id, type="position", symbol=symbol, qty=0.0))
            elif position.qty != 0 and roll < 0.95:
                mark = position.mark if position.has_mark else position.entry_price
                signed = draw.random() < 0.5
                facts.append(self.row(
                    ts=ts, event_id=event_id, type="position", symbol=symbol,
                    side=None if signed else ("LONG" if position.qty > 0 else "SHORT"),
                    qty=position.qty if signed else abs(position.qty), entry_price=round(position.entry_price, 6),
                    mark_price=mark, unrealized_pnl=round((mark - position.entry_price) * position.qty, 4),
                    leverage=draw.choice([None, position.leverage])))
        if draw.random() < 0.05:  # an exchange position the kernel does not hold
            facts.append(self.row(ts=ts, event_id=event_id, type="position", symbol="DOGEUSDT",
                                  qty=draw.choice([0.0, 1000.0, -250.0]), entry_price=0.08, mark_price=0.081))
        if not facts:
            facts.append(self.row(ts=ts, event_id=event_id, type="funding", amount=0.5))
        self.append(facts)
        self.used_ids.append(event_id)

    def realized_pnl(self, kernel: Kernel) -> float:
        """R2 compares K's cumulative realized with the last fill's, so the
        band is decided by the cumulative realized before this fill: draws
        bring it back near zero now and then."""
        draw = self.random
        cumulative = kernel.v2._k_realized
        choice = draw.choices(["none", "back", "tiny", "any"], weights=[7, 7, 2, 4])[0]
        if choice == "none":
            return 0.0
        if choice == "back":
            return round(-cumulative + draw.choice([0.0, 3e-5, -0.02, 0.05, 0.3]), 10) or 0.01
        if choice == "tiny":
            return draw.choice([0.00005, -0.03, 0.05, 0.0001])
        return round(draw.uniform(-25, 25), draw.choice([2, 4, 8]))

    def new_id(self) -> str:
        """A fresh non-synthetic event id."""
        self.event_number += 1
        return f"ev-{self.event_number}"


def generate(seed: int, events: int = 120) -> str:
    """The scenario text of a seed: the same seed gives the same bytes."""
    return ScenarioGenerator(seed).generate(events)


# ---------------------------------------------------------------------------
# The oracle's own tests (hand-computed values)
# ---------------------------------------------------------------------------

class OracleTests(unittest.TestCase):
    def replay_text(self, body: str, header: str = "ts,event_id,type,symbol,side,qty,price,fee,realized_pnl,"
                    "amount,wallet_balance,used_margin,entry_price,key,value") -> Kernel:
        return replay(header + "\n" + body)

    def test_safe(self) -> None:
        self.assertEqual(_safe(float("nan")), 0.0)
        self.assertEqual(_safe(float("inf"), 7.0), 7.0)
        self.assertEqual(_safe("x", 2.0), 2.0)
        self.assertEqual(_safe(None), 0.0)
        self.assertEqual(_safe(-1.5), -1.5)

    def test_rule1_bands(self) -> None:
        projection = AccountProjectionV2(25000.0)
        projection.apply_balance_update(wallet_balance=24997.6, available_margin=0, used_margin=0, maint_margin=0)
        snapshot = projection.build_snapshot("e1", [], 1.0)
        self.assertEqual(snapshot.reconcile.status, ReconcileStatus.WARN)
        self.assertEqual(snapshot.reconcile.explanations, ["UNSETTLED_FEE|capital_vs_wallet|delta=2.4000"])
        projection.apply_balance_update(wallet_balance=25030, available_margin=0, used_margin=0, maint_margin=0)
        snapshot = projection.build_snapshot("e2", [], 2.0)
        self.assertEqual(snapshot.reconcile.deltas, {"capital_vs_wallet": -30.0})
        self.assertEqual(snapshot.reconcile.explanations, ["ERROR|capital_vs_wallet|delta=30.0000"])

    def test_rule3_and_worst_field(self) -> None:
        projection = AccountProjectionV2(100.0)
        projection.apply_position_update([EPosition("A", 1), EPosition("B", 1)])
        projection.apply_balance_update(wallet_balance=95, available_margin=0, used_margin=0, maint_margin=0)
        slot = TradeSlot(size=1, entry_price=10, unrealized_pnl=0, metadata={})
        snapshot = projection.build_snapshot("e", [slot], 1.0)
        self.assertEqual(snapshot.reconcile.status, ReconcileStatus.ERROR)
        self.assertEqual(snapshot.reconcile.worst_field, "open_positions")
        self.assertEqual(snapshot.reconcile.explanations,
                         ["UNSETTLED_FEE|capital_vs_wallet|delta=5.0000", "ERROR|open_positions|k=1|e=2"])

    def test_book_fold(self) -> None:
        position = BookPosition()
        position.apply_fill(1, 1, 100)
        position.apply_fill(1, 3, 200)
        self.assertEqual((position.qty, position.entry_price), (4, 175))
        position.apply_fill(-1, 4, 300)
        self.assertEqual((position.qty, position.entry_price), (0, 0))
        position.apply_fill(1, 2, 100)
        position.apply_fill(-1, 5, 120)
        self.assertEqual((position.qty, position.entry_price), (-3, 120))

    def test_grouping_duplicates_and_published(self) -> None:
        kernel = self.replay_text(
            ",,config,,,,,,,,,,,seed_capital,10000\n"
            "1,a1,fill,BTCUSDT,BUY,0.1,50000,2,0,,,,,,\n"
            "1,a1,balance,,,,,,,,9998,5000,,,\n"
            "1,a1,position,BTCUSDT,,0.1,,,,,,,50000,,\n"
            "2,,expect,,,,,,,,,,,status,OK\n"
            "2,a1,funding,,,,,,,5,,,,,\n"
            "3,,mark,BTCUSDT,,,50100,,,,,,,,\n"
            "4,,funding,,,,,,,1,,,,,\n")
        self.assertEqual(kernel.duplicates_skipped, 1)
        self.assertEqual([s.event_seq for s in kernel.snapshots], [1, 2, 3])
        self.assertEqual([s.source_event_id for s in kernel.snapshots], ["a1", "row8", "row9"])
        first = kernel.snapshots[0]
        self.assertEqual(first.k.capital, 9998)
        self.assertEqual(first.k.open_notional, 5000)
        self.assertEqual(first.reconcile.status, ReconcileStatus.OK)
        self.assertEqual(list(first.reconcile.deltas), ["capital_vs_wallet", "open_notional", "used_margin"])
        marked = kernel.snapshots[1]
        self.assertEqual(marked.k.unrealized_pnl, 10.0)
        self.assertEqual(marked.reconcile.explanations,
                         ["MARK_PRICE_STALENESS|open_notional|delta=10.0000", "ERROR|used_margin|delta=10.0000"])
        published = kernel.published()
        self.assertEqual(published.capital, 9997)
        self.assertEqual(published.capital_source, "k_bridged")
        self.assertEqual(published.event_seq, 1)
        self.assertEqual(published.peak_capital, 9998)
        self.assertEqual(published.equity, 10007)

    def test_zero_wallet_and_clamp(self) -> None:
        kernel = self.replay_text(
            ",,config,,,,,,,,,,,min_capital,24990\n"
            "1,,balance,,,,,,,,0,,,,\n"
            "2,,fill,BTCUSDT,SELL,1,100,0,-50,,,,,,\n"
            "3,,balance,,,,,,,,-3,,,,\n")
        self.assertEqual(kernel.snapshots[0].reconcile.deltas, {})
        self.assertEqual(kernel.snapshots[1].k.capital, 24990)
        self.assertEqual(kernel.published().capital, 24990)
        self.assertEqual(kernel.published().capital_source, "seed")

    def test_iso_timestamps(self) -> None:
        self.assertEqual(parse_timestamp("2026-01-05T08:00:00Z"), 1767600000.0)
        self.assertEqual(parse_timestamp("2026-01-05T08:00:00.250Z"), 1767600000.25)
        self.assertEqual(parse_timestamp("12.5"), 12.5)
        with self.assertRaises(ScenarioError):
            parse_timestamp("nan")

    def test_unsupported_rows(self) -> None:
        with self.assertRaises(ScenarioError):
            self.replay_text("1,,order,BTCUSDT,BUY,1,,,,,,,,,\n")

    def test_compare_values(self) -> None:
        found: List[str] = []
        compare_values({"a": 0.1, "d": {"x": 1.0, "y": 2.0}, "s": "OK"},
                       {"a": 0.30000000000000004 - 0.2, "d": {"y": 2.0, "x": 1.0}, "s": "OK"}, "", found)
        self.assertEqual(found, ["a: ledgersim 0.10000000000000003, oracle 0.1"])  # one ulp; "d" order is free
        found = []
        compare_values({"deltas": {"x": 1.0, "y": 2.0}}, {"deltas": {"y": 2.0, "x": 1.0}}, "", found)
        self.assertEqual(len(found), 1)

    def test_generated_scenarios_replay(self) -> None:
        text = generate(3, events=40)
        kernel = replay(text)
        self.assertGreater(len(kernel.snapshots), 20)
        statuses = {s.reconcile.status for s in kernel.snapshots}
        self.assertIn(ReconcileStatus.ERROR, statuses)
        self.assertEqual(text, generate(3, events=40))  # deterministic


def coverage(texts: List[str]) -> Dict[str, int]:
    """How often each explanation label and status was hit over scenarios."""
    counts: Dict[str, int] = {}
    for text in texts:
        for snapshot in replay(text).snapshots:
            counts[snapshot.reconcile.status.value] = counts.get(snapshot.reconcile.status.value, 0) + 1
            for explanation in snapshot.reconcile.explanations:
                label = "|".join(explanation.split("|")[:2])
                counts[label] = counts.get(label, 0) + 1
    return counts


def main(argv: List[str]) -> int:
    """The commands of the module docstring; 2 on a usage error."""
    if len(argv) >= 2 and argv[1] == "replay" and len(argv) == 3:
        with open(argv[2], encoding="utf-8", newline="") as handle:
            kernel = replay(handle.read())
        for snapshot in kernel.snapshots:
            print(json.dumps(json_safe(snapshot_record(snapshot))))
        print(json.dumps({"published": json_safe(published_record(kernel.published())),
                          "duplicates_skipped": kernel.duplicates_skipped}))
        return 0
    if len(argv) >= 3 and argv[1] == "supported":
        status = 0
        for path in argv[2:]:
            with open(path, encoding="utf-8", newline="") as handle:
                try:
                    rows = read_rows(handle.read())
                    unsupported = row_types(rows) - SUPPORTED_TYPES
                    unsupported |= {f"reconcile.rules={row.get('value')}" for row in rows
                                    if row.get("type") == "config" and row.get("key") == "reconcile.rules"
                                    and row.get("value") != "seed"}
                except ScenarioError as error:
                    unsupported = {f"unreadable: {error}"}
            if unsupported:
                print(f"skip {path} (uses {', '.join(sorted(unsupported))})")
                status = 1
            else:
                print(f"ok {path}")
        return status
    if len(argv) in (4, 5) and argv[1] == "generate":
        events = int(argv[4]) if len(argv) == 5 else 120
        with open(argv[3], "w", encoding="utf-8", newline="") as handle:
            handle.write(generate(int(argv[2]), events))
        return 0
    if len(argv) >= 4 and argv[1] == "generate-set":
        for spec in argv[3:]:
            seed, events = (int(part) for part in spec.split(":"))
            with open(f"{argv[2]}/generated_seed_{seed}_events_{events}.csv", "w", encoding="utf-8",
                      newline="") as handle:
                handle.write(generate(seed, events))
        return 0
    if len(argv) == 4 and argv[1] == "compare":
        return 1 if compare_run(argv[2], argv[3]) else 0
    if len(argv) >= 2 and argv[1] == "coverage":
        texts = [generate(int(seed)) for seed in argv[2:]]
        for label, count in sorted(coverage(texts).items()):
            print(f"{count:6d} {label}")
        return 0
    if len(argv) == 2 and argv[1] == "selftest":
        suite = unittest.defaultTestLoader.loadTestsFromTestCase(OracleTests)
        result = unittest.TextTestRunner(verbosity=1).run(suite)
        return 0 if result.wasSuccessful() else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
