"""The exchange app's ledger postings (MON-4): exchanges, reservations, damages.

An exchange with the operator is **one balanced transaction through the
trading accounts** (docs/ARCHITECTURE.md, "Exchange with the operator"). The
customer buying K = 100 EUR at ask 4.35 with mid 4.30 (EUR/PLN)::

    Dr customer_available PLN 435.00   (DIRECT_FX)  what the customer pays, rounded up
    Cr trading            PLN 430.00                K × mid, rounded half-up
    Cr fx_income          PLN   5.00                the operator's margin
    Dr trading            EUR 100.00
    Cr customer_available EUR 100.00   (DIRECT_FX)  what the customer receives, rounded down
    [Cr fee_income        EUR  x.xx]                FEE-1, when the operator charges it

and selling K base at bid mirrors it (Dr trading quote K × mid, Cr the
customer K × bid, Cr fx_income the difference). The trading accounts then
hold the operator's open position per currency (``kantor treasury``), the
margin is reportable income in the quote currency, and each currency balances
on its own. A paid rate-locked order waiting for the service's conditions
(LOCK-9) is paid from ``customer_reserved`` instead of ``customer_available``.

LOCK-11 damages are a receivable: ``Dr customer_receivable / Cr
damages_income``; collecting them from the balance is ``Dr
customer_available (CHARGE_COMPENSATION) / Cr customer_receivable``; a waiver
reverses what is still owed (``Dr damages_income / Cr customer_receivable``)
and refunds what was collected (``Dr damages_income / Cr customer_available``).

Every posting has a deterministic idempotency key, so a retried job or
handler can never book twice (``DuplicatePosting``).
"""

from __future__ import annotations

from datetime import datetime

from kantor.api.formats import format_rate, format_ts
from kantor.domain.money import Money
from kantor.ledger import accounts
from kantor.ledger.models import AccountKind, LedgerTransaction
from kantor.ledger.operations import Operation
from kantor.ledger.posting import Entry, Posting, credit, debit, post

from .models import Exchange
from .pricing import ExchangePlan

__all__ = [
    "book_damages",
    "book_exchange",
    "collect_damages_posting",
    "exchange_details",
    "move_reserved",
    "reverse_damages",
]


def exchange_details(plan: ExchangePlan) -> dict[str, str]:
    """The reference's DIRECT_FX history details: amountSold, amountBought, rate, rateTs."""
    data = {
        "amountSold": str(plan.sold),
        "amountBought": str(plan.bought),
        "rate": format_rate(plan.rate, plan.pair),
    }
    if plan.rate_ts is not None:
        data["rateTs"] = format_ts(plan.rate_ts)
    return data


def _signed(account, amount: Money, *, debit_side: bool, operation: str = "") -> list[Entry]:
    """A debit (or credit) of ``amount``; a negative amount flips the side, zero is no leg."""
    if not amount:
        return []
    if amount.is_negative:
        amount, debit_side = -amount, not debit_side
    return [(debit if debit_side else credit)(account, amount, operation)]


def exchange_entries(customer, plan: ExchangePlan, *, from_reserved: bool = False) -> list[Entry]:
    pair = plan.pair
    base, quote = pair.base.code, pair.quote.code
    op = Operation.DIRECT_FX
    pays = accounts.reserved if from_reserved else accounts.available
    trading = accounts.operator_account
    fx_income = accounts.operator_account(AccountKind.FX_INCOME, quote)
    bought_cur = plan.bought.currency.code
    entries: list[Entry] = [debit(pays(customer, plan.sold.currency.code), plan.sold, op)]
    if plan.side.name == "BUY":
        entries += _signed(trading(AccountKind.TRADING, quote), plan.mid_value, debit_side=False)
        entries += [debit(trading(AccountKind.TRADING, base), plan.amount)]
    else:
        entries += [credit(trading(AccountKind.TRADING, base), plan.amount)]
        entries += _signed(trading(AccountKind.TRADING, quote), plan.mid_value, debit_side=True)
    entries += _signed(fx_income, plan.margin, debit_side=False)
    entries += [credit(accounts.available(customer, bought_cur), plan.bought, op)]
    entries += _signed(
        accounts.operator_account(AccountKind.FEE_INCOME, bought_cur),
        plan.commission,
        debit_side=False,
    )
    return entries


