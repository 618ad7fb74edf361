"""Test data builders: real rows, no mocks."""

from __future__ import annotations

import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model

from kantor.customers.models import Customer, CustomerKind
from kantor.domain.money import Money
from kantor.ledger import accounts
from kantor.ledger.models import AccountKind
from kantor.ledger.operations import Operation
from kantor.ledger.posting import Posting, credit, debit, post

_seq = itertools.count(1)
# Valid PESELs (checksums verified by python-stdnum) for adults.
PESELS = ["44051401359", "02070803628", "85121207612", "90010112340", "75030512344"]


def make_customer(kind: str = CustomerKind.INDIVIDUAL, **fields) -> Customer:
    n = next(_seq)
    email = fields.pop("email", f"customer{n}@example.com")
    user = get_user_model().objects.create_user(username=email, email=email, password="x")
    defaults = dict(
        kind=kind,
        email=email,
        phone="+48600100200",
        street="ul. Marszałkowska 1",
        postal_code="00-001",
        city="Warszawa",
        deposit_title=f"KNTTEST{n:05d}",
    )
    if kind == CustomerKind.INDIVIDUAL:
        defaults.update(first_name="Jan", last_name="Nowak", pesel=f"{n:011d}")
    else:
        defaults.update(company_name=f"Firma {n} sp. z o.o.", nip=f"{n:010d}")
    defaults.update(fields)
    return Customer.objects.create(user=user, **defaults)


def fund(customer, amount: str, cur: str, key: str | None = None):
    """Book a deposit: the client bank account gains, the customer is owed."""
    money = Money(Decimal(amount), cur)
    return post(
        Posting(
            idempotency_key=key or f"test-fund-{next(_seq)}",
            kind="deposit",
            entries=[
                debit(accounts.operator_account(AccountKind.CLIENT_BANK, cur), money),
                credit(accounts.available(customer, cur), money, Operation.PAYIN),
            ],
        )
    )
