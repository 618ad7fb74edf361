"""Fixtures: a real trade between customers with Polish names (``tests.documents.trades``)."""

from __future__ import annotations

import pytest

from kantor.customers.models import Customer
from tests.documents.trades import Traded, polish_company, polish_individual, trade_between


@pytest.fixture
def buyer(db) -> Customer:
    return polish_individual()


@pytest.fixture
def seller(db) -> Customer:
    return polish_company()


@pytest.fixture
def traded(buyer, seller) -> Traded:
    """33.33 EUR at 4.3333 = 144.428889 PLN: the buyer pays 144.43, the seller gets 144.42."""
    return trade_between(buyer, seller)
