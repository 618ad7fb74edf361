"""/direct_fx/rates: the operator's quote for an exchange (API-1, RATE-1, FX-1).

``buyRate`` is the rate the customer buys the base currency at — the
operator's ask; ``sellRate`` the rate the customer sells at — the operator's
bid. ``ts`` identifies the quote: /direct_fx/exchanges names it back within
``KANTOR_DIRECT_FX_QUOTE_VALIDITY_SECONDS``. The customer's segment picks the
margins (RATE-1).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from kantor.customers.models import ApiRole
from kantor.rates.queries import current_rate

from ..auth import caller_customer, secured
from ..envelope import Envelope, ok
from ..formats import format_rate, format_ts

router = Router(tags=["direct_fx"])


class FxRate(Schema):
    ts: str = Field(examples=["2018-03-27T09:58:06.945Z"])
    currencyPair: str = Field(examples=["EURPLN"])
    buyRate: str = Field(examples=["4.1234"], description="The customer buys at it (our ask).")
    sellRate: str = Field(examples=["4.0987"], description="The customer sells at it (our bid).")


class FxRateQuery(Schema):
    currencyPair: str = Field(
        description="Base and quote currency with no separator, e.g. EURPLN.",
        examples=["EURPLN"],
    )


@router.get(
    "/direct_fx/rates",
    response=Envelope[FxRate],
    summary="Returns current exchange rate",
    operation_id="getFxRate",
    **secured(ApiRole.ADMIN, ApiRole.DIRECT_FX),
)
def get_fx_rate(request: HttpRequest, query: Query[FxRateQuery]):
    """Unknown or unoffered pair → CURRENCY_NOT_SUPPORTED; none published → NO_RATE_FOR_PAIR."""
    rate = current_rate(query.currencyPair, segment=caller_customer(request).segment)
    return ok(
        {
            "ts": format_ts(rate.ts),
            "currencyPair": rate.pair.code,
            "buyRate": format_rate(rate.ask, rate.pair),
            "sellRate": format_rate(rate.bid, rate.pair),
        }
    )
