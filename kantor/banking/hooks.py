"""How other contexts take part in booking an incoming transfer.

Banking owns statements, identification of senders (DEP-3) and the client
bank accounts. Other contexts own what a transfer may pay for: a rate-locked
order (LOCK-7/8), an exchange-on-deposit order (FX-2), a market order placed
by transfer (MKT-11). They plug in here, so banking never imports them:

1. **Title owners.** Banking finds candidate titles in a transfer's
   description (``kantor.domain.titles.find_titles``). A customer's deposit
   title is banking's own; for any other title it asks the registered
   resolvers whose it is. The owner's customer is then identified against the
   sender exactly as for a deposit title.

2. **Deposit handlers.** When banking has booked an identified deposit to the
   customer's *available* balance, it calls the handlers, in registration
   order and inside the same database transaction, with a ``BookedDeposit``.
   A handler may move the money onward through the ledger (run the locked
   exchange, place the order…) and returns True when it claimed the deposit;
   the first claim stops the chain. Unclaimed money simply stays available.

Handlers must be idempotent per ``deposit_id``: a deposit is booked once, but
a handler may be re-run by a retried job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from kantor.domain.money import Money


@dataclass(frozen=True)
class TitleOwner:
    """Who a non-deposit title belongs to, and for what."""

    customer_id: int
    #: e.g. "rate_lock", "deposit_order", "market_order"
    purpose: str
    #: the owning context's id for the order
    reference: str


@dataclass(frozen=True)
class BookedDeposit:
    deposit_id: int
    customer_id: int
    money: Money
    #: the transfer's description as the bank gave it
    description: str
    #: verified titles found in the description (canonical form), in order
    titles: tuple[str, ...]
    #: when the bank booked it on the operator's account (LOCK-6 compares this)
    booked_at: datetime
    #: the customer's BankAccount the money came from (verified by now)
    sender_account_id: int | None = None
    details: dict = field(default_factory=dict)


TitleResolver = Callable[[str], TitleOwner | None]
DepositHandler = Callable[[BookedDeposit], bool]

_resolvers: dict[str, TitleResolver] = {}
_handlers: dict[str, DepositHandler] = {}


def register_title_resolver(name: str, resolver: TitleResolver) -> None:
    _resolvers[name] = resolver


def register_deposit_handler(name: str, handler: DepositHandler) -> None:
    _handlers[name] = handler


def resolve_title(title: str) -> TitleOwner | None:
    for resolver in _resolvers.values():
        owner = resolver(title)
        if owner is not None:
            return owner
    return None


def deposit_booked(deposit: BookedDeposit) -> str | None:
    """Offer a booked deposit to the handlers; the name of the one that claimed it."""
    for name, handler in _handlers.items():
        if handler(deposit):
            return name
    return None
