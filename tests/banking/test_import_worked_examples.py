"""Worked examples: the checked-in camt.053, MT940 and staff CSV files imported (DEP-2..6, WD-4).

Each story ends with the accounting equation (check_ledger) and with a
second import of the same file, which must book nothing (DEP-2).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kantor.banking import actions
from kantor.banking.errors import StatementRefused
from kantor.banking.models import (
    BankEntry,
    Deposit,
    DepositStatus,
    EntryKind,
    PayoutKind,
    PayoutStatus,
    ReviewReason,
    StatementImport,
)
from kantor.domain.money import Money
from kantor.ledger import accounts
from kantor.ledger.invariants import check_ledger
from kantor.ledger.models import AccountKind, HistoryItem, LedgerTransaction
from kantor.ledger.queries import customer_balance
from tests.banking.conftest import fixture_bytes
from tests.banking.helpers import sent_payout

NOW = datetime(2025, 1, 8, 9, 0, tzinfo=UTC)


def balance(kind: AccountKind, cur: str) -> Money:
    return accounts.operator_account(kind, cur).balance


@pytest.fixture
def payouts(db, mids):
    """WD-000431 (2150.55 PLN, sent) and WD-000417 (1000.00 PLN, sent) of the fixtures."""
    out = sent_payout("Małgorzata", "Żółkiewska", "PL58116022029059353889424545", "2150.55")
    back = sent_payout("Piotr", "Zieliński", "PL13109010141824849205989889", "1000.00")
    return out, back


def with_references(data: bytes, out, back) -> bytes:
    """The fixtures name payouts 431 and 417; ours got other ids."""
    return data.replace(b"WD-000431", out.reference.encode()).replace(
        b"WD-000417", back.reference.encode()
    )


def test_camt053_statement_books_reviews_refunds_settles_and_returns_DEP_2_DEP_3_WD_4(
    mids, jan, bilans, anna, payouts
):
    out, back = payouts
    data = with_references(fixture_bytes("camt053_ing_v02.xml"), out, back)

    summary = actions.import_statement(data, filename="camt053_ing_v02.xml", now=NOW)

    assert summary.format == "camt053"
    assert (summary.statements, summary.entries) == (2, 8)
    # Jan (verified account, name and address match) and Anna (EUR) are booked at once.
    assert summary.booked == 2
    assert customer_balance(jan, "PLN").available == Money("5000.00", "PLN")
    assert customer_balance(anna, "EUR").available == Money("920.60", "EUR")
    # The company pays from its account for the first time: staff review (DEP-3).
    assert summary.waiting_for_review == 1
    review = Deposit.objects.get(customer=bilans)
    assert (review.status, review.review_reason) == (
        DepositStatus.REVIEW,
        ReviewReason.FIRST_TRANSFER,
    )
    assert balance(AccountKind.PENDING_DEPOSITS, "PLN") == Money("12000.00", "PLN")
    # TOMASZ WÓJCIK pays from Jan's account under an order title nobody claims: the
    # account names Jan, the sender is somebody else: refunded (DEP-4).
    assert summary.refused == 1
    refused = Deposit.objects.get(entry__bank_reference="EU250107000901")
    assert (refused.customer, refused.status) == (jan, DepositStatus.REFUNDING)
    assert refused.refund_deadline is not None
    # The rate-lock title has no owner here, the account is unknown: suspense (DEP-6).
    assert summary.unassigned == 1
    assert balance(AccountKind.SUSPENSE, "EUR") == Money("125.00", "EUR")
    # The outgoing payout is confirmed, the returned one credited back (WD-4).
    assert (summary.payouts_settled, summary.payouts_returned) == (1, 1)
    out.refresh_from_db()
    back.refresh_from_db()
    assert out.status == PayoutStatus.SETTLED
    assert (back.status, back.return_reason_code) == (PayoutStatus.RETURNED, "AC04")
    assert customer_balance(back.customer, "PLN").available == Money("1000.00", "PLN")
    # The bank's 10.00 PLN charge matches no payout: left for staff.
    assert summary.unmatched == 1
    assert summary.duplicates == 0
    assert check_ledger().ok


def test_reimporting_the_same_file_books_nothing_twice_DEP_2(mids, jan, bilans, anna, payouts):
    out, back = payouts
    data = with_references(fixture_bytes("camt053_ing_v02.xml"), out, back)
    actions.import_statement(data, now=NOW)
    transactions = LedgerTransaction.objects.count()

    again = actions.import_statement(data, now=NOW)

    assert again.duplicates == again.entries == 8
    assert again.booked == again.unassigned == again.payouts_settled == 0
    assert LedgerTransaction.objects.count() == transactions
    assert StatementImport.objects.count() == 2
    assert check_ledger().ok


def test_mt940_with_polish_subfields_is_booked_like_the_camt_DEP_2(
    mids, jan, bilans, anna, payouts
):
    out, back = payouts
    data = with_references(fixture_bytes("mt940_ing_tilde_cp1250.sta"), out, back)

    summary = actions.import_statement(data, filename="ing.sta", now=NOW)

    assert summary.format == "mt940"
    assert summary.booked == 2  # Jan in PLN, Anna in EUR
    assert summary.waiting_for_review == 1  # the company's first transfer
    assert (summary.payouts_settled, summary.payouts_returned) == (1, 1)  # the STORNO
    assert summary.unmatched == 1
    jan_payin = HistoryItem.objects.get(customer=jan)
    details = jan_payin.transaction.details
    assert details["senderName"] == "JAN KOWALSKI"
    assert details["sourceAccount"] == "PL62102010268172805693166101"
    assert details["destinationAccount"] == "PL46105010383616090881330367"
    assert "KND8NX4" in details["transferTitle"]
    assert check_ledger().ok


def test_staff_csv_entries_are_booked_and_the_joint_account_waits_for_review_DEP_2(mids, jan):
    summary = actions.import_statement(fixture_bytes("staff_manual.csv"), now=NOW)

    assert summary.format == "csv"
    # "Grzegorz Brzęczyszczykiewicz" pays under Jan's title from Jan's account: refunded.
    assert summary.refused == 1
    # A cooperative pays EUR under an unknown customer's title from a German account.
    assert summary.unassigned == 1
    assert summary.unmatched == 1  # the paper statement fee
    assert check_ledger().ok


def test_a_joint_account_with_another_address_waits_for_staff_DEP_5(mids):
    from tests.factories import make_customer

    nowak = make_customer(first_name="Jan", last_name="Nowak", deposit_title="KNDNDASPSVN0")
    from tests.banking.conftest import add_account

    add_account(nowak, "PL62102010268172805693166101", "PLN", verified=True)

    summary = actions.import_statement(fixture_bytes("camt053_v08.xml"), now=NOW)

    deposit = Deposit.objects.get(customer=nowak)
    assert summary.waiting_for_review == 1
    assert (deposit.status, deposit.review_reason) == (
        DepositStatus.REVIEW,
        ReviewReason.NAME_UNSURE,
    )
    assert "JOINT_ACCOUNT" in deposit.match_reasons
    assert check_ledger().ok


@pytest.mark.parametrize(
    "name",
    [
        "camt053_truncated.xml",
        "camt053_xxe.xml",
        "camt053_billion_laughs.xml",
        "mt940_truncated.sta",
        "mt940_bad_balance.sta",
    ],
)
def test_a_malformed_file_is_refused_whole_and_books_nothing_DEP_2(mids, jan, name):
    with pytest.raises(StatementRefused) as refused:
        actions.import_statement(fixture_bytes(name), now=NOW)

    assert refused.value.reason
    assert refused.value.line is not None or refused.value.path is not None
    assert not BankEntry.objects.exists()
    assert not LedgerTransaction.objects.exists()
    assert not StatementImport.objects.exists()


def test_a_statement_of_an_unknown_account_is_refused_whole_DEP_2(mids, jan):
    with pytest.raises(StatementRefused) as refused:
        actions.import_statement(fixture_bytes("mt940_bnp_caret.sta"), now=NOW)

    assert refused.value.reason == "UNKNOWN_ACCOUNT"
    assert not BankEntry.objects.exists()


def test_a_refund_that_comes_back_lands_in_suspense_DEP_6(mids, jan):
    from kantor.banking.statements import Direction, Statement, StatementLine, render_csv

    def line(ref, direction, amount, title, account="PL62102010268172805693166101"):
        return StatementLine(
            bank_reference=ref,
            account_iban="PL46105010383616090881330367",
            booking_date=NOW.date(),
            value_date=NOW.date(),
            amount=amount,
            direction=direction,
            currency="PLN",
            counterparty_name="TOMASZ WÓJCIK",
            counterparty_account=account,
            title=title,
        )

    from decimal import Decimal

    first = Statement(
        "S1",
        "PL46105010383616090881330367",
        "PLN",
        None,
        None,
        (line("R1", Direction.CREDIT, Decimal("50.00"), "KND8NX4QMAQ9"),),
    )
    actions.import_statement(render_csv([first]).encode(), now=NOW)
    deposit = Deposit.objects.get()
    refund = deposit.payouts.get()
    assert refund.kind == PayoutKind.REFUND
    assert refund.fee == Money("0.00", "PLN")  # PKO BP: free (WD-3 table as refund cost)
    actions.export_payouts(currency="PLN")
    refund.refresh_from_db()
    returned = Statement(
        "S2",
        "PL46105010383616090881330367",
        "PLN",
        None,
        None,
        (
            line("R2", Direction.DEBIT, Decimal("50.00"), f"{refund.reference} ZWROT"),
            line("R3", Direction.CREDIT, Decimal("50.00"), f"ZWROT {refund.reference}"),
        ),
    )

    summary = actions.import_statement(render_csv([returned]).encode(), now=NOW)

    assert (summary.payouts_settled, summary.payouts_returned, summary.unassigned) == (1, 1, 1)
    refund.refresh_from_db()
    assert refund.status == PayoutStatus.RETURNED
    assert balance(AccountKind.SUSPENSE, "PLN") == Money("50.00", "PLN")
    assert Deposit.objects.filter(review_reason=ReviewReason.RETURNED_REFUND).count() == 1
    assert BankEntry.objects.filter(kind=EntryKind.PAYOUT_RETURNED).count() == 1
    assert check_ledger().ok
