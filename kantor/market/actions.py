"""Write operations of the market: accepting orders and cancels (MKT-1..9, FEE-2).

Accepting is one short transaction (Zulip-style action; never ``durable``:
the API's ``submit`` runs it inside its own transaction): validate, reserve
the full cover (MKT-2: ``available → reserved``, one ledger posting), take
the pair's next sequence number, insert the order, ring the matcher. The
sequence number is taken last, under the ``MarketSequence`` row lock, so the
lock is held only for the insert and the commit, and numbers commit in
order. Matching happens later, in the pair's matcher (``kantor.market.matcher``),
which is the only writer of fills.

Rows are locked in one order everywhere — ledger accounts (in primary-key
order, by the posting code), then an order row, then the sequence row — so
acceptance, cancels and the matcher cannot deadlock.

``place_order`` is idempotent by ``submit_id`` (per customer): a repeat
returns the first order and books nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from kantor.core import audit
from kantor.core.bulk import FEW, copy_rows, insert_returning_ids, is_postgres, marks, next_ids
from kantor.core.rows import RowLoader
from kantor.customers.models import Customer
from kantor.domain.money import CurrencyPair, Money
from kantor.domain.orderbook_events import Side
from kantor.ledger import accounts
from kantor.ledger.models import Account, AccountKind
from kantor.ledger.posting import Entry, InsufficientFunds, Posting, post_many
from kantor.rates.queries import pair_config

from . import conf
from .doorbell import RING_SQL, ring
from .errors import InvalidOrder, OrderNotFound
from .models import BuySell, Order, OrderStatus
from .pairs import open_market
from .validation import OrderRequest, require_no_arrears, validate_order

__all__ = [
    "OrderRequest",
    "cancel_customer_orders",
    "cancel_order",
    "cancel_orders",
    "place_order",
    "place_orders",
    "preview_order",
    "validate_order",
]

RESERVE_KIND = "market_fx_reserve"
_BY_SUBMIT_ID = "SELECT * FROM market_order WHERE customer_id = %s AND submit_id = %s LIMIT 1"


def preview_order(customer: Customer, *args, **kwargs) -> OrderRequest:
    """A dry run: ``place_order``'s checks, funds included, booking nothing."""
    request = validate_order(customer, *args, **kwargs)
    account = accounts.available(customer, request.reservation.currency.code)
    if account.balance_minor < request.reservation.minor:
        raise InsufficientFunds(account, account.balance_minor, request.reservation.minor)
    return request


@transaction.atomic
def place_order(
    customer: Customer,
    pair: str | CurrencyPair,
    side: BuySell | Side | str,
    volume: Decimal | str | Money,
    volume_currency: str | None,
    limit_price: Decimal | str,
    *,
    submit_id: str = "",
    ordered_by: str = "",
    now: datetime | None = None,
) -> Order:
    """MKT-1/2: accept an order with full cover reserved; the matcher trades it.

    Raises ``PairNotOffered``/``UnsupportedCurrency`` (CURRENCY_NOT_SUPPORTED),
    ``InvalidOrder``/``InvalidAmount`` (INVALID_ARGUMENTS), ``AmountTooSmall``
    (MKT-8), ``NotAllowed``/``FeesInArrears`` (NOT_AUTHORIZED, FEE-2) or the
    ledger's ``InsufficientFunds`` (MKT-2, checked under the balance's lock).
    """
    if submit_id:
        for existing in Order.objects.raw(_BY_SUBMIT_ID, [customer.pk, submit_id]):
            return existing
    request = validate_order(
        customer, pair, side, volume, volume_currency, limit_price, check_arrears=False
    )
    return _accept([request], submit_ids=[submit_id], ordered_by=[ordered_by], now=now)[0]


