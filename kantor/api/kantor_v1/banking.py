"""/deposit_instructions and /account/history/csv (API-4; DEP-1, DOC-4).

What Walutomat's API lacks, in its conventions:

* ``GET /deposit_instructions[?currency=PLN]`` — DEP-1: for each currency
  (or the one asked), the operator's client account, the recipient and the
  customer's own transfer title; for PLN also ``qrCode``, the text of the
  Polish transfer QR code (ZBP "2D code", ``kantor.banking.qr``) and
  ``qrCodeSvg``, its image. An unknown currency or one without a client
  account is CURRENCY_NOT_SUPPORTED.
* ``GET /account/history/csv?dateFrom=…`` — DOC-4: the statement as CSV
  text (the parameters of ``/api/v2.0.0/account/history/mt940``).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from kantor.banking.errors import BankingError
from kantor.banking.history_export import history_csv
from kantor.banking.qr import qr_svg
from kantor.banking.queries import deposit_instructions
from kantor.domain.money import currency

from ..auth import READ, Signature, caller_customer, secured
from ..envelope import Envelope, ok
from ..errors import ApiError, ErrorKey
from ..v2.mt940 import Mt940Query, parse_currencies

router = Router(tags=["deposits"])


class InstructionsQuery(Schema):
    currency: str | None = Field(None, min_length=3, max_length=3, examples=["PLN"])


class Instructions(Schema):
    currency: str
    accountNumber: str
    recipientName: str
    recipientAddress: str
    bic: str
    bankName: str
    transferTitle: str = Field(description="Copy it into the transfer's title (DEP-1).")
    qrCode: str | None = Field(None, description='PLN: the ZBP "2D code" text.')
    qrCodeSvg: str | None = Field(None, description="PLN: the QR code as an SVG image.")


@router.get(
    "/deposit_instructions",
    response=Envelope[list[Instructions]],
    summary="How to pay money in: the account, recipient and your transfer title",
    operation_id="getDepositInstructions",
    **secured(*READ),
)
def get_deposit_instructions(request: HttpRequest, query: Query[InstructionsQuery]):
    """DEP-1: deposit instructions per currency, with the PLN QR code."""
    code = currency(query.currency).code if query.currency else None
    try:
        found = deposit_instructions(caller_customer(request), code)
    except BankingError as error:
        raise ApiError(ErrorKey(error.api_key), error.message, error.error_data) from None
    result = []
    for item in found:
        data = item.as_dict()
        data["qrCodeSvg"] = qr_svg(item.qr_payload) if item.qr_payload else None
        result.append(data)
    return ok(result)


@router.get(
    "/account/history/csv",
    response=Envelope[str],
    summary="Returns wallet history as CSV (DOC-4)",
    operation_id="getHistoryCsv",
    **secured(*READ, signature=Signature.REQUIRED),
)
def get_history_csv(request: HttpRequest, query: Query[Mt940Query]):
    """DOC-4: the statement for export (the same operations as the MT940)."""
    if query.dateTo is not None and query.dateTo <= query.dateFrom:
        raise ApiError(
            ErrorKey.INVALID_ARGUMENTS,
            "dateTo must be after dateFrom.",
            {"dateTo": str(query.dateTo)},
        )
    text = history_csv(
        caller_customer(request), query.dateFrom, query.dateTo, parse_currencies(query.currencies)
    )
    return ok(text)
