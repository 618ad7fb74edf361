"""From the engine's events to the books: trades, fees, releases (MKT-2, MKT-5, MKT-10, FEE-1).

The matcher feeds the pure engine and hands its events here. A ``Settlement``
collects, for one batch of commands, everything to commit in one database
transaction: the ledger postings, the ``Trade`` rows and the changed orders.

Each fill is ONE balanced ledger transaction for both customers, through the
operator's trading accounts (docs/ARCHITECTURE.md), in integer minor units:

* the buyer's reserved quote pays ``quote_paid`` (rounded up, MON-2) into
  ``trading:quote``; the seller's available quote receives
  ``quote_received`` (rounded down); the difference — at most one minor
  unit — is the operator's and goes to ``fee_income:quote``;
* the seller's reserved base goes through ``trading:base`` to the buyer's
  available base;
* FEE-1: each side's commission, in the currency it receives, moves from its
  available balance to ``fee_income`` in the same transaction.

When an order closes, what its reservation did not spend goes back to
available (MKT-2) in a posting of its own.

FEE-1 in integers: ``trade_commission`` (``kantor.domain.fees``) computes
``ceil(received × rate × (1 − discount))`` at the minor unit, at least one
minor unit, at most what was received, nothing when the effective rate is
zero. ``commission_minor`` does exactly that on integers (the effective rate
as an exact fraction), because it runs for every fill of the hot path;
``tests/market/test_fees.py`` proves the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import connection

from kantor.core.bulk import copy_rows, is_postgres
from kantor.domain.money import MONEY_CONTEXT, CurrencyPair, Money
from kantor.ledger import accounts
from kantor.ledger.models import Account, AccountKind
from kantor.ledger.operations import Operation
from kantor.ledger.posting import Entry, Posting

from .models import CloseReason, OrderStatus, Trade

__all__ = ["AccountCache", "OrderView", "Settlement", "commission_minor", "fee_fraction"]

TRADE_KIND = "market_fx_trade"
RELEASE_KIND = "market_fx_release"
_MFX = Operation.MARKET_FX.value
_FEE = Operation.MARKET_FX_FEE.value


def fee_fraction(rate: Decimal, discount: Decimal) -> tuple[int, int]:
    """FEE-1: the effective commission rate, ``rate × (1 − discount)``, as num/den."""
    effective = MONEY_CONTEXT.multiply(Decimal(rate), 1 - Decimal(discount))
    num, den = effective.as_integer_ratio()
    return num, den


def commission_minor(received: int, num: int, den: int) -> int:
    """FEE-1 on minor units; equal to ``trade_commission`` (see module docstring)."""
    if num <= 0 or received <= 0:
        return 0
    fee = -(-received * num // den)  # MON-2: the customer pays, rounded up
    return min(max(fee, 1), received)


@dataclass(slots=True, eq=False)
class OrderView:
    """The matcher's working copy of an order that is in (or entering) its book."""

    pk: int
    order_id: str
    customer_id: int
    seq: int
    buy: bool
    in_quote: bool
    volume_minor: int
    ticks: int
    reserved: int
    sold: int
    bought: int
    commission: int
    fee_num: int
    fee_den: int
    #: MARKET_FX history details of this side (orderId, buySell, ...).
    details: dict
    submitted_ts: str
    status: str = OrderStatus.ACTIVE
    close_reason: str = ""
    released: int = 0

    @property
    def base_filled(self) -> int:
        return self.bought if self.buy else self.sold

    @property
    def quote_filled(self) -> int:
        return self.sold if self.buy else self.bought

    @property
    def remaining(self) -> int:
        """The unfilled rest in the volume's currency (what the engine calls remaining)."""
        filled = self.quote_filled if self.in_quote else self.base_filled
        return self.volume_minor - filled


class AccountCache:
    """Ledger accounts by (kind, customer, currency); opened on first use."""

    def __init__(self) -> None:
        self._accounts: dict[tuple[str, int | None, str], Account] = {}
        self._prefetched: set[int] = set()

    def prefetch(self, customer_ids: set[int], currencies: tuple[str, ...]) -> None:
        """One query for the available/reserved accounts of customers not seen yet."""
        missing = customer_ids - self._prefetched
        if not missing:
            return
        rows = Account.objects.filter(
            customer_id__in=missing,
            currency__in=currencies,
            kind__in=(AccountKind.CUSTOMER_AVAILABLE, AccountKind.CUSTOMER_RESERVED),
        )
        for account in rows:
            self._accounts[(account.kind, account.customer_id, account.currency)] = account
        self._prefetched |= missing

    def customer(self, kind: str, customer_id: int, cur: str) -> Account:
        key = (kind, customer_id, cur)
        account = self._accounts.get(key)
        if account is None:
            account = self._accounts[key] = accounts.customer_account(
                customer_id, AccountKind(kind), cur
            )
        return account

    def operator(self, kind: str, cur: str) -> Account:
        key = (kind, None, cur)
        account = self._accounts.get(key)
        if account is None:
            account = self._accounts[key] = accounts.operator_account(AccountKind(kind), cur)
        return account


