"""/account/history/mt940: the wallet's history as an MT940 statement (API-1, DOC-4).

The reference's parameters: ``dateFrom`` (required, YYYY-MM-DD, inclusive),
``dateTo`` (exclusive; without it, the day of ``dateFrom``), ``currencies``
(comma-separated). The statement is the ``result`` string; its layout is
``kantor.banking.history_export`` (dates are Warsaw days, TIME-1).
"""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from kantor.banking.history_export import history_mt940
from kantor.domain.money import currency

from ..auth import READ, Signature, caller_customer, secured
from ..envelope import Envelope, ok
from ..errors import ApiError, ErrorKey

router = Router(tags=["account"])


class Mt940Query(Schema):
    dateFrom: date = Field(description="YYYY-MM-DD, inclusive.", examples=["2020-01-01"])
    dateTo: date | None = Field(None, description="YYYY-MM-DD, exclusive.")
    currencies: str | None = Field(None, description="Comma-separated ISO codes, e.g. PLN,EUR.")


def parse_currencies(text: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(currency(c).code for c in (text or "").split(",") if c.strip()))


@router.get(
    "/account/history/mt940",
    response=Envelope[str],
    summary="Returns wallet history (operations recorded on the wallet) in MT940 format",
    operation_id="getHistoryMt940",
    **secured(*READ, signature=Signature.REQUIRED),
)
def get_history_mt940(request: HttpRequest, query: Query[Mt940Query]):
    """DOC-4: the statement for a period, per currency."""
    if query.dateTo is not None and query.dateTo <= query.dateFrom:
        raise ApiError(
            ErrorKey.INVALID_ARGUMENTS,
            "dateTo must be after dateFrom.",
            {"dateTo": str(query.dateTo)},
        )
    text = history_mt940(
        caller_customer(request), query.dateFrom, query.dateTo, parse_currencies(query.currencies)
    )
    return ok(text)