def book_exchange(
    customer,
    plan: ExchangePlan,
    *,
    source: str,
    key: str,
    now: datetime,
    submit_id: str = "",
    ordered_by: str = "",
    from_reserved: bool = False,
    description: str = "",
    created_by_id: int | None = None,
) -> Exchange:
    """Book the exchange (one transaction, MON-4) and record it; MON-5 is the ledger's."""
    tx: LedgerTransaction = post(
        Posting(
            idempotency_key=key,
            kind="direct_fx",
            entries=exchange_entries(customer, plan, from_reserved=from_reserved),
            description=description or f"{plan.direction} {plan.amount} {plan.pair} @ {plan.rate}",
            details={**exchange_details(plan), "source": source},
            submit_id=submit_id,
            ordered_by=ordered_by,
            created_at=now,
            created_by_id=created_by_id,
        )
    )
    return Exchange.objects.create(
        customer=customer,
        source=source,
        pair=plan.pair.code,
        side=plan.direction,
        rate=plan.rate,
        mid=plan.mid,
        rate_ts=plan.rate_ts,
        sold_currency=plan.sold.currency.code,
        sold_minor=plan.sold.minor,
        bought_currency=plan.bought.currency.code,
        bought_minor=plan.bought.minor,
        commission_minor=plan.commission.minor,
        margin_minor=plan.margin.minor,
        transaction=tx,
        submit_id=submit_id,
        ordered_by=ordered_by,
        created_at=now,
    )


def move_reserved(customer, money: Money, *, key: str, reserve: bool, now: datetime) -> None:
    """LOCK-9: hold a paid order's amount due while it waits (or release it).

    Moving between available and reserved is not history (the total is unchanged).
    """
    available = accounts.available(customer, money.currency.code)
    reserved = accounts.reserved(customer, money.currency.code)
    source, target = (available, reserved) if reserve else (reserved, available)
    post(
        Posting(
            idempotency_key=key,
            kind="rate_lock_reserve" if reserve else "rate_lock_release",
            entries=[debit(source, money), credit(target, money)],
            created_at=now,
        )
    )


def book_damages(customer, damages: Money, *, key: str, title: str, now: datetime) -> None:
    """LOCK-11: the customer owes S to the operator (a receivable, not yet money)."""
    cur = damages.currency.code
    post(
        Posting(
            idempotency_key=key,
            kind="rate_lock_damages",
            entries=[
                debit(accounts.receivable(customer, cur), damages),
                credit(accounts.operator_account(AccountKind.DAMAGES_INCOME, cur), damages),
            ],
            description=f"LOCK-11 damages, order {title}",
            details={"title": f"LOCK-11 damages, order {title}"},
            created_at=now,
        )
    )


def collect_damages_posting(customer, amount: Money, *, key: str, title: str, now: datetime):
    """LOCK-11: take (part of) what is owed from the customer's available balance."""
    cur = amount.currency.code
    return post(
        Posting(
            idempotency_key=key,
            kind="rate_lock_damages_collected",
            entries=[
                debit(accounts.available(customer, cur), amount, Operation.CHARGE_COMPENSATION),
                credit(accounts.receivable(customer, cur), amount),
            ],
            description=f"LOCK-11 damages collected, order {title}",
            details={"title": f"LOCK-11 damages, order {title}"},
            created_at=now,
        )
    )


def reverse_damages(
    customer,
    *,
    owed: Money,
    collected: Money,
    key: str,
    title: str,
    now: datetime,
    created_by_id: int | None = None,
) -> None:
    """LOCK-11 waiver: write off what is owed and give back what was collected."""
    cur = owed.currency.code
    income = accounts.operator_account(AccountKind.DAMAGES_INCOME, cur)
    entries: list[Entry] = []
    if owed:
        entries += [debit(income, owed), credit(accounts.receivable(customer, cur), owed)]
    if collected:
        entries += [
            debit(income, collected),
            credit(accounts.available(customer, cur), collected, Operation.CHARGE_COMPENSATION),
        ]
    if entries:
        post(
            Posting(
                idempotency_key=key,
                kind="rate_lock_damages_waived",
                entries=entries,
                description=f"LOCK-11 damages waived, order {title}",
                details={"title": f"LOCK-11 damages waived, order {title}"},
                created_at=now,
                created_by_id=created_by_id,
            )
        )
