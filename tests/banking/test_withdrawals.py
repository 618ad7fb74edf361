"""Withdrawals: who may order what, fees, reservations, the life of a payout (WD-1..5, MON-5)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest
from defusedxml import ElementTree

from kantor.banking import actions
from kantor.banking.errors import BankingError
from kantor.banking.models import Deposit, PayoutKind, PayoutStatus, Withdrawal, WithdrawalFee
from kantor.banking.statements import Direction, Statement, StatementLine, render_csv
from kantor.customers.models import CustomerStatus
from kantor.domain.money import Money
from kantor.ledger import accounts
from kantor.ledger.invariants import check_ledger
from kantor.ledger.models import AccountKind, HistoryItem
from kantor.ledger.queries import customer_balance
from tests.banking.conftest import add_account
from tests.banking.helpers import withdrawal
from tests.factories import fund

PLN_ACCOUNT = "PL46105010383616090881330367"
CITI = "PL89103000190109780400000000"  # bank 103: "other banks" in the WD-3 table
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}


def code_of(call) -> str:
    with pytest.raises(BankingError) as refused:
        call()
    return refused.value.code


def statement(*lines: StatementLine) -> bytes:
    return render_csv([Statement("S", PLN_ACCOUNT, "PLN", None, None, lines)]).encode()


def outgoing(ref: str, payout, amount: str | None = None) -> StatementLine:
    day = datetime(2025, 3, 11).date()
    return StatementLine(
        bank_reference=ref,
        account_iban=PLN_ACCOUNT,
        booking_date=day,
        value_date=day,
        amount=Decimal(amount or str(payout.net.amount)),
        direction=Direction.DEBIT,
        currency="PLN",
        counterparty_account=payout.destination_iban,
        title=f"{payout.reference} {payout.title}",
    )


def test_only_the_customers_own_verified_account_in_that_currency_WD_1(mids, jan, other_customer):
    fund(jan, "100.00", "PLN")
    theirs = add_account(other_customer, CITI, "PLN", verified=True)
    unverified = add_account(jan, "PL90114020045809183313901285", "PLN")
    eur_account = add_account(jan, "DE89370400440532013000", "EUR", verified=True)

    assert code_of(lambda: withdrawal(jan, theirs, "10.00")) == "ACCOUNT_NOT_DEFINED"
    assert code_of(lambda: withdrawal(jan, unverified, "10.00")) == "ACCOUNT_NOT_VERIFIED"
    assert code_of(lambda: withdrawal(jan, eur_account, "10.00")) == "ACCOUNT_CURRENCY_MISMATCH"
    jan.pko.is_active = False
    jan.pko.save()
    assert code_of(lambda: withdrawal(jan, jan.pko, "10.00")) == "ACCOUNT_NOT_DEFINED"
    assert customer_balance(jan, "PLN").available == Money("100.00", "PLN")
    assert check_ledger().ok


def test_refused_without_available_funds_under_an_aml_hold_or_when_suspended_WD_2(mids, jan):
    fund(jan, "100.00", "PLN")
    withdrawal(jan, jan.pko, "60.00")  # reserves 60: reserved funds are not available

    assert code_of(lambda: withdrawal(jan, jan.pko, "50.00")) == "INSUFFICIENT_FUNDS"
    actions.place_hold(jan, acting_user=None, reason="GIIF inquiry")
    assert code_of(lambda: withdrawal(jan, jan.pko, "10.00")) == "AML_HOLD"
    actions.release_hold(jan, acting_user=None, reason="cleared")
    withdrawal(jan, jan.pko, "10.00")
    jan.status = CustomerStatus.SUSPENDED
    jan.save()
    assert code_of(lambda: withdrawal(jan, jan.pko, "10.00")) == "CUSTOMER_INACTIVE"
    balance = customer_balance(jan, "PLN")
    assert (balance.available, balance.reserved) == (Money("30.00", "PLN"), Money("70.00", "PLN"))
    assert check_ledger().ok


def test_the_fee_by_bank_and_currency_is_deducted_from_the_payout_WD_3(mids, jan):
    citi = add_account(jan, CITI, "PLN", verified=True)
    eur_other = add_account(jan, "DE89370400440532013000", "EUR", verified=True)
    fund(jan, "100.00", "PLN")
    fund(jan, "100.00", "EUR")

    free = withdrawal(jan, jan.pko, "10.00")  # PKO BP: free in every currency
    other = withdrawal(jan, citi, "10.00")  # other bank, PLN: 4 PLN
    euro = withdrawal(jan, eur_other, "10.00", "EUR")  # other bank, EUR: 9 PLN / 4.30 ↑

    assert (free.fee, free.net) == (Money("0.00", "PLN"), Money("10.00", "PLN"))
    assert (other.fee, other.net) == (Money("4.00", "PLN"), Money("6.00", "PLN"))
    assert (euro.fee, euro.net) == (Money("2.10", "EUR"), Money("7.90", "EUR"))
    # The table is data: the operator edits it.
    WithdrawalFee.objects.filter(banks="", currency="PLN").update(fee_pln=Decimal("3.50"))
    assert withdrawal(jan, citi, "10.00").fee == Money("3.50", "PLN")
    assert code_of(lambda: withdrawal(jan, citi, "3.50")) == "AMOUNT_TOO_SMALL"
    # RECEIVER_VOLUME: the account gets the volume, the fee comes on top.
    on_top = withdrawal(jan, citi, "10.00", receiver_volume=True)
    assert (on_top.amount, on_top.net) == (Money("13.50", "PLN"), Money("10.00", "PLN"))
    assert check_ledger().ok


def test_the_same_idempotency_key_books_one_withdrawal(mids, jan):
    fund(jan, "100.00", "PLN")
    first = actions.request_withdrawal(jan, jan.pko, Money("40.00", "PLN"), idempotency_key="k1")
    again = actions.request_withdrawal(jan, jan.pko, Money("40.00", "PLN"), idempotency_key="k1")

    assert first.pk == again.pk
    assert isinstance(first, Withdrawal)
    assert customer_balance(jan, "PLN").reserved == Money("40.00", "PLN")
    assert check_ledger().ok


def test_payout_file_then_statement_settle_the_withdrawal_and_the_history_shows_it_WD_4(mids, jan):
    citi = add_account(jan, CITI, "PLN", "JAN KOWALSKI", verified=True)
    fund(jan, "500.00", "PLN")
    payout = withdrawal(jan, citi, "200.00", title="na wakacje", submit_id="s-1")
    assert payout.status == PayoutStatus.REQUEST_RECEIVED
    assert payout.api_status == "REQUEST_RECEIVED"

    [batch] = actions.export_payouts()

    payout.refresh_from_db()
    assert (payout.status, payout.api_status, payout.batch) == (
        PayoutStatus.SENT,
        "REQUEST_RECEIVED",
        batch,
    )
    doc = ElementTree.fromstring(batch.content.encode())
    tx = doc.find(".//p:CdtTrfTxInf", NS)
    assert tx.find("p:PmtId/p:EndToEndId", NS).text == payout.reference
    assert tx.find("p:Amt/p:InstdAmt", NS).text == "196.00"
    assert tx.find("p:Amt/p:InstdAmt", NS).get("Ccy") == "PLN"
    assert tx.find("p:CdtrAcct/p:Id/p:IBAN", NS).text == CITI
    assert tx.find("p:RmtInf/p:Ustrd", NS).text == f"{payout.reference} na wakacje"
    assert doc.find(".//p:DbtrAcct/p:Id/p:IBAN", NS).text == PLN_ACCOUNT
    assert doc.find(".//p:GrpHdr/p:CtrlSum", NS).text == "196.00"
    assert check_ledger().ok  # reserved still equals what pending payouts hold
    assert actions.export_payouts() == []  # nothing left to send

    summary = actions.import_statement(statement(outgoing("OUT1", payout)))

    payout.refresh_from_db()
    assert summary.payouts_settled == 1
    assert (payout.status, payout.api_status) == (PayoutStatus.SETTLED, "SETTLED")
    items = {h.operation_detailed_type: h for h in HistoryItem.objects.filter(customer=jan)}
    assert items["PAYOUT"].amount == Money("-196.00", "PLN")
    assert items["PAYOUT_FEE"].amount == Money("-4.00", "PLN")
    assert items["PAYOUT"].transaction.submit_id == "s-1"
    assert items["PAYOUT"].transaction.details["destinationAccount"] == CITI
    assert customer_balance(jan, "PLN").total == Money("300.00", "PLN")
    assert accounts.operator_account(AccountKind.FEE_INCOME, "PLN").balance == Money("4.00", "PLN")
    assert check_ledger().ok


def test_a_payout_rejected_before_or_after_sending_gives_everything_back_WD_4(mids, jan):
    fund(jan, "100.00", "PLN")
    queued = withdrawal(jan, jan.pko, "30.00")
    actions.reject_payout(queued, acting_user=None, reason="customer asked")
    sent = withdrawal(jan, jan.pko, "40.00")
    actions.export_payouts()
    actions.reject_payout(sent, acting_user=None, reason="bank refused the file")

    sent.refresh_from_db()
    assert sent.api_status == "REJECTED"
    assert customer_balance(jan, "PLN").available == Money("100.00", "PLN")
    assert accounts.operator_account(AccountKind.PAYOUTS_IN_TRANSIT, "PLN").balance_minor == 0
    assert not HistoryItem.objects.filter(customer=jan, operation_type="PAYOUT").exists()
    assert check_ledger().ok


def test_a_returned_payout_credits_the_customer_back_WD_4(mids, jan):
    fund(jan, "100.00", "PLN")
    by_bank = withdrawal(jan, jan.pko, "30.00")
    by_staff = withdrawal(jan, jan.pko, "20.00")
    actions.export_payouts()
    back = StatementLine(
        bank_reference="IN1",
        account_iban=PLN_ACCOUNT,
        booking_date=datetime(2025, 3, 12).date(),
        value_date=datetime(2025, 3, 12).date(),
        amount=Decimal("30.00"),
        direction=Direction.CREDIT,
        currency="PLN",
        counterparty_account=jan.pko.iban,
        title=f"ZWROT {by_bank.reference} RACHUNEK ZAMKNIETY",
    )

    actions.import_statement(statement(outgoing("OUT1", by_bank), back))
    actions.mark_payout_returned(
        by_staff, acting_user=None, reason="bank phoned", reason_code="AC04"
    )

    by_bank.refresh_from_db()
    by_staff.refresh_from_db()
    assert (by_bank.api_status, by_staff.api_status) == ("RETURNED", "RETURNED")
    assert customer_balance(jan, "PLN").available == Money("100.00", "PLN")
    returns = HistoryItem.objects.filter(customer=jan, operation_detailed_type="PAYOUT_RETURN")
    assert sorted(h.amount_minor for h in returns) == [2000, 3000]
    # The statement later shows the staff-entered return: linked, not booked again.
    late = StatementLine(
        bank_reference="IN2",
        account_iban=PLN_ACCOUNT,
        booking_date=datetime(2025, 3, 13).date(),
        value_date=datetime(2025, 3, 13).date(),
        amount=Decimal("20.00"),
        direction=Direction.CREDIT,
        currency="PLN",
        counterparty_account=jan.pko.iban,
        title=f"ZWROT {by_staff.reference}",
    )
    summary = actions.import_statement(statement(late))
    assert (summary.payouts_returned, summary.booked) == (1, 0)
    assert customer_balance(jan, "PLN").available == Money("100.00", "PLN")
    assert check_ledger().ok


def test_a_strangers_transfer_quoting_a_payout_reference_is_not_a_return_WD_4_DEP_3(mids, jan):
    """Anyone can write ``WD-000123`` in a title: only money coming back from the
    payout's destination (or flagged as a return by the bank) is a return."""
    fund(jan, "100.00", "PLN")
    payout = withdrawal(jan, jan.pko, "30.00")
    actions.export_payouts()
    actions.import_statement(statement(outgoing("OUT1", payout)))
    stranger = StatementLine(
        bank_reference="IN9",
        account_iban=PLN_ACCOUNT,
        booking_date=datetime(2025, 3, 12).date(),
        value_date=datetime(2025, 3, 12).date(),
        amount=Decimal("25.00"),
        direction=Direction.CREDIT,
        currency="PLN",
        counterparty_name="ADAM OBCY",
        counterparty_account=CITI,
        title=f"platnosc za fakture {payout.reference}",
    )

    summary = actions.import_statement(statement(stranger))

    payout.refresh_from_db()
    assert summary.payouts_returned == 0
    assert payout.api_status == "SETTLED"
    assert customer_balance(jan, "PLN").available == Money("70.00", "PLN")
    assert not HistoryItem.objects.filter(operation_detailed_type="PAYOUT_RETURN").exists()
    assert check_ledger().ok


