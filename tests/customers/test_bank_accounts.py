"""Customers' own bank accounts (BANK-1, BANK-2), audited (SEC-9)."""

from __future__ import annotations

import pytest

from kantor.core.models import AuditLog
from kantor.customers.actions import (
    add_bank_account,
    deactivate_bank_account,
    set_customer_status,
    verify_bank_account,
)
from kantor.customers.errors import CustomerError, ErrorCode, InvalidData
from kantor.customers.models import BankAccount
from tests.customers.data import IBAN_ERSTE, IBAN_MBANK

pytestmark = pytest.mark.django_db


def test_a_polish_account_is_defined_with_its_bank_BANK_1(customer):
    account = add_bank_account(
        customer, "pl27 1140 2004 0000 3002 0135 5387", "pln", " Jan  Nowak "
    )

    account.refresh_from_db()
    assert (account.iban, account.currency, account.holder_name) == (IBAN_MBANK, "PLN", "Jan Nowak")
    assert (account.bank_code, account.bank_name, account.bic) == (
        "11402004",
        "mBank Spółka Akcyjna",
        "BREXPLPWMBK",
    )
    assert not account.verified and account.is_active
    row = AuditLog.objects.get(action="bank_account.added")
    assert row.details == {
        "customer_id": customer.pk,
        "iban": IBAN_MBANK,
        "currency": "PLN",
        "bank": "mBank Spółka Akcyjna",
    }


def test_the_same_account_twice_is_refused_BANK_1(customer):
    add_bank_account(customer, IBAN_ERSTE, "PLN", "Jan Nowak")
    with pytest.raises(CustomerError) as info:
        add_bank_account(customer, IBAN_ERSTE.lower(), "EUR", "Jan Nowak")
    assert (info.value.code, info.value.field) == (ErrorCode.DUPLICATE_BANK_ACCOUNT, "iban")
    assert BankAccount.objects.count() == 1


def test_every_bad_field_is_named_and_nothing_is_written_BANK_1(customer):
    with pytest.raises(InvalidData) as info:
        add_bank_account(customer, IBAN_ERSTE[:-1] + "5", "XYZ", "")
    assert set(info.value.by_field) == {"iban", "currency", "holder_name"}
    assert not BankAccount.objects.exists() and not AuditLog.objects.exists()


def test_a_suspended_customer_cannot_add_accounts_REG_12(customer, staff_user):
    set_customer_status(customer, "suspended", acting_user=staff_user, reason="documents")
    with pytest.raises(CustomerError) as info:
        add_bank_account(customer, IBAN_ERSTE, "PLN", "Jan Nowak")
    assert info.value.code == ErrorCode.CUSTOMER_INACTIVE


def test_verification_after_the_first_identified_deposit_BANK_2(customer):
    account = add_bank_account(customer, IBAN_ERSTE, "PLN", "Jan Nowak")
    account = verify_bank_account(account, reason="deposit 17 identified (DEP-3)")
    first = account.verified_at
    assert first is not None
    assert verify_bank_account(account).verified_at == first  # once only
    assert AuditLog.objects.filter(action="bank_account.verified").count() == 1


def test_staff_deactivate_an_account_with_a_reason(customer, staff_user):
    account = add_bank_account(customer, IBAN_ERSTE, "PLN", "Jan Nowak")
    account = deactivate_bank_account(account, acting_user=staff_user, reason="closed at the bank")
    assert not account.is_active
    with pytest.raises(CustomerError) as info:
        deactivate_bank_account(account, acting_user=staff_user, reason="again")
    assert info.value.code == ErrorCode.ALREADY_DONE
