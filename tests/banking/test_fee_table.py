"""WD-3: the fee table is refused when two rows could tie, and a table that ties
anyway never fails a statement import (DEP-2, DEP-4)."""

from __future__ import annotations

import importlib
import logging
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from kantor.banking import actions
from kantor.banking.errors import BankingError
from kantor.banking.models import Deposit, DepositStatus, WithdrawalFee
from kantor.domain.money import Money
from kantor.ledger.invariants import check_ledger
from tests.banking.conftest import add_account
from tests.banking.test_deposit_decisions import NOW, incoming
from tests.factories import fund

CITI = "PL89103000190109780400000000"  # bank 103: not named in the table, "other banks"


@pytest.fixture
def boss(django_user_model) -> Client:
    user = django_user_model.objects.create_superuser("boss", "boss@example.com", "x")
    client = Client()
    client.force_login(user)
    return client


def row(banks: str, cur: str, fee: str = "1.00", label: str = "") -> WithdrawalFee:
    return WithdrawalFee(banks=banks, currency=cur, fee_pln=Decimal(fee), label=label)


def ambiguous_table() -> None:
    """Two named-bank PLN rows that both name bank 103, stored past validation."""
    WithdrawalFee.objects.bulk_create(
        [row("103", "PLN", "2.00", "Citi"), row("103,160", "PLN", "3.00", "Citi and BNP")]
    )


def test_a_row_that_would_tie_with_another_is_refused_WD_3(db):
    with pytest.raises(ValidationError, match="ambiguous") as err:
        row("105,103", "PLN").full_clean()  # 105 ING is named at 0 PLN in PLN already
    assert "105" in str(err.value) and "103" not in str(err.value)
    with pytest.raises(ValidationError, match="every other bank"):
        row("", "pln").full_clean()  # "other banks, PLN" exists
    with pytest.raises(ValidationError, match="ambiguous"):
        row(" 144 ", "*").full_clean()  # PKO BP and Nordea, every currency


def test_rows_of_another_currency_or_specificity_are_accepted_WD_3(db):
    row("105", "EUR").full_clean()  # named banks: "*" is less specific than EUR
    row("103", "PLN").full_clean()  # a bank named nowhere yet
    row("", "EUR").full_clean()  # other banks: "*" is less specific than EUR
    existing = WithdrawalFee.objects.get(banks="", currency="PLN")
    existing.fee_pln = Decimal("3.50")
    existing.full_clean()  # a row never clashes with itself


def test_rows_are_stored_normalised_and_the_database_refuses_the_same_banks_twice_WD_3(db):
    saved = row(" 160, 103,103", "eur")
    saved.save()
    saved.refresh_from_db()
    assert (saved.banks, saved.currency) == ("103,160", "EUR")
    with pytest.raises(IntegrityError), transaction.atomic():
        row("160,103", "EUR").save()
    with pytest.raises(IntegrityError), transaction.atomic():
        row("", "").save()  # "" is "*": every other bank in every currency exists


def test_the_back_office_refuses_an_ambiguous_row_WD_3(boss):
    count = WithdrawalFee.objects.count()
    page = boss.post(
        "/backoffice/banking/withdrawalfee/add/",
        {"banks": "124, 103", "currency": "PLN", "fee_pln": "2.00", "label": "x", "position": 9},
    )
    assert page.status_code == 200 and "ambiguous" in page.content.decode()
    assert WithdrawalFee.objects.count() == count
    page = boss.post(
        "/backoffice/banking/withdrawalfee/add/",
        {"banks": "103", "currency": "PLN", "fee_pln": "2.00", "label": "Citi", "position": 9},
    )
    assert page.status_code == 302
    assert WithdrawalFee.objects.filter(banks="103", currency="PLN").exists()


def test_an_import_refunding_through_an_ambiguous_table_refunds_whole_DEP_4(mids, jan, caplog):
    ambiguous_table()
    add_account(jan, CITI, "PLN", verified=True)
    with caplog.at_level(logging.ERROR, logger="kantor.banking"):
        summary = actions.import_statement(
            incoming("R1", "1000.00", title="KND8NX4QMAQ9", name="ADAM MAŁYSZ", account=CITI),
            now=NOW,
        )
    assert summary is not None
    deposit = Deposit.objects.get()
    refund = deposit.payouts.get()
    assert deposit.status == DepositStatus.REFUNDING
    assert (refund.fee, refund.net) == (Money("0.00", "PLN"), Money("1000.00", "PLN"))
    assert "ambiguous withdrawal fee rows" in caplog.text
    assert check_ledger().ok


def test_a_withdrawal_through_an_ambiguous_table_is_refused_with_a_code_WD_3(mids, jan):
    ambiguous_table()
    citi = add_account(jan, CITI, "PLN", verified=True)
    fund(jan, "100.00", "PLN")
    with pytest.raises(BankingError) as err:
        actions.request_withdrawal(jan, citi, Money("50.00", "PLN"), idempotency_key="w1")
    assert (err.value.code, err.value.api_key) == ("FEE_TABLE_INVALID", "OTHER")
    assert check_ledger().ok


def test_the_migration_normalises_rows_and_names_a_clash_it_cannot_resolve(db):
    migration = importlib.import_module(
        "kantor.banking.migrations.0003_withdrawal_fee_unique_banks_currency"
    )
    WithdrawalFee.objects.bulk_create([row("160, 103", "eur", label="a")])
    migration.normalise(django_apps, None)
    assert WithdrawalFee.objects.get(label="a").banks == "103,160"
    WithdrawalFee.objects.bulk_create([row("160,103", "EUR", label="b")])  # same banks, unsorted
    with pytest.raises(RuntimeError, match=r"103,160, EUR"):
        migration.normalise(django_apps, None)
