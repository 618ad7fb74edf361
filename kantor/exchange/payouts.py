"""Paying out the proceeds of an exchange "per the customer's instruction"
(LOCK-9, FX-2, MKT-11) through the banking app's withdrawals (WD-1..4).

Banking owns payouts: ``kantor.banking.actions.request_withdrawal`` reserves
the funds and queues the transfer (fees, AML holds and limits are its rules).
The exchange has already been booked when the payout is requested, so a
refused payout must not undo it: the request runs in a savepoint and a
refusal leaves the proceeds on the customer's available balance, with the
reason recorded on the order for the customer and support to see.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction

from kantor.banking.actions import request_withdrawal
from kantor.customers.models import BankAccount, Customer
from kantor.domain.money import Money

log = logging.getLogger("kantor.exchange")

__all__ = ["PayoutOutcome", "pay_out"]


@dataclass(frozen=True)
class PayoutOutcome:
    reference: str = ""
    error: str = ""

    @property
    def requested(self) -> bool:
        return bool(self.reference)


def pay_out(
    customer: Customer,
    bank_account: BankAccount,
    money: Money,
    *,
    idempotency_key: str,
    submit_id: str = "",
    ordered_by: str = "",
) -> PayoutOutcome:
    """Ask banking to pay ``money`` out to ``bank_account``; never raises a refusal."""
    try:
        with transaction.atomic():
            withdrawal = request_withdrawal(
                customer,
                bank_account,
                money,
                idempotency_key=idempotency_key,
                submit_id=submit_id,
                ordered_by=ordered_by,
            )
    except Exception as exc:
        code = getattr(exc, "code", None)
        if not isinstance(code, str):
            raise  # a bug, not a refusal: let the caller's transaction roll back
        log.info("payout %s refused: %s", idempotency_key, exc)
        return PayoutOutcome(error=f"{code}: {exc}"[:300])
    return PayoutOutcome(reference=str(getattr(withdrawal, "pk", withdrawal)))
