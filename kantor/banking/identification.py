"""Who an incoming transfer belongs to, and whether it may be booked (DEP-2, DEP-3, DEP-4).

Two steps, both pure functions of what they are given, so that the property
tests can drive them without a bank statement:

1. ``assign`` — the customer: by the first title in the description that
   belongs to a customer (a deposit title ``KND…`` is banking's own; other
   titles are resolved by their owners through ``kantor.banking.hooks``),
   else by a sender account defined by exactly one customer (BANK-1). Titles
   pointing to different customers, or an account defined by several, are
   ambiguous: suspense (DEP-6), nothing is guessed.

2. ``identify`` — the verdict for that customer, in this order:

   ========================================  =================================
   the sender's name does not match          refund (DEP-4) — to the account
                                             it came from; without one, staff
   the customer is suspended or terminated   staff (REG-12)
   the bank gave no sender account           staff
   the account is not one of the customer's  staff (BANK-1: staff ask the
                                             customer to define it first)
   first transfer from that account          staff (DEP-3)
   name or address in doubt                  staff (DEP-5)
   otherwise                                 booked automatically (DEP-3)
   ========================================  =================================
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kantor.domain.names import (
    CustomerIdentity,
    Decision,
    NameMatch,
    PersonName,
    PostalAddress,
    match_sender,
)
from kantor.domain.titles import ParsedTitle, TitlePurpose, find_titles

from .models import DepositStatus, ReviewReason

__all__ = ["Assignment", "Verdict", "assign", "customer_identity", "identify"]


def customer_identity(customer) -> CustomerIdentity:
    """The KYC data DEP-3 compares the sender with (REG-2, REG-3).

    Both the residence and the correspondence address count. A sole trader
    (``jdg``) may pay from an account in the owner's own name.
    """
    addresses = [
        PostalAddress(customer.street, customer.postal_code, customer.city, customer.country)
    ]
    if customer.corr_street:
        addresses.append(
            PostalAddress(
                customer.corr_street,
                customer.corr_postal_code,
                customer.corr_city,
                customer.corr_country or customer.country,
            )
        )
    if customer.kind == "individual":
        return CustomerIdentity.individual(customer.first_name, customer.last_name, addresses)
    owner = None
    words = customer.representative_name.split()
    if customer.legal_form == "jdg" and len(words) >= 2:
        owner = PersonName(tuple(words[:-1]), words[-1])
    return CustomerIdentity.company(
        customer.company_name,
        customer.get_legal_form_display() if customer.legal_form else "",
        customer.nip,
        addresses,
        owner,
    )


@dataclass(frozen=True)
class Assignment:
    customer_id: int | None
    #: "title", "account" or "" (not assigned).
    via: str = ""
    titles: tuple[str, ...] = ()
    reason: str = ""


def assign(
    description: str,
    sender_account: str,
    *,
    deposit_title_owner: Callable[[str], int | None],
    resolve_other_title: Callable[[str], int | None],
    account_owners: Callable[[str], Iterable[int]],
) -> Assignment:
    """DEP-2, DEP-6: find the customer a transfer is for (see module docstring)."""
    found: list[ParsedTitle] = find_titles(description)
    titles = tuple(t.title for t in found)
    owners: list[int] = []
    for parsed in found:
        if parsed.purpose is TitlePurpose.DEPOSIT:
            owner = deposit_title_owner(parsed.title)
        else:
            owner = resolve_other_title(parsed.title)
        if owner is not None and owner not in owners:
            owners.append(owner)
    if len(owners) > 1:
        return Assignment(None, "", titles, ReviewReason.AMBIGUOUS)
    if owners:
        return Assignment(owners[0], "title", titles)
    if sender_account:
        by_account = sorted(set(account_owners(sender_account)))
        if len(by_account) == 1:
            return Assignment(by_account[0], "account", titles)
        if len(by_account) > 1:
            return Assignment(None, "", titles, ReviewReason.AMBIGUOUS)
    return Assignment(None, "", titles, ReviewReason.NO_CUSTOMER)


@dataclass(frozen=True)
class Verdict:
    status: DepositStatus
    reason: str = ""
    match: NameMatch | None = field(default=None, compare=False)


def identify(
    *,
    identity: CustomerIdentity,
    in_service: bool,
    sender_name: str,
    sender_address: str | None,
    sender_account: str,
    account_defined: bool,
    account_verified: bool,
) -> Verdict:
    """DEP-3, DEP-4, DEP-5: book, hold for staff, or refund (order in the module docstring)."""
    match = match_sender(sender_name, sender_address, identity)
    if match.decision is Decision.MISMATCH:
        if sender_account:
            return Verdict(DepositStatus.REFUND_DUE, ReviewReason.NAME_MISMATCH, match)
        return Verdict(DepositStatus.REVIEW, ReviewReason.NAME_MISMATCH, match)
    if not in_service:
        return Verdict(DepositStatus.REVIEW, ReviewReason.CUSTOMER_NOT_IN_SERVICE, match)
    if not sender_account:
        return Verdict(DepositStatus.REVIEW, ReviewReason.NO_SENDER_ACCOUNT, match)
    if not account_defined:
        return Verdict(DepositStatus.REVIEW, ReviewReason.ACCOUNT_NOT_DEFINED, match)
    if not account_verified:
        return Verdict(DepositStatus.REVIEW, ReviewReason.FIRST_TRANSFER, match)
    if match.decision is Decision.UNSURE:
        return Verdict(DepositStatus.REVIEW, ReviewReason.NAME_UNSURE, match)
    return Verdict(DepositStatus.BOOKED, "", match)