@transaction.atomic(savepoint=False)
def place_orders(
    requests: Sequence[OrderRequest],
    *,
    submit_ids: Sequence[str] | None = None,
    ordered_by: str | Sequence[str] = "",
    order_ids: Sequence[uuid.UUID] | None = None,
    now: datetime | None = None,
) -> list[Order]:
    """Accept several validated orders of one pair in one transaction, in their order.

    A gateway's group commit (``validate_order`` each, then this): one
    reservation batch, one range of sequence numbers, one insert. All or
    none: ``InsufficientFunds`` for one refuses all, and so does a
    ``submit_id`` the customer used before (``IntegrityError``); inside a
    caller's transaction (a gateway's group) without a savepoint, so a
    refusal fails the caller's transaction too. ``submit_ids``,
    ``ordered_by`` and ``order_ids`` (new, made by the caller, e.g. to write
    its answers first) are per order, parallel to ``requests``; or one
    ``ordered_by`` for all.
    """
    requests = list(requests)
    if isinstance(ordered_by, str):
        ordered_by = [ordered_by] * len(requests)
    if any(
        given is not None and len(given) != len(requests)
        for given in (ordered_by, submit_ids, order_ids)
    ):
        raise InvalidOrder("submit_ids, ordered_by and order_ids must match the orders")
    return _accept(
        requests, submit_ids=submit_ids, ordered_by=list(ordered_by), order_ids=order_ids, now=now
    )


def _accept(
    requests: list[OrderRequest],
    *,
    submit_ids: Sequence[str] | None,
    ordered_by: list[str],
    now: datetime | None,
    order_ids: Sequence[uuid.UUID] | None = None,
) -> list[Order]:
    if not requests:
        return []
    code = requests[0].pair.code
    if any(r.pair.code != code for r in requests):
        raise InvalidOrder("one batch, one pair")
    now = now or timezone.now()
    # submitTs is shown, and olderThan paginates, at millisecond precision: keep
    # exactly that, a customer's orders one millisecond apart within a batch, so
    # that paging through /orders/active never skips an order sharing its
    # neighbour's timestamp (per customer: a gateway's group of many
    # customers' orders must not stamp them far into the future).
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    fee_rate = conf.commission_rate()
    holding = _holding_accounts({(r.customer.pk, r.reservation.currency.code) for r in requests})
    for r in {r.customer.pk: r for r in requests}.values():  # FEE-2, from the same query
        require_no_arrears(r.customer, holding.get(("owed", r.customer.pk), []))
    orders, postings = [], []
    per_customer: dict[int, int] = {}
    for i, r in enumerate(requests):
        cur = r.reservation.currency.code
        # a customer's orders of one batch a millisecond apart (see above)
        nth = per_customer[r.customer.pk] = per_customer.get(r.customer.pk, -1) + 1
        order = Order(
            order_id=order_ids[i] if order_ids else uuid.uuid4(),
            customer=r.customer,
            pair=code,
            side=r.side,
            volume_minor=r.volume.minor,
            volume_currency=r.volume.currency.code,
            limit_price=r.limit_price,
            sold_currency=cur,
            bought_currency=r.bought_currency,
            reserved_minor=r.reservation.minor,
            commission_rate=fee_rate,
            fee_discount=Decimal(r.customer.fee_discount or 0),
            submit_id=submit_ids[i] if submit_ids else "",
            ordered_by=ordered_by[i],
            submitted_at=now + timedelta(milliseconds=nth),
            updated_at=now,
        )
        orders.append(order)
        key = (r.customer.pk, cur)
        postings.append(
            Posting(
                idempotency_key=f"market:reserve:{order.order_id}",
                kind=RESERVE_KIND,
                entries=[
                    Entry(holding[(AccountKind.CUSTOMER_AVAILABLE, *key)], r.reservation.minor),
                    Entry(holding[(AccountKind.CUSTOMER_RESERVED, *key)], -r.reservation.minor),
                ],
                description=f"MKT-2 cover of {r.side} {r.volume} {code} @ {r.limit_price}",
                details={"orderId": str(order.order_id), "currencyPair": code},
                submit_id=order.submit_id,
                ordered_by=order.ordered_by,
                created_at=now,
            )
        )
    # MON-5 under the accounts' locks: InsufficientFunds. No savepoint of its
    # own: place_order(s) is all or nothing (its own atomic block rolls back).
    post_many(postings, new_keys=True, savepoint=False)
    last = _take_sequence(code, len(orders))  # and rings the matcher
    for offset, order in enumerate(orders):
        order.seq = last - len(orders) + 1 + offset
    _insert_orders(orders)
    return orders


