"""``kantor ledger check``: the accounting equation, verified from the legs up.

1. every transaction's legs sum to zero per currency (MON-4);
2. every leg is in its account's currency;
3. every materialised balance equals the signed sum of its legs;
4. no non-negative account is below zero (MON-5);
5. every customer's statement (history items) adds up to the balance;
6. reserved funds equal what open orders, pending withdrawals and holds
   say they reserve (``kantor.ledger.reservations``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, Sum

from . import reservations
from .models import Account, AccountKind, HistoryItem, Leg

_HISTORY_KINDS = (AccountKind.CUSTOMER_AVAILABLE, AccountKind.CUSTOMER_RESERVED)


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    transactions: int = 0
    accounts: int = 0
    legs: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "transactions": self.transactions,
            "accounts": self.accounts,
            "legs": self.legs,
            "reservation_sources": reservations.source_names(),
            "problems": self.problems,
        }


def check_ledger(max_problems: int = 100) -> CheckReport:
    report = CheckReport()
    add = report.problems.append

    unbalanced = (
        Leg.objects.values("transaction_id", "currency")
        .annotate(total=Sum("amount_minor"))
        .exclude(total=0)
    )
    for row in unbalanced[:max_problems]:
        add(
            f"transaction {row['transaction_id']} does not balance in {row['currency']}: "
            f"{row['total']}"
        )

    wrong_currency = Leg.objects.exclude(currency=F("account__currency"))
    for leg in wrong_currency.select_related("account")[:max_problems]:
        add(
            f"leg {leg.pk} is in {leg.currency}, its account {leg.account_id} in "
            f"{leg.account.currency}"
        )

    sums = dict(
        Leg.objects.values("account_id")
        .annotate(total=Sum("amount_minor"))
        .values_list("account_id", "total")
    )
    history = defaultdict(int)
    for row in HistoryItem.objects.values("customer_id", "currency").annotate(
        total=Sum("amount_minor")
    ):
        history[(row["customer_id"], row["currency"])] = row["total"]

    customer_totals: dict[tuple[int, str], int] = defaultdict(int)
    reserved_actual: dict[tuple[int, str], int] = {}
    for acc in Account.objects.all().iterator():
        report.accounts += 1
        expected = acc.sign * (sums.get(acc.pk) or 0)
        if acc.balance_minor != expected:
            add(f"account {acc.pk} ({acc}) balance {acc.balance_minor} != legs {expected}")
        if acc.balance_minor < 0 and not acc.allow_negative:
            add(f"account {acc.pk} ({acc}) is negative: {acc.balance_minor}")
        if acc.kind in _HISTORY_KINDS:
            customer_totals[(acc.customer_id, acc.currency)] += acc.balance_minor
        if acc.kind == AccountKind.CUSTOMER_RESERVED:
            reserved_actual[(acc.customer_id, acc.currency)] = acc.balance_minor

    for key in set(customer_totals) | set(history):
        if customer_totals.get(key, 0) != history.get(key, 0):
            add(
                f"customer {key[0]} {key[1]}: statement sums to {history.get(key, 0)}, "
                f"balance is {customer_totals.get(key, 0)}"
            )

    expected_reserved = reservations.expected_reserved()
    for key in set(reserved_actual) | set(expected_reserved):
        actual, wanted = reserved_actual.get(key, 0), expected_reserved.get(key, 0)
        if actual != wanted:
            add(
                f"customer {key[0]} {key[1]}: reserved {actual}, open orders and "
                f"withdrawals hold {wanted}"
            )

    report.legs = Leg.objects.count()
    report.transactions = Leg.objects.values("transaction_id").distinct().count()
    del report.problems[max_problems:]
    return report
