"""Placing a rate-locked order (LOCK-2..6, LOCK-12..14; ``003`` pkt 9-13, 16-17, 23-27).

1. ``quote_rate_lock`` — placing starts: the operator's current rates of the
   customer's segment are recorded with an expiry (LOCK-3 decision: 2 minutes,
   ``KANTOR_RATE_LOCK_QUOTE_VALIDITY_SECONDS``).
2. ``place_rate_lock`` — placing ends: within the quote's validity the order
   takes the quote's rate even if the market moved (LOCK-3), is irrevocable
   (LOCK-4), gets its amount due and a unique transfer title (LOCK-5) and its
   deadline D+7 18:00 Warsaw (LOCK-6), within the limits (LOCK-12) and the
   service hours (LOCK-13); the LOCK-14 e-mail follows the commit.

The pure rules are ``kantor.domain.ratelock.place_locked_order``; this module
feeds them the stored state and stores what they fix.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal

from django.db import transaction

from kantor.customers.models import Customer
from kantor.domain.money import CurrencyPair, Money
from kantor.domain.ratelock import LockedOrder, LockQuote, Side, place_locked_order
from kantor.domain.titles import RandomSource, TitlePurpose, generate_title
from kantor.rates.queries import current_rate, pln_mid

from .. import conf
from ..errors import ExchangeError, QuoteInvalid
from ..models import Direction, LockStatus, RateLockOrder, RateLockQuote
from ..notifications import send_rate_lock_confirmation
from ..queries import owed_damages
from ._common import money, now_or, offered_pair, payout_account, require_can_trade, side_of
from .agreement import require_agreement

__all__ = ["place_rate_lock", "preview_rate_lock", "quote_rate_lock", "service_conditions_met"]

_TITLE_ATTEMPTS = 8
_PREVIEW_TITLE = "KNR-PREVIEW"


def service_conditions_met(customer: Customer) -> bool:
    """LOCK-12 (pkt 14-15, 23): the customer is verified and has a verified account."""
    return customer.verified_at is not None and (
        customer.bank_accounts.filter(verified_at__isnull=False, is_active=True).exists()
    )


@transaction.atomic
def quote_rate_lock(
    customer: Customer, pair: CurrencyPair | str, *, now: datetime | None = None
) -> RateLockQuote:
    """LOCK-3: record the rates shown when placing starts."""
    now = now_or(now)
    require_can_trade(customer)
    require_agreement(customer)
    offered = offered_pair(pair)
    rate = current_rate(offered, segment=customer.segment)
    return RateLockQuote.objects.create(
        customer=customer,
        pair=offered.code,
        rate_decimals=offered.rate_decimals,
        mid=rate.mid,
        bid=rate.bid,
        ask=rate.ask,
        rate_ts=rate.ts,
        quoted_at=now,
        expires_at=now + conf.rate_lock_quote_validity(),
    )


def _quote(customer: Customer, quote_id) -> RateLockQuote:
    quote = RateLockQuote.objects.filter(pk=_uuid(quote_id), customer=customer).first()
    if quote is None:
        raise QuoteInvalid(
            "unknown quote; start placing again",
            code="UNKNOWN_QUOTE",
            error_data={"quoteId": str(quote_id)},
        )
    return quote


def _uuid(value) -> str | None:
    import uuid

    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


def _decide(
    customer: Customer,
    quote: RateLockQuote,
    side: Side,
    amount: Money,
    title: str,
    now: datetime,
) -> LockedOrder:
    """LOCK-3..6, 12, 13 through the pure rules."""
    if owed_damages(customer):
        raise ExchangeError(
            "damages from a cancelled rate-locked order are unpaid; settle them first",
            code="DAMAGES_OWED",
            api_key="NOT_AUTHORIZED",
            error_data={"owed": ", ".join(str(m) for m in owed_damages(customer))},
        )
    pair = quote.currency_pair
    unpaid = [
        o.as_domain()
        for o in RateLockOrder.objects.filter(customer=customer, status=LockStatus.AWAITING_PAYMENT)
    ]
    pln_per_base = None
    if "PLN" not in (pair.base.code, pair.quote.code):
        pln_per_base = pln_mid(pair.base.code, quote.quoted_at)
    return place_locked_order(
        LockQuote(
            pair,
            quote.mid,
            quote.bid,
            quote.ask,
            quote.quoted_at,
            valid_for=quote.expires_at - quote.quoted_at,
        ),
        side,
        amount,
        title,
        now,
        unpaid_orders=unpaid,
        conditions_met=service_conditions_met(customer),
        pln_per_base=pln_per_base,
        service_hours=conf.order_hours(),
        limits=conf.rate_lock_limits(),
    )


def _prepare(customer: Customer, quote_id, side, volume, volume_currency, payout_account_id):
    require_can_trade(customer)
    require_agreement(customer)
    quote = _quote(customer, quote_id)
    chosen = side_of(side)
    amount = money(volume, volume_currency)
    pair = quote.currency_pair
    receives = pair.base if chosen is Side.BUY else pair.quote
    account = payout_account(customer, payout_account_id, receives.code)
    return quote, chosen, amount, account


def preview_rate_lock(
    customer: Customer,
    quote_id,
    side: Side | str,
    volume: Decimal | str | Money,
    volume_currency: str | None = None,
    *,
    payout_account_id=None,
    now: datetime | None = None,
) -> LockedOrder:
    """What ``place_rate_lock`` would fix now (dry run); the title is a placeholder."""
    now = now_or(now)
    quote, chosen, amount, _ = _prepare(
        customer, quote_id, side, volume, volume_currency, payout_account_id
    )
    return _decide(customer, quote, chosen, amount, _PREVIEW_TITLE, now)


def _new_title(rng: RandomSource) -> str:
    for _ in range(_TITLE_ATTEMPTS):
        title = generate_title(TitlePurpose.RATE_LOCK, rng)
        if not RateLockOrder.objects.filter(title=title).exists():
            return title
    raise ExchangeError("could not draw a unique transfer title; try again", code="TITLE_CLASH")


@transaction.atomic
def place_rate_lock(
    customer: Customer,
    quote_id,
    side: Side | str,
    volume: Decimal | str | Money,
    volume_currency: str | None = None,
    *,
    payout_account_id=None,
    submit_id: str = "",
    ordered_by: str = "",
    now: datetime | None = None,
    rng: RandomSource | None = None,
) -> RateLockOrder:
    """LOCK-2..6, 12..14: accept the quote's rate; the order is then irrevocable.

    The customer row is locked first so that two placements at once cannot
    both slip under the LOCK-12 limit.
    """
    now = now_or(now)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    quote, chosen, amount, account = _prepare(
        customer, quote_id, side, volume, volume_currency, payout_account_id
    )
    decided = _decide(
        customer, quote, chosen, amount, _new_title(rng or secrets.SystemRandom()), now
    )
    order = RateLockOrder.objects.create(
        customer=customer,
        pair=decided.pair.code,
        rate_decimals=decided.pair.rate_decimals,
        side=Direction[chosen.name],
        amount_minor=decided.amount.minor,
        rate=decided.rate,
        mid=decided.mid,
        bid=decided.bid,
        ask=decided.ask,
        rate_ts=quote.rate_ts,
        due_currency=decided.amount_due.currency.code,
        due_minor=decided.amount_due.minor,
        proceeds_currency=decided.proceeds.currency.code,
        proceeds_minor=decided.proceeds.minor,
        exposure_pln_minor=decided.exposure_pln.minor,
        title=decided.title,
        placed_at=now,
        deadline=decided.deadline,
        payout_account=account,
        submit_id=submit_id,
        ordered_by=ordered_by,
    )
    send_rate_lock_confirmation(order)
    return order
