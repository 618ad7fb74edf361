"""Write operations of the exchange app (FX-1, FX-2, LOCK-1..15).

One function per state change; the API, the CLI, the back office and the
scheduler's jobs all call these, so each rule lives here once. Each runs in
``transaction.atomic`` (never ``durable``: the API's ``submit`` and banking's
deposit booking call them inside their own transaction), with an audit row
for every staff decision.
"""

from .agreement import (
    allow_new_agreement,
    conclude_agreement,
    end_agreement_by_customer,
    end_agreement_by_operator,
    end_with_basic_agreement,
)
from .deposit_orders import (
    cancel_deposit_order,
    create_deposit_order,
    deposit_order_proceeds,
    handle_deposit_order,
    indicative_plan,
    preview_deposit_order,
)
from .expiry import collect_damages, expire_order, process_waiting, waive_damages, withdraw_order
from .instant import exchange_instant, preview_instant
from .payment import execute_locked_order, handle_rate_lock_deposit
from .place import place_rate_lock, preview_rate_lock, quote_rate_lock, service_conditions_met

__all__ = [
    "allow_new_agreement",
    "cancel_deposit_order",
    "collect_damages",
    "conclude_agreement",
    "create_deposit_order",
    "deposit_order_proceeds",
    "end_agreement_by_customer",
    "end_agreement_by_operator",
    "end_with_basic_agreement",
    "exchange_instant",
    "execute_locked_order",
    "expire_order",
    "handle_deposit_order",
    "handle_rate_lock_deposit",
    "indicative_plan",
    "place_rate_lock",
    "preview_deposit_order",
    "preview_instant",
    "preview_rate_lock",
    "process_waiting",
    "quote_rate_lock",
    "service_conditions_met",
    "waive_damages",
    "withdraw_order",
]
