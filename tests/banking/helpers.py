"""Building blocks of the banking tests: payouts through the real actions."""

from __future__ import annotations

import itertools

from kantor.banking import actions
from kantor.banking.models import Payout
from kantor.domain.money import Money
from tests.banking.conftest import add_account
from tests.factories import fund, make_customer

_keys = itertools.count(1)


def withdrawal(customer, account, amount: str, cur: str = "PLN", **kwargs) -> Payout:
    return actions.request_withdrawal(
        customer, account, Money(amount, cur), idempotency_key=f"test-wd-{next(_keys)}", **kwargs
    )


def sent_payout(first: str, last: str, iban: str, amount: str, cur: str = "PLN") -> Payout:
    """A customer with a verified account, funded, whose withdrawal went out in a file."""
    customer = make_customer(first_name=first, last_name=last)
    account = add_account(customer, iban, cur, f"{first} {last}", verified=True)
    fund(customer, amount, cur)
    payout = withdrawal(customer, account, amount, cur)
    actions.export_payouts(currency=cur)
    payout.refresh_from_db()
    return payout