def test_a_payout_under_an_aml_hold_placed_after_the_request_is_not_sent_WD_2(mids, jan):
    fund(jan, "100.00", "PLN")
    payout = withdrawal(jan, jan.pko, "30.00")
    actions.place_hold(jan, acting_user=None, reason="suspicious pattern")

    assert actions.export_payouts() == []

    actions.release_hold(jan, acting_user=None, reason="cleared")
    [batch] = actions.export_payouts()
    assert list(batch.payouts.all()) == [Withdrawal.objects.get(pk=payout.pk)]
    assert check_ledger().ok


def test_withdrawals_above_15000_eur_equivalent_are_flagged_AML_2(mids, jan):
    fund(jan, "70000.00", "PLN")
    assert withdrawal(jan, jan.pko, "64500.01").aml_flagged
    assert not withdrawal(jan, jan.pko, "10.00").aml_flagged
    assert check_ledger().ok


def test_a_cancelled_order_goes_back_to_the_source_account_WD_5(mids, jan):
    from tests.banking.test_deposit_decisions import incoming

    actions.import_statement(incoming("R1", "300.00", title="KND8NX4QMAQ9"))
    deposit = Deposit.objects.get()

    back = actions.return_to_source(
        jan,
        Money("300.00", "PLN"),
        deposit_id=deposit.pk,
        idempotency_key="order-7-cancel",
        reason="order 7 cancelled",
    )
    again = actions.return_to_source(
        jan,
        Money("300.00", "PLN"),
        deposit_id=deposit.pk,
        idempotency_key="order-7-cancel",
    )

    assert back.pk == again.pk
    assert (back.kind, back.destination_iban, back.deposit) == (
        PayoutKind.RETURN_TO_SOURCE,
        jan.pko.iban,
        deposit,
    )
    assert back.net == Money("300.00", "PLN")  # PKO BP: free
    assert customer_balance(jan, "PLN").reserved == Money("300.00", "PLN")
    assert (
        code_of(
            lambda: actions.return_to_source(
                jan, Money("1.00", "PLN"), deposit_id=deposit.pk + 99, idempotency_key="x"
            )
        )
        == "NOT_FOUND"
    )
    assert check_ledger().ok


