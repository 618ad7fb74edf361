"""Staff decisions on incoming transfers (DEP-3..6, BANK-2, AML-4).

``approve_deposit``, ``reject_deposit``, ``refund_deposit``,
``assign_deposit``, ``request_explanation`` and ``reoffer_deposit`` run from
the back office and the CLI. Each is atomic, locks the deposit row, posts
through ``kantor.banking.postings`` and writes an audit row for the decision.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from kantor.core import audit
from kantor.customers.actions import set_customer_status, verify_bank_account
from kantor.customers.models import BankAccount, Customer, CustomerStatus
from kantor.domain.calendar import business_days_deadline
from kantor.ledger.models import AccountKind
from kantor.ledger.posting import post

from .. import postings
from ..conf import refund_business_days
from ..errors import BankingError, Code
from ..models import Deposit, DepositStatus
from ._common import clean_reason, locked, require_status
from .intake import HELD_IN, apply_verdict, book, issue_refund, offer, verdict

__all__ = [
    "approve_deposit",
    "assign_deposit",
    "refund_deposit",
    "reject_deposit",
    "reoffer_deposit",
    "request_explanation",
]


def _decided(deposit: Deposit, acting_user, reason: str) -> None:
    deposit.decided_at = timezone.now()
    deposit.decided_by = acting_user if getattr(acting_user, "pk", None) else None
    deposit.decision_reason = reason


@transaction.atomic
def approve_deposit(deposit: Deposit, *, acting_user, reason: str = "") -> Deposit:
    """DEP-3, BANK-2: staff identified the sender: book it and verify the account.

    The account must be one the customer defined (BANK-1): staff ask the
    customer to define it first. A first approved deposit also verifies an
    ACTIVE customer (``CustomerStatus.VERIFIED``).
    """
    reason = clean_reason(reason, required=False) or "identified by staff"
    deposit = locked(deposit)
    require_status(deposit, DepositStatus.REVIEW)
    customer = deposit.customer
    if customer is None:
        raise BankingError("the transfer has no customer", code=Code.INVALID_STATE)
    if not customer.can_trade:
        raise BankingError(
            f"the customer is {customer.status}",
            code=Code.CUSTOMER_INACTIVE,
            error_data={"status": customer.status},
        )
    sender = deposit.entry.counterparty_account
    account = (
        BankAccount.objects.filter(customer=customer, iban=sender, is_active=True).first()
        if sender
        else None
    )
    if account is None:
        raise BankingError(
            "the sender account is not one of the customer's accounts: ask the customer "
            "to define it first (BANK-1), or reject the transfer",
            code=Code.ACCOUNT_NOT_DEFINED,
            error_data={"account": sender},
        )
    # Verified first, so that the deposit handlers (LOCK-9: "verified customer and
    # sender account") see the state this decision creates.
    verify_bank_account(account, acting_user=acting_user, reason=f"deposit #{deposit.pk}")
    if customer.status == CustomerStatus.ACTIVE:
        set_customer_status(
            customer,
            CustomerStatus.VERIFIED,
            acting_user=acting_user,
            reason=f"first deposit #{deposit.pk} identified (DEP-3)",
        )
    deposit.sender_account = account
    _decided(deposit, acting_user, reason)
    book(deposit, held_in=AccountKind.PENDING_DEPOSITS, now=timezone.now(), acting_user=acting_user)
    audit.record(
        "deposit.approved",
        acting_user=acting_user,
        obj=deposit,
        details={"customer_id": customer.pk, "reason": reason, "amount": str(deposit.money)},
    )
    return deposit


@transaction.atomic
def reject_deposit(
    deposit: Deposit,
    *,
    acting_user,
    reason: str,
    destination_iban: str = "",
    recipient_name: str = "",
) -> Deposit:
    """DEP-4: staff found the sender is not the customer: refund the transfer."""
    deposit = locked(deposit)
    require_status(deposit, DepositStatus.REVIEW)
    return _refund(
        deposit,
        acting_user,
        clean_reason(reason),
        destination_iban,
        recipient_name,
        action="deposit.rejected",
    )


@transaction.atomic
def refund_deposit(
    deposit: Deposit,
    *,
    acting_user,
    reason: str,
    destination_iban: str = "",
    recipient_name: str = "",
) -> Deposit:
    """DEP-4, DEP-6: refund a held, unassigned, or again-due transfer to its sender."""
    deposit = locked(deposit)
    require_status(
        deposit, DepositStatus.REVIEW, DepositStatus.UNASSIGNED, DepositStatus.REFUND_DUE
    )
    return _refund(
        deposit,
        acting_user,
        clean_reason(reason),
        destination_iban,
        recipient_name,
        action="deposit.refunded",
    )


def _refund(deposit, acting_user, reason, destination_iban, recipient_name, *, action) -> Deposit:
    held_in = HELD_IN[DepositStatus(deposit.status)]
    if held_in != AccountKind.REFUNDS_PAYABLE:
        post(
            postings.deposit_moved(
                deposit,
                held_in,
                AccountKind.REFUNDS_PAYABLE,
                step="refund",
                acting_user=acting_user,
            )
        )
    if deposit.refund_deadline is None:
        deposit.refund_deadline = business_days_deadline(
            deposit.received_at, refund_business_days()
        )
    deposit.status = DepositStatus.REFUND_DUE
    _decided(deposit, acting_user, reason)
    deposit.save()
    payout = issue_refund(
        deposit,
        acting_user=acting_user,
        destination_iban=destination_iban,
        recipient_name=recipient_name,
    )
    audit.record(
        action,
        acting_user=acting_user,
        obj=deposit,
        details={
            "reason": reason,
            "amount": str(deposit.money),
            "payout": payout.reference if payout else None,
            "destination": payout.destination_iban if payout else None,
        },
    )
    return deposit


@transaction.atomic
def assign_deposit(deposit: Deposit, customer: Customer, *, acting_user, reason: str) -> Deposit:
    """DEP-6: staff found whose an unassigned transfer is; DEP-3 identification then runs
    as for any assigned transfer (it may book, wait for review, or be refunded)."""
    reason = clean_reason(reason)
    deposit = locked(deposit)
    require_status(deposit, DepositStatus.UNASSIGNED)
    deposit.customer = customer
    deposit.assigned_by = "staff"
    _decided(deposit, acting_user, reason)
    apply_verdict(
        deposit,
        verdict(deposit),
        held_in=AccountKind.SUSPENSE,
        now=timezone.now(),
        acting_user=acting_user,
    )
    audit.record(
        "deposit.assigned",
        acting_user=acting_user,
        obj=deposit,
        details={"customer_id": customer.pk, "reason": reason, "outcome": deposit.status},
    )
    return deposit


@transaction.atomic
def request_explanation(deposit: Deposit, *, acting_user, note: str) -> Deposit:
    """DEP-5: staff ask the customer to explain; the deposit stays held meanwhile."""
    note = clean_reason(note)
    deposit = locked(deposit)
    require_status(deposit, DepositStatus.REVIEW)
    deposit.explanation_requested_at = timezone.now()
    deposit.save(update_fields=["explanation_requested_at"])
    audit.record(
        "deposit.explanation_requested",
        acting_user=acting_user,
        obj=deposit,
        details={"customer_id": deposit.customer_id, "note": note},
    )
    return deposit


@transaction.atomic
def reoffer_deposit(deposit: Deposit, *, acting_user) -> Deposit:
    """Offer a booked deposit whose handler failed to the hooks again (they are idempotent)."""
    deposit = locked(deposit)
    require_status(deposit, DepositStatus.BOOKED)
    offer(deposit)
    audit.record(
        "deposit.reoffered",
        acting_user=acting_user,
        obj=deposit,
        details={"claimed_by": deposit.claimed_by, "error": deposit.hook_error},
    )
    return deposit
