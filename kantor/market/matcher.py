"""One sequential matcher per pair (the LMAX / exchange-core shape, in Python).

A ``Matcher`` owns its pair's in-memory ``OrderBook`` and is the only writer
of fills. Its input is the durable ordered log of accepted commands (orders
by ``Order.seq``, cancels by ``Order.cancel_seq``, see ``models``); for each
batch of up to ``KANTOR_MARKET_BATCH_SIZE`` commands it:

1. reads the next commands after ``MatcherState.applied_seq``, in sequence;
2. feeds them to the engine (MKT-3..9, the MKT-7 band from the mid *at
   matching time*) and turns the events into postings, trades and order
   changes (``kantor.market.settlement``);
3. commits all of it in ONE database transaction (``post_many`` for the
   postings), together with ``applied_seq`` — compare-and-set: if another
   process moved it, nothing commits — and the published book (MKT-12).

Crash safety: a batch commits whole or not at all. After a crash or any
failed commit the matcher rebuilds its book from the orders resting at
``applied_seq`` (``load``) and applies the same commands again. No accepted
order is lost (it is in the log); no trade is booked twice (the batch that
booked it moved ``applied_seq`` past it, and its ledger idempotency key
``market:PAIR:seq:n`` is unique).

``run_matcher_once(pair)`` drains the log synchronously (tests, CLI
``--once``); ``run_forever`` is the process ``kantor market matcher`` runs,
woken by ``kantor.market.doorbell``.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from kantor.api.formats import format_rate, format_ts
from kantor.core.rows import RowLoader
from kantor.domain.money import Money
from kantor.domain.orderbook_events import CommandKind, EventKind, OrderState, Side
from kantor.ledger.posting import post_many
from kantor.rates.errors import NoRateForPair
from kantor.rates.queries import mid_at

from . import conf
from .doorbell import MatcherSession
from .models import MatcherState, Order, OrderStatus
from .pairs import MarketPair, market_pair
from .settlement import AccountCache, OrderView, Settlement, fee_fraction
from .snapshot import take_snapshot

__all__ = ["BatchResult", "Matcher", "StaleMatcher", "run_forever", "run_matcher_once"]

log = logging.getLogger("kantor.market")

_FILL, _DONE = EventKind.FILL, EventKind.DONE
_SUBMIT_FULL, _CANCEL = CommandKind.SUBMIT_FULL, CommandKind.CANCEL
_BUY, _SELL = Side.BUY, Side.SELL
_ORDER_FIELDS = (
    "pk", "order_id", "customer_id", "seq", "side", "volume_minor", "volume_currency",
    "limit_price", "reserved_minor", "sold_minor", "bought_minor", "commission_minor",
    "commission_rate", "fee_discount", "submit_id", "ordered_by", "submitted_at",
)  # fmt: skip


_ORDERS = RowLoader(Order, _ORDER_FIELDS)
_PENDING_SUBMITS = (
    f"SELECT {_ORDERS.columns('o')} FROM market_order o "  # noqa: S608
    "WHERE pair = %s AND seq > %s ORDER BY seq LIMIT %s"
)
_PENDING_CANCELS = (
    "SELECT cancel_seq, seq FROM market_order WHERE pair = %s AND cancel_seq > %s "
    "ORDER BY cancel_seq LIMIT %s"
)


def _advance(code: str, applied: int, changes: dict) -> int:
    """Compare-and-set of the pair's ``MatcherState`` (``applied_seq`` must still
    be ``applied``) with ``changes``: rows updated (0 or 1). Plain SQL — the
    ORM's ``update`` compiled a query per batch."""
    ops = connection.ops  # values adapted as the ORM adapts them
    adapt = {
        "applied_seq": int,
        "updated_at": ops.adapt_datetimefield_value,
        "book": lambda book: ops.adapt_json_value(book, None),
    }
    columns = [name for name in adapt if name in changes]
    sql = (
        "UPDATE market_matcherstate SET "  # noqa: S608 (constant column names)
        + ", ".join(f"{name} = %s" for name in columns)
        + " WHERE pair = %s AND applied_seq = %s"
    )
    params = [adapt[name](changes[name]) for name in columns]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, code, applied])
        return cursor.rowcount


class StaleMatcher(RuntimeError):
    """``applied_seq`` moved under this matcher: another one ran the pair."""

    code = "MATCHER_STALE"