def test_quote_answers_the_fee_without_writing_anything_WD_3(mids, jan):
    fund(jan, "50.00", "PLN")
    quote = actions.quote_withdrawal(jan, jan.pko, Money("20.00", "PLN"))
    assert (quote.fee, quote.net, quote.transfer_type) == (
        Money("0.00", "PLN"),
        Money("20.00", "PLN"),
        "DOMESTIC",
    )
    assert (
        code_of(lambda: actions.quote_withdrawal(jan, jan.pko, Money("60.00", "PLN")))
        == "INSUFFICIENT_FUNDS"
    )
    assert not Withdrawal.objects.exists()
    assert check_ledger().ok


def test_an_unmatched_outgoing_entry_can_be_settled_or_booked_as_a_fee_by_staff_WD_4(mids, jan):
    from kantor.banking.models import BankEntry, EntryKind

    fund(jan, "100.00", "PLN")
    payout = withdrawal(jan, jan.pko, "30.00")
    actions.export_payouts()
    # The bank lost our reference and the destination: nothing to recognise it by.
    mangled = replace(outgoing("OUT1", payout), title="WYPLATA", counterparty_account="")
    fee = StatementLine(
        bank_reference="FEE1",
        account_iban=PLN_ACCOUNT,
        booking_date=mangled.booking_date,
        value_date=mangled.booking_date,
        amount=Decimal("1.50"),
        direction=Direction.DEBIT,
        currency="PLN",
        title="PROWIZJA",
    )
    summary = actions.import_statement(statement(mangled, fee))
    assert summary.unmatched == 2

    entry = BankEntry.objects.get(bank_reference="OUT1")
    actions.settle_payout(payout, entry, acting_user=None, reason="our WD without reference")
    actions.book_bank_fee(
        BankEntry.objects.get(bank_reference="FEE1"), acting_user=None, reason="monthly fee"
    )

    payout.refresh_from_db()
    assert payout.status == PayoutStatus.SETTLED
    assert BankEntry.objects.filter(kind=EntryKind.UNMATCHED_DEBIT).count() == 0
    assert accounts.operator_account(AccountKind.BANK_FEES, "PLN").balance == Money("1.50", "PLN")
    assert check_ledger().ok


def test_flagged_transfers_in_and_out_are_listed_for_the_report_AML_2(mids, jan):
    from datetime import timedelta

    from django.utils import timezone

    from kantor.banking.queries import aml_flagged_transfers
    from tests.banking.test_deposit_decisions import incoming

    actions.import_statement(incoming("R1", "70000.00", title="KND8NX4QMAQ9"))
    withdrawal(jan, jan.pko, "65000.00")
    withdrawal(jan, jan.pko, "10.00")
    now = timezone.now()

    rows = aml_flagged_transfers(now - timedelta(days=365 * 5), now + timedelta(minutes=1))

    assert [(r.direction, str(r.money)) for r in rows] == [
        ("in", "70000.00 PLN"),
        ("out", "65000.00 PLN"),
    ]
    assert rows[1].eur == Decimal("15116.28")
    assert check_ledger().ok
