"""FX-2: exchange on deposit — and the order placed by transfer of MKT-11.

The customer names the pair, the direction, the amount they will transfer
(in the currency they sell) and their own account for the payout, and gets a
unique ``KNT…`` title (DEP-1 style instructions). When banking books the
transfer carrying that title (``kantor.banking.hooks``), the order's venue
executes it:

* the operator (FX-2): the exchange runs at the operator's rate current when
  Kantor books the deposit — decision: Kantor's booking, not the bank's value
  date, which may be hours old and would let a customer pick a stale rate —
  for what arrived, up to the order's amount; any surplus stays on the
  balance. The proceeds are paid out to the payout account (WD-1..4);
* another venue (MKT-11, ``kantor.exchange.deposit_venues``): it places the
  order and later pays the proceeds through ``deposit_order_proceeds``.

An order is used once. A transfer in another currency, after the order was
executed or cancelled, or one that cannot be exchanged (no rate, too small)
simply stays on the balance, with the reason on the order.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kantor.banking.actions import return_to_source
from kantor.banking.errors import BankingError
from kantor.customers.models import Customer
from kantor.domain.money import CurrencyPair, Money
from kantor.domain.ratelock import Side
from kantor.domain.titles import RandomSource, TitlePurpose, generate_title
from kantor.rates.errors import RatesError
from kantor.rates.queries import current_rate

from .. import deposit_venues
from ..booking import book_exchange
from ..errors import ExchangeError, InvalidExchange, OrderStateError
from ..models import DepositOrder, DepositOrderStatus, Direction, ExchangeSource
from ..payouts import pay_out
from ..pricing import ExchangePlan, plan_exchange
from ..queries import owed_damages
from ._common import (
    commission_terms,
    money,
    offered_pair,
    payout_account,
    require_can_trade,
    side_of,
)

__all__ = [
    "cancel_deposit_order",
    "create_deposit_order",
    "deposit_order_proceeds",
    "handle_deposit_order",
    "indicative_plan",
    "preview_deposit_order",
]

_TITLE_ATTEMPTS = 8


def _sold_and_bought(pair: CurrencyPair, side: Side) -> tuple[str, str]:
    return (
        (pair.quote.code, pair.base.code) if side is Side.BUY else (pair.base.code, pair.quote.code)
    )


def _prepare(
    customer: Customer,
    pair: CurrencyPair | str,
    side: Side | str,
    volume: Decimal | str | Money,
    volume_currency: str | None,
    payout_account_id,
    *,
    venue: str,
    limit_rate: Decimal | None,
    now: datetime,
) -> DepositOrder:
    """Every check of FX-2 placing; an unsaved order without a title."""
    require_can_trade(customer)
    if owed_damages(customer):
        raise ExchangeError(
            "damages from a cancelled rate-locked order are unpaid; settle them first",
            code="DAMAGES_OWED",
            api_key="NOT_AUTHORIZED",
        )
    if venue not in deposit_venues.names():
        raise InvalidExchange(f"unknown venue {venue!r}", code="UNKNOWN_VENUE")
    offered = offered_pair(pair)
    chosen = side_of(side)
    amount = money(volume, volume_currency)
    sells, receives = _sold_and_bought(offered, chosen)
    if amount.currency.code != sells or not amount.is_positive:
        raise InvalidExchange(
            f"state the amount you will transfer, a positive amount in {sells}",
            code="VOLUME_NOT_IN_SOLD_CURRENCY",
            error_data={"volumeCurrency": amount.currency.code, "expected": sells},
        )
    account = payout_account(customer, payout_account_id, receives)
    if account is None:
        raise InvalidExchange("name the account for the payout", code="PAYOUT_ACCOUNT_REQUIRED")
    return DepositOrder(
        customer=customer,
        venue=venue,
        pair=offered.code,
        side=Direction[chosen.name],
        volume_currency=sells,
        volume_minor=amount.minor,
        limit_rate=limit_rate,
        payout_account=account,
        title="",
        created_at=now,
    )


def preview_deposit_order(
    customer: Customer,
    pair: CurrencyPair | str,
    side: Side | str,
    volume: Decimal | str | Money,
    volume_currency: str | None,
    payout_account_id,
    *,
    venue: str = deposit_venues.OPERATOR,
    limit_rate: Decimal | None = None,
    now: datetime | None = None,
) -> DepositOrder:
    """What ``create_deposit_order`` would create (dry run): unsaved, no title yet."""
    return _prepare(
        customer, pair, side, volume, volume_currency, payout_account_id,
        venue=venue, limit_rate=limit_rate, now=now or timezone.now(),
    )  # fmt: skip


@transaction.atomic
def create_deposit_order(
    customer: Customer,
    pair: CurrencyPair | str,
    side: Side | str,
    volume: Decimal | str | Money,
    volume_currency: str | None,
    payout_account_id,
    *,
    venue: str = deposit_venues.OPERATOR,
    limit_rate: Decimal | None = None,
    submit_id: str = "",
    ordered_by: str = "",
    now: datetime | None = None,
    rng: RandomSource | None = None,
) -> DepositOrder:
    """FX-2: an order executed when its transfer is booked; the title is its key."""
    order = _prepare(
        customer, pair, side, volume, volume_currency, payout_account_id,
        venue=venue, limit_rate=limit_rate, now=now or timezone.now(),
    )  # fmt: skip
    order.title = _new_title(rng or secrets.SystemRandom())
    order.submit_id, order.ordered_by = submit_id, ordered_by
    order.save(force_insert=True)
    return order


def _new_title(rng: RandomSource) -> str:
    for _ in range(_TITLE_ATTEMPTS):
        title = generate_title(TitlePurpose.ORDER, rng)
        if not DepositOrder.objects.filter(title=title).exists():
            return title
    raise ExchangeError("could not draw a unique transfer title; try again", code="TITLE_CLASH")


def indicative_plan(order: DepositOrder, amount: Money | None = None) -> ExchangePlan:
    """FX-2: what the order would yield at the operator's rate now (indicative only)."""
    pair = offered_pair(order.pair)
    rate = current_rate(pair, segment=order.customer.segment)
    commission_rate, discount = commission_terms(order.customer)
    return plan_exchange(
        pair,
        Direction(order.side).side,
        amount or order.volume,
        bid=rate.bid,
        ask=rate.ask,
        mid=rate.mid,
        commission_rate=commission_rate,
        discount=discount,
        rate_ts=rate.ts,
    )