@dataclass
class BatchResult:
    """What one committed batch did (the bench reads the latency fields)."""

    pair: str
    commands: int = 0
    trades: int = 0
    first_seq: int = 0
    last_seq: int = 0
    #: seqs of incoming orders that traded on arrival
    takers: list[int] = field(default_factory=list)
    committed_at: float = 0.0


class Matcher:
    """The matcher of one pair; see the module docstring."""

    def __init__(self, pair: str, *, on_commit: Callable[[BatchResult], None] | None = None):
        self.market: MarketPair = market_pair(pair, offered_only=False)
        self.code = self.market.code
        self.on_commit = on_commit
        self.batches = 0
        self.warned_no_mid = False
        self.stale = True
        self.snapshot_due = 0.0  # monotonic time before which the book is not republished
        self.unpublished = False
        self.load()

    # -- state -------------------------------------------------------------------------
    def load(self) -> None:
        """Rebuild the book from the orders resting at ``applied_seq`` (after a restart)."""
        state, _ = MatcherState.objects.get_or_create(pair=self.code)
        self.applied = state.applied_seq
        self.published = {k: v for k, v in (state.book or {}).items() if k not in ("ts", "seq")}
        self.book = self.market.new_book()
        self.accounts = AccountCache()
        self.views: dict[int, OrderView] = {}
        rows = (
            Order.objects.filter(pair=self.code, status=OrderStatus.ACTIVE, seq__lte=self.applied)
            .order_by("seq")
            .values(*_ORDER_FIELDS)
        )
        states = []
        for row in rows.iterator(chunk_size=5000):
            view = self._view(row)
            self.views[view.seq] = view
            side = Side.BUY if view.buy else Side.SELL
            states.append(
                OrderState(view.seq, view.customer_id, side, view.ticks, view.remaining,
                           view.in_quote, view.base_filled, view.quote_filled)
            )  # fmt: skip
        self.book.restore(states)
        self.stale = False

    def _view(self, row: dict, *, new: bool = False) -> OrderView:
        """The working copy of an order row; a ``new`` order enters the book unfilled."""
        pair = self.market.pair
        buy = row["side"] == "BUY"
        volume_cur = row["volume_currency"]
        num, den = fee_fraction(row["commission_rate"], row["fee_discount"])
        details = {
            "orderId": str(row["order_id"]),
            "buySell": row["side"],
            "orderVolume": str(Money.from_minor(row["volume_minor"], volume_cur)),
            "priceLimit": format_rate(row["limit_price"], pair),
        }
        if row["submit_id"]:
            details["submitId"] = row["submit_id"]
        if row["ordered_by"]:
            details["orderedBy"] = row["ordered_by"]
        return OrderView(
            pk=row["pk"],
            order_id=str(row["order_id"]),
            customer_id=row["customer_id"],
            seq=row["seq"],
            buy=buy,
            in_quote=volume_cur == pair.quote.code,
            volume_minor=row["volume_minor"],
            ticks=self.market.scale.ticks(row["limit_price"]),
            reserved=row["reserved_minor"],
            sold=0 if new else row["sold_minor"],
            bought=0 if new else row["bought_minor"],
            commission=0 if new else row["commission_minor"],
            fee_num=num,
            fee_den=den,
            details=details,
            submitted_ts=format_ts(row["submitted_at"]),
        )

    # -- one batch -----------------------------------------------------------------------
    def pending(self, limit: int) -> list[tuple[int, str, object]]:
        """The next commands after ``applied`` in sequence: (seq, "submit"|"cancel", payload)."""
        # Plain SQL (``RowLoader``): compiling the ORM's two queries cost more
        # than running them, once per batch.
        with connection.cursor() as cursor:
            cursor.execute(_PENDING_SUBMITS, [self.code, self.applied, limit])
            rows = [dict(zip(_ORDER_FIELDS, _ORDERS.convert(r), strict=True)) for r in cursor]
            commands = [(row["seq"], "submit", row) for row in rows]
            cursor.execute(_PENDING_CANCELS, [self.code, self.applied, limit])
            commands += [(cseq, "cancel", seq) for cseq, seq in cursor.fetchall()]
        commands.sort(key=lambda c: c[0])
        out = []
        expected = self.applied + 1
        for command in commands[:limit]:
            if command[0] != expected:  # numbers commit densely; a gap is not yet visible
                break
            out.append(command)
            expected += 1
        return out

    def run_once(self) -> BatchResult:
        """Apply and commit the next batch; a result with ``commands == 0`` if none."""
        if self.stale:
            self.load()
        commands = self.pending(conf.batch_size())
        result = BatchResult(self.code)
        if not commands:
            self.publish_pending()  # the log is drained: the book catches up
            return result
        now = timezone.now()
        settlement = Settlement(self.market.pair, self.accounts, now)
        try:
            self._apply(commands, settlement, now)
            self._commit(commands, settlement, now)
        except BaseException:
            self.stale = True  # the book ran ahead of the database: reload what committed
            raise
        result.commands = len(commands)
        result.trades = len(settlement.trades)
        result.first_seq, result.last_seq = commands[0][0], commands[-1][0]
        result.takers = settlement.takers
        result.committed_at = time.time()
        if self.on_commit is not None:
            self.on_commit(result)
        return result

    def _band(self, now: datetime) -> tuple[int, int] | None:
        """MKT-7: the ticks allowed at matching time; no mid known → no band."""
        deviation = conf.price_band()
        if deviation is None:
            return None
        try:
            mid = mid_at(self.code, now)
        except NoRateForPair:
            if not self.warned_no_mid:
                log.warning("%s: no mid rate yet, trading without the MKT-7 band", self.code)
                self.warned_no_mid = True
            return None
        return self.market.scale.price_band(mid, deviation)

    def _apply(self, commands, settlement: Settlement, now: datetime) -> None:
        """The batch through the engine in one call (``OrderBook.apply``), its
        events into the settlement: fills by taker (the incoming order's seq),
        closes (a ``Done``) with their releases."""
        band = self._band(now)
        views = self.views
        new = [c[2] for c in commands if c[1] == "submit"]
        ids = {row["customer_id"] for row in new}
        self.accounts.prefetch(ids, (self.market.pair.base.code, self.market.pair.quote.code))
        batch = []
        for seq, kind, payload in commands:
            if kind == "submit":
                view = views[seq] = self._view(payload, new=True)
                side = _BUY if view.buy else _SELL
                batch.append(
                    (_SUBMIT_FULL, seq, view.customer_id, side, view.ticks, view.volume_minor,
                     view.in_quote, band)
                )  # fmt: skip
            else:
                batch.append((_CANCEL, payload))
        taker, n = None, 0
        for event in self.book.apply(batch, band, rested=False):
            kind_ = event[0]
            if kind_ is _FILL:
                seq = event[2]
                if seq != taker:
                    taker, n = seq, 0
                    settlement.takers.append(seq)
                settlement.fill(seq, n, views[event[1]], views[seq], event)
                n += 1
            elif kind_ is _DONE:
                settlement.close(views.pop(event[1]), event[4], event)

    def _commit(self, commands, settlement: Settlement, now: datetime) -> None:
        last = commands[-1][0]
        changes: dict = {"applied_seq": last, "updated_at": now}
        published = self._snapshot_if_due(last, now, changes)
        with transaction.atomic():
            # compare-and-set first: a stale matcher fails before writing anything,
            # and a second one waits on this row until the first commits
            if _advance(self.code, self.applied, changes) != 1:
                raise StaleMatcher(f"{self.code}: applied_seq moved under this matcher")
            # No savepoint: a failed batch rolls back whole. No look-up of the
            # keys (new_keys): they name (pair, seq, n) and orders that this
            # compare-and-set lets only one batch ever book; the unique index
            # still refuses a repeat.
            settlement.write_trades(post_many(settlement.postings, savepoint=False, new_keys=True))
            settlement.write_orders()
            self.batches += 1
            _test_pause_before_commit(self.batches)
        self.applied = last
        self._published(published)

    # -- the published book (MKT-12) -------------------------------------------------------
    def _snapshot_if_due(self, seq: int, now: datetime, changes: dict) -> dict | None:
        """Put the book's top into ``changes`` when it moved and may be published.

        Publishing walks the top levels' orders; at one order per batch (the
        API's steady trickle) that cost more than the batch. So the book is
        published at most every ``KANTOR_MARKET_SNAPSHOT_INTERVAL`` seconds
        during a burst, and ``publish_pending`` catches up as soon as the log
        is drained (``run_forever`` looks again after that interval); fills
        themselves are never delayed.
        """
        if time.monotonic() < self.snapshot_due:
            self.unpublished = True
            return None
        snapshot = take_snapshot(
            self.book, self.views, depth=conf.snapshot_levels(), seq=seq, ts=format_ts(now)
        )
        published = {k: v for k, v in snapshot.items() if k not in ("ts", "seq")}
        if published != self.published:  # rewrite the book only when its top moved
            changes["book"] = snapshot
        return published

    def _published(self, published: dict | None) -> None:
        if published is not None:
            self.published = published
            self.unpublished = False
            self.snapshot_due = time.monotonic() + conf.snapshot_interval()

    def publish_pending(self) -> bool:
        """Publish the book a throttled batch left unpublished; True if it wrote."""
        if not self.unpublished or self.stale:
            return False
        changes: dict = {}
        self.snapshot_due = 0.0
        published = self._snapshot_if_due(self.applied, timezone.now(), changes)
        if "book" in changes and _advance(self.code, self.applied, changes) != 1:
            self.stale = True
            raise StaleMatcher(f"{self.code}: applied_seq moved under this matcher")
        self._published(published)
        return "book" in changes


