"""Banking fixtures: rates for AML-2 and WD-3, the customers of the statement fixtures."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from kantor.banking import hooks
from kantor.customers.models import BankAccount, CustomerKind
from kantor.rates.models import MidRate, OfferedPair
from tests.factories import make_customer

FIXTURES = Path(__file__).parent / "fixtures"

#: Mid rates in force from long before the fixtures' dates (PLN per unit).
MIDS = {"EURPLN": "4.3000", "USDPLN": "4.0000", "GBPPLN": "5.0000", "CHFPLN": "4.5000"}


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def mids(db):
    """AML-2 and WD-3 need the day's mid rates."""
    ts = datetime(2020, 1, 1, tzinfo=UTC)
    for code, mid in MIDS.items():
        MidRate.objects.create(
            pair=OfferedPair.objects.get(code=code), ts=ts, mid=Decimal(mid), source="test"
        )


@pytest.fixture(autouse=True)
def _isolated_hooks(monkeypatch):
    """Tests decide which title resolvers and deposit handlers exist."""
    monkeypatch.setattr(hooks, "_resolvers", {})
    monkeypatch.setattr(hooks, "_handlers", {})


def add_account(customer, iban: str, cur: str, holder: str = "", *, verified: bool = False):
    return BankAccount.objects.create(
        customer=customer,
        iban=iban,
        currency=cur,
        holder_name=holder or customer.display_name,
        verified_at=timezone.now() if verified else None,
    )


@pytest.fixture
def jan(db):
    """The camt.053/MT940 fixtures' first depositor: JAN KOWALSKI, PKO account."""
    customer = make_customer(
        first_name="Jan",
        last_name="Kowalski",
        street="ul. Kwiatowa 12/4",
        postal_code="00-950",
        city="Warszawa",
        deposit_title="KND8NX4QMAQ9",
    )
    customer.pko = add_account(customer, "PL62102010268172805693166101", "PLN", verified=True)
    return customer


@pytest.fixture
def bilans(db):
    """A company paying for the first time from its Pekao account (DEP-3: review)."""
    customer = make_customer(
        CustomerKind.COMPANY,
        company_name="Zakład Usług Księgowych Bilans",
        legal_form="sp_zoo",
        nip="5260250274",
        street="ul. Piotrkowska 104",
        postal_code="90-926",
        city="Łódź",
        deposit_title="KNDES52XG47C",
    )
    customer.pekao = add_account(customer, "PL66124010371974792587876196", "PLN")
    return customer


@pytest.fixture
def anna(db):
    """Anna Nowak-Wiśniewska of Berlin, paying EUR from a verified German account."""
    customer = make_customer(
        first_name="Anna",
        last_name="Nowak-Wiśniewska",
        street="Hauptstrasse 5",
        postal_code="10115",
        city="Berlin",
        country="DE",
        deposit_title="KNDB4CYW7KR6",
    )
    customer.eur = add_account(customer, "DE89370400440532013000", "EUR", verified=True)
    return customer