_ORDER_COLUMNS = (
    "order_id, customer_id, pair, seq, side, volume_minor, volume_currency, limit_price, "
    "sold_currency, bought_currency, reserved_minor, sold_minor, bought_minor, "
    "commission_minor, released_minor, commission_rate, fee_discount, status, close_reason, "
    "cancel_reason, submit_id, ordered_by, submitted_at, updated_at"
)


def _insert_orders(orders: list[Order]) -> None:
    """New orders in one statement on PostgreSQL (``kantor.core.bulk``): a
    few with ``INSERT … RETURNING id``, many with ``COPY`` under ids taken first."""
    if not is_postgres():
        Order.objects.bulk_create(orders)
        return
    rows = [
        (o.order_id, o.customer_id, o.pair, o.seq, o.side, o.volume_minor, o.volume_currency,
         o.limit_price, o.sold_currency, o.bought_currency, o.reserved_minor, 0, 0, 0, 0,
         o.commission_rate, o.fee_discount, o.status, "", "", o.submit_id, o.ordered_by,
         o.submitted_at, o.updated_at)
        for o in orders
    ]  # fmt: skip
    if len(rows) <= FEW:
        ids = insert_returning_ids("market_order", _ORDER_COLUMNS, rows)
    else:
        ids = next_ids("market_order", len(rows))
        copy_rows(
            "market_order",
            f"id, {_ORDER_COLUMNS}",
            [(pk, *row) for pk, row in zip(ids, rows, strict=True)],
        )
    for order, pk in zip(orders, ids, strict=True):
        order.pk = pk
        order._state.adding, order._state.db = False, connection.alias


def _holding_accounts(keys: set[tuple[int, str]]) -> dict[tuple, Any]:
    """One query: the available and reserved accounts of (customer, currency)
    pairs, and under ``("owed", customer)`` the customers' receivables (FEE-2).

    A plain cursor (``RowLoader``): compiling the equivalent ORM query cost
    more than running it, once per accepted order or group.
    """
    kinds = (AccountKind.CUSTOMER_AVAILABLE.value, AccountKind.CUSTOMER_RESERVED.value)
    customers = sorted({c for c, _ in keys})
    currencies = sorted({cur for _, cur in keys})
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_ACCOUNTS.columns('a')} FROM ledger_account a "  # noqa: S608
            f"WHERE customer_id IN ({marks(len(customers))}) AND ("
            f"(kind IN (%s, %s) AND currency IN ({marks(len(currencies))})) "
            "OR (kind = %s AND balance_minor > 0))",
            [*customers, *kinds, *currencies, AccountKind.CUSTOMER_RECEIVABLE.value],
        )
        rows = [_ACCOUNTS.load(row) for row in cursor.fetchall()]
    found: dict[tuple, Any] = {}
    for a in rows:
        if a.kind == AccountKind.CUSTOMER_RECEIVABLE:
            found.setdefault(("owed", a.customer_id), []).append(a)
        else:
            found[(a.kind, a.customer_id, a.currency)] = a
    for customer_id, cur in keys:
        for kind in kinds:
            if (kind, customer_id, cur) not in found:
                found[(kind, customer_id, cur)] = accounts.customer_account(
                    customer_id, AccountKind(kind), cur
                )
    return found


_ACCOUNTS = RowLoader(Account)


def _take_sequence(code: str, count: int) -> int:
    """The last of ``count`` new sequence numbers of the pair (row-locked until
    commit); rings the pair's matcher for when the transaction commits (on
    PostgreSQL in the same statement)."""
    postgres = is_postgres()
    ringing = f", {RING_SQL}" if postgres else ""
    sql = f"UPDATE market_marketsequence SET last_seq = last_seq + %s WHERE pair = %s RETURNING last_seq{ringing}"  # noqa: S608, E501 (constants)
    with connection.cursor() as cursor:
        cursor.execute(sql, [count, code])
        row = cursor.fetchone()
        if row is None:  # the pair's market opens now
            open_market(pair_config(code, offered_only=False))
            cursor.execute(sql, [count, code])
            row = cursor.fetchone()
    if not postgres:
        ring(code)
    return int(row[0])


