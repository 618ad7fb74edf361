"""The ledger postings of money in and out (MON-4; docs/ARCHITECTURE.md, "Banking").

One function per business event, each returning a balanced ``Posting`` with
an idempotency key derived from the bank entry, deposit or payout it books —
a second safety net under the banking rows' own unique keys. Customer legs
carry the Walutomat operation type and the transaction the history details
(``kantor.api.v2.details``: PAYIN shows transferTitle, senderName,
sourceAccount, destinationAccount; PAYOUT its destination and title).

=========================  ============================================================
event                      Dr → Cr
=========================  ============================================================
deposit, identified        client_bank → customer available (PAYIN)
deposit, held              client_bank → pending_deposits (review) or suspense (DEP-6)
deposit released           pending_deposits / suspense → customer available (PAYIN)
deposit to be refunded     pending_deposits / suspense → refunds_payable (DEP-4)
withdrawal requested       customer available → customer reserved (WD-1, MON-5)
payout sent (in a file)    payouts_in_transit ← client_bank (money committed at the bank)
payout settled             customer reserved (PAYOUT net, PAYOUT_FEE fee) or
                           refunds_payable → payouts_in_transit (net) + fee_income (fee)
payout rejected            customer reserved → customer available; if it was sent,
                           also client_bank ← payouts_in_transit
payout returned            client_bank → customer available (PAYOUT_RETURN)
bank fee                   bank_fees → client_bank
=========================  ============================================================

``payouts_in_transit`` is an asset (debit-normal, docs/ARCHITECTURE.md): the
part of the client bank account already committed to payment files, so that
``client_bank + payouts_in_transit`` equals what the bank holds until the
statement shows the payout leaving. The customer's history therefore shows
the PAYOUT when the bank settles it; until then the amount is reserved.
"""

from __future__ import annotations

from typing import Any

from kantor.domain.money import Money
from kantor.ledger import accounts
from kantor.ledger.models import AccountKind
from kantor.ledger.operations import Operation
from kantor.ledger.posting import Posting, credit, debit

from .models import BankEntry, Deposit, Payout, PayoutKind

__all__ = [
    "bank_fee",
    "deposit_moved",
    "deposit_received",
    "payout_released",
    "payout_reserved",
    "payout_returned",
    "payout_sent",
    "payout_settled",
    "payout_unsent",
    "refund_cost_kept",
]


def _op(kind: AccountKind, cur: str):
    return accounts.operator_account(kind, cur)


def _user_id(acting_user) -> int | None:
    return getattr(acting_user, "pk", None) if acting_user is not None else None


def payin_details(deposit: Deposit) -> dict[str, Any]:
    entry = deposit.entry
    return {
        "transferTitle": entry.title,
        "senderName": entry.counterparty_name,
        "sourceAccount": entry.counterparty_account,
        "destinationAccount": entry.account_iban,
        "depositId": deposit.pk,
        "bankReference": entry.bank_reference,
    }


def payout_details(payout: Payout) -> dict[str, Any]:
    details: dict[str, Any] = {
        "destinationAccount": payout.destination_iban,
        "sourceAccount": payout.operator_account.iban,
        "ownerName": payout.recipient_name,
        "ownerAdress": payout.recipient_address,
        "country": payout.destination_iban[:2],
        "transferTitle": payout.title,
        "transferId": str(payout.transfer_id),
        "payoutReference": payout.reference,
    }
    if payout.destination_bic:
        details["swift"] = payout.destination_bic
    return details


def deposit_received(deposit: Deposit, into: AccountKind | None) -> Posting:
    """The bank credited us: to the customer at once (``into`` None) or held."""
    money, cur = deposit.money, deposit.currency
    if into is None:
        target = credit(accounts.available(deposit.customer, cur), money, Operation.PAYIN)
    else:
        target = credit(_op(into, cur), money)
    return Posting(
        idempotency_key=f"bank-entry:{deposit.entry_id}:received",
        kind="deposit.booked" if into is None else f"deposit.{into}",
        entries=[debit(_op(AccountKind.CLIENT_BANK, cur), money), target],
        description=f"deposit #{deposit.pk} {deposit.entry.bank_reference}"[:300],
        details=payin_details(deposit),
    )


def deposit_moved(
    deposit: Deposit, source: AccountKind, target: AccountKind | None, *, step: str, acting_user
) -> Posting:
    """Held money moves on: to the customer (``target`` None: PAYIN) or to another holding."""
    money, cur = deposit.money, deposit.currency
    if target is None:
        to = credit(accounts.available(deposit.customer, cur), money, Operation.PAYIN)
    else:
        to = credit(_op(target, cur), money)
    return Posting(
        idempotency_key=f"deposit:{deposit.pk}:{step}",
        kind=f"deposit.{step}",
        entries=[debit(_op(source, cur), money), to],
        description=f"deposit #{deposit.pk} {step}",
        details=payin_details(deposit),
        created_by_id=_user_id(acting_user),
    )


def payout_reserved(payout: Payout) -> Posting:
    """WD-1, MON-5: the requested amount stops being available."""
    cur, amount = payout.currency, payout.amount
    return Posting(
        idempotency_key=f"payout:{payout.pk}:reserved",
        kind="payout.reserved",
        entries=[
            debit(accounts.available(payout.customer, cur), amount),
            credit(accounts.reserved(payout.customer, cur), amount),
        ],
        description=f"{payout.reference} reserved",
        details=payout_details(payout),
        submit_id=payout.submit_id,
        ordered_by=payout.ordered_by,
        created_by_id=payout.created_by_id,
    )