def _test_pause_before_commit(batch: int) -> None:
    """Test hook: with ``KANTOR_MARKET_TEST_PAUSE_BEFORE_COMMIT=N`` the matcher
    announces batch N's writes, uncommitted, on stdout and blocks, so that a
    test can SIGKILL it mid-batch. Never set in production."""
    wanted = os.environ.get("KANTOR_MARKET_TEST_PAUSE_BEFORE_COMMIT")
    if wanted and int(wanted) == batch:
        sys.stdout.write(f"PAUSED {batch}\n")
        sys.stdout.flush()
        sys.stdin.readline()


def run_matcher_once(pair: str) -> list[BatchResult]:
    """Apply every command accepted so far, synchronously, from a freshly loaded book."""
    matcher = Matcher(pair)
    results = []
    while (result := matcher.run_once()).commands:
        results.append(result)
    return results


def run_forever(
    pairs: Iterable[str],
    stop: threading.Event,
    *,
    safety_timeout: float = 1.0,
    max_failures: int = 5,
    park_seconds: float = 30.0,
    on_commit: Callable[[BatchResult], None] | None = None,
) -> None:
    """The matcher process: one matcher per pair, woken by the doorbell.

    Pairs take turns, one batch each, so a busy pair cannot starve the
    others. ``MatcherLocked`` if another process already runs one of them.
    Failures count per pair: a pair whose batch fails ``max_failures`` times
    in a row is parked for ``park_seconds`` (logged as an error) while the
    other pairs go on trading; when every pair is parked — the database is
    gone, not one pair broken — the process raises, for its supervisor to
    restart it.
    """
    codes = sorted({market_pair(p, offered_only=False).code for p in pairs})
    with MatcherSession(codes) as session:
        matchers = {code: Matcher(code, on_commit=on_commit) for code in codes}
        log.info("matching %s", ", ".join(codes))
        busy, size = set(codes), conf.batch_size()
        failures = dict.fromkeys(codes, 0)
        parked: dict[str, float] = {}  # pair → when to try it again (monotonic)
        while not stop.is_set():
            for code in sorted(busy):
                if parked.get(code, 0.0) > time.monotonic():
                    busy.discard(code)
                    continue
                try:
                    result = matchers[code].run_once()
                except Exception:
                    failures[code] += 1
                    log.exception("%s: batch failed (%d in a row)", code, failures[code])
                    if failures[code] >= max_failures:
                        parked[code] = time.monotonic() + park_seconds
                        failures[code] = 0
                        log.error("%s: parked for %.0f s after failures", code, park_seconds)
                        if all(parked.get(c, 0.0) > time.monotonic() for c in codes):
                            raise
                    close_old_connections()
                    stop.wait(0.05 * max(failures[code], 1))  # let the database recover
                    continue
                failures[code] = 0
                parked.pop(code, None)
                if result.commands < size:
                    busy.discard(code)
            if busy:
                busy |= session.wait(0)
                continue
            behind = any(m.unpublished for m in matchers.values())
            woken = session.wait(
                min(safety_timeout, conf.snapshot_interval()) if behind else safety_timeout
            )
            busy = woken or set(codes)
