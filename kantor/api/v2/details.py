"""``operationDetails`` of /account/history: which keys each type shows.

The keys per ``operationDetailedType`` are the reference's table (its
spelling kept, ``ownerAdress`` included, since clients look the keys up by
name). Values come from ``LedgerTransaction.details``; only the listed keys
are shown, so internal bookkeeping in ``details`` never leaks.

One transaction can concern two customers (a P2P trade, an internal
transfer). What differs per customer — their own ``orderId``, ``submitId``,
``orderedBy`` — goes under ``details["per_customer"][str(customer_id)]`` and
overrides the shared keys for that customer only. ``submitId`` and
``orderedBy`` are taken from there when present, else from the transaction's
own fields (which the posting code sets only for single-customer
transactions).
"""

from __future__ import annotations

from typing import Any

from kantor.ledger.models import HistoryItem

__all__ = ["DETAIL_KEYS", "item_details", "operation_details", "own_details"]

_PAYIN = ("transferTitle", "senderName", "sourceAccount", "destinationAccount")
_PAYIN_PROVIDER = ("transferTitle", "paymentProviderId")
_PAYIN_CARD = ("transferTitle", "provider", "providerOperationId", "cardNumber")
_PAYOUT = (
    "destinationAccount",
    "sourceAccount",
    "ownerName",
    "ownerAdress",
    "country",
    "swift",
    "transferTitle",
)
_PAYOUT_FEE = (
    "destinationAccount",
    "ownerName",
    "ownerAdress",
    "country",
    "swift",
    "transferTitle",
)
_MARKET_FX = ("orderId", "currencyPair", "buySell", "orderVolume", "priceLimit")
_INTERNAL = ("title", "senderAccountId", "receiverAccountId", "receiverDetails")

DETAIL_KEYS: dict[str, tuple[str, ...]] = {
    "PAYIN": _PAYIN,
    "PAYIN_P24": _PAYIN_PROVIDER,
    "PAYIN_P24_NOW": _PAYIN_PROVIDER,
    "PAYIN_CARD": _PAYIN_CARD,
    "PAYIN_P24_BLIK": _PAYIN_CARD,
    "PAYIN_BLIK": _PAYIN_CARD,
    "PAYIN_P24_GPAY": _PAYIN_CARD,
    "PAYIN_PAYPAL": ("transferTitle",),
    "PAYOUT": _PAYOUT,
    "PAYOUT_REJECT": _PAYOUT,
    "PAYOUT_POST_FACTUM": _PAYOUT,
    "PAYOUT_RETURN": (*_PAYOUT, "returnReasonCode", "returnReasonText"),
    "CASH_PAYOUT": (),
    "CASH_PAYOUT_RETURN": (),
    "MARKET_FX": _MARKET_FX,
    "DIRECT_FX": ("amountSold", "amountBought", "rate", "rateTs"),
    "INTERNAL": _INTERNAL,
    "WT_PAY": (*_INTERNAL, "partnerOrderId"),
    "PAYIN_FEE": _PAYIN,
    "PAYIN_P24_FEE": _PAYIN_PROVIDER,
    "PAYIN_CARD_FEE": _PAYIN_CARD,
    "PAYIN_BLIK_FEE": _PAYIN_CARD,
    "PAYIN_PAYPAL_FEE": ("transferTitle",),
    "PAYOUT_FEE": _PAYOUT_FEE,
    "PAYOUT_REJECT_FEE": _PAYOUT_FEE,
    # Not in the reference's table; Kantor books it when a payout's fee is returned.
    "PAYOUT_FEE_RETURN": _PAYOUT_FEE,
    "CASH_PAYOUT_FEE": (),
    "MARKET_FX_FEE": _MARKET_FX,
    "CHARGE_COMPENSATION": ("title",),
    "MONTHLY_FEE": (),
    "CUSTOMER_PROFIT": ("title",),
    # Not in the reference's table: Kantor's other bookings carry a title.
    "OTHER": ("title",),
}


def own_details(item: HistoryItem) -> dict[str, Any]:
    """What the transaction's details say about this item's customer only."""
    details = item.transaction.details or {}
    return (details.get("per_customer") or {}).get(str(item.customer_id)) or {}


def item_details(item: HistoryItem) -> dict[str, Any]:
    """The transaction's details as this item's customer sees them."""
    return {**(item.transaction.details or {}), **own_details(item)}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def operation_details(item: HistoryItem, details: dict[str, Any]) -> list[dict[str, str]]:
    keys = DETAIL_KEYS.get(item.operation_detailed_type, ())
    return [{"key": k, "value": _text(details[k])} for k in keys if k in details]
