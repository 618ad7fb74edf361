"""FX-1: instant exchange of available funds with the operator at a quoted rate.

The quote is a published rate (``GET /direct_fx/rates`` answers its ``ts``);
the customer names it back within ``KANTOR_DIRECT_FX_QUOTE_VALIDITY_SECONDS``
(the reference's 10 minutes) and gets exactly that rate, whatever was
published since. An unknown ``ts``, one of another pair or segment, or an
expired one is refused; a new quote is needed.

API, CLI and panel share ``exchange_instant``; ``preview_instant`` answers a
dry run with the same numbers and checks, booking nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction

from kantor.customers.models import Customer
from kantor.domain.money import CurrencyPair, Money
from kantor.domain.ratelock import Side, check_service_open
from kantor.rates.errors import NoRateForPair
from kantor.rates.queries import OperatorRate, rate_by_ts

from .. import conf
from ..booking import book_exchange
from ..errors import QuoteInvalid
from ..models import Exchange, ExchangeSource
from ..pricing import ExchangePlan, plan_exchange
from ._common import (
    commission_terms,
    money,
    now_or,
    offered_pair,
    require_can_trade,
    require_funds,
    side_of,
)

__all__ = ["InstantRequest", "exchange_instant", "preview_instant", "quoted_rate"]


@dataclass(frozen=True)
class InstantRequest:
    pair: CurrencyPair
    side: Side
    volume: Money
    rate_ts: datetime


def quoted_rate(customer: Customer, pair: CurrencyPair, rate_ts: datetime, now: datetime):
    """FX-1: the published rate ``rate_ts`` of the customer's segment, if still valid."""
    try:
        rate: OperatorRate = rate_by_ts(pair, rate_ts, segment=customer.segment)
    except NoRateForPair:
        raise QuoteInvalid(
            f"no {pair.code} rate was published at {rate_ts.isoformat()}; get a new quote",
            code="UNKNOWN_RATE_TS",
            error_data={"ts": rate_ts.isoformat()},
        ) from None
    valid_until = rate.ts + conf.direct_fx_quote_validity()
    if now > valid_until:
        raise QuoteInvalid(
            f"the rate of {rate.ts.isoformat()} expired at {valid_until.isoformat()}; "
            "get a new quote",
            code="QUOTE_EXPIRED",
            error_data={"ts": rate_ts.isoformat(), "validUntil": valid_until.isoformat()},
        )
    return rate


def preview_instant(
    customer: Customer,
    pair: CurrencyPair | str,
    side: Side | str,
    volume: Decimal | str | Money,
    volume_currency: str | None,
    rate_ts: datetime,
    *,
    now: datetime | None = None,
) -> ExchangePlan:
    """What ``exchange_instant`` would do now, with every check it makes (dry run)."""
    now = now_or(now)
    require_can_trade(customer)
    check_service_open(conf.order_hours(), now)  # LOCK-13: the hours of basic orders
    offered = offered_pair(pair)
    chosen = side_of(side)
    amount = money(volume, volume_currency)
    rate = quoted_rate(customer, offered, rate_ts, now)
    commission_rate, discount = commission_terms(customer)
    plan = plan_exchange(
        offered,
        chosen,
        amount,
        bid=rate.bid,
        ask=rate.ask,
        mid=rate.mid,
        commission_rate=commission_rate,
        discount=discount,
        rate_ts=rate.ts,
    )
    require_funds(customer, plan.sold)
    return plan


@transaction.atomic
def exchange_instant(
    customer: Customer,
    pair: CurrencyPair | str,
    side: Side | str,
    volume: Decimal | str | Money,
    volume_currency: str | None,
    rate_ts: datetime,
    *,
    submit_id: str = "",
    ordered_by: str = "",
    idempotency_key: str = "",
    now: datetime | None = None,
) -> Exchange:
    """FX-1: exchange available funds at the quoted rate, as one ledger transaction.

    ``idempotency_key`` (e.g. the API's ``api:<customer>:<submitId>``) makes a
    retry book nothing twice; without one each call is a new exchange.
    Raises ``QuoteInvalid`` (unknown/expired ``ts``), ``PairNotOffered``,
    ``InvalidExchange``, ``InsufficientFunds`` (MON-5, checked again under
    the balance's row lock, so two parallel exchanges cannot both spend it).
    """
    now = now_or(now)
    plan = preview_instant(customer, pair, side, volume, volume_currency, rate_ts, now=now)
    return book_exchange(
        customer,
        plan,
        source=ExchangeSource.INSTANT,
        key=idempotency_key or f"fx:{uuid.uuid4()}",
        now=now,
        submit_id=submit_id,
        ordered_by=ordered_by,
    )