@transaction.atomic
def cancel_deposit_order(order: DepositOrder, *, now: datetime | None = None) -> DepositOrder:
    """FX-2: no rate is locked, so the customer may cancel until the transfer arrives."""
    order = DepositOrder.objects.select_for_update().get(pk=order.pk)
    if order.status != DepositOrderStatus.OPEN:
        raise OrderStateError(f"the order is {order.status}", code="ORDER_CLOSED")
    order.status = DepositOrderStatus.CANCELLED
    order.closed_at = now or timezone.now()
    order.save(update_fields=["status", "closed_at"])
    return order


def _fail(order: DepositOrder, why: str, now: datetime, *, deposit=None, amount=None) -> bool:
    """The order cannot be exchanged. WD-5: funds that came for it and were not
    exchanged go back to the account they came from, automatically; if banking
    refuses the payout (an AML hold, a suspended customer…), they stay on the
    available balance and the reason is kept on the order."""
    order.status = DepositOrderStatus.FAILED
    order.failure = why[:300]
    order.closed_at = now
    if deposit is not None and amount is not None:
        try:
            with transaction.atomic():
                return_to_source(
                    order.customer,
                    amount,
                    deposit_id=deposit.deposit_id,
                    idempotency_key=f"deposit_order:{order.pk}:return",
                    reason=why[:200],
                )
        except BankingError as refused:
            order.failure = f"{why}; not returned: {refused.code}"[:300]
    order.save(update_fields=["status", "failure", "closed_at"])
    return True


@transaction.atomic
def handle_deposit_order(deposit) -> bool:
    """Banking's deposit handler for ``KNT`` titles (idempotent per ``deposit_id``)."""
    titles = [t for t in deposit.titles if t.startswith(TitlePurpose.ORDER.prefix)]
    if not titles:
        return False
    order = (
        DepositOrder.objects.select_for_update()
        .filter(title__in=titles, customer_id=deposit.customer_id)
        .order_by("pk")
        .first()
    )
    if order is None:
        return False
    if order.deposit_id == deposit.deposit_id:
        return True  # a retried handler: already done
    if order.status != DepositOrderStatus.OPEN:
        return False  # used or cancelled: the money stays on the balance
    now = timezone.now()
    if deposit.money.currency.code != order.volume_currency:
        order.failure = (
            f"a transfer in {deposit.money.currency} arrived; "
            f"the order sells {order.volume_currency}"
        )
        order.save(update_fields=["failure"])
        return False
    amount = min(deposit.money, order.volume)
    order.deposit_id = deposit.deposit_id
    place = deposit_venues.venue(order.venue)
    if place is not None:
        order.venue_reference = str(place(order, deposit, amount))[:64]
        order.status = DepositOrderStatus.PLACED
        order.save(update_fields=["deposit_id", "venue_reference", "status"])
        return True
    try:
        plan = indicative_plan(order, amount)
    except (RatesError, ExchangeError) as exc:
        order.save(update_fields=["deposit_id"])
        reason = f"{getattr(exc, 'code', 'ERROR')}: {exc}"
        return _fail(order, reason, now, deposit=deposit, amount=amount)
    exchange = book_exchange(
        order.customer,
        plan,
        source=ExchangeSource.DEPOSIT_ORDER,
        key=f"deposit_order:{order.pk}:exchange",
        now=now,
        submit_id=order.submit_id,
        ordered_by=order.ordered_by,
        description=f"exchange on deposit {order.title}",
    )
    order.exchange = exchange
    _pay(order, plan.bought, key=f"deposit_order:{order.pk}:payout")
    order.status = DepositOrderStatus.EXECUTED
    order.closed_at = now
    order.save()
    return True


def _pay(order: DepositOrder, proceeds: Money, *, key: str) -> None:
    outcome = pay_out(
        order.customer,
        order.payout_account,
        proceeds,
        idempotency_key=key,
        ordered_by=order.ordered_by,
    )
    order.payout_reference = outcome.reference or order.payout_reference
    order.payout_error = outcome.error


@transaction.atomic
def deposit_order_proceeds(
    order: DepositOrder, proceeds: Money, *, key: str, final: bool = True
) -> DepositOrder:
    """MKT-11: the venue's fill paid ``proceeds`` to the customer's balance; pay
    them out to the order's account (``key`` makes each fill's payout once)."""
    order = DepositOrder.objects.select_for_update().get(pk=order.pk)
    if order.status != DepositOrderStatus.PLACED:
        raise OrderStateError(f"the order is {order.status}", code="ORDER_CLOSED")
    _pay(order, proceeds, key=f"deposit_order:{order.pk}:payout:{key}")
    if final:
        order.status = DepositOrderStatus.EXECUTED
        order.closed_at = timezone.now()
    order.save()
    return order
