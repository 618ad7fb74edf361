"""Staff decisions on incoming transfers and refunds (DEP-3..6, BANK-2, AML-2, AML-4)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from kantor.banking import actions, hooks
from kantor.banking.errors import BankingError
from kantor.banking.models import Deposit, DepositStatus, PayoutKind, PayoutStatus, ReviewReason
from kantor.banking.statements import Direction, Statement, StatementLine, render_csv
from kantor.core.models import AuditLog
from kantor.customers.models import CustomerStatus
from kantor.domain.calendar import WARSAW
from kantor.domain.money import Money
from kantor.ledger import accounts
from kantor.ledger.invariants import check_ledger
from kantor.ledger.models import AccountKind
from kantor.ledger.queries import customer_balance
from tests.banking.conftest import add_account

PLN_ACCOUNT = "PL46105010383616090881330367"
NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)  # a Monday


def incoming(
    ref: str,
    amount: str,
    *,
    title: str = "",
    name: str = "JAN KOWALSKI",
    account: str = "PL62102010268172805693166101",
    address: str | None = None,
    cur: str = "PLN",
    day: date | None = None,
) -> bytes:
    iban = PLN_ACCOUNT if cur == "PLN" else "PL58105010383279248019632235"
    day = day or NOW.date()
    line = StatementLine(
        bank_reference=ref,
        account_iban=iban,
        booking_date=day,
        value_date=day,
        amount=Decimal(amount),
        direction=Direction.CREDIT,
        currency=cur,
        counterparty_name=name,
        counterparty_address=address,
        counterparty_account=account,
        title=title,
    )
    return render_csv([Statement("S", iban, cur, None, None, (line,))]).encode()


def held(kind: AccountKind, cur: str = "PLN") -> Money:
    return accounts.operator_account(kind, cur).balance


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("ola", password="x", is_staff=True)


def test_first_transfer_approved_is_booked_and_verifies_the_account_and_customer_BANK_2(
    mids, bilans, staff
):
    actions.import_statement(
        incoming(
            "R1",
            "12000.00",
            title="KNDES52XG47C",
            name="ZAKŁAD USŁUG KSIĘGOWYCH BILANS SP. Z O.O.",
            account="PL66124010371974792587876196",
        ),
        now=NOW,
    )
    deposit = Deposit.objects.get()
    assert deposit.review_reason == ReviewReason.FIRST_TRANSFER

    actions.approve_deposit(deposit, acting_user=staff, reason="KRS checked")

    deposit.refresh_from_db()
    bilans.refresh_from_db()
    bilans.pekao.refresh_from_db()
    assert deposit.status == DepositStatus.BOOKED
    assert bilans.pekao.verified
    assert bilans.status == CustomerStatus.VERIFIED
    assert customer_balance(bilans, "PLN").available == Money("12000.00", "PLN")
    assert held(AccountKind.PENDING_DEPOSITS) == Money("0.00", "PLN")
    assert AuditLog.objects.filter(action="deposit.approved", actor=staff).exists()
    # DEP-3: later transfers from the now verified account are booked automatically.
    summary = actions.import_statement(
        incoming(
            "R2",
            "100.00",
            title="KNDES52XG47C",
            name="ZAKŁAD USŁUG KSIĘGOWYCH BILANS SP. Z O.O.",
            account="PL66124010371974792587876196",
        ),
        now=NOW,
    )
    assert summary.booked == 1
    assert check_ledger().ok


def test_approving_needs_the_account_defined_by_the_customer_BANK_1(mids, jan, staff):
    actions.import_statement(
        incoming("R1", "10.00", title="KND8NX4QMAQ9", account="PL90114020045809183313901285"),
        now=NOW,
    )
    deposit = Deposit.objects.get()
    assert deposit.review_reason == ReviewReason.ACCOUNT_NOT_DEFINED

    with pytest.raises(BankingError) as refused:
        actions.approve_deposit(deposit, acting_user=staff)
    assert refused.value.code == "ACCOUNT_NOT_DEFINED"

    add_account(jan, "PL90114020045809183313901285", "PLN")
    actions.approve_deposit(deposit, acting_user=staff)
    assert customer_balance(jan, "PLN").available == Money("10.00", "PLN")
    assert check_ledger().ok


def test_rejected_transfer_is_refunded_less_the_cost_within_14_business_days_DEP_4(
    mids, bilans, staff
):
    # Pekao is a named bank: a PLN transfer costs nothing; EUR would cost 5 PLN (WD-3).
    actions.import_statement(
        incoming(
            "R1",
            "300.00",
            title="KNDES52XG47C",
            name="ZAKŁAD USŁUG BILANS",
            account="PL66124010371974792587876196",
        ),
        now=NOW,
    )
    deposit = Deposit.objects.get()

    actions.reject_deposit(deposit, acting_user=staff, reason="another company")

    deposit.refresh_from_db()
    refund = deposit.payouts.get()
    assert deposit.status == DepositStatus.REFUNDING
    assert refund.kind == PayoutKind.REFUND
    assert refund.destination_iban == "PL66124010371974792587876196"
    # 14 business days after Monday 10 March 2025: Friday 28 March, end of day, Warsaw.
    deadline = deposit.refund_deadline.astimezone(WARSAW)
    assert (deadline.date().isoformat(), deadline.hour) == ("2025-03-28", 23)
    assert held(AccountKind.REFUNDS_PAYABLE) == Money("300.00", "PLN")
    assert check_ledger().ok


def test_a_mismatched_sender_is_refunded_less_the_refund_cost_DEP_4(mids, jan):
    # "Inne banki" (here mBank's 114 is named; use a bank not named: 103 Citi) → 4.00 PLN.
    add_account(jan, "PL89103000190109780400000000", "PLN", verified=True)
    actions.import_statement(
        incoming(
            "R1",
            "1000.00",
            title="KND8NX4QMAQ9",
            name="ADAM MAŁYSZ",
            account="PL89103000190109780400000000",
        ),
        now=NOW,
    )
    deposit = Deposit.objects.get()
    refund = deposit.payouts.get()
    assert (deposit.status, deposit.review_reason) == (
        DepositStatus.REFUNDING,
        ReviewReason.NAME_MISMATCH,
    )
    assert (refund.fee, refund.net) == (Money("4.00", "PLN"), Money("996.00", "PLN"))

    actions.export_payouts(currency="PLN")
    settle = StatementLine(
        bank_reference="OUT1",
        account_iban=PLN_ACCOUNT,
        booking_date=NOW.date(),
        value_date=NOW.date(),
        amount=Decimal("996.00"),
        direction=Direction.DEBIT,
        currency="PLN",
        counterparty_account="PL89103000190109780400000000",
        title=f"{refund.reference} ZWROT",
    )
    actions.import_statement(
        render_csv([Statement("S2", PLN_ACCOUNT, "PLN", None, None, (settle,))]).encode(),
        now=NOW,
    )

    deposit.refresh_from_db()
    refund.refresh_from_db()
    assert refund.status == PayoutStatus.SETTLED
    assert deposit.status == DepositStatus.REFUNDED
    assert held(AccountKind.REFUNDS_PAYABLE) == Money("0.00", "PLN")
    assert held(AccountKind.FEE_INCOME) == Money("4.00", "PLN")
    assert held(AccountKind.CLIENT_BANK) == Money("4.00", "PLN")
    assert check_ledger().ok


def test_overdue_refunds_are_stamped_once_by_the_deadline_job_DEP_4(mids, jan):
    actions.import_statement(
        incoming("R1", "50.00", title="KND8NX4QMAQ9", name="ADAM MAŁYSZ"), now=NOW
    )
    before = datetime(2025, 3, 28, 20, 0, tzinfo=UTC)  # 21:00 in Warsaw: still in time
    after = datetime(2025, 3, 29, 8, 0, tzinfo=UTC)

    from kantor.ops import scheduler

    assert "banking.overdue_refunds" in [job.name for job in scheduler.jobs()]
    assert actions.mark_overdue_refunds(before) == 0
    assert actions.mark_overdue_refunds(after) == 1
    assert actions.mark_overdue_refunds(after) == 0
    assert Deposit.objects.get().refund_overdue_at == after
    assert check_ledger().ok


def test_unassigned_transfer_assigned_by_staff_is_identified_like_any_other_DEP_6(mids, jan, staff):
    actions.import_statement(incoming("R1", "75.00", title="za obiad", account=""), now=NOW)
    deposit = Deposit.objects.get()
    assert deposit.status == DepositStatus.UNASSIGNED
    assert held(AccountKind.SUSPENSE) == Money("75.00", "PLN")

    actions.assign_deposit(deposit, jan, acting_user=staff, reason="phoned the customer")

    deposit.refresh_from_db()
    # No sender account on the statement: staff must still decide (DEP-3).
    assert (deposit.status, deposit.review_reason) == (
        DepositStatus.REVIEW,
        ReviewReason.NO_SENDER_ACCOUNT,
    )
    assert held(AccountKind.SUSPENSE) == Money("0.00", "PLN")
    assert held(AccountKind.PENDING_DEPOSITS) == Money("75.00", "PLN")
    with pytest.raises(BankingError) as refused:
        actions.refund_deposit(deposit, acting_user=staff, reason="unknown sender")
    assert refused.value.code == "NO_SENDER_ACCOUNT"
    actions.refund_deposit(
        deposit,
        acting_user=staff,
        reason="unknown sender",
        destination_iban="PL90114020045809183313901285",
        recipient_name="EWA LEWANDOWSKA",
    )
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.REFUNDING
    assert AuditLog.objects.filter(action="deposit.refunded").exists()
    assert check_ledger().ok


def test_staff_decisions_need_a_reason_and_the_right_state_AML_4(mids, jan, staff):
    actions.import_statement(incoming("R1", "75.00", title="x", account=""), now=NOW)
    deposit = Deposit.objects.get()
    with pytest.raises(BankingError) as no_reason:
        actions.assign_deposit(deposit, jan, acting_user=staff, reason=" ")
    assert no_reason.value.code == "REASON_REQUIRED"
    with pytest.raises(BankingError) as wrong_state:
        actions.approve_deposit(deposit, acting_user=staff)
    assert wrong_state.value.code == "INVALID_STATE"


def test_explanation_requested_keeps_the_deposit_held_DEP_5(mids, jan, staff):
    actions.import_statement(
        incoming("R1", "20.00", title="KND8NX4QMAQ9", address="ul. Długa 1, 80-831 Gdańsk"),
        now=NOW,
    )
    deposit = Deposit.objects.get()
    assert deposit.review_reason == ReviewReason.NAME_UNSURE

    actions.request_explanation(deposit, acting_user=staff, note="moved to Gdańsk?")

    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.REVIEW
    assert deposit.explanation_requested_at is not None
    assert check_ledger().ok


def test_transfers_above_15000_eur_equivalent_are_flagged_AML_2(mids, jan):
    # 64 500.00 PLN at 4.30 = exactly 15 000 EUR: not above; one grosz more is.
    summary = actions.import_statement(
        incoming("R1", "64500.00", title="KND8NX4QMAQ9").replace(b"\r\n", b"\n"),
        now=NOW,
    )
    assert summary.aml_flagged == 0
    summary = actions.import_statement(incoming("R2", "64500.01", title="KND8NX4QMAQ9"), now=NOW)
    assert summary.aml_flagged == 1
    flagged = Deposit.objects.get(aml_flagged=True)
    assert flagged.aml_eur_amount == Decimal("15000.00")
    assert check_ledger().ok


def test_booked_deposits_are_offered_to_the_hooks_with_the_banks_booking_time(mids, jan):
    seen: list[hooks.BookedDeposit] = []
    hooks.register_deposit_handler("test", lambda d: seen.append(d) or True)
    hooks.register_title_resolver(
        "test",
        lambda t: hooks.TitleOwner(jan.pk, "rate_lock", "L1") if t.startswith("KNR") else None,
    )

    actions.import_statement(
        incoming("R1", "125.00", title="blokada KNR-QPWG-BBGF-E", day=NOW.date()), now=NOW
    )

    deposit = Deposit.objects.get()
    assert (deposit.status, deposit.assigned_by, deposit.claimed_by) == (
        DepositStatus.BOOKED,
        "title",
        "test",
    )
    assert seen[0].titles == ("KNRQPWGBBGFE",)
    assert seen[0].booked_at == NOW  # imported on the booking day: the import time
    assert seen[0].money == Money("125.00", "PLN")
    assert check_ledger().ok


def test_a_failing_handler_leaves_the_money_available_and_is_kept_for_staff(mids, jan, staff):
    def broken(deposit):
        accounts.operator_account(AccountKind.TRADING, "PLN")
        raise RuntimeError("exchange is down")

    hooks.register_deposit_handler("broken", broken)
    actions.import_statement(incoming("R1", "10.00", title="KND8NX4QMAQ9"), now=NOW)

    deposit = Deposit.objects.get()
    assert deposit.status == DepositStatus.BOOKED
    assert "exchange is down" in deposit.hook_error
    assert customer_balance(jan, "PLN").available == Money("10.00", "PLN")
    hooks.register_deposit_handler("broken", lambda d: True)
    actions.reoffer_deposit(deposit, acting_user=staff)
    deposit.refresh_from_db()
    assert (deposit.hook_error, deposit.claimed_by) == ("", "broken")
    assert check_ledger().ok


def test_without_any_rate_a_transfer_is_flagged_for_a_look_AML_2(jan):
    """Decision: no rate known at all — flag it rather than miss a report."""
    actions.import_statement(incoming("R1", "10.00", title="KND8NX4QMAQ9"), now=NOW)

    deposit = Deposit.objects.get()
    assert (deposit.aml_flagged, deposit.aml_eur_amount) == (True, None)
    assert check_ledger().ok


def test_a_refund_rejected_by_the_bank_is_due_again_and_can_be_sent_again_DEP_4(mids, jan, staff):
    actions.import_statement(
        incoming("R1", "50.00", title="KND8NX4QMAQ9", name="ADAM NOWY"), now=NOW
    )
    deposit = Deposit.objects.get()
    first = deposit.payouts.get()
    actions.export_payouts()

    actions.reject_payout(first, acting_user=staff, reason="account closed")

    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.REFUND_DUE
    assert held(AccountKind.REFUNDS_PAYABLE) == Money("50.00", "PLN")
    assert held(AccountKind.PAYOUTS_IN_TRANSIT).amount == 0
    actions.refund_deposit(
        deposit,
        acting_user=staff,
        reason="sender gave a new account",
        destination_iban="PL90114020045809183313901285",
    )
    second = deposit.payouts.exclude(pk=first.pk).get()
    assert (second.status, second.destination_iban) == (
        PayoutStatus.REQUEST_RECEIVED,
        "PL90114020045809183313901285",
    )
    assert check_ledger().ok


def test_handlers_see_the_account_verified_by_the_approval_LOCK_9_BANK_2(mids, bilans, staff):
    from kantor.customers.models import BankAccount, Customer

    seen = []

    def handler(booked):
        account = BankAccount.objects.get(pk=booked.sender_account_id)
        seen.append((account.verified, Customer.objects.get(pk=booked.customer_id).status))
        return False

    hooks.register_deposit_handler("lock", handler)
    actions.import_statement(
        incoming(
            "R1",
            "10.00",
            title="KNDES52XG47C",
            name="ZAKŁAD USŁUG KSIĘGOWYCH BILANS SP. Z O.O.",
            account="PL66124010371974792587876196",
        ),
        now=NOW,
    )
    actions.approve_deposit(Deposit.objects.get(), acting_user=staff)

    assert seen == [(True, CustomerStatus.VERIFIED)]
    assert check_ledger().ok
