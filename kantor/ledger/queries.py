"""Reads of balances and history (O(1) balances: they are materialised)."""

from __future__ import annotations

from dataclasses import dataclass

from kantor.domain.money import Money

from .models import Account, AccountKind


@dataclass(frozen=True)
class Balance:
    """A customer's balance in one currency, as Walutomat's BalanceItem."""

    currency: str
    available: Money
    reserved: Money

    @property
    def total(self) -> Money:
        return self.available + self.reserved


def customer_balances(customer) -> list[Balance]:
    rows = Account.objects.filter(
        customer=customer,
        kind__in=(AccountKind.CUSTOMER_AVAILABLE, AccountKind.CUSTOMER_RESERVED),
    ).values_list("kind", "currency", "balance_minor")
    by_currency: dict[str, dict[str, int]] = {}
    for kind, cur, minor in rows:
        by_currency.setdefault(cur, {})[kind] = minor
    return [
        Balance(
            currency=cur,
            available=Money.from_minor(kinds.get(AccountKind.CUSTOMER_AVAILABLE, 0), cur),
            reserved=Money.from_minor(kinds.get(AccountKind.CUSTOMER_RESERVED, 0), cur),
        )
        for cur, kinds in sorted(by_currency.items())
    ]


def customer_balance(customer, cur: str) -> Balance:
    for balance in customer_balances(customer):
        if balance.currency == cur:
            return balance
    return Balance(cur, Money.zero(cur), Money.zero(cur))
