"""Bank-account actions (BANK-1, BANK-2)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kantor.core import audit

from ..errors import CustomerError, ErrorCode
from ..models import BankAccount, Customer
from ..validation_banking import clean_currency, clean_holder_name, clean_iban
from ._common import clean_reason, collect, require_in_service


@transaction.atomic
def add_bank_account(
    customer: Customer, iban: str, currency: str, holder_name: str, *, acting_user=None
) -> BankAccount:
    """BANK-1: define one of the customer's own accounts; a Polish IBAN names its bank.

    (SEC-3/SEC-8 — SMS confirmation and the no-new-account-while-funds-wait
    rule — are the panel's and API's job before they call this.)
    """
    info, code, holder = collect(
        lambda: clean_iban(iban),
        lambda: clean_currency(currency),
        lambda: clean_holder_name(holder_name),
    )
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    require_in_service(customer)
    if BankAccount.objects.filter(customer=customer, iban=info.iban).exists():
        raise CustomerError(
            _("this bank account is already defined"),
            code=ErrorCode.DUPLICATE_BANK_ACCOUNT,
            field="iban",
        )
    account = BankAccount.objects.create(
        customer=customer,
        iban=info.iban,
        currency=code,
        holder_name=holder,
        bic=info.bic,
        bank_code=info.bank_code,
        bank_name=info.bank_name,
    )
    audit.record(
        "bank_account.added",
        acting_user=acting_user,
        obj=account,
        details={
            "customer_id": customer.pk,
            "iban": info.iban,
            "currency": code,
            "bank": info.bank_name,
        },
    )
    return account


@transaction.atomic
def verify_bank_account(account: BankAccount, *, acting_user=None, reason: str = "") -> BankAccount:
    """BANK-2: the first deposit from this account passed identification (DEP-3)."""
    account = BankAccount.objects.select_for_update().get(pk=account.pk)
    if account.verified_at is not None:
        return account
    account.verified_at = timezone.now()
    account.save(update_fields=["verified_at"])
    audit.record(
        "bank_account.verified",
        acting_user=acting_user,
        obj=account,
        details={"customer_id": account.customer_id, "reason": reason},
    )
    return account


@transaction.atomic
def deactivate_bank_account(account: BankAccount, *, acting_user, reason: str) -> BankAccount:
    """BANK-1: stop accepting deposits from and paying out to this account."""
    reason = clean_reason(reason)
    account = BankAccount.objects.select_for_update().get(pk=account.pk)
    if not account.is_active:
        raise CustomerError(_("this bank account is already inactive"), code=ErrorCode.ALREADY_DONE)
    account.is_active = False
    account.save(update_fields=["is_active"])
    audit.record(
        "bank_account.deactivated",
        acting_user=acting_user,
        obj=account,
        details={"customer_id": account.customer_id, "reason": reason},
    )
    return account
