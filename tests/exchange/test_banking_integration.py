"""End to end: a bank statement line pays a rate-locked order (DEP-2 → LOCK-7 → LOCK-9).

The staff CSV is imported by banking exactly as in production; banking
identifies the sender (DEP-3), books the deposit and offers it to the
exchange's handler, which executes the order at the locked rate.
"""

from __future__ import annotations

from datetime import timedelta

from kantor.banking import actions as banking
from kantor.banking.models import Withdrawal
from kantor.banking.queries import client_bank_account_iban
from kantor.domain.money import Money
from kantor.exchange.actions import create_deposit_order
from kantor.exchange.models import DepositOrderStatus, LockStatus, RateLockPayment
from kantor.ledger.invariants import check_ledger
from kantor.ledger.queries import customer_balance
from tests.exchange.conftest import T0, lock_ready, place


def statement(customer, order, amount: str, title: str, booked: str) -> bytes:
    account = customer.pln_account
    rows = [
        "account_iban;reference;booking_date;direction;amount;currency;"
        "counterparty_name;counterparty_account;title",
        f"{client_bank_account_iban('PLN')};REF-{order.title};{booked};C;{amount};PLN;"
        f"{account.holder_name};{account.iban};{title}",
    ]
    return ("\n".join(rows) + "\n").encode()


def test_a_statement_line_with_the_title_executes_the_locked_order_DEP_2_LOCK_9(customer):
    lock_ready(customer)
    order = place(customer)  # BUY 1000 EUR, 4350.00 PLN due by 9 March 18:00
    data = statement(customer, order, "4350,00", f"Zaplata {order.title}", "2026-03-03")
    banking.import_statement(data, filename="manual.csv", now=T0 + timedelta(days=1, hours=2))
    order.refresh_from_db()
    assert order.status == LockStatus.EXECUTED, RateLockPayment.objects.values()
    assert customer_balance(customer, "EUR").available == Money("1000.00", "EUR")
    assert customer_balance(customer, "PLN").available == Money("0.00", "PLN")
    # the same statement again books nothing (DEP-2), and pays nothing twice
    banking.import_statement(data, filename="again.csv", now=T0 + timedelta(days=1, hours=3))
    assert RateLockPayment.objects.count() == 1
    assert check_ledger().ok


def test_a_payment_booked_on_the_deadline_day_is_in_time_when_imported_next_morning_LOCK_6(
    customer,
):
    """End-of-day statements carry the booking date only: a transfer the bank booked
    on D+7 is not made late by the operator importing the statement on D+8."""
    lock_ready(customer)
    order = place(customer)  # due by 9 March 18:00 Warsaw
    data = statement(customer, order, "4350,00", order.title, "2026-03-09")
    next_morning = T0 + timedelta(days=8, hours=-2)  # 10 March, 08:00 Warsaw
    banking.import_statement(data, filename="eod.csv", now=next_morning)
    order.refresh_from_db()
    assert order.status == LockStatus.EXECUTED, RateLockPayment.objects.values()
    assert check_ledger().ok


def test_an_order_that_cannot_be_exchanged_sends_the_money_back_to_its_source_WD_5_FX_2(
    customer,
):
    """No rate when the transfer is booked: the order fails and the funds that came
    for it go back to the account they came from, automatically (WD-5)."""
    lock_ready(customer)
    order = create_deposit_order(
        customer, "EURPLN", "BUY", "1000.00", "PLN", customer.eur_account.pk, now=T0
    )
    data = statement(customer, order, "1000,00", order.title, "2026-03-03")
    banking.import_statement(data, filename="fx2.csv", now=T0 + timedelta(days=1, hours=2))

    order.refresh_from_db()
    assert order.status == DepositOrderStatus.FAILED
    [payout] = Withdrawal.objects.filter(customer=customer)
    assert payout.destination_iban == customer.pln_account.iban
    balance = customer_balance(customer, "PLN")
    assert balance.available.amount == 0 and balance.reserved == Money("1000.00", "PLN")
    assert check_ledger().ok
