"""/account/balances and /account/history (API-1, DOC-4, MON-1, MON-5).

Decision on amount formats, since the reference disagrees with itself:
``BalanceItem`` amounts are bare decimals (``"300.33"``), as its definition
and example agree; the history's ``operationAmount`` and ``balanceAfter``
carry the currency (``"-432.43 PLN"``), as the reference's /account/history
example shows (its definition's ``"-999.00"`` is only a field description),
and as Walutomat answers. ``ts`` is UTC with milliseconds.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import BeforeValidator

from kantor.domain.money import Money, currency
from kantor.ledger.models import HistoryItem
from kantor.ledger.operations import Operation, OperationType
from kantor.ledger.queries import customer_balances

from ..auth import READ, Signature, caller_customer, secured
from ..envelope import Envelope, ok
from ..formats import format_amount, format_money, format_ts, parse_ts
from ..history import MAX_PAGE, HistoryFilter, history_page
from .details import item_details, operation_details, own_details

router = Router(tags=["account"])

#: The reference's operationDetailedType filter values, and what Kantor books.
_REFERENCE_DETAILED_TYPES = (
    "PAYIN", "PAYIN_CARD", "PAYIN_CARD_FEE", "PAYIN_FEE", "PAYIN_PAYPAL", "PAYIN_PAYPAL_FEE",
    "PAYOUT", "PAYOUT_FEE", "PAYOUT_RETURN", "PAYOUT_FEE_RETURN", "PAYOUT_POST_FACTUM",
    "CASH_PAYOUT", "CASH_PAYOUT_FEE", "CASH_PAYOUT_RETURN", "PAYIN_P24", "PAYIN_P24_FEE",
    "PAYIN_P24_BLIK", "PAYIN_BLIK", "PAYIN_BLIK_FEE", "PAYIN_P24_GPAY", "PAYIN_P24_NOW",
    "MARKET_FX", "MARKET_FX_FEE", "DIRECT_FX", "CHARGE_COMPENSATION", "CUSTOMER_PROFIT",
    "WT_PAY", "INTERNAL", "MONTHLY_FEE", "OTHER",
)  # fmt: skip
DetailedType = StrEnum(  # type: ignore[misc]
    "DetailedType",
    {v: v for v in dict.fromkeys([*_REFERENCE_DETAILED_TYPES, *(str(o) for o in Operation)])},
)


def _timestamp(value: object) -> object:
    return parse_ts(value) if isinstance(value, str) else value


Timestamp = Annotated[datetime, BeforeValidator(_timestamp)]


class BalanceItem(Schema):
    currency: str
    balanceTotal: str = Field(examples=["123.00"])
    balanceAvailable: str = Field(examples=["99.00"])
    balanceReserved: str = Field(examples=["24.00"])


class KeyValue(Schema):
    key: str
    value: str


class HistoryEntry(Schema):
    historyItemId: int
    transactionId: str
    ts: str = Field(examples=["2018-03-27T09:58:06.945Z"])
    currency: str
    operationAmount: str = Field(examples=["-432.43 PLN"])
    balanceAfter: str = Field(examples=["-423.75 PLN"])
    operationType: str
    operationDetailedType: str
    operationDetails: list[KeyValue]
    submitId: str | None = None
    orderedBy: str | None = None


class HistoryQuery(Schema):
    dateFrom: Timestamp | None = Field(
        None, description="Operations at or after this moment (inclusive), ISO 8601."
    )
    dateTo: Timestamp | None = Field(
        None, description="Operations before this moment (exclusive), ISO 8601."
    )
    currencies: str | None = Field(None, description="Comma-separated ISO codes, e.g. PLN,EUR.")
    operationType: OperationType | None = None
    operationDetailedType: DetailedType | None = None
    itemLimit: int = Field(MAX_PAGE, ge=1, le=MAX_PAGE)
    continueFrom: int | None = Field(
        None, ge=1, description="The last historyItemId received; it is not repeated."
    )
    sortOrder: Literal["ASC", "DESC"] = "DESC"


@router.get(
    "/account/balances",
    response=Envelope[list[BalanceItem]],
    summary="Returns wallet balance",
    operation_id="getBalances",
    **secured(*READ),
)
def get_balances(request: HttpRequest):
    """MON-5: total = available + reserved, per currency."""
    balances = customer_balances(caller_customer(request))
    return ok(
        [
            {
                "currency": b.currency,
                "balanceTotal": format_amount(b.total),
                "balanceAvailable": format_amount(b.available),
                "balanceReserved": format_amount(b.reserved),
            }
            for b in balances
        ]
    )


@router.get(
    "/account/history",
    response=Envelope[list[HistoryEntry]],
    summary="Returns wallet history - operations recorded on the wallet",
    operation_id="getHistory",
    exclude_none=True,
    **secured(*READ, signature=Signature.REQUIRED),
)
def get_history(request: HttpRequest, query: Query[HistoryQuery]):
    """DOC-4: the statement, filtered and paged as the reference describes."""
    codes = tuple(
        dict.fromkeys(currency(c).code for c in (query.currencies or "").split(",") if c.strip())
    )
    items = history_page(
        caller_customer(request),
        HistoryFilter(
            date_from=query.dateFrom,
            date_to=query.dateTo,
            currencies=codes,
            operation_type=query.operationType and str(query.operationType),
            operation_detailed_type=query.operationDetailedType
            and str(query.operationDetailedType),
            limit=query.itemLimit,
            continue_from=query.continueFrom,
            ascending=query.sortOrder == "ASC",
        ),
    )
    return ok([_entry(item) for item in items])


def _entry(item: HistoryItem) -> dict:
    own = own_details(item)
    tx = item.transaction
    entry = {
        "historyItemId": item.id,
        "transactionId": str(tx.pk),
        "ts": format_ts(item.created_at),
        "currency": item.currency,
        "operationAmount": format_money(Money.from_minor(item.amount_minor, item.currency)),
        "balanceAfter": format_money(Money.from_minor(item.balance_after_minor, item.currency)),
        "operationType": item.operation_type,
        "operationDetailedType": item.operation_detailed_type,
        "operationDetails": operation_details(item, item_details(item)),
    }
    submit_id = own.get("submitId") or tx.submit_id
    ordered_by = own.get("orderedBy") or tx.ordered_by
    if submit_id:
        entry["submitId"] = str(submit_id)
    if ordered_by:
        entry["orderedBy"] = str(ordered_by)
    return entry
