"""The exchange app's side of the contract with banking (``kantor.banking.hooks``)
and with the customers app's signals.

* Title owner: ``KNR…`` titles belong to rate-locked orders (LOCK-5), ``KNT…``
  titles to exchange-on-deposit orders (FX-2) — banking identifies the sender
  against the owner's customer as for a deposit title.
* Deposit handler: a booked deposit is first offered to the customer's
  exchange-on-deposit order named by its title (FX-2, MKT-11), then to the
  rate lock (LOCK-6..9). Both are idempotent per ``deposit_id``.
* The basic agreement's end ends the additional one (LOCK-1, ``003`` pkt 6).
"""

from __future__ import annotations

from kantor.domain.titles import TitlePurpose


def resolve_title(title: str):
    """Banking's title resolver: whose ``KNR``/``KNT`` title is this?"""
    from kantor.banking.hooks import TitleOwner

    from .models import DepositOrder, RateLockOrder

    if title.startswith(TitlePurpose.RATE_LOCK.prefix):
        row = RateLockOrder.objects.filter(title=title).values_list("pk", "customer_id").first()
        purpose = "rate_lock"
    elif title.startswith(TitlePurpose.ORDER.prefix):
        row = DepositOrder.objects.filter(title=title).values_list("pk", "customer_id").first()
        purpose = "deposit_order"
    else:
        return None
    if row is None:
        return None
    return TitleOwner(customer_id=row[1], purpose=purpose, reference=str(row[0]))


def handle_deposit(deposit) -> bool:
    """Banking's deposit handler (inside banking's booking transaction)."""
    from .actions.deposit_orders import handle_deposit_order
    from .actions.payment import handle_rate_lock_deposit

    return handle_deposit_order(deposit) or handle_rate_lock_deposit(deposit)


def _status_changed(sender, customer=None, new_status=None, **kwargs) -> None:
    from kantor.customers.models import CustomerStatus

    from .actions.agreement import end_with_basic_agreement

    if customer is not None and new_status == CustomerStatus.TERMINATED:
        end_with_basic_agreement(customer)


def connect() -> None:
    from kantor.banking import hooks as banking
    from kantor.customers.signals import customer_status_changed

    banking.register_title_resolver("exchange", resolve_title)
    banking.register_deposit_handler("exchange", handle_deposit)
    customer_status_changed.connect(_status_changed, dispatch_uid="kantor.exchange.agreement")
