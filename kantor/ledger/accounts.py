"""Finding (and opening) ledger accounts.

Accounts are opened lazily, the first time money of a currency touches a
customer or the operator. Opening races are settled by the unique
constraints: the loser of a race reads the winner's row.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from kantor.domain.money import currency as check_currency

from .models import CUSTOMER_KINDS, Account, AccountKind


def _open(kind: AccountKind, cur: str, customer_id: int | None) -> Account:
    code = check_currency(cur).code
    lookup = {"kind": kind, "currency": code, "customer_id": customer_id}
    account = Account.objects.filter(**lookup).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(**lookup)
    except IntegrityError:
        return Account.objects.get(**lookup)


def customer_account(customer, kind: AccountKind, cur: str) -> Account:
    if kind not in CUSTOMER_KINDS:
        raise ValueError(f"{kind} is not a customer account kind")
    return _open(kind, cur, getattr(customer, "pk", customer))


def available(customer, cur: str) -> Account:
    return customer_account(customer, AccountKind.CUSTOMER_AVAILABLE, cur)


def reserved(customer, cur: str) -> Account:
    return customer_account(customer, AccountKind.CUSTOMER_RESERVED, cur)


def receivable(customer, cur: str) -> Account:
    return customer_account(customer, AccountKind.CUSTOMER_RECEIVABLE, cur)


def operator_account(kind: AccountKind, cur: str) -> Account:
    if kind in CUSTOMER_KINDS:
        raise ValueError(f"{kind} is a customer account kind")
    return _open(kind, cur, None)