@dataclass
class Settlement:
    """What one batch of commands commits (see module docstring)."""

    pair: CurrencyPair
    accounts: AccountCache
    now: datetime
    postings: list[Posting] = field(default_factory=list)
    trades: list[Trade] = field(default_factory=list)
    #: index in ``postings`` of each trade's posting, parallel to ``trades``
    trade_postings: list[int] = field(default_factory=list)
    changed: dict[int, OrderView] = field(default_factory=dict)
    #: seq of each incoming order that traded on arrival (for latency figures)
    takers: list[int] = field(default_factory=list)

    def fill(self, seq: int, n: int, maker: OrderView, taker: OrderView, event: tuple) -> None:
        """MKT-5, MKT-10, FEE-1: book one fill (an engine ``Fill`` tuple)."""
        _, _, _, _, _, price, base, paid, received, _ = event
        buyer, seller = (taker, maker) if taker.buy else (maker, taker)
        buyer_fee = commission_minor(base, buyer.fee_num, buyer.fee_den)
        seller_fee = commission_minor(received, seller.fee_num, seller.fee_den)
        q, b = self.pair.quote.code, self.pair.base.code
        acc, op = self.accounts.customer, self.accounts.operator
        trading_q, trading_b = op(AccountKind.TRADING, q), op(AccountKind.TRADING, b)
        seller_avail_q = acc(AccountKind.CUSTOMER_AVAILABLE, seller.customer_id, q)
        buyer_avail_b = acc(AccountKind.CUSTOMER_AVAILABLE, buyer.customer_id, b)
        entries = [
            Entry(acc(AccountKind.CUSTOMER_RESERVED, buyer.customer_id, q), paid, _MFX),
            Entry(trading_q, -paid),
            Entry(acc(AccountKind.CUSTOMER_RESERVED, seller.customer_id, b), base, _MFX),
            Entry(trading_b, -base),
            Entry(trading_b, base),
            Entry(buyer_avail_b, -base, _MFX),
        ]
        if received:
            entries += [Entry(trading_q, received), Entry(seller_avail_q, -received, _MFX)]
        if paid > received:  # MON-2: the rounding remainder is the operator's
            entries += [
                Entry(trading_q, paid - received),
                Entry(op(AccountKind.FEE_INCOME, q), received - paid),
            ]
        if buyer_fee:
            entries += [
                Entry(buyer_avail_b, buyer_fee, _FEE),
                Entry(op(AccountKind.FEE_INCOME, b), -buyer_fee),
            ]
        if seller_fee:
            entries += [
                Entry(seller_avail_q, seller_fee, _FEE),
                Entry(op(AccountKind.FEE_INCOME, q), -seller_fee),
            ]
        rate = Decimal(price).scaleb(-self.pair.rate_decimals)
        code = self.pair.code
        self.trade_postings.append(len(self.postings))
        self.postings.append(
            Posting(
                idempotency_key=f"market:{code}:{seq}:{n}",
                kind=TRADE_KIND,
                entries=entries,
                description=f"P2P {code} {Money.from_minor(base, b)} @ {rate}",
                details={
                    "currencyPair": code,
                    "rate": str(rate),
                    "tradeId": f"{code}:{seq}:{n}",
                    "per_customer": {
                        str(buyer.customer_id): buyer.details,
                        str(seller.customer_id): seller.details,
                    },
                },
                created_at=self.now,
            )
        )
        self.trades.append(
            Trade(
                pair=code,
                seq=seq,
                n=n,
                maker_id=maker.pk,
                taker_id=taker.pk,
                taker_side="BUY" if taker.buy else "SELL",
                price=rate,
                base_minor=base,
                quote_paid_minor=paid,
                quote_received_minor=received,
                buyer_commission_minor=buyer_fee,
                seller_commission_minor=seller_fee,
                created_at=self.now,
            )
        )
        buyer.sold += paid
        buyer.bought += base
        buyer.commission += buyer_fee
        seller.sold += base
        seller.bought += received
        seller.commission += seller_fee
        self.changed[buyer.pk] = buyer
        self.changed[seller.pk] = seller

    def close(self, view: OrderView, reason: str, event: tuple) -> None:
        """The order left the book: release what its cover did not spend (MKT-2)."""
        _, _, _, _, _, base_filled, quote_filled, _ = event
        if (base_filled, quote_filled) != (view.base_filled, view.quote_filled):
            raise AssertionError(
                f"order {view.order_id}: engine totals {base_filled}/{quote_filled} != "
                f"settled {view.base_filled}/{view.quote_filled}"
            )
        view.status = OrderStatus.CLOSED
        view.close_reason = CloseReason(reason)
        view.released = view.reserved - view.sold
        self.changed[view.pk] = view
        released = view.released
        if released > 0:
            q, b = self.pair.quote.code, self.pair.base.code
            cur = q if view.buy else b
            acc = self.accounts.customer
            self.postings.append(
                Posting(
                    idempotency_key=f"market:release:{view.order_id}",
                    kind=RELEASE_KIND,
                    entries=[
                        Entry(acc(AccountKind.CUSTOMER_RESERVED, view.customer_id, cur), released),
                        Entry(
                            acc(AccountKind.CUSTOMER_AVAILABLE, view.customer_id, cur), -released
                        ),
                    ],
                    description=f"MKT-2 release of order {view.order_id} ({reason})",
                    details={"orderId": view.order_id, "currencyPair": self.pair.code},
                    created_at=self.now,
                )
            )

    def write_trades(self, transaction_ids: list) -> None:
        """The batch's trades, each with its ledger transaction (``post_many``'s
        ids, parallel to ``postings``): ``COPY`` on PostgreSQL."""
        for trade, index in zip(self.trades, self.trade_postings, strict=True):
            trade.transaction_id = transaction_ids[index]
        if not self.trades:
            return
        if not is_postgres():
            Trade.objects.bulk_create(self.trades)
            return
        copy_rows(
            "market_trade",
            _TRADE_COLUMNS,
            (
                (t.pair, t.seq, t.n, t.maker_id, t.taker_id, t.taker_side, t.price, t.base_minor,
                 t.quote_paid_minor, t.quote_received_minor, t.buyer_commission_minor,
                 t.seller_commission_minor, t.transaction_id, t.created_at)
                for t in self.trades
            ),
        )  # fmt: skip

    def write_orders(self) -> None:
        """Write the changed orders in primary-key order (row locks always in
        the same order): one ``UPDATE … FROM unnest(…)`` on PostgreSQL, an
        ``executemany`` elsewhere — not ``bulk_update``, whose CASE
        expressions cost more than the matching.
        """
        if not self.changed:
            return
        views = sorted(self.changed.values(), key=lambda v: v.pk)
        closed = OrderStatus.CLOSED
        with connection.cursor() as cursor:
            if is_postgres():
                cursor.execute(
                    _UPDATE_ORDERS_PG,
                    {
                        "id": [v.pk for v in views], "sold": [v.sold for v in views],
                        "bought": [v.bought for v in views],
                        "commission": [v.commission for v in views],
                        "released": [v.released for v in views],
                        "status": [str(v.status) for v in views],
                        "reason": [str(v.close_reason) for v in views],
                        "closed": [v.status == closed for v in views], "now": self.now,
                    },
                )  # fmt: skip
                return
            now = connection.ops.adapt_datetimefield_value(self.now)
            rows = [
                (v.sold, v.bought, v.commission, v.released, str(v.status), str(v.close_reason),
                 now if v.status == closed else None, now, v.pk)
                for v in views
            ]  # fmt: skip
            cursor.executemany(_UPDATE_ORDER, rows)


_TRADE_COLUMNS = (
    "pair, seq, n, maker_id, taker_id, taker_side, price, base_minor, quote_paid_minor, "
    "quote_received_minor, buyer_commission_minor, seller_commission_minor, transaction_id, "
    "created_at"
)
_UPDATE_ORDER = (
    "UPDATE market_order SET sold_minor = %s, bought_minor = %s, commission_minor = %s, "
    "released_minor = %s, status = %s, close_reason = %s, closed_at = %s, updated_at = %s "
    "WHERE id = %s"
)
_UPDATE_ORDERS_PG = (
    "UPDATE market_order AS o SET sold_minor = v.sold, bought_minor = v.bought, "
    "commission_minor = v.commission, released_minor = v.released, status = v.status, "
    "close_reason = v.reason, closed_at = CASE WHEN v.closed THEN %(now)s END, "
    "updated_at = %(now)s "
    "FROM unnest(%(id)s::bigint[], %(sold)s::bigint[], %(bought)s::bigint[], "
    "%(commission)s::bigint[], %(released)s::bigint[], %(status)s::text[], %(reason)s::text[], "
    "%(closed)s::boolean[]) AS v(id, sold, bought, commission, released, status, reason, closed) "
    "WHERE o.id = v.id"
)