def payout_released(payout: Payout, *, acting_user) -> Posting:
    """A rejected customer payout: the reservation is undone (nothing left the bank)."""
    cur, amount = payout.currency, payout.amount
    return Posting(
        idempotency_key=f"payout:{payout.pk}:released",
        kind="payout.released",
        entries=[
            debit(accounts.reserved(payout.customer, cur), amount),
            credit(accounts.available(payout.customer, cur), amount),
        ],
        description=f"{payout.reference} rejected",
        details=payout_details(payout),
        created_by_id=_user_id(acting_user),
    )


def payout_sent(payout: Payout, *, acting_user) -> Posting:
    """WD-4: the payout is in a payment file: that much of the client account is
    committed (``client_bank`` + ``payouts_in_transit`` = the bank's balance)."""
    cur, net = payout.currency, payout.net
    return Posting(
        idempotency_key=f"payout:{payout.pk}:sent",
        kind="payout.sent",
        entries=[
            debit(_op(AccountKind.PAYOUTS_IN_TRANSIT, cur), net),
            credit(_op(AccountKind.CLIENT_BANK, cur), net),
        ],
        description=f"{payout.reference} sent",
        details=payout_details(payout),
        created_by_id=_user_id(acting_user),
    )


def payout_unsent(payout: Payout, *, acting_user) -> Posting:
    """WD-4: a sent payout the bank did not execute: the money is free again."""
    cur, net = payout.currency, payout.net
    return Posting(
        idempotency_key=f"payout:{payout.pk}:unsent",
        kind="payout.unsent",
        entries=[
            debit(_op(AccountKind.CLIENT_BANK, cur), net),
            credit(_op(AccountKind.PAYOUTS_IN_TRANSIT, cur), net),
        ],
        description=f"{payout.reference} not executed",
        details={**payout_details(payout), "reason": payout.reason},
        created_by_id=_user_id(acting_user),
    )


def payout_settled(payout: Payout, entry: BankEntry | None, *, acting_user=None) -> Posting:
    """WD-4: the statement shows the money left: the customer's reservation (or the
    refund owed, DEP-4) is paid — net to the recipient, the fee to the operator (WD-3)."""
    cur = payout.currency
    if payout.kind == PayoutKind.REFUND:
        sources = [debit(_op(AccountKind.REFUNDS_PAYABLE, cur), payout.amount)]
    else:
        reserved = accounts.reserved(payout.customer, cur)
        sources = [debit(reserved, payout.net, Operation.PAYOUT)]
        if payout.fee_minor:
            sources.append(debit(reserved, payout.fee, Operation.PAYOUT_FEE))
    targets = [credit(_op(AccountKind.PAYOUTS_IN_TRANSIT, cur), payout.net)]
    if payout.fee_minor:
        targets.append(credit(_op(AccountKind.FEE_INCOME, cur), payout.fee))
    by = f" by {entry.bank_reference}" if entry else ""
    return Posting(
        idempotency_key=f"payout:{payout.pk}:settled",
        kind="payout.settled",
        entries=[*sources, *targets],
        description=f"{payout.reference} settled{by}"[:300],
        details=payout_details(payout),
        submit_id=payout.submit_id,
        ordered_by=payout.ordered_by,
        created_by_id=_user_id(acting_user),
    )


def payout_returned(payout: Payout, money: Money, *, acting_user) -> Posting:
    """WD-4: the payout came back to the client account; the customer is credited
    with what came back (the fee is not returned: the transfer was made)."""
    return Posting(
        idempotency_key=f"payout:{payout.pk}:returned",
        kind="payout.returned",
        entries=[
            debit(_op(AccountKind.CLIENT_BANK, payout.currency), money),
            credit(
                accounts.available(payout.customer, payout.currency), money, Operation.PAYOUT_RETURN
            ),
        ],
        description=f"{payout.reference} returned",
        details={
            **payout_details(payout),
            "returnReasonCode": payout.return_reason_code,
            "returnReasonText": payout.reason,
        },
        created_by_id=_user_id(acting_user),
    )


def refund_cost_kept(deposit: Deposit, money: Money, *, acting_user) -> Posting:
    """DEP-4: a refund whose cost is not less than the amount: nothing can be sent."""
    return Posting(
        idempotency_key=f"deposit:{deposit.pk}:refund-cost",
        kind="deposit.refund_cost",
        entries=[
            debit(_op(AccountKind.REFUNDS_PAYABLE, deposit.currency), money),
            credit(_op(AccountKind.FEE_INCOME, deposit.currency), money),
        ],
        description=f"deposit #{deposit.pk}: refund cost covers the amount",
        created_by_id=_user_id(acting_user),
    )


def bank_fee(entry: BankEntry, *, acting_user) -> Posting:
    """A charge the bank took from the client account (an operator expense)."""
    return Posting(
        idempotency_key=f"bank-entry:{entry.pk}:fee",
        kind="bank_fee",
        entries=[
            debit(_op(AccountKind.BANK_FEES, entry.currency), entry.money),
            credit(_op(AccountKind.CLIENT_BANK, entry.currency), entry.money),
        ],
        description=f"bank fee {entry.bank_reference}"[:300],
        details={"title": entry.title, "bankReference": entry.bank_reference},
        created_by_id=_user_id(acting_user),
    )
