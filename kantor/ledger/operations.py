"""Walutomat's history vocabulary: operationDetailedType → operationType.

Legs on customer accounts carry a detailed type so that the customer's
statement (``HistoryItem``) reads like Walutomat's ``/account/history``.
"""

from __future__ import annotations

from enum import StrEnum


class OperationType(StrEnum):
    PAYIN = "PAYIN"
    PAYOUT = "PAYOUT"
    COMMISSION = "COMMISSION"
    DIRECT_FX = "DIRECT_FX"
    MARKET_FX = "MARKET_FX"
    TRANSFER = "TRANSFER"
    OTHER = "OTHER"


class Operation(StrEnum):
    """operationDetailedType values Kantor books (subset of the reference's)."""

    PAYIN = "PAYIN"
    PAYIN_FEE = "PAYIN_FEE"
    PAYOUT = "PAYOUT"
    PAYOUT_FEE = "PAYOUT_FEE"
    PAYOUT_REJECT = "PAYOUT_REJECT"
    PAYOUT_RETURN = "PAYOUT_RETURN"
    PAYOUT_FEE_RETURN = "PAYOUT_FEE_RETURN"
    MARKET_FX = "MARKET_FX"
    MARKET_FX_FEE = "MARKET_FX_FEE"
    DIRECT_FX = "DIRECT_FX"
    INTERNAL = "INTERNAL"
    CHARGE_COMPENSATION = "CHARGE_COMPENSATION"
    CUSTOMER_PROFIT = "CUSTOMER_PROFIT"
    OTHER = "OTHER"


OPERATION_TYPE: dict[Operation, OperationType] = {
    Operation.PAYIN: OperationType.PAYIN,
    Operation.PAYIN_FEE: OperationType.COMMISSION,
    Operation.PAYOUT: OperationType.PAYOUT,
    Operation.PAYOUT_FEE: OperationType.COMMISSION,
    Operation.PAYOUT_REJECT: OperationType.PAYOUT,
    Operation.PAYOUT_RETURN: OperationType.PAYOUT,
    Operation.PAYOUT_FEE_RETURN: OperationType.COMMISSION,
    Operation.MARKET_FX: OperationType.MARKET_FX,
    Operation.MARKET_FX_FEE: OperationType.COMMISSION,
    Operation.DIRECT_FX: OperationType.DIRECT_FX,
    Operation.INTERNAL: OperationType.TRANSFER,
    Operation.CHARGE_COMPENSATION: OperationType.COMMISSION,
    Operation.CUSTOMER_PROFIT: OperationType.OTHER,
    Operation.OTHER: OperationType.OTHER,
}


def operation_type(detailed: str) -> OperationType:
    try:
        return OPERATION_TYPE[Operation(detailed)]
    except ValueError:
        return OperationType.OTHER