@transaction.atomic
def cancel_order(
    order: Order | uuid.UUID | str,
    *,
    customer: Customer | None = None,
    acting_user=None,
    reason: str = "",
    now: datetime | None = None,
) -> Order:
    """MKT-9: accept a cancel of the unfilled rest; the matcher applies it in sequence.

    With ``customer`` the order must be theirs (else ``OrderNotFound``);
    without, it is an operator's cancel (MKT-9 "operator cancellations",
    TERM-3) by ``acting_user`` (None: the system or the operator's CLI),
    which needs a ``reason`` and is audited.
    Cancelling a closed order, or one already being cancelled, changes
    nothing and returns it: a race with the last fill is normal.
    """
    order_id = order.order_id if isinstance(order, Order) else order
    rows = Order.objects.select_for_update().filter(order_id=_uuid(order_id))
    if customer is not None:
        rows = rows.filter(customer=customer)
    elif not reason.strip():
        raise InvalidOrder("an operator's cancel needs a reason", code="REASON_REQUIRED")
    found = rows.first()
    if found is None:
        raise OrderNotFound(f"no order {order_id}", error_data={"orderId": str(order_id)})
    if found.status == OrderStatus.CLOSED or found.cancel_seq is not None:
        return found
    now = now or timezone.now()
    found.cancel_seq = _take_sequence(found.pair, 1)
    found.cancel_requested_at = now
    found.cancelled_by = acting_user if customer is None else None
    found.cancel_reason = reason.strip()[:300]
    found.updated_at = now
    found.save(
        update_fields=[
            "cancel_seq",
            "cancel_requested_at",
            "cancelled_by",
            "cancel_reason",
            "updated_at",
        ]
    )  # _take_sequence rang the matcher
    if customer is None:
        audit.record(
            "market.order_cancelled",
            acting_user=acting_user,
            obj=found,
            details={"reason": found.cancel_reason, "orderId": str(found.order_id)},
        )
    return found


@transaction.atomic
def cancel_orders(
    cancels: Sequence[tuple[uuid.UUID | str, Customer]], *, now: datetime | None = None
) -> list[Order]:
    """MKT-9 for a group of customers' cancels in one transaction (a gateway's
    group commit, as ``place_orders`` for orders): the same rules as
    ``cancel_order`` with ``customer``, in a few statements rather than a
    transaction each. All or none: an order that is not its customer's
    refuses the group (``OrderNotFound``). Returns the orders, in the
    group's order; closed ones or ones already being cancelled are unchanged.
    """
    if not cancels:
        return []
    wanted = [(_uuid(order_id), customer.pk) for order_id, customer in cancels]
    rows = Order.objects.select_for_update().filter(order_id__in={o for o, _ in wanted})
    found = {o.order_id: o for o in rows.order_by("pk")}
    for order_id, customer_id in wanted:
        order = found.get(order_id)
        if order is None or order.customer_id != customer_id:
            raise OrderNotFound(f"no order {order_id}", error_data={"orderId": str(order_id)})
    now = now or timezone.now()
    todo: dict[str, list[Order]] = {}
    for order_id, _ in wanted:
        order = found[order_id]
        if order.status != OrderStatus.CLOSED and order.cancel_seq is None:
            order.cancel_seq = -1  # claimed: a repeat within the group changes nothing
            todo.setdefault(order.pair, []).append(order)
    for pair in sorted(todo):  # sequence rows in a fixed order, after the order rows
        orders = todo[pair]
        last = _take_sequence(pair, len(orders))
        for offset, order in enumerate(orders):
            order.cancel_seq = last - len(orders) + 1 + offset
            order.cancel_requested_at = order.updated_at = now
    changed = [o for orders in todo.values() for o in orders]
    Order.objects.bulk_update(changed, ["cancel_seq", "cancel_requested_at", "updated_at"])
    return [found[order_id] for order_id, _ in wanted]


@transaction.atomic
def cancel_customer_orders(customer: Customer, *, acting_user, reason: str) -> list[Order]:
    """TERM-3: the operator removes every active order of a customer."""
    active = Order.objects.filter(customer=customer, status=OrderStatus.ACTIVE).order_by("pk")
    return [cancel_order(o, acting_user=acting_user, reason=reason) for o in active]


def _uuid(value) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise OrderNotFound(f"no order {value}", error_data={"orderId": str(value)}) from None
