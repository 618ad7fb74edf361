"""The operator's treasury position: what to hedge (issue 5, "Operator's side").

The operator is the counterparty of every exchange with it (FX-1, FX-2,
LOCK-9). Per currency its net open position is:

* **booked** — the balance of its ``trading`` account (credit-normal: positive
  = the operator is long the currency). Each exchange with the operator
  leaves K × mid there in the quote currency and K in the base (the margin
  goes to ``fx_income``); P2P trades pass through and net to zero, so only
  the operator's own trades remain;
* **committed** — rate-locked orders accepted and not yet executed or
  cancelled (awaiting payment, or paid and waiting, LOCK-9): the operator
  bears the currency risk from acceptance (``003`` pkt 22), so they count at
  their K and K × mid at acceptance, as they will be booked;
* **total** = booked + committed, and its PLN value at the current mid
  (``to_pln``), when a rate is known.

Income is shown beside it: the exchange margin (``fx_income``), commissions
(``fee_income``) and damages (``damages_income``, LOCK-11), per currency.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from kantor.domain.money import Money, round_half_up
from kantor.ledger.models import Account, AccountKind
from kantor.rates.errors import RatesError
from kantor.rates.queries import to_pln

from .models import OPEN_LOCK_STATUSES, RateLockOrder

__all__ = ["Position", "Treasury", "treasury_position"]

INCOME_KINDS = (AccountKind.FX_INCOME, AccountKind.FEE_INCOME, AccountKind.DAMAGES_INCOME)


@dataclass(frozen=True)
class Position:
    currency: str
    booked: Money
    committed: Money
    total_pln: Money | None

    @property
    def total(self) -> Money:
        return self.booked + self.committed

    def as_dict(self) -> dict:
        return {
            "currency": self.currency,
            "booked": str(self.booked.amount),
            "committed": str(self.committed.amount),
            "total": str(self.total.amount),
            "total_pln": str(self.total_pln.amount) if self.total_pln is not None else None,
        }


@dataclass(frozen=True)
class Treasury:
    at: datetime
    positions: list[Position]
    income: dict[str, list[Money]] = field(default_factory=dict)
    open_locked_orders: int = 0

    @property
    def net_pln(self) -> Money | None:
        """The whole book's PLN value (None when a currency has no rate)."""
        values = [p.total_pln for p in self.positions]
        if any(v is None for v in values):
            return None
        return sum((v for v in values if v is not None), Money.zero("PLN"))

    def as_dict(self) -> dict:
        net = self.net_pln
        return {
            "at": self.at.isoformat(),
            "positions": [p.as_dict() for p in self.positions],
            "net_pln": str(net.amount) if net is not None else None,
            "open_locked_orders": self.open_locked_orders,
            "income": {k: [str(m) for m in v] for k, v in self.income.items()},
        }


def _committed() -> tuple[dict[str, int], int]:
    """Open locked orders as the position they will book (see ``booking``)."""
    minor: dict[str, int] = defaultdict(int)
    orders = list(RateLockOrder.objects.filter(status__in=OPEN_LOCK_STATUSES))
    for order in orders:
        pair, k = order.currency_pair, order.amount
        mid_value = Money(
            round_half_up(pair.quote_amount(k.amount, order.mid), pair.quote), pair.quote
        )
        sign = 1 if order.side == "BUY" else -1  # the customer buys base: the operator sells it
        minor[pair.base.code] -= sign * k.minor
        minor[pair.quote.code] += sign * mid_value.minor
    return minor, len(orders)


def treasury_position(now: datetime | None = None) -> Treasury:
    """The operator's net open position per currency, now."""
    now = now or timezone.now()
    booked: dict[str, int] = defaultdict(int)
    for cur, balance in Account.objects.filter(kind=AccountKind.TRADING).values_list(
        "currency", "balance_minor"
    ):
        booked[cur] += balance
    committed, open_orders = _committed()
    positions = []
    for cur in sorted(set(booked) | set(committed)):
        b, c = Money.from_minor(booked[cur], cur), Money.from_minor(committed.get(cur, 0), cur)
        try:
            value = to_pln(b + c, now)
        except RatesError:
            value = None
        positions.append(Position(cur, b, c, value))
    income: dict[str, list[Money]] = {}
    for kind in INCOME_KINDS:
        rows = Account.objects.filter(kind=kind).order_by("currency")
        income[str(kind)] = [a.balance for a in rows if a.balance_minor]
    return Treasury(now, positions, income, open_orders)
