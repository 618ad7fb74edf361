"""Market fixtures: EUR/PLN with a known mid, funded customers, a matcher to call."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kantor.ledger.invariants import check_ledger
from kantor.market.actions import place_order
from kantor.market.matcher import run_matcher_once
from kantor.rates.models import MidRate, OfferedPair
from tests.factories import fund, make_customer

PAIR = "EURPLN"


def set_mid(value: str, pair: str = PAIR, *, ago: timedelta = timedelta(seconds=1)) -> MidRate:
    """MKT-7: the market mid in force from a moment ago."""
    return MidRate.objects.create(
        pair=OfferedPair.objects.get(code=pair),
        ts=timezone.now() - ago,
        mid=Decimal(value),
        source="test",
    )


@pytest.fixture
def mid(db) -> MidRate:
    """EUR/PLN mid 4.3000: the 2% band is 4.2140..4.3860."""
    return set_mid("4.3000", ago=timedelta(minutes=1))


@pytest.fixture
def seller(db):
    """A customer with 1 000 EUR to sell."""
    c = make_customer(email="seller@example.com")
    fund(c, "1000.00", "EUR")
    return c


@pytest.fixture
def buyer(db):
    """A customer with 10 000 PLN to buy with."""
    c = make_customer(email="buyer@example.com")
    fund(c, "10000.00", "PLN")
    return c


def place(customer, side: str, volume: str, cur: str, limit: str, pair: str = PAIR, **kwargs):
    return place_order(customer, pair, side, volume, cur, limit, **kwargs)


def match(pair: str = PAIR):
    """Run the pair's matcher over everything accepted so far (a fresh book each time)."""
    return run_matcher_once(pair)


def assert_books_balance() -> None:
    report = check_ledger()
    assert report.ok, report.problems
