"""Reads of the banking app: client accounts, deposit instructions, fees, queues (DEP-1, WD-3).

Other contexts use ``client_bank_account_iban`` (the exchange's rate-lock
confirmation, LOCK-14) and ``deposit_instructions``; the ledger's check uses
``reserved_by_pending_payouts`` (MON-5).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from kantor.domain.fees import (
    FeeError,
    WithdrawalFeeNotConfigured,
    polish_bank_number,
    withdrawal_fee,
)
from kantor.domain.money import Money, MoneyError, currency
from kantor.domain.titles import display_title
from kantor.rates.errors import NoRateForPair
from kantor.rates.queries import pln_mid

from .errors import BankingError, Code
from .models import (
    CUSTOMER_KINDS,
    CustomerHold,
    Deposit,
    DepositStatus,
    OperatorAccount,
    Payout,
    PayoutStatus,
    WithdrawalFee,
)
from .qr import zbp_payload

log = logging.getLogger("kantor.banking")

__all__ = [
    "AmlTransfer",
    "DepositInstructions",
    "active_hold",
    "aml_flagged_transfers",
    "client_bank_account_iban",
    "deposit_instructions",
    "fee_table",
    "operator_account",
    "overdue_refunds",
    "reserved_by_pending_payouts",
    "withdrawal_fee_for",
]


def reserved_by_pending_payouts() -> Mapping[tuple[int, str], int]:
    """MON-5: a withdrawal holds its amount in reserved until the bank settles it."""
    rows = (
        Payout.objects.filter(
            kind__in=CUSTOMER_KINDS,
            status__in=(PayoutStatus.REQUEST_RECEIVED, PayoutStatus.SENT),
        )
        .values("customer_id", "currency")
        .annotate(total=Sum("amount_minor"))
        .order_by()
    )
    return {(r["customer_id"], r["currency"]): r["total"] for r in rows}


def operator_account(cur: str) -> OperatorAccount:
    """DEP-1: the active client-money account for ``cur``; CURRENCY_NOT_SUPPORTED without one."""
    try:
        code = currency(cur).code
    except MoneyError:
        code = str(cur)
    account = OperatorAccount.objects.filter(currency=code, is_active=True).first()
    if account is None:
        raise BankingError(
            f"no client bank account in {code}",
            code=Code.CURRENCY_NOT_SUPPORTED,
            error_data={"currency": code},
        )
    return account


def client_bank_account_iban(cur: str) -> str | None:
    """The IBAN customers pay ``cur`` into (LOCK-14), or None when there is none."""
    account = OperatorAccount.objects.filter(currency=str(cur).upper(), is_active=True).first()
    return account.iban if account else None


@dataclass(frozen=True)
class DepositInstructions:
    """DEP-1: what a customer needs to pay ``currency`` in."""

    currency: str
    account_number: str
    recipient_name: str
    recipient_address: str
    bic: str
    bank_name: str
    title: str
    title_display: str
    #: PLN only: the ZBP "2D code" text for a QR code (``kantor.banking.qr``).
    qr_payload: str | None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "currency": self.currency,
            "accountNumber": self.account_number,
            "recipientName": self.recipient_name,
            "recipientAddress": self.recipient_address,
            "bic": self.bic,
            "bankName": self.bank_name,
            "transferTitle": self.title_display,
            "qrCode": self.qr_payload,
        }


def deposit_instructions(customer, cur: str | None = None) -> list[DepositInstructions]:
    """DEP-1: one set per active client account (or just ``cur``'s), with the customer's title."""
    accounts = OperatorAccount.objects.filter(is_active=True).order_by("currency")
    if cur:
        accounts = [operator_account(cur)]
    try:
        shown = display_title(customer.deposit_title)
    except ValueError:  # a legacy title that is not in the checked format
        shown = customer.deposit_title
    out = []
    for account in accounts:
        payload = None
        if account.currency == "PLN" and account.iban.startswith("PL"):
            payload = zbp_payload(
                account=account.iban,
                recipient=account.recipient_name,
                title=customer.deposit_title,
                nip=account.recipient_nip,
            )
        out.append(
            DepositInstructions(
                currency=account.currency,
                account_number=account.iban,
                recipient_name=account.recipient_name,
                recipient_address=account.recipient_address,
                bic=account.bic,
                bank_name=account.bank_name,
                title=customer.deposit_title,
                title_display=shown,
                qr_payload=payload,
            )
        )
    return out


def fee_table():
    """WD-3: the operator's table as domain rules."""
    return tuple(row.rule() for row in WithdrawalFee.objects.all())


def withdrawal_fee_for(destination_iban: str, money: Money, when: datetime | None = None) -> Money:
    """WD-3: the fee for paying ``money`` out to ``destination_iban``, in its currency.

    The PLN fee is converted at the mid rate; a free row needs no rate. Every
    failure is a ``BankingError`` with a code, a table the lookup cannot use
    (ambiguous rows, a row saved past its validation) included: FEE_TABLE_INVALID,
    logged for the operator, so no caller ever sees the domain's ``FeeError``.
    """
    bank = polish_bank_number(destination_iban)
    cur = money.currency.code
    try:
        table = fee_table()
        at_par = withdrawal_fee(table, bank, cur, Decimal(1))
        if not at_par or cur == "PLN":
            return at_par
        return withdrawal_fee(table, bank, cur, pln_mid(cur, when or timezone.now()))
    except WithdrawalFeeNotConfigured:
        raise BankingError(
            f"no withdrawal fee is configured for {cur} to this bank",
            code=Code.FEE_NOT_CONFIGURED,
            error_data={"currency": cur},
        ) from None
    except NoRateForPair:
        raise BankingError(
            f"no rate to convert the withdrawal fee into {cur}",
            code=Code.NO_RATE_FOR_PAIR,
            error_data={"currency": cur},
        ) from None
    except (FeeError, MoneyError) as exc:
        log.error("WD-3: the withdrawal fee table cannot be used: %s", exc)
        raise BankingError(
            f"the withdrawal fee table cannot be used: {exc}",
            code=Code.FEE_TABLE_INVALID,
            error_data={"currency": cur},
        ) from None


def active_hold(customer) -> CustomerHold | None:
    """WD-2: the customer's active AML hold, if any."""
    return (
        CustomerHold.objects.filter(customer=customer, released_at__isnull=True)
        .order_by("id")
        .first()
    )


def overdue_refunds(now: datetime | None = None):
    """DEP-4: refunds not yet completed whose deadline has passed."""
    return Deposit.objects.filter(
        Q(status=DepositStatus.REFUND_DUE) | Q(status=DepositStatus.REFUNDING),
        refund_deadline__lt=now or timezone.now(),
    ).order_by("refund_deadline")


@dataclass(frozen=True)
class AmlTransfer:
    """AML-2: one transfer for the GIIF report (the compliance app writes the file)."""

    direction: str  # "in" or "out"
    moment: datetime
    money: Money
    eur: Decimal | None
    customer_id: int | None
    counterparty: str
    account: str
    reference: str


def aml_flagged_transfers(start: datetime, end: datetime) -> list[AmlTransfer]:
    """AML-2: transfers in (by arrival) and out (by order; rejected ones excluded) flagged
    in ``[start, end)``, oldest first — the data of one reporting period."""
    rows = [
        AmlTransfer(
            "in",
            d.received_at,
            d.money,
            d.aml_eur_amount,
            d.customer_id,
            d.entry.counterparty_name,
            d.entry.counterparty_account,
            d.entry.bank_reference,
        )
        for d in Deposit.objects.filter(
            aml_flagged=True, received_at__gte=start, received_at__lt=end
        ).select_related("entry")
    ]
    rows += [
        AmlTransfer(
            "out",
            p.created_at,
            p.amount,
            p.aml_eur_amount,
            p.customer_id,
            p.recipient_name,
            p.destination_iban,
            p.reference,
        )
        for p in Payout.objects.filter(
            aml_flagged=True, created_at__gte=start, created_at__lt=end
        ).exclude(status=PayoutStatus.REJECTED)
    ]
    return sorted(rows, key=lambda r: r.moment)
