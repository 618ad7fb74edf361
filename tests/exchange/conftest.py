"""Exchange fixtures: rates with exact, readable numbers (real rows, no mocks)."""

from __future__ import annotations

import itertools
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction

from kantor.banking.hooks import BookedDeposit, deposit_booked
from kantor.customers.models import BankAccount
from kantor.domain.calendar import WARSAW
from kantor.domain.money import Money
from kantor.domain.titles import find_titles
from kantor.exchange.actions import conclude_agreement, place_rate_lock, quote_rate_lock
from kantor.exchange.models import RateLockOrder
from kantor.rates.models import STANDARD_SEGMENT, MidRate, OfferedPair, PublishedRate
from tests.factories import fund

#: Monday 2 March 2026, 10:00 Warsaw (09:00 UTC).
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def publish(
    pair: str = "EURPLN",
    *,
    mid: str = "4.3000",
    bid: str = "4.2500",
    ask: str = "4.3500",
    ts: datetime = NOW,
    segment: str = STANDARD_SEGMENT,
) -> PublishedRate:
    """A mid at ``ts`` and the operator's rates published at ``ts`` (RATE-1)."""
    config = OfferedPair.objects.get(code=pair)
    MidRate.objects.get_or_create(pair=config, ts=ts, source="test", defaults={"mid": Decimal(mid)})
    return PublishedRate.objects.get_or_create(
        pair=config,
        segment=segment,
        ts=ts,
        defaults={
            "mid": Decimal(mid),
            "bid": Decimal(bid),
            "ask": Decimal(ask),
            "bid_margin": Decimal("0.01"),
            "ask_margin": Decimal("0.01"),
            "mid_ts": ts,
            "mid_source": "test",
        },
    )[0]


def mid(pair: str, value: str, ts: datetime) -> MidRate:
    """A market mid at ``ts`` (LOCK-11's mid at cancellation)."""
    return MidRate.objects.create(
        pair=OfferedPair.objects.get(code=pair), ts=ts, mid=Decimal(value), source="test"
    )


@pytest.fixture
def eurpln(db) -> PublishedRate:
    """EUR/PLN at NOW: mid 4.3000, the operator buys at 4.2500 and sells at 4.3500."""
    return publish()


SECOND = timedelta(seconds=1)


# -- rate lock (LOCK-1..15) ------------------------------------------------------


#: Monday 2 March 2026, 10:00 Warsaw: D; the deadline is Monday 9 March, 18:00 CET.
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=WARSAW)
DEADLINE = datetime(2026, 3, 9, 18, 0, tzinfo=WARSAW)

_deposit_ids = itertools.count(1)
_ibans = itertools.count(1)


@contextmanager
def at(moment: datetime):
    with time_machine.travel(moment, tick=False):
        yield


def polish_iban(n: int) -> str:
    """A valid Polish IBAN (mod-97 check digits) in mBank's number range."""
    bban = f"11402004{n:016d}"
    check = 98 - int(bban + "252100") % 97
    return f"PL{check:02d}{bban}"


def bank_account(customer, cur: str, *, verified: bool = True) -> BankAccount:
    n = next(_ibans)
    return BankAccount.objects.create(
        customer=customer,
        iban=polish_iban(n),
        currency=cur,
        holder_name=customer.display_name,
        verified_at=T0 - timedelta(days=30) if verified else None,
    )


def lock_ready(customer, *, verified: bool = True):
    """LOCK-1: a customer bound by the agreement; verified with verified accounts
    (LOCK-9, LOCK-12 conditions met) unless ``verified=False``."""
    if verified:
        customer.verified_at = T0 - timedelta(days=30)
        customer.status = "verified"
        customer.save(update_fields=["verified_at", "status"])
    customer.pln_account = bank_account(customer, "PLN", verified=verified)
    customer.eur_account = bank_account(customer, "EUR", verified=verified)
    conclude_agreement(customer, now=T0 - timedelta(days=1))
    return customer


def place(
    customer,
    side: str = "BUY",
    volume: str = "1000.00",
    cur: str = "EUR",
    *,
    when: datetime = T0,
    pair: str = "EURPLN",
    rates: dict | None = None,
    payout=None,
) -> RateLockOrder:
    """LOCK-3: quote at ``when`` (publishing ``rates`` then), place at once."""
    rates = rates or {"mid": "4.3000", "bid": "4.2500", "ask": "4.3500"}
    publish(pair, ts=when.astimezone(UTC), **rates)
    quote = quote_rate_lock(customer, pair, now=when)
    return place_rate_lock(
        customer,
        quote.pk,
        side,
        volume,
        cur,
        payout_account_id=payout.pk if payout is not None else None,
        now=when,
    )


def transfer(
    customer,
    amount: str,
    cur: str,
    description: str,
    booked_at: datetime,
    *,
    sender: BankAccount | None = None,
    processed_at: datetime | None = None,
) -> str | None:
    """What banking does with an identified transfer: credit the available
    balance, then offer the ``BookedDeposit`` to the handlers (in one transaction)."""
    deposit_id = next(_deposit_ids) + 10_000 * customer.pk
    if sender is None:
        sender = customer.bank_accounts.filter(currency=cur).first()
    with at(processed_at or booked_at), transaction.atomic():
        fund(customer, amount, cur, key=f"deposit-{deposit_id}")
        return deposit_booked(
            BookedDeposit(
                deposit_id=deposit_id,
                customer_id=customer.pk,
                money=Money(amount, cur),
                description=description,
                titles=tuple(t.title for t in find_titles(description)),
                booked_at=booked_at,
                sender_account_id=sender.pk if sender else None,
            )
        )
