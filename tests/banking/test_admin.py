"""The back office: review and suspense queues, refunds with deadlines, payouts (DEP-3..6, WD-4)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from kantor.banking import actions
from kantor.banking.models import Deposit, DepositStatus, Payout, PayoutStatus
from kantor.core.models import AuditLog
from kantor.ledger.invariants import check_ledger
from tests.banking.test_deposit_decisions import incoming
from tests.factories import fund

OLD = datetime(2025, 1, 6, 12, 0, tzinfo=UTC)


@pytest.fixture
def boss(django_user_model) -> Client:
    user = django_user_model.objects.create_superuser("boss", "boss@example.com", "x")
    client = Client()
    client.force_login(user)
    return client


def changelist(name: str) -> str:
    return f"/backoffice/banking/{name}/"


@pytest.mark.parametrize(
    "name",
    [
        "deposit",
        "depositforreview",
        "unassigneddeposit",
        "depositrefund",
        "bankentry",
        "statementimport",
        "payout",
        "payoutbatch",
        "withdrawalfee",
        "operatoraccount",
        "customerhold",
    ],
)
def test_every_back_office_page_opens(mids, jan, boss, name):
    actions.import_statement(incoming("R1", "10.00", title="KND8NX4QMAQ9", name="ADAM NOWY"))
    fund(jan, "50.00", "PLN")
    actions.request_withdrawal(jan, jan.pko, _pln("20.00"), idempotency_key="a")
    actions.export_payouts()

    assert boss.get(changelist(name)).status_code == 200
    first = Deposit.objects.first()
    assert boss.get(f"/backoffice/banking/deposit/{first.pk}/change/").status_code == 200
    assert check_ledger().ok


def _pln(amount: str):
    from kantor.domain.money import Money

    return Money(amount, "PLN")


def test_approving_from_the_review_queue_asks_for_a_reason_and_books_DEP_3(mids, bilans, boss):
    actions.import_statement(
        incoming(
            "R1",
            "100.00",
            title="KNDES52XG47C",
            name="ZAKŁAD USŁUG KSIĘGOWYCH BILANS SP. Z O.O.",
            account="PL66124010371974792587876196",
        ),
    )
    deposit = Deposit.objects.get()
    url = changelist("depositforreview")

    page = boss.post(url, {"action": "approve", "_selected_action": [deposit.pk]})
    assert b'name="reason"' in page.content
    boss.post(
        url,
        {
            "action": "approve",
            "_selected_action": [deposit.pk],
            "apply": "1",
            "reason": "documents match",
        },
    )

    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.BOOKED
    assert AuditLog.objects.filter(action="deposit.approved", details__reason="documents match")
    assert check_ledger().ok


def test_assigning_from_the_suspense_queue_names_the_customer_DEP_6(mids, jan, boss):
    actions.import_statement(incoming("R1", "10.00", title="bez tytulu", account=""))
    deposit = Deposit.objects.get()
    url = changelist("unassigneddeposit")

    page = boss.post(url, {"action": "assign", "_selected_action": [deposit.pk]})
    assert b'name="customer"' in page.content
    boss.post(
        url,
        {
            "action": "assign",
            "_selected_action": [deposit.pk],
            "apply": "1",
            "customer": jan.email,
            "reason": "phoned",
        },
    )

    deposit.refresh_from_db()
    assert (deposit.customer, deposit.status) == (jan, DepositStatus.REVIEW)
    assert check_ledger().ok


def test_overdue_refunds_stand_out_DEP_4(mids, jan, boss):
    actions.import_statement(
        incoming("R1", "10.00", title="KND8NX4QMAQ9", name="ADAM NOWY", day=OLD.date()), now=OLD
    )

    page = boss.get(changelist("depositrefund"))

    assert "overdue" in page.content.decode()
    assert "color:#ba2121" in page.content.decode()
    assert check_ledger().ok


def test_rejecting_a_payout_needs_the_payout_permission_WD_4(mids, jan, django_user_model):
    fund(jan, "50.00", "PLN")
    payout = actions.request_withdrawal(jan, jan.pko, _pln("20.00"), idempotency_key="a")
    clerk = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_payout"))
    client = Client()
    client.force_login(clerk)
    url = changelist("payout")
    data = {"action": "reject", "_selected_action": [payout.pk], "apply": "1", "reason": "x"}

    client.post(url, data)
    assert Payout.objects.get().status == PayoutStatus.REQUEST_RECEIVED
    clerk.user_permissions.add(Permission.objects.get(codename="manage_payouts"))
    clerk.user_permissions.add(Permission.objects.get(codename="change_payout"))
    client.post(url, data)
    assert Payout.objects.get().status == PayoutStatus.REJECTED
    assert check_ledger().ok


def test_the_fee_table_is_edited_in_the_back_office_and_audited_WD_3(mids, boss):
    from kantor.banking.models import WithdrawalFee

    row = WithdrawalFee.objects.get(banks="", currency="PLN")
    page = boss.post(
        f"/backoffice/banking/withdrawalfee/{row.pk}/change/",
        {"banks": "", "currency": "PLN", "fee_pln": "3.00", "label": row.label, "position": 3},
    )
    assert page.status_code == 302
    row.refresh_from_db()
    assert str(row.fee_pln) == "3.00"
    assert AuditLog.objects.filter(action="withdrawal_fee.changed").exists()
    bad = boss.post(
        f"/backoffice/banking/withdrawalfee/{row.pk}/change/",
        {"banks": "12", "currency": "PLN", "fee_pln": "3.00", "label": "", "position": 3},
    )
    assert bad.status_code == 200  # refused: bank numbers have 3 digits
